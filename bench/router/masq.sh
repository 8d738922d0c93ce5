#!/bin/sh
# bench/router/masq.sh: what the router's masquerade costs per node event
# (bench/router/masq.c against this kernel's nf_tables): the first fill and
# each event's pass at BENCH_NODES nodes (default "5000 65000"), over
# BENCH_EVENTS events (default 200; a node removed, then added back), with
# CLUSTER_CIDR covering every node's pod CIDRs (the manifest's way: the sets
# do not change) and without it, the nodes' IPv6 /64s apart (one interval
# each: every event sends elements). Runs in a network namespace of its
# own; needs root. Prints a Markdown table.
set -u
cd "$(dirname "$0")/../.." || exit 2
. bench/router/netns.sh
bin=${MASQ_BENCH_BIN:-build/bench-O2/bench/router/masq}
[ -x "$bin" ] || { echo "masq: no $bin (make bench-bin)"; exit 1; }
E=${BENCH_EVENTS:-200}
echo "| nodes | CLUSTER_CIDR | first fill | event p50 | event p99 | elements per event |"
echo "| --- | --- | --- | --- | --- | --- |"
for n in ${BENCH_NODES:-5000 65000}; do
	for c in 198.18.0.0/15,fd00::/16 ""; do
		out=$("$bin" "$n" "$E" $c) || { echo "masq: $n nodes: failed"; exit 1; }
		first=$(printf '%s\n' "$out" | awk '$1 == "first" { print $2 }')
		printf '%s\n' "$out" | awk '$1 == "event" { print $2, $3 }' | sort -n |
			awk -v n="$n" -v c="${c:-none}" -v first="$first" '
			{ t[++k] = $1; el += $2 }
			END {
				if (!k) exit 1
				printf "| %d | %s | %.1f ms | %.3f ms | %.3f ms | %.1f |\n", n, c,
					first / 1000, t[int((k + 1) / 2)] / 1000,
					t[int(k * 0.99 + 0.999)] / 1000, el / k
			}' || { echo "masq: $n nodes: no events"; exit 1; }
	done
done
