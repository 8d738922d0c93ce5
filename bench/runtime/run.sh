#!/bin/sh
# runtime: RunPodSandbox to ready through containerd's CRI plugin, with our
# bridge + node-local + portmap and with the reference bridge + host-local +
# portmap (Debian's containernetworking-plugins; its portmap on iptables) in
# the same containerd, the same run, taking turns. Dual-stack pods with a
# hostPort each (pod k of a batch: 20000+k -> 80), the same configuration
# shape on both sides. The
# time is the CRI call's, as a kubelet waits for it: RunPodSandbox answers
# once the sandbox is ready (runc's container, netns, CNI ADD of lo and
# eth0); then StopPodSandbox + RemovePodSandbox. Figures, not a test.
#
#   RT_BENCH_ROUNDS   rounds, each side once per round (default 3)
#   RT_BENCH_SEQ      pods one after another per round (default 20)
#   RT_BENCH_PAR      pods at once per round (default 12)
#
# The private containerd of test/runtime/rt.lib: nothing of the machine's
# is used or changed; everything goes at the end.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${XC:=$PWD/build/xcluster-cni}"
ROUNDS=${RT_BENCH_ROUNDS:-3}
SEQ=${RT_BENCH_SEQ:-20}
PAR=${RT_BENCH_PAR:-12}
. test/runtime/rt.lib

[ "$(id -u)" = 0 ] || { echo "runtime: needs root (containerd, namespaces)"; exit 1; }
m=$(rt_missing)
[ -z "$m" ] || { echo "runtime: missing:$m (vendor/deps.sh runtime)"; exit 1; }
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/portmap ] ||
	{ echo "runtime: needs the reference plugins (containernetworking-plugins)"; exit 1; }
command -v iptables > /dev/null 2>&1 || { echo "runtime: needs iptables (the reference portmap)"; exit 1; }
[ -x "$XC" ] || { echo "runtime: no binary at $XC (make)"; exit 1; }

trap rt_cleanup EXIT
trap 'exit 1' INT TERM HUP
rt_setup xcb-rt || { echo "runtime: setup failed"; exit 1; }
mkdir -p "$T/res"
ln -s xcluster-cni "$BIN/xcluster-portmap"
ln -s /usr/lib/cni/portmap "$BIN/portmap"

# conf SIDE: the one network configuration of a side (the conf dir holds
# only it while that side runs).
conf() {
	if [ "$1" = ours ]; then
		t=xcluster-bridge i=xcluster-node-local p=xcluster-portmap b=xcbr0 r4=198.18.128.0/24 r6=fd00:128::/64
	else
		t=bridge i=host-local p=portmap b=cniref0 r4=198.18.129.0/24 r6=fd00:129::/64
	fi
	printf '{"cniVersion":"1.0.0","name":"bench-%s","plugins":[{"type":"%s","bridge":"%s","isGateway":true,"isDefaultGateway":true,"ipam":{"type":"%s","dataDir":"%s/ipam","ranges":[[{"subnet":"%s"}],[{"subnet":"%s"}]]}},{"type":"%s","capabilities":{"portMappings":true}}]}\n' \
		"$1" "$t" "$b" "$i" "$T" "$r4" "$r6" "$p" > "$T/cni/net.d/.10-bench.tmp" &&
		mv "$T/cni/net.d/.10-bench.tmp" "$T/cni/net.d/10-bench.conflist"
	sleep 0.5 # the CRI plugin reloads on the rename
}

# held SIDE: addresses the side's IPAM still holds (0 after each batch)
held() {
	ls "$T/ipam/bench-$1" 2> /dev/null | grep -c '^[0-9a-f.:]*$'
}

# batch SIDE TAG [--parallel] NAME...: run the pods, then down them; the
# times go to $T/res/SIDE-TAG (up) and SIDE-TAG-down, the slowest pod's
# (the batch's wall time, as the calls start together) to SIDE-TAG-wall.
fails=0
batch() {
	side=$1 tag=$2; shift 2
	cri run --cgroup-parent "/$RT_NS" --port-base 20000 "$@" > "$T/out" 2> "$T/err"
	awk '$3 == "SANDBOX_READY" { print $NF }' "$T/out" >> "$T/res/$side-$tag"
	awk '$3 == "SANDBOX_READY" && $NF > m { m = $NF } END { printf "%.0f\n", m * 1000 }' "$T/out" >> "$T/res/$side-$tag-wall"
	bad=$(grep -vc ' SANDBOX_READY ' "$T/out")
	[ "$bad" = 0 ] || { echo "  $side $tag: $bad failed: $(grep -v ' SANDBOX_READY ' "$T/out" | head -1)"; fails=$((fails + bad)); }
	p=
	[ "$1" = --parallel ] && p=--parallel
	cri down $p $(awk '$2 != "-" { print $2 }' "$T/out") 2>> "$T/err" | awk '{ print $2 }' >> "$T/res/$side-$tag-down"
	left=$(held "$side")
	[ "$left" = 0 ] || { echo "  $side $tag: $left addresses still held after down"; fails=$((fails + 1)); }
}

# stats FILE: "median p90 n" in ms of the seconds in FILE
stats() {
	sort -n "$1" | awk '{ t[NR] = $1 } END {
		if (!NR) { print "- - 0"; exit }
		m = int((NR + 1) / 2); p = int(NR * 0.9 + 0.999)
		printf "%.0f %.0f %d\n", t[m] * 1000, t[p] * 1000, NR }'
}
# wall FILE: median of the batch wall times (ms)
wall() {
	sort -n "$1" | awk '{ t[NR] = $1 } END { if (NR) print t[int((NR + 1) / 2)]; else print "-" }'
}

rt_config 1
conf ours
rt_image && rt_start && rt_import k8s.io || { echo "runtime: containerd did not come up"; tail -5 "$T/containerd.log"; exit 1; }
echo "== runtime: RunPodSandbox to ready through containerd $(cri version | cut -d' ' -f2) + runc, dual-stack pods, a hostPort each (bridge + IPAM + portmap)"
echo "   $ROUNDS rounds of $SEQ in sequence and $PAR at once per side, sides taking turns; load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ $r -le "$ROUNDS" ]; do
	order="ours ref"
	[ $((r % 2)) = 0 ] && order="ref ours"
	for side in $order; do
		conf $side
		batch $side seq $(seq -f "$side-s$r-%g" "$SEQ")
		batch $side par --parallel $(seq -f "$side-p$r-%g" "$PAR")
	done
	r=$((r + 1))
done

# row LABEL FILE-SUFFIX: ours and the reference side by side
row() {
	set -- "$1" $(stats "$T/res/ours-$2") $(stats "$T/res/ref-$2")
	printf '%-34s %7s %6s %9s %6s' "$1" "$2" "$3" "$5" "$6"
	awk -v o="$2" -v r="$5" 'BEGIN { printf "  %8s\n", (o > 0 && r != "-") ? sprintf("%.2fx", r / o) : "-" }'
}
printf '%-34s %14s %16s  %8s\n' "ms per pod" ours reference ref/ours
printf '%-34s %7s %6s %9s %6s\n' "" median p90 median p90
row "RunPodSandbox, one at a time" seq
row "RunPodSandbox, $PAR at once" par
row "Stop+RemovePodSandbox, one at a time" seq-down
row "Stop+RemovePodSandbox, $PAR at once" par-down
o=$(wall "$T/res/ours-par-wall") f=$(wall "$T/res/ref-par-wall")
printf '%-34s %14s %16s  %8s\n' "$PAR at once, the last ready (median)" "$o" "$f" \
	"$(awk -v o="$o" -v r="$f" 'BEGIN { if (o > 0) printf "%.2fx", r / o; else printf "-" }')"
[ "$fails" = 0 ] || { echo "runtime: $fails failures (above)"; exit 1; }
