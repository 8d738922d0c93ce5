#!/bin/sh
# cni_kill: ITER (default 1000) times, kill -9 the bridge plugin (node-local
# as IPAM, dual-stack) at a random point of an ADD or of a DEL, then recover
# as a runtime does: DEL of that container (itself killed now and then, and
# run again), or, for some killed ADDs, nothing until GC. Every CHECK_EVERY
# iterations and at the end: no leaked address (node-local's records against
# the pods that are added), no stray veth (host or pod side), no address
# twice among the live pods; then GC with the live pods as the valid
# attachments, and the same checks again. Prints where the kills landed.
#
#   XC=build/xcluster-cni [ITER=1000] [SLOTS=24] [CHECK_EVERY=100] sh test/soak/cni_kill.sh
. test/lib/t.sh
. test/netns/bridge.lib
br_setup

ITER=${ITER:-1000}
SLOTS=${SLOTS:-24}
CHECK_EVERY=${CHECK_EVERY:-100}
NETN=soak
BR=br-soak
D=$T/state/$NETN
CR=$(printf '\r')
printf '%s' "$(conf 1.1.0 $NETN $BR "$(ipam node-local 198.18.20.0/24 fd00:20::/64)" \
	',"isDefaultGateway":true')" > "$T/conf"

# start CMD CID SLOT: the bridge in the background, output in $T/out. PID is
# the plugin itself: env and nsenter exec it, no shell stays in between.
start() {
	env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS=/var/run/netns/$NS-p$3 \
		CNI_IFNAME=eth0 CNI_PATH="$BIN" \
		nsenter --net=/var/run/netns/"$HOST" "$BIN/bridge" < "$T/conf" > "$T/out" 2>&1 &
	PID=$!
	BG_PIDS=$PID
}

# run CMD CID SLOT: the bridge to its end; its exit status.
run() {
	start "$@"
	wait "$PID"
	_rc=$?
	BG_PIDS=""
	return $_rc
}

rand() {
	echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 ))
}

now_us() {
	echo $(( $(date +%s%N) / 1000 ))
}

# killed CMD CID SLOT MAX_US: start CMD and kill -9 it after 0..MAX_US µs.
# RC is its exit status (137: killed, else it finished first). The sleep
# starts first, so its own start-up overlaps the plugin's; one call in 16
# is killed right after the fork, before the plugin even runs.
killed() {
	_d=$(rand "$4")
	[ "$(rand 16)" = 0 ] && _d=0
	[ $_d -gt 0 ] && { sleep "$((_d / 1000000)).$(printf %06d $((_d % 1000000)))" & _sp=$!; }
	start "$1" "$2" "$3"
	[ $_d -gt 0 ] && wait $_sp
	kill -9 "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	RC=$?
	BG_PIDS=""
	wait_ipam || t_fail "an IPAM plugin still runs 5 s after its bridge was killed"
}

# adapt VAR RC: keep a third of the calls finishing before their kill, so
# the delays span the whole call (0..~1.5x its length) however loaded the
# machine is: 1/16 less after a finished call, 1/32 more after a kill.
adapt() {
	eval "_m=\$$1"
	if [ "$2" = 137 ]; then _m=$((_m + _m / 32 + 1)); else _m=$((_m - _m / 16)); fi
	[ $_m -lt 100 ] && _m=100
	eval "$1=$_m"
}

# recs CID: how many of node-local's records name CID.
recs() {
	grep -lx -e "$1" -e "$1$CR" "$D"/[0-9a-f]*[.:]* 2>/dev/null | wc -l | tr -d ' '
}

# ports: the bridge's ports, one a line: NAME CID ("-" when unmarked).
ports() {
	ip -n "$HOST" -o link show master $BR 2>/dev/null | awk -F': ' '{
		n = $2; sub(/@.*/, "", n); c = "-"
		if (match($0, /alias xcni:[0-9a-f]+:eth0:[^ \\]+/)) {
			c = substr($0, RSTART, RLENGTH); sub(/.*:/, "", c)
		}
		print n, c }'
}

marked() {
	ports | grep -c " $1\$"
}

# state CID SLOT: what a killed call left: record count, pod end, alias, pod addresses.
state() {
	_r=$(recs "$1")
	_v=0 _a=0 _p=0
	has_link "$NS-p$2" eth0 && _v=1
	[ "$(marked "$1")" != 0 ] && _a=1
	[ -n "$(pod_addrs "$NS-p$2" eth0)" ] && _p=1
	echo "$_r $_v $_a $_p"
}

# count NAME: one more in the tally NAME.
count() {
	eval "N_$1=\$((\${N_$1:-0} + 1))"
}

# gone CID SLOT WHAT: after a successful DEL, nothing of CID is left.
gone() {
	_s=$(state "$1" "$2")
	if [ "$_s" != "0 0 0 0" ]; then
		t_fail "$3: $1 left (records, pod end, marked veth, pod addresses) = $_s"
		count left
	else
		t_ok
	fi
}

# del_ok CID SLOT WHAT: the runtime's DEL, which must succeed; nothing left.
del_ok() {
	if run DEL "$1" "$2"; then
		t_ok
	else
		t_fail "$3: DEL $1 failed: $(tr -d '\n' < "$T/out" | head -c 300)"
		count delfail
	fi
	gone "$@"
}

# calibrate: TADD and TDEL, the medians of 5 whole ADD and DEL calls in µs
# (less the cost of reading the clock), on the spare namespace p0.
calibrate() {
	: > "$T/cal.a"
	: > "$T/cal.d"
	for _k in 1 2 3 4 5; do
		_a=$(now_us)
		run ADD cal$_k 0 || t_fail "calibration ADD: $(head -c 300 "$T/out")"
		_b=$(now_us)
		run DEL cal$_k 0 || t_fail "calibration DEL: $(head -c 300 "$T/out")"
		_c=$(now_us)
		echo $((_b - _a - CLOCK_US)) >> "$T/cal.a"
		echo $((_c - _b - CLOCK_US)) >> "$T/cal.d"
	done
	TADD=$(sort -n "$T/cal.a" | sed -n 3p)
	TDEL=$(sort -n "$T/cal.d" | sed -n 3p)
}

# --- the checks ---------------------------------------------------------------
# live: the added pods as "SLOT CID" lines; orphans likewise (killed ADDs left to GC).
slots_in() {
	_i=1
	while [ $_i -le $SLOTS ]; do
		eval "_st=\$S_$_i"
		case $_st in
		"$1":*) echo "$_i ${_st#*:}" ;;
		esac
		_i=$((_i + 1))
	done
}

# audit WHEN: records, ports and pod ends against the slots' states.
audit() {
	slots_in live > "$T/live"
	slots_in orphan > "$T/orph"
	awk '{print $2}' "$T/live" | sort > "$T/live.cids"
	awk '{print $2}' "$T/orph" | sort > "$T/orph.cids"
	sort -u "$T/live.cids" "$T/orph.cids" > "$T/known"
	# Leaked addresses: records of a container that is neither added nor waiting for GC.
	: > "$T/recs"
	for f in "$D"/[0-9a-f]*[.:]*; do
		[ -e "$f" ] || continue
		echo "$(head -n 1 "$f" | tr -d '\r') ${f##*/}" >> "$T/recs"
	done
	leaked=$(awk '{print $1}' "$T/recs" | sort -u | comm -23 - "$T/known" | wc -l | tr -d ' ')
	eq "$1: no leaked address (records of no added pod)" "$leaked" 0
	[ "$leaked" = 0 ] || awk '{print $1}' "$T/recs" | sort -u | comm -23 - "$T/known" | head -n 5
	L_LEAK=$((L_LEAK + leaked))
	# Every live pod: two records, and exactly their addresses in its namespace.
	bad=0 dup=0
	: > "$T/addrs"
	while read -r s cid; do
		want=$(awk -v c="$cid" '$1 == c {print $2}' "$T/recs" | sort | tr '\n' ' ')
		got=$(pod_addrs "$NS-p$s" eth0 | sed 's,/.*,,' | sort | tr '\n' ' ')
		if [ "$got" != "$want" ] || [ "$(echo $want | wc -w)" != 2 ]; then
			bad=$((bad + 1))
			echo "  $1: pod $cid (slot $s): has '$got', records '$want'"
		fi
		pod_addrs "$NS-p$s" eth0 >> "$T/addrs"
	done < "$T/live"
	eq "$1: every live pod has its two recorded addresses" "$bad" 0
	dup=$(sed 's,/.*,,' "$T/addrs" | sort | uniq -d | wc -l | tr -d ' ')
	eq "$1: no address twice among the live pods" "$dup" 0
	L_DUP=$((L_DUP + dup))
	# Stray veths: host ends of no known pod, pod ends in namespaces of no pod.
	ports > "$T/ports"
	stray=$(awk '$2 != "-" {print $2}' "$T/ports" | sort | comm -23 - "$T/known" | wc -l | tr -d ' ')
	unm=$(awk '$2 == "-"' "$T/ports" | wc -l | tr -d ' ')
	eq "$1: no marked host veth of a pod not added" "$stray" 0
	L_STRAY=$((L_STRAY + stray))
	nlive=$(wc -l < "$T/live" | tr -d ' ')
	eq "$1: one marked port per live pod" \
		"$(awk '$2 != "-" {print $2}' "$T/ports" | sort | comm -12 - "$T/live.cids" | wc -l | tr -d ' ')" "$nlive"
	podleft=0
	_i=1
	while [ $_i -le $SLOTS ]; do
		eval "_st=\$S_$_i"
		if [ "$_st" = "" ] && has_link "$NS-p$_i" eth0; then
			podleft=$((podleft + 1))
			echo "  $1: slot $_i has no pod but an eth0"
		fi
		_i=$((_i + 1))
	done
	eq "$1: no pod end in a namespace without a pod" "$podleft" 0
	L_STRAY=$((L_STRAY + podleft))
	UNMARKED=$unm
}

# gc_check WHEN: audit, GC with the live pods valid, audit again; the orphans
# must be gone, also one killed between its veth and its alias (GC knows it
# by its link group, XC_PODLINK_GROUP_NEW).
gc_check() {
	audit "$1 before GC"
	tmp=$(ls -A "$D" 2>/dev/null | grep -c '^\.xc-tmp\.')
	TMP_SEEN=$((TMP_SEEN + tmp))
	va=$(awk '{printf "%s{\"containerID\":\"%s\",\"ifname\":\"eth0\"}", (NR > 1 ? "," : ""), $2}' "$T/live")
	printf '%s,"cni.dev/valid-attachments":[%s]}' "$(sed 's/}$//' "$T/conf")" "$va" > "$T/gc.conf"
	o=$(env CNI_COMMAND=GC CNI_PATH="$BIN" nsenter --net=/var/run/netns/"$HOST" \
		"$BIN/bridge" < "$T/gc.conf" 2>&1)
	eq "$1: GC succeeds" "$? $o" "0 "
	GCS=$((GCS + 1))
	while read -r s cid; do
		_s=$(state "$cid" "$s")
		case $_s in
		"0 0 0 0") t_ok ;;
		"0 1 0 "*)
			count gc_unmarked
			t_fail "$1: GC left orphan $cid: a veth killed before its alias"
			del_ok "$cid" "$s" "$1: DEL of an unmarked orphan" ;;
		*) t_fail "$1: GC left orphan $cid (records, pod end, marked veth, pod addresses) = $_s"
		   count left ;;
		esac
		GC_ORPH=$((GC_ORPH + 1))
		eval "S_$s="
	done < "$T/orph"
	audit "$1 after GC"
	eq "$1: no unmarked port left" "$UNMARKED" 0
	eq "$1: no .xc-tmp.* left after GC" "$(ls -A "$D" 2>/dev/null | grep -c '^\.xc-tmp\.')" 0
	eq "$1: records are exactly the live pods' (2 each)" \
		"$(grep -c . "$T/recs")" "$((2 * $(wc -l < "$T/live")))"
}

# --- the soak -------------------------------------------------------------------
ip netns add "$NS-p0"
i=1
while [ $i -le $SLOTS ]; do
	ip netns add "$NS-p$i"
	eval "S_$i="
	i=$((i + 1))
done
_a=$(now_us); CLOCK_US=$(($(now_us) - _a))
run ADD warm 0 && run DEL warm 0 || t_fail "first ADD and DEL: $(head -c 300 "$T/out")"
calibrate
echo "cni_kill: $ITER iterations, $SLOTS pods; ADD takes ${TADD} µs, DEL ${TDEL} µs"
MADD=$((TADD * 3 / 2)) MDEL=$((TDEL * 3 / 2))
L_LEAK=0 L_DUP=0 L_STRAY=0 TMP_SEEN=0 GCS=0 GC_ORPH=0 ADDS=0 DELS=0
T0=$(date +%s)
NEXT=$((T0 + 30))
it=1
while [ $it -le $ITER ]; do
	s=$(( $(rand $SLOTS) + 1 ))
	eval "st=\$S_$s"
	case $st in
	orphan:*) continue ;;   # waits for GC
	live:*)
		cid=${st#live:}
		DELS=$((DELS + 1))
		killed DEL "$cid" "$s" $MDEL
		adapt MDEL $RC
		if [ $RC = 137 ]; then
			case $(state "$cid" "$s") in
			"2 1 1 1") count del_untouched ;;
			"0 1 1 1") count del_ipam_released ;;
			"0 0 0 0") count del_all_gone ;;
			*) count del_other; echo "  DEL $cid killed: left $(state "$cid" "$s")" ;;
			esac
		elif [ $RC = 0 ]; then
			count del_finished
		else
			t_fail "DEL $cid failed: $(tr -d '\n' < "$T/out" | head -c 300)"
		fi
		# The runtime runs DEL again until it succeeds.
		del_ok "$cid" "$s" "DEL after a killed DEL"
		eval "S_$s="
		;;
	*)
		cid=k$it
		ADDS=$((ADDS + 1))
		killed ADD "$cid" "$s" $MADD
		adapt MADD $RC
		if [ $RC = 0 ]; then
			count add_finished
			eval "S_$s=live:$cid"
		else
			if [ $RC != 137 ]; then
				t_fail "ADD $cid failed: $(tr -d '\n' < "$T/out" | head -c 300)"
			fi
			st=$(state "$cid" "$s")
			case $st in
			"0 0 0 0") count add_nothing ;;
			"1 0 "*|"2 0 "*) count add_ipam_only ;;
			"0 1 0 0") count add_veth_unmarked ;;
			"0 1 1 0") count add_veth_only ;;
			"1 1 0 0"|"2 1 0 0") count add_ipam_veth_unmarked ;;
			"1 1 1 0"|"2 1 1 0") count add_ipam_veth ;;
			"2 1 1 1") count add_addressed ;;
			*) count add_other; echo "  ADD $cid killed: left $st" ;;
			esac
			case $st in
			1*) count add_one_record ;;
			esac
			r=$(rand 10)
			if [ "$r" = 0 ]; then
				eval "S_$s=orphan:$cid"    # the runtime lost it: GC's job
			else
				if [ "$r" -le 3 ]; then
					count recovery_del_killed
					killed DEL "$cid" "$s" $MDEL
				fi
				del_ok "$cid" "$s" "DEL after a killed ADD"
			fi
		fi
		;;
	esac
	if [ $((it % CHECK_EVERY)) = 0 ]; then
		gc_check "iteration $it"
		calibrate
		echo "cni_kill: iteration $it: ADD ~$TADD µs, DEL ~$TDEL µs; kill delays up to $MADD (ADD), $MDEL (DEL) µs"
	fi
	t=$(date +%s)
	if [ "$t" -ge "$NEXT" ]; then
		echo "cni_kill: $it/$ITER after $((t - T0)) s: $ADDS ADDs, $DELS DELs of live pods, ${T_FAIL} failures"
		NEXT=$((t + 30))
	fi
	it=$((it + 1))
done
gc_check "end"
# Every live pod goes the runtime's way; nothing may stay.
slots_in live > "$T/live"
while read -r s cid; do
	del_ok "$cid" "$s" "final DEL"
	eval "S_$s="
done < "$T/live"
gc_check "final"
eq "final: no record left" "$(grep -c . "$T/recs")" 0
eq "final: no port left" "$(ports | wc -l | tr -d ' ')" 0

echo "cni_kill: $ITER iterations in $(( $(date +%s) - T0 )) s; ADD ~${TADD} µs, DEL ~${TDEL} µs (last calibration); kill delays up to $MADD µs (ADD), $MDEL µs (DEL) at the end"
echo "  ADDs started: $ADDS; killed ADD left: nothing ${N_add_nothing:-0}, IPAM records only ${N_add_ipam_only:-0}," \
	"veth only ${N_add_veth_only:-0} (unmarked ${N_add_veth_unmarked:-0}), veth+records ${N_add_ipam_veth:-0}" \
	"(unmarked ${N_add_ipam_veth_unmarked:-0}), addressed ${N_add_addressed:-0}, other ${N_add_other:-0};" \
	"finished before the kill ${N_add_finished:-0}; one record of two ${N_add_one_record:-0}"
echo "  DELs of live pods: $DELS; killed DEL left: all ${N_del_untouched:-0}, veth only (records released)" \
	"${N_del_ipam_released:-0}, nothing ${N_del_all_gone:-0}, other ${N_del_other:-0}; finished ${N_del_finished:-0}"
echo "  recovery DELs killed and run again: ${N_recovery_del_killed:-0}; orphans left to GC: $GC_ORPH" \
	"(unmarked and left by GC: ${N_gc_unmarked:-0}); GC runs: $GCS; .xc-tmp files seen before GC: $TMP_SEEN"
echo "  found: leaked addresses $L_LEAK, duplicates $L_DUP, stray veths $L_STRAY, failed DELs ${N_delfail:-0}, left after DEL/GC ${N_left:-0}"
t_done
