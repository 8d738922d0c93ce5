#!/bin/sh
# router_refuse: pod CIDRs the router refuses (issue 12): a Node claiming
# loopback or another node's address gets no route for it, its other CIDRs
# and the other nodes' do; each refusal is logged once and counted.
. test/lib/t.sh
if [ "$(id -u)" != 0 ] || ! ip netns add "xct-rtr-$$" 2>/dev/null; then
	t_skip "needs root and network namespaces" 1
	t_done
	exit 0
fi
NS=xct-rtr-$$
D=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; ip netns del $NS 2>/dev/null; rm -rf "$D"' EXIT INT TERM
x() { ip netns exec "$NS" "$@"; }

ip -n "$NS" link set lo up
ip -n "$NS" link add eth0 type veth peer name eth0p
ip -n "$NS" link set eth0 up
ip -n "$NS" link set eth0p up
ip -n "$NS" addr add 198.18.0.1/24 dev eth0
ip -n "$NS" addr add fd00:100::1/64 dev eth0 nodad

node() { # name v4 v6 cidr...
	n=$1 a=$2 b=$3; shift 3
	c=$(printf '"%s",' "$@")
	printf '{"metadata":{"name":"%s"},"spec":{"podCIDRs":[%s]},"status":{"addresses":[{"type":"InternalIP","address":"%s"},{"type":"InternalIP","address":"%s"}]}}' \
		"$n" "${c%,}" "$a" "$b"
}
wait_for() {
	t=$1; shift
	end=$(( $(date +%s) + t ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}
{
	printf '{"kind":"List","items":['
	node n1 198.18.0.1 fd00:100::1 198.19.1.0/24 fd00:0:1::/64; printf ,
	node n2 198.18.0.2 fd00:100::2 198.19.2.0/24 1100:400::/24; printf ,
	node lo 198.18.0.3 fd00:100::3 127.0.0.0/8 fd00:0:3::/64; printf ,
	node grab 198.18.0.4 fd00:100::4 198.18.0.2/32 198.19.4.0/24; printf ,
	node mine 198.18.0.5 fd00:100::5 198.18.0.1/32
	printf ']}\n'
} > "$D/nodes.json"

routes() { { ip -n "$NS" route show proto 202; ip -n "$NS" -6 route show proto 202; } | sed 's/ *$//'; }
metric() { x python3 -c '
import urllib.request
body = urllib.request.urlopen("http://127.0.0.1:9142/metrics", timeout=3).read().decode()
print([l.split()[1] for l in body.splitlines() if l.startswith("xcluster_router_cidrs_refused ")][0])'; }

check "router --once" x "$XC" router --once --node-name n1 --nodes-file "$D/nodes.json" \
	--metrics-port 0 --tunnel-mode none --cache-dir "$D/cache" 2>"$D/once"
check_out "routes: the others' CIDRs only (1100:400::/24 too)" "198.19.2.0/24 via 198.18.0.2 dev eth0
198.19.4.0/24 via 198.18.0.4 dev eth0
1100:400::/24 via fd00:100::2 dev eth0 metric 1024 pref medium
fd00:0:3::/64 via fd00:100::3 dev eth0 metric 1024 pref medium" routes
check "--cleanup" x "$XC" router --cleanup --node-name n1 --metrics-port 0

# CLUSTER_CIDR: outside it, no route
ip netns exec "$NS" env CLUSTER_CIDR=198.19.2.0/24,1100::/8 "$XC" router --node-name n1 --nodes-file "$D/nodes.json" \
	--tunnel-mode none --resync 1 --cache-dir "$D/cache" 2>"$D/log" &
PID=$!
check "CLUSTER_CIDR: routes inside it" wait_for 5 sh -c "ip -n $NS route show proto 202 | grep -q 198.19.2.0/24"
check_grep "CLUSTER_CIDR: outside it logged" 'node grab: no route for 198.19.4.0/24: outside CLUSTER_CIDR' \
	cat "$D/log"
check_grep "loopback refused, logged" 'node lo: no route for 127.0.0.0/8: overlaps loopback' cat "$D/log"
check_grep "another node's address refused, logged" \
	"node grab: no route for 198.18.0.2/32: contains a node's address" cat "$D/log"
check_grep "this node's address refused, logged" \
	"node mine: no route for 198.18.0.1/32: contains a node's address" cat "$D/log"
check_out "CLUSTER_CIDR: refused counted (loopback, 2 addresses, 2 outside)" 5 metric
sleep 2.5   # past two resyncs
check_out "each refusal logged once" 1 grep -c 'no route for 127.0.0.0/8' "$D/log"
kill "$PID"; wait "$PID" 2>/dev/null; PID=
check_out "routes with CLUSTER_CIDR" "198.19.2.0/24 via 198.18.0.2 dev eth0
1100:400::/24 via fd00:100::2 dev eth0 metric 1024 pref medium" routes
t_done
