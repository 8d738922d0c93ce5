#!/bin/sh
# Build and run every libFuzzer target test/fuzz/fuzz_NAME.c.
#
# usage: test/fuzz/run.sh [NAME...]     (from anywhere; `make fuzz` calls it)
#   FUZZ_SECONDS  run time per target (default 30)
#   FUZZ_RUNS     stop a target after this many executions, if sooner
#                 (default: no limit; the campaign uses 10000000 and 3600 s)
#   FUZZ_TIMEOUT  seconds one input may take before it counts as a finding
#                 (default 10)
#   FUZZ_JOBS     parallel compiles (default: number of CPUs)
#   FUZZ_OUT      build folder (default build/fuzz)
#
# core/*/*.c is compiled once with clang, ASan, UBSan and the
# fuzzer's coverage into build/fuzz/obj and archived, so each target links
# only the modules it uses. A core file clang cannot compile is reported and
# counted as a failure, and left out of the archive: targets that do not
# need it still run. Each target runs on a scratch copy of its seed corpus
# (test/fuzz/corpus/NAME/), so the repository's corpus stays as it is.
# A crash, leak, sanitizer report or timeout fails the target; its input is
# kept as build/fuzz/artifacts/NAME-*. Ends with "fuzz: N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${FUZZ_SECONDS:-30}
runs=${FUZZ_RUNS:--1}
unit_timeout=${FUZZ_TIMEOUT:-10}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
out=${FUZZ_OUT:-build/fuzz}
CC="clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined"
CC="$CC -fno-sanitize-recover=all -Icore -Ibuild/gen"
pass=0 fail=0

command -v clang >/dev/null || { echo "fuzz: clang not found (vendor/deps.sh fuzz)"; exit 2; }
mkdir -p "$out/obj" "$out/artifacts"
rm -f "$out/obj"/*.o "$out/obj"/*.log "$out/libcore.a"

# -- core, once: compile in parallel, one log per file ----------------------
# (-fsanitize=fuzzer at compile time only adds coverage; main comes at link)
# (one list for both steps: others may add files to core/ meanwhile)
srcs=$(ls core/*/*.c)
echo "$srcs" | xargs -P "$jobs" -I{} sh -c \
	'n=$(basename {} .c); '"$CC"' -c -o '"$out"'/obj/$n.o {} > '"$out"'/obj/$n.log 2>&1 || rm -f '"$out"'/obj/$n.o'
for src in $srcs; do
	n=$(basename "$src" .c)
	if [ ! -f "$out/obj/$n.o" ]; then
		echo "FAIL $src does not compile with clang (left out):"
		grep -m3 'error' "$out/obj/$n.log" | sed 's/^/     /'
		fail=$((fail + 1))
	fi
done
ar rcs "$out/libcore.a" "$out"/obj/*.o 2>/dev/null
# BearSSL is Debian's here (the test group of vendor/deps.sh installs it)
libs=""
[ -e /usr/include/bearssl.h ] && libs="-lbearssl"

# -- each target ------------------------------------------------------------
targets=$(ls test/fuzz/fuzz_*.c 2>/dev/null)
if [ $# -gt 0 ]; then
	targets=$(for n in "$@"; do echo "test/fuzz/fuzz_${n#fuzz_}.c"; done)
fi
for src in $targets; do
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin=$out/$name
	log=$out/$name.log
	if ! $CC -o "$bin" "$src" "$out/libcore.a" $libs > "$log" 2>&1; then
		echo "FAIL $name: does not build"
		grep -m5 'error' "$log" | sed 's/^/     /'
		fail=$((fail + 1))
		continue
	fi
	corpus=$(mktemp -d "${TMPDIR:-/tmp}/xc-fuzz-$short.XXXXXX")
	[ -d "test/fuzz/corpus/$short" ] && cp -r "test/fuzz/corpus/$short/." "$corpus/"
	seeds=$(ls "$corpus" | wc -l)
	start=$(date +%s)
	"$bin" -max_total_time="$secs" -runs="$runs" -timeout="$unit_timeout" \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" "$corpus" > "$log" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | sed -n '1s/cov: //p;$s/cov: //p' | paste -sd' ')
	grown=$(ls "$corpus" | wc -l)
	rm -rf "$corpus"
	if [ "$rc" = 0 ]; then
		echo "  $name: ${execs:-?} executions in ${took}s, corpus $seeds -> $grown," \
			"edges ${cov% *} -> ${cov#* }, peak RSS ${rss:-?} MB"
		pass=$((pass + 1))
	else
		echo "FAIL $name: exit $rc after ${execs:-?} executions (log: $log)"
		grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|deadly signal' "$log" |
			sed 's/^/     /'
		ls "$out/artifacts/$name-"* 2>/dev/null | sed 's/^/     input: /' | tail -3
		fail=$((fail + 1))
	fi
done

echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
