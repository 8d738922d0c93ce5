#!/bin/sh
# router_valgrind: the router (a glibc build: valgrind cannot follow malloc in
# the static musl binary; make glibc) under valgrind memcheck for DURATION
# seconds (600) of a watch stream of RATE (17) heartbeat events a second
# over NODES (200) nodes from the fake API server, then SIGTERM. Asserts:
# 0 valgrind errors, 0 bytes definitely/indirectly lost, the fd count flat
# (the daemon's own descriptors at exit, nothing more), RSS flat, routes
# correct at the end, the events delivered.
#   XC=build/glibc/xcluster-cni [DURATION=60] sh test/soak/router_valgrind.sh
cd "$(dirname "$0")/../.." || exit 2
. test/lib/t.sh
if [ "$(id -u)" != 0 ] || ! command -v valgrind >/dev/null; then
	t_skip "needs root and valgrind (vendor/deps.sh soak)" 1; t_done; exit 0
fi
if ! file -L "$XC" 2>/dev/null | grep -q dynamically; then
	echo "router_valgrind: XC must be the glibc build (make glibc: build/glibc/xcluster-cni)" >&2
	t_fail "XC is not a dynamic glibc build"; t_done; exit 1
fi
XC=$(readlink -f "$XC"); export XC
export DURATION="${DURATION:-600}" NODES="${NODES:-200}" RATE="${RATE:-17}"
. test/soak/router_soak.lib
echo "router_valgrind: $NODES nodes, $RATE events/s, $DURATION s, binary $XC, started $(date -u +%H:%M:%S) UTC"
soak_setup || { t_fail "namespace setup"; t_done; exit 1; }
soak_run valgrind
grep -E "FILE DESCRIPTORS|Open |ERROR SUMMARY|lost:|reachable:" "$SOAK_D/valgrind.log" | sed 's/^==[0-9]*== /  valgrind: /'
echo "router_valgrind: ended $(date -u +%H:%M:%S) UTC"
t_done
