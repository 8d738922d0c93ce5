#!/bin/sh
# guest.sh: the checks inside the test VM (docs/vm.md), run by init.sh.
#
# Three nodes n1 n2 n3, each a network namespace with eth0 on one bridge
# segment (seg0, in the VM's own namespace): 198.18.0.1I/24 and
# fd00:18::1I/64. Node nI has the pod CIDRs 198.19.I.0/24 and
# fd00:19:I::/64 and one pod pI, put there by our bridge + node-local
# plugins through the CNI calling convention. Per tunnel mode every node
# gets its routes (from the router with --nodes-file, or by hand with
# XCVM_ROUTES=manual), and pods ping each other across nodes.
#
# Prints "ok DESC", "FAIL vm: DESC" (with the command's output indented
# below) or "SKIP vm: DESC" per check, then "@@XCVM-RESULT P F S".
XC=/bin/xcluster-cni
N="1 2 3"
PASS=0 FAIL=0 SKIP=0

ok()   { PASS=$((PASS + 1)); echo "ok $*"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL vm: $*"; }
skip() { SKIP=$((SKIP + 1)); echo "SKIP vm: $*"; }
phase() { echo "== $* (t=$(cut -d' ' -f1 /proc/uptime))"; }

# check DESC CMD...: CMD must exit 0.
check() {
	_d=$1
	shift
	"$@" > /tmp/out 2>&1
	_rc=$?
	if [ $_rc = 0 ]; then ok "$_d"; else fail "$_d (exit $_rc)"; tail -n 15 /tmp/out | sed 's/^/    /'; fi
}

inns() { _ns=$1; shift; nsenter --net=/run/netns/"$_ns" "$@"; }
mkns() { touch /run/netns/"$1" && unshare --net=/run/netns/"$1" true; }

# soon SECS CMD...: CMD succeeds, tried until it does; 1 after SECS seconds
# (a safety deadline, generous: the VM may run slowly on a loaded host).
soon() {
	_end=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.1
	done
}
# reach NS ADDR: a ping from NS gets an answer (tried until one does, 30 s
# at most: the first may wait for neighbour resolution along the way).
reach() { soon 30 inns "$1" ping -c 1 -W 2 "$2"; }
# reach_from NS SRC ADDR: the same with the source address SRC.
reach_from() { soon 30 inns "$1" ping -c 1 -W 2 -I "$2" "$3"; }
# unreachable NS ADDR: one ping from NS gets no answer.
unreachable() { [ -n "$2" ] && ! inns "$1" ping -c 1 -W 1 "$2"; }

# rx NS DEV: packets DEV has received in NS (/proc/net/dev is per namespace).
rx() { inns "$1" cat /proc/net/dev | sed -n "s/^ *$2: *[0-9]* *\([0-9]*\).*/\1/p"; }
# grew NAME BEFORE AFTER: AFTER > BEFORE
grew() { echo "$1: $2 -> $3"; [ -n "$2" ] && [ -n "$3" ] && [ "$3" -gt "$2" ]; }

# route_is NS 4|6 PREFIX ERE: NS's route to PREFIX matches ERE.
route_is() {
	inns "$1" ip -"$2" route > /tmp/routes 2>&1
	echo "want: $3 ... $4"
	grep "^$3 " /tmp/routes || { echo "none to $3 in:"; cat /tmp/routes; }
	grep "^$3 " /tmp/routes | grep -Eq -- "$4"
}
# route_soon SECS NS 4|6 PREFIX ERE: route_is, tried until it holds; 1 after
# SECS seconds (a safety deadline).
route_soon() {
	_t=$1
	shift
	soon "$_t" route_is_quiet "$@" && return 0
	cat /tmp/soon
	return 1
}
route_is_quiet() { route_is "$@" > /tmp/soon 2>&1; }
# tun_addr NS DEV: DEV in NS has an IPv4 address from a pod CIDR (198.19.x.x).
tun_addr() { inns "$1" ip -4 addr show dev "$2" 2>&1 | tee /dev/stderr | grep -q 'inet 198\.19\.'; }
# no_route NS 4|6 PREFIX: NS has no route to PREFIX.
no_route() {
	inns "$1" ip -"$2" route > /tmp/routes 2>&1
	cat /tmp/routes
	! grep -q "^$3 " /tmp/routes
}

# --- the VM itself --------------------------------------------------------------
phase "modules"
for m in sit ipip vxlan veth bridge; do
	check "modprobe $m" modprobe "$m"
done
# Debian's systemd (50-default.conf) sets rp_filter 2 on "default" and on
# every interface; "all" is 2 here as well. New namespaces inherit IPv4's
# all/default from this one; the nodes set theirs again below.
RPF='for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 2 > $f; done'
sh -c "$RPF"
mkdir -p /run/netns

# --- nodes on one segment ------------------------------------------------------
phase "nodes"
setup_node() { # I
	mkns n$1 || return 1
	inns n$1 sh -ec "
		ip link set lo up
		$RPF
		ip link add eth0 type veth
		ip link set veth0 name seg-n$1
		ip link set seg-n$1 netns 1
		echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad
		ip addr add 198.18.0.1$1/24 dev eth0
		ip -6 addr add fd00:18::1$1/64 dev eth0
		ip link set eth0 up" || return 1
	ip link set seg-n$1 master seg0 && ip link set seg-n$1 up
}
rp_filter_is_2() { # NS: all, default and eth0
	for k in all default eth0; do
		v=$(inns "$1" cat /proc/sys/net/ipv4/conf/$k/rp_filter)
		echo "$k: $v"
		[ "$v" = 2 ] || return 1
	done
}
nodelist() { # the NodeList of the three nodes, as kubectl get nodes -o json
	printf '{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":['
	_sep=
	for i in $N; do
		printf '%s{"apiVersion":"v1","kind":"Node","metadata":{"name":"n%s","labels":{"kubernetes.io/hostname":"n%s"}},' "$_sep" $i $i
		printf '"spec":{"podCIDR":"198.19.%s.0/24","podCIDRs":["198.19.%s.0/24","fd00:19:%s::/64"]},' $i $i $i
		printf '"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.1%s"},{"type":"InternalIP","address":"fd00:18::1%s"},{"type":"Hostname","address":"n%s"}]}}' $i $i $i
		_sep=,
	done
	printf '],"kind":"List"}\n'
}
ip link add seg0 type bridge && ip link set seg0 up
for i in $N; do
	check "node n$i: namespace and eth0 on seg0" setup_node $i
	check "node n$i: rp_filter 2 (Debian's default)" rp_filter_is_2 n$i
	mkdir -p /run/n$i/cni
	nodelist > /run/n$i/nodes.json
done
for j in 2 3; do
	check "underlay: n1 reaches n$j (IPv4)" reach n1 198.18.0.1$j
	check "underlay: n1 reaches n$j (IPv6)" reach n1 fd00:18::1$j
done

# --- routes: by the router, or by hand ------------------------------------------
ROUTES=${XCVM_ROUTES:-}
if [ -z "$ROUTES" ]; then
	if $XC --list | grep -qx router; then ROUTES=router; else ROUTES=manual; fi
fi
if [ "$ROUTES" = manual ]; then
	skip "routes set by hand with busybox ip: the router is not used (XCVM_ROUTES=manual, or no router applet)"
	MODES="ipip sit none"
else
	# ipip+nh: ipip with its IPv4 routes naming nexthop objects (--nexthops on)
	MODES="ipip vxlan sit none auto ipip+nh"
fi
[ -n "${XCVM_MODES:-}" ] && MODES=$(echo "$XCVM_MODES" | tr , ' ')
echo "routes: $ROUTES; modes: $MODES"

# set_routes MODE I: node nI's routes for MODE (MODE+nh: --nexthops on).
set_routes() {
	if [ "$ROUTES" = router ]; then
		case $1 in *+nh) _nh=on ;; *) _nh=auto ;; esac
		inns n$2 $XC router --node-name n$2 --nodes-file /run/n$2/nodes.json \
			--tunnel-mode "${1%+nh}" --nexthops $_nh \
			--cache-dir /run/n$2/cni --network podnet --metrics-port 0 --log-level info --once
		return
	fi
	# By hand, as the notes found it works: through tunl0 with this node's
	# pod gateway address as the source (the receiver's rp_filter drops
	# an underlay source arriving on tunl0, which has no IPv4 address), and
	# sit0 likewise (once DAD has made that address usable as a source).
	dad_done n$2 cni0 || return 1
	_s="set -e"
	case $1 in
	sit) _s="$_s; ip link set sit0 up; ip link set tunl0 up" ;;
	ipip) _s="$_s; ip link set tunl0 up" ;;
	esac
	for j in $N; do
		[ $j = $2 ] && continue
		case $1 in
		sit)  _s="$_s; ip route replace 198.19.$j.0/24 via 198.18.0.1$j dev tunl0 onlink src 198.19.$2.1"
		      _s="$_s; ip -6 route replace fd00:19:$j::/64 via ::198.18.0.1$j dev sit0 onlink src fd00:19:$2::1" ;;
		ipip) _s="$_s; ip route replace 198.19.$j.0/24 via 198.18.0.1$j dev tunl0 onlink src 198.19.$2.1"
		      _s="$_s; ip -6 route replace fd00:19:$j::/64 via fd00:18::1$j dev eth0" ;;
		none) _s="$_s; ip route replace 198.19.$j.0/24 via 198.18.0.1$j dev eth0"
		      _s="$_s; ip -6 route replace fd00:19:$j::/64 via fd00:18::1$j dev eth0" ;;
		esac
	done
	inns n$2 sh -c "$_s"
}
# dad_done NS DEV: DEV's IPv6 addresses are no longer tentative (waits, 60 s at most).
dad_done() { soon 60 sh -c "! nsenter --net=/run/netns/$1 ip -6 addr show dev $2 | grep -q tentative"; }
# clear_routes I: no routes to other nodes' pods on nI any more.
clear_routes() {
	if [ "$ROUTES" = router ]; then
		inns n$1 $XC router --node-name n$1 --nodes-file /run/n$1/nodes.json \
			--cache-dir /run/n$1/cni --network podnet --metrics-port 0 --cleanup
		return
	fi
	for j in $N; do
		[ $j = $1 ] && continue
		inns n$1 ip route del 198.19.$j.0/24 2>/dev/null
		inns n$1 ip -6 route del fd00:19:$j::/64 2>/dev/null
		no_route n$1 4 198.19.$j.0/24 > /dev/null && no_route n$1 6 fd00:19:$j::/64 > /dev/null || return 1
	done
}
# want MODE 4|6 J: the ERE for a route to node nJ's pod CIDR in MODE.
want() {
	case $1$2 in
	sit4|ipip4) echo "via 198\.18\.0\.1$3 dev tunl0 .*onlink" ;;
	sit6)       echo "via ::198\.18\.0\.1$3 dev sit0 .*onlink" ;;
	vxlan4)     echo "via 198\.19\.$3\.0 dev xcvx0 .*onlink" ;;
	vxlan6)     echo "via fd00:19:$3:: dev xcvx0 .*onlink" ;;
	*4)         echo "via 198\.18\.0\.1$3 dev eth0" ;;
	*6)         echo "via fd00:18::1$3 dev eth0" ;;
	esac
}

# --- one pod per node, through the CNI path -----------------------------------
# The network "podnet": bridge cni0 as the pods' gateway, addresses from
# node-local: with the router, from the pod CIDR cache it writes
# (DIR/podnet/podcidrs); by hand, from ranges naming the node's pod CIDRs.
netconf() { # I
	if [ "$ROUTES" = router ]; then
		_ipam="{\"type\":\"node-local\",\"dataDir\":\"/run/n$1/cni\"}"
	else
		_ipam="{\"type\":\"node-local\",\"dataDir\":\"/run/n$1/cni\",\"ranges\":[[{\"subnet\":\"198.19.$1.0/24\"}],[{\"subnet\":\"fd00:19:$1::/64\"}]]}"
	fi
	printf '{"cniVersion":"1.0.0","name":"podnet","type":"bridge","bridge":"cni0","isGateway":true,"isDefaultGateway":true,"ipam":%s}\n' "$_ipam"
}
pod_add() { # I
	mkns p$1 || return 1
	netconf $1 | inns n$1 env CNI_COMMAND=ADD CNI_CONTAINERID=pod-$1 CNI_NETNS=/run/netns/p$1 \
		CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin /opt/cni/bin/bridge > /tmp/add$1
	_rc=$?
	cat /tmp/add$1
	return $_rc
}
pod_addr_in() { # I 4|6: the pod's address from the ADD result, in its node's pod CIDR
	if [ $2 = 4 ]; then
		a=$(sed -n 's/.*"address": *"\(198\.19\.[0-9.]*\)\/24".*/\1/p' /tmp/add$1)
	else
		a=$(sed -n 's/.*"address": *"\(fd00:19:[0-9a-f:]*\)\/64".*/\1/p' /tmp/add$1)
	fi
	eval "P$2_$1=\$a"
	echo "p$1: '$a'"
	case $2$a in
	4198.19.$1.*|6fd00:19:$1::*) inns p$1 ip -$2 addr show dev eth0 | grep -q "$a/" ;;
	*) return 1 ;;
	esac
}
cache_is() { # I: the router's pod CIDR cache for node-local names nI's CIDRs
	cat /run/n$1/cni/podnet/podcidrs &&
		grep -qx "198.19.$1.0/24" /run/n$1/cni/podnet/podcidrs &&
		grep -qx "fd00:19:$1::/64" /run/n$1/cni/podnet/podcidrs
}

phase "pods"
if [ "$ROUTES" = router ]; then
	# The router's first run writes the cache node-local reads.
	for i in $N; do
		check "router on n$i (first run, sit)" set_routes sit $i
		check "router on n$i: pod CIDR cache for node-local" cache_is $i
	done
fi
for i in $N; do
	check "pod p$i on n$i: bridge + node-local ADD" pod_add $i
	# Right after the first ADD the bridge's IPv6 address is still
	# tentative (DAD, 1-2 s): the router must not lose routes over it
	# (sit routes use it as their source).
	if [ "$ROUTES" = router ]; then
		check "router on n$i right after its pod's ADD (sit)" set_routes sit $i
		j=$((i % 3 + 1))
		check "n$i has its sit route to n$j's IPv6 pods right after the ADD" \
			route_is n$i 6 fd00:19:$j::/64 "$(want sit 6 $j)"
	fi
	check "pod p$i: IPv4 address from n$i's pod CIDR" pod_addr_in $i 4
	check "pod p$i: IPv6 address from n$i's pod CIDR" pod_addr_in $i 6
done

# --- per mode, on nodes without routes: routes, pings, proof of the tunnel -------
# no_changes MODE: a second run on n1 finds nothing to do (the router logs
# each change as "add|replace|remove ..." and a sync's "N changes").
no_changes() {
	set_routes $1 1 > /tmp/again 2>&1
	_rc=$?
	cat /tmp/again
	[ $_rc = 0 ] && ! grep -Eq 'router: [a-z]+: (add|replace|remove) |sync: [1-9][0-9]* change' /tmp/again
}
PAIRS="1:2 2:3 3:1"
# nh_named I J: nI's route to nJ's IPv4 pods names a nexthop object: a dry
# run without them would remove the object (id: nJ's address as a number).
# (The guest's busybox ip knows no nhid.)
nh_named() {
	inns n$1 $XC router --node-name n$1 --nodes-file /run/n$1/nodes.json --tunnel-mode ipip \
		--nexthops off --dry-run --cache-dir /run/n$1/cni --network podnet --metrics-port 0 \
		2>/dev/null > /tmp/nhdry
	cat /tmp/nhdry
	grep -q "^ip route replace 198.19.$2.0/24 via 198.18.0.1$2 dev tunl0 onlink" /tmp/nhdry &&
		grep -qx "ip nexthop del id $(( (198 << 24) + (18 << 16) + 10 + $2 ))" /tmp/nhdry
}
for m in $MODES; do
	phase "mode $m"
	b=${m%+nh}
	for i in $N; do
		check "$m: no routes on n$i before" clear_routes $i
		check "$m: routes of n$i set" set_routes $m $i
	done
	[ "$ROUTES" = router ] && check "$m: a second router run on n1 changes nothing" no_changes $m
	for i in $N; do
		for j in $N; do
			[ $i = $j ] && continue
			check "$m: n$i routes n$j's IPv4 pods" route_is n$i 4 198.19.$j.0/24 "$(want $b 4 $j)"
			check "$m: n$i routes n$j's IPv6 pods" route_is n$i 6 fd00:19:$j::/64 "$(want $b 6 $j)"
			[ "$b" != "$m" ] && check "$m: ... through a nexthop object" nh_named $i $j
		done
	done
	case $b in
	sit) dev4=tunl0 dev6=sit0 ;;
	ipip) dev4=tunl0 dev6= ;;
	vxlan) dev4=xcvx0 dev6=xcvx0 ;;
	*) dev4= dev6= ;;
	esac
	for p in $PAIRS; do
		i=${p%:*} j=${p#*:}
		eval "a4=\$P4_$j a6=\$P6_$j"
		[ -n "$dev4" ] && r4=$(rx n$j $dev4)
		check "$m: pod p$i pings pod p$j (IPv4 $a4)" reach p$i "$a4"
		[ -n "$dev4" ] && [ $p = 1:2 ] && check "$m: p1 -> p2 IPv4 came in on n2's $dev4" grew "$dev4" "$r4" "$(rx n$j $dev4)"
		[ -n "$dev6" ] && r6=$(rx n$j $dev6)
		check "$m: pod p$i pings pod p$j (IPv6 $a6)" reach p$i "$a6"
		[ -n "$dev6" ] && [ $p = 1:2 ] && check "$m: p1 -> p2 IPv6 came in on n2's $dev6" grew "$dev6" "$r6" "$(rx n$j $dev6)"
	done
	# From a node's own address (hostNetwork pods, probes, NodePorts): the
	# receiver's rp_filter (2) sees that source arrive on the tunnel.
	check "$m: node n1 pings pod p2 (IPv4)" reach n1 "$P4_2"
	check "$m: node n1 pings pod p2 (IPv6)" reach n1 "$P6_2"
	# The device carrying IPv4 has an address of ours (tunnel.h: why): then
	# even the underlay address as source (MASQUERADEd NodePort traffic)
	# passes the receiver's rp_filter.
	[ "$ROUTES" = router ] && case $b in
	none) check "$m: no pod-network address on n1's tunl0" sh -c "! tun_addr n1 tunl0" ;;
	vxlan) check "$m: n1's xcvx0 has 198.19.1.0/32" tun_addr n1 xcvx0 ;;
	*) check "$m: n1's tunl0 has 198.19.1.0/32" tun_addr n1 tunl0 ;;
	esac
	[ "$ROUTES" = router ] &&
		check "$m: node n1 pings pod p2 from its underlay address (IPv4)" reach_from n1 198.18.0.11 "$P4_2"
done

# --- changing the mode of a running cluster: no cleanup in between ------------
if [ "$ROUTES" = router ] && echo " $MODES " | grep -q ' vxlan ' && echo " $MODES " | grep -q ' ipip '; then
	phase "mode switch"
	for m in ipip vxlan; do
		for i in $N; do
			check "switch to $m: routes of n$i set" set_routes $m $i
		done
	done
	check "switch to vxlan: n1 routes n2's IPv4 pods" route_is n1 4 198.19.2.0/24 "$(want vxlan 4 2)"
	check "switch to vxlan: n1 routes n2's IPv6 pods" route_is n1 6 fd00:19:2::/64 "$(want vxlan 6 2)"
	check "switch to vxlan: pod p1 pings pod p2 (IPv4)" reach p1 "$P4_2"
	check "switch to vxlan: pod p1 pings pod p2 (IPv6)" reach p1 "$P6_2"
fi

# --- the daemon: sit routes at once, their src when DAD is done ---------------
# The bridge's IPv6 address made new (tentative again; DAD 5 s here): the
# router adds the routes without src at once, and the address event at the
# end of DAD brings them their src.
if [ "$ROUTES" = router ] && echo " $MODES " | grep -q ' sit '; then
	phase "daemon"
	for i in 2 3; do set_routes sit $i > /dev/null 2>&1; done
	clear_routes 1 > /dev/null 2>&1
	# (the bridge plugin turns DAD off on a bridge it creates; on here, as on
	# a bridge or an address of the operator's own)
	inns n1 sh -c 'echo 5000 > /proc/sys/net/ipv6/neigh/cni0/retrans_time_ms
		echo 1 > /proc/sys/net/ipv6/conf/cni0/accept_dad
		ip -6 addr del fd00:19:1::1/64 dev cni0; ip -6 addr add fd00:19:1::1/64 dev cni0'
	nsenter --net=/run/netns/n1 sh -c 'echo $$ > /tmp/rpid; exec '"$XC"' router --node-name n1 \
		--nodes-file /run/n1/nodes.json --tunnel-mode sit --cache-dir /run/n1/cni --network podnet \
		--metrics-port 0' > /tmp/daemon.log 2>&1 &
	check "daemon: the bridge's IPv6 address is tentative (DAD) as the router starts" \
		sh -c "nsenter --net=/run/netns/n1 ip -6 addr show dev cni0 | grep tentative"
	# (without src: that route exists only while DAD runs, 5 s; the 60 s
	# are a safety deadline)
	check "daemon: n1's IPv6 routes at once, without src while DAD runs" \
		route_soon 60 n1 6 fd00:19:2::/64 "via ::198\.18\.0\.12 dev sit0 +metric"
	check "daemon: their src once DAD is done" \
		route_soon 60 n1 6 fd00:19:2::/64 "via ::198\.18\.0\.12 dev sit0 +src fd00:19:1::1 "
	check "daemon: p1 pings p2 (IPv6)" reach p1 "$P6_2"
	rpid=$(cat /tmp/rpid)
	kill "$rpid"
	soon 60 sh -c "! kill -0 $rpid 2>/dev/null"
	check "daemon: exits on SIGTERM, routes stay" sh -c "cat /tmp/daemon.log; ! kill -0 $rpid 2>/dev/null &&
		grep -q 'exiting on SIGTERM' /tmp/daemon.log &&
		nsenter --net=/run/netns/n1 ip -6 route | grep -q '^fd00:19:2::/64 '"
	inns n1 sh -c 'echo 1000 > /proc/sys/net/ipv6/neigh/cni0/retrans_time_ms'
fi

# --- nf_tables: egress masquerade (router) and a hostPort (portmap) -------------
# Under Debian's kernel, whose nf_tables parts are modules that nothing has
# loaded: the kernel asks modprobe (this VM's busybox, the host's on a node)
# for each by alias as our batches need them. An "outside" host o1 on the
# segment has no route to the pod CIDRs: a pod's packets come back to it
# only when masqueraded to its node's address.
if [ "$ROUTES" = router ]; then
	phase "nf_tables"
	echo /bin/modprobe > /proc/sys/kernel/modprobe
	loaded() { for _m; do grep -q "^$_m " /proc/modules || { echo "$_m not loaded"; return 1; }; done; }
	not_loaded() { ! grep -q "^$1 " /proc/modules; }
	check "nf_tables: not loaded before the first batch" not_loaded nf_tables
	mkns o1
	inns o1 sh -ec "
		ip link set lo up
		ip link add eth0 type veth
		ip link set veth0 name seg-o1
		ip link set seg-o1 netns 1
		echo 0 > /proc/sys/net/ipv6/conf/eth0/accept_dad
		ip addr add 198.18.0.100/24 dev eth0
		ip -6 addr add fd00:18::100/64 dev eth0
		ip link set eth0 up"
	ip link set seg-o1 master seg0 && ip link set seg-o1 up
	check "masquerade off: p1 gets no answer from outside (IPv4)" unreachable p1 198.18.0.100
	masq() { # I true|false
		inns n$1 $XC router --node-name n$1 --nodes-file /run/n$1/nodes.json --tunnel-mode sit \
			--cache-dir /run/n$1/cni --network podnet --metrics-port 0 --once \
			--masquerade $2 --cluster-cidr 198.19.0.0/16,fd00:19::/32
	}
	check "masquerade on n1: the router's batch" masq 1 true
	check "masquerade: the kernel loaded nf_tables, nft_chain_nat, nft_masq" \
		loaded nf_tables nft_chain_nat nft_masq
	check "masquerade: p1 reaches outside (IPv4)" reach p1 198.18.0.100
	check "masquerade: p1 reaches outside (IPv6)" reach p1 fd00:18::100
	check "masquerade: p1 still reaches p2 by its own address (IPv4)" reach p1 "$P4_2"
	check "masquerade off on n1: the router's batch" masq 1 false
	check "masquerade off: p1 gets no answer from outside again (IPv4)" unreachable p1 198.18.0.100
	# A hostPort: busybox httpd in p1 on 80, mapped to 8080 on n1.
	mkdir -p /tmp/www && echo "p1 here" > /tmp/www/index.html
	inns p1 httpd -p 80 -h /tmp/www
	pm() { # CMD
		sed 's/"cniVersion": *"[0-9.]*"/"cniVersion": "1.0.0"/' /tmp/add1 > /tmp/prev1
		printf '{"cniVersion":"1.0.0","name":"podnet","type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]},"prevResult":%s}' \
			"$(cat /tmp/prev1)" | inns n1 env CNI_COMMAND=$1 CNI_CONTAINERID=pod-1 \
			CNI_NETNS=/run/netns/p1 CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin /opt/cni/bin/portmap
	}
	# (busybox nc: Debian's busybox-static wget crashes here)
	get() { printf 'GET / HTTP/1.0\r\n\r\n' | inns o1 nc -w 5 "$1" 8080 2>&1; }
	page() { _p=$(get "$1"); echo "got: $_p"; echo "$_p" | grep -qx 'p1 here'; }
	no_page() { ! page "$1"; }
	check "hostPort: portmap ADD on n1" pm ADD
	check "hostPort: the kernel loaded nft_nat, nft_fib_inet" loaded nft_nat nft_fib_inet
	check "hostPort: outside gets p1's page on n1:8080 (IPv4)" page 198.18.0.11
	check "hostPort: outside gets p1's page on n1:8080 (IPv6)" page fd00:18::11
	check "hostPort: portmap DEL on n1" pm DEL
	check "hostPort: gone after DEL" no_page 198.18.0.11
fi

# --- and without the routes, no way through ------------------------------------
phase "cleanup"
for i in $N; do
	check "routes of n$i removed" clear_routes $i
done
[ "$ROUTES" = router ] && check "no pod-network address left on n1's tunl0" sh -c "! tun_addr n1 tunl0"
check "n1 has no route to n2's IPv4 pods" no_route n1 4 198.19.2.0/24
check "n1 has no route to n2's IPv6 pods" no_route n1 6 fd00:19:2::/64
check "without routes pod p1 cannot reach p2 (IPv4)" unreachable p1 "$P4_2"
check "without routes pod p1 cannot reach p2 (IPv6)" unreachable p1 "$P6_2"

phase "done"
[ -f /test/extra.sh ] && . /test/extra.sh # a debugging hook (VM_EXTRA)
echo "@@XCVM-RESULT $PASS $FAIL $SKIP"
