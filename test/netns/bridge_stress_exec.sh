#!/bin/sh
# bridge_stress_exec: bridge_stress.sh with node-local a copy of the binary, not a link to
# it, so bridge exec's its IPAM plugin: the path every other IPAM plugin
# takes, where bridge_stress.sh covers the one without an exec (core/cni/cni_exec.c).
BR_IPAM=exec
. test/netns/bridge_stress.sh
