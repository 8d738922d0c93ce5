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
# stdout, the execve calls in $T/tr.NET. (The sanitizer build's leak check
# cannot run under ptrace: off for this call only.)
add_in() {
	printf '%s' "$(conf 1.1.0 "$2" "br-$2" "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
		env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" CNI_COMMAND=ADD CNI_CONTAINERID="$3" CNI_NETNS=/var/run/netns/"$POD" \
		CNI_IFNAME="$2" CNI_PATH="$1" \
		nsenter --net=/var/run/netns/"$HOST" strace -f -qq -e trace=execve -o "$T/tr.$2" "$1/bridge"
}

# execs NET: how many execve calls ran node-local.
execs() {
	grep -c 'execve("[^"]*/node-local"' "$T/tr.$1"
}

a=$(add_in "$BIN" pl p1)
check "ADD through a link to the binary succeeds" test -n "$(jf "$a" '.ips[0].address')"
eq "a link to the binary: node-local runs without an exec" "$(execs pl)" 0
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

for n in pl pe; do
	id=p1; [ $n = pe ] && id=p2; dir=$BIN; [ $n = pe ] && dir=$EXE
	printf '%s' "$(conf 1.1.0 $n "br-$n" "$(ipam node-local 198.18.20.0/24 fd00:20::/64)")" |
		env CNI_COMMAND=DEL CNI_CONTAINERID=$id CNI_NETNS=/var/run/netns/"$POD" \
		CNI_IFNAME=$n CNI_PATH="$dir" nsenter --net=/var/run/netns/"$HOST" "$dir/bridge"
	eq "$n: DEL frees both addresses" "$(allocs $n $id)" 0
	check "$n: DEL removes the pod's interface" sh -c "! ip -n '$POD' link show $n >/dev/null 2>&1"
done
t_done
