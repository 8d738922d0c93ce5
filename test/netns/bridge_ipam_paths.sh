#!/bin/sh
# bridge_ipam_paths: bridge runs an IPAM plugin that is its own binary (a
# link to it, as install makes them) without an exec, and any other file
# with one (core/cni/cni_exec.c). Both paths: which one runs, the same
# results and error documents, and DEL frees what ADD took.
. test/lib/t.sh
. test/netns/bridge.lib
command -v strace >/dev/null 2>&1 || { t_skip "needs strace (vendor/deps.sh test)"; t_done; exit 0; }
br_setup

# $BIN: node-local a link to the binary; $EXE: a copy of it.
EXE=$T/bin-exec
mkdir -p "$EXE"
cp "$XC" "$EXE/xcluster-cni"
ln -s xcluster-cni "$EXE/bridge"
cp "$XC" "$EXE/node-local"
POD=$(mkns pod)

# add_in DIR NET CID: ADD with CNI_PATH=DIR under strace; the result on
# stdout, the execve, fork and clone calls in $T/tr.NET. (The sanitizer
# build's leak check cannot run under ptrace: off for this call only.)
add_in() {
	printf '%s' "$(conf 1.1.0 "$2" "br-$2" "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" CNI_COMMAND=ADD CNI_CONTAINERID="$3" CNI_NETNS=/var/run/netns/"$POD" \
		CNI_IFNAME="$2" CNI_PATH="$1" \
		nsenter --net=/var/run/netns/"$HOST" strace -f -qq -e trace=execve,fork,vfork,clone,clone3 -o "$T/tr.$2" "$1/bridge"
}

# execs NET: how many execve calls ran node-local.
execs() {
	grep -c 'execve("[^"]*/node-local"' "$T/tr.$1"
}

a=$(add_in "$BIN" pl p1)
check "ADD through a link to the binary succeeds" test -n "$(jf "$a" '.ips[0].address')"
eq "a link to the binary: node-local runs without an exec" "$(execs pl)" 0
# The child is forked while bridge has one thread: the first process fork
# comes before the first thread (musl: fork(); glibc: clone(... SIGCHLD)).
first() { grep -n "$1" "$T/tr.pl" | head -n 1 | cut -d: -f1; }
f=$(first 'fork()\|clone(.*SIGCHLD') t=$(first 'CLONE_THREAD')
check "the IPAM child is forked before bridge's second thread ($f < $t)" \
	test -n "$f" -a -n "$t" -a "${f:-0}" -lt "${t:-0}"
b=$(add_in "$EXE" pe p2)
check "ADD through a copy of the binary succeeds" test -n "$(jf "$b" '.ips[0].address')"
eq "a copy of the binary: node-local is exec'd" "$(execs pe)" 1
eq "both paths: the same addresses, gateways and routes" \
	"$(jf "$a" '[.ips, .routes] | tostring')" "$(jf "$b" '[.ips, .routes] | tostring')"
eq "both paths: the pod's interface takes the result's addresses" \
	"$(pod_addrs "$POD" pl | tr '\n' ' ')" "$(pod_addrs "$POD" pe | tr '\n' ' ')"

# The delegate's error document reaches the runtime unchanged on both.
bad='{"type":"node-local","ranges":[[{"subnet":"198.18.21.0/33"}]]}'
for d in "$BIN" "$EXE"; do
	printf '%s' "$(conf 1.1.0 bad br-bad "$bad")" |
		env CNI_COMMAND=ADD CNI_CONTAINERID=p3 CNI_NETNS=/var/run/netns/"$POD" \
		CNI_IFNAME=eth9 CNI_PATH="$d" nsenter --net=/var/run/netns/"$HOST" "$d/bridge" \
		> "$T/err.$(basename "$d")"
done
eq "a bad ipam: code 7 from node-local" "$(code "$(cat "$T/err.bin")")" 7
check "both paths: the same error document" cmp -s "$T/err.bin" "$T/err.bin-exec"
check "a bad ipam: no interface left" sh -c "! ip -n '$POD' link show eth9 >/dev/null 2>&1"

# A bad XC_IPAM_TIMEOUT_MS fails an ADD (code 4) but never a DEL: a typo in
# the runtime's environment must not leave pods that cannot be torn down.
o=$(printf '%s' "$(conf 1.1.0 pl br-pl "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
	XC_IPAM_TIMEOUT_MS=abc cni bridge ADD p9 "$POD" eth8)
eq "XC_IPAM_TIMEOUT_MS=abc: ADD refused with code 4" "$(code "$o")" 4
printf '%s' "$(conf 1.1.0 pl br-pl "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
	XC_IPAM_TIMEOUT_MS=abc cni bridge DEL p9 "$POD" eth8 > "$T/del9" 2>&1
check "XC_IPAM_TIMEOUT_MS=abc: DEL still succeeds" test $? = 0

# ipam.type naming bridge itself is refused, not run until the deadlines stop it.
o=$(printf '%s' "$(conf 1.1.0 rec br-rec '{"type":"xcluster-bridge"}')" | cni bridge ADD p8 "$POD" eth7)
eq "ipam.type xcluster-bridge: code 7" "$(code "$o")" 7

# A runtime that ignores SIGCHLD: the delegate's exit status is still read.
o=$(printf '%s' "$(conf 1.1.0 pl br-pl "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
	env CNI_COMMAND=STATUS CNI_PATH="$BIN" nsenter --net=/var/run/netns/"$HOST" \
	sh -c "trap '' CHLD; exec '$BIN/bridge'")
check "SIGCHLD ignored by the caller: STATUS answers" test $? = 0 -a -z "$o"

# The deadline holds on the path without an exec: node-local waits on its
# store's lock, held here, and is killed; what the ADD made is taken back.
mkdir -p "$T/state/pl"
flock "$T/state/pl/lock" sleep 60 &
LP=$!
BG_PIDS="$BG_PIDS $LP"
t_wait 60 sh -c "! flock -n '$T/state/pl/lock' true"   # held, not just started
o=$(printf '%s' "$(conf 1.1.0 pl br-pl "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
	XC_IPAM_TIMEOUT_MS=300 cni bridge ADD p7 "$POD" eth6)
eq "a held store lock: code 103 at the deadline" "$(code "$o")" 103
check "... and the message says so" sh -c 'echo "$1" | grep -q "did not finish within 300 ms"' _ "$o"
check "... and the pod's interface is gone" sh -c "! ip -n '$POD' link show eth6 >/dev/null 2>&1"
kill "$LP"
wait "$LP" 2>/dev/null
eq "... and no address is held for it" "$(allocs pl p7)" 0

for n in pl pe; do
	id=p1; [ $n = pe ] && id=p2; dir=$BIN; [ $n = pe ] && dir=$EXE
	printf '%s' "$(conf 1.1.0 $n "br-$n" "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
		env CNI_COMMAND=DEL CNI_CONTAINERID=$id CNI_NETNS=/var/run/netns/"$POD" \
		CNI_IFNAME=$n CNI_PATH="$dir" nsenter --net=/var/run/netns/"$HOST" "$dir/bridge"
	eq "$n: DEL frees both addresses" "$(allocs $n $id)" 0
	check "$n: DEL removes the pod's interface" sh -c "! ip -n '$POD' link show $n >/dev/null 2>&1"
done
t_done
