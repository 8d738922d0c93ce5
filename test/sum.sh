#!/bin/sh
# Add up the closing lines ("N passed, N failed[, N skipped]") of several runs.
pass=0 fail=0 skip=0
for f in "$@"; do
	last=$(grep -E '^([A-Za-z_-]+: )?[0-9]+ passed, [0-9]+ failed' "$f" | tail -1)
	[ -n "$last" ] || { echo "sum: no closing line in $f"; fail=$((fail + 1)); continue; }
	p=$(echo "$last" | sed -E 's/^([A-Za-z_-]+: )?([0-9]+) passed.*/\2/')
	f_=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$last" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	pass=$((pass + p)) fail=$((fail + f_)) skip=$((skip + ${s:-0}))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
