#!/bin/sh
# Run every benchmark: bench/NAME/run.sh, in name order. `make bench` calls
# this with $XC (the release binary) and the benchmarks' own programs, built
# by make bench-bin, in the environment (each run.sh names its variables).
# Figures, not tests: a benchmark that fails is reported, the others still
# run, and the exit status says whether all ran.
set -u
cd "$(dirname "$0")/.." || exit 2
failed=""
for b in bench/*/run.sh; do
	[ -f "$b" ] || continue
	name=$(basename "$(dirname "$b")")
	echo "#### bench $name"
	sh "$b" || { echo "#### bench $name FAILED"; failed="$failed $name"; }
	echo
done
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }
echo "bench: all ran"
