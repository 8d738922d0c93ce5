#!/bin/sh
# breakdown: where the time of our ADD goes, from parts timed alone in one
# run, one pod after another (bench/cni/drive.c and floor.c, as run.sh):
#
#   start   the plugin process and nothing else (CNI_COMMAND=VERSION): what
#           any plugin pays before it does anything, the runtime's exec
#   ipam    node-local's ADD alone (its allocation files), a process of its own
#   floor   the kernel work of one pod, no process (floor.c)
#   add     bridge + node-local, the whole ADD (node-local in a forked child
#           of bridge, beside the kernel work)
#
# and the remainder: add - start - floor, what our own code adds to the
# unavoidable (the IPAM part not hidden behind the kernel work, the fork,
# reading and writing the configuration and result). Medians of wall and
# CPU time (user + system, the IPAM child's included) in ms. Figures, not a
# test (bench/cni/run.sh runs it last, at min(PODS, 100) pods).
#
#   CNI_BENCH_PODS   pods per part (default 100)
#   CNI_BENCH_DRIVE, CNI_BENCH_FLOOR   as in run.sh (make bench-bin)
set -eu
cd "$(dirname "$0")/../.."
: "${XC:=$PWD/build/xcluster-cni}"
N=${CNI_BENCH_PODS:-100}
drive=${CNI_BENCH_DRIVE:-build/bench-O2/bench/cni/drive}
floorbin=${CNI_BENCH_FLOOR:-build/bench-O2/bench/cni/floor}
[ "$(id -u)" = 0 ] || { echo "breakdown: needs root (network namespaces)"; exit 1; }
[ -x "$XC" ] || { echo "breakdown: no binary at $XC (make)"; exit 1; }
[ -x "$drive" ] && [ -x "$floorbin" ] || { echo "breakdown: no $drive or $floorbin (make bench-bin)"; exit 1; }

. bench/scratch.sh
bench_scratch xcbd
mkdir -p "$T/bin" "$T/res"
cp "$XC" "$T/bin/xcluster-cni"
ln -s xcluster-cni "$T/bin/bridge"
ln -s xcluster-cni "$T/bin/node-local"
printf '{"cniVersion":"1.0.0","name":"bench","type":"bridge","bridge":"cni0","isDefaultGateway":true,"ipam":{"type":"node-local","dataDir":"%s","ranges":[[{"subnet":"198.18.0.0/16"}],[{"subnet":"fd00:b::/64"}]]}}' \
	"$S/add" > "$T/conf.add"
# node-local reads the same document; only its ipam key matters to it
sed "s|$S/add|$S/ipam|" "$T/conf.add" > "$T/conf.ipam"
for side in h p f fp; do ip netns add "$NS-$side"; done
i=0
while [ $i -lt "$N" ]; do
	ip netns add "$NS-p$i"
	ip netns add "$NS-fp$i"
	i=$((i + 1))
done

# part NAME PLUGIN CMD CONF: N calls, times in $T/NAME
part() {
	"$drive" "/var/run/netns/$NS-h" "$T/bin/$2" "$T/bin" "$3" "$4" "/var/run/netns/$NS-p" \
		"$N" 1 "$T/res" > "$T/$1"
}
part start bridge VERSION "$T/conf.add"
part ipam node-local ADD "$T/conf.ipam"
"$floorbin" "/var/run/netns/$NS-f" add "/var/run/netns/$NS-fp" "$N" 1 > "$T/floor"
part add bridge ADD "$T/conf.add"

# med FILE COLUMN: the median of a column (microseconds) in ms; "-" if none
med() {
	sort -k"$2,$2n" "$1" | awk -v c="$2" 'NF >= c { t[++n] = $c; if ($3 != 0) f++ }
		END { if (!n || f) { print "-"; exit } printf "%.2f\n", t[int((n + 1) / 2)] / 1000 }'
}
echo "== breakdown: our ADD in parts, $N pods, one at a time; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %8s\n' part wall cpu
for p in start ipam floor add; do
	cpu=$(med "$T/$p" 4)
	[ "$p" = floor ] && cpu=-
	printf '%-8s %8s %8s\n' "$p" "$(med "$T/$p" 2)" "$cpu"
done
awk -v a="$(med "$T/add" 2)" -v s="$(med "$T/start" 2)" -v f="$(med "$T/floor" 2)" 'BEGIN {
	printf "%-8s %8.2f          add - start - floor (%.0f%% of the ADD)\n", "ours", a - s - f, 100 * (a - s - f) / a
	printf "start + floor = %.2f ms: %.1fx the floor; the ADD is %.1fx the floor\n", s + f, (s + f) / f, a / f }'
