# hostns.sh: one node's host inside a network namespace, for the suites and
# benches that run a router there. Source it, then:
#   host_ns NS [V4/LEN]
# brings lo up and makes eth0, a veth whose peer (eth0p) stays in NS, so
# the link is up and nothing leaves, with V4/LEN (default 198.18.0.1/24)
# and fd00:100::1/64 (no DAD: usable at once). Fails on the first step
# that fails.
host_ns() {
	ip -n "$1" link set lo up &&
	ip -n "$1" link add eth0 type veth peer name eth0p &&
	ip -n "$1" link set eth0 up &&
	ip -n "$1" link set eth0p up &&
	ip -n "$1" addr add "${2:-198.18.0.1/24}" dev eth0 &&
	ip -n "$1" addr add fd00:100::1/64 dev eth0 nodad
}
