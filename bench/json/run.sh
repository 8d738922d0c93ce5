#!/bin/sh
# core/base/json against cJSON on a Kubernetes NodeList (what bench.c measures is
# described at its head). bench.c is built by make bench-bin with gcc -O2 on
# glibc, as cJSON is, plus core/base/json alone at -Os as the release binary has it.
#
#   JSON_BENCH_NODES    nodes in the generated list (default 5000, ~55 MB)
#   JSON_BENCH_SECONDS  time per contender (default 3; the best run counts)
#   JSON_BENCH_BIN      the -O2 build (default build/bench-O2/bench/json/bench)
#   JSON_BENCH_BIN_OS   the -Os build (default build/bench-Os/bench/json/bench-ours)
#   BENCH_OUT           where the generated list is kept (default build/bench/json)
set -eu
cd "$(dirname "$0")/../.."
nodes=${JSON_BENCH_NODES:-5000}
secs=${JSON_BENCH_SECONDS:-3}
out=${BENCH_OUT:-build/bench/json}
bin=${JSON_BENCH_BIN:-build/bench-O2/bench/json/bench}
bin_os=${JSON_BENCH_BIN_OS:-build/bench-Os/bench/json/bench-ours}
mkdir -p "$out"
[ -x "$bin" ] && [ -x "$bin_os" ] || { echo "json: no $bin or $bin_os (make bench-bin)"; exit 1; }

data=$out/nodelist-$nodes.json
if [ ! -s "$data" ] || [ bench/json/gen.py -nt "$data" ]; then
	echo "json: generating $nodes nodes into $data"
	python3 bench/json/gen.py "$nodes" "$data.tmp"
	mv "$data.tmp" "$data"
fi

echo "== json: parse a NodeList, keep name, podCIDRs, InternalIPs of each node"
"$bin" "$data" "$secs"
echo
echo "-- core/base/json built -Os (as in the release binary):"
"$bin_os" "$data" "$secs" | sed -n '/^core/p'
