#!/bin/sh
# make bench-smoke: every benchmark once at a small size, so that one that no
# longer builds or runs shows in make check rather than at the next figures.
# A benchmark passes when its run.sh exits 0 and prints its table (the lines
# of table NAME below) and writes its data files (data NAME below, into
# build/bench-smoke/data); its figures are not judged, at this size they mean
# nothing. `make bench-smoke` passes the built programs in the environment,
# as `make bench` does. Ends with "bench-smoke: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2

# Small sizes, through the knobs each run.sh documents.
export CNI_BENCH_PODS=8 CNI_BENCH_PAR=4 CNI_BENCH_PREALLOC=200 CNI_BENCH_HELD=0
export JSON_BENCH_NODES=100 JSON_BENCH_SECONDS=1 JSON_BENCH_CG_NODES=100
export K8S_BENCH_NODES=100 K8S_BENCH_LIMIT=30 K8S_BENCH_EVENTS=50
export BENCH_SECONDS=2 BENCH_NODES=50 BENCH_EVENTS=10 BENCH_SEED_EVENTS=1 BENCH_CHURN=3
export RT_BENCH_ROUNDS=1 RT_BENCH_SEQ=2 RT_BENCH_PAR=2
export PM_BENCH_PODS=8

# table NAME: extended regular expressions, one a line, which must match
# lines of the benchmark's output in this order (its table's rows and heads,
# not its figures). A benchmark without an entry fails: a new one must say
# what its table is.
table() {
	case "$1" in
	cni) printf '%s\n' '^ +ours +reference +floor' '^ADD sequential ' '^CHECK sequential ' \
		'^DEL sequential ' '^ADD [0-9]+ at a time ' '^DEL at [0-9]+ held ' \
		'^CPU per call' '^DEL sequential ' '^goal ADD: reference / ours' \
		'^goal DEL: ours / floor' '^== breakdown: our ADD in parts' '^start ' '^ipam ' \
		'^floor ' '^add ' '^ours .*add - start - floor' ;;
	json) printf '%s\n' '^machine: .*load average before' '^ +MB/s +vs cJSON' \
		'^core/base/json validate' '^core/base/json parse' '^cJSON' '^extraction identical' \
		'^-- core/base/json built -Os' '^core/base/json validate' '^core/base/json parse' \
		'^machine: .*load average after' ;;
	k8s) printf '%s\n' '^list: +[0-9]+ nodes, [0-9]+ a page' '^watch: [0-9]+ events' \
		'^-- the same list with 100' '^list: +[0-9]+ nodes, 100 a page' ;;
	portmap) printf '%s\n' '^== portmap: [0-9]+ dual-stack pods' '^ +ours +reference +ref/ours' \
		'^ADD sequential ' '^DEL sequential ' '^ADD, first [0-9]+ pods' '^ADD, last [0-9]+ pods' \
		'^chained bridge \+ portmap ADD, median' ;;
	router) printf '%s\n' '^router, file source' '^ +nodes +first ms' '^ +10 ' \
		'^seed emulated' '^ +10 nodes: p50' '^ +[0-9]+ nodes: p50' \
		'^router, API source' '^  first full sync' '^  node event -> route' \
		'^  node deleted -> route gone' \
		'MODIFIED events/s for' ;;
	runtime) printf '%s\n' '^== runtime: RunPodSandbox' '^ms per pod' \
		'^RunPodSandbox, one at a time' '^RunPodSandbox, [0-9]+ at once' \
		'^Stop\+RemovePodSandbox, one at a time' '^Stop\+RemovePodSandbox, [0-9]+ at once' ;;
	*) return 1 ;;
	esac
}

# unmatched PATTERNS LOG: the first pattern with no line after the previous
# pattern's line (nothing when all match in order).
unmatched() {
	awk 'NR == FNR { p[n++] = $0; next }
		i < n && $0 ~ p[i] { i++ }
		END { if (i < n) print p[i] }' "$1" "$2"
}

# data NAME: the data files (bench/data.sh) the benchmark writes, one a line;
# each must have the header and at least one row.
data() {
	case "$1" in
	cni) printf '%s\n' cni-calls.tsv cni-held.tsv ;;
	router) printf '%s\n' router.tsv router-api.tsv ;;
	esac
}

# bad_data FILE: why FILE is not a data file (nothing when it is)
bad_data() {
	if [ ! -s "$1" ]; then echo "no data file $1"; return; fi
	for k in machine date command what; do
		grep -q "^# $k: " "$1" || { echo "$1: no \"# $k:\" line"; return; }
	done
	grep -q '^[^#]' "$1" || echo "$1: no rows"
}

out=build/bench-smoke
rm -rf "$out/data"
mkdir -p "$out/data"
export BENCH_DATA=$PWD/$out/data BENCH_COMMAND="make bench-smoke"
pass=0 fail=0
for b in bench/*/run.sh; do
	[ -f "$b" ] || continue
	name=$(basename "$(dirname "$b")")
	log=$out/$name.log
	echo "#### bench-smoke $name"
	start=$(date +%s)
	sh "$b" > "$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	cat "$log"
	if table "$name" > "$log.table"; then
		why=$(unmatched "$log.table" "$log")
		[ -z "$why" ] || why="no line matching $why (in order)"
	else
		why="no table known: add its lines to table() in bench/smoke.sh"
	fi
	if [ "$rc" = 0 ] && [ -z "$why" ]; then
		for f in $(data "$name"); do
			why=$(bad_data "$BENCH_DATA/$f")
			[ -z "$why" ] || break
		done
	fi
	if [ "$rc" = 0 ] && [ -z "$why" ]; then
		echo "  $name: ran and printed its table in ${took}s"
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $rc in ${took}s (log: $log)"
		[ -z "$why" ] || echo "     $why"
		fail=$((fail + 1))
	fi
done

echo "bench-smoke: $pass passed, $fail failed"
[ "$fail" = 0 ]
