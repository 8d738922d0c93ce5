#!/bin/sh
# router_dryrun: the exact plan `router --dry-run` prints, for every mode
# (sit and ipip too: this kernel lacks them, the plan does not need them),
# against a known host in a namespace; then --once makes it and a second
# --dry-run plans nothing.
. test/lib/t.sh
. test/lib/hostns.sh
if [ "$(id -u)" != 0 ] || ! ip netns add "xct-rtd-$$" 2>/dev/null; then
	t_skip "needs root and network namespaces" 1
	t_done
	exit 0
fi
NS=xct-rtd-$$
D=$(mktemp -d)
trap 'ip netns del $NS 2>/dev/null; rm -rf "$D"' EXIT INT TERM
x() { ip netns exec "$NS" "$@"; }

host_ns "$NS" || t_fail "this node's eth0 in $NS"
# a stale route of ours (a node that is gone) and another protocol's on a wanted key
ip -n "$NS" route add 198.19.9.0/24 via 198.18.0.9 proto 202
ip -n "$NS" route add 198.19.4.0/24 via 198.18.0.254 proto static

node() { # name v4 v6|- cidr4 cidr6
	a="{\"type\":\"InternalIP\",\"address\":\"$2\"}"
	[ "$3" != - ] && a="$a,{\"type\":\"InternalIP\",\"address\":\"$3\"}"
	printf '{"metadata":{"name":"%s"},"spec":{"podCIDRs":["%s","%s"]},"status":{"addresses":[%s]}}' \
		"$1" "$4" "$5" "$a"
}
{
	printf '{"kind":"List","items":['
	node n1 198.18.0.1 fd00:100::1 198.19.1.0/24 fd00:0:1::/64; printf ,
	node n2 198.18.0.2 fd00:100::2 198.19.2.0/24 fd00:0:2::/64; printf ,
	node n3 198.18.0.3 - 198.19.3.0/24 fd00:0:3::/64; printf ,
	node n4 198.18.7.4 - 198.19.4.0/24 fd00:0:4::/64
	printf ']}\n'
} > "$D/nodes.json"
printf 'n3 fd00:100::33\n# comment\n' > "$D/map"

plan() { x env $PLAN_ENV "$XC" router --dry-run --node-name n1 --nodes-file "$D/nodes.json" --metrics-port 0 "$@" 2>"$D/err"; }

check_out "none" "ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202
ip route replace 198.19.3.0/24 via 198.18.0.3 dev eth0 proto 202
ip route del 198.19.9.0/24 proto 202
ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202
ip -6 route replace fd00:0:3::/64 via fd00:100::33 dev eth0 proto 202" \
	plan --tunnel-mode none --address-map "$D/map"
check_grep "none: the foreign route is reported" "route 198.19.4.0/24 via 198.18.0.254 dev eth0: another protocol's route is there; left alone" cat "$D/err"
check_grep "none: n4 has no IPv6 next hop" "node n4: no route for fd00:0:4::/64: IPv6 next hop" cat "$D/err"

PLAN_ENV=IPV6_PREFIX=fd00:100::
check_out "none with IPV6_PREFIX (xcluster's form)" "ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202
ip route replace 198.19.3.0/24 via 198.18.0.3 dev eth0 proto 202
ip route del 198.19.9.0/24 proto 202
ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202
ip -6 route replace fd00:0:3::/64 via fd00:100::c612:3 dev eth0 proto 202
ip -6 route replace fd00:0:4::/64 via fd00:100::c612:704 dev eth0 proto 202" \
	plan --tunnel-mode none

# the last resort: the link-local address of the MAC the neighbour table has for n3
PLAN_ENV=
ip -n "$NS" neigh add 198.18.0.3 lladdr 02:00:00:00:00:03 dev eth0 nud permanent
check_grep "none: link-local next hop from the neighbour table" \
	'^ip -6 route replace fd00:0:3::/64 via fe80::ff:fe00:3 dev eth0 proto 202$' plan --tunnel-mode none
ip -n "$NS" neigh del 198.18.0.3 dev eth0

check_out "sit" "ip link set sit0 up
ip link set tunl0 up
ip addr add 198.19.1.0/32 dev tunl0 label tunl0:xc
ip route replace 198.19.2.0/24 via 198.18.0.2 dev tunl0 onlink proto 202
ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink proto 202
ip route del 198.19.9.0/24 proto 202
ip -6 route replace fd00:0:2::/64 via ::198.18.0.2 dev sit0 onlink proto 202
ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink proto 202
ip -6 route replace fd00:0:4::/64 via ::198.18.7.4 dev sit0 onlink proto 202" \
	plan --tunnel-mode sit
PLAN_ENV="PROTOCOL=77 TABLE=100 TUNNEL_MODE=sit"

# Another protocol is another router's (a second network's): its tunnel
# address has a label of its own, so neither takes the other's.
check_out "sit, protocol 77, table 100" "ip link set sit0 up
ip link set tunl0 up
ip addr add 198.19.1.0/32 dev tunl0 label tunl0:xc77
ip route replace 198.19.2.0/24 via 198.18.0.2 dev tunl0 onlink proto 77 table 100
ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink proto 77 table 100
ip route replace 198.19.4.0/24 via 198.18.7.4 dev tunl0 onlink proto 77 table 100
ip -6 route replace fd00:0:2::/64 via ::198.18.0.2 dev sit0 onlink proto 77 table 100
ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink proto 77 table 100
ip -6 route replace fd00:0:4::/64 via ::198.18.7.4 dev sit0 onlink proto 77 table 100" \
	plan
PLAN_ENV=

check_out "ipip" "ip link set tunl0 up
ip addr add 198.19.1.0/32 dev tunl0 label tunl0:xc
ip route replace 198.19.2.0/24 via 198.18.0.2 dev tunl0 onlink proto 202
ip route replace 198.19.3.0/24 via 198.18.0.3 dev tunl0 onlink proto 202
ip route del 198.19.9.0/24 proto 202
ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202
ip -6 route replace fd00:0:3::/64 via fd00:100::c612:3 dev eth0 proto 202
ip -6 route replace fd00:0:4::/64 via fd00:100::c612:704 dev eth0 proto 202" \
	plan --tunnel-mode ipip --ipv6-prefix fd00:100::/96

VX="ip link add xcvx0 address 0a:58:c6:12:00:01 mtu 1450 type vxlan id 1 dstport 4789 local 198.18.0.1 dev eth0 nolearning
ip link set xcvx0 up
ip addr add 198.19.1.0/32 dev xcvx0 label xcvx0:xc"
VXPLAN="ip route replace 198.19.2.0/24 via 198.19.2.0 dev xcvx0 onlink proto 202
ip route replace 198.19.3.0/24 via 198.19.3.0 dev xcvx0 onlink proto 202
ip route del 198.19.9.0/24 proto 202
ip -6 route replace fd00:0:2::/64 via fd00:0:2:: dev xcvx0 onlink proto 202
ip -6 route replace fd00:0:3::/64 via fd00:0:3:: dev xcvx0 onlink proto 202
ip -6 route replace fd00:0:4::/64 via fd00:0:4:: dev xcvx0 onlink proto 202
bridge fdb replace 0a:58:c6:12:00:02 dev xcvx0 dst 198.18.0.2 self permanent
bridge fdb replace 0a:58:c6:12:00:03 dev xcvx0 dst 198.18.0.3 self permanent
bridge fdb replace 0a:58:c6:12:07:04 dev xcvx0 dst 198.18.7.4 self permanent
ip neigh replace 198.19.2.0 lladdr 0a:58:c6:12:00:02 dev xcvx0 nud permanent
ip neigh replace 198.19.3.0 lladdr 0a:58:c6:12:00:03 dev xcvx0 nud permanent
ip neigh replace 198.19.4.0 lladdr 0a:58:c6:12:07:04 dev xcvx0 nud permanent
ip -6 neigh replace fd00:0:2:: lladdr 0a:58:c6:12:00:02 dev xcvx0 nud permanent
ip -6 neigh replace fd00:0:3:: lladdr 0a:58:c6:12:00:03 dev xcvx0 nud permanent
ip -6 neigh replace fd00:0:4:: lladdr 0a:58:c6:12:07:04 dev xcvx0 nud permanent"
check_out "vxlan" "$VX
$VXPLAN" plan --tunnel-mode vxlan

# Nothing of ours in the kernel (a second router's protocol, with its own
# device): every entry is an addition, taken from the wanted set itself,
# not a diff; still in key order.
check_out "vxlan, the kernel empty of ours" "$(printf '%s\n%s\n' "$VX" "$VXPLAN" |
	sed '/ route del /d; s/xcvx0/xcvx77/g; s/ id 1 / id 77 /; s/:xc$/:xc77/; s/proto 202/proto 77/')" \
	plan --tunnel-mode vxlan --protocol 77

check_out "vxlan: VNI, port, name" "ip link add vx9 address 0a:58:c6:12:00:01 mtu 1450 type vxlan id 42 dstport 8472 local 198.18.0.1 dev eth0 nolearning
ip link set vx9 up" sh -c "ip netns exec $NS $XC router --dry-run --node-name n1 --nodes-file $D/nodes.json --metrics-port 0 --tunnel-mode vxlan --vxlan-name vx9 --vxlan-vni 42 --vxlan-port 8472 2>/dev/null | grep 'ip link'"

check_out "auto" "$VX
ip route replace 198.19.2.0/24 via 198.18.0.2 dev eth0 proto 202
ip route replace 198.19.3.0/24 via 198.18.0.3 dev eth0 proto 202
ip route del 198.19.9.0/24 proto 202
ip -6 route replace fd00:0:2::/64 via fd00:100::2 dev eth0 proto 202
ip -6 route replace fd00:0:3::/64 via fd00:0:3:: dev xcvx0 onlink proto 202
ip -6 route replace fd00:0:4::/64 via fd00:0:4:: dev xcvx0 onlink proto 202
bridge fdb replace 0a:58:c6:12:00:03 dev xcvx0 dst 198.18.0.3 self permanent
bridge fdb replace 0a:58:c6:12:07:04 dev xcvx0 dst 198.18.7.4 self permanent
ip neigh replace 198.19.4.0 lladdr 0a:58:c6:12:07:04 dev xcvx0 nud permanent
ip -6 neigh replace fd00:0:3:: lladdr 0a:58:c6:12:00:03 dev xcvx0 nud permanent
ip -6 neigh replace fd00:0:4:: lladdr 0a:58:c6:12:07:04 dev xcvx0 nud permanent" \
	plan --tunnel-mode auto

# sit's src: this node's own IPv6 pod address (the bridge's), once usable.
# While DAD runs on it the kernel refuses it as a source ("Invalid source
# address"): no src then. A 30 s DAD keeps it tentative for this test.
ip -n "$NS" link add cni0 type veth peer name cni0p
x sysctl -qw net.ipv6.neigh.cni0.retrans_time_ms=30000
ip -n "$NS" link set cni0 up
ip -n "$NS" link set cni0p up
ip -n "$NS" addr add fd00:0:1::1/64 dev cni0
SIT6="ip -6 route replace fd00:0:2::/64 via ::198.18.0.2 dev sit0 onlink%s proto 202
ip -6 route replace fd00:0:3::/64 via ::198.18.0.3 dev sit0 onlink%s proto 202
ip -6 route replace fd00:0:4::/64 via ::198.18.7.4 dev sit0 onlink%s proto 202"
check_grep "sit: the own IPv6 pod address is tentative" tentative ip -n "$NS" -6 addr show dev cni0
# shellcheck disable=SC2059
check_out "sit: own IPv6 pod address tentative: no src" "$(printf "$SIT6" "" "" "")" \
	sh -c "ip netns exec $NS $XC router --dry-run --node-name n1 --nodes-file $D/nodes.json --metrics-port 0 --tunnel-mode sit 2>$D/err | grep 'route.*sit0'"
check_grep "sit: tentative address logged" 'IPv6 pod address is still tentative \(DAD\)' cat "$D/err"
ip -n "$NS" addr del fd00:0:1::1/64 dev cni0
ip -n "$NS" addr add fd00:0:1::1/64 dev cni0 nodad
S=" src fd00:0:1::1"
# shellcheck disable=SC2059
check_out "sit: own IPv6 pod address usable: src" "$(printf "$SIT6" "$S" "$S" "$S")" \
	sh -c "ip netns exec $NS $XC router --dry-run --node-name n1 --nodes-file $D/nodes.json --metrics-port 0 --tunnel-mode sit 2>/dev/null | grep 'route.*sit0'"
ip -n "$NS" link del cni0

# default on this kernel (no sit): direct routes, said so
check_out "default mode without sit" "$(plan --tunnel-mode none)" plan
check_grep "default mode logged" "tunnel mode none \(direct routes\): this kernel has no sit" cat "$D/err"

# the dry run changed nothing; --once makes the plan, then nothing is left to do
check_out "dry run changed nothing" "198.19.4.0/24 via 198.18.0.254 dev eth0 proto static
198.19.9.0/24 via 198.18.0.9 dev eth0 proto 202" sh -c "ip -n $NS route show | grep 198.19 | sed 's/ *$//'"
once() { x "$XC" router --once --node-name n1 --nodes-file "$D/nodes.json" --metrics-port 0 \
	--cache-dir "$D/cache" "$@" 2>"$D/once"; }
check "none --once" once --tunnel-mode none
# Then vxlan on the same node: the kernel refuses to replace the direct
# fd00:0:2::/64 via fd00:100::2 dev eth0 by one via fd00:0:2:: dev xcvx0
# onlink ("Nexthop has invalid gateway or device mismatch"): remove, add.
check "vxlan --once after none" once --tunnel-mode vxlan
check_out "none -> vxlan: the direct IPv6 route removed, then added" "remove route fd00:0:2::/64 via fd00:100::2 dev eth0
add route fd00:0:2::/64 via fd00:0:2:: dev xcvx0 onlink
add route fd00:0:3::/64 via fd00:0:3:: dev xcvx0 onlink
add route fd00:0:4::/64 via fd00:0:4:: dev xcvx0 onlink" sh -c "grep -o '\(add\|remove\|replace\) route fd00.*' $D/once"
check_grep "none -> vxlan: no change failed" 'full sync: [0-9]+ changes \(0 failed\)' cat "$D/once"
check_grep "vxlan: xcvx0 has our address, labelled" 'inet 198.19.1.0/32 scope global xcvx0:xc' \
	ip -n "$NS" addr show dev xcvx0
check_out "then the plan is empty" "" plan --tunnel-mode vxlan
check_grep "vxlan -> none would remove our address from xcvx0" '^ip addr del 198.19.1.0/32 dev xcvx0$' \
	plan --tunnel-mode none
check_out "the cache for node-local" "198.19.1.0/24
fd00:0:1::/64" grep -v '^#' "$D/cache/xcluster-cni/podcidrs"
check "--cleanup" x "$XC" router --cleanup --node-name n1 --metrics-port 0
check_out "cleanup left the foreign route only" "198.19.4.0/24 via 198.18.0.254 dev eth0 proto static" \
	sh -c "ip -n $NS route show | grep 198.19 | sed 's/ *$//'"
check "cleanup deleted xcvx0" sh -c "! ip -n $NS link show xcvx0 2>/dev/null"

# configuration errors: exit 2 with a reason
check_exit "bad mode" 2 x "$XC" router --dry-run --tunnel-mode gre --nodes-file "$D/nodes.json"
check_exit "bad protocol" 2 x "$XC" router --dry-run --protocol 0 --nodes-file "$D/nodes.json"
check_exit "bad prefix" 2 x env IPV6_PREFIX=198.18.0.0/16 "$XC" router --dry-run --nodes-file "$D/nodes.json"
check_exit "missing node list: --once fails" 1 x "$XC" router --once --node-name n1 --nodes-file "$D/none.json" --metrics-port 0
t_done
