#!/usr/bin/env python3
"""fakectl: the test suites' client for the fake API server (stdlib only).

  fakectl.py [--server URL] [--cacert F] [--token T] [--cert F --key F] CMD ...

  wait [SECONDS]                   until GET /healthz answers (default 10 s)
  get PATH | delete PATH           print the response body; exit 0 on 2xx, 1 otherwise
  post PATH [JSON] | put PATH JSON | patch PATH JSON [CONTENT-TYPE]
  faults JSON | config JSON | events JSON    POST to /fake/faults, /fake/config, /fake/events
  stats                            GET /fake/stats (without the request log unless --log)
  raw METHOD PATH [options]        one request on a raw connection; prints a JSON summary:
        {"status", "headers", "chunks": [sizes], "end": "clean|eof|timeout|length",
         "events": N, "seconds"} and writes the (de-chunked) body to --out FILE.
        --header K:V, --body TEXT, --max-seconds S (default 10), --max-events N
        (stop after N newline-terminated lines), --until TYPE:N[,TYPE:N...] (stop at
        the first line of the last TYPE named once every count is reached: end
        "events"; a line that is not JSON has the type <garbage>; a check waits for
        what it asserts, with --max-seconds only as the safety deadline),
        --after-events N --exec CMD (run a
        shell command once N lines arrived, e.g. to change a node mid-watch; N=0:
        in the background as soon as the headers are in), --print "P1 P2 ...":
        print just these values on one line instead of the summary: summary paths
        (status, end, headers.retry-after, ...), body.PATH (the body as JSON) or
        lines.PATH (that path of every body line, space-separated)
  pick PATH [FILE]                 print the value at a dotted path of a JSON document
                                   (stdin by default); "len" gives a length; strings
                                   print bare, others as JSON; a key holding dots in
                                   brackets: metadata.annotations.[k8s.io/x]
  picks FILE PATH...               several values of one document on one line
  lines PATH [FILE]                the same for every line of newline-delimited JSON

--server defaults to $FAKEAPI_URL, --cacert to $FAKEAPI_CA, --token to $FAKEAPI_TOKEN.
"""
import json
import os
import sys
import time


def _split(path):
    out, cur, depth = [], "", 0
    for c in path:
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
        elif c == "." and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    return [p for p in out + [cur] if p]


def pick(doc, path):
    for part in _split(path):
        if part == "len":
            doc = len(doc)
        elif isinstance(doc, list):
            doc = doc[int(part)]
        elif isinstance(doc, dict):
            doc = doc.get(part)
        else:
            doc = None
    return doc


def show(v):
    print(v if isinstance(v, str) else json.dumps(v))


class Conn:
    def __init__(self, opts):
        global socket, ssl, subprocess, urllib
        import socket
        import ssl
        import subprocess
        import urllib.parse
        self.url = urllib.parse.urlsplit(opts["server"])
        self.opts = opts

    def connect(self, timeout):
        host = self.url.hostname
        port = self.url.port or (443 if self.url.scheme == "https" else 80)
        sock = socket.create_connection((host, port), timeout=timeout)
        if self.url.scheme == "https":
            ctx = ssl.create_default_context(cafile=self.opts.get("cacert"))
            if self.opts.get("cert"):
                ctx.load_cert_chain(self.opts["cert"], self.opts.get("key"))
            sock = ctx.wrap_socket(sock, server_hostname=host)
        return sock

    def request(self, method, path, body=b"", headers=(), timeout=10):
        sock = self.connect(timeout)
        hdr = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % self.url.netloc, "Connection: close",
               "User-Agent: fakectl/1.0", "Accept: application/json"]
        if self.opts.get("token"):
            hdr.append("Authorization: Bearer %s" % self.opts["token"])
        names = {h.split(":", 1)[0].lower() for h in headers}
        if body and "content-type" not in names:
            hdr.append("Content-Type: application/json")
        hdr = [h for h in hdr if h.split(":", 1)[0].lower() not in names or h.startswith(method)]
        hdr.extend(headers)
        hdr.append("Content-Length: %d" % len(body))
        sock.sendall(("\r\n".join(hdr) + "\r\n\r\n").encode() + body)
        return Reader(sock)


class Reader:
    """Reads one response and remembers the chunk structure (a bytearray
    with a read offset: a 50 MB list must not be copied per recv)."""

    def __init__(self, sock):
        self.sock, self.buf, self.at, self.eof = sock, bytearray(), 0, False

    def _fill(self):
        try:
            d = self.sock.recv(262144)
        except (ssl.SSLError, ConnectionResetError) as e:
            if isinstance(e, ssl.SSLError) and "EOF" not in str(e) and "UNEXPECTED" not in str(e):
                raise
            d = b""
        if not d:
            self.eof = True
        if self.at > 1 << 20:
            del self.buf[:self.at]
            self.at = 0
        self.buf += d
        return bool(d)

    def line(self):
        while True:
            i = self.buf.find(b"\r\n", self.at)
            if i >= 0:
                ln = bytes(self.buf[self.at:i])
                self.at = i + 2
                return ln
            if not self._fill():
                return None

    def exact(self, n):
        while len(self.buf) - self.at < n:
            if not self._fill():
                return None
        d = bytes(self.buf[self.at:self.at + n])
        self.at += n
        return d

    def rest(self):
        return bytes(self.buf[self.at:])

    def head(self):
        status = self.line()
        if status is None:
            return None, {}
        headers = {}
        while True:
            ln = self.line()
            if not ln:
                break
            k, _, v = ln.decode().partition(":")
            headers[k.strip().lower()] = v.strip()
        return int(status.split()[1]), headers


class UntilSpec:
    """--until TYPE:N,...: counts the type of every complete line."""

    def __init__(self, spec):
        self.want = []
        for part in spec.split(","):
            t, _, n = part.rpartition(":")
            if not t or not n.isdigit():
                sys.exit("raw: --until wants TYPE:N[,TYPE:N...], not %r" % spec)
            self.want.append((t, int(n)))
        self.seen, self.tail = {}, b""

    def feed(self, data):
        """True once a complete line of the last type named meets every count."""
        lines = (self.tail + data).split(b"\n")
        self.tail = lines.pop()
        for ln in lines:
            try:
                t = json.loads(ln).get("type")
            except (ValueError, AttributeError):
                t = "<garbage>"
            self.seen[t] = self.seen.get(t, 0) + 1
            if t == self.want[-1][0] and all(self.seen.get(w, 0) >= n for w, n in self.want):
                return True
        return False


def raw(conn, method, path, args):
    opts = {"headers": [], "body": b"", "max_seconds": 10.0, "max_events": 0, "out": None,
            "after_events": 0, "exec": None, "print": None, "until": None}
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--header":
            opts["headers"].append(args[i + 1])
        elif a == "--body":
            opts["body"] = args[i + 1].encode()
        elif a == "--max-seconds":
            opts["max_seconds"] = float(args[i + 1])
        elif a == "--max-events":
            opts["max_events"] = int(args[i + 1])
        elif a == "--until":
            opts["until"] = UntilSpec(args[i + 1])
        elif a == "--after-events":
            opts["after_events"] = int(args[i + 1])
        elif a == "--exec":
            opts["exec"] = args[i + 1]
        elif a == "--out":
            opts["out"] = args[i + 1]
        elif a == "--print":
            opts["print"] = args[i + 1]
        else:
            sys.exit("raw: unknown option %s" % a)
        i += 2
    t0 = time.time()
    r = conn.request(method, path, opts["body"], opts["headers"], timeout=opts["max_seconds"])
    code, headers = r.head()
    chunks, parts, end = [], [], "eof"
    nl = 0
    deadline = t0 + opts["max_seconds"]
    ran = False
    if opts["exec"] and opts["after_events"] == 0 and code is not None:
        ran = True
        subprocess.Popen(opts["exec"], shell=True)
    try:
        if code is None:
            end = "eof"
        elif "chunked" in headers.get("transfer-encoding", ""):
            while True:
                r.sock.settimeout(max(0.05, deadline - time.time()))
                ln = r.line()
                if ln is None:
                    break
                size = int(ln.split(b";")[0] or b"0", 16)
                if size == 0:
                    r.line()
                    end = "clean"
                    break
                d = r.exact(size)
                if d is None or r.exact(2) != b"\r\n":
                    parts.append(d if d is not None else r.rest())
                    break
                chunks.append(size)
                parts.append(d)
                nl += d.count(b"\n")
                if opts["until"] and opts["until"].feed(d):
                    end = "events"
                    break
                if opts["exec"] and not ran and nl >= opts["after_events"]:
                    ran = True
                    subprocess.run(opts["exec"], shell=True, check=False)
                if opts["max_events"] and nl >= opts["max_events"]:
                    end = "events"
                    break
        else:
            n = int(headers.get("content-length", "0"))
            d = r.exact(n)
            parts.append(d if d is not None else r.rest())
            end = "length" if d is not None else "eof"
    except socket.timeout:
        end = "timeout"
    body = b"".join(parts)
    secs = round(time.time() - t0, 3)
    r.sock.close()
    if opts["out"]:
        with open(opts["out"], "wb") as f:
            f.write(body)
    summary = {"status": code, "headers": headers, "chunks": chunks, "end": end,
               "events": body.count(b"\n"), "bytes": len(body), "seconds": secs}
    if not opts["print"]:
        print(json.dumps(summary))
        return 0
    vals = []
    for p in opts["print"].split():
        if p.startswith("body."):
            try:
                doc = json.loads(body)
            except ValueError:
                doc = None
            vals.append(pick(doc, p[5:]))
        elif p.startswith("lines."):
            for ln in body.split(b"\n"):
                if ln.strip():
                    try:
                        vals.append(pick(json.loads(ln), p[6:]))
                    except ValueError:
                        vals.append("<garbage>")
        else:
            vals.append(pick(summary, p))
    print(" ".join(v if isinstance(v, str) else json.dumps(v) for v in vals))
    return 0


def simple(conn, method, path, body=b"", ctype=None):
    hdrs = ["Content-Type: %s" % ctype] if ctype else []
    r = conn.request(method, path, body, hdrs)
    code, headers = r.head()
    if "chunked" in headers.get("transfer-encoding", ""):
        out = b""
        while True:
            size = int(r.line() or b"0", 16)
            if size == 0:
                break
            out += r.exact(size)
            r.exact(2)
    else:
        out = r.exact(int(headers.get("content-length", "0"))) or b""
    sys.stdout.write(out.decode(errors="replace"))
    if out and not out.endswith(b"\n"):
        sys.stdout.write("\n")
    return 0 if code and 200 <= code < 300 else 1


def main(argv):
    opts = {"server": os.environ.get("FAKEAPI_URL"), "cacert": os.environ.get("FAKEAPI_CA"),
            "token": os.environ.get("FAKEAPI_TOKEN")}
    log = False
    while argv and argv[0].startswith("-"):
        if argv[0] in ("-h", "--help"):
            print(__doc__)
            return 0
        if argv[0] == "--log":
            log = True
            argv = argv[1:]
            continue
        if len(argv) < 2 or not argv[0].startswith("--"):
            sys.exit("fakectl: %s needs a value (--help for usage)" % argv[0])
        opts[argv[0][2:]] = argv[1]
        argv = argv[2:]
    if not argv:
        sys.exit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "pick":
        doc = json.load(open(args[1]) if len(args) > 1 else sys.stdin)
        show(pick(doc, args[0]))
        return 0
    if cmd == "picks":
        doc = json.load(open(args[0]))
        print(" ".join(v if isinstance(v, str) else json.dumps(v) for v in (pick(doc, p) for p in args[1:])))
        return 0
    if cmd == "lines":
        for ln in (open(args[1]) if len(args) > 1 else sys.stdin):
            if ln.strip():
                show(pick(json.loads(ln), args[0]))
        return 0
    conn = Conn(opts)
    if cmd == "wait":
        end = time.time() + float(args[0] if args else 10)
        while time.time() < end:
            try:
                r = conn.request("GET", "/healthz", timeout=2)
                if r.head()[0] == 200:
                    return 0
            except OSError:
                pass
            time.sleep(0.05)
        return 1
    if cmd == "raw":
        return raw(conn, args[0], args[1], args[2:])
    if cmd in ("faults", "config", "events"):
        return simple(conn, "POST", "/fake/" + cmd, args[0].encode())
    if cmd == "stats":
        return simple(conn, "GET", "/fake/stats" + ("" if log else "?log=0"))
    if cmd in ("get", "delete"):
        return simple(conn, cmd.upper(), args[0])
    if cmd in ("post", "put", "patch"):
        return simple(conn, cmd.upper(), args[0], (args[1] if len(args) > 1 else "").encode(),
                      args[2] if len(args) > 2 else None)
    sys.exit("fakectl: unknown command %s" % cmd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
