#!/bin/sh
# make demo: a small dual-stack Kubernetes cluster in network namespaces.
#
#   xcdemo-sw          the "switch": a Linux bridge joining everything below
#   xcdemo-api         the (fake) Kubernetes API server, https://198.18.0.1:6443
#   xcdemo-n1..n3      three nodes: eth0 on the switch, a router each
#   xcdemo-pod1..3     one pod per node, attached by bridge + node-local
#   xcdemo-ext         a host outside the cluster, with no route to the pods
#
# Node objects are created through the API; the routers watch them and route
# each node's pod CIDRs; the pods ping each other across nodes (IPv4, IPv6).
# Then traffic leaves the cluster and comes in: a pod reaches the outside
# host through its node's masquerade, and the outside host reaches pod1
# through a hostPort (portmap chained after bridge).
# Everything is removed at the end, also on failure or Ctrl-C. Exit status:
# 0 when every ping answered and nothing was left behind, else 1.
#
# Environment: XC (the binary), XCDEMO (namespace prefix, default xcdemo),
# XCDEMO_KEEP=1 (keep the temp dir, for a look at the logs), XCDEMO_FAULT=
# blackhole (for test/e2e/demo.sh: pings to pod1 are dropped, the demo fails).
set -u
: "${XC:?XC must name the xcluster-cni binary}"
XC=$(cd "$(dirname "$XC")" && pwd)/$(basename "$XC")
P=${XCDEMO:-xcdemo}
cd "$(dirname "$0")/.." || exit 2
START=$(date +%s%N)

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }
# show NS CMD...: print the command as typed in namespace NS, then run it
show() {
	ns=$1; shift
	printf '  [%s]$ %s\n' "$ns" "$*"
	ip netns exec "$P-$ns" "$@" 2>&1 | sed 's/^/    /; s/ *$//'
}
die() { echo "demo: $*" >&2; exit 1; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# pki DIR: a CA and the API server's certificate (EC P-256, valid a day):
# its names are the addresses the clients use.
pki() {
	mkdir -p "$1" && (
	cd "$1" || exit 1
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
	openssl req -new -x509 -key ca.key -subj /CN=xcdemo-ca -days 1 -out ca.crt \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign &&
	openssl ecparam -name prime256v1 -genkey -noout -out server.key &&
	openssl req -new -key server.key -subj /CN=kube-apiserver -out server.csr &&
	printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' \
		'subjectAltName=IP:198.18.0.1,IP:fd00:18::1,IP:127.0.0.1,DNS:kubernetes.default.svc' > ext &&
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 1 -days 1 \
		-extfile ext -out server.crt
	) >/dev/null 2>&1
}

# --- what the demo needs (Debian packages), installed when missing ---------
missing=
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need ip iproute2
need python3 python3
need openssl openssl
need ping iputils-ping
if [ -n "$missing" ]; then
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (apt-get install -y$missing)"
	echo "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends $missing >/dev/null; } ||
		die "could not install$missing"
fi
[ "$(id -u)" = 0 ] || die "needs root: it creates network namespaces (sudo make demo)"
if ip netns list | grep -q "^$P-"; then
	die "namespaces $P-* exist already (another demo running?); remove them with:
  for n in \$(ip netns list | grep -o '^$P-[^ ]*'); do ip netns del \$n; done"
fi

# --- teardown: runs on every exit ---------------------------------------------
T=$(mktemp -d /tmp/xcdemo.XXXXXX) || exit 2
PIDS=
teardown() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	for n in $(ip netns list | grep -o "^$P-[^ ]*"); do ip netns del "$n"; done
	if [ -n "${XCDEMO_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
	left=
	for p in $PIDS; do kill -0 "$p" 2>/dev/null && left="$left process $p,"; done
	ip netns list | grep -q "^$P-" && left="$left namespaces $P-*,"
	[ -z "${XCDEMO_KEEP:-}" ] && [ -e "$T" ] && left="$left $T,"
	if [ -n "$left" ]; then
		echo "demo: left behind:${left%,}" >&2
		return 1
	fi
}
on_exit() {
	rc=$?
	trap - EXIT INT TERM HUP
	step "Teardown"
	teardown || rc=1
	[ "$rc" = 0 ] && say "  routers and the API server stopped, namespaces $P-* deleted, $T removed"
	say "  $(( ($(date +%s%N) - START) / 1000000 )) ms in all"
	if [ "$rc" = 0 ]; then say "demo: OK"; else say "demo: FAILED"; fi
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Node I: eth0 198.18.0.1I and fd00:18::1I; pod CIDRs from the cluster's.
CLUSTER4=198.19.0.0/16 CLUSTER6=fd00:19::/48
NODES="1 2 3"

say "xcluster-cni demo: pod networking for a 3-node dual-stack cluster,"
say "built from network namespaces ($P-*) on this machine."

# the binary under the names it is called by: xcluster-cni, and the plugins
mkdir -p "$T/bin" && ln -s "$XC" "$T/bin/xcluster-cni" && ln -s "$XC" "$T/bin/bridge" &&
	ln -s "$XC" "$T/bin/node-local" && ln -s "$XC" "$T/bin/portmap" || die "mkdir $T/bin"
PATH=$T/bin:$PATH

# --- 1. the node network --------------------------------------------------------
step "1. The node network: three nodes and an API server on one switch"
ip netns add "$P-sw" || die "ip netns add"
ip -n "$P-sw" link add br0 type bridge mcast_snooping 0
ip -n "$P-sw" link set br0 up
plug() { # NAME V4 V6: a namespace with eth0 on the switch
	ip netns add "$P-$1" &&
	ip -n "$P-sw" link add "p-$1" type veth peer name eth0 netns "$P-$1" &&
	ip -n "$P-sw" link set "p-$1" master br0 up &&
	ip -n "$P-$1" link set lo up &&
	ip -n "$P-$1" addr add "$2/24" dev eth0 &&
	ip -n "$P-$1" addr add "$3/64" dev eth0 nodad &&
	ip -n "$P-$1" link set eth0 up || die "setting up $1"
	printf '  %-4s eth0 %-14s %s\n' "$1" "$2" "$3"
}
cat <<PIC
     pod1      pod2      pod3                pods (step 6): a namespace each, on
      |         |         |                  the bridge cbr0 of their node
      n1        n2        n3     api   ext   nodes, the API server and a host
      |         |         |       |     |    outside the cluster: a namespace
  ------------------ br0 -------------------  each; a veth pair ("cable") links
                                              its eth0 to br0, the switch
PIC
plug api 198.18.0.1 fd00:18::1
for i in $NODES; do plug "n$i" "198.18.0.1$i" "fd00:18::1$i"; done
plug ext 198.18.0.100 fd00:18::100

# --- 2. the API server -----------------------------------------------------------
step "2. The Kubernetes API server: the test one (test/fakeapi), Node objects only"
pki "$T/pki" || die "openssl: could not make the certificates"
echo demo-token > "$T/token"
ip netns exec "$P-api" python3 test/fakeapi/fakeapi.py --listen :: --port 6443 \
	--port-file "$T/port" --cert "$T/pki/server.crt" --key "$T/pki/server.key" \
	--token-file "$T/token" 2>"$T/fakeapi.log" &
PIDS="$PIDS $!"
API_PID=$!
api() { # fakectl against the server, from its own namespace
	ip netns exec "$P-api" python3 -S test/fakeapi/fakectl.py --server https://127.0.0.1:6443 \
		--cacert "$T/pki/ca.crt" --token demo-token "$@"
}
api wait 60 || die "the API server did not start: $(tail -3 "$T/fakeapi.log")"
cat > "$T/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: https://198.18.0.1:6443
    certificate-authority: $T/pki/ca.crt
users:
- name: router
  user:
    token: demo-token
contexts:
- name: demo
  context: {cluster: demo, user: router}
current-context: demo
EOF
say "  https://198.18.0.1:6443 in $P-api (pid $API_PID), over TLS: its certificate,"
say "  for 198.18.0.1, is signed by a CA made for the demo. The routers' kubeconfig"
say "  ($T/kubeconfig) holds the URL, that CA and a bearer token."

# --- 3. routers ------------------------------------------------------------------
step "3. A router on each node (xcluster-cni router, a daemon: LIST + WATCH Nodes)"
for i in $NODES; do
	mkdir -p "$T/n$i/state"
	ip netns exec "$P-n$i" xcluster-cni router --kubeconfig "$T/kubeconfig" --node-name "n$i" \
		--tunnel-mode none --cache-dir "$T/n$i/state" \
		--masquerade true --cluster-cidr "$CLUSTER4,$CLUSTER6" >"$T/router-n$i.log" 2>&1 &
	PIDS="$PIDS $!"
	say "  n$i: router pid $! (log $T/router-n$i.log)"
done
t0=$(ms)
for i in $NODES; do
	until grep -q 'node listing: 0 nodes' "$T/router-n$i.log"; do
		[ $(( $(ms) - t0 )) -lt 60000 ] || die "n$i: router not listing: $(tail -3 "$T/router-n$i.log")"
		sleep 0.05
	done
done
say "  each listed the Nodes (none yet: nothing to route) and now watches for changes;"
say "  with --masquerade true, pods' traffic to outside $CLUSTER4 and $CLUSTER6"
say "  (and every Node's pod CIDRs) will leave with the node's address (step 8)"

# --- 4. Node objects --------------------------------------------------------------
step "4. Node objects: each node gets a slice of the cluster's pod ranges"
say "  cluster pod ranges $CLUSTER4 and $CLUSTER6; node I gets slice I:"
for c in "$CLUSTER4 24" "$CLUSTER6 64"; do
	printf '  $ xcluster-cni ipcalc split %s 1\n' "$c"
	xcluster-cni ipcalc split $c 1 | sed 's/^/    /'
done
for i in $NODES; do
	c4=$(xcluster-cni ipcalc split "$CLUSTER4" 24 "$i") && c6=$(xcluster-cni ipcalc split "$CLUSTER6" 64 "$i") ||
		die "ipcalc split"
	# what kubectl create does, then the kubelet's status update (addresses)
	api post /api/v1/nodes "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n$i\"},\"spec\":{\"podCIDRs\":[\"$c4\",\"$c6\"]}}" >/dev/null &&
	api patch "/api/v1/nodes/n$i/status" "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"198.18.0.1$i\"},{\"type\":\"InternalIP\",\"address\":\"fd00:18::1$i\"}]}}" \
		application/merge-patch+json >/dev/null || die "creating Node n$i"
done
say "  created with POST /api/v1/nodes (spec.podCIDRs) and PATCH .../status (InternalIPs);"
say "  the nodes applet reads them back, from n1, as the routers see them:"
show n1 xcluster-cni nodes --kubeconfig "$T/kubeconfig"

# --- 5. routes --------------------------------------------------------------------
step "5. Routes: every node routes the other nodes' pod CIDRs to them"
routes() { { ip -n "$P-$1" route show proto 202; ip -n "$P-$1" -6 route show proto 202; } 2>/dev/null; }
t0=$(ms)
for i in $NODES; do
	until [ "$(routes "n$i" | wc -l)" = 4 ] && [ -s "$T/n$i/state/xcluster-cni/podcidrs" ]; do
		[ $(( $(ms) - t0 )) -lt 60000 ] || die "n$i: no routes after 60 s: $(tail -3 "$T/router-n$i.log")"
		sleep 0.05
	done
done
say "  what n1's router saw (WATCH events) and did:"
sed -n 's/^[^ ]* router: info: /    /p' "$T/router-n1.log" |
	grep -E '^    (node n[0-9]+ (added|changed)|add route|pod CIDRs)' |
	sed 's/changed: podCIDRs [^ ]* addresses/changed: addresses/; s/ (was .*//; s|written to .*|written for node-local|'
say "  (a node registers, then reports its addresses: its routes follow them)"
say "  the routes, marked 'proto 202' (the router's: it never touches other routes):"
for i in $NODES; do
	show "n$i" ip route show proto 202
	show "n$i" ip -6 route show proto 202
done
say "  each router also wrote its own node's pod CIDRs for node-local:"
show n1 cat "$T/n1/state/xcluster-cni/podcidrs"

# --- 6. pods -------------------------------------------------------------------------
step "6. Pods: what the container runtime does for a new pod (CNI ADD), by hand"
cni() { # CMD I: the bridge plugin, run in node I, for pod I
	ip netns exec "$P-n$2" env CNI_COMMAND="$1" CNI_CONTAINERID="pod$2" \
		CNI_NETNS="/var/run/netns/$P-pod$2" CNI_IFNAME=eth0 CNI_PATH="$T/bin" \
		bridge < "$T/n$2/cni.json"
}
for i in $NODES; do
	cat > "$T/n$i/cni.json" <<JSON
{"cniVersion": "1.0.0", "name": "xcluster-cni", "type": "bridge", "bridge": "cbr0",
 "isGateway": true, "isDefaultGateway": true,
 "ipam": {"type": "node-local", "dataDir": "$T/n$i/state"}}
JSON
	ip netns add "$P-pod$i" || die "ip netns add"
	cni ADD "$i" > "$T/n$i/result.json" || die "CNI ADD on n$i: $(cat "$T/n$i/result.json")"
done
say "  a pod is a network namespace ($P-pod1..3); on each node the bridge plugin"
say "  ran with the CNI_* variables in its environment and the network's"
say "  configuration on stdin:"
say "    CNI_COMMAND=ADD CNI_CONTAINERID=pod1 CNI_NETNS=/var/run/netns/$P-pod1"
say "    CNI_IFNAME=eth0 CNI_PATH=$T/bin   (where to find node-local)"
sed 's/^/    /' "$T/n1/cni.json"
say "  It made the bridge cbr0 on the node, a veth pair with one end in the pod"
say "  (eth0), and asked node-local for addresses. ipam has no ranges: node-local"
say "  took the node's pod CIDRs from the router's file. The result (stdout):"
sed -n '/"ips"/,/^  \]/p' "$T/n1/result.json" | sed 's/^/    /'
addr() { # I FAMILY: pod I's global address
	ip -n "$P-pod$1" -o "-$2" addr show dev eth0 scope global | awk '{ sub(/\/.*/, "", $4); print $4 }'
}
for i in $NODES; do
	printf '  pod%s on n%s: eth0 %-14s %s\n' "$i" "$i" "$(addr "$i" 4)" "$(addr "$i" 6)"
done
say "  inside pod1: its addresses, and routes to the gateways on cbr0 (.1 and ::1):"
show pod1 ip -br addr show dev eth0
show pod1 ip route
show pod1 ip -6 route show default
say "  node-local's state on n1 (host-local's format: a file per address):"
show n1 ls -m "$T/n1/state/xcluster-cni"

# --- 7. traffic -----------------------------------------------------------------------
step "7. Pod to pod across nodes: pod -> cbr0 -> node's route (proto 202) -> other node"
# A new IPv6 address is "tentative" until duplicate address detection is
# done (1-2 s); until then the gateway on cbr0 cannot be used.
t0=$(ms)
for i in $NODES; do
	while [ -n "$(ip -n "$P-n$i" -6 addr show dev cbr0 tentative)" ]; do
		[ $(( $(ms) - t0 )) -lt 60000 ] || break
		sleep 0.05
	done
done
say "  (IPv6: a new address is \"tentative\" until duplicate address detection has"
say "  checked that no one else on the link has it; the gateways on cbr0 were ready"
say "  after $(( $(ms) - t0 )) ms)"
# test/e2e/demo.sh breaks the network on purpose: n2 drops what goes to pod1
if [ "${XCDEMO_FAULT:-}" = blackhole ]; then
	say "  (XCDEMO_FAULT=blackhole: n2 drops traffic to pod1: those pings must fail)"
	ip -n "$P-n2" route add blackhole "$(addr 1 4)/32"
fi
fail=0
for i in $NODES; do
	for j in $NODES; do
		[ "$i" = "$j" ] && continue
		for f in 4 6; do
			to=$(addr "$j" "$f")
			# one answer, for up to 10 s (a ping a second): a loaded machine may be slow
			if out=$(ip netns exec "$P-pod$i" ping "-$f" -c 1 -w 10 "$to" 2>&1); then
				rtt=$(printf '%s\n' "$out" | sed -n 's/.*time=\([0-9.]* ms\).*/\1/p')
				printf '  pod%s -> pod%s  %-16s ok  %s\n' "$i" "$j" "$to" "$rtt"
			else
				printf '  pod%s -> pod%s  %-16s FAILED\n' "$i" "$j" "$to"
				fail=1
			fi
		done
	done
done
if [ "$fail" = 1 ]; then
	for i in $NODES; do
		echo "--- n$i: routes and the router's log" >&2
		routes "n$i" >&2
		tail -n 5 "$T/router-n$i.log" >&2
	done
	die "a ping failed"
fi

# --- 8. out and in --------------------------------------------------------------------
step "8. Out of the cluster and in: egress masquerade, and a hostPort"
# echo.py PORT: answers each TCP connection (both families) with the peer's address
cat > "$T/echo.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(8)
while True:
    c, a = s.accept()
    c.sendall(("you are " + a[0].replace("::ffff:", "") + "\n").encode())
    c.close()
PY
# ask NS ADDR PORT: what the echo server at ADDR PORT answers a client in NS
ask() {
	ip netns exec "$P-$1" python3 -c 'import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 3)
print(s.makefile().readline().strip())' "$2" "$3" 2>/dev/null
}
# expect NS ADDR PORT WANT WHY: one line; a failure if the answer is not WANT
expect() {
	got=$(ask "$1" "$2" "$3")
	if [ "$got" = "you are $4" ]; then
		printf '  %-4s -> %-20s %-24s %s\n' "$1" "$2 $3" "\"$got\"" "$5"
	else
		printf '  %-4s -> %-20s FAILED (%s, not "you are %s")\n' "$1" "$2 $3" "${got:-no answer}" "$4"
		fail=1
	fi
}
for ns in ext pod1; do
	port=9000; [ $ns = pod1 ] && port=80
	ip netns exec "$P-$ns" python3 "$T/echo.py" $port 2>>"$T/echo.log" &
	PIDS="$PIDS $!"
done
# portmap, chained after bridge as a conflist would: the bridge's result as prevResult
python3 - "$T/n1/result.json" > "$T/n1/portmap.json" <<'PY' || die "writing portmap's configuration"
import json, sys
print(json.dumps({"cniVersion": "1.0.0", "name": "xcluster-cni", "type": "portmap",
                  "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]},
                  "prevResult": json.load(open(sys.argv[1]))}))
PY
portmap() { # CMD: the portmap plugin in node 1 for pod 1
	ip netns exec "$P-n1" env CNI_COMMAND="$1" CNI_CONTAINERID=pod1 \
		CNI_NETNS="/var/run/netns/$P-pod1" CNI_IFNAME=eth0 CNI_PATH="$T/bin" \
		portmap < "$T/n1/portmap.json"
}
out=$(portmap ADD) || die "portmap ADD on n1: $out"
say "  pod1 asked for hostPort 8080 -> its port 80 (runtimeConfig.portMappings); the"
say "  portmap plugin, run after bridge with bridge's result as prevResult, mapped it"
say "  in an nf_tables table of its own. An echo server in ext (port 9000) and one in"
say "  pod1 (port 80) answer each connection with the address they see it come from:"
t0=$(ms)
until ask ext 198.18.0.100 9000 >/dev/null && ask pod2 "$(addr 1 4)" 80 >/dev/null; do
	[ $(( $(ms) - t0 )) -lt 30000 ] || die "the echo servers did not start: $(tail -3 "$T/echo.log")"
	sleep 0.05
done
fail=0
expect pod2 198.18.0.100 9000 198.18.0.12 "masqueraded: ext has no route to pods"
expect pod2 fd00:18::100 9000 fd00:18::12 "the same in IPv6"
expect pod2 "$(addr 1 4)" 80 "$(addr 2 4)" "pod to pod: no NAT"
expect pod2 "$(addr 1 6)" 80 "$(addr 2 6)" "the same in IPv6"
expect ext 198.18.0.11 8080 198.18.0.100 "n1's hostPort 8080 -> pod1:80"
expect ext fd00:18::11 8080 fd00:18::100 "the same in IPv6"
[ "$fail" = 0 ] || die "a connection in step 8 failed"
out=$(portmap DEL) || die "portmap DEL on n1: $out"

# --- 9. pods away -----------------------------------------------------------------------
step "9. Pods deleted (CNI DEL): the veth pair goes, the addresses go back to the pool"
for i in $NODES; do
	cni DEL "$i" >/dev/null || die "CNI DEL on n$i"
	ip netns del "$P-pod$i"
done
show n1 ls -m "$T/n1/state/xcluster-cni"
exit 0
