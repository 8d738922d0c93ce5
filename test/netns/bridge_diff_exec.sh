#!/bin/sh
# bridge_diff_exec: bridge_diff.sh with node-local a copy of the binary, not a link to
# it, so bridge exec's its IPAM plugin: the path every other IPAM plugin
# takes, where bridge_diff.sh covers the one without an exec (core/cni/cni_exec.c).
BR_IPAM=exec
. test/netns/bridge_diff.sh
