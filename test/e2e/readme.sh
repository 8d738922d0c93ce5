#!/bin/sh
# readme: the README's "Try it yourself" walk-through, run as written.
#
# Every ```sh block of that section, in order, in ONE bash (as a reader
# pasting them into one terminal: variables carry over), in a clean
# environment: an empty HOME and TMPDIR, and a working directory whose
# build/xcluster-cni is the binary under test. Each block must run without
# a failing command (an ERR trap records any, as set -e would stop there),
# key outputs are checked, and nothing may be left behind. The namespaces
# the README calls xcdemo-NAME are renamed xcrdPID-NAME here, so that this
# suite and someone's `make demo` or a second test run can go on at once.
. test/lib/t.sh
if [ "$(id -u)" != 0 ]; then
	t_skip "needs root (network namespaces)"
	t_done
	exit 0
fi
for c in ip ping bash timeout; do
	command -v $c >/dev/null 2>&1 || { t_skip "needs $c"; t_done; exit 0; }
done

PFX=xcrd$$
W=$(mktemp -d /tmp/xct-readme.XXXXXX) || exit 2
cleanup() {
	for n in $(ip netns list 2>/dev/null | grep -o "^$PFX-[^ ]*"); do ip netns del "$n"; done
	[ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
mkdir -p "$W/repo/build" "$W/home" "$W/tmp"
ln -s "$XC" "$W/repo/build/xcluster-cni"

# --- the blocks --------------------------------------------------------------------
# block.N: the Nth sh block; expect.N: the lines of the text blocks after it
awk -v dir="$W" '
	/^## / { in_sec = ($0 == "## Try it yourself") ; next }
	in_sec && /^```sh$/ { n++; f = dir "/block." n; inb = 1; next }
	in_sec && /^```text$/ && n { f = dir "/expect." n; inb = 1; next }
	inb && /^```$/ { inb = 0; close(f); next }
	inb { print >> f }
	END { print n + 0 > (dir "/count") }
' README.md
N=$(cat "$W/count")
check "README: a Try it yourself section with sh blocks (found $N)" test "$N" -ge 10
{
	echo 'set -o pipefail'
	echo 'exec 3>>"$W_STATUS"'
	echo 'trap '\''echo "ERR $__b ($?): $BASH_COMMAND" >&3'\'' ERR'
	i=1
	while [ "$i" -le "$N" ]; do
		echo "__b=$i"
		echo "{"
		sed "s/xcdemo-/$PFX-/g" "$W/block.$i"
		echo "} > \"\$W_OUT.$i\" 2>&1 < /dev/null"
		echo "echo \"END $i\" >&3"
		i=$((i + 1))
	done
} > "$W/run.bash"

# --- run them: a clean environment, the "repository root" holding build/ -------------
: > "$W/status"
t0=$(date +%s)
(cd "$W/repo" && env -i PATH="$PATH" HOME="$W/home" TMPDIR="$W/tmp" LANG=C.UTF-8 \
	W_STATUS="$W/status" W_OUT="$W/out" timeout 300 bash --norc --noprofile "$W/run.bash") \
	> "$W/driver.out" 2>&1
echo "  the walk-through ran in $(( $(date +%s) - t0 )) s"

i=1
while [ "$i" -le "$N" ]; do
	if grep -q "^END $i\$" "$W/status" && ! grep -q "^ERR $i " "$W/status"; then
		t_ok
	else
		t_fail "README block $i: $(grep "^ERR $i " "$W/status" | head -3 | tr '\n' ' ')"
		sed 's/^/     | /' "$W/block.$i" | head -20
		tail -n 10 "$W/out.$i" 2>/dev/null | sed 's/^/     > /'
	fi
	i=$((i + 1))
done
[ -s "$W/driver.out" ] && { echo "  driver output:"; head -5 "$W/driver.out"; }

# --- the outputs the README shows: every line is printed by the block before ---------
nexp=0
i=1
while [ "$i" -le "$N" ]; do
	if [ -f "$W/expect.$i" ]; then
		nexp=$((nexp + 1))
		sed 's/[[:space:]]*$//' "$W/out.$i" > "$W/got.$i" 2>/dev/null
		missing=$(while IFS= read -r line; do
			grep -qFx -- "$line" "$W/got.$i" || printf '%s\n' "$line"
		done < "$W/expect.$i")
		if [ -z "$missing" ]; then
			t_ok
		else
			t_fail "README block $i: shown output not printed:"
			printf '%s\n' "$missing" | head -10 | sed 's/^/     - /'
		fi
	fi
	i=$((i + 1))
done
check "README shows the output of some blocks ($nexp)" test "$nexp" -ge 3

# --- what the blocks must have shown --------------------------------------------------
# out BLOCK: that block's output
out() { cat "$W/out.$1" 2>/dev/null; }
has() { # DESC BLOCK REGEX
	if out "$2" | grep -Eq -- "$3"; then t_ok; else t_fail "$1 (block $2: no /$3/)"; fi
}
hasnt() { # DESC BLOCK REGEX
	if out "$2" | grep -Eq -- "$3"; then t_fail "$1 (block $2: /$3/ found)"; else t_ok; fi
}
# 1: ipcalc
has "ipcalc describes the range" 1 '^ADDRESSES=65536$'
has "ipcalc split IPv4" 1 '^198\.19\.3\.0/24$'
has "ipcalc split IPv6" 1 '^fd00:19:0:3::/64$'
has "ipcalc gateway" 1 '^GATEWAY=198\.19\.3\.1$'
has "ipcalc contains" 1 '^yes$'
# 2-4: node-local ADD, its files, DEL
has "node-local: IPv4 address" 2 '"address": "198\.19\.3\.2/24"'
has "node-local: IPv6 address" 2 '"address": "fd00:19:0:3::2/64"'
has "node-local: a file per address" 3 '^198\.19\.3\.2$'
has "node-local: ... IPv6 too" 3 '^fd00:19:0:3::2$'
hasnt "node-local DEL frees them" 4 '^198\.19\.3\.2$|^fd00'
# 5-7: bridge in a namespace
has "bridge ADD: the result names cbr0" 5 '"name": "cbr0"'
has "bridge: pod has an IPv4 address" 6 'inet 198\.19\.3\.[0-9]+/24'
has "bridge: pod has an IPv6 address" 6 'inet6 fd00:19:0:3::[0-9a-f]+/64'
has "bridge: default route via the gateway" 6 '^default via 198\.19\.3\.1 dev eth0'
has "bridge: gateway on cbr0" 6 'inet 198\.19\.3\.1/24'
check_out "bridge: both pings answered" 2 sh -c "grep -cE ', [1-9][0-9]* received' '$W/out.6'"
hasnt "bridge DEL: no veth left" 7 'veth'
# 8, 9: two nodes, router, pods
has "router: IPv4 route to n2's pods" 8 '^198\.19\.2\.0/24 via 198\.18\.0\.2 dev eth0'
has "router: IPv6 route to n2's pods" 8 '^fd00:19:0:2::/64 via fd00:18::2 dev eth0'
hasnt "router: no route to its own pod CIDR" 8 '^198\.19\.1\.0/24 via'
has "router: podcidrs for node-local" 8 '^198\.19\.1\.0/24$'
has "node-local from podcidrs: pod2's address" 9 'inet 198\.19\.2\.2/24'
check_out "pod1 -> pod2: both pings answered" 2 sh -c "grep -cE ', [1-9][0-9]* received' '$W/out.9'"
# 10: nothing left
check_out "no namespace left" "" sh -c "ip netns list | grep '^$PFX-'"
check_out "TMPDIR empty again (rm -rf \$D)" "" ls -A "$W/tmp"
t_done
