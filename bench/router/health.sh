#!/bin/sh
# bench/router/health.sh: how fast /healthz answers while the router is at
# its busiest - its start against the fake API server (test/fakeapi) with
# BENCH_NODES generated nodes (default 5000): the listing (WatchList, or the
# LIST when the server refuses it) and the first sync of 2 x BENCH_NODES
# routes. A prober GETs /healthz every 50 ms (timeout 10 s) from the
# router's start until its metrics show every route installed, as the
# kubelet's liveness probe would (the manifest allows 2 s). Prints a
# Markdown table. Runs in a network namespace of its own; needs root.
# BENCH_CNI_LOAD=C: meanwhile C workers loop CNI ADD and DEL
# (test/soak/cni_concurrent.sh, in namespaces of its own), so that the
# first sync waits on the kernel's rtnl lock as on a node starting pods.
set -u
: "${XC:?XC must name the xcluster-cni binary}"
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_NODES:-5000}
. bench/router/netns.sh
. test/lib/t.sh
. test/fakeapi/lib.sh
FAKE_DIR=$(mktemp -d)
R_PID= LOAD_PID=
stop_load() {
	[ -n "$LOAD_PID" ] || return 0
	kill "$LOAD_PID" 2>/dev/null; wait "$LOAD_PID" 2>/dev/null; LOAD_PID=
}
# KEEP=1: the folder stays (the router's log of each run: log-watchlist, log-list-rv0)
trap '[ -n "$R_PID" ] && kill "$R_PID" 2>/dev/null; stop_load; fake_stop
      if [ -n "${KEEP:-}" ]; then echo "kept $FAKE_DIR"; else rm -rf "$FAKE_DIR"; fi' EXIT
ip link set lo up
# node-00001's addresses (test/fakeapi/nodegen.py): every other node is on-link
ip link add hb0 type veth peer name hb1
ip addr add 198.19.0.1/16 dev hb0
ip addr add fd00:19::1/64 dev hb0 nodad
ip link set hb1 up
ip link set hb0 up
fake_certs >/dev/null 2>&1 || exit 1
echo tok-1 > "$FAKE_DIR/token"
if [ -n "${BENCH_CNI_LOAD:-}" ]; then
	C=$BENCH_CNI_LOAD DURATION=3600 sh test/soak/cni_concurrent.sh > "$FAKE_DIR/load.log" 2>&1 &
	LOAD_PID=$!
	# its first progress line: every worker is calling the plugin
	t_wait 300 grep -q ' ADDs, ' "$FAKE_DIR/load.log" ||
		{ echo "health: the CNI load did not start: $(tail -3 "$FAKE_DIR/load.log")"; exit 1; }
fi

run() { # name fakeapi-watch-list-option
	fake_start --nodes "$N" --watch-list "$2" || exit 1
	fake_kubeconfig "$FAKE_DIR/kc"
	"$XC" router --kubeconfig "$FAKE_DIR/kc" --node-name node-00001 --tunnel-mode none \
		--metrics-port 9142 --cache-dir "$FAKE_DIR/cache" >"$FAKE_DIR/log-$1" 2>&1 &
	R_PID=$!
	python3 - "$1" "$((2 * (N - 1)))" <<'PY'
import sys, time, urllib.request
name, want = sys.argv[1], int(sys.argv[2])
def get(path, timeout):
    t = time.monotonic()
    try:
        body = urllib.request.urlopen("http://127.0.0.1:9142" + path, timeout=timeout).read().decode()
    except Exception:
        body = None
    return body, time.monotonic() - t
t0 = time.monotonic()
lat, missed, done, have = [], 0, None, "?"
while time.monotonic() - t0 < 300:
    body, dt = get("/healthz", 10)
    if body is None and not lat and time.monotonic() - t0 < 5:
        time.sleep(0.05)      # not listening yet
        continue
    lat.append(dt)
    missed += body != "ok\n"
    m, _ = get("/metrics", 10)
    for line in (m or "").splitlines():
        if line.startswith("xcluster_router_routes_installed "):
            have = line.split()[1]
    if m and ("xcluster_router_routes_installed %d\n" % want) in m:
        done = time.monotonic() - t0
        break
    time.sleep(0.05)
lat.sort()
print("| %s | %s | %d | %.1f ms | %.1f ms | %d | %d |" % (
    name, "%.2f s" % done if done else "not done in 300 s (%s in)" % have, len(lat),
    1000 * lat[len(lat) // 2], 1000 * lat[-1], sum(1 for x in lat if x > 1), missed))
PY
	kill "$R_PID"; wait "$R_PID" 2>/dev/null; R_PID=
	"$XC" router --cleanup --node-name node-00001 --metrics-port 0 >/dev/null 2>&1
	fake_stop
}
load=
[ -n "$LOAD_PID" ] && load=", $BENCH_CNI_LOAD CNI workers"
echo "| $N nodes$load | all $((2 * (N - 1))) routes in after | probes | median | worst | over 1 s | not ok |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
run watchlist on
run list-rv0 off
[ -z "$LOAD_PID" ] || tail -n 4 "$FAKE_DIR/load.log" | sed -n 's/^cni_concurrent: \(.* s: .* ADDs, .*\)/CNI load: \1/p' | tail -n 1
stop_load
