#!/bin/sh
# Run every benchmark: bench/NAME/run.sh, in name order (or only the NAMEs
# given as arguments). `make bench` calls this with $XC (the release binary)
# and the benchmarks' own programs, built by make bench-bin, in the
# environment (each run.sh names its variables); make bench-data with the
# benchmarks that the plots read.
# Figures, not tests: a benchmark that fails is reported, the others still
# run, and the exit status says whether all ran.
set -u
cd "$(dirname "$0")/.." || exit 2
failed=""
[ $# -gt 0 ] || set -- $(for b in bench/*/run.sh; do basename "$(dirname "$b")"; done)
for name in "$@"; do
	b=bench/$name/run.sh
	[ -f "$b" ] || { echo "#### bench $name: no $b"; failed="$failed $name"; continue; }
	echo "#### bench $name"
	sh "$b" || { echo "#### bench $name FAILED"; failed="$failed $name"; }
	echo
done
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }
echo "bench: all ran"
