# t.sh: shell test helpers; source it, call the checks, end with t_done.
# Checks print only on failure; t_done prints "SUITE: N passed, N failed, N skipped".
T_PASS=0 T_FAIL=0 T_SKIP=0
# Debian's python3, whose modules vendor/deps.sh installs, ahead of any
# pyenv or virtualenv shim earlier in PATH: the suites start python3
# hundreds of times, and a shim's bash wrappers cost 10x the interpreter's
# own start (16 s against 1.1 s for ten starts on a loaded machine).
[ -x /usr/bin/python3 ] && case "$PATH" in
	/usr/bin:*) ;;
	*) PATH=/usr/bin:$PATH; export PATH ;;
esac
T_SUITE=$(basename "$0" .sh)
: "${XC:?XC must name the xcluster-cni binary}"

t_ok()   { T_PASS=$((T_PASS + 1)); }
t_fail() { T_FAIL=$((T_FAIL + 1)); echo "FAIL $T_SUITE: $*"; }
t_skip() { T_SKIP=$((T_SKIP + ${2:-1})); echo "SKIP $T_SUITE: $1"; }

# check DESC CMD...: CMD must exit 0.
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then t_ok; else t_fail "$d"; fi; }

# check_exit DESC CODE CMD...: CMD must exit with CODE.
check_exit() {
	d=$1 want=$2; shift 2
	"$@" >/dev/null 2>&1; got=$?
	if [ "$got" = "$want" ]; then t_ok; else t_fail "$d (exit $got, want $want)"; fi
}

# check_out DESC EXPECTED CMD...: CMD's stdout must equal EXPECTED.
check_out() {
	d=$1 want=$2; shift 2
	got=$("$@" 2>/dev/null)
	if [ "$got" = "$want" ]; then t_ok; else t_fail "$d"; printf '     got:  %s\n     want: %s\n' "$got" "$want"; fi
}

# check_grep DESC REGEX CMD...: CMD's stdout+stderr must match REGEX.
check_grep() {
	d=$1 re=$2; shift 2
	if "$@" 2>&1 | grep -Eq -- "$re"; then t_ok; else t_fail "$d (no match for /$re/)"; fi
}

# t_wait SECS CMD...: run CMD every 0.1 s until it succeeds; 1 once SECS
# seconds have passed. SECS is a safety deadline, to be generous (30-60 s):
# a wait ends on what it waits for, the deadline only on a wait that would
# never end, whatever the speed of the machine.
t_wait() {
	_tw_end=$(( $(date +%s) + $1 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_tw_end" ] && return 1
		sleep 0.1
	done
}

t_done() {
	echo "$T_SUITE: $T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
	[ "$T_FAIL" = 0 ]
}

# t_public_bin: print a new folder under /tmp, mode 0755, holding a copy of $XC
# (xcluster-cni, 0755) that any user can run. A check that runs the binary as
# another user needs it: the checkout may sit in a folder only root can
# traverse (mktemp -d makes 0700). The caller removes the folder.
t_public_bin() {
	_d=$(mktemp -d /tmp/xc-pub.XXXXXX) && chmod 755 "$_d" &&
		cp "$XC" "$_d/xcluster-cni" && chmod 755 "$_d/xcluster-cni" && echo "$_d"
}
