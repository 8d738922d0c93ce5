# bench/router/netns.sh: sourced by a benchmark (after its cd to the top)
# that runs in a network namespace of its own: outside one, it runs "$0"
# again inside a new namespace, removes the namespace and exits with the
# run's status; inside (BENCH_NETNS set), it returns. Needs root.
if [ -z "${BENCH_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "$0: needs root; skipped"; exit 0; }
	BENCH_NETNS=xcb-$(basename "$0" .sh)-$$
	export BENCH_NETNS
	ip netns add "$BENCH_NETNS" || exit 1
	ip netns exec "$BENCH_NETNS" sh "$0"
	rc=$?
	ip netns del "$BENCH_NETNS"
	exit $rc
fi
