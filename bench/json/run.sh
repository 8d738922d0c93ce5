#!/bin/sh
# core/base/json against cJSON on a Kubernetes NodeList (what bench.c measures is
# described at its head). bench.c is built by make bench-bin with gcc -O2 on
# glibc, as cJSON is, plus core/base/json alone at -Os as the release binary has it.
#
# Two kinds of figures. MB/s (best run's CPU time) moves with the machine's
# load: on a shared machine the memory-bound cJSON loses more to the other
# jobs than we do, so the ratio grows with the load (and a best-of-N over
# wall time, which bench.c used to report, grows it more). Instructions per
# input byte, counted by callgrind on a smaller list when valgrind is
# installed, do not depend on the load: that ratio is the reproducible one.
# The load average before and after is printed so a reader can tell.
#
#   JSON_BENCH_NODES    nodes in the generated list (default 5000, ~55 MB)
#   JSON_BENCH_SECONDS  time per contender (default 3; at least 5 runs)
#   JSON_BENCH_CG_NODES nodes in the list callgrind counts (default 200,
#                       ~2 MB; 0 skips the count)
#   JSON_BENCH_BIN      the -O2 build (default build/bench-O2/bench/json/bench)
#   JSON_BENCH_BIN_OS   the -Os build (default build/bench-Os/bench/json/bench-ours)
#   BENCH_OUT           where the generated list is kept (default build/bench/json)
set -eu
cd "$(dirname "$0")/../.."
nodes=${JSON_BENCH_NODES:-5000}
secs=${JSON_BENCH_SECONDS:-3}
cg_nodes=${JSON_BENCH_CG_NODES:-200}
out=${BENCH_OUT:-build/bench/json}
bin=${JSON_BENCH_BIN:-build/bench-O2/bench/json/bench}
bin_os=${JSON_BENCH_BIN_OS:-build/bench-Os/bench/json/bench-ours}
mkdir -p "$out"
[ -x "$bin" ] && [ -x "$bin_os" ] || { echo "json: no $bin or $bin_os (make bench-bin)"; exit 1; }

# list N: the generated NodeList of N nodes (made once)
list() {
	f=$out/nodelist-$1.json
	if [ ! -s "$f" ] || [ bench/json/gen.py -nt "$f" ]; then
		echo "json: generating $1 nodes into $f" >&2
		python3 bench/json/gen.py "$1" "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}

machine() {
	echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1);" \
		"load average $1: $(cut -d' ' -f1-3 /proc/loadavg)"
}

data=$(list "$nodes")
echo "== json: parse a NodeList, keep name, podCIDRs, InternalIPs of each node"
machine before
"$bin" "$data" "$secs"
echo
echo "-- core/base/json built -Os (as in the release binary):"
"$bin_os" "$data" "$secs" | sed -n '/^core/p'
machine after

# Instructions per input byte, one warm run each (bench.c's -1 mode).
[ "$cg_nodes" != 0 ] || exit 0
if ! command -v valgrind >/dev/null; then
	echo "-- instructions per byte: no valgrind (JSON_BENCH_CG_NODES=0 to skip)"
	exit 0
fi
small=$(list "$cg_nodes")
echo
echo "-- instructions per input byte (callgrind, one warm run, $cg_nodes nodes; load-independent):"
for c in validate ours cjson; do
	for b in "$bin" "$bin_os"; do
		[ "$b" = "$bin" ] || [ "$c" != cjson ] || continue
		ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no \
			--toggle-collect=counted "$b" -1 "$c" "$small" 2>&1 >/dev/null |
			sed -n 's/.*Collected : *//p' | tail -1)
		echo "$c $ir $(stat -c %s "$small") $([ "$b" = "$bin" ] && echo O2 || echo Os)"
	done
done | awk '
	$1 == "validate" { name = "core/base/json validate" }
	$1 == "ours" { name = "core/base/json parse+extract" }
	$1 == "cjson" { name = "cJSON parse+extract" }
	{ ipb[$1, $4] = $2 / $3
	  printf "%-28s -%s %7.2f instructions/byte\n", name, $4, $2 / $3 }
	END { printf "parse+extract, cJSON / ours (-O2): %.2fx fewer instructions\n",
	      ipb["cjson", "O2"] / ipb["ours", "O2"] }'
