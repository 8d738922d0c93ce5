#!/bin/sh
# bridge_stress: 100 concurrent ADDs get 100 distinct address pairs and 100
# concurrent DELs free them all; kill -9 at random points of ADD and DEL,
# then DEL (or GC) leaves no address allocated and no veth behind.
. test/lib/t.sh
. test/netns/bridge.lib
br_setup

N=100
C=$(conf 1.0.0 stress br-st "$(ipam node-local 198.18.16.0/20 fd00:16::/64)" ',"isDefaultGateway":true')

# --- N concurrent ADDs, then N concurrent DELs ----------------------------------
i=1
while [ $i -le $N ]; do
	ip netns add "$NS-p$i"
	i=$((i + 1))
done
pids=""
i=1
while [ $i -le $N ]; do
	printf '%s' "$C" | cni bridge ADD "s$i" "$NS-p$i" eth0 > "$T/add.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
BG_PIDS=$pids
fails=0
for p in $pids; do
	wait "$p" || fails=$((fails + 1))
done
BG_PIDS=""
eq "concurrent: all $N ADDs succeed" "$fails" 0
[ "$fails" = 0 ] || head -c 600 "$(grep -L '"ips"' "$T"/add.* | head -n 1)"
cat "$T"/add.* | sed -n 's/^ *"address": "\(.*\)",*$/\1/p' | sort > "$T/addrs"
eq "concurrent: $N IPv4 + $N IPv6 addresses" "$(wc -l < "$T/addrs" | tr -d ' ')" $((2 * N))
eq "concurrent: no address twice" "$(sort -u "$T/addrs" | wc -l | tr -d ' ')" $((2 * N))
eq "concurrent: $N veths on the bridge" "$(veths br-st | wc -l | tr -d ' ')" $N
eq "concurrent: IPAM holds $N pairs" "$(ls "$T/state/stress" | grep -c '^[0-9a-f]*[.:]')" $((2 * N))
# Each pod got what its own result says.
bad=0
i=1
while [ $i -le $N ]; do
	want=$(sed -n 's/^ *"address": "\(.*\)",*$/\1/p' "$T/add.$i" | sort | tr '\n' ' ')
	[ "$(pod_addrs "$NS-p$i" eth0 | tr '\n' ' ')" = "$want" ] || bad=$((bad + 1))
	i=$((i + 1))
done
eq "concurrent: every pod has its result's addresses" "$bad" 0
pids=""
i=1
while [ $i -le $N ]; do
	printf '%s' "$C" | cni bridge DEL "s$i" "$NS-p$i" eth0 > "$T/del.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
BG_PIDS=$pids
fails=0
for p in $pids; do
	wait "$p" || fails=$((fails + 1))
done
BG_PIDS=""
eq "concurrent: all $N DELs succeed" "$fails" 0
eq "concurrent: no veth left" "$(veths br-st | wc -l | tr -d ' ')" 0
eq "concurrent: no address left" "$(ls "$T/state/stress" | grep -c '^[0-9a-f]*[.:]')" 0

# --- kill -9 at random points -----------------------------------------------------
# rand N: a number in 0..N-1.
rand() {
	echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 ))
}

# How long one whole ADD and one DEL take here, from the start of cni-run
# (an ASan build, a busy machine take longer): a kill lands anywhere in them.
t0=$(date +%s%N)
printf '%s' "$C" | cni bridge ADD cal "$NS-p1" eth0 >/dev/null 2>&1
t1=$(date +%s%N)
printf '%s' "$C" | cni bridge DEL cal "$NS-p1" eth0 >/dev/null 2>&1
t2=$(date +%s%N)
ADD_US=$(( (t1 - t0) / 1000 + 1 )) DEL_US=$(( (t2 - t1) / 1000 + 1 ))
echo "kill: a whole ADD takes $((ADD_US / 1000)) ms here, a DEL $((DEL_US / 1000)) ms"

# killed CMD CID POD: start CMD and kill -9 it at a random point of its run.
killed() {
	_us=$ADD_US
	[ "$1" = DEL ] && _us=$DEL_US
	printf '%s' "$C" > "$T/killed.conf"
	"$T/cni-run" bridge "$1" "$2" "$3" eth0 < "$T/killed.conf" >/dev/null 2>&1 &
	_pid=$!
	BG_PIDS=$_pid
	sleep "$(awk -v u="$(rand "$_us")" 'BEGIN { printf "%.6f", u / 1e6 }')"
	kill -9 "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	BG_PIDS=""
}

K=40
left=0
dels=0
partial=0
k=1
while [ $k -le $K ]; do
	pod=$NS-p$(( (k % N) + 1 ))
	killed ADD "k$k" "$pod"
	# Half the time the DEL is killed too, and then run again.
	[ "$(rand 2)" = 0 ] && { wait_ipam; killed DEL "k$k" "$pod"; }
	wait_ipam || t_fail "kill: an IPAM plugin still runs after 60 s"
	if has_link "$pod" eth0 || [ "$(allocs stress "k$k")" != 0 ]; then
		partial=$((partial + 1))
	fi
	o=$(printf '%s' "$C" | cni bridge DEL "k$k" "$pod" eth0 2>&1) || {
		dels=$((dels + 1))
		echo "kill: DEL k$k: $o"
	}
	if has_link "$pod" eth0 || [ "$(allocs stress "k$k")" != 0 ]; then
		left=$((left + 1))
		echo "kill: k$k left: $(ip -n "$pod" -o link show eth0 2>&1) allocs $(allocs stress "k$k")"
	fi
	k=$((k + 1))
done
echo "kill: $partial of $K killed calls left something for DEL"
check "kill: some kills left state for DEL to clean" test "$partial" -gt 0
eq "kill: every DEL after a kill succeeds" "$dels" 0
eq "kill: no pod left with an interface or an address" "$left" 0
eq "kill: no veth left" "$(veths br-st | wc -l | tr -d ' ')" 0
eq "kill: no address left" "$(ls "$T/state/stress" | grep -c '^[0-9a-f]*[.:]')" 0

# Killed ADDs and no DEL at all: GC with no valid attachment collects everything.
k=1
while [ $k -le 20 ]; do
	killed ADD "g$k" "$NS-p$k"
	k=$((k + 1))
done
wait_ipam
G=$(printf '%s' "$C" | sed 's/"cniVersion":"1.0.0"/"cniVersion":"1.1.0"/')
o=$(printf '%s' "$G" | cni bridge GC "" "" "")
eq "GC: refused without cni.dev/valid-attachments (code 7)" "$? $(code "$o")" "1 7"
G=$(printf '%s,"cni.dev/valid-attachments":[]}' "${G%\}}")
n_veth=$(veths br-st | wc -l | tr -d ' ')
o=$(printf '%s' "$G" | cni bridge GC "" "" "")
eq "kill: GC succeeds" "$? $o" "0 "
check "kill: the killed ADDs left veths for GC ($n_veth)" test "$n_veth" -gt 0
eq "kill: GC leaves no veth (of $n_veth)" "$(veths br-st | wc -l | tr -d ' ')" 0
eq "kill: GC leaves no address" "$(ls "$T/state/stress" | grep -c '^[0-9a-f]*[.:]')" 0
# The pods' own ends went with the host ends.
left=0
k=1
while [ $k -le 20 ]; do
	has_link "$NS-p$k" eth0 && left=$((left + 1))
	k=$((k + 1))
done
eq "kill: GC removed the pod ends too" "$left" 0

t_done
