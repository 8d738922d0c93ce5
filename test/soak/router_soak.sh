#!/bin/sh
# router_soak: the router against the fake API server (TLS, tokenFile) with
# NODES nodes (5000) for DURATION seconds (1800): node churn every few
# seconds (re-addressed, added, deleted, pod CIDRs set, re-created with other
# CIDRs) and a fault every few seconds cycling through watch drops (clean,
# abort), 410 (event, http), 429 with Retry-After, 500, slow bodies, garbage
# and truncated watches and lists, server restarts with --state on the same
# port, and token rotation. Checked (test/soak/router_soak.py): (a) the kernel's
# routes of protocol 202 against the expected set, continuously (a netlink
# mirror, a route wrong longer than its grace is a violation; convergence
# p50/p99/max); (b) no wanted route deleted or rewritten; (c) RSS every 10 s
# flat over the second half; (d) requests per minute and per 10 s from the
# server's request log, Retry-After and back-off gaps; (e) the router never
# exits and /healthz answers every second within 1 s. Mode none in one namespace: no tunnel modules.
#   XC=build/xcluster-cni [DURATION=120 NODES=500] sh test/soak/router_soak.sh
cd "$(dirname "$0")/../.." || exit 2
. test/lib/t.sh
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	t_skip "needs root and ip" 1; t_done; exit 0
fi
XC=$(readlink -f "$XC"); export XC
export DURATION="${DURATION:-1800}" NODES="${NODES:-5000}"
. test/soak/router_soak.lib
echo "router_soak: $NODES nodes, $DURATION s, binary $XC, started $(date -u +%H:%M:%S) UTC"
soak_setup || { t_fail "namespace setup"; t_done; exit 1; }
soak_run soak
echo "router_soak: ended $(date -u +%H:%M:%S) UTC"
t_done
