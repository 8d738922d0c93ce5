#!/bin/sh
# router: the router applet end to end with the file source, in namespaces.
# Three dual-stack nodes on one L2 segment (n3 on another subnet, behind a
# gateway), a router in each; for modes none, vxlan and auto, and none and
# vxlan again with IPv4 routes through nexthop objects: pods ping
# across nodes in IPv4 and IPv6; node list changes converge; a restart
# changes nothing in the kernel; a deleted route is restored; a failing
# source keeps the routes; SIGTERM keeps them; --cleanup removes them.
. test/lib/t.sh
. test/netns/router.lib
if [ "$(id -u)" != 0 ] || ! ip netns add "xct-rt-probe-$$" 2>/dev/null; then
	t_skip "needs root and network namespaces" 1
	t_done
	exit 0
fi
ip netns del "xct-rt-probe-$$"

RT_P=xct-rt-$$
RT_D=$(mktemp -d)
trap 'rt_teardown; [ -n "$KEEP" ] || rm -rf "$RT_D"' EXIT
trap 'exit 1' INT TERM   # (the EXIT trap cleans up; a suite must not run on)
rt_setup || { t_fail "namespace setup"; t_done; exit 1; }
NODES=$RT_D/nodes.json
ALL="n1,198.18.0.1,fd00:100::1 n2,198.18.0.2,fd00:100::2 n3,198.18.1.3,fd00:101::3"

# A first IPv6 packet in fresh namespaces can wait seconds for neighbour
# discovery: pings are retried (wait_for), each one waits 1 s.
ping4() { rt_x "n$1" ping -c1 -W1 -I "198.19.$1.1" "198.19.$2.1"; }
ping6() { rt_x "n$1" ping -6 -c1 -W1 -I "fd00:0:$1::1" "fd00:0:$2::1"; }
nroutes() { rt_routes "$1" | wc -l; }
has_route() { rt_routes "$1" | grep -q -- "$2"; }
no_route() { ! rt_routes "$1" | grep -q -- "$2"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# RT_NH: the routers' --nexthops (one_mode's second argument; auto when unset)
start_all() { # MODE
	for i in 1 2 3; do
		rt_start "$i" --nodes-file "$NODES" --tunnel-mode "$1" --cache-dir "$RT_D/cache$i" \
			--resync 2 --nexthops "${RT_NH:-auto}"
	done
}
# our nexthop objects in node I, and our IPv4 routes that name one
nexthops() { ip -n "$RT_P-n$1" nexthop show proto 202 | wc -l; }
nh_routes() { ip -n "$RT_P-n$1" route show proto 202 | grep -c ' nhid '; }

# one_mode MODE [NEXTHOPS]: every check of a tunnel mode, with --nexthops NEXTHOPS
one_mode() {
	mode=$1
	RT_NH=${2:-}
	label=$mode${2:+ (nexthops $2)}
	# shellcheck disable=SC2086
	rt_nodes "$NODES" $ALL
	start_all "$mode"
	check "$label: routes installed" wait_for $RT_WAIT installed
	# F2: what routes, links and tunnels need is CAP_NET_ADMIN (0x1000), nothing more
	check_out "$label: router runs with CAP_NET_ADMIN only, NoNewPrivs" \
		"CapPrm: 0000000000001000 CapEff: 0000000000001000 CapBnd: 0000000000001000 NoNewPrivs: 1 " \
		awk '/^(Cap(Prm|Eff|Bnd)|NoNewPrivs):/ { printf "%s %s ", $1, $2 }' "/proc/$RT_PID_1/status"
	for a in 1 2 3; do
		for b in 1 2 3; do
			[ "$a" = "$b" ] && continue
			check "$label: ping n$a -> n$b pod (IPv4)" wait_for $RT_WAIT ping4 "$a" "$b"
			check "$label: ping n$a -> n$b pod (IPv6)" wait_for $RT_WAIT ping6 "$a" "$b"
		done
	done
	if [ "$mode" = vxlan ]; then
		# The node's own packets (source: its underlay address, as for
		# MASQUERADEd NodePort traffic) arrive on n2's xcvx0: rp_filter 2
		# passes them only because xcvx0 has an IPv4 address.
		check "$label: node n1 reaches n2's pod from its underlay address" \
			wait_for $RT_WAIT rt_x n1 ping -c1 -W1 -I 198.18.0.1 198.19.2.1
		check_grep "$label: n1's own packets to pods leave from xcvx0's address" \
			'dev xcvx0 src 198.19.1.0 ' rt_x n1 ip route get 198.19.2.1
	fi
	check "$label: node-local cache of n2" wait_for $RT_WAIT cache_is 2 "198.19.2.0/24 fd00:0:2::/64"
	check "$label: own node gets no route" no_route 1 198.19.1.0
	if [ "$RT_NH" = on ]; then
		check_out "$label: a nexthop object per IPv4 peer" 2 nexthops 1
		check_out "$label: ... named by the IPv4 routes" 2 nh_routes 1
		check_out "$label: /metrics nexthops" 2 rt_metric 1 xcluster_router_nexthops
	else
		check_out "$label: no nexthop object below 1,024 routes" 0 nexthops 1
		check_out "$label: /metrics nexthops" 0 rt_metric 1 xcluster_router_nexthops
	fi
	check_out "$label: /metrics routes_wanted" 4 rt_metric 1 xcluster_router_routes_wanted
	check_out "$label: /metrics routes_installed" 4 rt_metric 1 xcluster_router_routes_installed
	check_grep "$label: /healthz" '^ok' rt_x n1 python3 -c \
		'import urllib.request; print(urllib.request.urlopen("http://127.0.0.1:9142/healthz").read().decode())'

	# a route someone deletes comes back (netlink monitor, not the resync: it says so)
	r=$(rt_routes 1 | grep 198.19.2.0)
	t0=$(ms)
	rt_x n1 ip route del 198.19.2.0/24 proto 202
	check "$label: deleted route restored" wait_for $RT_WAIT has_route 1 198.19.2.0
	echo "  $label: deleted route restored in $(( $(ms) - t0 )) ms"
	check_grep "$label: ... by the netlink monitor" \
		'route 198\.19\.2\.0/24 .*was removed outside the router: restoring' cat "$RT_D/log.n1"
	if [ "$RT_NH" = on ]; then
		# its object deleted: the kernel drops the route without a word
		id=$(ip -n "$RT_P-n1" route show 198.19.2.0/24 proto 202 | sed -n 's/.* nhid \([0-9]*\) .*/\1/p')
		rt_x n1 ip nexthop del id "$id"
		check "$label: deleted nexthop object's route restored" \
			wait_for $RT_WAIT has_route 1 198.19.2.0
		check_grep "$label: ... by the netlink monitor" \
			"nexthop id $id was removed outside the router" cat "$RT_D/log.n1"
	fi

	# node deleted, added back, address changed: converge fast
	t0=$(ms)
	rt_nodes "$NODES" n1,198.18.0.1,fd00:100::1 n2,198.18.0.2,fd00:100::2
	check "$label: deleted node's routes removed" wait_for $RT_WAIT no_route 1 198.19.3.0
	echo "  $label: node delete -> routes gone in $(( $(ms) - t0 )) ms"
	check "$label: ... on n2 too" wait_for $RT_WAIT no_route 2 fd00:0:3::
	# shellcheck disable=SC2086
	rt_nodes "$NODES" $ALL
	check "$label: re-added node routed" wait_for $RT_WAIT has_route 1 198.19.3.0
	check "$label: ping after re-add" wait_for $RT_WAIT ping4 1 3
	ip -n "$RT_P-n2" addr add 198.18.0.12/24 dev eth0
	ip -n "$RT_P-n2" addr add fd00:100::12/64 dev eth0 nodad
	rt_nodes "$NODES" n1,198.18.0.1,fd00:100::1 n2,198.18.0.12,fd00:100::12 n3,198.18.1.3,fd00:101::3
	ip -n "$RT_P-n2" addr del 198.18.0.2/24 dev eth0
	ip -n "$RT_P-n2" addr del fd00:100::2/64 dev eth0
	check "$label: address change converges" wait_for $RT_WAIT addr_changed
	check "$label: ping n1 -> n2 after address change (IPv4)" wait_for $RT_WAIT ping4 1 2
	check "$label: ping n3 -> n2 after address change (IPv6)" wait_for $RT_WAIT ping6 3 2

	# the source fails: every route stays; it recovers: converge. Each "keeps"
	# is judged once the router has been through the failure (its warning),
	# and for the missing file through a full resync after it too.
	before=$(rt_routes 1)
	echo '{"items": [' > "$NODES.tmp" && mv "$NODES.tmp" "$NODES"
	check "$label: garbage logged" wait_for $RT_WAIT \
		grep -q 'node source: .*unexpected end of input; keeping 3 nodes' "$RT_D/log.n1"
	check_out "$label: garbage node list keeps routes" "$before" rt_routes 1
	rm -f "$NODES"
	check "$label: missing node list logged" wait_for $RT_WAIT \
		grep -q 'node source: .*No such file or directory; keeping 3 nodes' "$RT_D/log.n1"
	n=$(rt_metric 1 xcluster_router_full_syncs_total)
	check "$label: ... then a full resync" wait_for $RT_WAIT full_syncs_above 1 "$n"
	check_out "$label: missing node list keeps routes" "$before" rt_routes 1

	# SIGTERM: routes stay; a restart changes nothing (netlink monitor)
	rt_nodes "$NODES" n1,198.18.0.1,fd00:100::1 n2,198.18.0.12,fd00:100::12 n3,198.18.1.3,fd00:101::3
	check "$label: node list back: source ok" wait_for $RT_WAIT source_ok 1
	before=$(rt_routes 1)
	rt_stop 1
	check "$label: SIGTERM exits 0" test $? = 0
	rt_stop 2; rt_stop 3
	check_out "$label: routes stay after SIGTERM" "$before" rt_routes 1
	# stderr apart: iproute2 complains there ("Peer netns reference is
	# invalid") when other namespaces come and go, and that is no route
	ip -n "$RT_P-n1" monitor route > "$RT_D/mon" 2> "$RT_D/mon.err" &
	mon=$!
	check "$label: route monitor listening" rt_mark 1 "$RT_D/mon"
	rt_start 1 --nodes-file "$NODES" --tunnel-mode "$mode" --cache-dir "$RT_D/cache1" --resync 2 \
		--nexthops "${RT_NH:-auto}"
	check "$label: restarted router synced" wait_for $RT_WAIT synced
	check "$label: route monitor caught up" rt_mark 1 "$RT_D/mon"
	kill "$mon"; wait "$mon" 2>/dev/null
	check_out "$label: restart: zero route changes (netlink monitor)" 0 sh -c "grep -vc ' table 99 ' $RT_D/mon"
	check_out "$label: restart: zero changes counted" 0 changes
	check "$label: ping after restart" wait_for $RT_WAIT ping6 1 3

	# --cleanup removes our routes and the tunnel device, nothing else
	rt_stop 1
	rt_x n1 "$XC" router --node-name n1 --cleanup --tunnel-mode "$mode" >>"$RT_D/log.n1" 2>&1
	check "$label: --cleanup exits 0" test $? = 0
	check_out "$label: --cleanup removed our routes" 0 nroutes 1
	check_out "$label: --cleanup removed our nexthop objects" 0 nexthops 1
	check "$label: --cleanup removed the VXLAN device" no_vxlan
	check "$label: --cleanup left other routes" has_route_other
	for i in 2 3; do
		rt_stop "$i"
		rt_x "n$i" "$XC" router --node-name "n$i" --cleanup >/dev/null 2>&1
	done
	[ -n "$KEEP" ] && cp "$RT_D/log.n1" "/tmp/router-$mode.log"
	for i in 1 2 3; do : > "$RT_D/log.n$i"; done
	# n2 back to its first addresses for the next mode
	ip -n "$RT_P-n2" addr add 198.18.0.2/24 dev eth0
	ip -n "$RT_P-n2" addr add fd00:100::2/64 dev eth0 nodad
	ip -n "$RT_P-n2" addr del 198.18.0.12/24 dev eth0
	ip -n "$RT_P-n2" addr del fd00:100::12/64 dev eth0
}
has_route_other() { ip -n "$RT_P-n1" route show | grep -q '198.18.1.0/24 via 198.18.0.254'; }
installed() { [ "$(nroutes 1)" -ge 4 ] && [ "$(nroutes 2)" -ge 4 ] && [ "$(nroutes 3)" -ge 4 ]; }
addr_changed() { rt_routes 1 | grep -q '198.19.2.0/24 via 198.18.0.12\|198.19.2.0/24 via 198.19.2.0'; }
synced() { rt_metric 1 xcluster_router_full_syncs_total | grep -q '^[1-9]'; }
# cache_is I "CIDR CIDR": node I's router has written that podcidrs file (after its sync)
cache_is() { [ "$(grep -v '^#' "$RT_D/cache$1/xcluster-cni/podcidrs" | tr '\n' ' ')" = "$2 " ]; }
full_syncs_above() { [ "$(rt_metric "$1" xcluster_router_full_syncs_total)" -gt "$2" ]; }
source_ok() { [ "$(rt_metric "$1" xcluster_router_source_ok)" = 1 ]; }
no_vxlan() { ! ip -n "$RT_P-n1" link show xcvx0 >/dev/null 2>&1; }
foreign_kept() { ip -n "$RT_P-n1" route show 198.19.2.0/24 | grep -q 'proto static'; }
changes() { rt_x n1 python3 -c '
import urllib.request
body = urllib.request.urlopen("http://127.0.0.1:9142/metrics", timeout=3).read().decode()
print(sum(int(l.rsplit(" ", 1)[1]) for l in body.splitlines() if l.startswith("xcluster_router_changes_total{")))'; }

for mode in none vxlan auto; do
	one_mode "$mode"
done
# the form used from 1,024 IPv4 routes on (auto), here from the first
one_mode none on
one_mode vxlan on

# auto: n2 (same subnet) direct, n3 (behind the gateway) through VXLAN
rt_nodes "$NODES" $ALL
start_all auto
check "auto: routes" wait_for $RT_WAIT installed
check "auto: same subnet direct" has_route 1 '198.19.2.0/24 via 198.18.0.2 dev eth0'
check "auto: other subnet tunnelled" has_route 1 '198.19.3.0/24 via 198.19.3.0 dev xcvx0 onlink'
check "auto: IPv6 same subnet direct" has_route 1 'fd00:0:2::/64 via fd00:100::2 dev eth0'
for i in 1 2 3; do rt_stop "$i"; rt_x "n$i" "$XC" router --node-name "n$i" --cleanup >/dev/null 2>&1; done

# another protocol's route on a wanted key is left alone
rt_x n1 ip route add 198.19.2.0/24 via 198.18.0.2 proto static
rt_start 1 --nodes-file "$NODES" --tunnel-mode none --resync 2 --metrics-port 0
check "foreign route: others installed" wait_for $RT_WAIT has_route 1 198.19.3.0
check "foreign route: left alone" foreign_kept
check "foreign route: logged" wait_for $RT_WAIT grep -q 'another protocol' "$RT_D/log.n1"
rt_stop 1
rt_x n1 "$XC" router --node-name n1 --cleanup >/dev/null 2>&1
check "foreign route: survives --cleanup" foreign_kept
check_out "foreign route: --cleanup removed ours" 0 nroutes 1

# Lost kernel events (ENOBUFS): the kernel reports the loss before the events
# still queued, which are older than the full resync's dump and must not be
# applied after it. n1's router is stopped, two of its IPv6 routes are changed
# behind it, then 2 x 16384 route events of another protocol overflow its
# monitor; continued, it resyncs (one replace each puts them back); a node
# added next must change n4's routes only (before the fix the queued, older
# events were applied after the dump and that sync replaced both routes
# again; found by test/soak/router_soak.sh).
rt_ip6() { rt_x n1 ip -6 route show "$1" proto 202 | grep -q "via $2 "; }
replaces() { grep -c "replace route $1 via $2 " "$RT_D/log.n1"; }
n4_synced() { awk '/ add route fd00:0:4::\/64 / { a = 1 } a && / sync: [0-9]+ change/ { f = 1 } END { exit !f }' "$RT_D/log.n1"; }
rt_x n1 ip route del 198.19.2.0/24 proto static
: > "$RT_D/log.n1"
# shellcheck disable=SC2086
rt_nodes "$NODES" $ALL
rt_start 1 --nodes-file "$NODES" --tunnel-mode none --resync 600 --metrics-port 0
check "lost events: routes" wait_for $RT_WAIT rt_ip6 fd00:0:3::/64 fd00:101::3
awk -v d="$RT_D" 'BEGIN { for (i = 0; i < 16384; i++) {
	r = sprintf("198.18.%d.%d/32 dev eth0 proto 99", 128 + int(i / 256), i % 256)
	print "route add " r > (d "/flood.add"); print "route del " r > (d "/flood.del") } }'
kill -STOP "$RT_PID_1"
rt_x n1 ip -6 route replace fd00:0:2::/64 via fd00:100::3 dev eth0 proto 202
rt_x n1 ip -6 route replace fd00:0:3::/64 via fd00:100::4 dev eth0 proto 202
rt_x n1 ip -batch "$RT_D/flood.add"
rt_x n1 ip -batch "$RT_D/flood.del"
kill -CONT "$RT_PID_1"
check "lost events: logged" wait_for $RT_WAIT grep -q 'kernel events were lost' "$RT_D/log.n1"
check "lost events: resync restores the routes" wait_for $RT_WAIT rt_ip6 fd00:0:2::/64 fd00:100::2
check "... both" wait_for $RT_WAIT rt_ip6 fd00:0:3::/64 fd00:101::3
# Any older event still queued is read before the file change below (it is in
# the socket first, and the loop reads the monitor first): its effect, if any,
# is in the sync that logs n4's routes at the latest. That sync's summary is
# the end of the wait.
# shellcheck disable=SC2086
rt_nodes "$NODES" $ALL n4,198.18.0.4,fd00:100::4
check "lost events: then a new node is routed" wait_for $RT_WAIT rt_ip6 fd00:0:4::/64 fd00:100::4
check "lost events: ... and that sync summed up" wait_for $RT_WAIT n4_synced
check_out "lost events: fd00:0:2::/64 replaced once, not again by the next sync" 1 replaces fd00:0:2::/64 fd00:100::2
check_out "lost events: fd00:0:3::/64 replaced once, not again by the next sync" 1 replaces fd00:0:3::/64 fd00:101::3
check_grep "lost events: the next sync made n4's 2 changes only" 'incremental sync: 2 changes' tail -1 "$RT_D/log.n1"
rt_stop 1
rt_x n1 "$XC" router --node-name n1 --cleanup >/dev/null 2>&1

t_done
