#!/bin/sh
# limits: the bridge's input limits (docs/reliability.md, "Input limits"):
# the IPAM plugin's output (64 KiB, its deadline), the environment it is given
# (1024 variables), prevResult's lists, GC's valid-attachments, CNI_NETNS,
# and a result over 64 KiB (code 100). Each at its value is accepted where
# it can be, one more is refused with its code and a message naming the
# limit, and a refused ADD leaves no veth and no allocation. Fake IPAM
# plugins are small scripts on CNI_PATH. node-local's are in test/cli/limits.sh.
. test/lib/t.sh
. test/netns/bridge.lib
br_setup

POD=$(mkns pod)

# fake NAME BODY: an IPAM plugin NAME on CNI_PATH running the shell BODY;
# it appends its CNI_COMMAND to $T/NAME.log.
fake() {
	printf '#!/bin/sh\necho "$CNI_COMMAND" >> %s/%s.log\n%s\n' "$T" "$1" "$2" > "$BIN/$1"
	chmod +x "$BIN/$1"
}

# msg JSON: the "msg" of an error document.
msg() {
	printf '%s' "$1" | jq -r .msg 2>/dev/null
}

# refused DESC CODE MSG-REGEX OUT RC: a failed call with CODE and its
# message matching MSG-REGEX.
refused() {
	eq "$1" "$5 $(code "$4")" "1 $2"
	if msg "$4" | grep -Eq -- "$3"; then t_ok; else t_fail "$1: msg \"$(msg "$4")\" !~ /$3/"; fi
}

# nothing_left DESC BRIDGE NET CID: no port on BRIDGE, no allocation, no eth0 in $POD.
nothing_left() {
	eq "$1: no veth, no allocation" "$(veths "$2" | wc -l | tr -d ' ') $(allocs "$3" "$4")" "0 0"
	has_link "$POD" eth0 && t_fail "$1: eth0 left in the pod" || t_ok
}

# --- the IPAM plugin's output: 65535 bytes ---------------------------------------
# A valid result padded with spaces to SIZE bytes; DEL answers nothing.
padded() {
	python3 -c 'import sys; r = b"{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"198.18.6.2/24\"}]}"
sys.stdout.buffer.write(r + b" " * (int(sys.argv[1]) - len(r)))' "$1" > "$T/pad$1.json"
	fake "pad$1" "if [ \"\$CNI_COMMAND\" = ADD ]; then cat $T/pad$1.json; fi"
}
padded 65535
padded 65536
o=$(conf 1.0.0 pad br-lim '{"type":"pad65535"}' | cni bridge ADD cp1 "$POD" eth0)
eq "IPAM output of 65535 bytes accepted" "$? $(pod_addrs "$POD" eth0)" "0 198.18.6.2/24"
conf 1.0.0 pad br-lim '{"type":"pad65535"}' | cni bridge DEL cp1 "$POD" eth0 >/dev/null
o=$(conf 1.0.0 pad br-lim '{"type":"pad65536"}' | cni bridge ADD cp2 "$POD" eth0)
refused "IPAM output of 65536 bytes -> 103" 103 'wrote more than 65535 bytes and was killed' "$o" $?
nothing_left "IPAM output of 65536 bytes" br-lim pad cp2
fake endless 'exec yes "{\"cniVersion\":\"1.0.0\"}"'
o=$(conf 1.0.0 endless br-lim '{"type":"endless"}' | cni bridge ADD cp3 "$POD" eth0)
refused "IPAM output without end -> 103" 103 'wrote more than 65535 bytes and was killed' "$o" $?
nothing_left "IPAM output without end" br-lim endless cp3

# --- the IPAM plugin's time: XC_CNI_IPAM_TIMEOUT_MS (60 s), XC_IPAM_TIMEOUT_MS ------
# The default is a unit check (test_cni); here a short deadline from the
# environment, so the suite does not wait a minute.
fake slow 'exec sleep 60'
t0=$(date +%s)
o=$(conf 1.0.0 slow br-lim '{"type":"slow"}' | XC_IPAM_TIMEOUT_MS=3000 cni bridge ADD cs1 "$POD" eth0)
rc=$? t1=$(date +%s)
refused "IPAM plugin past 3 s -> 103" 103 'did not finish within 3000 ms and was killed' "$o" $rc
nothing_left "IPAM plugin past 3 s" br-lim slow cs1
# At 3 s, not before; and well before the plugin's 60 s end (a generous
# bound: a loaded machine may take seconds more, the plugin would take 57).
if [ $((t1 - t0)) -ge 3 ] && [ $((t1 - t0)) -le 40 ]; then t_ok; else t_fail "killed after $((t1 - t0)) s, not 3"; fi
o=$(conf 1.0.0 slow br-lim '{"type":"slow"}' | XC_IPAM_TIMEOUT_MS=99 cni bridge ADD cs2 "$POD" eth0)
refused "XC_IPAM_TIMEOUT_MS below 100 -> 4" 4 'XC_IPAM_TIMEOUT_MS=99 is not a number of milliseconds from 100 to 600000' "$o" $?
nothing_left "XC_IPAM_TIMEOUT_MS below 100" br-lim slow cs2

# --- the delegate's environment: 1024 variables ----------------------------------
# envn N CID: ADD with exactly N environment variables (6 CNI_* and fillers).
envn() {
	_n=$1 _id=$2
	set --
	_i=6
	while [ $_i -lt "$_n" ]; do
		set -- "$@" "F$_i=x"
		_i=$((_i + 1))
	done
	conf 1.0.0 envs br-lim "$(ipam node-local 198.18.7.0/24)" |
		env -i CNI_COMMAND=ADD CNI_CONTAINERID="$_id" CNI_NETNS=/var/run/netns/"$POD" \
			CNI_IFNAME=eth0 CNI_PATH="$BIN" CNI_ARGS= "$@" \
			"$(command -v nsenter)" --net=/var/run/netns/"$HOST" "$BIN/bridge"
}
o=$(envn 1024 ce1)
eq "1024 environment variables accepted" "$? $(allocs envs ce1)" "0 1"
conf 1.0.0 envs br-lim "$(ipam node-local 198.18.7.0/24)" | cni bridge DEL ce1 "$POD" eth0 >/dev/null
o=$(envn 1025 ce2)
refused "1025 environment variables -> 103" 103 'more than 1024 environment variables' "$o" $?
nothing_left "1025 environment variables" br-lim envs ce2

# --- prevResult: interfaces 8, ips 16, routes 64, dns 8 each ---------------------
# prev KEY N: a 1.0.0 result with N entries in KEY (dns.KEY for dns lists).
prev() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
k, n = sys.argv[1], int(sys.argv[2])
one = {"interfaces": {"name": "e"}, "ips": {"address": "198.18.8.2/24"},
       "routes": {"dst": "198.18.9.0/24"}, "nameservers": "198.18.8.1",
       "search": "example.test", "options": "ndots:1"}[k]
r = {"cniVersion": "1.0.0"}
if k in ("nameservers", "search", "options"):
    r["dns"] = {k: [one] * n}
else:
    r[k] = [one] * n
print(json.dumps(r))
EOF
}
PC=$(conf 1.0.0 prev br-lim "$(ipam node-local 198.18.8.0/24)")
for kn in interfaces:8 ips:16 routes:64 nameservers:8 search:8 options:8; do
	k=${kn%:*} n=${kn#*:}
	case $k in interfaces|ips|routes) w=result.$k ;; *) w=dns.$k ;; esac
	o=$(with_prev "$PC" "$(prev "$k" "$n")" | cni bridge ADD cr1 "$POD" eth0)
	eq "prevResult: $n $k accepted" "$?" 0
	with_prev "$PC" "$(prev "$k" "$n")" | cni bridge DEL cr1 "$POD" eth0 >/dev/null
	o=$(with_prev "$PC" "$(prev "$k" $((n + 1)))" | cni bridge ADD cr2 "$POD" eth0)
	refused "prevResult: $((n + 1)) $k -> 7" 7 "^$w has more than $n entries" "$o" $?
done
nothing_left "prevResult over the limits" br-lim prev cr2

# --- GC: 16384 valid attachments -------------------------------------------------
# gc N: a GC configuration of network "lim" listing N attachments.
gc() {
	python3 - "$T" "$1" <<'EOF'
import json, sys
a = [{"containerID": "c%d" % i, "ifname": "eth0"} for i in range(int(sys.argv[2]))]
print(json.dumps({"cniVersion": "1.1.0", "name": "lim", "type": "bridge", "bridge": "br-gc",
	"ipam": {"type": "node-local", "dataDir": sys.argv[1] + "/state", "subnet": "198.18.10.0/24"},
	"cni.dev/valid-attachments": a}, separators=(",", ":")))
EOF
}
G=$(conf 1.1.0 lim br-gc "$(ipam node-local 198.18.10.0/24)")
printf '%s' "$G" | cni bridge ADD c1 "$POD" eth0 >/dev/null
eq "GC: a pod to keep" "$(allocs lim c1) $(veths br-gc | wc -l | tr -d ' ')" "1 1"
gc 16384 > "$T/gc-ok"
gc 16385 > "$T/gc-over"
o=$(cni bridge GC - "" "" < "$T/gc-over")
refused "GC of 16385 attachments -> 7" 7 'cni.dev/valid-attachments has more than 16384 entries' "$o" $?
eq "GC refused: the pod kept" "$(allocs lim c1) $(veths br-gc | wc -l | tr -d ' ')" "1 1"
o=$(cni bridge GC - "" "" < "$T/gc-ok")
eq "GC of 16384 attachments (c1 among them) accepted" "$?" 0
eq "GC: the listed pod kept" "$(allocs lim c1) $(veths br-gc | wc -l | tr -d ' ')" "1 1"
printf '%s' "$G" | cni bridge DEL c1 "$POD" eth0 >/dev/null

# --- CNI_NETNS: 4095 bytes ---------------------------------------------------------
N=$(conf 1.0.0 nsl br-lim "$(ipam node-local 198.18.11.0/24)")
o=$(printf '%s' "$N" | cni bridge ADD cn1 "/$(python3 -c 'print("a" * 4095)')" eth0)
refused "CNI_NETNS of 4096 bytes -> 4" 4 'CNI_NETNS is too long \(at most 4095 bytes\)' "$o" $?
nothing_left "CNI_NETNS of 4096 bytes" br-lim nsl cn1

# --- a result over 64 KiB: code 100, all taken back ------------------------------
# Reachable with valid input only thus: the IPAM plugin's 16 addresses, 64
# routes and DNS lists at their limits, the DNS strings of control
# characters (6 bytes each in the result), and a CNI_NETNS of 4095 bytes,
# also of control characters, holding a bind mount of the pod's namespace
# (made in a mount namespace of its own, so it goes away with it).
python3 - > "$T/huge.json" <<'EOF'
import json
net = "fd12:3456:789a:bcde"
gw = net + ":ffff:ffff:ffff:fffe"
ips = [{"address": "%s:1111:2222:3333:%x/64" % (net, 0x4400 + i), "gateway": gw}
       for i in range(16)]
routes = [{"dst": "fd98:7654:3210:fedc:ba98:7654:3210:%x/128" % (0xf000 + i), "gw": gw,
           "mtu": 65535, "advmss": 65535, "priority": 2147483647, "table": 2147483647,
           "scope": 0} for i in range(64)]
c = "\u0001" * 255
dns = {"nameservers": ["%s:ffff:ffff:ffff:%x" % (net, 0xff00 + i) for i in range(8)],
       "domain": c, "search": [c] * 8, "options": [c] * 8}
print(json.dumps({"cniVersion": "1.1.0", "ips": ips, "routes": routes, "dns": dns}))
EOF
fake huge "if [ \"\$CNI_COMMAND\" = ADD ]; then cat $T/huge.json; fi"
H=$(conf 1.1.0 huge br-huge '{"type":"huge"}')
o=$(printf '%s' "$H" | cni bridge ADD ch1 "$POD" eth0)
eq "a result of over 45000 bytes with a short CNI_NETNS" \
	"$? $(printf '%s' "$o" | wc -c | awk '$1 > 45000 { print "big" }')" "0 big"
printf '%s' "$H" | cni bridge DEL ch1 "$POD" eth0 >/dev/null
if command -v unshare >/dev/null 2>&1; then
	LONG=$(python3 - "$T/n" <<'EOF'
import sys
p = sys.argv[1]
while 4095 - len(p) > 256:
    p += "/" + "\x01" * 255
sys.stdout.write(p + "/" + "\x01" * (4095 - len(p) - 1))
EOF
)
	mkdir -p "${LONG%/*}" && : > "$LONG"
	: > "$T/huge.log"
	o=$(printf '%s' "$H" | unshare -m sh -c 'mount --bind "/var/run/netns/$1" "$2" &&
		CNI_COMMAND=ADD CNI_CONTAINERID=ch2 CNI_NETNS="$2" CNI_IFNAME=eth0 CNI_PATH="$3" \
		nsenter --net=/var/run/netns/"$4" "$3/bridge"' _ "$POD" "$LONG" "$BIN" "$HOST")
	refused "result over 64 KiB -> 100" 100 'the result does not fit in 65536 bytes' "$o" $?
	eq "result over 64 KiB: the IPAM plugin's DEL after its ADD" \
		"$(tr '\n' ' ' < "$T/huge.log")" "ADD DEL "
	nothing_left "result over 64 KiB" br-huge huge ch2
	grep -q "$T/n" /proc/self/mountinfo && t_fail "the bind mount outlived its namespace" || t_ok
else
	t_skip "result over 64 KiB: needs unshare" 6
fi

t_done
