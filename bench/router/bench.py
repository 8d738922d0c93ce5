#!/usr/bin/env python3
"""bench/router: figures for the router applet (not a test). Runs as root
inside a network namespace that run.sh made; never touches another one.

  node event -> route in the kernel: p50/p99 over 200 events at 10 and
  5,000 nodes (BENCH_NODES: the counts beside 10), timed from just before the change to the RTM_NEWROUTE the
  kernel multicasts (a netlink socket subscribed to the route groups);
  time to the first full sync, peak RSS and CPU at 5,000 nodes, and of
  the first sync the fake server's own share (a client reading the same
  WatchList, server_ms) apart from the router's; CPU share
  at 17 MODIFIED events/s for a minute (API source, fake API server),
  after 20 nodes deleted and created again (BENCH_CHURN), each timed to
  its route gone and back;
  side by side with the seed's approach emulated: every 5 s read all nodes
  and rewrite every route (`ip -batch` of `route replace` lines).

The figures also go in $BENCH_DATA as router.tsv (file source and the seed,
per node count) and router-api.tsv (the API source), each headed by
$BENCH_DATA_HEADER (bench/data.sh) when run.sh set it.

The API run takes BENCH_MODE (the tunnel mode: none, the default, or
vxlan, where a status PATCH is timed to the peer's neighbour entry, its
route not changing) and BENCH_LEAN=1 (nodes of only what the router reads).
"""
import errno
import json
import os
import random
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "fakeapi"))
XC = os.environ["XC"]
D = os.environ["BENCH_DIR"]
HZ = os.sysconf("SC_CLK_TCK")
SECONDS_17 = int(os.environ.get("BENCH_SECONDS", "60"))
# sizes: the defaults are the figures' own; make bench-smoke makes them small
NODES = sorted(set([10] + [int(n) for n in os.environ.get("BENCH_NODES", "5000").split()]))
EVENTS = int(os.environ.get("BENCH_EVENTS", "200"))
SEED_EVENTS = int(os.environ.get("BENCH_SEED_EVENTS", str(max(10, SECONDS_17 // 6))))
CHURN = int(os.environ.get("BENCH_CHURN", "20"))  # API run: nodes deleted and created again
IDLE_SECONDS = min(5, SECONDS_17)
# the API run: the router's tunnel mode (none, vxlan), and BENCH_LEAN=1 for
# nodes of only what the router reads (~300 B) instead of ~10 KB ones, so
# that the router's own share shows apart from parsing JSON it skips
MODE = os.environ.get("BENCH_MODE", "none")
LEAN = os.environ.get("BENCH_LEAN", "") == "1"


def sh(*cmd):
    subprocess.run(cmd, check=True)


def v4(i, base=(198 << 24 | 18 << 16)):
    a = base + i
    return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def cidr4(i):  # /29s from 198.19.0.0/16: 8,192 of them
    return v4(i * 8, 198 << 24 | 19 << 16) + "/29"


def node(i, addr):
    return {"metadata": {"name": "node-%05d" % i},
            "spec": {"podCIDRs": [cidr4(i), "fd00:1:0:%x::/64" % i]},
            "status": {"addresses": [{"type": "InternalIP", "address": addr},
                                     {"type": "InternalIP", "address": "fd00:100::%x" % (i + 1)}]}}


def write_nodes(path, addrs):
    """Write the NodeList beside path; returns the rename that publishes it."""
    with open(path + ".tmp", "w") as f:
        f.write(json.dumps({"kind": "List", "items": [node(i, a) for i, a in enumerate(addrs)]}))
    return lambda: os.rename(path + ".tmp", path)


class Monitor:
    """Route notifications: (protocol, dst, gateway) of each RTM_NEWROUTE."""

    def __init__(self, neigh=False):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        try:  # as root, past net.core.rmem_max: a pass of the seed's loop is 10,000 routes
            self.s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
        except OSError:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        # RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE, and RTMGRP_NEIGH for VXLAN's entries
        self.s.bind((0, 0x40 | 0x400 | (0x4 if neigh else 0)))

    def drain(self):
        """Read and drop whatever is queued (the events of earlier changes)."""
        while self.events(0) is not None:
            pass

    def events(self, timeout):
        """The events of one datagram ([] when none of them is one we read:
        an FDB entry's, say), or None when none came within timeout: a
        drain goes on to None, not to the first []."""
        self.s.settimeout(timeout)
        try:
            data = self.s.recv(1 << 20)
        except (socket.timeout, BlockingIOError):
            return None
        except OSError as e:  # ENOBUFS: notifications were lost; the socket goes on
            if e.errno != errno.ENOBUFS:
                raise
            return [(None, None, None)]
        out, off = [], 0
        while off + 16 <= len(data):
            ln, typ = struct.unpack_from("IH", data, off)
            if typ in (24, 25) and ln >= 28:  # RTM_NEWROUTE, RTM_DELROUTE ("del", dst, proto)
                fam, dlen, _, _, _, proto = struct.unpack_from("BBBBBB", data, off + 16)
                a = dict(rtattrs(data, off + 28, off + ln))
                dst = socket.inet_ntop(fam, a[1]) if 1 in a else None
                gw = socket.inet_ntop(fam, a[5]) if 5 in a else None
                out.append((proto, dst, gw) if typ == 24 else ("del", dst, proto))
            elif typ == 28 and ln >= 28 and data[off + 16] in (socket.AF_INET, socket.AF_INET6):
                # RTM_NEWNEIGH: ("neigh", address, lladdr); not the FDB's (AF_BRIDGE)
                fam = data[off + 16]
                a = dict(rtattrs(data, off + 28, off + ln))
                dst = socket.inet_ntop(fam, a[1]) if len(a.get(1, b"")) in (4, 16) else None
                mac = ":".join("%02x" % b for b in a[2]) if 2 in a else None
                out.append(("neigh", dst, mac))
            off += (ln + 3) & ~3
        return out


def rtattrs(data, a, end):
    """The (type, value) attributes of a netlink message from offset a to end."""
    while a + 4 <= end:
        alen, atype = struct.unpack_from("HH", data, a)
        if alen < 4:
            break
        yield atype, data[a + 4:a + alen]
        a += (alen + 3) & ~3


def spawn(cmd, **kw):
    kw.setdefault("stdout", subprocess.DEVNULL)
    p = subprocess.Popen(cmd, **kw)
    CHILDREN.append(p)
    return p


def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / HZ


def cpu_user(pid):
    """User CPU seconds alone: the router's own work, without the kernel's
    (inserting routes is system time spent in its netlink requests)."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[11]) / HZ


def cpu_tree(pid):
    """CPU seconds of a process and of the children it has waited for."""
    with open("/proc/%d/stat" % pid) as f:
        st = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in st[11:15]) / HZ


def rss_peak(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p / 100.0))]


def kernel_routes(proto):
    """Routes of proto in the kernel, both families (a dump)."""
    return sum(subprocess.run(["ip", fam, "route", "show", "proto", str(proto)], capture_output=True,
                              text=True).stdout.count("\n") for fam in ("-4", "-6"))


def wait_routes(mon, want, proto=202, limit=60):
    """Until want routes of proto are in: counted from the notifications, or,
    once some were lost (past 8 MB of them: 130,000 routes), from dumps."""
    seen, lost, end = 0, False, time.monotonic() + limit
    while seen < want and time.monotonic() < end:
        ev = mon.events(0.5) or []
        lost = lost or any(e[0] is None for e in ev)
        seen += sum(1 for e in ev if e[0] == proto)
        if lost:
            seen = kernel_routes(proto)
    mon.drain()  # what the dumps left behind
    return seen >= want


def wait_event(mon, match, t0, limit=10.0):
    """ms from t0 until an event that match(e) is true for, or limit in ms."""
    end = t0 + limit
    while time.monotonic() < end:
        for e in mon.events(max(0.0, end - time.monotonic())) or []:
            if match(e):
                return (time.monotonic() - t0) * 1000
    return limit * 1000


def latency(mon, path, addrs, n_events, proto=202, deadline=10.0, phase=0.0):
    """Times of n_events node changes to their route. With phase, each change
    waits a random 0..phase s first: a poll loop of that period sees the
    previous change at one of its passes, and a change made right after a
    pass would always wait the whole period (its worst case, not its typical)."""
    rng = random.Random(7)
    when = random.Random(11)
    out = []
    for k in range(n_events):
        i = rng.randrange(1, len(addrs))
        addrs[i] = v4(40000 + k)  # a fresh address: the route must change
        want = cidr4(i).split("/")[0]
        publish = write_nodes(path, addrs)
        if phase:  # wait, reading the notifications of the loop's passes meanwhile
            end = time.monotonic() + when.uniform(0, phase)
            while time.monotonic() < end:
                mon.events(max(0.0, end - time.monotonic()))
        mon.drain()
        t0 = time.monotonic()
        publish()
        out.append(wait_event(mon, lambda e: e[0] == proto and e[1] == want and e[2] == addrs[i],
                              t0, deadline))
    return out


def start_router(args, log):
    return spawn([XC, "router", "--node-name", "node-00000", "--tunnel-mode", "none",
                             "--metrics-port", "0", "--cache-dir", D + "/cache"] + args,
                            stdout=subprocess.DEVNULL, stderr=open(log, "w"))


def flush():
    for fam in ("-4", "-6"):
        subprocess.run(["ip", fam, "route", "flush", "proto", "202"], stderr=subprocess.DEVNULL)


def bench_file(n):
    path = D + "/nodes.json"
    addrs = [v4(i + 1) for i in range(n)]
    write_nodes(path, addrs)()
    flush()
    mon = Monitor()
    t0 = time.monotonic()
    p = start_router(["--nodes-file", path], D + "/router-%d.log" % n)
    ok = wait_routes(mon, 2 * (n - 1))
    first = (time.monotonic() - t0) * 1000
    time.sleep(0.5)
    c0 = cpu(p.pid)
    lat = latency(mon, path, addrs, EVENTS)
    c1 = cpu(p.pid)
    time.sleep(0.2)
    ci, ti = cpu(p.pid), time.monotonic()
    time.sleep(IDLE_SECONDS)
    idle = (cpu(p.pid) - ci) / (time.monotonic() - ti) * 100
    r = {"nodes": n, "first_sync_ms": first if ok else None, "p50": pct(lat, 50), "p99": pct(lat, 99),
         "max": max(lat), "cpu_per_event_ms": (c1 - c0) / len(lat) * 1000, "idle_cpu_pct": idle,
         "rss_mb": rss_peak(p.pid)}
    p.terminate()
    p.wait()
    return r


def bench_seed(n, events):
    """The seed's loop: every 5 s, read all nodes and `ip route replace` every route."""
    path = D + "/nodes.json"
    addrs = [v4(i + 1) for i in range(n)]
    write_nodes(path, addrs)()
    flush()
    mon = Monitor()
    t_start = time.monotonic()
    code = r'''
import json, subprocess, sys, time
path, proto = sys.argv[1], sys.argv[2]
while True:
    t = time.monotonic()
    items = json.load(open(path))["items"]
    lines = []
    for it in items[1:]:
        a = [x["address"] for x in it["status"]["addresses"]]
        c = it["spec"]["podCIDRs"]
        lines.append("route replace %s via %s proto %s" % (c[0], a[0], proto))
        lines.append("route replace %s via %s proto %s" % (c[1], a[1], proto))
    subprocess.run(["ip", "-force", "-batch", "-"], input="\n".join(lines) + "\n", text=True)
    time.sleep(max(0, 5 - (time.monotonic() - t)))
'''
    # its own session: the `ip` it may be feeding ends with it (a line cut
    # short would be an error, a late one a route after the flush)
    p = spawn([sys.executable, "-c", code, path, "203"], start_new_session=True)
    ok = wait_routes(mon, 2 * (n - 1), proto=203)
    t0 = time.monotonic()
    first = (t0 - t_start) * 1000
    c0 = cpu_tree(p.pid)
    lat = latency(mon, path, addrs, events, proto=203, deadline=12.0, phase=5.0)
    used = time.monotonic() - t0
    # CPU of the loop and of the `ip` runs it waited for, over the timed events
    busy = cpu_tree(p.pid) - c0
    os.killpg(p.pid, 15)
    p.wait()
    subprocess.run(["ip", "-4", "route", "flush", "proto", "203"], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "-6", "route", "flush", "proto", "203"], stderr=subprocess.DEVNULL)
    return {"nodes": n, "first_sync_ms": first if ok else None, "p50": pct(lat, 50), "p99": pct(lat, 99), "max": max(lat),
            "cpu_pct": busy / used * 100 if used else 0, "events": len(lat)}


def vxlan_mac(ip4):
    return "0a:58:" + ":".join("%02x" % int(x) for x in ip4.split("."))


def api_conn(port, certs, timeout=10):
    """A connection to the fake API server, its certificate checked."""
    import http.client
    import ssl
    ctx = ssl.create_default_context(cafile=certs + "/ca.crt")
    return http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=timeout)


def server_share(port, certs):
    """The fake server's own share of a first sync: a Python client makes
    the router's first request (a WatchList) and reads the stream to its
    initial-events-end bookmark, parsing nothing; ms. What the router takes
    beyond it is its own (TLS, JSON, the node table, routes)."""
    conn = api_conn(port, certs, 120)
    t0 = time.monotonic()
    conn.request("GET", "/api/v1/nodes?watch=1&allowWatchBookmarks=true&sendInitialEvents=true"
                 "&resourceVersionMatch=NotOlderThan", headers={"Authorization": "Bearer tok-1"})
    resp = conn.getresponse()
    for line in resp:
        if b"k8s.io/initial-events-end" in line:
            break
    ms = (time.monotonic() - t0) * 1000
    conn.close()
    return ms


def api_latency(mon, port, certs, n, count):
    """PATCH a node's InternalIP (status), time until its route has the new next
    hop (VXLAN: until its CIDR's neighbour entry has the new endpoint's MAC,
    the route itself staying as it is)."""
    import nodegen
    conn = api_conn(port, certs)
    rng = random.Random(9)
    out = []
    for k in range(count):
        i = rng.randrange(1, n)
        new = v4(65300 + k, 198 << 24 | 19 << 16)  # past every node's (65,000 at most)
        body = json.dumps({"status": {"addresses": [
            {"type": "InternalIP", "address": new},
            {"type": "InternalIP", "address": nodegen.node_ips(i)[1]}]}})
        want = nodegen.pod_cidrs(i, n)[0].split("/")[0]
        mon.drain()
        t0 = time.monotonic()
        conn.request("PATCH", "/api/v1/nodes/node-%05d/status" % (i + 1), body,
                     {"Authorization": "Bearer tok-1", "Content-Type": "application/merge-patch+json"})
        conn.getresponse().read()
        out.append(wait_event(mon, lambda e: (e[0] == 202 and e[1] == want and e[2] == new) or (
            MODE == "vxlan" and e[0] == "neigh" and e[1] == want and e[2] == vxlan_mac(new)), t0))
    conn.close()
    return out


def api_churn(mon, port, certs, n, count):
    """Delete a node (as a scale-down or a replaced VM does), time until its
    IPv4 route goes; create it again, time until the route is back. Two
    lists of ms: removals and additions."""
    import nodegen
    conn = api_conn(port, certs)
    auth = {"Authorization": "Bearer tok-1"}
    rng = random.Random(11)
    gone, back = [], []

    def call(method, path, body=None):
        conn.request(method, path, body, dict(auth, **({"Content-Type": "application/json"} if body else {})))
        resp = conn.getresponse()
        data = resp.read()
        if resp.status >= 300:
            raise RuntimeError("%s %s: %d %s" % (method, path, resp.status, data[:200]))
        return data

    for _ in range(count):
        i = rng.randrange(1, n)
        name = "node-%05d" % (i + 1)
        want = nodegen.pod_cidrs(i, n)[0].split("/")[0]
        obj = json.loads(call("GET", "/api/v1/nodes/" + name))
        for k in ("uid", "resourceVersion", "creationTimestamp", "managedFields"):
            obj["metadata"].pop(k, None)
        mon.drain()
        t0 = time.monotonic()
        call("DELETE", "/api/v1/nodes/" + name)
        gone.append(wait_event(mon, lambda e: e[0] == "del" and e[1] == want and e[2] == 202, t0))
        t0 = time.monotonic()
        call("POST", "/api/v1/nodes", json.dumps(obj))
        back.append(wait_event(mon, lambda e: e[0] == 202 and e[1] == want, t0))
    conn.close()
    return gone, back


def bench_api(n, rate, seconds):
    import subprocess as sp
    # the generated nodes' addresses (test/fakeapi/nodegen.py) on eth0, and not
    # the file runs' 198.18/16: the generated pod CIDRs lie there
    sp.run(["ip", "addr", "del", "198.18.0.1/16", "dev", "eth0"], stderr=sp.DEVNULL)
    sp.run(["ip", "addr", "replace", "198.19.0.1/16", "dev", "eth0"], check=True)
    sp.run(["ip", "addr", "replace", "fd00:19::1/64", "dev", "eth0", "nodad"], check=True)
    certs = D + "/certs"
    sp.run(["sh", os.path.join(ROOT, "test/lib/mkcerts.sh"), certs], stdout=sp.DEVNULL, check=True)
    with open(D + "/token", "w") as f:
        f.write("tok-1\n")
    port_file = D + "/port"
    if LEAN:
        import nodegen
        with open(D + "/lean.json", "w") as f:
            json.dump({"kind": "List", "items": [lean_node(nodegen, i, n) for i in range(n)]}, f)
        load = ["--load", D + "/lean.json"]
    else:
        load = ["--nodes", str(n)]
    api = spawn([sys.executable, os.path.join(ROOT, "test/fakeapi/fakeapi.py")] + load + [
                    "--port-file", port_file, "--cert", certs + "/server.crt", "--key",
                    certs + "/server.key", "--token-file", D + "/token"], stderr=open(D + "/api.log", "w"))
    while not os.path.exists(port_file):
        time.sleep(0.1)
    port = open(port_file).read().strip()
    kc = D + "/kubeconfig"
    with open(kc, "w") as f:
        f.write("apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster:\n    server: https://127.0.0.1:%s\n"
                "    certificate-authority: %s/ca.crt\nusers:\n- name: u\n  user:\n    token: tok-1\n"
                "contexts:\n- name: c\n  context: {cluster: f, user: u}\ncurrent-context: c\n" % (port, certs))
    server_ms = min(server_share(port, certs) for _ in range(2))
    flush()
    mon = Monitor(neigh=MODE == "vxlan")
    t0 = time.monotonic()
    p = spawn([XC, "router", "--kubeconfig", kc, "--node-name", "node-00001", "--tunnel-mode",
                          MODE, "--metrics-port", "0", "--cache-dir", D + "/cache"],
                         stdout=subprocess.DEVNULL, stderr=open(D + "/router-api.log", "w"))
    ok = wait_routes(mon, 2 * (n - 1), limit=120 + n // 100)
    first = (time.monotonic() - t0) * 1000
    first_cpu, first_user = cpu(p.pid), cpu_user(p.pid)
    time.sleep(1)
    ctl = [sys.executable, os.path.join(ROOT, "test/fakeapi/fakectl.py"), "--server",
           "https://127.0.0.1:" + port, "--cacert", certs + "/ca.crt", "--token", "tok-1"]
    lat = api_latency(mon, port, certs, n, EVENTS)
    gone, back = api_churn(mon, port, certs, n, CHURN)
    sp.run(ctl + ["events", json.dumps({"rate": rate})], stdout=sp.DEVNULL, check=True)
    c0, t1 = cpu(p.pid), time.monotonic()
    time.sleep(seconds)
    busy = (cpu(p.pid) - c0) / (time.monotonic() - t1) * 100
    sp.run(ctl + ["events", json.dumps({"rate": 0})], stdout=sp.DEVNULL, check=True)
    stats = json.loads(sp.run(ctl + ["get", "/fake/stats?log=0"], capture_output=True, text=True).stdout)
    r = {"nodes": n, "mode": MODE, "lean": LEAN, "first_sync_ms": first if ok else None, "server_ms": server_ms,
         "first_sync_cpu_s": first_cpu,
         "first_sync_user_s": first_user,
         "rate": rate, "seconds": seconds, "cpu_pct": busy, "rss_mb": rss_peak(p.pid),
         "generated": stats.get("counters", {}).get("generated_events"),
         "p50": pct(lat, 50), "p99": pct(lat, 99), "events": len(lat),
         "del_p50": pct(gone, 50) if gone else None, "del_p99": pct(gone, 99) if gone else None,
         "add_p50": pct(back, 50) if back else None, "add_p99": pct(back, 99) if back else None,
         "churn": len(gone)}
    p.terminate()
    p.wait()
    api.terminate()
    api.wait()
    return r


def lean_node(nodegen, i, n):
    """Node i of n as nodegen makes it, with only what the router reads."""
    ip4, ip6 = nodegen.node_ips(i)
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": {"name": "node-%05d" % (i + 1), "creationTimestamp": "2024-08-14T00:00:00Z"},
            "spec": {"podCIDRs": list(nodegen.pod_cidrs(i, n))},
            "status": {"addresses": [{"type": "InternalIP", "address": ip4},
                                     {"type": "InternalIP", "address": ip6}],
                       # what a heartbeat (the MODIFIED events of the CPU run) touches
                       "conditions": [{"type": "Ready", "status": "True",
                                       "lastHeartbeatTime": "2024-08-14T00:00:00Z"}]}}


def write_data(res):
    """router.tsv and router-api.tsv in $BENCH_DATA: the paths written."""
    out = os.environ.get("BENCH_DATA")
    if not out:
        return []
    head = os.environ.get("BENCH_DATA_HEADER", "").rstrip("\n")

    def val(r, k, fmt):
        v = r.get(k) if r else None
        return "-" if v is None else fmt % v

    def write(name, what, cols, rows):
        path = os.path.join(out, name)
        with open(path, "w") as f:
            f.write((head + "\n" if head else "") + "# what: " + what + "\n")
            f.write("# " + "\t".join(c for c, _ in cols) + "\n")
            for r in rows:
                f.write("\t".join(get(r) for _, get in cols) + "\n")
        return path

    paths = []
    if "file" in res or "seed" in res:
        by = {}
        for side in ("file", "seed"):
            for r in res.get(side, []):
                by.setdefault(r["nodes"], {})[side] = r
        rows = [(n, by[n].get("file"), by[n].get("seed")) for n in sorted(by)]
        cols = [("nodes", lambda r: "%d" % r[0]),
                ("ours_first_ms", lambda r: val(r[1], "first_sync_ms", "%.1f")),
                ("ours_p50", lambda r: val(r[1], "p50", "%.2f")),
                ("ours_p99", lambda r: val(r[1], "p99", "%.2f")),
                ("ours_max", lambda r: val(r[1], "max", "%.2f")),
                ("ours_events", lambda r: "%d" % EVENTS if r[1] else "-"),
                ("ours_cpu_per_event_ms", lambda r: val(r[1], "cpu_per_event_ms", "%.3f")),
                ("ours_rss_mb", lambda r: val(r[1], "rss_mb", "%.2f")),
                ("seed_first_ms", lambda r: val(r[2], "first_sync_ms", "%.1f")),
                ("seed_p50", lambda r: val(r[2], "p50", "%.1f")),
                ("seed_p99", lambda r: val(r[2], "p99", "%.1f")),
                ("seed_max", lambda r: val(r[2], "max", "%.1f")),
                ("seed_events", lambda r: val(r[2], "events", "%d")),
                ("seed_cpu_pct", lambda r: val(r[2], "cpu_pct", "%.2f"))]
        paths.append(write("router.tsv", "the router with a NodeList file (ours) and the seed's loop "
                           "emulated (every 5 s: read all nodes, ip -batch route replace of every route), "
                           "per node count: first full sync and node event -> route in ms", cols, rows))
    if "api" in res:
        a = res["api"]
        cols = [(k, (lambda k, f: lambda r: val(r, k, f))(k, f)) for k, f in (
            ("nodes", "%d"), ("first_sync_ms", "%.1f"), ("first_sync_cpu_s", "%.3f"),
            ("first_sync_user_s", "%.3f"),
            ("p50", "%.2f"), ("p99", "%.2f"), ("events", "%d"), ("rate", "%d"),
            ("seconds", "%d"), ("cpu_pct", "%.3f"), ("rss_mb", "%.2f"), ("server_ms", "%.1f"),
            ("churn", "%d"), ("del_p50", "%.2f"), ("del_p99", "%.2f"), ("add_p50", "%.2f"),
            ("add_p99", "%.2f"))]
        paths.append(write("router-api.tsv", "the router with the API source (fake API server, "
                           "generated ~10 KB nodes): first full sync, node status PATCH -> route in ms, "
                           "a node deleted -> its route gone and created again -> back (del_, add_) in ms, "
                           "CPU % of a core at RATE MODIFIED events/s", cols, [a]))
    return paths


def main():
    try:
        run()
    finally:
        # nothing of ours outlives the harness
        for p in CHILDREN:
            if p.poll() is None:
                p.kill()


CHILDREN = []


def run():
    only = os.environ.get("BENCH_ONLY", "")
    res = {}
    if only in ("", "file"):
        res["file"] = [bench_file(n) for n in NODES]
    if only in ("", "seed"):
        res["seed"] = [bench_seed(n, SEED_EVENTS) for n in NODES]
    if only in ("", "api"):
        res["api"] = bench_api(NODES[-1], 17, SECONDS_17)
    json.dump(res, open(D + "/result.json", "w"), indent=1)
    paths = write_data(res)
    if "file" in res:
        print("router, file source (event = NodeList file rewritten, one node's address changed):")
        print("  %6s %10s %8s %8s %8s %12s %9s %8s" % ("nodes", "first ms", "p50 ms", "p99 ms",
                                                         "max ms", "cpu/event ms", "idle cpu%", "RSS MB"))
        for r in res["file"]:
            print("  %6d %10.1f %8.2f %8.2f %8.2f %12.3f %9.3f %8.2f" % (
                r["nodes"], r["first_sync_ms"] or -1, r["p50"], r["p99"], r["max"],
                r["cpu_per_event_ms"], r["idle_cpu_pct"], r["rss_mb"]))
    if "seed" in res:
        print("seed emulated (read all nodes + ip -batch route replace of every route, every 5 s):")
        for r in res["seed"]:
            print("  %6d nodes: p50 %.0f ms, p99 %.0f ms (%d events); CPU %.2f %% of a core" % (
                r["nodes"], r["p50"], r["p99"], r["events"], r["cpu_pct"]))
    if "api" in res:
        a = res["api"]
        print("router, API source (fake API server, %d generated %s nodes, tunnel mode %s):" % (
            a["nodes"], "~300 B" if a["lean"] else "~10 KB", a["mode"]))
        print("  first full sync %.0f ms (LIST + %d routes; %.2f s CPU, %.2f s of it user), peak RSS %.2f MB" % (
            a["first_sync_ms"] or -1, 2 * (a["nodes"] - 1), a["first_sync_cpu_s"], a["first_sync_user_s"],
            a["rss_mb"]))
        print("  of it the fake server's share %.0f ms (a client reading the same WatchList), the router's %.0f ms" % (
            a["server_ms"], (a["first_sync_ms"] or 0) - a["server_ms"]))
        print("  node event -> %s: p50 %.1f ms, p99 %.1f ms over %d status PATCHes" % (
            "neighbour entry" if a["mode"] == "vxlan" else "route", a["p50"], a["p99"], a["events"]))
        if a["churn"]:
            print("  node deleted -> route gone: p50 %.1f ms, p99 %.1f ms; created again -> route: "
                  "p50 %.1f ms, p99 %.1f ms (%d nodes)" % (a["del_p50"], a["del_p99"], a["add_p50"],
                                                          a["add_p99"], a["churn"]))
        print("  %d MODIFIED events/s for %d s: CPU %.2f %% of a core" % (
            a["rate"], a["seconds"], a["cpu_pct"]))
    if paths:
        print("data: " + " ".join(paths))


if __name__ == "__main__":
    main()
