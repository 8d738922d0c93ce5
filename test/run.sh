#!/bin/sh
# Run every test suite and add up their closing lines.
# Unit tests are binaries in $XC_TESTBIN; the others are shell scripts in
# test/cli, test/netns and test/e2e, each given $XC (the binary under test).
# A suite that dies without its closing line counts as one failure.
set -u
: "${XC:?}" "${XC_TESTBIN:?}"
export XC
# The unit tests start the fake API server with python3: Debian's, as in
# test/lib/t.sh.
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH && export PATH
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
pass=0 fail=0 skip=0

run_suite() { # NAME CMD...
	name=$1; shift
	"$@" > "$log/out" 2>&1
	rc=$?
	grep -v '^SKIP\|^[a-z_0-9-]*: [0-9]* passed' "$log/out" | head -40
	last=$(grep -E '^[A-Za-z_0-9-]+: [0-9]+ passed, [0-9]+ failed' "$log/out" | tail -1)
	if [ -z "$last" ]; then
		echo "FAIL $name: ended (exit $rc) without a closing line"
		tail -5 "$log/out"
		fail=$((fail + 1))
		return
	fi
	grep '^SKIP' "$log/out"
	echo "  $last"
	p=$(echo "$last" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
	f=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	s=$(echo "$last" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p')
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL $name: exit $rc with no failed check"
		fail=$((fail + 1))
	fi
}

for t in "$XC_TESTBIN"/test_*; do
	[ -x "$t" ] && run_suite "$(basename "$t")" "$t"
done
for t in test/cli/*.sh test/netns/*.sh test/e2e/*.sh; do
	[ -f "$t" ] && run_suite "$(basename "$t" .sh)" sh "$t"
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
