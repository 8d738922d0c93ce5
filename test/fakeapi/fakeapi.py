#!/usr/bin/env python3
"""fakeapi: a fake kube-apiserver for tests (core/v1 Nodes only).

It speaks the real REST and watch protocol over HTTPS (or plain HTTP):
discovery, GET/LIST (limit/continue, resourceVersion semantics), WATCH
(chunked newline-delimited events, bookmarks, timeouts, 410 in both forms),
POST/PUT/PATCH (merge, strategic, JSON patch, apply)/DELETE, the
/status subresource, server-side Tables for kubectl get, bearer tokens
re-read on every request and client certificates. Faults, statistics and
an event generator are driven through /fake/* (see control.py).

Usage: fakeapi.py [options]   (--help lists them; docs: test/fakeapi/README.md)
"""
import argparse
import json
import os
import random
import signal
import socket
import ssl
import sys
import threading
import time
import http.server

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import faults  # noqa: E402
import handler  # noqa: E402
import nodegen  # noqa: E402
import store as storelib  # noqa: E402
import yamlmini  # noqa: E402


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, args):
        self.address_family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        super().__init__(addr, handler.Handler)
        self.verbose = args.verbose
        self.kube_version = args.kube_version
        self.token_file = args.token_file
        self.client_ca = args.client_ca
        self.anonymous = args.anonymous
        self.state_file = args.state
        self.ssl_ctx = None
        if not args.plain:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(args.cert, args.key)
            ctx.set_alpn_protocols(["http/1.1"])
            if args.client_ca:
                ctx.load_verify_locations(args.client_ca)
                ctx.verify_mode = ssl.CERT_OPTIONAL
            self.ssl_ctx = ctx
        host, port = self.server_address[:2]
        self.addr = ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)
        self.watches = set()
        self.watch_lock = threading.Lock()
        self._tokens = (None, {})

    def log(self, msg):
        sys.stderr.write("fakeapi: %s\n" % msg)
        sys.stderr.flush()

    def handle_error(self, request, client_address):
        if self.verbose:
            self.log("error serving %s: %s" % (client_address, sys.exc_info()[1]))

    def read_tokens(self):
        """token -> user, from the token file as it is now (re-read when it changes).
        Lines are a bare token, or CSV like kube-apiserver's --token-auth-file."""
        try:
            st = os.stat(self.token_file)
            key = (st.st_mtime_ns, st.st_size, st.st_ino)
            if self._tokens[0] == key:
                return self._tokens[1]
            with open(self.token_file) as f:
                text = f.read()
        except OSError:
            return {}
        users = {}
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = [x.strip().strip('"') for x in line.split(",")]
            users[fields[0]] = fields[1] if len(fields) > 1 and fields[1] else "token-user"
        self._tokens = (key, users)
        return users


class Events:
    """MODIFIED events touching random nodes' status heartbeat (kubelet-like)."""

    def __init__(self, srv, seed):
        self.srv = srv
        self.rng = random.Random(seed)
        self.cond = threading.Condition()
        threading.Thread(target=self.run, daemon=True).start()

    def wake(self):
        with self.cond:
            self.cond.notify_all()

    def one(self, name=None):
        st = self.srv.store
        if name is None:
            # only nodes with a kubelet (conditions to refresh) send heartbeats
            def beats(n):
                return bool((st.objs[n].obj.get("status") or {}).get("conditions"))
            with st.cond:
                if not st.objs:
                    return False
                keys = list(st.objs)
                name = next((n for n in (self.rng.choice(keys) for _ in range(8)) if beats(n)), None)
                if name is None:
                    names = [n for n in keys if beats(n)]
                    if not names:
                        return False
                    name = self.rng.choice(names)
        e = st.get(name)
        if e is None:
            return False
        try:
            _, changed = st.update(name, nodegen.heartbeat(storelib.clone(e.obj)), "kubelet", "status")
        except storelib.ApiError:
            return False
        if changed:
            self.srv.stats.bump("generated_events")
        return changed

    def burst(self, n, names=None):
        done = 0
        for i in range(n):
            done += self.one(names[i % len(names)] if names else None)
        return done

    def run(self):
        due = time.time()
        while True:
            rate = self.srv.cfg.events_rate
            if rate <= 0:
                with self.cond:
                    self.cond.wait(1.0)
                due = time.time()
                continue
            due += 1.0 / rate
            delay = due - time.time()
            if delay > 0:
                with self.cond:
                    self.cond.wait(delay)
            elif delay < -1.0:
                due = time.time()  # fell behind by a second: don't burst to catch up
            self.one()


def load_nodes(path):
    with open(path) as f:
        text = f.read()
    try:
        docs = [json.loads(text)]
    except ValueError:
        docs = yamlmini.load_all(text)
    out = []
    for d in docs:
        if isinstance(d, list):
            out.extend(d)
        elif isinstance(d, dict) and d.get("kind", "").endswith("List"):
            out.extend(d.get("items") or [])
        elif isinstance(d, dict):
            out.append(d)
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description="fake kube-apiserver (core/v1 Nodes) for tests")
    a = p.add_argument
    a("--listen", default="127.0.0.1", help="address: 127.0.0.1 (default) or ::1")
    a("--port", type=int, default=0, help="port (default 0: any free one)")
    a("--port-file", help="write the chosen port here once listening")
    a("--plain", action="store_true", help="plain HTTP instead of HTTPS")
    a("--cert", help="server certificate (PEM)")
    a("--key", help="server key (PEM)")
    a("--client-ca", help="accept client certificates signed by this CA (user = CN)")
    a("--token-file", help="bearer tokens, one a line (or token,user,uid CSV); re-read on change")
    a("--anonymous", action="store_true", help="requests without credentials are anonymous (403), not 401")
    a("--kube-version", default="1.30.4", help="version /version reports (picks kubectl's client)")
    a("--nodes", type=int, default=0, help="preload N generated ~10 KB nodes")
    a("--node-prefix", default="node-", help="name prefix of generated nodes")
    a("--load", action="append", default=[], help="preload nodes from a JSON or YAML file (Node, List, array)")
    a("--state", help="keep state in this file: loaded at start, saved each second when changed and at exit")
    a("--seed", type=int, default=1, help="seed of the node and event generators")
    a("--history", type=int, default=10000, help="watch history window, events")
    a("--history-seconds", type=float, default=300, help="watch history window, seconds")
    a("--continue-ttl", type=float, default=300, help="seconds a continue token stays valid")
    a("--bookmark-interval", type=float, default=10, help="seconds between bookmarks")
    a("--watch-timeout", type=float, default=1800, help="server-side watch timeout (seconds)")
    a("--too-old", choices=("event", "http"), default="event",
      help="too-old resourceVersion on watch: 200 + ERROR event (default) or HTTP 410")
    a("--watch-list", choices=("on", "off", "ignore"), default="on",
      help="sendInitialEvents: served (default), refused with 422 as with the WatchList feature gate off, "
           "or ignored as by a server before 1.27")
    a("--chunking", default="event", help="event | split:N | random (default: one chunk per event)")
    a("--events-rate", type=float, default=0, help="MODIFIED heartbeat events per second")
    a("--no-gzip", action="store_true", help="never gzip large responses")
    a("--keep-parent", action="store_true", help="keep running when the parent process exits")
    a("--verbose", "-v", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)
    if not args.plain and not (args.cert and args.key):
        p.error("--cert and --key are required unless --plain")
    return args


def main(argv):
    args = parse_args(argv)
    cfg = faults.Config(bookmark_interval=args.bookmark_interval, too_old=args.too_old, chunking=args.chunking,
                        watch_timeout=args.watch_timeout, gzip=not args.no_gzip, continue_ttl=args.continue_ttl,
                        history_max=args.history, history_seconds=args.history_seconds,
                        events_rate=args.events_rate, watch_list=args.watch_list)
    st = storelib.Store(args.history, args.history_seconds, args.continue_ttl)
    if args.state and os.path.exists(args.state):
        st.load_state(args.state)
    else:
        st.preload(nodegen.generate(args.nodes, args.seed, args.node_prefix) if args.nodes else [], owned=True)
        for path in args.load:
            st.preload(load_nodes(path))
    srv = Server((args.listen, args.port), args)
    srv.store, srv.cfg, srv.faults, srv.stats = st, cfg, faults.Faults(), faults.Stats()
    srv.events = Events(srv, args.seed)
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    srv.log("listening on %s://%s (%d nodes, resourceVersion %d)"
            % ("http" if args.plain else "https", srv.addr, len(st.objs), st.rv))

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    parent = os.getppid()
    while not stop.wait(1.0):
        if not args.keep_parent and os.getppid() != parent:
            break  # the test that started us is gone: don't linger
        if args.state and st.dirty:
            st.save(args.state)
    if args.state:
        st.save(args.state)
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
