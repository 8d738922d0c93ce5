#!/bin/sh
# router_secondary: two routers on each node, one per pod network, as
# xcluster-cni.yaml and xcluster-cni-secondary-net.yaml run them. The
# cluster of router.lib, plus a second network: a switch of its own and an
# eth1 in n1 and n2 (198.18.2.I, fd00:102::I). The first router takes the
# Nodes' spec.podCIDRs (198.19.I.0/24, fd00:0:I::/64; "pods" on lo); the
# second takes an annotation (198.19.10I.0/24, fd00:0:10I::/64) with
# PROTOCOL 203, the next hops from another annotation (the eth1 addresses),
# its own --network, metrics port and, in VXLAN mode, its own device. Pods
# reach each other on both networks, each over its own link; both routers
# masquerade with a table each; a node change on the second network
# changes the second's routes only; either stopping or cleaning up leaves
# the other's routes, table, device and tunnel address alone.
. test/lib/t.sh
. test/netns/router.lib
if [ "$(id -u)" != 0 ] || ! ip netns add "xct-r2-probe-$$" 2>/dev/null; then
	t_skip "needs root and network namespaces" 1
	t_done
	exit 0
fi
ip netns del "xct-r2-probe-$$"
if ! command -v nft >/dev/null; then
	t_skip "needs nft (vendor/deps.sh test)" 1
	t_done
	exit 0
fi

RT_P=xct-r2-$$
RT_D=$(mktemp -d)
trap 'rt_teardown; ip netns del $RT_P-sw2 2>/dev/null; rm -rf "$RT_D"' EXIT INT TERM
rt_setup || { t_fail "namespace setup"; t_done; exit 1; }
# the second network: its own switch, eth1 in n1 and n2
ip netns add "$RT_P-sw2"
ip -n "$RT_P-sw2" link add br1 type bridge mcast_snooping 0
ip -n "$RT_P-sw2" link set br1 up
for i in 1 2; do
	ip -n "$RT_P-sw2" link add "p-n$i" type veth peer name eth1 netns "$RT_P-n$i"
	ip -n "$RT_P-sw2" link set "p-n$i" master br1 up
	ip -n "$RT_P-n$i" addr add "198.18.2.$i/24" dev eth1
	ip -n "$RT_P-n$i" addr add "fd00:102::$i/64" dev eth1 nodad
	ip -n "$RT_P-n$i" link set eth1 up
	ip -n "$RT_P-n$i" addr add "198.19.10$i.1/32" dev lo
	ip -n "$RT_P-n$i" addr add "fd00:0:10$i::1/128" dev lo
	rt_x "n$i" sysctl -qw net.ipv4.conf.eth1.rp_filter=2
done

NODES=$RT_D/nodes.json
ANN=xcluster-cni.example/secondary
# nodes SECOND_CIDR_OF_N2: n1 and n2 with both networks' CIDRs
nodes() {
	for i in 1 2; do
		c2=198.19.10$i.0/24,fd00:0:10$i::/64
		[ $i = 2 ] && c2=$1
		printf '{"kind":"Node","metadata":{"name":"n%s","annotations":{"%s-cidrs":"%s","%s-addresses":"198.18.2.%s,fd00:102::%s"}},"spec":{"podCIDRs":["198.19.%s.0/24","fd00:0:%s::/64"]},"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.%s"},{"type":"InternalIP","address":"fd00:100::%s"}]}}\n' \
			$i "$ANN" "$c2" "$ANN" $i $i $i $i $i $i
	done | { printf '{"apiVersion":"v1","kind":"List","items":['; paste -sd, -; printf ']}\n'; } > "$NODES.tmp"
	mv "$NODES.tmp" "$NODES"
}
nodes 198.19.102.0/24,fd00:0:102::/64

# start2 I ARGS...: the second network's router in node I (log $RT_D/log2.nI)
start2() {
	i=$1; shift
	ip netns exec "$RT_P-n$i" "$XC" router --node-name "n$i" --nodes-file "$NODES" --protocol 203 \
		--network second --cache-dir "$RT_D/c$i" --metrics-port 9143 --cidr-annotation "$ANN-cidrs" \
		--address-annotation "$ANN-addresses" --resync 2 "$@" >>"$RT_D/log2.n$i" 2>&1 &
	eval "R2_$i=$!"
	RT_PIDS="$RT_PIDS $!"
}
stop2() { eval "kill \$R2_$1; wait \$R2_$1"; }
routes() { ip -n "$RT_P-n$1" route show proto "$2"; ip -n "$RT_P-n$1" -6 route show proto "$2"; }
# ping_from I SRC DST: node I reaches DST from its "pod" address SRC
ping_from() { rt_x "n$1" ping -c 1 -W 2 -I "$2" "$3"; }
# dev_of I SRC DST: the interface node I sends from SRC to DST through
dev_of() { rt_x "n$1" ip route get "$3" from "$2" | grep -o 'dev [^ ]*' | head -n 1; }
tables() { rt_x "n$1" nft list tables | grep 'inet xcluster' | sort | tr '\n' ' '; }
labels() { ip -n "$RT_P-n$1" -4 -o addr show | grep -o '[a-z0-9]*:xc[0-9]*' | sort | tr '\n' ' '; }
# left I: how many routes, tables and VXLAN devices of either router node I holds
left() {
	{ routes "$1" 202; routes "$1" 203; rt_x "n$1" nft list tables | grep xcluster
	  ip -n "$RT_P-n$1" link show type vxlan; } | grep -c .
}

for mode in none vxlan; do
	export MASQUERADE=true
	for i in 1 2; do
		rt_start $i --nodes-file "$NODES" --tunnel-mode $mode --cache-dir "$RT_D/c$i" --resync 2
		start2 $i --tunnel-mode $mode
	done
	if [ $mode = none ]; then
		check "$mode: n1's route to n2's first-network CIDR, protocol 202" wait_for $RT_WAIT sh -c \
			"ip -n $RT_P-n1 route show proto 202 | grep -q '^198.19.2.0/24 via 198.18.0.2 dev eth0'"
		check "$mode: ... to its second-network CIDR via its eth1 address, protocol 203" \
			wait_for $RT_WAIT sh -c \
			"ip -n $RT_P-n1 route show proto 203 | grep -q '^198.19.102.0/24 via 198.18.2.2 dev eth1'"
		check "$mode: ... and IPv6" wait_for $RT_WAIT sh -c \
			"ip -n $RT_P-n1 -6 route show proto 203 | grep -q '^fd00:0:102::/64 via fd00:102::2 dev eth1'"
	else
		check "$mode: each router its VXLAN device (xcvx0, xcvx203)" wait_for $RT_WAIT sh -c \
			"ip -n $RT_P-n1 -d link show xcvx0 | grep -q 'vxlan id 1 ' &&
			 ip -n $RT_P-n1 -d link show xcvx203 | grep -q 'vxlan id 203 .*dev eth1'"
		check_out "$mode: each its tunnel address, labelled apart" "xcvx0:xc xcvx203:xc203 " labels 1
	fi
	for fam in 4 6; do
		if [ $fam = 4 ]; then a=198.19.1.1 b=198.19.2.1 a2=198.19.101.1 b2=198.19.102.1
		else a=fd00:0:1::1 b=fd00:0:2::1 a2=fd00:0:101::1 b2=fd00:0:102::1; fi
		check "$mode: IPv$fam: first network, n1's pod -> n2's pod" wait_for $RT_WAIT ping_from 1 $a $b
		check "$mode: IPv$fam: second network, n1's pod -> n2's pod" wait_for $RT_WAIT ping_from 1 $a2 $b2
		if [ $mode = none ]; then
			check_out "$mode: IPv$fam: the second network's traffic goes over eth1" "dev eth1" dev_of 1 $a2 $b2
			check_out "$mode: IPv$fam: the first's over eth0" "dev eth0" dev_of 1 $a $b
		fi
	done
	check_out "$mode: a masquerade table each" "table inet xcluster-cni table inet xcluster-cni-203 " tables 1
	r1=$(routes 1 202)
	# n2 moves on the second network: the second router follows, the first does not move
	nodes 198.19.112.0/24,fd00:0:112::/64
	check "$mode: a second-network change reaches the second router" wait_for $RT_WAIT sh -c \
		"ip -n $RT_P-n1 route show proto 203 | grep -q '^198.19.112.0/24'"
	check_out "$mode: ... and leaves the first one's routes" "$r1" routes 1 202
	nodes 198.19.102.0/24,fd00:0:102::/64
	check "$mode: ... and back" wait_for $RT_WAIT sh -c \
		"ip -n $RT_P-n1 route show proto 203 | grep -q '^198.19.102.0/24'"
	# the second goes away, cleaning up: the first's routes, table, device and address stay
	for i in 1 2; do stop2 $i; done
	l1=$(labels 1)
	check_exit "$mode: the second router's --cleanup" 0 rt_x n1 "$XC" router --node-name n1 --protocol 203 \
		--cleanup
	check_out "$mode: ... its routes gone" "" routes 1 203
	check_out "$mode: ... its table gone, the first's there" "table inet xcluster-cni " tables 1
	check_out "$mode: ... the first's routes as they were" "$r1" routes 1 202
	if [ $mode = vxlan ]; then
		check_out "$mode: ... its device and address gone, the first's there" "xcvx0:xc " labels 1
	fi
	check "$mode: ... the first network still carries" ping_from 1 198.19.1.1 198.19.2.1
	for i in 1 2; do rt_stop $i; done
	for i in 1 2; do
		rt_x "n$i" "$XC" router --node-name "n$i" --cleanup >/dev/null 2>&1
		rt_x "n$i" "$XC" router --node-name "n$i" --protocol 203 --cleanup >/dev/null 2>&1
	done
	check_out "$mode: both cleaned up: no route, table or VXLAN device of either" 0 left 1
done
t_done
