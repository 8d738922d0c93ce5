#!/bin/sh
# portmap: the portmap applet (hostPort) chained after our bridge, on a real
# kernel. A node namespace with a bridge, an uplink to an "outside" host
# namespace, dual-stack pods with TCP and UDP echo servers that answer with
# the peer address they saw (portmap.py). Reachability from outside, from the
# node (its address and 127.0.0.1), from the pod itself (hairpin), both
# families; the table as Debian's nft lists it; re-ADD, conflicts, CHECK,
# DEL, GC, bad input with nothing left; the same answers as the reference
# portmap (iptables) on the same scenarios.
. test/lib/t.sh
. test/netns/bridge.lib
command -v nft >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 ||
	{ t_skip "needs nft and python3 (vendor/deps.sh test)"; t_done; exit 0; }
br_setup
ln -s xcluster-cni "$BIN/portmap"
cp test/netns/portmap.py "$T/pm.py"

NET=pmnet
BR=cni-pm
br_outside
GW4=198.18.10.1

BRCONF=$(conf 1.1.0 $NET $BR "$(ipam node-local 198.18.10.0/24 fd00:10::/64)" \
	',"isGateway":true,"isDefaultGateway":true,"hairpinMode":true')

# pmconf MAPPINGS [PREV] [EXTRA]: a portmap configuration (prevResult PREV),
# cniVersion $PMV (1.1.0).
pmconf() {
	_prev=${2:+,\"prevResult\":$2}
	printf '{"cniVersion":"%s","name":"%s","type":"portmap"%s,"runtimeConfig":{"portMappings":%s}%s}' \
		"${PMV:-1.1.0}" "$NET" "${3:-}" "$1" "$_prev"
}
# map HOSTPORT CONTPORT PROTO [HOSTIP]
map() {
	printf '{"hostPort":%s,"containerPort":%s,"protocol":"%s"%s}' "$1" "$2" "$3" \
		"${4:+,\"hostIP\":\"$4\"}"
}
# pod NAME CID: a pod on the bridge with an echo server on 80, 81, 90; its
# bridge result in $T/NAME.res, its addresses in $T/NAME.ip4/.ip6.
pod() {
	_ns=$(mkns "$1")
	ip -n "$_ns" link set lo up
	echo "$BRCONF" | cni bridge ADD "$2" "$_ns" eth0 > "$T/$1.res" || return 1
	jf "$(cat "$T/$1.res")" '.ips[] | select(.address | contains(".")) | .address' |
		cut -d/ -f1 > "$T/$1.ip4"
	jf "$(cat "$T/$1.res")" '.ips[] | select(.address | contains(":")) | .address' |
		cut -d/ -f1 > "$T/$1.ip6"
	ip netns exec "$_ns" python3 "$T/pm.py" serve 80 81 90 >/dev/null 2>&1 &
	BG_PIDS="$BG_PIDS $!"
}
# chained POD MAPPINGS [EXTRA]: a portmap configuration chained on POD's result.
chained() {
	pmconf "$2" "$(sed "s/\"cniVersion\": *\"[0-9.]*\"/\"cniVersion\": \"${PMV:-1.1.0}\"/" "$T/$1.res")" \
		"${3:-}"
}
# pm PLUGIN CMD CID POD MAPPINGS [EXTRA]: portmap (ours or ref-portmap) chained on POD's result.
pm() {
	chained "$4" "$5" "${6:-}" | cni "$1" "$2" "$3" "$NS-$4" eth0
}
# pm_killed CMD CID POD MAPPINGS MS: our portmap, killed (-9) after MS ms
# (cni-run: the plugin is $!, nothing of it runs on after the kill).
pm_killed() {
	chained "$3" "$4" > "$T/killed.conf"
	"$T/cni-run" portmap "$1" "$2" "$NS-$3" eth0 < "$T/killed.conf" >/dev/null 2>&1 &
	_k=$!
	sleep "0.$(printf %03d "$5")"
	kill -9 $_k 2>/dev/null
	wait $_k 2>/dev/null
}
# ask FROM PROTO HOST PORT [SPORT]: the address the echo saw ("" when
# unreachable), asked from source port SPORT if given. FROM: out, host, or a pod.
ask() {
	case $1 in out) _n=$OUT ;; host) _n=$HOST ;; *) _n=$NS-$1 ;; esac
	ip netns exec "$_n" python3 "$T/pm.py" ask "$2" "$3" "$4" ${5:-} 2>/dev/null
}
tbl() { ip netns exec "$HOST" nft list table inet xcluster-cni-portmap; }
no_table() { ! ip netns exec "$HOST" nft list table inet xcluster-cni-portmap >/dev/null 2>&1; }
elems() { tbl 2>/dev/null | grep -c 'comment "'; }

pod a cid-a || { t_fail "pod a"; t_done; exit 1; }
pod b cid-b || { t_fail "pod b"; t_done; exit 1; }
A4=$(cat "$T/a.ip4") A6=$(cat "$T/a.ip6") B4=$(cat "$T/b.ip4")
t_wait 30 ask a tcp 127.0.0.1 80 || t_fail "echo server of pod a"
t_wait 30 ask b tcp 127.0.0.1 80 || t_fail "echo server of pod b"

# ---- ADD ------------------------------------------------------------------
MA="[$(map 8080 80 tcp),$(map 8081 81 udp),$(map 9090 90 tcp $UP4)]"
got=$(pm portmap ADD cid-a a "$MA"); rc=$?
eq "ADD succeeds" "$rc" 0
eq "ADD prints prevResult's ips" "$(jf "$got" '.ips')" "$(jf "$(cat "$T/a.res")" '.ips')"

for fam in 4 6; do
	if [ $fam = 4 ]; then up=$UP4 out=$OUT4; else up=$UP6 out=$OUT6; fi
	eq "IPv$fam TCP from outside" "$(ask out tcp $up 8080)" "$out"
	eq "IPv$fam UDP from outside" "$(ask out udp $up 8081)" "$out"
	eq "IPv$fam TCP from the node" "$(ask host tcp $up 8080)" "$up"
	eq "IPv$fam UDP from the node" "$(ask host udp $up 8081)" "$up"
	check "IPv$fam hairpin TCP: the pod to its own hostPort" test -n "$(ask a tcp $up 8080)"
	check "IPv$fam hairpin UDP" test -n "$(ask a udp $up 8081)"
	check "IPv$fam another pod to the hostPort" test -n "$(ask b tcp $up 8080)"
done
eq "hairpin is masqueraded (the pod sees its gateway, not itself)" "$(ask a tcp $UP4 8080)" "$GW4"
eq "localhost TCP (127.0.0.1) from the node" "$(ask host tcp 127.0.0.1 8080)" "$GW4"
eq "localhost UDP (127.0.0.1) from the node" "$(ask host udp 127.0.0.1 8081)" "$GW4"
eq "route_localnet set on the pod's bridge" \
	"$(ip netns exec "$HOST" cat /proc/sys/net/ipv4/conf/$BR/route_localnet)" 1
eq "hostIP mapping: reachable on its address" "$(ask out tcp $UP4 9090)" "$OUT4"
eq "hostIP mapping: not on another local address" "$(ask host tcp $GW4 9090)" ""
eq "a port not mapped is not forwarded" "$(ask out tcp $UP4 8082)" ""
eq "UDP hostPort is not TCP" "$(ask out tcp $UP4 8081)" ""

# ---- the table as nft lists it --------------------------------------------
TAG="xcni:$(printf '%s' "$(ip -n "$HOST" -o link show master $BR | sed -n 's/.*alias xcni:\([0-9a-f]*\):.*/\1/p' | head -n 1)"):eth0"
cat > "$T/want.nft" <<EOF
table inet xcluster-cni-portmap {
	map hostip4 {
		type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
		elements = { $UP4 . tcp . 9090 comment "$TAG:cid-a" : $A4 . 90 }
	}

	map port4 {
		type inet_proto . inet_service : ipv4_addr . inet_service
		elements = { tcp . 8080 comment "$TAG:cid-a" : $A4 . 80,
			     udp . 8081 comment "$TAG:cid-a" : $A4 . 81 }
	}

	map hostip6 {
		type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service
	}

	map port6 {
		type inet_proto . inet_service : ipv6_addr . inet_service
		elements = { tcp . 8080 comment "$TAG:cid-a" : $A6 . 80,
			     udp . 8081 comment "$TAG:cid-a" : $A6 . 81 }
	}

	set hairpin4 {
		type ipv4_addr . ipv4_addr
		elements = { $A4 . $A4 comment "$TAG:cid-a" }
	}

	set hairpin6 {
		type ipv6_addr . ipv6_addr
		elements = { $A6 . $A6 comment "$TAG:cid-a" }
	}

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump hostports
	}

	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump hostports
	}

	chain hostports {
		dnat ip to ip daddr . meta l4proto . th dport map @hostip4
		meta nfproto ipv4 dnat ip to meta l4proto . th dport map @port4
		dnat ip6 to ip6 daddr . meta l4proto . th dport map @hostip6
		meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @port6
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr . ip daddr @hairpin4 masquerade
		ct status dnat ip saddr 127.0.0.1 masquerade
		ip6 saddr . ip6 daddr @hairpin6 masquerade
	}
}
EOF
check_out "nft lists the table as expected" "$(cat "$T/want.nft")" tbl
check "nft list ruleset: no error, nothing unknown" sh -c \
	"ip netns exec $HOST nft list ruleset 2>&1 | grep -qi 'unknown\|error' && exit 1 || exit 0"
# The same text loaded by nft means the same: equal expressions and elements.
lowlevel() { ip netns exec "$1" nft --debug=netlink list table inet xcluster-cni-portmap 2>&1 |
	grep -E '^ +\[|^inet|^\t*element' | sed 's/^\t*//' | grep -v '^$'; }
ip netns add "$NS-scratch" && ip netns exec "$NS-scratch" nft -f "$T/want.nft"
check_out "nft -f of the expected text: the same expressions and elements" \
	"$(lowlevel "$NS-scratch")" lowlevel "$HOST"
json() { ip netns exec "$1" nft -j list table inet xcluster-cni-portmap |
	sed 's/, "handle": [0-9]*//g; s/"handle": [0-9]*, //g'; }
check_out "the same as nft's own JSON (handles aside)" "$(json "$NS-scratch")" json "$HOST"

# ---- idempotence, conflicts -------------------------------------------------
handles() { ip netns exec "$HOST" nft -a list table inet xcluster-cni-portmap | grep -o 'handle [0-9]*' | tr '\n' ' '; }
h0=$(handles)
check "re-ADD of the same mappings succeeds" pm portmap ADD cid-a a "$MA"
eq "re-ADD changes nothing" "$(handles) $(elems)" "$h0 7"
got=$(pm portmap ADD cid-b b "[$(map 7070 80 tcp),$(map 8080 80 tcp)]")
eq "hostPort of another pod: code 102" "$(code "$got")" 102
check_grep "the message names the hostPort" "8080/tcp" echo "$got"
eq "refused ADD installs nothing of its own" "$(elems)" 7
eq "the first pod keeps its hostPort" "$(ask out tcp $UP4 8080)" "$OUT4"
got=$(pm portmap ADD cid-b b "[$(map 8080 80 tcp $UP4)]")
eq "hostIP mapping over another's every-address one: code 102" "$(code "$got")" 102
got=$(pm portmap ADD cid-b b "[$(map 9090 90 tcp)]")
eq "every-address mapping over another's hostIP one: code 102" "$(code "$got")" 102
check "the same hostPort on UDP is another mapping" pm portmap ADD cid-b b "[$(map 8080 80 udp)]"
eq "pod b's UDP 8080" "$(ask out udp $UP4 8080)" "$OUT4"

got=$(pm portmap ADD cid-a a "[$(map 8080 81 tcp)]")
eq "re-ADD to another containerPort: code 102" "$(code "$got")" 102
check_grep "... naming this attachment" "this attachment" echo "$got"

# Racing ADDs of six pods for one hostPort: exactly one gets it.
RACE=""
for i in 1 2 3 4 5 6; do
	pm portmap ADD cid-r$i b "[$(map 6060 80 tcp)]" > "$T/race.$i" &
	RACE="$RACE $!"
done
# shellcheck disable=SC2086
wait $RACE
eq "six racing ADDs for one hostPort: one wins" \
	"$(grep -L '"code"' "$T"/race.* | wc -l) $(grep -l '"code": 102' "$T"/race.* | wc -l)" "1 5"
for i in 1 2 3 4 5 6; do pm portmap DEL cid-r$i b "[]" >/dev/null; done
# (the racers share pod b's address: b's hairpin elements went to the winner)
eq "their DELs leave pod a's elements and pod b's UDP mapping" "$(elems)" 9

# ---- CHECK ----------------------------------------------------------------
eq "CHECK of pod a" "$(pm portmap CHECK cid-a a "$MA" 2>&1; echo "exit $?")" "exit 0"
ip netns exec "$HOST" nft delete element inet xcluster-cni-portmap port4 '{ udp . 8081 }'
got=$(pm portmap CHECK cid-a a "$MA")
eq "CHECK detects a removed element: code 106" "$(code "$got")" 106
check_grep "CHECK names the element" "udp . 8081" echo "$got"
check "ADD again restores it" pm portmap ADD cid-a a "$MA"
eq "CHECK passes again" "$(pm portmap CHECK cid-a a "$MA" 2>&1; echo "exit $?")" "exit 0"

# ---- a UDP flow older than its mapping -------------------------------------
# A client that kept one source port (a resolver) sent to the hostPort before
# the pod had it: the kernel tracked that flow to the node itself, and would
# keep it there while it lasts. ADD deletes such entries (conntrack.h).
ct_has() { ip netns exec "$HOST" grep -c "dport=7373 " /proc/net/nf_conntrack; }
for fam in 4 6; do
	if [ $fam = 4 ]; then up=$UP4 out=$OUT4; else up=$UP6 out=$OUT6; fi
	eq "IPv$fam UDP before the mapping: no answer" "$(ask out udp $up 7373 40053)" ""
done
check "... and the kernel tracks both flows" test "$(ct_has)" -ge 2
check "ADD of a UDP hostPort" pm portmap ADD cid-b b "[$(map 7373 80 udp)]"
for fam in 4 6; do
	if [ $fam = 4 ]; then up=$UP4 out=$OUT4; else up=$UP6 out=$OUT6; fi
	eq "IPv$fam the same flow (source port) now reaches the pod" "$(ask out udp $up 7373 40053)" "$out"
done

# ---- DEL, GC ----------------------------------------------------------------
check "DEL of pod b" pm portmap DEL cid-b b "[$(map 8080 80 udp)]"
eq "pod b's UDP 8080 is gone" "$(ask out udp $UP4 8080)" ""
eq "pod a's mappings stay" "$(elems)" 7
check "DEL again: nothing there is success" pm portmap DEL cid-b b "[$(map 8080 80 udp)]"
check "DEL without prevResult or mappings" sh -c \
	"printf '{\"cniVersion\":\"1.1.0\",\"name\":\"$NET\",\"type\":\"portmap\"}' | \
	 CNI_COMMAND=DEL CNI_CONTAINERID=cid-a CNI_IFNAME=eth0 nsenter --net=/var/run/netns/$HOST $BIN/portmap"
eq "DEL removed every element of pod a (and the empty table)" "$(elems)" 0
check "no table once the last pod is gone" no_table
eq "IPv4 TCP from outside after DEL" "$(ask out tcp $UP4 8080)" ""

check "ADD pod a" pm portmap ADD cid-a a "$MA"
check "ADD pod b" pm portmap ADD cid-b b "[$(map 7070 80 tcp)]"
gc() {
	printf '{"cniVersion":"1.1.0","name":"%s","type":"portmap","cni.dev/valid-attachments":%s}' "$NET" "$1" |
		CNI_COMMAND=GC CNI_PATH=$BIN nsenter --net=/var/run/netns/"$HOST" "$BIN/portmap"
}
check "GC keeping pod b" gc '[{"containerID":"cid-b","ifname":"eth0"}]'
eq "GC removed pod a's elements" "$(elems)" 4
eq "pod b's hostPort works after GC" "$(ask out tcp $UP4 7070)" "$OUT4"
eq "pod a's hostPort is gone" "$(ask out tcp $UP4 8080)" ""
got=$(printf '{"cniVersion":"1.1.0","name":"%s","type":"portmap"}' $NET |
	CNI_COMMAND=GC CNI_PATH=$BIN nsenter --net=/var/run/netns/"$HOST" "$BIN/portmap")
eq "GC without valid-attachments: code 7" "$(code "$got")" 7
check "GC of another network leaves ours" sh -c "printf '{\"cniVersion\":\"1.1.0\",\"name\":\"other\",\"type\":\"portmap\",\"cni.dev/valid-attachments\":[]}' |
	CNI_COMMAND=GC CNI_PATH=$BIN nsenter --net=/var/run/netns/$HOST $BIN/portmap"
eq "pod b's elements stay" "$(elems)" 4
check "GC with an empty list" gc '[]'
check "nothing left after GC of all" no_table

# 1,024 hostPorts in one ADD (more than one message per set, a large batch).
MANY=$(i=0; printf '['; while [ $i -lt 1024 ]; do
	[ $i = 0 ] || printf ','; map $((20000 + i)) 80 tcp; i=$((i + 1)); done; printf ']')
check "ADD of 1,024 hostPorts" pm portmap ADD cid-a a "$MANY"
eq "every one of them, both families, and the hairpins" "$(elems)" 2050
eq "the last one answers" "$(ask out tcp $UP4 21023)" "$OUT4"
check "CHECK of 1,024 hostPorts" pm portmap CHECK cid-a a "$MANY"
check "DEL of 1,024 hostPorts" pm portmap DEL cid-a a "$MANY"
check "nothing left" no_table

# snat false: no hairpin elements; SCTP: a mapping like the others.
check "ADD with snat false and an SCTP mapping" pm portmap ADD cid-s b \
	"[$(map 7171 80 tcp),$(map 7272 80 sctp)]" ',"snat":false'
eq "four mapping elements, no hairpin" "$(elems) $(tbl | grep -c 'comment.*cid-s" }')" "4 0"
check_grep "the SCTP one as nft lists it" "sctp . 7272 comment" tbl
eq "snat false: TCP from outside still answers" "$(ask out tcp $UP4 7171)" "$OUT4"
check "CHECK with snat false" pm portmap CHECK cid-s b "[$(map 7171 80 tcp),$(map 7272 80 sctp)]" ',"snat":false'
check "DEL" pm portmap DEL cid-s b "[]"
check "nothing left" no_table

# kill -9 at any point of ADD or DEL, then DEL: nothing left (one batch each).
i=0
while [ $i -lt 12 ]; do
	pm_killed ADD cid-k a "$MA" $((i % 5 * 10))
	[ $((i % 3)) = 0 ] && pm_killed DEL cid-k a "[]" $((i % 7))
	i=$((i + 1))
done
check "after kill -9 of ADDs and DELs, a DEL succeeds" pm portmap DEL cid-k a "[]"
check "... and nothing is left: no element, rule or chain" no_table

# kill -9 at a random point of a chained bridge + portmap ADD, as a runtime
# runs a conflist (bridge, then portmap with bridge's result), then the
# runtime's DEL in reverse order, or GC: nothing of the pod is left (no
# element, veth, pod interface or address). The chain runs in a session of
# its own, so that the kill reaches whichever plugin runs at that moment.
printf '%s' "$BRCONF" > "$T/chain.br"
cat > "$T/chain" <<EOF
#!/bin/sh
# chain CID POD: bridge ADD, then portmap ADD chained on its result
CNI_RUN_HOST=$HOST "$T/cni-run" bridge ADD "\$1" "\$2" eth0 < "$T/chain.br" > "$T/chain.\$1" || exit 1
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"cniVersion": "1.1.0", "name": "$NET", "type": "portmap",
  "runtimeConfig": {"portMappings": [{"hostPort": 6060, "containerPort": 80, "protocol": "tcp"},
                                     {"hostPort": 6061, "containerPort": 81, "protocol": "udp"}]},
  "prevResult": r}))' "$T/chain.\$1" | CNI_RUN_HOST=$HOST "$T/cni-run" portmap ADD "\$1" "\$2" eth0
EOF
chmod +x "$T/chain"
rand() { echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 )); }
# undo CID POD: the runtime's DEL of a failed ADD: portmap, then bridge (no prevResult)
undo() {
	pmconf "[]" | cni portmap DEL "$1" "$2" eth0 >/dev/null &&
		printf '%s' "$BRCONF" | cni bridge DEL "$1" "$2" eth0 >/dev/null
}
# gone CID POD: nothing of the attachment in the node
gone() {
	! tbl 2>/dev/null | grep -q "$1\"" && ! has_link "$2" eth0 && [ "$(allocs $NET "$1")" = 0 ]
}
VALID='[{"containerID":"cid-a","ifname":"eth0"},{"containerID":"cid-b","ifname":"eth0"}]'
ck=$(mkns ck)
t0=$(date +%s%N)
"$T/chain" cal-chain "$ck" >/dev/null 2>&1 || t_fail "a chained ADD"
CHAIN_US=$(( ($(date +%s%N) - t0) / 1000 + 1 ))
undo cal-chain "$ck"
echo "chained: a whole bridge + portmap ADD takes $((CHAIN_US / 1000)) ms here"
partial=0 fails=0 i=1
while [ $i -le 12 ]; do
	setsid "$T/chain" "ck$i" "$ck" >/dev/null 2>&1 &
	_pid=$!
	sleep "$(awk -v u="$(rand "$CHAIN_US")" 'BEGIN { printf "%.6f", u / 1e6 }')"
	kill -9 -- "-$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	wait_ipam
	gone "ck$i" "$ck" || partial=$((partial + 1))
	if [ $((i % 3)) = 0 ]; then
		# no DEL: GC keeping pods a and b collects it (the pod end goes with its host end)
		printf '{"cniVersion":"1.1.0","name":"%s","type":"portmap","cni.dev/valid-attachments":%s}' "$NET" "$VALID" |
			CNI_COMMAND=GC CNI_PATH=$BIN nsenter --net=/var/run/netns/"$HOST" "$BIN/portmap" >/dev/null ||
			fails=$((fails + 1))
		printf '%s,"cni.dev/valid-attachments":%s}' "$(printf '%s' "$BRCONF" | sed 's/}$//')" "$VALID" |
			sed 's/"cniVersion":"[0-9.]*"/"cniVersion":"1.1.0"/' | cni bridge GC "" "" "" >/dev/null ||
			fails=$((fails + 1))
	else
		undo "ck$i" "$ck" || fails=$((fails + 1))
	fi
	gone "ck$i" "$ck" || t_fail "chained kill $i: ck$i left something"
	i=$((i + 1))
done
echo "chained: $partial of 12 kills left something for DEL or GC"
check "chained kill -9: some kills left state to clean" test "$partial" -gt 0
eq "chained kill -9: every DEL and GC after a kill succeeds" "$fails" 0
eq "chained kill -9: pods a and b keep their addresses" "$(allocs $NET cid-a) $(allocs $NET cid-b)" "2 2"

# ---- bad input: the right code, nothing installed --------------------------
bad() { # DESC CODE MAPPINGS [PREV-POD]
	got=$(pm portmap ADD cid-a "${4:-a}" "$3")
	eq "$1: code $2" "$(code "$got")" "$2"
	check "$1: nothing installed" no_table
}
bad "hostPort 0" 7 "[$(map 0 80 tcp)]"
bad "hostPort 65536" 7 "[$(map 65536 80 tcp)]"
bad "containerPort 0" 7 "[$(map 8080 0 tcp)]"
bad "protocol icmp" 7 "[$(map 8080 80 icmp)]"
bad "hostPort a string" 7 '[{"hostPort":"80","containerPort":80,"protocol":"tcp"}]'
bad "portMappings not an array" 7 '{"hostPort":80}'
bad "an entry not an object" 7 '[80]'
bad "hostIP not an address" 7 "[$(map 8080 80 tcp 198.19.0.300)]"
bad "one good, one bad" 7 "[$(map 8080 80 tcp),$(map 8081 81 tcp 'x')]"
jq '.ips |= map(select(.address | contains(".")))' "$T/a.res" > "$T/a4.res"
bad "hostIP of a family the pod lacks" 7 "[$(map 8080 80 tcp $UP6)]" a4
got=$(pmconf "[$(map 8080 80 tcp)]" | cni portmap ADD cid-a "$NS-a" eth0)
eq "ADD without prevResult: code 7" "$(code "$got")" 7
got=$(pm portmap ADD cid-a a "[$(map 8080 80 tcp)]" ',"conditionsV4":["-s","1.2.3.4"]')
eq "conditionsV4 (iptables arguments): code 2" "$(code "$got")" 2
got=$(pm portmap ADD cid-a a "[$(map 8080 80 tcp)]" ',"backend":"ebpf"')
eq "backend ebpf: code 7" "$(code "$got")" 7
check "no table after the bad input" no_table
got=$(pm portmap ADD cid-a a "[]")
eq "ADD with no mappings passes prevResult through" "$(jf "$got" '.ips')" "$(jf "$(cat "$T/a.res")" '.ips')"
check "no mappings: no table" no_table
check "STATUS" sh -c "printf '{\"cniVersion\":\"1.1.0\",\"name\":\"$NET\",\"type\":\"portmap\"}' |
	CNI_COMMAND=STATUS nsenter --net=/var/run/netns/$HOST $BIN/portmap"

# ---- the reference portmap on the same scenarios ----------------------------
if [ "$REF" = 1 ] && command -v iptables >/dev/null 2>&1; then
	MR="[$(map 8080 80 tcp),$(map 8081 81 udp)]"
	PMV=1.0.0       # the reference (1.1.1) knows no later version
	matrix() { # the reachability answers for pod a's hostPorts
		for fam in 4 6; do
			if [ $fam = 4 ]; then up=$UP4; else up=$UP6; fi
			for from in out host a b; do
				printf '%s %s tcp=%s udp=%s\n' $fam $from \
					"$(test -n "$(ask $from tcp $up 8080)" && echo y || echo n)" \
					"$(test -n "$(ask $from udp $up 8081)" && echo y || echo n)"
			done
		done
		printf 'localhost tcp=%s udp=%s\n' \
			"$(test -n "$(ask host tcp 127.0.0.1 8080)" && echo y || echo n)" \
			"$(test -n "$(ask host udp 127.0.0.1 8081)" && echo y || echo n)"
	}
	pm portmap ADD cid-a a "$MR" >/dev/null
	ours=$(matrix)
	pm portmap DEL cid-a a "$MR" >/dev/null
	if pm ref-portmap ADD cid-a a "$MR" > "$T/ref.out"; then
		ref=$(matrix)
		eq "every probe reaches the pod through ours" "$(printf '%s\n' "$ours" | grep -c '=n')" 0
		eq "the same reachability answers as the reference portmap" "$ours" "$ref"
		pm ref-portmap DEL cid-a a "$MR" >/dev/null
	else
		t_skip "the reference portmap failed here: $(head -c 200 "$T/ref.out")"
	fi
else
	t_skip "no reference portmap (containernetworking-plugins) or iptables"
fi

t_done
