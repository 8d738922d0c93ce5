#!/bin/sh
# portmap: our portmap (nf_tables over netlink) against the reference
# portmap 1.1.1 (iptables backend), chained after our bridge: dual-stack
# pods, each with a TCP and a UDP hostPort of its own (20000 + i), every ADD
# and DEL timed from spawn to exit by bench/cni/drive.c, as a runtime sees
# it, one at a time. The pods' bridge ADDs come first and are not timed.
# Then whether ADD stays flat as the node fills: the median of the first
# and of the last tenth of the ADDs. Figures, not a test.
#
# Last, the chain as a runtime runs it (bridge ADD + portmap ADD, pod by
# pod) beside the kernel floor of bridge alone (bench/cni/floor.c).
#
#   PM_BENCH_PODS   pods (default 200)
#   CNI_BENCH_DRIVE, CNI_BENCH_FLOOR  bench/cni/drive.c and floor.c built (make bench-bin)
#
# Everything runs in namespaces xcbp<pid>-* made here and removed at the end.
set -eu
cd "$(dirname "$0")/../.."
: "${XC:=$PWD/build/xcluster-cni}"
N=${PM_BENCH_PODS:-200}
drive=${CNI_BENCH_DRIVE:-build/bench-O2/bench/cni/drive}
floorbin=${CNI_BENCH_FLOOR:-build/bench-O2/bench/cni/floor}

[ "$(id -u)" = 0 ] || { echo "portmap: needs root (network namespaces)"; exit 1; }
[ -x /usr/lib/cni/portmap ] && command -v iptables >/dev/null ||
	{ echo "portmap: needs the reference plugins and iptables (vendor/deps.sh test)"; exit 1; }
[ -x "$XC" ] || { echo "portmap: no binary at $XC (make)"; exit 1; }
[ -x "$drive" ] && [ -x "$floorbin" ] || { echo "portmap: no $drive or $floorbin (make bench-bin)"; exit 1; }

. bench/scratch.sh
bench_scratch xcbp

mkdir -p "$T/bin" "$T/res/bridge" "$T/res/ours" "$T/res/ref"
cp "$XC" "$T/bin/xcluster-cni"
for a in bridge node-local portmap; do
	ln -s xcluster-cni "$T/bin/$a"
done
ip netns add "$NS-host"
ip netns add "$NS-floor"
i=0
while [ $i -lt "$N" ]; do
	ip netns add "$NS-p$i"
	ip netns add "$NS-f$i"
	i=$((i + 1))
done
printf '{"cniVersion":"1.0.0","name":"pm","type":"bridge","bridge":"cni0","isDefaultGateway":true,"hairpinMode":true,"ipam":{"type":"node-local","dataDir":"%s","ranges":[[{"subnet":"198.18.0.0/16"}],[{"subnet":"fd00:b::/64"}]]}}' \
	"$S" > "$T/bridge.conf"
printf '{"cniVersion":"1.0.0","name":"pm","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[{"hostPort":@PORT@,"containerPort":80,"protocol":"tcp"},{"hostPort":@PORT@,"containerPort":53,"protocol":"udp"}]}}' \
	> "$T/portmap.conf"

# drv PLUGIN CMD RESDIR [PREVDIR] > TIMES
drv() {
	"$drive" /var/run/netns/"$NS-host" "$1" "$T/bin" "$2" "$3" /var/run/netns/"$NS-p" "$N" 1 \
		"$4" ${5:-}
}
drv "$T/bin/bridge" ADD "$T/bridge.conf" "$T/res/bridge" > "$T/bridge-add"
drv "$T/bin/portmap" ADD "$T/portmap.conf" "$T/res/ours" "$T/res/bridge" > "$T/ours-add"
drv "$T/bin/portmap" DEL "$T/portmap.conf" "$T/res/ours" > "$T/ours-del"
drv /usr/lib/cni/portmap ADD "$T/portmap.conf" "$T/res/ref" "$T/res/bridge" > "$T/ref-add"
drv /usr/lib/cni/portmap DEL "$T/portmap.conf" "$T/res/ref" > "$T/ref-del"
"$floorbin" /var/run/netns/"$NS-floor" add /var/run/netns/"$NS-f" "$N" 1 > "$T/floor-add"
# the chain, pod by pod: bridge's ADD plus portmap's
awk 'NR == FNR { b[$1] = $2; next } ($1 in b) { print $1, b[$1] + $2, $3 }' \
	"$T/bridge-add" "$T/ours-add" > "$T/chain-add"

# stats FILE [FIRST LAST]: "median p95 failures" in ms (of pods FIRST..LAST).
stats() {
	awk -v a="${2:-0}" -v b="${3:-999999999}" '$1 >= a && $1 <= b' "$1" | sort -k2,2n |
		awk '{ t[NR] = $2; if ($3 != 0) f++ }
		END {
			if (!NR) { print "- - -"; exit }
			m = int((NR + 1) / 2); p = int(NR * 0.95 + 0.999)
			printf "%.2f %.2f %d\n", t[m] / 1000, t[p] / 1000, f + 0
		}'
}
# row LABEL OURS-FILE REF-FILE [FIRST LAST]
row() {
	set -- "$1" $(stats "$2" ${4:-} ${5:-}) $(stats "$3" ${4:-} ${5:-})
	printf '%-26s %7s %7s %9s %7s  %8s\n' "$1" "$2" "$3" "$5" "$6" \
		"$(awk -v o="$2" -v r="$5" 'BEGIN { print (o > 0) ? sprintf("%.1fx", r / o) : "-" }')"
	[ "$4" = 0 ] && [ "$7" = 0 ] || echo "   (failed calls: ours $4, reference $7)"
}
tenth=$(( N / 10 > 0 ? N / 10 : 1 ))
echo "== portmap: $N dual-stack pods on one bridge, a TCP and a UDP hostPort each; ms per call"
echo "   load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %15s %17s  %8s\n' "" "ours" "reference" "ref/ours"
printf '%-26s %7s %7s %9s %7s\n' "" median p95 median p95
row "ADD sequential" "$T/ours-add" "$T/ref-add"
row "DEL sequential" "$T/ours-del" "$T/ref-del"
row "ADD, first $tenth pods" "$T/ours-add" "$T/ref-add" 0 $((tenth - 1))
row "ADD, last $tenth pods" "$T/ours-add" "$T/ref-add" $((N - tenth)) $((N - 1))
echo "(bridge ADD before them, ours: median $(stats "$T/bridge-add" | cut -d' ' -f1) ms)"
c=$(stats "$T/chain-add" | cut -d' ' -f1) f=$(stats "$T/floor-add" | cut -d' ' -f1)
echo "chained bridge + portmap ADD, median $c ms; kernel floor of bridge alone $f ms:" \
	"$(awk -v c="$c" -v f="$f" 'BEGIN { print (f > 0) ? sprintf("%.1fx", c / f) : "-" }') the floor"
