#!/bin/sh
# masq: the router's egress masquerade on a real kernel, Debian's nft as the
# observer. Three dual-stack nodes and a gateway (router.lib); the gateway
# is the "outside" host. A UDP echo reports the peer address it sees: a pod
# of n1 reaching the gateway shows n1's address, reaching a pod of n2 its
# own; both families. The table decompiles in nft exactly as expected and
# that text loaded by nft means the same; a restart adopts it unchanged;
# node add/remove changes set elements only; MASQUERADE=false and
# --cleanup remove it; a foreign table stays byte-identical; a second
# network's router (another PROTOCOL) has a table of its own and never
# touches the first one's.
. test/lib/t.sh
. test/netns/router.lib
if [ "$(id -u)" != 0 ] || ! ip netns add "xct-mq-probe-$$" 2>/dev/null; then
	t_skip "needs root and network namespaces" 1
	t_done
	exit 0
fi
ip netns del "xct-mq-probe-$$"
if ! command -v nft >/dev/null || ! command -v python3 >/dev/null; then
	t_skip "needs nft and python3" 1
	t_done
	exit 0
fi

RT_P=xct-mq-$$
RT_D=$(mktemp -d)
SCRATCH=xct-mq-scratch-$$
SRV=""
trap 'for p in $SRV; do kill "$p" 2>/dev/null; done; rt_teardown; ip netns del $SCRATCH 2>/dev/null; [ -n "$KEEP" ] || rm -rf "$RT_D"' EXIT INT TERM
rt_setup || { t_fail "namespace setup"; t_done; exit 1; }
NODES=$RT_D/nodes.json
N12="n1,198.18.0.1,fd00:100::1 n2,198.18.0.2,fd00:100::2"

cat > "$RT_D/echo.py" <<'EOF'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7777))
while True:
    d, a = s.recvfrom(100)
    with open(sys.argv[2], "a") as f:
        f.write(a[0] + "\n")
    try:
        s.sendto(a[0].encode(), a)
    except OSError:
        pass  # no way back: masquerade off, the outside knows no pod route
EOF
cat > "$RT_D/ask.py" <<'EOF'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.settimeout(0.5)
s.sendto(b"x", (sys.argv[2], 7777))
print(s.recv(100).decode())
EOF
serve() { # NODE ADDR
	ip netns exec "$RT_P-$1" python3 "$RT_D/echo.py" "$2" "$RT_D/seen.$2" >/dev/null 2>&1 &
	SRV="$SRV $!"
}
serve gw 198.18.0.254
serve gw fd00:100::fe
serve n2 198.19.2.1
serve n2 fd00:0:2::1
# ask NODE SRC DST EXPECTED: the echo saw EXPECTED as the source
ask() { [ "$(rt_x "$1" python3 "$RT_D/ask.py" "$2" "$3" 2>/dev/null)" = "$4" ]; }
# seen DST ADDR: the echo at DST logged ADDR as a peer
seen() { grep -qx "$2" "$RT_D/seen.$1" 2>/dev/null; }
tbl() { rt_x "$1" nft list table inet xcluster-cni; }
handles() { rt_x n1 nft -a list table inet xcluster-cni | grep -o 'handle [0-9]*' | tr '\n' ' '; }
has_elem() { tbl n1 | grep -q -- "$1"; }
no_table() { ! rt_x "$1" nft list table inet xcluster-cni; }
start1() { rt_start 1 --nodes-file "$NODES" --tunnel-mode none --cache-dir "$RT_D/c1" --resync 2 "$@"; }

# A foreign table in n1 before anything of ours: never touched.
rt_x n1 nft -f - <<'EOF'
table ip foreign {
	set keep { type ipv4_addr; flags interval; elements = { 198.18.9.0/24 }; }
	chain out { type filter hook output priority 0; policy accept; ip daddr @keep accept; }
}
EOF
rt_x n1 nft -j list table ip foreign > "$RT_D/foreign.before"
# ... and iptables rules (nat and filter, both families), where iptables is
iptables_rules() {
	for t in nat filter; do
		rt_x n1 iptables -t $t -S
		rt_x n1 ip6tables -t $t -S
	done 2>&1
}
if command -v iptables >/dev/null 2>&1; then
	rt_x n1 iptables -t nat -A POSTROUTING -s 198.18.250.0/24 -j RETURN
	rt_x n1 ip6tables -t filter -A FORWARD -s fd00:250::/64 -j ACCEPT
	iptables_rules > "$RT_D/iptables.before"
fi

# shellcheck disable=SC2086
rt_nodes "$NODES" $N12
check_grep "dry-run prints the nft commands" "nft add element inet xcluster-cni pod4 { 198.19.0.0/16 }" \
	rt_x n1 "$XC" router --node-name n1 --nodes-file "$NODES" --tunnel-mode none --metrics-port 0 \
	--cache-dir "$RT_D/c1" --masquerade true --cluster-cidr 198.19.0.0/16 --dry-run
check "dry-run changes nothing" no_table n1

export MASQUERADE=true CLUSTER_CIDR=198.19.0.0/16 NO_MASQUERADE_CIDRS=198.18.5.0/24,fd00:5::/64
start1
rt_start 2 --nodes-file "$NODES" --tunnel-mode none --cache-dir "$RT_D/c2" --resync 2
check "table in place" wait_for 5 tbl n1
cat > "$RT_D/want.nft" <<'EOF'
table inet xcluster-cni {
	set pod4 {
		type ipv4_addr
		flags interval
		elements = { 198.19.0.0/16 }
	}

	set pod6 {
		type ipv6_addr
		flags interval
		elements = { fd00:0:1::/64,
			     fd00:0:2::/64 }
	}

	set nomasq4 {
		type ipv4_addr
		flags interval
		elements = { 198.18.5.0/24 }
	}

	set nomasq6 {
		type ipv6_addr
		flags interval
		elements = { fd00:5::/64 }
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr @pod4 ip daddr != @pod4 ip daddr != @nomasq4 masquerade comment "xcluster-cni: pod egress leaves with the node address"
		ip6 saddr @pod6 ip6 daddr != @pod6 ip6 daddr != @nomasq6 masquerade comment "xcluster-cni: pod egress leaves with the node address"
	}
}
EOF
check_out "nft lists the table as expected" "$(cat "$RT_D/want.nft")" tbl n1
check "nft list ruleset: no error, nothing unknown" sh -c \
	"ip netns exec $RT_P-n1 nft list ruleset 2>&1 | grep -qi 'unknown\|error' && exit 1 || exit 0"
# The same text loaded by nft means the same: equal expressions and elements.
lowlevel() { ip netns exec "$1" nft --debug=netlink list table inet xcluster-cni 2>&1 |
	grep -E '^ +\[|^inet|^\t*element' | sed 's/element 00000000  : 1 \[end\]//; s/^\t*//' | grep -v '^$'; }
ip netns add $SCRATCH && ip netns exec $SCRATCH nft -f "$RT_D/want.nft"
check_out "nft -f of the expected text: the same expressions and elements" \
	"$(lowlevel $SCRATCH)" lowlevel "$RT_P-n1"
json() { ip netns exec "$1" nft -j list table inet xcluster-cni | sed 's/, "handle": [0-9]*//g; s/"handle": [0-9]*, //g'; }
check_out "the same as nft's own JSON (handles aside)" "$(json $SCRATCH)" json "$RT_P-n1"

for fam in 4 6; do
	if [ $fam = 4 ]; then p1=198.19.1.1 p2=198.19.2.1 out=198.18.0.254 n1a=198.18.0.1
	else p1=fd00:0:1::1 p2=fd00:0:2::1 out=fd00:100::fe n1a=fd00:100::1; fi
	check "IPv$fam: pod -> outside leaves with the node's address" wait_for 6 ask n1 $p1 $out $n1a
	check "IPv$fam: pod -> pod on another node keeps the pod's address" wait_for 6 ask n1 $p1 $p2 $p1
	check "IPv$fam: the outside never saw the pod's address" sh -c "! grep -qx $p1 $RT_D/seen.$out"
done
check_out "metric: masquerade on" 1 rt_metric 1 xcluster_router_masquerade
check_out "metric: no nf_tables errors" 0 rt_metric 1 xcluster_router_nftables_errors_total

# Restart: adopted as it is.
h0=$(handles)
rt_stop 1
: > "$RT_D/log.n1"
start1
check "restart: full sync done" wait_for 5 grep -q "full sync\|router running" "$RT_D/log.n1"
sleep 0.5
check "restart: no nft change logged" sh -c "! grep -q 'masquerade: nft' $RT_D/log.n1"
check_out "restart: the same objects (handles)" "$h0" handles

# Node add and remove: set elements only, the rules stay.
N3="n3,198.18.1.3,fd00:101::3"
# shellcheck disable=SC2086
rt_nodes "$NODES" $N12 $N3
check "node added: its pod CIDR in pod6" wait_for 5 has_elem fd00:0:3::/64
check_grep "node added: logged as an element add" "add element inet xcluster-cni pod6 { fd00:0:3::/64 }" \
	cat "$RT_D/log.n1"
# shellcheck disable=SC2086
rt_nodes "$NODES" $N12
check "node removed: its pod CIDR gone" wait_for 5 sh -c "! ip netns exec $RT_P-n1 nft list table inet xcluster-cni | grep -q fd00:0:3::"
check_out "node add/remove: nothing rebuilt (the same handles)" "$h0" handles

# Someone deletes our table: the periodic resync (2 s) puts it back.
rt_x n1 nft delete table inet xcluster-cni
check "resync restores a deleted table" wait_for 6 has_elem fd00:0:2::/64

# Off: the table goes, the outside sees the pod's address.
rt_stop 1
MASQUERADE=false start1
check "MASQUERADE=false: table removed" wait_for 5 no_table n1
check_grep "MASQUERADE=false: logged" "masquerade off" cat "$RT_D/log.n1"
for fam in 4 6; do
	if [ $fam = 4 ]; then p1=198.19.1.1 out=198.18.0.254; else p1=fd00:0:1::1 out=fd00:100::fe; fi
	rt_x n1 python3 "$RT_D/ask.py" $p1 $out >/dev/null 2>&1
	check "IPv$fam off: the outside sees the pod's address" wait_for 3 sh -c \
		"ip netns exec $RT_P-n1 python3 $RT_D/ask.py $p1 $out; grep -qx $p1 $RT_D/seen.$out"
done
check_out "metric: masquerade off" 0 rt_metric 1 xcluster_router_masquerade
rt_stop 1

# --cleanup removes our table (and only it).
check_exit "--once puts it back" 0 rt_x n1 "$XC" router --node-name n1 --nodes-file "$NODES" \
	--tunnel-mode none --cache-dir "$RT_D/c1" --metrics-port 0 --once
check "--once: table in place" tbl n1

# A second network's router on the same node: PROTOCOL 203, its own table.
h1=$(handles)
sec() { rt_x n1 "$XC" router --node-name n1 --nodes-file "$NODES" --tunnel-mode none \
	--cache-dir "$RT_D/c1" --network second --protocol 203 --metrics-port 0 "$@"; }
sec_table() { rt_x n1 nft list table inet xcluster-cni-203; }
check_exit "second router (protocol 203), masquerade on" 0 sec --once --masquerade true
check "... its own table inet xcluster-cni-203" sec_table
check_out "... the first one's untouched (the same handles)" "$h1" handles
h2=$(rt_x n1 nft -a list table inet xcluster-cni-203 | grep -o 'handle [0-9]*' | tr '\n' ' ')
check_exit "second router again" 0 sec --once --masquerade true
check_out "... adopts its table (the same handles)" "$h2" sh -c \
	"ip netns exec $RT_P-n1 nft -a list table inet xcluster-cni-203 | grep -o 'handle [0-9]*' | tr '\\n' ' '"
check_exit "first router again" 0 rt_x n1 "$XC" router --node-name n1 --nodes-file "$NODES" \
	--tunnel-mode none --cache-dir "$RT_D/c1" --metrics-port 0 --once
check_out "... neither rebuilt the other's" "$h1" handles
check "... the second's still there" sec_table
check_exit "second router, masquerade off" 0 sec --once --masquerade false
check "... removes its own table" sh -c "! ip netns exec $RT_P-n1 nft list table inet xcluster-cni-203"
check_out "... and only its own" "$h1" handles
check_exit "second router --cleanup" 0 sec --cleanup
check_out "... leaves the first one's table" "$h1" handles
check_exit "--cleanup" 0 rt_x n1 "$XC" router --node-name n1 --tunnel-mode none --cleanup
check "--cleanup: table removed" no_table n1
# A large cluster whose pod CIDRs do not merge: 5,000 IPv6 intervals make a
# first fill of ~320 KB, over the socket's default send buffer (and over
# the fixed 192 KB batch the router had: it failed every pass, EMSGSIZE).
python3 - "$RT_D/big.json" <<'EOF2'
import json, sys
items = [{"metadata": {"name": "big-%04d" % i},
          "spec": {"podCIDRs": ["fd00:7:%x::/64" % (2 * i)]}} for i in range(5000)]
json.dump({"apiVersion": "v1", "kind": "NodeList", "items": items}, open(sys.argv[1], "w"))
EOF2
big() { rt_x n1 "$XC" router --node-name big-0000 --nodes-file "$RT_D/big.json" --tunnel-mode none \
	--cache-dir "$RT_D/c1" --network big --protocol 204 --metrics-port 0 "$@"; }
check_exit "5,000 nodes, pod CIDRs apart: the first fill succeeds" 0 big --once --masquerade true
check_out "... every one an interval of pod6" 5000 sh -c \
	"ip netns exec $RT_P-n1 nft list set inet xcluster-cni-204 pod6 | grep -o 'fd00:7:[0-9a-f:]*/64' | sort -u | grep -c ."
check_exit "... and --cleanup takes it away" 0 big --cleanup
check_out "foreign table byte-identical" "$(cat "$RT_D/foreign.before")" \
	rt_x n1 nft -j list table ip foreign
if [ -s "$RT_D/iptables.before" ]; then
	check_out "iptables rules (nat, filter, IPv4 and IPv6) unchanged" \
		"$(cat "$RT_D/iptables.before")" iptables_rules
else
	t_skip "no iptables: its rules are not looked at"
fi
t_done
