#!/bin/sh
# core/base/json against cJSON on a Kubernetes NodeList (what bench.c measures is
# described at its head). Builds with gcc -O2 on glibc, plus core/base/json alone
# at -Os as the release binary has it.
#
#   JSON_BENCH_NODES    nodes in the generated list (default 5000, ~55 MB)
#   JSON_BENCH_SECONDS  time per contender (default 3; the best run counts)
#   BENCH_OUT           build folder (default build/bench/json)
set -eu
cd "$(dirname "$0")/../.."
nodes=${JSON_BENCH_NODES:-5000}
secs=${JSON_BENCH_SECONDS:-3}
out=${BENCH_OUT:-build/bench/json}
mkdir -p "$out"
[ -e /usr/include/cjson/cJSON.h ] || { echo "json: needs libcjson-dev (vendor/deps.sh bench)"; exit 1; }

data=$out/nodelist-$nodes.json
if [ ! -s "$data" ] || [ bench/json/gen.py -nt "$data" ]; then
	echo "json: generating $nodes nodes into $data"
	python3 bench/json/gen.py "$nodes" "$data.tmp"
	mv "$data.tmp" "$data"
fi

flags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Icore"
gcc $flags -O2 -o "$out/bench" bench/json/bench.c core/base/json.c core/base/json_out.c -lcjson
gcc $flags -Os -DOURS_ONLY -o "$out/bench-Os" bench/json/bench.c core/base/json.c core/base/json_out.c

echo "== json: parse a NodeList, keep name, podCIDRs, InternalIPs of each node"
"$out/bench" "$data" "$secs"
echo
echo "-- core/base/json built -Os (as in the release binary):"
"$out/bench-Os" "$data" "$secs" | sed -n '/^core/p'
