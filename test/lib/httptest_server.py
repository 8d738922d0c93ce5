#!/usr/bin/env python3
"""HTTP and TLS test servers for test_http and test_tls (loopback only).

Usage: httptest_server.py CERTDIR   (CERTDIR made by test/lib/mkcerts.sh)

Opens every listener on an ephemeral port, prints "NAME PORT" per listener,
then "ready", and serves until its stdin closes (the test process is gone)
or it is killed. Responses are written byte by byte as the routes below
say, so tests control framing exactly (chunk splits, bad framing, stalls).
"""
import os
import socket
import ssl
import sys
import threading
import time

CERTS = sys.argv[1]
conn_ids = iter(range(1, 1 << 30))
ids_lock = threading.Lock()
tls_info = threading.local()

EVENTS = [
    b'{"type":"ADDED","object":{"metadata":{"name":"node-a","resourceVersion":"11"}}}\n',
    b'{"type":"MODIFIED","object":{"metadata":{"name":"node-b","resourceVersion":"12"}}}\n',
    b'{"type":"DELETED","object":{"metadata":{"name":"node-c","resourceVersion":"13"}}}\n',
]


def cert(name):
    return os.path.join(CERTS, name)


def tls_context(crt, key, client_ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert(crt), cert(key))
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(cert(client_ca))

    def on_sni(sock, name, c):
        tls_info.sni = name
    ctx.sni_callback = on_sni
    return ctx


def read_request(f):
    line = f.readline(65536)
    if not line:
        return None
    method, path, _ = line.decode().split(" ", 2)
    headers = {}
    while True:
        h = f.readline(65536)
        if h in (b"\r\n", b"\n", b""):
            break
        k, v = h.decode().split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = f.read(int(headers.get("content-length", "0")))
    return method, path, headers, body


def send(sock, data, pause=0.0):
    sock.sendall(data)
    if pause:
        time.sleep(pause)


def respond(sock, status, body, extra=b""):
    send(sock, b"HTTP/1.1 %s\r\nContent-Length: %d\r\n%s\r\n" % (status, len(body), extra) + body)


def chunk(data, ext=b""):
    return b"%x%s\r\n%s\r\n" % (len(data), ext, data)


def node(name, rv):
    return (b'{"kind":"Node","metadata":{"name":"%s","resourceVersion":"%d"},'
            b'"spec":{"podCIDRs":["10.7.%d.0/24"]}}' % (name, rv, rv))


wl_flaky_n = iter(range(1, 1 << 30))


def watchlist_cut(sock, name, query):
    """test_nodesrc: a WatchList that ends before its initial-events-end
    bookmark; the LIST after it no longer has node-x (or fails).
    /wl-flaky/: only the third WatchList asked for ends at its bookmark."""
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    if "sendInitialEvents=true" in query:
        send(sock, chunked, 0.02)
        for n, rv in ((b"node-x", 11), (b"node-y", 12)):
            send(sock, chunk(b'{"type":"ADDED","object":%s}\n' % node(n, rv)), 0.02)
        if name.startswith("/wl-flaky/") and next(wl_flaky_n) == 3:
            # complete; the watch goes on (open until the client closes it)
            send(sock, chunk(b'{"type":"BOOKMARK","object":{"kind":"Node","metadata":'
                             b'{"resourceVersion":"12","annotations":'
                             b'{"k8s.io/initial-events-end":"true"}}}}\n'))
            return True
        send(sock, b"0\r\n\r\n")
    elif "watch=1" in query:
        send(sock, chunked + b"0\r\n\r\n")
    elif name.startswith("/wl-cut-fail/"):
        respond(sock, b"500 Internal Server Error", b"{}")
    else:
        respond(sock, b"200 OK", b'{"kind":"NodeList","metadata":{"resourceVersion":"13"},'
                b'"items":[%s]}' % node(b"node-y", 12))
    return True


def route(sock, cid, nreq, req, peer_cn):
    """Serve one request; return False to close the connection."""
    method, path, headers, body = req
    name, _, query = path.partition("?")
    if name in ("/wl-cut/api/v1/nodes", "/wl-cut-fail/api/v1/nodes", "/wl-flaky/api/v1/nodes"):
        return watchlist_cut(sock, name, query)
    arg = int(query.split("=", 1)[1]) if "=" in query else 0
    if name == "/hello":
        respond(sock, b"200 OK", b"hello")
    elif name == "/echo":
        text = "%s %s\nconn=%d req=%d\nbody=%s\n" % (method, path, cid, nreq, body.decode())
        for k in sorted(headers):
            text += "%s: %s\n" % (k, headers[k])
        respond(sock, b"200 OK", text.encode(), b"Content-Type: text/plain\r\n")
    elif name == "/conn":
        respond(sock, b"200 OK", b"conn=%d req=%d" % (cid, nreq))
    elif name == "/chunked":
        # Events cut across chunks, several in one chunk, an extension, a trailer.
        e1, e2, e3 = EVENTS
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n", 0.02)
        send(sock, chunk(e1[:20]), 0.02)
        send(sock, chunk(e1[20:] + e2 + e3[:5], b";note=split"), 0.02)
        send(sock, chunk(e3[5:]) + b"0\r\nX-Trailer: done\r\n\r\n")
    elif name == "/stream":
        # One event per chunk, arg of them, paced: a watch to poll on.
        send(sock, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(arg):
            time.sleep(0.03)
            send(sock, chunk(b'{"n":%d}\n' % i))
        send(sock, b"0\r\n\r\n")
    elif name == "/close":
        send(sock, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil-close body")
        return False
    elif name == "/http10":
        send(sock, b"HTTP/1.0 200 OK\r\n\r\nold-style body")
        return False
    elif name == "/bighead":
        respond(sock, b"200 OK", b"x", b"X-Big: " + b"a" * 10000 + b"\r\n")
    elif name == "/manyfields":
        respond(sock, b"200 OK", b"x", b"".join(b"X-F%d: v\r\n" % i for i in range(100)))
    elif name == "/big":
        respond(sock, b"200 OK", b"x" * arg)
    elif name == "/bigchunked":
        send(sock, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        left = arg
        while left:
            n = min(left, 1000)
            send(sock, chunk(b"y" * n))
            left -= n
        send(sock, b"0\r\n\r\n")
    elif name == "/slowhead":
        time.sleep(arg / 1000.0)
        respond(sock, b"200 OK", b"late")
    elif name == "/stall":
        # silent long after the client's timeout (test_http allows it 30 s)
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", 60)
        return False
    elif name == "/truncated":
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        return False
    elif name == "/chunktrunc":
        send(sock, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(b"partial"))
        return False
    elif name == "/badchunk":
        send(sock, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbad\r\n")
        return False
    elif name == "/longext":
        send(sock, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
             b"1;x=" + b"e" * 5000 + b"\r\nz\r\n0\r\n\r\n")
        return False
    elif name == "/gzip":
        send(sock, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
        return False
    elif name == "/retry":
        respond(sock, b"429 Too Many Requests", b"slow down", b"Retry-After: 7\r\n")
    elif name == "/interim":
        send(sock, b"HTTP/1.1 100 Continue\r\n\r\n", 0.02)
        respond(sock, b"200 OK", b"after interim")
    elif name == "/nocontent":
        send(sock, b"HTTP/1.1 204 No Content\r\n\r\n")
    elif name == "/sni":
        respond(sock, b"200 OK", (getattr(tls_info, "sni", None) or "-").encode())
    elif name == "/whoami":
        respond(sock, b"200 OK", (peer_cn or "-").encode())
    elif name == "/idleclose":
        # Keep-alive by the headers, then closed while idle, as servers do.
        respond(sock, b"200 OK", b"conn=%d req=%d" % (cid, nreq))
        time.sleep(0.05)
        return False
    elif name == "/bye":
        respond(sock, b"200 OK", b"bye", b"Connection: close\r\n")
        return False
    else:
        respond(sock, b"404 Not Found", b"no such path")
    return True


def peer_common_name(sock):
    try:
        c = sock.getpeercert()
    except (AttributeError, ValueError):
        return None
    for rdn in (c or {}).get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return v
    return None


def serve_http(sock, ctx):
    tls_info.sni = None
    try:
        if ctx:
            sock = ctx.wrap_socket(sock, server_side=True)
        with ids_lock:
            cid = next(conn_ids)
        cn = peer_common_name(sock)
        f = sock.makefile("rb")
        nreq = 0
        while True:
            req = read_request(f)
            if req is None:
                break
            nreq += 1
            if not route(sock, cid, nreq, req, cn):
                break
    except (OSError, ValueError, ssl.SSLError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def serve_hangup(sock, _):
    # Read the ClientHello, then reset the connection mid-handshake.
    sock.recv(4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


def serve_reset_after(sock, ctx):
    # Finish the handshake, then reset: the client's next writes must fail.
    try:
        s = ctx.wrap_socket(sock, server_side=True)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    except (OSError, ssl.SSLError):
        sock.close()


def serve_silent(sock, _):
    # silent long after the client's handshake timeout (test_tls allows it 30 s)
    time.sleep(60)
    sock.close()


def listen(name, addr, handler, ctx=None):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    try:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, 0))
        s.listen(64)
    except OSError:
        return  # e.g. no IPv6 loopback: the tests skip what is not listed
    print(name, s.getsockname()[1], flush=True)

    def loop():
        while True:
            c, _ = s.accept()
            threading.Thread(target=handler, args=(c, ctx), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def main():
    main_ctx = tls_context("server.crt", "server.key")
    listen("plain", "127.0.0.1", serve_http)
    listen("plain6", "::1", serve_http)
    listen("tls", "127.0.0.1", serve_http, main_ctx)
    listen("tls2", "127.0.0.2", serve_http, main_ctx)
    listen("tls6", "::1", serve_http, main_ctx)
    listen("rsa", "127.0.0.1", serve_http, tls_context("server-rsa.crt", "server-rsa.key"))
    listen("inter", "127.0.0.1", serve_http,
           tls_context("server-inter-chain.crt", "server-inter.key"))
    listen("iponly", "127.0.0.1", serve_http, tls_context("ip-only.crt", "ip-only.key"))
    listen("iponly2", "127.0.0.2", serve_http, tls_context("ip-only.crt", "ip-only.key"))
    listen("wild", "127.0.0.1", serve_http, tls_context("wildcard.crt", "wildcard.key"))
    listen("other", "127.0.0.1", serve_http, tls_context("other.crt", "other.key"))
    listen("expired", "127.0.0.1", serve_http, tls_context("expired.crt", "expired.key"))
    listen("future", "127.0.0.1", serve_http, tls_context("future.crt", "future.key"))
    listen("mtls", "127.0.0.1", serve_http, tls_context("server.crt", "server.key", "ca.crt"))
    listen("hangup", "127.0.0.1", serve_hangup)
    listen("resetafter", "127.0.0.1", serve_reset_after, main_ctx)
    listen("silent", "127.0.0.1", serve_silent)
    print("ready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
