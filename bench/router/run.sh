#!/bin/sh
# bench/router: event -> route latency, first sync, RSS and CPU of the router,
# beside the seed's poll-and-rewrite loop (bench.py says how). Needs root:
# everything runs in a network namespace made here and removed after.
# BENCH_SECONDS (default 60) sets the length of the CPU runs; BENCH_ONLY=file,
# seed or api runs one part; BENCH_KEEP=1 keeps the folder (logs) and says where.
# Sizes (make bench-smoke makes them small): BENCH_NODES (default 5000) the
# node counts beside the 10-node runs, space-separated (the API run has the
# largest), BENCH_EVENTS (200) timed events per run, BENCH_SEED_EVENTS
# (BENCH_SECONDS / 6, at least 10) of the seed's loop, BENCH_CHURN (20) nodes
# the API run deletes and creates again. The API run's tunnel
# mode: BENCH_MODE (none, vxlan); BENCH_LEAN=1 gives it ~300 B nodes (bench.py).
# The figures also go in $BENCH_DATA (bench/data.sh): router.tsv (file source
# and the seed per node count) and router-api.tsv.
set -u
: "${XC:?XC must name the xcluster-cni binary}"
cd "$(dirname "$0")/../.." || exit 2
if [ "$(id -u)" != 0 ]; then
	echo "bench/router: needs root (network namespaces); skipped"
	exit 0
fi
. bench/data.sh
. test/lib/hostns.sh
data_init router BENCH_SECONDS BENCH_ONLY BENCH_NODES BENCH_EVENTS BENCH_SEED_EVENTS BENCH_CHURN \
	BENCH_MODE BENCH_LEAN
NS=xcb-rt-$$
D=$(mktemp -d)
trap 'ip netns del "$NS" 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] && echo "kept $D" || rm -rf "$D"' EXIT INT TERM
ip netns add "$NS" || exit 1
# node addresses of the file runs (198.18/16, their pod CIDRs in 198.19/16);
# bench.py moves eth0 to the fake API server's (198.19/16, pods in 198.18/16)
# for the API run: a pod CIDR on a subnet of the node's is refused
host_ns "$NS" 198.18.0.1/16 || exit 1
BENCH_DIR=$D XC=$XC ip netns exec "$NS" python3 bench/router/bench.py
