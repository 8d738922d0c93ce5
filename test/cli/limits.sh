#!/bin/sh
# limits: node-local's input limits (docs/reliability.md, "Input limits"):
# each at its value is accepted, one more is refused with code 7 (code 4
# for CNI_NETNS, an environment variable) and a message naming the limit.
# The bridge's limits are in test/netns/limits.sh. No root needed.
. test/lib/t.sh
. test/cli/node_local_lib.sh
nl_setup

# str N [CHAR]: N times CHAR (default a).
str() {
	python3 -c 'import sys; sys.stdout.write(sys.argv[2] * int(sys.argv[1]))' "$1" "${2:-a}"
}

# refused DESC CODE REGEX CID CONF [VAR=VAL...]: ADD fails with CODE and a
# message matching REGEX.
refused() {
	_d=$1 _c=$2 _re=$3 _id=$4 _conf=$5
	shift 5
	expect_code "$_d" "$_c" ADD "$_id" "$_conf" "$@"
	check_grep "$_d: the limit named" "\"msg\": \"[^\"]*$_re" \
		sh -c 'i=$0 c=$1; shift; printf "%s" "$c" | env "$@" run_nl ADD "$i"' "$_id" "$_conf" "$@"
}

# ranges DIR SETS PER-SET: ipam with SETS range sets of PER-SET /30
# ranges each, all inside 10.64.0.0/10.
ranges() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
d, sets, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = [[{"subnet": "10.%d.%d.0/30" % (64 + s, i)} for i in range(per)] for s in range(sets)]
print('"dataDir":%s,"ranges":%s' % (json.dumps(d), json.dumps(r)))
EOF
}

# --- paths: 4095 bytes -------------------------------------------------------
C=$(conf4 1.0.0 "$D/p" '"10.9.0.0/29"')
expect_code "CNI_NETNS of 4095 bytes accepted" 0 ADD p1 "$C" "NL_NETNS=/$(str 4094)"
refused "CNI_NETNS of 4096 bytes -> 4" 4 'too long \(at most 4095 bytes\)' p2 "$C" \
	"NL_NETNS=/$(str 4095)"
# 4095 bytes pass the length check and fail later, on the file system.
L=/$(str 4094)
check_grep "dataDir of 4095 bytes: not refused for its length" '"code": 104' \
	sh -c 'printf "%s" "$1" | run_nl ADD p3' _ "$(conf4 1.0.0 "$L" '"10.9.0.0/29"')"
refused "dataDir of 4096 bytes -> 7" 7 'ipam.dataDir is too long \(at most 4095 bytes\)' p3 \
	"$(conf4 1.0.0 "/$L" '"10.9.0.0/29"')"
RC='"dataDir":"'"$D"'/p","subnet":"10.9.0.0/29","resolvConf":'
check_grep "resolvConf of 4095 bytes: not refused for its length" '"code": 5' \
	sh -c 'printf "%s" "$1" | run_nl ADD p4' _ "$(conf_ipam 1.0.0 "$RC\"$L\"")"
refused "resolvConf of 4096 bytes -> 7" 7 'ipam.resolvConf is too long \(at most 4095 bytes\)' p4 \
	"$(conf_ipam 1.0.0 "$RC\"/$L\"")"

# --- range sets: 8, ranges per set: 16 ---------------------------------------
check_out "8 range sets: 8 addresses" 8 sh -c \
	'printf "%s" "$1" | run_nl ADD r1 | addrs | tr , "\n" | wc -l | tr -d " "' _ \
	"$(conf_ipam 1.0.0 "$(ranges "$D/r" 8 1)")"
refused "9 range sets -> 7" 7 'more than 8 range sets' r2 \
	"$(conf_ipam 1.0.0 "$(ranges "$D/r" 9 1)")"
# runtimeConfig.ipRanges count against the same limit.
IPR=',"runtimeConfig":{"ipRanges":[[{"subnet":"10.127.0.0/30"}]]}'
refused "8 range sets and an ipRanges one -> 7" 7 'more than 8 range sets' r3 \
	"$(conf_ipam 1.0.0 "$(ranges "$D/r" 8 1)" "$IPR")"
expect_code "16 ranges in a set accepted" 0 ADD r4 "$(conf_ipam 1.0.0 "$(ranges "$D/r2" 1 16)")"
refused "17 ranges in a set -> 7" 7 'ipam.ranges\[0\]\[16\]: more than 16 ranges in a set' r5 \
	"$(conf_ipam 1.0.0 "$(ranges "$D/r2" 1 17)")"

# --- requested IPs: 16 -------------------------------------------------------
# ips N FIRST: N addresses 10.10.0.FIRST.. joined by commas.
ips() {
	python3 -c 'import sys; n, f = int(sys.argv[1]), int(sys.argv[2]); print(",".join("10.10.0.%d" % (f + i) for i in range(n)))' "$1" "$2"
}
Q=$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/q","ranges":[[{"subnet":"10.10.0.0/24"}]]')
# 16 pass the count; they then fail as more than one address per range set.
check_grep "16 requested IPs: not refused for their number" \
	'"code": 7.*failed to allocate all requested IPs' \
	sh -c 'printf "%s" "$1" | NL_ARGS="IP=$2" run_nl ADD q1 | tr -d "\n"' _ "$Q" "$(ips 16 2)"
refused "17 requested IPs in CNI_ARGS -> 7" 7 'more than 16 requested IPs' q2 "$Q" \
	"NL_ARGS=IP=$(ips 17 2)"
# The count is over all sources: CNI_ARGS, args.cni.ips, runtimeConfig.ips.
refused "9 in CNI_ARGS and 8 in runtimeConfig.ips -> 7" 7 'more than 16 requested IPs' q3 \
	"$(printf '%s' "$Q" | sed 's/}}$/},"runtimeConfig":{"ips":["'"$(ips 8 20 | sed 's/,/","/g')"'"]}}/')" \
	"NL_ARGS=IP=$(ips 9 2)"

# --- routes: 64 --------------------------------------------------------------
# routes N: ipam.routes of N /32 routes.
routes() {
	python3 -c 'import json, sys; print(json.dumps([{"dst": "10.200.%d.%d/32" % (i // 256, i % 256)} for i in range(int(sys.argv[1]))]))' "$1"
}
check_out "64 routes: all in the result" 64 sh -c \
	'printf "%s" "$1" | run_nl ADD t1 | python3 -c "import json, sys; print(len(json.load(sys.stdin)[\"routes\"]))"' _ \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/t","subnet":"10.9.0.0/29","routes":'"$(routes 64)")"
refused "65 routes -> 7" 7 'more than 64 routes' t2 \
	"$(conf_ipam 1.0.0 '"dataDir":"'"$D"'/t","subnet":"10.9.0.0/29","routes":'"$(routes 65)")"

# --- GC valid-attachments: 65536, beyond the 1 MiB of stdin ------------------
# The shortest attachment, {"containerID":"c","ifname":"e"}, takes 34 bytes:
# 1 MiB of configuration holds about 30 800, so the limit of 65536 cannot be
# met through stdin; this checks the stdin limit answers first.
# atts N: a GC configuration listing N attachments.
atts() {
	python3 - "$D/g" "$1" <<'EOF'
import json, sys
a = [{"containerID": "c%d" % i, "ifname": "eth0"} for i in range(int(sys.argv[2]))]
print(json.dumps({"cniVersion": "1.1.0", "name": "n", "type": "node-local",
	"ipam": {"type": "node-local", "dataDir": sys.argv[1], "subnet": "10.9.0.0/29"},
	"cni.dev/valid-attachments": a}, separators=(",", ":")))
EOF
}
atts 25000 > "$D/gc-25000"
atts 65537 > "$D/gc-65537"
check_exit "GC of 25000 attachments (under 1 MiB) accepted" 0 sh -c 'run_nl GC - < "$1"' _ "$D/gc-25000"
check_grep "GC of 65537 attachments: stdin over 1 MiB -> 6" '"code": 6' \
	sh -c 'run_nl GC - < "$1"' _ "$D/gc-65537"

t_done
