#!/bin/sh
# router_refuse: pod CIDRs the router refuses (issue 12): a Node claiming
# loopback or another node's address gets no route for it, its other CIDRs
# and the other nodes' do; each refusal is logged once and counted.
# Overlapping CIDRs of two nodes: the older Node keeps its route, whatever
# order the listing gives them in. This node's own CIDRs are judged the same
# way: a refused one goes to the podcidrs file as refused, and node-local
# answers code 11 with the reason.
. test/lib/t.sh
. test/lib/hostns.sh
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

host_ns "$NS" || t_fail "this node's eth0 in $NS"

node() { # name v4 v6 cidr... ($TS: its creationTimestamp)
	n=$1 a=$2 b=$3; shift 3
	c=$(printf '"%s",' "$@")
	[ -n "${TS:-}" ] && n="$n\",\"creationTimestamp\":\"$TS"
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
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:9142/metrics", timeout=3).read().decode()
print([l.split()[1] for l in body.splitlines() if l.startswith(sys.argv[1] + " ")][0])' \
	"xcluster_router_${1:-cidrs_refused}"; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }
# Two full syncs more than now (--resync 1): what they would log is logged.
past_resyncs() { s0=$(metric full_syncs_total); wait_for 60 full_syncs_at_least $((s0 + 2)); }
full_syncs_at_least() { [ "$(metric full_syncs_total)" -ge "$1" ]; }

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
check "CLUSTER_CIDR: routes inside it" wait_for 60 sh -c "ip -n $NS route show proto 202 | grep -q 198.19.2.0/24"
check_grep "CLUSTER_CIDR: outside it logged" 'node grab: no route for 198.19.4.0/24: outside CLUSTER_CIDR' \
	cat "$D/log"
check_grep "loopback refused, logged" 'node lo: no route for 127.0.0.0/8: overlaps loopback' cat "$D/log"
check_grep "another node's address refused, logged" \
	"node grab: no route for 198.18.0.2/32: contains a node's address" cat "$D/log"
check_grep "this node's address refused, logged" \
	"node mine: no route for 198.18.0.1/32: contains a node's address" cat "$D/log"
check_out "CLUSTER_CIDR: refused counted (loopback, 2 addresses, 2 outside)" 5 metric
check "CLUSTER_CIDR: two resyncs later" past_resyncs
check_out "each refusal logged once" 1 grep -c 'no route for 127.0.0.0/8' "$D/log"
check "with CLUSTER_CIDR: no 'trusted' notice" sh -c "! grep -q 'CLUSTER_CIDR is not set' '$D/log'"
# This node's own CIDRs lie outside CLUSTER_CIDR too: the peers give them no
# route, so node-local gives no pod an address from them (code 11, the reason).
check_grep "this node's CIDR refused: logged" \
	"this node's pod CIDR 198.19.1.0/24 gets no route from the peers: outside CLUSTER_CIDR" cat "$D/log"
check "this node's CIDR refused: in the podcidrs file" wait_for 60 \
	grep -q '^refused 198.19.1.0/24 outside CLUSTER_CIDR' "$D/cache/xcluster-cni/podcidrs"
ipam_add() {
	printf '{"cniVersion":"1.0.0","name":"xcluster-cni","type":"node-local","ipam":{"type":"node-local","dataDir":"%s"}}' \
		"$D/cache" | CNI_COMMAND=ADD CNI_CONTAINERID=pod-r CNI_NETNS=/var/run/netns/pod-r \
		CNI_IFNAME=eth0 CNI_PATH=/nonexistent "$XC" node-local
}
ipam_add > "$D/add.out"
check_grep "this node's CIDR refused: node-local answers code 11" '"code": 11' cat "$D/add.out"
check_grep "... naming the CIDR and why" '198.19.1.0/24 outside CLUSTER_CIDR' cat "$D/add.out"
check_out "... and allocates nothing" "" sh -c "ls '$D/cache/xcluster-cni' | grep -v -e podcidrs -e lock"
kill "$PID"; wait "$PID" 2>/dev/null; PID=
check_out "routes with CLUSTER_CIDR" "198.19.2.0/24 via 198.18.0.2 dev eth0
1100:400::/24 via fd00:100::2 dev eth0 metric 1024 pref medium" routes

# Overlaps: o1 (2020) holds 198.19.32.0/20, o2 (2024) claims 198.19.33.0/24
# inside it and is refused; o0 (2019) then claims that /24 too: it keeps it,
# and both others yield to it. The order of the listing changes nothing.
overlaps() { # node names in listing order
	{
		printf '{"kind":"List","items":['
		TS=2023-01-01T00:00:00Z node n1 198.18.0.1 fd00:100::1 198.19.1.0/24
		for o in "$@"; do
			printf ,
			case $o in
			o0) TS=2019-06-01T00:00:00Z node o0 198.18.0.20 fd00:100::20 198.19.33.0/24 ;;
			o1) TS=2020-06-01T00:00:00Z node o1 198.18.0.21 fd00:100::21 198.19.32.0/20 ;;
			o2) TS=2024-06-01T12:00:00+02:00 node o2 198.18.0.22 fd00:100::22 \
				198.19.33.0/24 fd00:0:22::/64 ;;
			esac
		done
		printf ']}\n'
	} > "$D/ov.tmp"
	mv "$D/ov.tmp" "$D/ov.json"
}
has_route() { routes | grep -q "^$1 via $2 "; }
no_route() { ! routes | grep -q "^$1 "; }
overlaps o2 o1
ip netns exec "$NS" "$XC" router --node-name n1 --nodes-file "$D/ov.json" --tunnel-mode none --resync 1 \
	--cache-dir "$D/cache" 2>"$D/ov.log" &
PID=$!
check "overlap: the older node's route" wait_for 60 has_route 198.19.32.0/20 198.18.0.21
check "without CLUSTER_CIDR this node's CIDR is plain again" wait_for 60 \
	sh -c "! grep -q refused '$D/cache/xcluster-cni/podcidrs'"
check_grep "... and node-local allocates from it" '"address": "198.19.1.2/24"' ipam_add
check "overlap: the younger's other CIDR routes" wait_for 60 has_route fd00:0:22::/64 fd00:100::22
check_grep "overlap: the younger refused, the winner named" \
	"node o2: no route for 198.19.33.0/24: overlaps o1's 198.19.32.0/20 \\(created earlier\\)" cat "$D/ov.log"
check "overlap: counted" wait_for 60 metric_is cidrs_refused 1
check_out "without CLUSTER_CIDR: said once at start that pod CIDRs are trusted" 1 \
	grep -c 'CLUSTER_CIDR is not set: a Node.s pod CIDRs are trusted' "$D/ov.log"
adds=$(metric 'changes_total{op="add"}') dels=$(metric 'changes_total{op="remove"}')
overlaps o1 o2
check "overlap: listing reversed, two resyncs later" past_resyncs
check_out "overlap: no route added" "$adds" metric 'changes_total{op="add"}'
check_out "overlap: no route removed" "$dels" metric 'changes_total{op="remove"}'
check_out "overlap: refusal logged once" 1 grep -c 'node o2: no route for 198.19.33.0/24' "$D/ov.log"
overlaps o2 o0 o1
check "overlap: an older claim takes the /24" wait_for 60 has_route 198.19.33.0/24 198.18.0.20
check "overlap: the /20 goes" wait_for 60 no_route 198.19.32.0/20
check_grep "overlap: o1 yields to o0" \
	"node o1: no route for 198.19.32.0/20: overlaps o0's 198.19.33.0/24 \\(created earlier\\)" cat "$D/ov.log"
check "overlap: both counted" wait_for 60 metric_is cidrs_refused 2
overlaps o2 o1
check "overlap: o0 gone, o1's /20 back" wait_for 60 has_route 198.19.32.0/20 198.18.0.21
check "overlap: the /24 goes with o0" wait_for 60 no_route 198.19.33.0/24
kill "$PID"; wait "$PID" 2>/dev/null; PID=
t_done
