#!/bin/sh
# router_start: a router's start costs one full sync (issue 12). The kernel
# announces every change the first sync makes; at 5,000 nodes (15,000
# changes) they overflow the router's monitor socket unless it reads them
# between its batches, and the loss costs a second full sync at once. The
# VXLAN device's creation announces itself too (three link events): read
# after the device is made, they must not bring a second full sync either.
# A route removed afterwards is restored by an incremental sync, which shows
# that the router has read every earlier event and owes no full one.
. test/lib/t.sh
. test/lib/hostns.sh
if [ "$(id -u)" != 0 ] || ! ip netns add "xct-rts-$$" 2>/dev/null; then
	t_skip "needs root and network namespaces" 1
	t_done
	exit 0
fi
NS=xct-rts-$$
D=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$D"' EXIT INT TERM
x() { ip netns exec "$NS" "$@"; }

host_ns "$NS" || t_fail "this node's eth0 in $NS"

# nodes N FILE: n0 (this node) and N-1 peers; pod CIDRs /29 in 198.19/16
nodes() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
n, items = int(sys.argv[1]), []
for i in range(n):
    a4 = "198.18.%d.%d" % (8 + i // 250, i % 250 + 1) if i else "198.18.0.1"
    a6 = "fd00:100::%x" % (i + 16) if i else "fd00:100::1"
    items.append({"metadata": {"name": "n%d" % i},
                  "spec": {"podCIDRs": ["198.19.%d.%d/29" % (i // 32, i % 32 * 8), "fd00:0:%x::/64" % i]},
                  "status": {"addresses": [{"type": "InternalIP", "address": a4},
                                           {"type": "InternalIP", "address": a6}]}})
with open(sys.argv[2] + ".tmp", "w") as f:
    json.dump({"kind": "List", "items": items}, f)
EOF
	mv "$2.tmp" "$2"
}
routes() { { x ip route show proto 202; x ip -6 route show proto 202; } | wc -l; }
has_routes() { [ "$(routes)" = "$1" ]; }
restored() { x ip route show 198.19.0.8/29 proto 202 | grep -q .; }
# full syncs so far (/metrics: the log names only those that changed something)
fulls() {
	x python3 -c '
import urllib.request
body = urllib.request.urlopen("http://127.0.0.1:9142/metrics", timeout=3).read().decode()
print([l.split()[1] for l in body.splitlines() if l.startswith("xcluster_router_full_syncs_total ")][0])'
}

# start MODE NODES: a router from the file, until its routes are in
start() {
	nodes "$2" "$D/nodes.json"
	ip netns exec "$NS" "$XC" router --node-name n0 --nodes-file "$D/nodes.json" \
		--tunnel-mode "$1" --cache-dir "$D/cache" --resync 3600 \
		>"$D/log" 2>&1 &
	PID=$!
	check "$1, $2 nodes: every route in" t_wait 120 has_routes $(( 2 * ($2 - 1) ))
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null; PID=; }

one() { # MODE NODES
	start "$1" "$2"
	x ip route del 198.19.0.8/29 proto 202
	check "$1, $2 nodes: a removed route restored" t_wait 30 restored
	# (the log line and /metrics come just after the kernel has the route)
	check "$1, $2 nodes: the restore an incremental sync" \
		t_wait 10 grep -q 'incremental sync: 1 change ' "$D/log"
	check_out "$1, $2 nodes: one full sync (the first)" 1 fulls
	check "$1, $2 nodes: no kernel event lost" sh -c "! grep -q 'events were lost' '$D/log'"
	[ -n "${KEEP:-}" ] && cp "$D/log" "/tmp/router_start.$1.$2.log"
	stop
	x "$XC" router --node-name n0 --tunnel-mode "$1" --cleanup --cache-dir "$D/cache" \
		>/dev/null 2>&1
	check "$1, $2 nodes: --cleanup removed the routes" has_routes 0
}

one none 5000
one vxlan 3
t_done
