#!/bin/sh
# cni: our bridge (with node-local) against the reference bridge (with
# host-local) and against the kernel floor (bench/cni/floor.c: the same
# kernel work per pod, nothing else). Dual-stack pods, spec 1.0.0; every
# ADD, CHECK and DEL timed from spawn to exit by bench/cni/drive.c, as a
# runtime sees it. Sequential, then PAR at a time; then ADD and DEL with
# addresses already allocated, at each count of HELD. Figures, not a test.
# The figures also go in $BENCH_DATA (bench/data.sh): cni-calls.tsv (the
# medians of the table) and cni-held.tsv (ADD and DEL against HELD).
#
#   CNI_BENCH_PODS      pods per run (default 200)
#   CNI_BENCH_PAR       calls at a time in the concurrent runs (default 8)
#   CNI_BENCH_PREALLOC  allocations held in the table's last rows (default 5000)
#   CNI_BENCH_HELD      the allocation counts held before the ADD and DEL runs
#                       of the sweep (default "0 1000 2000 5000"; PREALLOC is
#                       added); min(PODS, 100) pods each, ours and the reference
#   CNI_BENCH_STATE     where the IPAM state directories go (default /dev/shm,
#                       a tmpfs: the same for both IPAM plugins, and the disk
#                       of a busy machine would time its journal, not the plugins)
#   CNI_BENCH_DRIVE     bench/cni/drive.c and floor.c built (make bench-bin:
#   CNI_BENCH_FLOOR     gcc -O2 on glibc, like the reference; defaults there)
#
# Everything runs in namespaces xcb<pid>-* made here and removed at the end.
set -eu
cd "$(dirname "$0")/../.."
: "${XC:=$PWD/build/xcluster-cni}"
N=${CNI_BENCH_PODS:-200}
PAR=${CNI_BENCH_PAR:-8}
PRE=${CNI_BENCH_PREALLOC:-5000}
HELD=$(printf '%s\n' ${CNI_BENCH_HELD:-0 1000 2000 5000} "$PRE" | sort -n -u | tr '\n' ' ')
NPRE=$((N < 100 ? N : 100)) # pods added at PRE held: the smoke pass runs few
drive=${CNI_BENCH_DRIVE:-build/bench-O2/bench/cni/drive}
floorbin=${CNI_BENCH_FLOOR:-build/bench-O2/bench/cni/floor}

[ "$(id -u)" = 0 ] || { echo "cni: needs root (network namespaces)"; exit 1; }
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] ||
	{ echo "cni: needs the reference plugins (apt-get install containernetworking-plugins)"; exit 1; }
[ -x "$XC" ] || { echo "cni: no binary at $XC (make)"; exit 1; }
[ -x "$drive" ] && [ -x "$floorbin" ] ||
	{ echo "cni: no $drive or $floorbin (make bench-bin)"; exit 1; }
for h in $HELD; do
	case "$h" in *[!0-9]*) echo "cni: CNI_BENCH_HELD: $h is not a count"; exit 1 ;; esac
done
. bench/data.sh
data_init cni CNI_BENCH_PODS CNI_BENCH_PAR CNI_BENCH_PREALLOC CNI_BENCH_HELD CNI_BENCH_STATE

. bench/scratch.sh
bench_scratch xcb "${CNI_BENCH_STATE:-/dev/shm}"

mkdir -p "$T/bin" "$T/res"
# A copy: a rebuild of $XC during the run must not change what is measured.
cp "$XC" "$T/bin/xcluster-cni"
ln -s xcluster-cni "$T/bin/bridge"
ln -s xcluster-cni "$T/bin/node-local"
# "exec": ours with node-local a copy, so bridge exec's it as it would any
# other IPAM plugin (the link above runs it in a child without an exec).
mkdir -p "$T/bin-exec"
cp "$XC" "$T/bin-exec/xcluster-cni"
ln -s xcluster-cni "$T/bin-exec/bridge"
cp "$XC" "$T/bin-exec/node-local"
for side in ours exec ref floor; do
	ip netns add "$NS-$side"
done

# conf SIDE DATADIR: the network configuration of a side.
conf() {
	ipam=node-local
	[ "$1" = ref ] && ipam=host-local
	printf '{"cniVersion":"1.0.0","name":"bench","type":"bridge","bridge":"cni0","isDefaultGateway":true,"ipam":{"type":"%s","dataDir":"%s","ranges":[[{"subnet":"198.18.0.0/16"}],[{"subnet":"fd00:b::/64"}]]}}' \
		"$ipam" "$2"
}

# pods PREFIX COUNT: make (or remake) the pod namespaces PREFIX0..
pods() {
	i=0
	while [ $i -lt "$2" ]; do
		ip netns del "$1$i" 2>/dev/null || true
		ip netns add "$1$i"
		i=$((i + 1))
	done
}

# run SIDE CMD COUNT PAR DATADIR TAG: time CMD on COUNT pods; times in $T/TAG.
run() {
	side=$1 cmd=$2 count=$3 par=$4 dir=$5 tag=$6
	conf "$side" "$dir" > "$T/conf.$side"
	if [ "$side" = ref ]; then
		plugin=/usr/lib/cni/bridge path=/usr/lib/cni
	elif [ "$side" = exec ]; then
		plugin=$T/bin-exec/bridge path=$T/bin-exec
	else
		plugin=$T/bin/bridge path=$T/bin
	fi
	mkdir -p "$T/res/$side"
	"$drive" /var/run/netns/"$NS-$side" "$plugin" "$path" "$cmd" "$T/conf.$side" \
		/var/run/netns/"$NS-$side-p" "$count" "$par" "$T/res/$side" > "$T/$tag"
}

# floor CMD COUNT PAR TAG
floor() {
	"$floorbin" /var/run/netns/"$NS-floor" "$1" /var/run/netns/"$NS-floor-p" "$2" "$3" > "$T/$4"
}

# stats TAG: "median p95 failures" in ms of the times in $T/TAG.
stats() {
	sort -k2,2n "$T/$1" | awk '{ t[NR] = $2; if ($3 != 0) f++ }
		END {
			if (!NR) { print "- - -"; exit }
			m = int((NR + 1) / 2); p = int(NR * 0.95 + 0.999)
			printf "%.2f %.2f %d\n", t[m] / 1000, t[p] / 1000, f + 0
		}'
}

# phase SUFFIX COUNT PAR DATADIR-SUFFIX: floor, ours and ref through ADD, CHECK, DEL.
phase() {
	sfx=$1 count=$2 par=$3
	for side in floor ours ref; do
		pods "$NS-$side-p" "$count"
	done
	floor add "$count" "$par" "floor-add$sfx"
	floor del "$count" "$par" "floor-del$sfx"
	for side in ours ref; do
		run $side ADD "$count" "$par" "$S/$side$sfx" "$side-add$sfx"
		run $side CHECK "$count" "$par" "$S/$side$sfx" "$side-check$sfx"
		run $side DEL "$count" "$par" "$S/$side$sfx" "$side-del$sfx"
	done
}

# prealloc DIR COUNT: COUNT IPv4 and IPv6 addresses held by other pods, in
# host-local's format (node-local reads the same).
prealloc() {
	mkdir -p "$1/bench"
	awk -v d="$1/bench" -v n="$2" 'BEGIN {
		for (k = 2; k < n + 2; k++) {
			f4 = sprintf("%s/198.18.%d.%d", d, int(k / 256), k % 256)
			f6 = sprintf("%s/fd00:b::%x", d, k)
			printf "pre%d\r\neth0", k > f4; close(f4)
			printf "pre%d\r\neth0", k > f6; close(f6)
		}
		printf "198.18.%d.%d", int((n + 1) / 256), (n + 1) % 256 > (d "/last_reserved_ip.0")
		printf "fd00:b::%x", n + 1 > (d "/last_reserved_ip.1")
	}'
}

echo "== cni: $N dual-stack pods, spec 1.0.0, bridge cni0 with gateways; ms per call"
echo "   IPAM state in $(df -P "$S" | awk 'NR == 2 { print $6 }') ($(stat -f -c %T "$S")); load $(cut -d' ' -f1-3 /proc/loadavg)"
phase "" "$N" 1
pods "$NS-exec-p" "$N"
for c in ADD CHECK DEL; do
	run exec $c "$N" 1 "$S/exec" "exec-$(echo $c | tr A-Z a-z)"
done
phase "-par" "$N" "$PAR"
# The sweep: each count of held allocations in a fresh state folder per side.
for h in $HELD; do
	for side in ours ref; do
		[ "$h" = 0 ] || prealloc "$S/$side-held$h" "$h"
		pods "$NS-$side-p" "$NPRE"
		run $side ADD "$NPRE" 1 "$S/$side-held$h" "$side-add-held$h"
		run $side DEL "$NPRE" 1 "$S/$side-held$h" "$side-del-held$h"
		rm -rf "$S/$side-held$h"
	done
done

# row LABEL OURS-TAG REF-TAG FLOOR-TAG
row() {
	set -- "$1" $(stats "$2") $(stats "$3") $(stats "${4:-none}" 2>/dev/null || echo "- - -")
	printf '%-22s %6s %7s %6s %7s %6s %7s' "$1" "$2" "$3" "$5" "$6" "$8" "$9"
	awk -v o="$2" -v r="$5" -v f="$8" 'BEGIN {
		printf "  %7s", (o > 0 && r != "-") ? sprintf("%.1fx", r / o) : "-"
		printf "  %9s", (f != "-" && f > 0) ? sprintf("%.2fx", o / f) : "-"
		printf "\n" }'
	[ "$4" = 0 ] && [ "$7" = 0 ] || echo "   (failed calls: ours $4, reference $7)"
}
: > "$T/none"
printf '%-22s %14s %14s %14s  %7s  %9s\n' "" "ours" "reference" "floor" "ref/ours" "ours/floor"
printf '%-22s %6s %7s %6s %7s %6s %7s\n' "" median p95 median p95 median p95
row "ADD sequential" ours-add ref-add floor-add
row "CHECK sequential" ours-check ref-check
row "DEL sequential" ours-del ref-del floor-del
row "ADD $PAR at a time" ours-add-par ref-add-par floor-add-par
row "CHECK $PAR at a time" ours-check-par ref-check-par
row "DEL $PAR at a time" ours-del-par ref-del-par floor-del-par
row "ADD at $PRE held" ours-add-held$PRE ref-add-held$PRE
row "DEL at $PRE held" ours-del-held$PRE ref-del-held$PRE
echo
echo "Ours with node-local exec'd (a copy of the binary, as any other IPAM plugin):"
row "ADD sequential, exec" exec-add ref-add floor-add
row "CHECK sequential, exec" exec-check ref-check
row "DEL sequential, exec" exec-del ref-del floor-del

# CPU per call (user + system, the IPAM plugin included): what a call costs
# whatever else the machine is doing.
cpu() { # TAG: median CPU ms
	sort -k4,4n "$T/$1" | awk '{ t[NR] = $4 } END { printf "%.2f", NR ? t[int((NR + 1) / 2)] / 1000 : 0 }'
}
echo
printf '%-22s %8s %10s %9s\n' "CPU per call (median)" ours reference ref/ours
for c in add check del; do
	o=$(cpu ours-$c) r=$(cpu ref-$c)
	printf '%-22s %8s %10s %9s\n' "$(echo $c | tr a-z A-Z) sequential" "$o" "$r" \
		"$(awk -v o="$o" -v r="$r" 'BEGIN { if (o > 0) printf "%.1fx", r / o; else printf "-" }')"
done
for c in add check del; do
	o=$(cpu exec-$c) r=$(cpu ref-$c)
	printf '%-22s %8s %10s %9s\n' "$(echo $c | tr a-z A-Z) sequential, exec" "$o" "$r" \
		"$(awk -v o="$o" -v r="$r" 'BEGIN { if (o > 0) printf "%.1fx", r / o; else printf "-" }')"
done

# The goals: ADD >= 10x the reference and within 2x the floor; CHECK >= 10x;
# DEL within 1.2x the floor (medians, sequential).
goal() { # TEXT A B LIMIT: met when A / B >= LIMIT (or <= for a negative LIMIT)
	awk -v t="$1" -v a="$2" -v b="$3" -v l="$4" 'BEGIN {
		r = a / b; ok = l > 0 ? r >= l : r <= -l
		printf "goal %-32s %6.2fx  %s\n", t, r, ok ? "met" : "NOT MET" }'
}
set -- $(stats ours-add) ; oa=$1
set -- $(stats ref-add) ; ra=$1
set -- $(stats floor-add) ; fa=$1
set -- $(stats ours-check) ; oc=$1
set -- $(stats ref-check) ; rc=$1
set -- $(stats ours-del) ; od=$1
set -- $(stats floor-del) ; fd=$1
echo
goal "ADD: reference / ours >= 10" "$ra" "$oa" 10
goal "ADD: ours / floor <= 2" "$oa" "$fa" -2
goal "CHECK: reference / ours >= 10" "$rc" "$oc" 10
goal "DEL: ours / floor <= 1.2" "$od" "$fd" -1.2

# The sweep, and the data files of the plots.
echo
echo "ADD and DEL against the allocations held before the run ($NPRE pods; ms, median):"
printf '%8s %9s %9s %9s %9s\n' held "ours ADD" "ref ADD" "ours DEL" "ref DEL"
data_header cni-held.tsv "ADD then DEL of $NPRE pods, sequential, with HELD allocations held before the run (a fresh state each count); ms from spawn to exit" \
	held pods ours_add_median ours_add_p95 ref_add_median ref_add_p95 \
	ours_del_median ours_del_p95 ref_del_median ref_del_p95 ours_failed ref_failed
for h in $HELD; do
	set -- $(stats ours-add-held$h) $(stats ref-add-held$h) $(stats ours-del-held$h) $(stats ref-del-held$h)
	printf '%8s %9s %9s %9s %9s\n' "$h" "$1" "$4" "$7" "${10}"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$h" "$NPRE" "$1" "$2" "$4" "$5" \
		"$7" "$8" "${10}" "${11}" $(($3 + $9)) $(($6 + ${12})) >> "$BENCH_DATA/cni-held.tsv"
done
data_header cni-calls.tsv "ADD, CHECK, DEL of $N pods, sequential (par 1) and $PAR at a time: ours, the reference, the kernel floor (no CHECK); medians and p95 in ms from spawn to exit, CPU ms per call (median)" \
	call par pods ours_median ours_p95 ref_median ref_p95 floor_median floor_p95 \
	ours_cpu ref_cpu ours_failed ref_failed
for p in "1 " "$PAR -par"; do
	for c in add check del; do
		set -- ${p% *} "${p#* }" $(stats ours-$c${p#* }) $(stats ref-$c${p#* })
		par=$1 sfx=$2 om=$3 o95=$4 of=$5 rm=$6 r95=$7 rf=$8
		if [ $c = check ]; then set -- - - -; else set -- $(stats floor-$c$sfx); fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(echo $c | tr a-z A-Z)" \
			"$par" "$N" "$om" "$o95" "$rm" "$r95" "$1" "$2" "$(cpu ours-$c$sfx)" \
			"$(cpu ref-$c$sfx)" "$of" "$rf" >> "$BENCH_DATA/cni-calls.tsv"
	done
done
echo
echo "data: $BENCH_DATA/cni-calls.tsv $BENCH_DATA/cni-held.tsv"

# Where the ADD's time goes: its parts timed alone (its own scratch and namespaces).
echo
XC=$XC CNI_BENCH_DRIVE=$drive CNI_BENCH_FLOOR=$floorbin CNI_BENCH_PODS=$NPRE sh bench/cni/breakdown.sh
