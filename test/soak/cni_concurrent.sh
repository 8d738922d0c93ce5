#!/bin/sh
# cni_concurrent: C (default 200) workers, each with its own pod namespace,
# loop ADD -> check -> DEL -> check against one bridge network (node-local,
# dual-stack) for DURATION seconds (default 600). The check after ADD: each
# address is claimed in a shared registry (mkdir: only one claim can
# succeed, so an address handed out twice is seen at once) and is on the
# pod's eth0; after DEL: the pod's eth0 is gone and node-local's record of
# it too. Then a shorter phase (EXH_DURATION, default DURATION/5) on a
# network whose IPv4 range holds fewer addresses than there are workers:
# ADD may fail, but only with code 101 and leaving nothing, never with an
# address twice. At the end of each phase: no record, no veth, no claim
# left; ADD/DEL counts, errors by CNI code, latency p50/p99.
#
#   XC=build/xcluster-cni [C=200] [DURATION=600] [EXH_DURATION=120] [DEADLINE=60] \
#       [ALLOW="add 105"] sh test/soak/cni_concurrent.sh
. test/lib/t.sh
. test/netns/bridge.lib
br_setup

C=${C:-200}
DURATION=${DURATION:-600}
EXH_DURATION=${EXH_DURATION:-$((DURATION / 5))}
# A runtime's deadline for one call (containerd's is minutes): past it the
# plugin is killed (counted as "deadline") and the runtime runs DEL.
DEADLINE=${DEADLINE:-60}
# Errors to accept besides the exhausted phase's "add 101", as "CMD CODE"
# separated by commas ("add 105,add deadline"). None by default.
ALLOW=${ALLOW:-}
[ "$C" -le 1000 ] || { echo "C=$C: the /22 holds 1021 addresses"; exit 2; }
REG=$T/reg
mkdir -p "$REG" "$T/w" "$T/gone"
WPIDS=""

# The workers first, then whatever plugin they had started, then br_cleanup.
soak_cleanup() {
	for p in $WPIDS; do
		kill -9 "$p" 2>/dev/null
	done
	_i=0
	while [ $_i -lt 500 ] && grep -qs "$BIN/" /proc/[0-9]*/cmdline; do
		sleep 0.01
		_i=$((_i + 1))
	done
	br_cleanup
}
trap soak_cleanup EXIT

now_us() {
	echo $(( $(date +%s%N) / 1000 ))
}

# call CMD CID I CONF: the bridge for worker I's pod, killed at the runtime's
# deadline; its output in OUT, exit status in RC, duration (µs) in US.
call() {
	_a=$(now_us)
	OUT=$(env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS=/var/run/netns/$NS-w$3 \
		CNI_IFNAME=eth0 CNI_PATH="$BIN" timeout -s KILL "$DEADLINE" \
		nsenter --net=/var/run/netns/"$HOST" "$BIN/bridge" < "$4" 2>&1)
	RC=$?
	US=$(($(now_us) - _a))
}

# note I KIND TEXT: a line in worker I's log of events (errors, findings).
note() {
	echo "$2 $3" | tr -d '\n' >> "$T/w/$1.ev"
	echo >> "$T/w/$1.ev"
}

# err_of CMD: "CMD CODE" for the last call's failure: "CMD deadline" when
# killed (SIGKILL, as timeout sends it), "CMD sigN" for another signal,
# "CMD rcN" for an exit status without an error document.
err_of() {
	_c=$(code "$OUT")
	if [ "$RC" = 137 ]; then
		echo "$1 deadline"
	elif [ "$RC" -gt 128 ]; then
		echo "$1 sig$((RC - 128))"
	else
		echo "$1 ${_c:-rc$RC}"
	fi
}

# claim I ADDR CID: ADDR is worker I's now. Taken by a pod that is not
# being deleted: a duplicate. Taken by one whose DEL runs (its "del" mark,
# made before its DEL): wait for it. A claim goes away by rename, so it is
# never seen half removed.
claim() {
	_w=0
	while ! mkdir "$REG/$2" 2>/dev/null; do
		if [ ! -e "$REG/$2/del" ] && [ -e "$REG/$2" ]; then
			note "$1" dup "$2 given to $3 while $(cat "$REG/$2/owner" 2>/dev/null) holds it"
			return 1
		fi
		sleep 0.02
		_w=$((_w + 1))
		[ $_w -lt 3000 ] || { note "$1" bad "$2: claim by $(cat "$REG/$2/owner" 2>/dev/null) not released in 60 s"; return 1; }
	done
	echo "$3" > "$REG/$2/owner"
}

# del_until_ok I CID CONF: DEL as a runtime does: again until it succeeds.
del_until_ok() {
	_k=0
	while :; do
		call DEL "$2" "$1" "$3"
		echo "del $US" >> "$T/w/$1.lat"
		[ "$RC" = 0 ] && return 0
		note "$1" err "$(err_of del) $2: $OUT"
		_k=$((_k + 1))
		[ $_k -lt 5 ] || return 1
		sleep 1
	done
}

# worker I END CONF DIR: the loop, until END (seconds since the epoch).
worker() {
	_i=$1 _end=$2 _conf=$3 _dir=$4 _n=0
	while [ "$(date +%s)" -lt "$_end" ]; do
		_n=$((_n + 1))
		_cid=w$_i-$_n
		call ADD "$_cid" "$_i" "$_conf"
		echo "add $US" >> "$T/w/$_i.lat"
		if [ "$RC" != 0 ]; then
			note "$_i" err "$(err_of add) $_cid: $OUT"
			# A failed ADD takes back what it did; one killed at the deadline cannot.
			[ "$RC" -le 128 ] && has_link "$NS-w$_i" eth0 && note "$_i" bad "failed ADD $_cid left eth0"
			del_until_ok "$_i" "$_cid" "$_conf" || note "$_i" bad "DEL $_cid never succeeded"
			sleep "0.0$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))"
			continue
		fi
		_addrs=$(printf '%s\n' "$OUT" | sed -n 's/^ *"address": "\(.*\)\/[0-9]*",*$/\1/p' | sort)
		_claimed=""
		for _x in $_addrs; do
			claim "$_i" "$_x" "$_cid" && _claimed="$_claimed $_x"
		done
		_got=$(pod_addrs "$NS-w$_i" eth0 | sed 's,/.*,,' | sort)
		[ "$(echo $_got)" = "$(echo $_addrs)" ] && [ "$(echo $_addrs | wc -w)" = 2 ] ||
			note "$_i" bad "ADD $_cid: result '$(echo $_addrs)', pod has '$(echo $_got)'"
		for _x in $_claimed; do
			: > "$REG/$_x/del"
		done
		del_until_ok "$_i" "$_cid" "$_conf" || note "$_i" bad "DEL $_cid never succeeded"
		has_link "$NS-w$_i" eth0 && note "$_i" bad "DEL $_cid left eth0"
		for _x in $_addrs; do
			[ -e "$_dir/$_x" ] && [ "$(head -n 1 "$_dir/$_x" 2>/dev/null | tr -d '\r')" = "$_cid" ] &&
				note "$_i" bad "DEL $_cid left the record of $_x"
		done
		for _x in $_claimed; do
			mv "$REG/$_x" "$T/gone/$_cid-$_x" && rm -rf "$T/gone/$_cid-$_x"
		done
	done
}

# pct P FILE: the P-th percentile of the numbers in FILE (sorted).
pct() {
	_n=$(wc -l < "$2")
	[ "$_n" -gt 0 ] || { echo -; return; }
	sed -n "$(( (_n * $1 + 99) / 100 ))p" "$2"
}

# phase NAME SECONDS CONF DIR BRIDGE ALLOWED: all workers for SECONDS; then
# the checks. ALLOWED: the "cmd code" errors that are no failure here.
phase() {
	_name=$1 _secs=$2 _pconf=$3 _pdir=$4 _pbr=$5 _allowed=$6
	rm -f "$T"/w/*
	_t0=$(date +%s)
	_end=$((_t0 + _secs))
	WPIDS=""
	i=1
	while [ $i -le $C ]; do
		worker $i $_end "$_pconf" "$_pdir" &
		WPIDS="$WPIDS $!"
		i=$((i + 1))
	done
	# Progress while they run.
	while [ "$(date +%s)" -lt "$_end" ]; do
		_s=$((_end - $(date +%s)))
		[ $_s -gt 30 ] && _s=30
		[ $_s -gt 0 ] && { sleep $_s & wait $!; }
		_a=$(cat "$T"/w/*.lat 2>/dev/null | grep -c '^add')
		_d=$(cat "$T"/w/*.lat 2>/dev/null | grep -c '^del')
		_e=$(cat "$T"/w/*.ev 2>/dev/null | grep -c '^err')
		_b=$(cat "$T"/w/*.ev 2>/dev/null | grep -c '^\(dup\|bad\)')
		echo "cni_concurrent: $_name: $(( $(date +%s) - _t0 )) s: $_a ADDs, $_d DELs, $_e errors, $_b duplicates/bad"
	done
	for p in $WPIDS; do
		wait "$p"
	done
	WPIDS=""
	_wall=$(( $(date +%s) - _t0 ))
	cat "$T"/w/*.ev > "$T/$_name.ev" 2>/dev/null
	cat "$T"/w/*.lat > "$T/$_name.lat" 2>/dev/null
	grep '^add' "$T/$_name.lat" | awk '{print $2}' | sort -n > "$T/$_name.add"
	grep '^del' "$T/$_name.lat" | awk '{print $2}' | sort -n > "$T/$_name.del"
	_adds=$(wc -l < "$T/$_name.add" | tr -d ' ')
	_dels=$(wc -l < "$T/$_name.del" | tr -d ' ')
	_aok=$(( _adds - $(grep -c '^err add' "$T/$_name.ev") ))
	_dok=$(( _dels - $(grep -c '^err del' "$T/$_name.ev") ))
	echo "cni_concurrent: $_name: $C workers, $_wall s: $_adds ADDs ($_aok succeeded), $_dels DELs ($_dok succeeded)"
	echo "  ADD latency p50 $(( $(pct 50 "$T/$_name.add") / 1000 )) ms, p99 $(( $(pct 99 "$T/$_name.add") / 1000 )) ms, max $(( $(tail -n 1 "$T/$_name.add") / 1000 )) ms;" \
		"DEL p50 $(( $(pct 50 "$T/$_name.del") / 1000 )) ms, p99 $(( $(pct 99 "$T/$_name.del") / 1000 )) ms, max $(( $(tail -n 1 "$T/$_name.del") / 1000 )) ms"
	echo "  errors by command and code: $(awk '$1 == "err" {print $2 " " $3}' "$T/$_name.ev" | sort | uniq -c | awk '{printf "%s%s %s: %s", (NR > 1 ? ", " : ""), $2, $3, $1}')"
	_dup=$(grep -c '^dup' "$T/$_name.ev")
	_bad=$(grep -c '^bad' "$T/$_name.ev")
	echo "$_allowed,$ALLOW" | tr ',' '\n' | grep . > "$T/allowed"
	_unexp=$(awk '$1 == "err" {print $2 " " $3}' "$T/$_name.ev" | grep -vcxF -f "$T/allowed")
	grep '^\(dup\|bad\)' "$T/$_name.ev" | head -n 10
	awk '$1 == "err"' "$T/$_name.ev" | while read -r _e _c _k _rest; do
		grep -qxF "$_c $_k" "$T/allowed" || echo "err $_c $_k $_rest"
	done | head -n 5 | cut -c1-400
	eq "$_name: some ADDs succeeded" "$([ "$_aok" -gt 0 ] && echo yes)" yes
	eq "$_name: no address given twice" "$_dup" 0
	eq "$_name: every pod had its result's addresses, every DEL removed them" "$_bad" 0
	eq "$_name: no error but those allowed ($(paste -sd, "$T/allowed"))" "$_unexp" 0
	eq "$_name: every ADD had its DEL" "$([ "$_dels" -ge "$_adds" ] && echo yes)" yes
	_recs=$(ls "$_pdir" 2>/dev/null | grep -c '^[0-9a-f]*[.:]')
	eq "$_name: no record left in the dataDir" "$_recs" 0
	eq "$_name: no .xc-tmp.* left in the dataDir" "$(ls -A "$_pdir" 2>/dev/null | grep -c '^\.xc-tmp\.')" 0
	eq "$_name: no veth left on $_pbr" "$(veths "$_pbr" | wc -l | tr -d ' ')" 0
	_left=0
	i=1
	while [ $i -le $C ]; do
		has_link "$NS-w$i" eth0 && _left=$((_left + 1))
		i=$((i + 1))
	done
	eq "$_name: no pod end left" "$_left" 0
	eq "$_name: no claim left in the registry" "$(ls "$REG" | wc -l | tr -d ' ')" 0
	echo "  found: duplicates $_dup, bad checks $_bad, unexpected errors $_unexp, records left $_recs, pod ends left $_left"
	TOTAL_ADDS=$((TOTAL_ADDS + _adds))
}

# --- main ---------------------------------------------------------------------------
i=1
while [ $i -le $C ]; do
	ip netns add "$NS-w$i"
	i=$((i + 1))
done
TOTAL_ADDS=0
printf '%s' "$(conf 1.1.0 conc br-conc "$(ipam node-local 198.18.24.0/22 fd00:24::/64)" \
	',"isDefaultGateway":true')" > "$T/conc.conf"
echo "cni_concurrent: $C workers, ${DURATION} s on 198.18.24.0/22 + fd00:24::/64"
phase concurrent "$DURATION" "$T/conc.conf" "$T/state/conc" br-conc ""

# A range with fewer IPv4 addresses than workers: block size S with
# S - 3 < C <= 2S - 3 (network, gateway and broadcast are not given).
S=4
while [ $((2 * S - 3)) -lt "$C" ]; do
	S=$((S * 2))
done
P=32
s=$S
while [ "$s" -gt 1 ]; do
	s=$((s / 2))
	P=$((P - 1))
done
printf '%s' "$(conf 1.1.0 exh br-exh "$(ipam node-local 198.18.30.0/$P fd00:30::/64)" \
	',"isDefaultGateway":true')" > "$T/exh.conf"
echo "cni_concurrent: $C workers, ${EXH_DURATION} s on 198.18.30.0/$P ($((S - 3)) addresses) + fd00:30::/64"
phase exhausted "$EXH_DURATION" "$T/exh.conf" "$T/state/exh" br-exh "add 101"
eq "exhausted: some ADDs ran out of addresses (code 101)" \
	"$([ "$(grep -c '^err add 101' "$T/exhausted.ev")" -gt 0 ] && echo yes)" yes
t_done
