# shellcheck shell=sh
# bench/scratch.sh: sourced by a benchmark that works in network namespaces
# of its own and in scratch folders, all removed when it exits.
#
#   bench_scratch PREFIX [STATE_DIR]  T: a folder under /tmp; S: one under
#                   STATE_DIR (default /dev/shm, a tmpfs); NS: PREFIX and the
#                   pid, the prefix of every namespace to make (NS-*)
bench_scratch() {
	T=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
	S=$(mktemp -d "${2:-/dev/shm}/$1.XXXXXX") || exit 1
	NS=$1$$
	trap bench_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

bench_cleanup() {
	for n in $(ip netns list 2> /dev/null | awk '{print $1}' | grep "^$NS-"); do
		ip netns del "$n"
	done
	rm -rf "$T" "$S"
}
