#!/bin/sh
# node_local: the node-local IPAM plugin through its real interface (CNI_*
# variables, config on stdin, JSON on stdout) with a temporary dataDir:
# every error code it gives, from the input that causes it; allocation
# sequences per spec version; requested addresses; GC, STATUS, VERSION;
# the podcidrs hook. Differential runs against host-local, 100 concurrent
# ADDs and kill -9 are in node_local_ref.sh. No root needed.
. test/lib/t.sh
. test/cli/node_local_lib.sh
nl_setup

# --- VERSION ------------------------------------------------------------------
ALL='"supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}'
check_out "VERSION, empty stdin" "{\"cniVersion\":\"1.1.0\",$ALL" \
	sh -c 'run_nl VERSION "" </dev/null'
check_out "VERSION answers in the version asked" "{\"cniVersion\":\"0.4.0\",$ALL" \
	sh -c 'echo "{\"cniVersion\":\"0.4.0\"}" | run_nl VERSION ""'
check_grep "--help names the keys" 'dataDir' "$XC" node-local --help

# --- every error code, from the input that causes it --------------------------
C4=$(conf4 1.0.0 "$D/err" '"10.9.0.0/29"')
expect_code "1: unknown cniVersion" 1 ADD e1 "$(conf4 9.9.9 "$D/err" '"10.9.0.0/29"')"
expect_code "1: no cniVersion" 1 ADD e1 '{"name":"n","type":"node-local","ipam":{}}'
expect_code "1: CHECK before 0.4.0" 1 CHECK e1 "$(conf4 0.3.1 "$D/err" '"10.9.0.0/29"')"
expect_code "1: GC before 1.1.0" 1 GC e1 "$C4"
expect_code "1: STATUS before 1.1.0" 1 STATUS e1 "$C4"
expect_code "2: unknown CNI_ARGS key" 2 ADD e1 "$C4" NL_ARGS=X=1
check_grep "2: names key and value" 'unknown key X=1' \
	sh -c 'echo "$1" | NL_ARGS=X=1 run_nl ADD e1' _ "$C4"
expect_code "IgnoreUnknown=1 lets other keys pass" 0 ADD e1 "$C4" \
	"NL_ARGS=IgnoreUnknown=1;K8S_POD_NAME=p;K8S_POD_NAMESPACE=default"
expect_code "3: CHECK of an unknown container" 3 CHECK nobody "$C4"
expect_code "4: no CNI_NETNS on ADD" 4 ADD e2 "$C4" NL_NETNS=
check_grep "4: names the variable" 'missing: CNI_NETNS' \
	sh -c 'echo "$1" | NL_NETNS= run_nl ADD e2' _ "$C4"
expect_code "4: container ID with a slash" 4 ADD "e/2" "$C4"
expect_code "4: container ID starting with -" 4 ADD "-e2" "$C4"
expect_code "4: empty container ID" 4 ADD "" "$C4"
expect_code "4: ifname of 16 bytes" 4 ADD e2 "$C4" NL_IFNAME=eth0123456789012
expect_code "4: ifname .." 4 ADD e2 "$C4" NL_IFNAME=..
expect_code "4: ifname with a space" 4 ADD e2 "$C4" "NL_IFNAME=a b"
expect_code "4: ifname with a colon" 4 ADD e2 "$C4" "NL_IFNAME=a:b"
expect_code "4: relative CNI_NETNS" 4 ADD e2 "$C4" NL_NETNS=run/netns/x
expect_code "4: unknown CNI_COMMAND" 4 add e2 "$C4"
expect_code "4: malformed CNI_ARGS" 4 ADD e2 "$C4" "NL_ARGS=IP"
expect_code "5: resolvConf cannot be read" 5 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","subnet":"10.9.0.0/29","resolvConf":"/nonexistent"')"
check_grep "5: stdin closed" '"code": 5' sh -c 'run_nl ADD e2 <&-'
expect_code "6: garbage" 6 ADD e2 '{"cniVersion": "1.0.0",'
expect_code "6: not an object" 6 ADD e2 '"text"'
expect_code "6: empty stdin" 6 ADD e2 ''
python3 -c 'import sys; sys.stdout.write("{\"pad\":\"" + "x" * (1 << 20) + "\"}")' > "$D/big"
check_grep "6: over 1 MiB" '"code": 6' sh -c 'run_nl ADD e2 < "$1"' _ "$D/big"
check_grep "6: over 1 MiB, the limit named" 'limit of 1048576 bytes' \
	sh -c 'run_nl ADD e2 < "$1"' _ "$D/big"
expect_code "7: no ipam" 7 ADD e2 '{"cniVersion":"1.0.0","name":"n","type":"node-local"}'
expect_code "7: ipam not an object" 7 ADD e2 '{"cniVersion":"1.0.0","name":"n","type":"x","ipam":1}'
expect_code "7: ranges not an array" 7 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","ranges":"10.0.0.0/8"')"
expect_code "7: a range set not an array" 7 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","ranges":[{"subnet":"10.0.0.0/8"}]')"
expect_code "7: subnet not a string" 7 ADD e2 "$(conf4 1.0.0 "$D/err" 24)"
expect_code "7: bad CIDR" 7 ADD e2 "$(conf4 1.0.0 "$D/err" '"10.9.0.0/33"')"
expect_code "7: CIDR without length" 7 ADD e2 "$(conf4 1.0.0 "$D/err" '"10.9.0.0"')"
expect_code "7: /31 too small" 7 ADD e2 "$(conf4 1.0.0 "$D/err" '"10.9.0.0/31"')"
expect_code "7: rangeStart outside" 7 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","subnet":"10.9.0.0/29","rangeStart":"10.9.1.1"')"
expect_code "7: gateway not an address" 7 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","subnet":"10.9.0.0/29","gateway":"x"')"
expect_code "7: overlapping range sets" 7 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","ranges":[[{"subnet":"10.9.0.0/24"}],[{"subnet":"10.9.0.128/25"}]]')"
expect_code "7: network name .." 7 ADD e2 \
	'{"cniVersion":"1.0.0","name":"..","type":"node-local","ipam":{"subnet":"10.9.0.0/29"}}'
expect_code "7: dataDir not a string" 7 ADD e2 "$(conf_ipam 1.0.0 '"dataDir":5,"subnet":"10.9.0.0/29"')"
expect_code "7: route without dst" 7 ADD e2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","subnet":"10.9.0.0/29","routes":[{"gw":"10.9.0.1"}]')"
expect_code "7: GC without valid-attachments" 7 GC - "$(conf4 1.1.0 "$D/err" '"10.9.0.0/29"')"
check_grep "7: messages name the key" 'ipam.ranges\[0\]\[0\].subnet' \
	sh -c 'echo "$1" | run_nl ADD e2' _ \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/err","ranges":[[{"subnet":"nope"}]]')"
expect_code "11: no ranges and no podcidrs yet" 11 ADD e2 "$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/pc"')"
expect_code "50: STATUS without podcidrs" 50 STATUS - "$(conf_ipam 1.1.0 '"dataDir":"'"$D"'/pc"')"
: > "$D/file"
expect_code "104: dataDir under a file" 104 ADD e2 "$(conf4 1.0.0 "$D/file/x" '"10.9.0.0/29"')"
expect_code "108: ADD twice" 108 ADD e1 "$C4"
C11=$(conf4 1.1.0 "$D/ex" '"10.9.1.0/29"')
for i in 1 2 3 4 5; do expect_code "fill $i of 5" 0 ADD x$i "$C11"; done
expect_code "101: range exhausted" 101 ADD x6 "$C11"
check_grep "101: names the range" 'no IP addresses available in range set: 10.9.1.1-10.9.1.6' \
	sh -c 'echo "$1" | run_nl ADD x6' _ "$C11"
expect_code "50: STATUS when exhausted" 50 STATUS - "$C11"
expect_code "102: requested address taken" 102 ADD x7 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/ex","subnet":"10.9.1.0/29"' ',"runtimeConfig":{"ips":["10.9.1.3"]}')"
expect_code "DEL frees one" 0 DEL x3 "$C11"
expect_code "STATUS fine again" 0 STATUS - "$C11"
check_out "STATUS prints nothing" "" sh -c 'echo "$1" | run_nl STATUS -' _ "$C11"
check_out "error document in the config's version" "0.4.0" sh -c \
	'echo "$1" | run_nl CHECK nobody | python3 -c "import json,sys; print(json.load(sys.stdin)[\"cniVersion\"])"' \
	_ "$(conf4 0.4.0 "$D/err" '"10.9.0.0/29"')"

# --- ADD / CHECK / DEL --------------------------------------------------------
CD=$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/ds","ranges":[[{"subnet":"10.9.2.0/24"}],[{"subnet":"fd00:9:2::/64"}]],"routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"fd00:9:2::1"}]')
check_out "dual-stack ADD" \
	'{"cniVersion": "1.0.0", "ips": [{"address": "10.9.2.2/24", "gateway": "10.9.2.1"}, {"address": "fd00:9:2::2/64", "gateway": "fd00:9:2::1"}], "routes": [{"dst": "0.0.0.0/0"}, {"dst": "::/0", "gw": "fd00:9:2::1"}], "dns": {}}' \
	sh -c 'echo "$1" | run_nl ADD d1 | norm' _ "$CD"
check_out "allocation file in host-local's format" "$(printf 'd1\r\neth0' | od -c)" \
	sh -c 'od -c < "$1"' _ "$D/ds/n/10.9.2.2"
check_out "cursor file" "fd00:9:2::2" cat "$D/ds/n/last_reserved_ip.1"
expect_code "CHECK after ADD" 0 CHECK d1 "$CD"
expect_code "a second interface of the container" 0 ADD d1 "$CD" NL_IFNAME=eth1
expect_code "CHECK the second interface" 0 CHECK d1 "$CD" NL_IFNAME=eth1
expect_code "DEL without CNI_NETNS" 0 DEL d1 "$CD" NL_NETNS=
check "DEL released eth0's addresses" test ! -e "$D/ds/n/10.9.2.2" -a ! -e "$D/ds/n/fd00:9:2::2"
check "DEL kept eth1's" test -e "$D/ds/n/10.9.2.3" -a -e "$D/ds/n/fd00:9:2::3"
check_out "DEL prints nothing" "" sh -c 'echo "$1" | run_nl DEL d1' _ "$CD"
expect_code "DEL again succeeds" 0 DEL d1 "$CD"
expect_code "CHECK after DEL" 3 CHECK d1 "$CD"
expect_code "DEL with a broken range still releases" 0 DEL d1 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/ds","subnet":"bogus"')" NL_IFNAME=eth1
check "... eth1's addresses are gone" test ! -e "$D/ds/n/10.9.2.3"

printf 'nameserver 10.96.0.10\nsearch a.svc b.svc\n# c\ndomain cluster.local\noptions ndots:5\n' > "$D/resolv"
check_out "resolvConf becomes dns" \
	'{"nameservers": ["10.96.0.10"], "domain": "cluster.local", "search": ["a.svc", "b.svc"], "options": ["ndots:5"]}' \
	sh -c 'echo "$1" | run_nl ADD r1 | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)[\"dns\"]))"' \
	_ "$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/rs","subnet":"10.9.3.0/24","resolvConf":"'"$D"'/resolv"')"
# F4: a resolv.conf over the limit was cut silently at the first read(2);
# a FIFO hung node-local for ever
{ head -c 65536 /dev/zero | tr '\0' '#'; printf '\nnameserver 10.96.0.11\n'; } > "$D/resolv-big"
resolv_conf() { conf_ipam 1.0.0 '"dataDir":"'"$D"'/rs","subnet":"10.9.3.0/24","resolvConf":"'"$1"'"'; }
expect_code "F4: resolvConf over 64 KiB: code 7" 7 ADD r2 "$(resolv_conf "$D/resolv-big")"
check_grep "F4: ... the limit named" 'resolv-big is larger than the limit of 65536 bytes' \
	sh -c 'echo "$1" | run_nl ADD r2' _ "$(resolv_conf "$D/resolv-big")"
head -c 65513 "$D/resolv-big" > "$D/resolv-64k"
printf '\nnameserver 10.96.0.12\n' >> "$D/resolv-64k"
check_grep "F4: resolvConf of exactly 64 KiB is read to its end" '"nameservers":\["10\.96\.0\.12"\]' \
	sh -c 'echo "$1" | run_nl ADD r3 | tr -d " \n"' _ "$(resolv_conf "$D/resolv-64k")"
mkfifo "$D/resolv-fifo"
# (timeout: a hang ends the check, failed; generous, for a loaded machine)
check_grep "F4: resolvConf a FIFO: code 7 at once, not a hang" \
	'"code": 7.*"msg": "ipam.resolvConf [^"]*resolv-fifo is not a regular file"' \
	sh -c 'echo "$1" | timeout 60 run_nl ADD r4 | tr -d "\n"' _ "$(resolv_conf "$D/resolv-fifo")"

# --- sequences per spec version (round-robin, wrap, dual-stack pairing) --------
for v in 0.3.0 0.3.1 0.4.0 1.0.0 1.1.0; do
	C=$(conf_ipam $v '"dataDir":"'"$D/v$v"'","ranges":[[{"subnet":"10.9.4.0/29"}],[{"subnet":"fd00:9:4::/125"}]]')
	seq=""
	for c in a b c; do seq="$seq $(echo "$C" | run_nl ADD $c | addrs)"; done
	echo "$C" | run_nl DEL b >/dev/null
	for c in d e f; do seq="$seq $(echo "$C" | run_nl ADD $c | addrs)"; done
	check_out "sequence at $v" " 10.9.4.2/29,fd00:9:4::2/125 10.9.4.3/29,fd00:9:4::3/125 10.9.4.4/29,fd00:9:4::4/125 10.9.4.5/29,fd00:9:4::5/125 10.9.4.6/29,fd00:9:4::6/125 10.9.4.3/29,fd00:9:4::7/125" \
		echo "$seq"
	case $v in 0.*) want='"4" "6"' ;; *) want='- -' ;; esac
	check_out "ips[].version at $v" "$want" sh -c 'echo "$1" | run_nl DEL f >/dev/null; echo "$1" | run_nl ADD f | python3 -c "import json,sys; print(*[json.dumps(i[\"version\"]) if \"version\" in i else \"-\" for i in json.load(sys.stdin)[\"ips\"]])"' _ "$C"
done

C=$(conf_ipam 1.0.0 '"dataDir":"'"$D/r6"'","ranges":[[{"subnet":"fd00:9:5::/120","rangeStart":"fd00:9:5::fe","rangeEnd":"fd00:9:5::ff"},{"subnet":"fd00:9:6::/120","rangeStart":"fd00:9:6::10","rangeEnd":"fd00:9:6::11","gateway":"fd00:9:6::11"}]]')
seq=""
for c in a b c d; do seq="$seq $(echo "$C" | run_nl ADD $c | addrs)"; done
check_out "IPv6 only, two ranges, limits, gateway skipped" \
	" fd00:9:5::fe/120 fd00:9:5::ff/120 fd00:9:6::10/120 " echo "$seq"

# --- requested addresses --------------------------------------------------------
RB='"dataDir":"'"$D/req"'","ranges":[[{"subnet":"10.9.7.0/24"}],[{"subnet":"fd00:9:7::/64"}]]'
CR=$(conf_ipam 1.0.0 "$RB")
check_out "CNI_ARGS IP=" "10.9.7.50/24,fd00:9:7::2/64" \
	sh -c 'echo "$1" | NL_ARGS=IP=10.9.7.50 run_nl ADD q1 | addrs' _ "$CR"
check_out "CNI_ARGS IP=a,b (both families)" "10.9.7.51/24,fd00:9:7::51/64" \
	sh -c 'echo "$1" | NL_ARGS=IP=10.9.7.51,fd00:9:7::51 run_nl ADD q2 | addrs' _ "$CR"
check_out "runtimeConfig.ips" "10.9.7.52/24,fd00:9:7::52/64" \
	sh -c 'echo "$1" | run_nl ADD q3 | addrs' _ \
	"$(conf_ipam 1.0.0 "$RB" ',"runtimeConfig":{"ips":["10.9.7.52/24","fd00:9:7::52/64"]}')"
check_out "args.cni.ips" "10.9.7.53/24,fd00:9:7::53/64" \
	sh -c 'echo "$1" | run_nl ADD q4 | addrs' _ \
	"$(conf_ipam 1.0.0 "$RB" ',"args":{"cni":{"ips":["10.9.7.53","fd00:9:7::53"]}}')"
expect_code "requested, outside every range" 7 ADD q5 "$CR" NL_ARGS=IP=10.9.8.1
expect_code "requested, the gateway" 102 ADD q5 "$CR" NL_ARGS=IP=10.9.7.1
expect_code "requested, taken" 102 ADD q5 "$CR" NL_ARGS=IP=10.9.7.50
expect_code "requested, not an address" 7 ADD q5 "$CR" NL_ARGS=IP=nonsense
check "failed ADDs leave no record" sh -c '! grep -rl q5 "$1/n"' _ "$D/req"

# --- GC (1.1.0) -------------------------------------------------------------------
GB='"dataDir":"'"$D/gc"'","subnet":"10.9.9.0/24"'
for c in k1 k2 k3; do conf_ipam 1.1.0 "$GB" | run_nl ADD $c >/dev/null; done
printf 'k4' > "$D/gc/n/10.9.9.100"       # an old record: the ID alone
: > "$D/gc/n/10.9.9.101"                 # an empty record, as a crash leaves
expect_code "GC" 0 GC - "$(conf_ipam 1.1.0 "$GB" \
	',"cni.dev/valid-attachments":[{"containerID":"k2","ifname":"eth0"},{"containerID":"k4","ifname":"eth1"}]')"
check_out "GC kept the valid ones" "10.9.9.100 10.9.9.3" \
	sh -c 'cd "$1/n" && echo $(ls 10.*)' _ "$D/gc"
expect_code "GC with an empty list" 0 GC - "$(conf_ipam 1.1.0 "$GB" ',"cni.dev/valid-attachments":[]')"
check_out "the empty list releases all" "" sh -c 'cd "$1/n" && ls 10.* 2>/dev/null' _ "$D/gc"

# --- the podcidrs hook -------------------------------------------------------------
CP=$(conf_ipam 1.1.0 '"dataDir":"'"$D"'/pc"')
mkdir -p "$D/pc/n"
printf '# written by the router\n10.9.10.0/24\nfd00:9:10::/64\n' > "$D/pc/n/podcidrs"
check_out "ranges from podcidrs" "10.9.10.2/24,fd00:9:10::2/64" \
	sh -c 'echo "$1" | run_nl ADD p1 | addrs' _ "$CP"
expect_code "STATUS with podcidrs" 0 STATUS - "$CP"
printf 'garbage\n' > "$D/pc/n/podcidrs"
expect_code "a bad podcidrs line" 7 ADD p2 "$CP"
# A pod CIDR no pod may use (the router refuses it too): wait for the Node to be fixed.
printf '127.0.0.0/24\nfd00:9:10::/64\n' > "$D/pc/n/podcidrs"
expect_code "a loopback pod CIDR: 11" 11 ADD p3 "$CP"
check_grep "... and the message names it and why" "pod CIDR 127.0.0.0/24 overlaps loopback" \
	sh -c 'echo "$1" | run_nl ADD p3' _ "$CP"
check_out "... and nothing is allocated to it" "" sh -c 'cd "$1/n" && grep -l "^p3" -- * 2>/dev/null' _ "$D/pc"
expect_code "... STATUS: 50" 50 STATUS - "$CP"

t_done
