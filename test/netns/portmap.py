# portmap.py: the echo servers and the client of test/netns/portmap.sh.
#   serve PORT...      TCP and UDP on every port, both families (::, dual-stack):
#                      each answers with the peer address it saw
#   ask PROTO HOST PORT [SPORT]  one exchange (from source port SPORT); prints
#                      the answer, exit 1 without one
import socket, sys, threading

def tcp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(64)
    while True:
        c, a = s.accept()
        try:
            c.settimeout(2)
            c.recv(100)
            c.sendall(peer(a).encode())
        except OSError:
            pass
        c.close()

def udp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    while True:
        d, a = s.recvfrom(100)
        try:
            s.sendto(peer(a).encode(), a)
        except OSError:
            pass

def peer(a):
    h = a[0]
    return h[7:] if h.startswith("::ffff:") else h

def ask(proto, host, port, sport=0):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.settimeout(1.5)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
    try:
        if proto == "tcp":
            s.connect((host, port))
            s.sendall(b"x")
            print(s.recv(100).decode())
        else:
            for _ in range(3):   # a lost datagram (ARP, DAD) is tried again
                s.sendto(b"x", (host, port))
                try:
                    print(s.recv(100).decode())
                    return 0
                except socket.timeout:
                    continue
            return 1
    except OSError:
        return 1
    return 0

if sys.argv[1] == "serve":
    for p in sys.argv[2:]:
        threading.Thread(target=tcp, args=(int(p),), daemon=True).start()
        threading.Thread(target=udp, args=(int(p),), daemon=True).start()
    threading.Event().wait()
else:
    sys.exit(ask(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 0))
