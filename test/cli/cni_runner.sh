#!/bin/sh
# cni_runner: every CNI plugin of the binary goes through one runner
# (core/cni/cni_run.c), so they answer the parts of the protocol that are
# not theirs alike: VERSION, a command they do not know, a failed write of
# their answer, an error without a code. No root needed: nothing here
# reaches a network namespace.
. test/lib/t.sh
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

# call PLUGIN CMD [STDIN]: the plugin with a minimal environment
call() {
	printf '%s' "${3:-}" | env -i CNI_COMMAND="$2" CNI_CONTAINERID=c1 CNI_IFNAME=eth0 \
		CNI_NETNS=/var/run/netns/nothing CNI_PATH="$D" "$XC" "$1"
}
# code PLUGIN CMD STDIN: the error code of its answer, and its exit status
code() {
	out=$(call "$@"); rc=$?
	printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["code"], end="")'
	echo " exit $rc"
}

CONF='{"cniVersion":"1.1.0","name":"n","type":"T","ipam":{"type":"node-local","dataDir":"'$D'","ranges":[[{"subnet":"198.18.9.0/24"}]]}}'
for p in bridge node-local; do
	check_out "$p: VERSION" '{"cniVersion":"1.1.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}' \
		call "$p" VERSION
	check_out "$p: an unknown CNI_COMMAND is code 4, exit 1" "4 exit 1" code "$p" FROB "$CONF"
	check_out "$p: no CNI_COMMAND is code 4, exit 1" "4 exit 1" code "$p" "" "$CONF"
	check_out "$p: a configuration that is not JSON is code 6, exit 1" "6 exit 1" code "$p" ADD "{"
	# stdout closed: the runtime gets no answer, so the call must not look successful
	check_exit "$p: VERSION with stdout closed exits 1" 1 sh -c \
		'CNI_COMMAND=VERSION "$1" "$2" </dev/null >&-' _ "$XC" "$p"
done
check_exit "node-local: DEL with stdout closed still succeeds when it prints nothing" 0 sh -c \
	'printf "%s" "$1" | env CNI_COMMAND=DEL CNI_CONTAINERID=c1 CNI_IFNAME=eth0 "$2" node-local >&-' \
	_ "$CONF" "$XC"
check_exit "node-local: ADD with stdout closed exits 1" 1 sh -c \
	'printf "%s" "$1" | env CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_IFNAME=eth0 CNI_NETNS=/x "$2" node-local >&-' \
	_ "$CONF" "$XC"
check_out "... and takes its address back (the runtime never saw it)" "" sh -c 'ls "$1" | grep "^198"' _ "$D/n"
check_exit "node-local: the same ADD with stdout open" 0 sh -c \
	'printf "%s" "$1" | env CNI_COMMAND=ADD CNI_CONTAINERID=c2 CNI_IFNAME=eth0 CNI_NETNS=/x "$2" node-local >/dev/null' \
	_ "$CONF" "$XC"
check_out "... keeps one (the next in turn)" "198.18.9.3" sh -c 'ls "$1" | grep "^198"' _ "$D/n"
t_done
