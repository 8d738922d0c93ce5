#!/bin/sh
# bridge_masq: the bridge's ipMasq and macspoofchk on a real kernel. A node
# namespace with a bridge and an uplink to an "outside" namespace whose echo
# server (portmap.py) answers with the source it saw: ipMasq pods reach it
# as the node's address on both families, a pod without ipMasq does not
# (outside has no route back); same-subnet traffic keeps the pod's source,
# traffic to another subnet of the node is masqueraded, as the reference
# has it. The tables as Debian's nft lists them (and loads them back);
# re-ADD, CHECK, DEL, GC, bad input and kill -9 with nothing left; a frame
# with a spoofed source MAC dropped; the reference bridge 1.1.1 on the same
# reachability questions.
. test/lib/t.sh
. test/netns/bridge.lib
command -v nft >/dev/null 2>&1 && command -v python3 >/dev/null 2>&1 ||
	{ t_skip "needs nft and python3 (vendor/deps.sh test)"; t_done; exit 0; }
br_setup
cp test/netns/portmap.py "$T/pm.py"

NET=mqnet
BR=cni-mq
br_outside
ip netns exec "$OUT" python3 "$T/pm.py" serve 80 >/dev/null 2>&1 &
BG_PIDS="$BG_PIDS $!"

IPAM=$(ipam node-local 198.18.20.0/24 fd00:20::/64)
GWS=',"isGateway":true,"isDefaultGateway":true'
MQCONF=$(conf 1.1.0 $NET $BR "$IPAM" "$GWS,\"ipMasq\":true,\"macspoofchk\":true")
# pods without ipMasq: another network on another bridge and subnet of the node
PLAIN=$(conf 1.1.0 plain cni-pl "$(ipam node-local 198.18.21.0/24 fd00:21::/64)" "$GWS")

# pod NAME CID CONF: a pod with an echo server on 80; its result in
# $T/NAME.res, its addresses in $T/NAME.ip4/.ip6.
pod() {
	_ns=$(mkns "$1")
	ip -n "$_ns" link set lo up
	echo "$3" | cni bridge ADD "$2" "$_ns" eth0 > "$T/$1.res" || return 1
	jf "$(cat "$T/$1.res")" '.ips[] | select(.address | contains(".")) | .address' |
		cut -d/ -f1 > "$T/$1.ip4"
	jf "$(cat "$T/$1.res")" '.ips[] | select(.address | contains(":")) | .address' |
		cut -d/ -f1 > "$T/$1.ip6"
	ip netns exec "$_ns" python3 "$T/pm.py" serve 80 >/dev/null 2>&1 &
	BG_PIDS="$BG_PIDS $!"
}
# ask FROM HOST: the source address the echo server on HOST:80 saw ("" when unreachable).
ask() {
	ip netns exec "$NS-$1" python3 "$T/pm.py" ask tcp "$2" 80 2>/dev/null
}
br() { # br CMD CID POD [CONF]: our bridge on MQCONF (or CONF), prevResult for CHECK
	_c=${4:-$MQCONF}
	[ "$1" = CHECK ] && _c=$(with_prev "$_c" "$(cat "$T/$3.res")")
	echo "$_c" | cni bridge "$1" "$2" "$NS-$3" eth0
}
gc() { # gc VALID-JSON: GC of MQCONF with that attachment list
	printf '%s,"cni.dev/valid-attachments":%s}' "${MQCONF%\}}" "$1" |
		cni bridge GC "" "" ""
}
mtbl() { ip netns exec "$HOST" nft list table inet xcluster-cni-masq; }
stbl() { ip netns exec "$HOST" nft list table bridge xcluster-cni-spoofchk; }
no_tables() {
	! mtbl >/dev/null 2>&1 && ! stbl >/dev/null 2>&1
}
elems() { { mtbl; stbl; } 2>/dev/null | grep -o 'comment "' | wc -l; }

pod a cid-a "$MQCONF" || { t_fail "pod a"; t_done; exit 1; }
pod b cid-b "$MQCONF" || { t_fail "pod b"; t_done; exit 1; }
pod c cid-c "$PLAIN" || { t_fail "pod c"; t_done; exit 1; }
A4=$(cat "$T/a.ip4") A6=$(cat "$T/a.ip6") B4=$(cat "$T/b.ip4") B6=$(cat "$T/b.ip6")
C4=$(cat "$T/c.ip4") C6=$(cat "$T/c.ip6")
for p in a b c; do
	t_wait 30 ask $p 127.0.0.1 || t_fail "echo server of pod $p"
done
t_wait 30 ask out 127.0.0.1 || t_fail "echo server outside"

# ---- masquerade ----------------------------------------------------------------
eq "IPv4 outside sees the node's address" "$(ask a $OUT4)" "$UP4"
eq "IPv6 outside sees the node's address" "$(ask a $OUT6)" "$UP6"
eq "IPv4 pod b too" "$(ask b $OUT4)" "$UP4"
eq "a pod without ipMasq is not masqueraded (no way back)" "$(ask c $OUT4)$(ask c $OUT6)" ""
eq "IPv4 same subnet keeps the pod's source" "$(ask a $B4)" "$A4"
eq "IPv6 same subnet keeps the pod's source" "$(ask a $B6)" "$A6"
GW4=198.18.21.1 GW6=fd00:21::1
eq "IPv4 another subnet of the node: masqueraded" "$(ask a $C4)" "$GW4"
eq "IPv6 another subnet of the node: masqueraded" "$(ask a $C6)" "$GW6"
eq "IPv4 to an ipMasq pod from elsewhere keeps its source" "$(ask c $A4)" "$C4"

# ---- the tables as nft lists them ----------------------------------------------
TAG="xcni:$(ip -n "$HOST" -o link show master $BR 2>/dev/null | sed -n 's/.*alias xcni:\([0-9a-f]*\):.*/\1/p' | head -n 1):eth0"
VA=$(jf "$(cat "$T/a.res")" '.interfaces[1].name') VB=$(jf "$(cat "$T/b.res")" '.interfaces[1].name')
MA=$(jf "$(cat "$T/a.res")" '.interfaces[2].mac') MB=$(jf "$(cat "$T/b.res")" '.interfaces[2].mac')
cat > "$T/want.nft" <<EOF
table inet xcluster-cni-masq {
	set pods4 {
		type ipv4_addr
		elements = { $A4 comment "$TAG:cid-a", $B4 comment "$TAG:cid-b" }
	}

	set local4 {
		type ipv4_addr . ipv4_addr
		flags interval
		elements = { $A4 . 198.18.20.0/24 comment "$TAG:cid-a",
			     $B4 . 198.18.20.0/24 comment "$TAG:cid-b" }
	}

	set pods6 {
		type ipv6_addr
		elements = { $A6 comment "$TAG:cid-a", $B6 comment "$TAG:cid-b" }
	}

	set local6 {
		type ipv6_addr . ipv6_addr
		flags interval
		elements = { $A6 . fd00:20::/64 comment "$TAG:cid-a",
			     $B6 . fd00:20::/64 comment "$TAG:cid-b" }
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr . ip daddr @local4 return
		ip saddr @pods4 ip daddr != 224.0.0.0/4 masquerade
		ip6 saddr . ip6 daddr @local6 return
		ip6 saddr @pods6 ip6 daddr != ff00::/8 masquerade
	}
}
table bridge xcluster-cni-spoofchk {
	set ports {
		type ifname
		elements = { "$VA" comment "$TAG:cid-a", "$VB" comment "$TAG:cid-b" }
	}

	set macs {
		type ifname . ether_addr
		elements = { "$VA" . $MA comment "$TAG:cid-a",
			     "$VB" . $MB comment "$TAG:cid-b" }
	}

	chain prerouting {
		type filter hook prerouting priority dstnat; policy accept;
		iifname @ports iifname . ether saddr != @macs drop
	}
}
EOF
# nft lists a set's elements in its own order: compare them sorted
norm() { sed 's/^[\t ]*//; s/^elements = { //; s/ }$//' | tr ',' '\n' | sed 's/^ *//; /^$/d' | sort; }
check_out "nft lists both tables as expected" "$(norm < "$T/want.nft")" \
	sh -c "{ ip netns exec $HOST nft list table inet xcluster-cni-masq; \
		 ip netns exec $HOST nft list table bridge xcluster-cni-spoofchk; } |
		 sed 's/^[\t ]*//; s/^elements = { //; s/ }\$//' | tr ',' '\n' | sed 's/^ *//; /^\$/d' | sort"
check "nft list ruleset: no error, nothing unknown" sh -c \
	"ip netns exec $HOST nft list ruleset 2>&1 | grep -qi 'unknown\|error' && exit 1 || exit 0"
lowlevel() {
	for t in "inet xcluster-cni-masq" "bridge xcluster-cni-spoofchk"; do
		# shellcheck disable=SC2086
		ip netns exec "$1" nft --debug=netlink list table $t 2>&1 |
			grep -E '^ +\[|^(inet|bridge)|^\t*element' | sed 's/^\t*//' | sort
	done
}
ip netns add "$NS-scratch" && ip netns exec "$NS-scratch" nft -f "$T/want.nft"
check_out "nft -f of the expected text: the same expressions and elements" \
	"$(lowlevel "$NS-scratch")" lowlevel "$HOST"
json() {
	for t in "inet xcluster-cni-masq" "bridge xcluster-cni-spoofchk"; do
		# shellcheck disable=SC2086
		ip netns exec "$1" nft -j list table $t | sed 's/"handle": [0-9]*//g' |
			tr '{' '\n' | sort
	done
}
check_out "the same as nft's own JSON (handles and order aside)" "$(json "$NS-scratch")" json "$HOST"

# ---- CHECK, re-ADD ----------------------------------------------------------------
# readd POD CID: DEL and ADD again (the bridge refuses an ADD of an
# attachment that is there), its result and addresses read again.
readd() {
	br DEL "$2" "$1" >/dev/null && br ADD "$2" "$1" > "$T/$1.res" || return 1
	jf "$(cat "$T/$1.res")" '.ips[] | select(.address | contains(".")) | .address' |
		cut -d/ -f1 > "$T/$1.ip4"
}
eq "CHECK of pod a" "$(br CHECK cid-a a 2>&1; echo "exit $?")" "exit 0"
ip netns exec "$HOST" nft delete element inet xcluster-cni-masq local4 "{ $A4 . 198.18.20.0/24 }"
got=$(br CHECK cid-a a)
eq "CHECK detects a removed ipMasq element: code 106" "$(code "$got")" 106
check_grep "... naming it" "$A4 . 198.18.20.0/24" echo "$got"
ip netns exec "$HOST" nft delete element bridge xcluster-cni-spoofchk macs "{ \"$VA\" . $MA }"
check "DEL and ADD of pod a" readd a cid-a
A4=$(cat "$T/a.ip4") VA=$(jf "$(cat "$T/a.res")" '.interfaces[1].name')
MA=$(jf "$(cat "$T/a.res")" '.interfaces[2].mac')
eq "CHECK passes again" "$(br CHECK cid-a a 2>&1; echo "exit $?")" "exit 0"
ip netns exec "$HOST" nft delete element bridge xcluster-cni-spoofchk macs "{ \"$VA\" . $MA }"
got=$(br CHECK cid-a a)
eq "CHECK detects a removed macspoofchk element: code 106" "$(code "$got")" 106
check_grep "... naming it" "$VA.* \\. $MA" echo "$got"
check "DEL and ADD of pod a" readd a cid-a
A4=$(cat "$T/a.ip4") VA=$(jf "$(cat "$T/a.res")" '.interfaces[1].name')
MA=$(jf "$(cat "$T/a.res")" '.interfaces[2].mac')
eq "pod a masqueraded again" "$(ask a $OUT4)" "$UP4"
ip netns exec "$HOST" nft add rule inet xcluster-cni-masq postrouting counter
got=$(br CHECK cid-a a)
eq "CHECK detects a changed rule: code 106" "$(code "$got")" 106
h0=$(ip netns exec "$HOST" nft -a list set inet xcluster-cni-masq pods4 | grep -o 'handle [0-9]*')
pod d cid-d "$MQCONF" || t_fail "pod d"
eq "the next ADD puts the rules back, the sets stay" \
	"$(ip netns exec "$HOST" nft -a list set inet xcluster-cni-masq pods4 | grep -o 'handle [0-9]*')" "$h0"
eq "... and CHECK passes" "$(br CHECK cid-a a 2>&1; echo "exit $?")" "exit 0"
eq "... IPv4 masquerade works" "$(ask a $OUT4)" "$UP4"
check "DEL of pod d" br DEL cid-d d
# a stale attachment's element on the address IPAM hands out next: taken over
D4=$(cat "$T/d.ip4")
NEXT=$(( ${D4##*.} + 1 ))
ip netns exec "$HOST" nft add element inet xcluster-cni-masq pods4 \
	"{ 198.18.20.$NEXT comment \"$TAG:gone\" }"
pod e cid-e "$MQCONF" || t_fail "pod e"
eq "pod e got the address of the stale element" "$(cat "$T/e.ip4")" "198.18.20.$NEXT"
check_grep "... and its element is pod e's now" "198.18.20.$NEXT comment \"$TAG:cid-e\"" mtbl
check "DEL of pod e" br DEL cid-e e
eq "both elements of that address are gone" "$(mtbl | grep -c "198.18.20.$NEXT ")" 0
# racing ADDs on an empty table: the generation guard makes the losers read again
check "DEL of pod b" br DEL cid-b b
check "DEL of pod a" br DEL cid-a a
check "no tables" no_tables
RACE=""
for i in 1 2 3 4 5 6; do
	mkns q$i >/dev/null
	echo "$MQCONF" | cni bridge ADD cid-q$i "$NS-q$i" eth0 > "$T/race.$i" &
	RACE="$RACE $!"
done
# shellcheck disable=SC2086
wait $RACE
eq "six racing ADDs all succeed" "$(grep -l '"code"' "$T"/race.* | wc -l)" 0
eq "... with their 36 elements" "$(elems)" 36
for i in 1 2 3 4 5 6; do br DEL cid-q$i q$i >/dev/null || t_fail "DEL of racer $i"; done
check "their DELs leave no table" no_tables
check "pod a again" readd a cid-a
check "pod b again" readd b cid-b
A4=$(cat "$T/a.ip4") B4=$(cat "$T/b.ip4") MA=$(jf "$(cat "$T/a.res")" '.interfaces[2].mac')

# ---- macspoofchk ----------------------------------------------------------------
# spoof POD GW4 GW6 PEER: whether the pod reaches its gateway on both
# families and a peer pod with its own MAC, then with a spoofed one, then
# with its own again ("y"/"n" each)
spoof() {
	_mac=$(ip -n "$NS-$1" -j link show dev eth0 | jq -r '.[0].address')
	_p() { ip netns exec "$NS-$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && echo y || echo n; }
	_all() { printf '%s%s%s' "$(_p "$1" "$2")" "$(_p "$1" "$3")" "$(_p "$1" "$4")"; }
	_own=$(_all "$@")
	ip -n "$NS-$1" link set eth0 address 02:00:5e:10:00:99
	ip -n "$NS-$1" neigh flush dev eth0
	_spoofed=$(_all "$@")
	ip -n "$NS-$1" link set eth0 address "$_mac"
	printf 'own=%s spoofed=%s own-again=%s\n' "$_own" "$_spoofed" "$(_all "$@")"
}
eq "own MAC passes, a spoofed one is dropped (IPv4, IPv6 gateway, a peer pod)" \
	"$(spoof a 198.18.20.1 fd00:20::1 "$B4")" "own=yyy spoofed=nnn own-again=yyy"
eq "... pod to pod keeps working after" "$(ask a $B4)" "$A4"

# ---- DEL, GC ---------------------------------------------------------------------
check "DEL of pod b" br DEL cid-b b
eq "pod b's 6 elements are gone" "$(elems)" 6
check "DEL again: nothing there is success" br DEL cid-b b
br ADD cid-b b >/dev/null || t_fail "pod b again"
eq "ADD of pod b again" "$(elems)" 12
check "GC keeping pod a" gc '[{"containerID":"cid-a","ifname":"eth0"}]'
eq "GC removed pod b's elements (and its veth)" "$(elems) $(veths $BR | wc -l)" "6 1"
eq "pod a still masqueraded" "$(ask a $OUT4)" "$UP4"
check "GC with an empty list" gc '[]'
check "... leaves no table" no_tables
ip -n "$NS-a" link del eth0 2>/dev/null
br ADD cid-b b >/dev/null || t_fail "pod b again"
check "DEL of pod b" br DEL cid-b b
check "DEL of the last pod removes both tables" no_tables
# the last step fails (someone else's set of our name, of another type):
# code 105, and nothing of the ADD stays, not even its ipMasq elements
ip netns exec "$HOST" nft add table bridge xcluster-cni-spoofchk
ip netns exec "$HOST" nft add set bridge xcluster-cni-spoofchk macs '{ type ipv4_addr; }'
got=$(echo "$MQCONF" | cni bridge ADD cid-f "$(mkns f)" eth0)
eq "macspoofchk's table unusable: code 105" "$(code "$got")" 105
check_grep "... naming the table and what to do" "nft delete table bridge xcluster-cni-spoofchk" echo "$got"
eq "... nothing left: no veth, no allocation, no element" \
	"$(veths $BR | wc -l) $(allocs $NET cid-f) $(mtbl 2>/dev/null | grep -c cid-f)" "0 0 0"
ip netns exec "$HOST" nft delete table bridge xcluster-cni-spoofchk
check "the next ADD makes the table again" br ADD cid-f f
check "... and its DEL" br DEL cid-f f
check "STATUS" sh -c "printf '%s' '$MQCONF' | CNI_COMMAND=STATUS CNI_PATH=$BIN \
	nsenter --net=/var/run/netns/$HOST $BIN/bridge"

br ADD cid-a a > "$T/a.res"
eq "ADD after the tables went" "$(code "$(cat "$T/a.res")") $(elems)" " 6"
A4=$(jf "$(cat "$T/a.res")" '.ips[] | select(.address | contains(".")) | .address' | cut -d/ -f1)

# ---- bad input, kill -9 ----------------------------------------------------------
LONG=$(printf 'c%.0s' $(seq 1 120))
got=$(echo "$MQCONF" | cni bridge ADD "$LONG" "$(mkns long)" eth0)
eq "a container ID too long to tag: code 4" "$(code "$got")" 4
eq "... nothing left: no veth, no allocation" "$(veths $BR | wc -l) $(allocs $NET "$LONG")" "1 0"
got=$(conf 1.1.0 $NET $BR "$IPAM" ',"ipMasq":"yes"' | cni bridge ADD cid-x "$(mkns x)" eth0)
eq "ipMasq not a boolean: code 7" "$(code "$got")" 7
check_grep "... naming the key" ipMasq echo "$got"
eq "... nothing left" "$(veths $BR | wc -l) $(allocs $NET cid-x) $(elems)" "1 0 6"

ip netns add "$NS-k"
echo "$MQCONF" > "$T/k.conf"
# kill at a random point of the ADD's own run time, measured first
t0=$(date +%s%N)
"$T/cni-run" bridge ADD cid-k0 "$NS-k" eth0 < "$T/k.conf" >/dev/null 2>&1 || t_fail "timed ADD"
ADD_MS=$(( ($(date +%s%N) - t0) / 1000000 + 1 ))
br DEL cid-k0 k >/dev/null || t_fail "DEL of the timed ADD"
[ $ADD_MS -lt 999 ] || ADD_MS=999
in_nft=0 in_veth=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % ADD_MS ))
	"$T/cni-run" bridge ADD cid-k$i "$NS-k" eth0 < "$T/k.conf" >/dev/null 2>&1 &
	k=$!
	sleep "0.$(printf %03d "$ms")"
	kill -9 $k 2>/dev/null
	wait $k 2>/dev/null
	wait_ipam || t_fail "IPAM of a killed ADD still runs"
	[ "$(elems)" -gt 6 ] && in_nft=$((in_nft + 1))
	[ "$(veths $BR | wc -l)" -gt 1 ] && in_veth=$((in_veth + 1))
	if [ $((i % 2)) = 0 ]; then
		br DEL cid-k$i k >/dev/null || t_fail "DEL after kill $i"
	else
		gc '[{"containerID":"cid-a","ifname":"eth0"}]' >/dev/null || t_fail "GC after kill $i"
		ip -n "$NS-k" link del eth0 2>/dev/null
	fi
	eq "kill -9 at $ms of $ADD_MS ms, then DEL or GC: pod a's elements only" \
		"$(elems) $(veths $BR | wc -l) $(allocs $NET cid-k$i)" "6 1 0"
done

echo "kill: an ADD takes $ADD_MS ms here; of 10 killed, $in_veth left a veth, $in_nft elements"
# a DEL killed at a random point of its own run time: the next DEL finishes the job
t0=$(date +%s%N)
br ADD cid-k0 k >/dev/null && br DEL cid-k0 k >/dev/null || t_fail "timed DEL"
DEL_MS=$(( ($(date +%s%N) - t0) / 1000000 / 2 + 1 ))
for i in 1 2 3 4 5 6; do
	br ADD cid-d$i k >/dev/null || t_fail "ADD before the killed DEL $i"
	ms=$(( $(od -An -N2 -tu2 /dev/urandom) % DEL_MS ))
	"$T/cni-run" bridge DEL cid-d$i "$NS-k" eth0 < "$T/k.conf" >/dev/null 2>&1 &
	k=$!
	sleep "0.$(printf %03d "$ms")"
	kill -9 $k 2>/dev/null
	wait $k 2>/dev/null
	wait_ipam || t_fail "IPAM of a killed DEL still runs"
	br DEL cid-d$i k >/dev/null || t_fail "DEL after the killed DEL $i"
	eq "DEL killed at $ms of $DEL_MS ms, DEL again: pod a's elements only" \
		"$(elems) $(veths $BR | wc -l) $(allocs $NET cid-d$i)" "6 1 0"
done

# ---- the reference bridge on the same questions -------------------------------------
if [ "$REF" = 1 ] && command -v iptables >/dev/null 2>&1; then
	REFCONF=$(conf 1.0.0 refnet cni-rf "$(ipam host-local 198.18.22.0/24 fd00:22::/64)" \
		"$GWS,\"ipMasq\":true")
	REFCONF=$(printf '%s' "$REFCONF" | sed 's/"type":"bridge"/"type":"ref-bridge"/')
	if pod r cid-r "$REFCONF"; then
		R4=$(cat "$T/r.ip4")
		t_wait 30 ask r 127.0.0.1 || t_fail "echo server of pod r"
		matrix() { # matrix POD PEER: the sources outside, a same-subnet pod, another subnet saw
			printf 'out4=%s out6=%s same=%s other=%s\n' \
				"$(ask "$1" $OUT4 | sed "s/^$UP4\$/node/")" \
				"$(ask "$1" $OUT6 | sed "s/^$UP6\$/node/")" \
				"$(ask "$1" "$(cat "$T/$2.ip4")" | sed "s/^$(cat "$T/$1.ip4")\$/pod/")" \
				"$(ask "$1" $C4 | sed "s/^$GW4\$/gateway/")"
		}
		pod r2 cid-r2 "$REFCONF" || t_fail "second reference pod"
		pod b2 cid-b2 "$MQCONF" || t_fail "pod b2"
		echo "$A4" > "$T/a.ip4"
		t_wait 30 ask r2 127.0.0.1 || t_fail "echo server of pod r2"
		t_wait 30 ask b2 127.0.0.1 || t_fail "echo server of pod b2"
		ours=$(matrix a b2)
		eq "ours: node, node, pod, gateway" "$ours" "out4=node out6=node same=pod other=gateway"
		eq "the same sources as the reference bridge with ipMasq" "$ours" "$(matrix r r2)"
		# the reference's spoof check (1.1.1: nftables, table bridge nat) on the same question
		SPCONF=$(printf '%s' "$REFCONF" | sed 's/"ipMasq":true/"macspoofchk":true/; s/refnet/refsp/')
		if pod s cid-s "$SPCONF" && pod s2 cid-s2 "$SPCONF"; then
			eq "the same spoof answers as the reference bridge with macspoofchk" \
				"$(spoof s 198.18.22.1 fd00:22::1 "$(cat "$T/s2.ip4")")" \
				"own=yyy spoofed=nnn own-again=yyy"
			echo "$SPCONF" | cni ref-bridge DEL cid-s "$NS-s" eth0 >/dev/null 2>&1
			echo "$SPCONF" | cni ref-bridge DEL cid-s2 "$NS-s2" eth0 >/dev/null 2>&1
		else
			t_skip "the reference bridge with macspoofchk failed here: $(head -c 200 "$T/s.res")"
		fi
		echo "$REFCONF" | cni ref-bridge DEL cid-r "$NS-r" eth0 >/dev/null
		echo "$REFCONF" | cni ref-bridge DEL cid-r2 "$NS-r2" eth0 >/dev/null
	else
		t_skip "the reference bridge failed here: $(head -c 200 "$T/r.res")"
	fi
else
	t_skip "no reference bridge (containernetworking-plugins) or iptables"
fi

t_done
