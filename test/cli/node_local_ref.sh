#!/bin/sh
# node_local_ref: node-local against the reference host-local, and under
# stress. Differential: the same calls on twin dataDirs give the same
# results and leave the same files; state written by either plugin is
# read, continued and released by the other, both ways and interleaved.
# Stress: 100 concurrent ADDs, and kill -9 in the middle of ADDs followed
# by GC and DEL. No root needed; the differential part needs
# /usr/lib/cni/host-local (containernetworking-plugins).
. test/lib/t.sh
. test/cli/node_local_lib.sh
nl_setup
HL=${HOST_LOCAL:-/usr/lib/cni/host-local}

# conf_in DIR VERSION RANGES [IPAM_EXTRA] [TOP]
conf_in() {
	conf_ipam "$2" "\"dataDir\":\"$1\",\"ranges\":$3${4:-}" "${5:-}"
}

# step DESC CMD CID [VAR=VAL...]: node-local on $A, host-local on $B; the
# outcomes (result JSON, or failure) must be the same. Outcomes are logged
# and compared in one go by steps_done (a python per step is slow).
step() {
	_d=$1 _c=$2 _id=$3
	shift 3
	_a=$(conf_in "$A" "$V" "$R" "${EXTRA:-}" "${TOP:-}" | env "$@" run_nl "$_c" "$_id" 2>/dev/null)
	_ra=$?
	_b=$(conf_in "$B" "$V" "$R" "${EXTRA:-}" "${TOP:-}" | env "$@" PLUGIN="${PB:-$HL}" run_nl "$_c" "$_id" 2>/dev/null)
	_rb=$?
	printf '%s\t%s\t%s\t%s\t%s\n' "$_d" $_ra $_rb "$(echo "$_a" | tr -d '\n\t')" \
		"$(echo "$_b" | tr -d '\n\t')" >> "$D/steps"
}

steps_done() {
	python3 - "$D/steps" > "$D/verdicts" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    d, ra, rb, a, b = line.rstrip("\n").split("\t")
    if ra != "0" and rb != "0":
        print("ok")
        continue
    try:
        same = ra == rb == "0" and (json.loads(a) if a else None) == (json.loads(b) if b else None)
    except ValueError:
        same = False
    print("ok" if same else "FAIL %s: node-local (exit %s) %s | host-local (exit %s) %s" % (d, ra, a, rb, b))
EOF
	while IFS= read -r _v; do
		if [ "$_v" = ok ]; then t_ok; else t_fail "${_v#FAIL }"; fi
	done < "$D/verdicts"
	: > "$D/steps"
}

# same_tree DESC: $A and $B hold the same files with the same bytes (our
# index aside).
same_tree() {
	if diff -r -x xc-index "$A/n" "$B/n" >/dev/null 2>&1; then
		t_ok
	else
		t_fail "$1: the state directories differ"
		diff -r -x xc-index "$A/n" "$B/n" 2>&1 | head -5 | sed 's/^/     /'
	fi
}

# The sequence: allocation, release, wrap-around, requested addresses,
# exhaustion, re-use.
sequence() {
	for i in 1 2 3 4; do step "$1 ADD c$i" ADD c$i; done
	step "$1 DEL c2" DEL c2
	step "$1 DEL c2 again" DEL c2
	step "$1 ADD c5" ADD c5
	step "$1 ADD c6 (wraps)" ADD c6
	step "$1 ADD c7 (exhausted, or not)" ADD c7
	step "$1 DEL c1" DEL c1
	step "$1 DEL c3" DEL c3
	step "$1 ADD c8 requested" ADD c8 "NL_ARGS=IP=$REQ"
	step "$1 ADD c9 requested taken" ADD c9 "NL_ARGS=IP=$REQ"
	step "$1 ADD c9" ADD c9
	step "$1 ADD c10" ADD c10
	step "$1 ADD c10 eth1" ADD c10 NL_IFNAME=eth1
	step "$1 CHECK c10" CHECK c10
	step "$1 DEL c10" DEL c10
	step "$1 CHECK c10 eth1" CHECK c10 NL_IFNAME=eth1
}

if [ ! -x "$HL" ]; then
	t_skip "no reference plugin at $HL (apt-get install containernetworking-plugins)" 1
else
	printf 'nameserver 10.96.0.10\nsearch svc.cluster.local\noptions ndots:5\n' > "$D/resolv"
	n=0
	# every version, every family (dual-stack at each version)
	for vf in 0.3.0:46 0.3.1:4 0.3.1:46 0.4.0:6 0.4.0:46 1.0.0:4 1.0.0:6 1.0.0:46; do
		V=${vf%:*} fam=${vf#*:}
		n=$((n + 1))
		A=$D/a$n B=$D/b$n
		case $fam in
		4) R='[[{"subnet":"10.8.0.0/29"}]]' REQ=10.8.0.4 ;;
		6) R='[[{"subnet":"fd00:8::/125","rangeStart":"fd00:8::3"}]]' REQ=fd00:8::5 ;;
		46) R='[[{"subnet":"10.8.1.0/29"},{"subnet":"10.8.2.0/30"}],[{"subnet":"fd00:8:1::/125"}]]'
		    REQ=10.8.2.2 ;;
		esac
		EXTRA=',"routes":[{"dst":"0.0.0.0/0"},{"dst":"10.0.0.0/8","gw":"10.8.0.1"}],"resolvConf":"'"$D"'/resolv"'
		sequence "v$V ipv$fam"
		same_tree "v$V ipv$fam"
	done
	steps_done
	EXTRA=

	# runtimeConfig.ips and ipRanges, as the capabilities pass them
	V=1.0.0 A=$D/rc-a B=$D/rc-b R='[[{"subnet":"10.8.3.0/24"}]]'
	TOP=',"runtimeConfig":{"ips":["10.8.3.77/24"],"ipRanges":[[{"subnet":"10.8.4.0/24"}]]}'
	step "runtimeConfig.ips + ipRanges" ADD r1
	TOP=',"runtimeConfig":{"ipRanges":[[{"subnet":"10.8.4.0/24"}]]}'
	step "runtimeConfig.ipRanges" ADD r2
	TOP=
	steps_done
	same_tree "runtimeConfig"

	# Takeover, both ways: one plugin writes, the other continues on the
	# same directory; a twin directory run by host-local alone is the truth.
	V=1.0.0 R='[[{"subnet":"10.8.5.0/28"}],[{"subnet":"fd00:8:5::/124"}]]' REQ=10.8.5.9
	A=$D/t-a B=$D/t-b
	for i in 1 2 3 4 5 6; do
		# odd steps by host-local, even ones by node-local, on A
		if [ $((i % 2)) = 0 ]; then PA=$NLDIR/bin/node-local; else PA=$HL; fi
		for c in ADD:m$i DEL:m$((i - 1)) ADD:x$i; do
			cmd=${c%%:*} id=${c#*:}
			_a=$(conf_in "$A" "$V" "$R" | PLUGIN=$PA run_nl $cmd $id 2>/dev/null)
			_ra=$?
			_b=$(conf_in "$B" "$V" "$R" | PLUGIN=$HL run_nl $cmd $id 2>/dev/null)
			_rb=$?
			printf '%s\t%s\t%s\t%s\t%s\n' "interleaved $i $cmd $id by ${PA##*/}" $_ra $_rb \
				"$(echo "$_a" | tr -d '\n\t')" "$(echo "$_b" | tr -d '\n\t')" >> "$D/steps"
		done
	done
	steps_done
	same_tree "interleaved"
	# node-local releases what host-local allocated, and the reverse
	conf_in "$A" "$V" "$R" | PLUGIN=$HL run_nl ADD h1 >/dev/null
	conf_in "$A" "$V" "$R" | run_nl ADD n1 >/dev/null
	expect_code "node-local CHECK of host-local's h1" 0 CHECK h1 "$(conf_in "$A" "$V" "$R")"
	expect_code "node-local DEL of host-local's h1" 0 DEL h1 "$(conf_in "$A" "$V" "$R")"
	expect_code "host-local CHECK of node-local's n1" 0 CHECK n1 "$(conf_in "$A" "$V" "$R")" PLUGIN=$HL
	expect_code "host-local DEL of node-local's n1" 0 DEL n1 "$(conf_in "$A" "$V" "$R")" PLUGIN=$HL
	expect_code "node-local no longer finds n1" 3 CHECK n1 "$(conf_in "$A" "$V" "$R")"
	check "no record of h1 or n1 left" sh -c '! grep -rlaE "^(h1|n1)" "$1/n" --exclude=xc-index' _ "$A"
fi

# --- 100 concurrent ADDs ---------------------------------------------------------
C=$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/cc","ranges":[[{"subnet":"10.7.0.0/24"}],[{"subnet":"fd00:7::/64"}]]')
mkdir -p "$D/out"
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	(printf '%s' "$C" | run_nl ADD p$i > "$D/out/p$i" 2>&1; echo $? > "$D/out/p$i.rc") &
done
wait
check_out "100 concurrent ADDs all succeed" "100" sh -c 'cat "$1"/out/*.rc | grep -cx 0' _ "$D"
# one pass over the 100 results: distinct addresses, and IPv4/IPv6 host
# parts equal (the whole ADD holds one lock, so the two cursors move together)
python3 - "$D/out" > "$D/stats" <<'EOF'
import ipaddress, json, os, sys
v4, v6, odd = set(), set(), 0
for name in os.listdir(sys.argv[1]):
    if name.endswith(".rc"):
        continue
    try:
        res = json.load(open(os.path.join(sys.argv[1], name)))
        ips = [ipaddress.ip_interface(i["address"]) for i in res["ips"]]
    except Exception:
        continue
    v4.add(ips[0].ip)
    v6.add(ips[1].ip)
    odd += int(ips[0].ip) & 0xff != int(ips[1].ip) & 0xffff
print(len(v4), len(v6), odd)
EOF
check_out "100 distinct IPv4, 100 distinct IPv6, host parts paired" "100 100 0" cat "$D/stats"
check_out "200 allocation files, each its owner's" "200" sh -c \
	'cd "$1/cc/n" && for f in 10.* fd00*; do head -c 5 "$f"; echo; done | grep -c "^p[0-9]"' _ "$D"
i=0
while [ $i -lt 100 ]; do
	i=$((i + 1))
	printf '%s' "$C" | run_nl DEL p$i >/dev/null 2>&1 &
done
wait
check_out "100 concurrent DELs free everything" "" sh -c 'ls "$1/cc/n" | grep -E "^(10\.|fd00)"' _ "$D"

# --- node-local and host-local at once, on one directory ---------------------------
if [ -x "$HL" ]; then
	C=$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/mix","ranges":[[{"subnet":"10.7.2.0/24"}],[{"subnet":"fd00:7:2::/64"}]]')
	mkdir -p "$D/mixout"
	i=0
	while [ $i -lt 60 ]; do
		i=$((i + 1))
		if [ $((i % 2)) = 0 ]; then P=$NLDIR/bin/node-local; else P=$HL; fi
		(printf '%s' "$C" | PLUGIN=$P run_nl ADD w$i > "$D/mixout/w$i" 2>&1; echo $? > "$D/mixout/w$i.rc") &
	done
	wait
	check_out "60 concurrent ADDs, half by each plugin, all succeed" "60" \
		sh -c 'cat "$1"/mixout/*.rc | grep -cx 0' _ "$D"
	check_out "... and no address is handed out twice" "120 120" sh -c '
		echo $(python3 -c "import glob, json; print(len({i[\"address\"] for f in glob.glob(\"$1/mixout/w*[0-9]\") for i in json.load(open(f))[\"ips\"]}))") \
			$(ls "$1/mix/n" | grep -cE "^(10\.|fd00)")' _ "$D"
fi

# --- kill -9 in the middle of ADDs, then GC and DEL ----------------------------------
KB='"dataDir":"'"$D"'/kill","fsync":true,"ranges":[[{"subnet":"10.7.1.0/24"}],[{"subnet":"fd00:7:1::/64"}]]'
C=$(conf_ipam 1.1.0 "$KB")
: > "$D/done"
i=0
while [ $i -lt 60 ]; do
	i=$((i + 1))
	printf '%s' "$C" | run_nl ADD k$i > /dev/null 2>&1 &
	pid=$!
	sleep 0.00$((i % 10))
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null && echo k$i >> "$D/done"
done
check "some ADDs were killed" test "$(wc -l < "$D/done")" -lt 60
check_out "no empty allocation file" "" sh -c 'find "$1/kill/n" -name "10.*" -empty; find "$1/kill/n" -name "fd00*" -empty' _ "$D"
check_out "every record names an ADD of the loop" "" sh -c '
	cd "$1/kill/n" && for f in 10.* fd00*; do [ -e "$f" ] && head -1 "$f" | tr -d "\r" && echo; done |
	grep -v "^k[0-9]*$"' _ "$D"
VALID=$(awk 'BEGIN { printf "[" } { printf "%s{\"containerID\":\"%s\",\"ifname\":\"eth0\"}", (NR > 1 ? "," : ""), $1 } END { printf "]" }' "$D/done")
expect_code "GC after the kills" 0 GC - "$(conf_ipam 1.1.0 "$KB" ",\"cni.dev/valid-attachments\":$VALID")"
check_out "GC kept exactly the finished ADDs" "$(sort "$D/done" | tr '\n' ' ')" sh -c '
	cd "$1/kill/n" && for f in 10.*; do [ -e "$f" ] || continue; head -1 "$f" | tr -d "\r\n"; echo; done |
	sort | tr "\n" " "' _ "$D"
check_out "no temporary record left" "" sh -c 'ls -A "$1/kill/n" | grep xc-tmp' _ "$D"
while read -r k; do printf '%s' "$C" | run_nl DEL "$k" >/dev/null; done < "$D/done"
check_out "DEL of the rest leaves no address" "" sh -c 'ls "$1/kill/n" | grep -E "^(10\.|fd00)"' _ "$D"
if [ -x "$HL" ]; then
	check "host-local still works on that directory" sh -c \
		'printf "%s" "$1" | sed "s/1.1.0/1.0.0/" | PLUGIN=$2 run_nl ADD after' _ "$C" "$HL"
fi

t_done
