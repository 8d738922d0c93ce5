#!/bin/sh
# bridge: ADD, CHECK and DEL at every spec version for IPv4, IPv6 and
# dual-stack, with node-local and with the reference host-local as IPAM;
# pings on one node; the options; every error code from its bad input; a
# failed ADD leaves nothing behind; STATUS, GC, VERSION.
. test/lib/t.sh
. test/netns/bridge.lib
br_setup

V4=198.18.0.0/24
V6=fd00:18::/64
POD=$(mkns pod)

# cycle IPAM VERSION FAMILY: ADD, CHECK, DEL, DEL again of one pod.
cycle() {
	_ipam=$1 _v=$2 _fam=$3
	_net=cyc-$_ipam-$(echo "$_v" | tr -d .)-$_fam
	case $_fam in
	4) _cidrs=$V4 ;;
	6) _cidrs=$V6 ;;
	*) _cidrs="$V4 $V6" ;;
	esac
	_n=$(echo $_cidrs | wc -w)
	_cid=c-$_net
	_conf=$(conf "$_v" "$_net" br-cyc "$(ipam "$_ipam" $_cidrs)" ',"isDefaultGateway":true')
	_d="$_ipam $_v v$_fam"
	_out=$(printf '%s' "$_conf" | cni bridge ADD "$_cid" "$POD" eth0)
	_rc=$?
	if [ "$_rc" != 0 ]; then
		t_fail "$_d: ADD exit $_rc: $_out"
		return
	fi
	t_ok
	case $_v in
	0.*) _want=$_n ;;
	*) _want=0 ;;
	esac
	# One jq for all the result's fields (jq is slow to start).
	eval "$(jf "$_out" '@sh "r_ver=\(.cniVersion) r_n=\(.ips | length)
		r_nver=\([.ips[] | select(.version != null)] | length)
		r_ifs=\([.interfaces[0].name, .interfaces[2].name, .interfaces[2].sandbox,
			(.interfaces[1].sandbox // "-")] | join(" "))
		r_ipif=\([.ips[].interface] | unique | map(tostring) | join(","))
		r_addrs=\([.ips[].address] | sort | join(" "))
		r_ndef=\([.routes[] | select(.dst == "0.0.0.0/0" or .dst == "::/0")] | length)
		r_veth=\(.interfaces[1].name)"')"
	eq "$_d: result cniVersion" "$r_ver" "$_v"
	eq "$_d: one address per family" "$r_n" "$_n"
	eq "$_d: ips[].version only before 1.0.0" "$r_nver" "$_want"
	eq "$_d: interfaces bridge, host veth, pod" "$r_ifs" "br-cyc eth0 /var/run/netns/$POD -"
	eq "$_d: ips point at the pod interface" "$r_ipif" "2"
	eq "$_d: pod has the result's addresses" "$(pod_addrs "$POD" eth0 | tr '\n' ' ')" "$r_addrs "
	eq "$_d: a default route per family" "$r_ndef" "$_n"
	eq "$_d: pod default routes" \
		"$( (ip -n "$POD" -4 route show default; ip -n "$POD" -6 route show default) | grep -c via)" "$_n"
	eq "$_d: host veth on the bridge" "$(veths br-cyc)" "$r_veth"
	eq "$_d: allocations" "$(allocs "$_net" "$_cid")" "$_n"
	_check=$(with_prev "$_conf" "$_out" | cni bridge CHECK "$_cid" "$POD" eth0)
	_rc=$?
	case $_v in
	0.3.*) eq "$_d: CHECK refused before 0.4.0 (code 1)" "$_rc $(code "$_check")" "1 1" ;;
	*) eq "$_d: CHECK" "$_rc $_check" "0 " ;;
	esac
	_del=$(printf '%s' "$_conf" | cni bridge DEL "$_cid" "$POD" eth0)
	eq "$_d: DEL" "$? $_del" "0 "
	has_link "$POD" eth0 && t_fail "$_d: eth0 left after DEL" || t_ok
	eq "$_d: no veth left" "$(veths br-cyc)" ""
	eq "$_d: no allocation left" "$(allocs "$_net" "$_cid")" "0"
	printf '%s' "$_conf" | cni bridge DEL "$_cid" "$POD" eth0 >/dev/null
	eq "$_d: DEL again" "$?" "0"
}

for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	for fam in 4 6 46; do
		cycle node-local $v $fam
		if [ $REF = 1 ] && [ $v != 1.1.0 ]; then
			cycle host-local $v $fam
		fi
	done
done
[ $REF = 1 ] || t_skip "reference host-local not installed (containernetworking-plugins)" 13

# --- pings on one node: pod to gateway, pod to pod, IPv4 and IPv6 -----------
PA=$(mkns pa)
PB=$(mkns pb)
C=$(conf 1.0.0 ping br-ping "$(ipam node-local 198.18.1.0/24 fd00:1::/64)" ',"isDefaultGateway":true')
A=$(printf '%s' "$C" | cni bridge ADD ca "$PA" eth0)
check "ping: ADD a" test -n "$(jf "$A" '.ips[0].address')"
# Without enabledad nothing waits on DAD: the pod's address and the bridge's
# gateway are NODAD, usable the moment ADD returns (a tentative gateway made
# the first pod's IPv6 wait 1-2 s, longer on a busy node).
eq "ping: pod IPv6 address added nodad" \
	"$(ip -n "$PA" -j addr show dev eth0 | jq '[.[0].addr_info[] | select(.family == "inet6" and .scope == "global" and .nodad)] | length')" 1
eq "ping: bridge IPv6 gateway nodad, not tentative right after the first ADD" \
	"$(ip -n "$HOST" -j addr show dev br-ping | jq -c '[.[0].addr_info[] | select(.local == "fd00:1::1") | [.nodad, .tentative]]')" '[[true,null]]'
# Nor on the bridge we created: a tentative link-local there left the
# kernel no source for the solicitations of forwarded IPv6 (portmap.sh's
# first outside connection waited 1-2 s). Its router advertisements off.
eq "ping: the bridge we created has accept_dad 0, accept_ra 0" \
	"$(ip netns exec "$HOST" cat /proc/sys/net/ipv6/conf/br-ping/accept_dad /proc/sys/net/ipv6/conf/br-ping/accept_ra | tr '\n' ' ')" "0 0 "
B=$(printf '%s' "$C" | cni bridge ADD cb "$PB" eth0)
check "ping: ADD b" test -n "$(jf "$B" '.ips[0].address')"
b4=$(jf "$B" '.ips[] | select(.address | test("\\.")) | .address | split("/")[0]')
b6=$(jf "$B" '.ips[] | select(.address | test(":")) | .address | split("/")[0]')
check "ping: a to gateway v4" ip netns exec "$PA" ping -c 1 -w 30 198.18.1.1
check "ping: a to gateway v6" ip netns exec "$PA" ping -c 1 -w 30 fd00:1::1
check "ping: a to b v4" ip netns exec "$PA" ping -c 1 -w 30 "$b4"
check "ping: a to b v6" ip netns exec "$PA" ping -c 1 -w 30 "$b6"
eq "ping: forwarding on in the host namespace" \
	"$(ip netns exec "$HOST" cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding | tr '\n' ' ')" "1 1 "
eq "ping: pod IPv6 without DAD" "$(ip netns exec "$PA" cat /proc/sys/net/ipv6/conf/eth0/accept_dad)" 0
eq "ping: no tentative address in the pod after ADD" \
	"$(ip -n "$PB" -j addr show dev eth0 | jq '[.[0].addr_info[] | select(.tentative)] | length')" 0
printf '%s' "$C" | cni bridge DEL ca "$PA" eth0 >/dev/null
printf '%s' "$C" | cni bridge DEL cb "$PB" eth0 >/dev/null

# --- error codes, each from its bad input --------------------------------------
G=$(conf 1.0.0 errs br-err "$(ipam node-local 198.18.2.0/24)")
err_case() { # DESC WANT-CODE CID POD IFNAME CONF
	_o=$(printf '%s' "$6" | cni bridge ADD "$3" "$4" "$5")
	eq "error: $1" "$? $(code "$_o")" "1 $2"
}
err_case "missing netns -> 107" 107 ce1 "$NS-nonexistent" eth0 "$G"
err_case "netns path not a namespace -> 107" 107 ce1 /etc/hostname eth0 "$G"
err_case "bad ifname -> 4" 4 ce1 "$POD" "eth/0" "$G"
err_case "ifname too long -> 4" 4 ce1 "$POD" "abcdefghijklmnop" "$G"
err_case "bad container ID -> 4" 4 "-bad id" "$POD" eth0 "$G"
err_case "garbage JSON -> 6" 6 ce1 "$POD" eth0 '{"cniVersion": "1.0.0", name'
err_case "unknown cniVersion -> 1" 1 ce1 "$POD" eth0 "$(conf 9.9.9 errs br-err "$(ipam node-local $V4)")"
err_case "portIsolation true -> 2" 2 ce1 "$POD" eth0 "$(conf 1.0.0 errs br-err "$(ipam node-local $V4)" ',"portIsolation":true')"
err_case "macspoofchk not a boolean -> 7" 7 ce1 "$POD" eth0 "$(conf 1.0.0 errs br-err "$(ipam node-local $V4)" ',"macspoofchk":1')"
err_case "mtu as a string -> 7" 7 ce1 "$POD" eth0 "$(conf 1.0.0 errs br-err "$(ipam node-local $V4)" ',"mtu":"1400"')"
err_case "vlan out of range -> 7" 7 ce1 "$POD" eth0 "$(conf 1.0.0 errs br-err "$(ipam node-local $V4)" ',"vlan":4095')"
err_case "hairpin and promisc -> 7" 7 ce1 "$POD" eth0 \
	"$(conf 1.0.0 errs br-err "$(ipam node-local $V4)" ',"hairpinMode":true,"promiscMode":true')"
err_case "bad bridge name -> 7" 7 ce1 "$POD" eth0 "$(conf 1.0.0 errs "a/b" "$(ipam node-local $V4)")"
err_case "bad MAC -> 7" 7 ce1 "$POD" eth0 \
	"$(conf 1.0.0 errs br-err "$(ipam node-local $V4)" ',"runtimeConfig":{"mac":"01:02:03:04:05:06"}')"
CNI_ARGS="FOO=bar" err_case "unknown CNI_ARGS key -> 2" 2 ce1 "$POD" eth0 "$G"
ip -n "$HOST" link add br-notbr type veth peer name br-notbr-p
err_case "bridge name taken by a non-bridge -> 7" 7 ce1 "$POD" eth0 "$(conf 1.0.0 errs br-notbr "$(ipam node-local $V4)")"
o=$(printf '%s' "$G" | env -u CNI_COMMAND nsenter --net=/var/run/netns/"$HOST" "$BIN/bridge")
eq "error: no CNI_COMMAND -> 4" "$? $(code "$o")" "1 4"
eq "error: nothing left by the failures above" "$(veths br-err) $(allocs errs ce1)" " 0"
has_link "$POD" eth0 && t_fail "error: eth0 left in the pod" || t_ok

# --- a failed ADD takes back what it did ---------------------------------------
U=$(conf 1.0.0 undo br-undo '{"type":"no-such-ipam"}')
o=$(printf '%s' "$U" | cni bridge ADD cu1 "$POD" eth0)
eq "undo: unknown IPAM type -> 103" "$? $(code "$o")" "1 103"
eq "undo: no veth after the IPAM failure" "$(veths br-undo)" ""
has_link "$POD" eth0 && t_fail "undo: eth0 left after the IPAM failure" || t_ok
# IPAM itself fails after the veth exists: the range holds one pod only.
X=$(conf 1.0.0 tiny br-undo "$(ipam node-local 198.18.3.0/30)")
P2=$(mkns p2)
o=$(printf '%s' "$X" | cni bridge ADD cu2 "$P2" eth0)
eq "undo: first pod of a /30" "$?" 0
o=$(printf '%s' "$X" | cni bridge ADD cu3 "$POD" eth0)
eq "undo: /30 exhausted -> 101" "$? $(code "$o")" "1 101"
eq "undo: only the first pod's veth" "$(veths br-undo | wc -l | tr -d ' ')" 1
has_link "$POD" eth0 && t_fail "undo: eth0 left after exhaustion" || t_ok
printf '%s' "$X" | cni bridge DEL cu2 "$P2" eth0 >/dev/null
# A failure after IPAM: the bridge holds another IPv4 address, no forceAddress.
ip -n "$HOST" link add br-conf type bridge
ip -n "$HOST" addr add 198.18.4.1/24 dev br-conf
F=$(conf 1.0.0 force br-conf "$(ipam node-local 198.18.5.0/24)" ',"isGateway":true')
o=$(printf '%s' "$F" | cni bridge ADD cu4 "$POD" eth0)
eq "undo: gateway conflict -> 7" "$? $(code "$o")" "1 7"
eq "undo: allocation released" "$(allocs force cu4)" 0
eq "undo: veth removed" "$(veths br-conf)" ""
if [ $REF = 1 ]; then
	H11=$(conf 1.1.0 h11 br-undo "$(ipam host-local $V4)")
	o=$(printf '%s' "$H11" | cni bridge ADD cu5 "$POD" eth0)
	eq "undo: host-local's own error passes through (code 1 at 1.1.0)" "$? $(code "$o")" "1 1"
	eq "undo: no veth after host-local refused" "$(veths br-undo | wc -l | tr -d ' ')" 0
fi
# forceAddress replaces the address in the way.
F=$(conf 1.0.0 force br-conf "$(ipam node-local 198.18.5.0/24)" ',"isGateway":true,"forceAddress":true')
o=$(printf '%s' "$F" | cni bridge ADD cu4 "$POD" eth0)
eq "forceAddress: ADD" "$?" 0
eq "forceAddress: bridge address replaced" \
	"$(ip -n "$HOST" -j addr show dev br-conf | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" \
	"198.18.5.1"
eq "forceAddress: a bridge we did not create keeps its accept_dad" \
	"$(ip netns exec "$HOST" cat /proc/sys/net/ipv6/conf/br-conf/accept_dad)" 1
printf '%s' "$F" | cni bridge DEL cu4 "$POD" eth0 >/dev/null

# --- CHECK finds each difference (code 106) ------------------------------------
K=$(conf 1.0.0 chk br-chk "$(ipam node-local 198.18.6.0/24 fd00:6::/64)" ',"isDefaultGateway":true')
chk_case() { # DESC BREAK-COMMAND (run with the ADD result in $R, veth in $VE)
	R=$(printf '%s' "$K" | cni bridge ADD ck "$POD" eth0)
	VE=$(jf "$R" '.interfaces[1].name')
	eval "$2"
	_o=$(with_prev "$K" "$R" | cni bridge CHECK ck "$POD" eth0)
	eq "CHECK: $1 -> 106" "$? $(code "$_o")" "1 106"
	printf '%s' "$K" | cni bridge DEL ck "$POD" eth0 >/dev/null
}
chk_case "route removed" 'ip -n "$POD" route del default'
chk_case "IPv6 address removed" 'ip -n "$POD" addr del "$(jf "$R" ".ips[1].address")" dev eth0'
chk_case "veth off the bridge" 'ip -n "$HOST" link set "$VE" nomaster'
chk_case "pod MAC changed" 'ip -n "$POD" link set eth0 address 02:00:00:00:00:42'
chk_case "pod interface down" 'ip -n "$POD" link set eth0 down'
chk_case "bridge promiscuous" 'ip -n "$HOST" link set br-chk promisc on'
ip -n "$HOST" link set br-chk promisc off
o=$(printf '%s' "$K" | cni bridge CHECK ck "$POD" eth0)
eq "CHECK: no prevResult -> 7" "$? $(code "$o")" "1 7"

# --- options -------------------------------------------------------------------
opt_add() { # NAME BRIDGE EXTRA [IPAM]: ADD into $POD, result in $R
	O=$(conf 1.1.0 "$1" "$2" "${4:-$(ipam node-local 198.18.7.0/24 fd00:7::/64)}" "$3")
	R=$(printf '%s' "$O" | cni bridge ADD co "$POD" eth0)
	eq "$1: ADD" "$? $(code "$R")" "0 "
	VE=$(jf "$R" '.interfaces[1].name')
}
opt_del() {
	printf '%s' "$O" | cni bridge DEL co "$POD" eth0 >/dev/null
	eq "$1: DEL" "$?" 0
}
opt_add mtu br-mtu ',"mtu":1400'
eq "mtu: bridge, host veth, pod" "$(ip -n "$HOST" -j link show br-mtu | jq '.[0].mtu') \
$(ip -n "$HOST" -j link show "$VE" | jq '.[0].mtu') $(ip -n "$POD" -j link show eth0 | jq '.[0].mtu')" "1400 1400 1400"
eq "mtu: in the 1.1.0 result" "$(jf "$R" '[.interfaces[].mtu] | join(" ")')" "1400 1400 1400"
opt_del mtu
opt_add mac br-opt ',"runtimeConfig":{"mac":"0a:58:c6:12:07:09"}'
eq "mac: runtimeConfig.mac on the pod" "$(ip -n "$POD" -j link show eth0 | jq -r '.[0].address') \
$(jf "$R" '.interfaces[2].mac')" "0a:58:c6:12:07:09 0a:58:c6:12:07:09"
opt_del mac
opt_add args-mac br-opt ',"args":{"cni":{"mac":"0a:58:c6:12:07:0a"}}'
eq "mac: args.cni.mac" "$(ip -n "$POD" -j link show eth0 | jq -r '.[0].address')" "0a:58:c6:12:07:0a"
opt_del args-mac
CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=x;MAC=0a:58:c6:12:07:0b" opt_add env-mac br-opt ''
eq "mac: CNI_ARGS MAC with IgnoreUnknown" "$(ip -n "$POD" -j link show eth0 | jq -r '.[0].address')" \
	"0a:58:c6:12:07:0b"
opt_del env-mac
opt_add hairpin br-opt ',"hairpinMode":true'
eq "hairpinMode: port hairpin on" \
	"$(ip -n "$HOST" -d -j link show "$VE" | jq -r '.[0].linkinfo.info_slave_data.hairpin')" true
opt_del hairpin
opt_add promisc br-prm ',"promiscMode":true'
eq "promiscMode: bridge promiscuous" \
	"$(ip -n "$HOST" -d -j link show br-prm | jq -r '.[0].promiscuity > 0')" true
opt_del promisc
ip netns add "$NS-probe"
if ! ip -n "$NS-probe" link add probe0 type bridge vlan_filtering 1 2>/dev/null; then
	# This kernel has no bridge VLAN filtering: the ADD must fail cleanly.
	O=$(conf 1.1.0 vlan br-vl "$(ipam node-local 198.18.7.0/24)" ',"vlan":100')
	o=$(printf '%s' "$O" | cni bridge ADD co "$POD" eth0)
	eq "vlan: no VLAN filtering in this kernel -> 105" "$? $(code "$o")" "1 105"
	has_link "$POD" eth0 && t_fail "vlan: eth0 left" || t_ok
	eq "vlan: nothing allocated" "$(allocs vlan co)" 0
	t_skip "kernel without bridge VLAN filtering: VLAN membership not checked" 5
elif command -v bridge >/dev/null 2>&1; then
	opt_add vlan br-vl ',"vlan":100'
	eq "vlan: filtering on the new bridge" \
		"$(ip -n "$HOST" -d -j link show br-vl | jq '.[0].linkinfo.info_data.vlan_filtering')" 1
	eq "vlan: 100 as PVID untagged, default kept" "$(ip netns exec "$HOST" bridge -j vlan show dev "$VE" |
		jq -c '[.[0].vlans[] | {vlan, flags}] | sort_by(.vlan)')" \
		'[{"vlan":1,"flags":["PVID","Egress Untagged"]},{"vlan":100,"flags":["PVID","Egress Untagged"]}]'
	opt_del vlan
	opt_add vlan-nodefault br-vl ',"vlan":100,"preserveDefaultVlan":false'
	eq "vlan: preserveDefaultVlan false drops VLAN 1" \
		"$(ip netns exec "$HOST" bridge -j vlan show dev "$VE" | jq -c '[.[0].vlans[].vlan]')" '[100]'
	opt_del vlan-nodefault
else
	t_skip "no bridge(8) to read VLANs" 8
fi
opt_add l2 br-l2 '' '{}'
eq "layer 2 only: no ips, pod up without addresses" "$(jf "$R" '.ips | length') \
$(ip -n "$POD" -j link show eth0 | jq -r '.[0].operstate') $(pod_addrs "$POD" eth0 | wc -l | tr -d ' ')" "0 UP 0"
opt_del l2
opt_add dns br-opt ',"dns":{"nameservers":["198.18.0.53"],"search":["svc.local"]}'
eq "dns: the configuration's dns in the result" "$(jf "$R" '.dns | tojson')" \
	'{"nameservers":["198.18.0.53"],"search":["svc.local"]}'
opt_del dns
opt_add plain br-plain ''
eq "no isGateway: bridge without addresses, no default route" \
	"$(ip -n "$HOST" -j addr show dev br-plain | jq '[.[0].addr_info[] | select(.scope == "global")] | length') \
$(ip -n "$POD" route show default | wc -l | tr -d ' ')" "0 0"
opt_del plain
opt_add enabledad br-dad ',"enabledad":true'
eq "enabledad: accept_dad on, addresses settled when ADD returns" \
	"$(ip netns exec "$POD" cat /proc/sys/net/ipv6/conf/eth0/accept_dad) \
$(ip -n "$POD" -j addr show dev eth0 | jq '[.[0].addr_info[] | select(.tentative)] | length')" "1 0"
opt_del enabledad

# --- STATUS, GC, VERSION (1.1.0) -----------------------------------------------
S=$(conf 1.1.0 gc br-gc "$(ipam node-local 198.18.8.0/24)")
o=$(printf '%s' "$S" | cni bridge STATUS "" "" "")
eq "STATUS: ready" "$? $o" "0 "
o=$(conf 1.1.0 gc2 br-gc "{\"type\":\"node-local\",\"dataDir\":\"$T/state\"}" | cni bridge STATUS "" "" "")
eq "STATUS: IPAM not ready passes through (code 50)" "$? $(code "$o")" "1 50"
o=$(conf 1.0.0 gc br-gc "$(ipam node-local 198.18.8.0/24)" | cni bridge STATUS "" "" "")
eq "STATUS: refused before 1.1.0 (code 1)" "$? $(code "$o")" "1 1"
P3=$(mkns p3)
printf '%s' "$S" | cni bridge ADD g1 "$POD" eth0 >/dev/null
printf '%s' "$S" | cni bridge ADD g2 "$P3" eth0 >/dev/null
eq "GC: two pods" "$(veths br-gc | wc -l | tr -d ' ') $(allocs gc g1) $(allocs gc g2)" "2 1 1"
printf '%s' "$S" | jq -c '. + {"cni.dev/valid-attachments": [{"containerID": "g1", "ifname": "eth0"}]}' |
	cni bridge GC "" "" "" >/dev/null
eq "GC: exit" "$?" 0
eq "GC: the other pod's veth and address are gone" \
	"$(veths br-gc | wc -l | tr -d ' ') $(allocs gc g1) $(allocs gc g2)" "1 1 0"
has_link "$POD" eth0 && t_ok || t_fail "GC: the valid pod lost its interface"
# An ADD killed between creating the veth and setting its alias leaves a port
# in the link group XC_PODLINK_GROUP_NEW (0x78636e69): GC removes it; an
# unmarked port of anyone else (default group) stays.
eq "GC: a finished ADD's port is in the default group" \
	"$(ip -n "$HOST" -j link show master br-gc | jq -r '.[].group')" default
ip -n "$HOST" link add vethkill0 group $((0x78636e69)) type veth peer name vethkill1
ip -n "$HOST" link add vethforn0 type veth peer name vethforn1
ip -n "$HOST" link set vethkill0 master br-gc
ip -n "$HOST" link set vethforn0 master br-gc
printf '%s' "$S" | jq -c '. + {"cni.dev/valid-attachments": [{"containerID": "g1", "ifname": "eth0"}]}' |
	cni bridge GC "" "" "" >/dev/null
eq "GC: a port left by a killed ADD (group, no alias) is removed" \
	"$(ip -n "$HOST" link show vethkill0 2>/dev/null | wc -l | tr -d ' ')" 0
eq "GC: a foreign unmarked port and the valid pod's stay" \
	"$(ip -n "$HOST" -o link show vethforn0 2>/dev/null | wc -l | tr -d ' ') $(veths br-gc | wc -l | tr -d ' ')" "1 2"
ip -n "$HOST" link del vethforn0
printf '%s' "$S" | cni bridge DEL g1 "$POD" eth0 >/dev/null
o=$(echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION "$BIN/bridge")
eq "VERSION: supported versions" "$(jf "$o" '.supportedVersions | join(" ")')" "0.3.0 0.3.1 0.4.0 1.0.0 1.1.0"

t_done
