#!/bin/bash
# runtime: the plugins driven by a real container runtime, as on a node.
#
# Debian's containerd 1.6 (CRI plugin) and runc, private to this run
# (test/runtime/rt.lib: own config, root, state, sockets, network and mount
# namespaces), a busybox-static sandbox image packed with umoci and imported
# with ctr, and test/runtime/cri.py calling the CRI as the kubelet does:
#
#   cri        RunPodSandbox / PodSandboxStatus / StopPodSandbox /
#              RemovePodSandbox: both families from node-local, pods ping
#              each other and the gateway, stop + remove leave nothing; what
#              the CRI plugin sends the plugin (the call log of a wrapper)
#   install    the shipped config (install) under a running containerd, no
#              ranges: the router's podcidrs file; what containerd does
#              before that (no config, a config moved in, no pod CIDRs yet)
#   ctr        `ctr run --cni` (gocni): two containers ping each other; the
#              DEL after the task exits (CNI_NETNS="") frees everything
#   loops      20 sandboxes in sequence, 12 at once: unique addresses, 0 leaks
#   switch     a config that sorts first appears while pods run: what leaks,
#              and GC (or DEL with the right config) gets it back
#   restart    containerd stopped (TERM, then KILL) and started while pods
#              run: their network untouched; a pod after the restart works
#   ports      capabilities: portMappings reach a chained portmap, the
#              reference one and ours; a hostPort answers on the node's
#              addresses (IPv4, IPv6) and goes with the pod
#   masq       the router's masquerade, the router running as a daemon: a
#              pod reaching an "outside" namespace is seen there with the
#              node's address (IPv4, IPv6); a node added meanwhile joins the set
#   multi      max_conf_num = 2: eth0 and eth1 on two bridges
#   secondary  the same the shipped way: install --secondary, a second
#              router (annotation, own PROTOCOL and --network)
#
# make test-runtime runs it; it needs root and vendor/deps.sh runtime, and
# skips itself otherwise. Ends with "runtime: N passed, N failed, N skipped".
. "$(dirname "$0")/../lib/t.sh"
T_SUITE=runtime
cd "$(dirname "$0")/../.." || exit 2
. test/runtime/rt.lib

if [ "$(id -u)" != 0 ]; then
	t_skip "needs root (containerd, namespaces)"
	t_done
	exit 0
fi
m=$(rt_missing)
if [ -n "$m" ]; then
	t_skip "missing:$m (vendor/deps.sh runtime)"
	t_done
	exit 0
fi

CRI_PID=
trap '_rc=$?; [ -n "$CRI_PID" ] && cri_end; (exit $_rc); rt_cleanup' EXIT
trap 'exit 1' INT TERM HUP PIPE
rt_setup xct-rt || { echo "runtime: setup failed"; exit 1; }
NODE=$RT_NS-node
CG=/$RT_NS # cgroup parent of every pod: one folder to clean up

# --- helpers ---------------------------------------------------------------------

# One cri.py for the whole suite, as a coprocess (cri.py shell): a Python
# start with grpc costs more than most CRI calls. cri ARGS... as rt.lib's,
# stdout and stderr kept apart, the exit status passed on. Its pipes are
# also fds 7 and 8, which subshells ($(cri ...), pipelines) keep (bash
# closes the coproc's own in them); rt.lib closes 7 and 8 for containerd.
coproc CRI_SH { exec "$RT_PY" "$RT_DIR/cri.py" --socket "$T/c.sock" --gen "$T/gen" shell 2>&1; }
CRI_PID=$CRI_SH_PID
exec 7>&"${CRI_SH[1]}" 8<&"${CRI_SH[0]}"
cri() {
	printf '%q ' "$@" >&7 && echo >&7 || return 125
	while IFS= read -r _l <&8; do
		case $_l in
		"O "*) printf '%s\n' "${_l#O }" ;;
		"E "*) printf '%s\n' "${_l#E }" >&2 ;;
		"X "*) return "${_l#X }" ;;
		*) printf '%s\n' "$_l" >&2 ;;
		esac
	done
	return 125
}
cri_end() { exec 7>&- 8>&-; kill $CRI_PID 2> /dev/null; wait $CRI_PID 2> /dev/null; }

# eq DESC GOT WANT
eq() {
	if [ "$2" = "$3" ]; then t_ok; else
		t_fail "$1"; printf '     got:  %s\n     want: %s\n' "$2" "$3"
	fi
}

# wait_for SECS CMD...: poll CMD every 50 ms until it succeeds
wait_for() {
	_end=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
	while ! "$@" > /dev/null 2>&1; do
		[ $(( $(date +%s%N) / 1000000 )) -ge $_end ] && return 1
		sleep 0.05
	done
}

# conflist DIR FILE NAME BRIDGE TYPE [CIDR...]: a network configuration
# (bridge TYPE + node-local, state in $T/ipam), written as a runtime expects
# a new file to appear: complete, by rename. No CIDR: no ranges (podcidrs).
# DEFGW=false: no default route (a second network's).
conflist() {
	_d=$1 _f=$2 _n=$3 _b=$4 _t=$5; shift 5
	_r=
	for c in "$@"; do _r="$_r${_r:+,}[{\"subnet\":\"$c\"}]"; done
	printf '{"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"%s","bridge":"%s","isGateway":true,"isDefaultGateway":%s,"ipam":{"type":"xcluster-node-local","dataDir":"%s/ipam"%s}}]}\n' \
		"$_n" "$_t" "$_b" "${DEFGW:-true}" "$T" "${_r:+,\"ranges\":[$_r]}" | put "$_d" "$_f"
}

# put DIR FILE < CONTENT: write FILE by a rename from a temp file in DIR.
# In DIR: containerd 1.6 reloads its conf dir on write, rename and remove
# events but ignores create, and a file moved in from elsewhere is only a
# create there (the install section shows it).
put() { cat > "$1/.$2.tmp" && mv "$1/.$2.tmp" "$1/$2"; }

# allocs NET [CID]: the addresses node-local holds in NET (for CID), sorted;
# the state is in $IPAM (the configs' dataDir)
IPAM=$T/ipam
allocs() {
	for f in "$IPAM/$1"/*; do
		case ${f##*/} in *[!0-9a-f.:]*) continue ;; esac # addresses only
		[ -f "$f" ] || continue
		if [ -z "${2:-}" ] || [ "$(head -n 1 "$f" | tr -d '\r')" = "$2" ]; then echo "${f##*/}"; fi
	done | sort
}
nallocs() { allocs "$@" | grep -c .; }
# held NET N: NET holds N addresses
held() { [ "$(nallocs "$1")" = "$2" ]; }

# veths BRIDGE: how many ports BRIDGE has in the node
veths() { ip -n "$NODE" -o link show master "$1" 2> /dev/null | grep -c .; }
# nveth: every veth in the node
nveth() { ip -n "$NODE" -o link show type veth 2> /dev/null | grep -c .; }
# nnetns: the pod netns files containerd holds
nnetns() { ls "$T/state/io.containerd.grpc.v1.cri/netns" 2> /dev/null | grep -c .; }
# ncache: libcni's result cache entries (its /var/lib/cni is $T/varlib/cni)
ncache() { ls "$T/varlib/cni/results" 2> /dev/null | grep -c .; }

# in_pod NETNS CMD...: CMD in a pod's network namespace (containerd's path)
in_pod() { _p=$1; shift; rt_in nsenter --net="$_p" -- "$@"; }
# ping_ok NETNS ADDR: one echo answered (IPv6 may still be in DAD: -w 5)
ping_ok() { in_pod "$1" ping -c 1 -w 5 "$2"; }
# lo_up NETNS: the pod's lo is up
lo_up() { in_pod "$1" ip -o link show lo | grep -q '<LOOPBACK,UP'; }
# pod_addrs NETNS IFNAME: global addresses on IFNAME, sorted, one a line
pod_addrs() { in_pod "$1" ip -o addr show dev "$2" scope global | awk '{print $4}' | sort; }

# run_pods FILE [cri run options] NAME...: RunPodSandbox; the lines in FILE
# are NAME ID STATE IP ADDITIONAL_IPS NETNS SECONDS
run_pods() { _o=$1; shift; cri run --cgroup-parent "$CG" "$@" > "$_o"; }
# col FILE NAME N: column N of NAME's line in FILE
col() { awk -v n="$2" -v c="$3" '$1 == n { print $c }' "$1"; }
# ids FILE: the sandbox IDs in FILE
ids() { awk '$2 != "-" { print $2 }' "$1"; }
# ready FILE: how many lines say SANDBOX_READY
nready() { awk '$3 == "SANDBOX_READY"' "$1" | grep -c .; }
# uniq_addrs FILE: how many distinct IPv4 + IPv6 addresses FILE names
uniq_addrs() { awk '$4 != "-" { print $4 } $5 != "-" { print $5 }' "$1" | sort -u | grep -c .; }

# in_cidr ADDR CIDR
in_cidr() { "$XC" ipcalc contains "$2" "$1" > /dev/null; }

# nothing_left NET BRIDGE WHAT: the checks that everything of NET is gone
nothing_left() {
	eq "$3: no address held in $1" "$(nallocs "$1")" 0
	eq "$3: no port on $2" "$(veths "$2")" 0
	eq "$3: no pod netns" "$(nnetns)" 0
	eq "$3: no sandbox" "$(cri ls | grep -c .)" 0
	eq "$3: libcni's cache empty" "$(ncache)" 0
	eq "$3: no hostPort element of ours in the node" "$(nhostports)" 0
}
# nhostports: elements (tagged "xcni:...") in our portmap table; 0 when it is
# absent or nft is not installed
nhostports() {
	command -v nft > /dev/null 2>&1 || { echo 0; return; }
	ip netns exec "$NODE" nft list table inet xcluster-cni-portmap 2> /dev/null | grep -o 'comment "xcni:' | grep -c .
}

# The call log: a wrapper in front of the bridge plugin notes every call
# (one line: COMMAND CID NETNS IFNAME EXIT PREVRESULT RUNTIMECONFIG CNI_ARGS,
# the two flags 1 when the config has that key) and passes
# input, output and exit status through. Test-side instrumentation only.
cat > "$BIN/xct-logged-bridge" <<EOF
#!/bin/sh
in=\$(cat)
out=\$(printf '%s' "\$in" | "$BIN/xcluster-bridge"); rc=\$?
printf '%s\n' "\$out"
prev=0; case \$in in *'"prevResult"'*) prev=1 ;; esac
rtc=0; case \$in in *'"runtimeConfig"'*) rtc=1 ;; esac
echo "\$CNI_COMMAND \$CNI_CONTAINERID \${CNI_NETNS:--} \$CNI_IFNAME \$rc \$prev \$rtc \$CNI_ARGS" >> "$T/calls"
exit \$rc
EOF
chmod 755 "$BIN/xct-logged-bridge"
: > "$T/calls"
calls() { grep -c "$@" "$T/calls"; }

# settle: wait for the CRI plugin to reload its conf dir. It does so on
# inotify events, in a goroutine of its own, logging each event it acts on
# (at debug level, which rt_config sets): wait for a new one, then for 0.2 s
# without any (a change may be several events: install's write + rename).
conf_events() { grep -c 'receiving change event from cni conf dir' "$T/containerd.log"; }
EV0=0
settle() {
	_i=0
	while [ "$(conf_events)" -le "$EV0" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ $_i -lt 100 ] || echo "settle: no reload of the conf dir seen in 5 s"
	_n=$(conf_events); _i=0
	while sleep 0.2 && [ "$(conf_events)" != "$_n" ] && [ $_i -lt 25 ]; do _n=$(conf_events); _i=$((_i + 1)); done
	EV0=$_n
}

# --- containerd up, the image in -------------------------------------------------
CONF=$T/cni/net.d
conflist "$CONF" 10-xcluster-cni.conflist xcluster-cni xcbr0 xcluster-bridge 198.18.64.0/24 fd00:64::/64
rt_config 1
check "sandbox image built with umoci" rt_image
if rt_start; then t_ok; else
	t_fail "containerd starts (own config, root, state, sockets)"
	tail -20 "$T/containerd.log"
	t_done
	exit 1
fi
check_grep "CRI Version over containerd's socket" "^containerd .* v1$" cri version
check "image imported with ctr (k8s.io)" rt_import k8s.io
check_grep "... the CRI plugin sees it" "$RT_IMAGE" rt_ctr -n k8s.io images ls -q

# --- cri: two pods through the CRI ---------------------------------------------------
s_cri() {
	NET=xcluster-cni BR=xcbr0
	R4=198.18.64.0/24 R6=fd00:64::/64 GW4=198.18.64.1 GW6=fd00:64::1
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xct-logged-bridge $R4 $R6
	settle
	P=$T/pods.cri
	run_pods "$P" a1 a2
	check "RunPodSandbox a1 a2" test -s "$P"
	eq "both ready" "$(nready "$P")" 2
	a1ip=$(col "$P" a1 4) a1ip6=$(col "$P" a1 5) a1ns=$(col "$P" a1 6) a1id=$(col "$P" a1 2)
	a2ip=$(col "$P" a2 4) a2ip6=$(col "$P" a2 5) a2ns=$(col "$P" a2 6) a2id=$(col "$P" a2 2)
	check "PodSandboxStatus: a1's IPv4 from the range ($a1ip)" in_cidr "$a1ip" $R4
	check "PodSandboxStatus: a1's IPv6 in additional_ips ($a1ip6)" in_cidr "$a1ip6" $R6
	check "PodSandboxStatus: a2's IPv4 ($a2ip)" in_cidr "$a2ip" $R4
	check "PodSandboxStatus: a2's IPv6 ($a2ip6)" in_cidr "$a2ip6" $R6
	eq "four distinct addresses" "$(uniq_addrs "$P")" 4
	eq "a1's eth0 holds what the status reports" "$(pod_addrs "$a1ns" eth0 | tr '\n' ' ')" \
		"$(printf '%s\n' "$a1ip/24" "$a1ip6/64" | sort | tr '\n' ' ')"
	check_grep "a1's default route via the gateway" "default via $GW4 dev eth0" in_pod "$a1ns" ip route
	check_grep "a1's IPv6 default route via the gateway" "default via $GW6 dev eth0" in_pod "$a1ns" ip -6 route
	check_out "bin_dir's loopback is ours" xcluster-cni readlink "$BIN/loopback"
	check "lo is up in the pod (our loopback plugin)" lo_up "$a1ns"
	check "a1 pings a2 (IPv4)" ping_ok "$a1ns" "$a2ip"
	check "a1 pings a2 (IPv6)" ping_ok "$a1ns" "$a2ip6"
	check "a2 pings a1 (IPv4)" ping_ok "$a2ns" "$a1ip"
	check "a1 pings its gateway (IPv4)" ping_ok "$a1ns" $GW4
	check "a1 pings its gateway (IPv6)" ping_ok "$a1ns" $GW6
	eq "node-local holds a1's two addresses, named by its sandbox ID" "$(allocs $NET "$a1id" | tr '\n' ' ')" \
		"$(printf '%s\n' "$a1ip" "$a1ip6" | sort | tr '\n' ' ')"
	eq "two ports on $BR" "$(veths $BR)" 2
	# What the CRI plugin sends (docs/runtime.md relies on these).
	eq "one ADD per pod" "$(calls '^ADD ')" 2
	check_grep "ADD carries the pod's name and namespace in CNI_ARGS" "K8S_POD_NAME=a1" grep "^ADD $a1id " "$T/calls"
	check_grep "... and IgnoreUnknown" "IgnoreUnknown=1" grep "^ADD $a1id " "$T/calls"
	check_grep "ADD: eth0 in containerd's netns path" "^ADD $a1id $a1ns eth0 0 0" cat "$T/calls"

	check "StopPodSandbox a1" cri stop "$a1id"
	check_grep "... a1 NOTREADY" "^$a1id SANDBOX_NOTREADY" cri status "$a1id"
	eq "... a1's addresses released" "$(nallocs $NET "$a1id")" 0
	eq "... its port gone" "$(veths $BR)" 1
	check_grep "... DEL with the netns path and prevResult, exit 0" "^DEL $a1id $a1ns eth0 0 1" cat "$T/calls"
	check "... a2 still pings the gateway" ping_ok "$a2ns" $GW4
	check "RemovePodSandbox a1" cri rm "$a1id"
	# The first DEL emptied libcni's cache: no prevResult this time.
	check_grep "... a second DEL, CNI_NETNS empty, no prevResult, exit 0" "^DEL $a1id - eth0 0 0" cat "$T/calls"
	eq "... a1 gone" "$(cri ls | grep -c "$a1id")" 0
	eq "no failed call" "$(awk '$5 != 0' "$T/calls" | grep -c .)" 0
	check "StopPodSandbox + RemovePodSandbox a2" cri down "$a2id"
	nothing_left $NET $BR "cri"
	eq "... DEL twice per pod (netns path, then none), every call exit 0" \
		"$(calls "^DEL [0-9a-f]* $T/state/[^ ]* eth0 0 1 ") $(calls '^DEL [0-9a-f]* - eth0 0 0 ')" "2 2"
	# containerd 1.6 brings a pod's lo up with the plugin named "loopback"
	# in its bin_dir (docs/runtime.md): without it, no pod starts.
	mv "$BIN/loopback" "$T/loopback.aside"
	run_pods "$T/pods.nolo" a3
	check_grep "without loopback in bin_dir: RunPodSandbox fails, naming it" \
		'a3 - ERROR .*plugin type="loopback" failed \(add\)' cat "$T/pods.nolo"
	# go-cni attaches lo and eth0 side by side, so our ADD went through; the
	# teardown of the failed sandbox fails too (no loopback for its DEL), so
	# containerd keeps the sandbox, NOTREADY, for the kubelet to remove.
	eq "... the failed sandbox is kept, NOTREADY" "$(cri ls | awk '{print $2, $3}')" "SANDBOX_NOTREADY a3"
	eq "... with its addresses held" "$(nallocs $NET)" 2
	mv "$T/loopback.aside" "$BIN/loopback"
	check "loopback back: stop + remove it, as the kubelet does" cri down $(cri ls | awk '{print $1}')
	eq "... then nothing is left" "$(nallocs $NET) $(veths $BR) $(cri ls | grep -c .)" "0 0 0"
}

# --- install: the shipped configuration, the router's podcidrs ------------------------
# As on a node: containerd is up before the network; `install` (the
# DaemonSet's init container) writes 10-xcluster-cni.conflist, which names
# no ranges and no dataDir; the router writes the node's pod CIDRs where
# node-local's defaults look (/var/lib/cni/networks/xcluster-cni/podcidrs:
# in our mount namespace, $T/varlib/...). Both run in the node's namespaces.

# failed_pod NAME: a RunPodSandbox that is to fail (output in $T/pods.i0)
failed_pod() { run_pods "$T/pods.i0" "$1"; }

s_install() {
	NET=xcluster-cni BR=xcbr0 IPAM=$T/varlib/cni/networks
	rm -f "$CONF"/*.conflist
	rm -f "$BIN/loopback" # a node with no loopback plugin: install brings ours
	ip -n "$NODE" link del $BR 2> /dev/null # the cri section's, with its 198.18.64.1
	settle
	failed_pod i0
	check_grep "no config: RunPodSandbox fails (network not ready)" "^i0 - ERROR .*cni plugin not initialized" cat "$T/pods.i0"
	eq "... the sandbox stays, NOTREADY" "$(cri ls | awk '{print $2, $3}')" "SANDBOX_NOTREADY i0"
	# and the kubelet cannot remove it yet: its teardown needs a config too
	check_grep "... StopPodSandbox fails as well, until there is a config" "cni plugin not initialized" \
		cri stop $(cri ls | awk '{print $1}')
	# containerd 1.6 ignores create events in its conf dir: a config moved
	# in from another folder goes unseen (a write or rename there reloads).
	mkdir -p "$T/elsewhere"
	conflist "$T/elsewhere" 10-moved.conflist moved xcbr1 xcluster-bridge 198.18.73.0/24
	mv "$T/elsewhere/10-moved.conflist" "$CONF/"
	sleep 0.5 # no settle: there is no event to wait for
	failed_pod i1
	check_grep "a config moved in from elsewhere: not loaded" "^i1 - ERROR .*cni plugin not initialized" cat "$T/pods.i0"
	failed=$(cri ls | awk '{print $1}')
	rm "$CONF/10-moved.conflist"
	check "install (bin dir, conf dir, MTU 1500)" \
		rt_in "$BIN/xcluster-cni" install --bin-dir "$BIN" --conf-dir "$CONF" --mtu 1500
	check_out "... the shipped config: no ranges, no dataDir" "xcluster-bridge xcluster-node-local null null 1500" \
		jq -r '.plugins[0] | "\(.type) \(.ipam.type) \(.ipam.ranges) \(.ipam.dataDir) \(.mtu)"' "$CONF/10-xcluster-cni.conflist"
	check_out "... and loopback, which bin_dir lacked" xcluster-cni readlink "$BIN/loopback"
	settle
	# Now the kubelet's retries go through: DEL of sandboxes our plugins
	# never saw (their ADD never ran) must succeed.
	check "the two failed sandboxes: stop + remove now succeed" cri down $failed
	eq "... gone" "$(cri ls | grep -c .)" 0
	failed_pod i2
	check_grep "no podcidrs yet: RunPodSandbox fails, node-local says try later" "^i2 - ERROR .*no pod CIDRs for this node yet" cat "$T/pods.i0"
	check "... stop + remove it" cri down $(cri ls | awk '{print $1}')
	eq "... nothing held, no port, no sandbox" "$(nallocs $NET) $(veths $BR) $(cri ls | grep -c .)" "0 0 0"
	cat > "$T/nodes.json" <<-EOF
	{"apiVersion": "v1", "kind": "NodeList", "items": [
	 {"metadata": {"name": "rt-node"}, "spec": {"podCIDRs": ["198.18.72.0/24", "fd00:72::/64"]},
	  "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.1"}]}}]}
	EOF
	check "router --once writes the podcidrs file (its defaults)" \
		rt_in "$BIN/xcluster-cni" router --once --node-name rt-node --nodes-file "$T/nodes.json" --tunnel-mode none --metrics-port 0
	check_grep "... where node-local looks, with both CIDRs" "fd00:72::/64" cat "$IPAM/$NET/podcidrs"
	P=$T/pods.install
	run_pods "$P" b1 b2
	eq "two pods ready" "$(nready "$P")" 2
	check "b1's IPv4 from the node's pod CIDR" in_cidr "$(col "$P" b1 4)" 198.18.72.0/24
	check "b1's IPv6 from the node's pod CIDR" in_cidr "$(col "$P" b1 5)" fd00:72::/64
	check "b2's IPv6 from the node's pod CIDR" in_cidr "$(col "$P" b2 5)" fd00:72::/64
	eq "four distinct addresses" "$(uniq_addrs "$P")" 4
	check_grep "eth0's MTU is install's" "mtu 1500 " in_pod "$(col "$P" b1 6)" ip link show eth0
	check "b1's lo is up (install's loopback)" lo_up "$(col "$P" b1 6)"
	check "b1 pings b2 (IPv4)" ping_ok "$(col "$P" b1 6)" "$(col "$P" b2 4)"
	check "b1 pings b2 (IPv6)" ping_ok "$(col "$P" b1 6)" "$(col "$P" b2 5)"
	check "b2 pings the gateway 198.18.72.1" ping_ok "$(col "$P" b2 6)" 198.18.72.1
	check "b2 pings the gateway fd00:72::1" ping_ok "$(col "$P" b2 6)" fd00:72::1
	check "stop + remove both" cri down $(ids "$P")
	nothing_left $NET $BR "install"
	check "the podcidrs file stays" test -s "$IPAM/$NET/podcidrs"
	rm -f "$CONF/10-xcluster-cni.conflist"
	IPAM=$T/ipam
}

# --- ctr: `ctr run --cni` (containerd's gocni) -------------------------------------
s_ctr() {
	# gocni reads /etc/cni/net.d and /opt/cni/bin only: in our mount namespace
	# those are $T/ctr-net.d and $BIN. ctr runs the plugins itself, in the node.
	if [ "$RT_ETC_CNI" = 1 ]; then
		CN=$RT_NS # ctr's namespace: containers' cgroups go under /$RT_NS too
		conflist "$T/ctr-net.d" 10-ctr.conflist ctrnet xcbr2 xcluster-bridge 198.18.80.0/24 fd00:80::/64
		check "image imported with ctr ($CN)" rt_import "$CN"
		for c in c1 c2; do
			rt_ctr -n "$CN" run --cni --rm "$RT_IMAGE" $c /bin/sleep 600 < /dev/null > "$T/ctr.$c" 2>&1 &
			eval CTR_$c=\$!
		done
		check "c1 and c2 get their addresses" wait_for 20 held ctrnet 4
		c1ip=$(allocs ctrnet "$CN-c1" | grep -v :) c1ip6=$(allocs ctrnet "$CN-c1" | grep :)
		c2ip=$(allocs ctrnet "$CN-c2" | grep -v :) c2ip6=$(allocs ctrnet "$CN-c2" | grep :)
		check "... from the ranges ($c1ip $c1ip6 $c2ip $c2ip6)" sh -c "'$XC' ipcalc contains 198.18.80.0/24 '$c1ip' && '$XC' ipcalc contains fd00:80::/64 '$c2ip6' && [ '$c1ip' != '$c2ip' ]"
		check_grep "c1's eth0 holds its addresses (ip in the container)" "$c1ip6/64" \
			rt_ctr -n "$CN" tasks exec --exec-id ip1 c1 ip -o addr show eth0
		# busybox ping inside the containers (ctr's default spec grants NET_RAW)
		check "c1 pings c2 (IPv4, from inside the container)" rt_ctr -n "$CN" tasks exec --exec-id p1 c1 ping -c 1 -w 5 "$c2ip"
		check "c1 pings c2 (IPv6)" rt_ctr -n "$CN" tasks exec --exec-id p2 c1 ping -c 1 -w 5 "$c2ip6"
		check "c2 pings c1 (IPv4)" rt_ctr -n "$CN" tasks exec --exec-id p3 c2 ping -c 1 -w 5 "$c1ip"
		check "c2 pings its gateway" rt_ctr -n "$CN" tasks exec --exec-id p4 c2 ping -c 1 -w 5 198.18.80.1
		eq "two ports on xcbr2" "$(veths xcbr2)" 2
		# Kill the tasks: the attached ctr sees the exit, deletes the task and
		# then calls DEL with CNI_NETNS="" (its netns died with the task).
		check "kill c1 and c2" rt_ctr -n "$CN" tasks kill -a -s KILL c1
		rt_ctr -n "$CN" tasks kill -a -s KILL c2 > /dev/null 2>&1
		wait $CTR_c1; r1=$?
		wait $CTR_c2; r2=$?
		eq "both ctr run exit with the task's status (137)" "$r1 $r2" "137 137"
		eq "DEL (no netns) released every address" "$(nallocs ctrnet)" 0
		eq "no port left on xcbr2" "$(veths xcbr2)" 0
		eq "--rm removed both containers" "$(rt_ctr -n "$CN" containers ls -q | grep -c .)" 0
		eq "no error from ctr's DEL" "$(cat "$T/ctr.c1" "$T/ctr.c2" | grep -c 'network review')" 0
	else
		t_skip "ctr run --cni: no /etc/cni/net.d, and no overlayfs to make one in our mount namespace (gocni reads nothing else)" 15
	fi
}

# --- loops: 20 in sequence, 12 at once ----------------------------------------------
s_loops() {
	NET=xcluster-cni BR=xcbr3
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xcluster-bridge 198.18.88.0/24 fd00:88::/64
	settle
	P=$T/pods.seq
	run_pods "$P" $(seq -f 's%g' 20)
	eq "20 in sequence: all ready" "$(nready "$P")" 20
	eq "... 40 distinct addresses" "$(uniq_addrs "$P")" 40
	eq "... 40 held by node-local" "$(nallocs $NET)" 40
	eq "... 20 ports" "$(veths $BR)" 20
	check "... s1 pings s20 (IPv6)" ping_ok "$(col "$P" s1 6)" "$(col "$P" s20 5)"
	check "... stop + remove, one by one" cri down $(ids "$P")
	nothing_left $NET $BR "20 in sequence"
	P=$T/pods.par
	run_pods "$P" --parallel $(seq -f 'p%g' 12)
	eq "12 at once: all ready" "$(nready "$P")" 12
	eq "... 24 distinct addresses" "$(uniq_addrs "$P")" 24
	eq "... 24 held by node-local" "$(nallocs $NET)" 24
	eq "... 12 ports" "$(veths $BR)" 12
	check "... p12 pings p1 (IPv4)" ping_ok "$(col "$P" p12 6)" "$(col "$P" p1 4)"
	check "... stop + remove, all at once" cri down --parallel $(ids "$P")
	nothing_left $NET $BR "12 at once"
}

# --- switch: a config that sorts first appears while pods run -------------------------
# The CRI plugin uses the first config in sort order for every call, DEL
# included: pods started under A are torn down with B once B is there.
s_switch() {
	NET=xcluster-cni BR=xcbr4
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xcluster-bridge 198.18.96.0/24 fd00:96::/64
	settle
	P=$T/pods.sw
	run_pods "$P" w1 w2
	eq "w1, w2 ready under A" "$(nready "$P")" 2
	w1id=$(col "$P" w1 2) w2id=$(col "$P" w2 2)
	conflist "$CONF" 05-other.conflist other xcbr5 xcluster-bridge 198.18.97.0/24 fd00:97::/64
	settle
	run_pods "$T/pods.sw2" w3
	check "a new pod gets B's network" in_cidr "$(col "$T/pods.sw2" w3 4)" 198.18.97.0/24
	check "stop + remove w1 (its DEL goes to B)" cri down "$w1id"
	# What leaks: A's addresses for w1 (B's node-local has none of w1's),
	# and libcni's cached result of A's ADD. The veth does not: containerd
	# deletes the netns, and the pod's end takes the node's end with it.
	eq "leak: w1's two addresses still held in A" "$(nallocs $NET "$w1id")" 2
	eq "no leak: w1's port is gone" "$(veths $BR)" 1
	check "leak: libcni's cache keeps A's result for w1" test -e "$T/varlib/cni/results/$NET-$w1id-eth0"
	check "w3 down (B's own pod, B's DEL)" cri down "$(col "$T/pods.sw2" w3 2)"
	eq "... nothing of w3 left in B" "$(nallocs other)" 0
	rm "$CONF/05-other.conflist"
	settle
	# Recovery 1, GC (spec 1.1.0): A's plugin with the attachments that are
	# still valid (w2's) releases everything else, w1's leak included.
	# (What libcni 1.2 sends a plugin of a conflist: the plugin's object with
	# the list's name and version and the valid attachments added.)
	gcconf=$(jq -c --arg id "$w2id" '.plugins[0] + {name, cniVersion: "1.1.0",
		"cni.dev/valid-attachments": [{containerID: $id, ifname: "eth0"}]}' "$CONF/10-xcluster-cni.conflist")
	check "GC on A, w2 valid" sh -c 'printf "%s" "$1" | ip netns exec "$2" env CNI_COMMAND=GC CNI_PATH="$3" "$3/xcluster-bridge"' \
		sh "$gcconf" "$NODE" "$BIN"
	eq "... w1's addresses released" "$(nallocs $NET "$w1id")" 0
	eq "... w2's kept" "$(nallocs $NET "$w2id")" 2
	check "... w2 still pings its gateway" ping_ok "$(col "$P" w2 6)" 198.18.96.1
	# Recovery 2, DEL with A's config, as the runtime would have sent it:
	# a pod started under A, B appears, the pod goes; then DEL by hand.
	conflist "$CONF" 05-other.conflist other xcbr5 xcluster-bridge 198.18.97.0/24 fd00:97::/64
	settle
	check "w2 down under B" cri down "$w2id"
	eq "leak: w2's addresses held in A" "$(nallocs $NET "$w2id")" 2
	delconf=$(jq -c '.plugins[0] + {name, cniVersion}' "$CONF/10-xcluster-cni.conflist")
	check "DEL with A's config, no netns" sh -c 'printf "%s" "$1" | ip netns exec "$2" env CNI_COMMAND=DEL CNI_CONTAINERID="$4" CNI_IFNAME=eth0 CNI_NETNS= CNI_PATH="$3" "$3/xcluster-bridge"' \
		sh "$delconf" "$NODE" "$BIN" "$w2id"
	eq "... w2's addresses released" "$(nallocs $NET)" 0
	rm "$CONF/05-other.conflist"
	rm -f "$T/varlib/cni/results/$NET-"* # libcni's own leak, not ours to GC
	settle
	nothing_left $NET $BR "switch, after recovery"
}

# --- restart: containerd goes away and comes back while pods run ----------------------
# netsnap: what must not change: the node's ports (index and name), the
# addresses node-local holds, the pods' addresses
netsnap() {
	ip -n "$NODE" -o link show master $BR | awk '{print $1, $2}'
	allocs $NET
	pod_addrs "$r1ns" eth0
	pod_addrs "$r2ns" eth0
}

s_restart() {
	NET=xcluster-cni BR=xcbr6
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xct-logged-bridge 198.18.104.0/24 fd00:104::/64
	settle
	P=$T/pods.rs
	run_pods "$P" r1 r2
	eq "r1, r2 ready" "$(nready "$P")" 2
	r1ns=$(col "$P" r1 6) r2ns=$(col "$P" r2 6) r1id=$(col "$P" r1 2) r2id=$(col "$P" r2 2)
	want_status=$(awk '{print $2, $3, $4, $5, $6}' "$P")
	before=$(netsnap)
	ncalls=$(grep -c . "$T/calls")
	for sig in TERM KILL; do
		rt_stop $sig
		check "containerd stopped ($sig): r1 still pings r2" ping_ok "$r1ns" "$(col "$P" r2 5)"
		if rt_start; then t_ok; else t_fail "containerd starts again after $sig"; return; fi
		eq "after $sig: r1, r2 READY with the same addresses and netns" "$(cri status "$r1id" "$r2id")" "$want_status"
		eq "... ports, allocations, pod addresses untouched" "$(netsnap)" "$before"
		eq "... no CNI call made" "$(grep -c . "$T/calls")" "$ncalls"
		check "... r2 pings r1" ping_ok "$r2ns" "$(col "$P" r1 4)"
	done
	run_pods "$T/pods.rs2" r3
	eq "a pod after the restarts: ready" "$(nready "$T/pods.rs2")" 1
	r3ip=$(col "$T/pods.rs2" r3 4)
	check "... an address of its own ($r3ip)" sh -c '! grep -qw "$1" "$2"' sh "$r3ip" "$P"
	check "... pings r1 (IPv4)" ping_ok "$(col "$T/pods.rs2" r3 6)" "$(col "$P" r1 4)"
	check "... pings r2 (IPv6)" ping_ok "$(col "$T/pods.rs2" r3 6)" "$(col "$P" r2 5)"
	check "stop + remove the three" cri down $(ids "$P") $(ids "$T/pods.rs2")
	eq "... every call since the restarts exit 0" "$(tail -n +$((ncalls + 1)) "$T/calls" | awk '$5 != 0' | grep -c .)" 0
	nothing_left $NET $BR "restart"
}

# --- multi: max_conf_num = 2, a second network as eth1 ---------------------------------
s_multi() {
	NET=xcluster-cni BR=xcbr7
	rt_stop
	rt_config 2
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xcluster-bridge 198.18.112.0/24 fd00:112::/64
	DEFGW=false conflist "$CONF" 20-second.conflist second xcbr8 xcluster-bridge 198.18.113.0/24 fd00:113::/64
	if rt_start; then t_ok; else t_fail "containerd starts with max_conf_num = 2"; return; fi
	P=$T/pods.multi
	run_pods "$P" m1 m2
	eq "m1, m2 ready" "$(nready "$P")" 2
	m1ns=$(col "$P" m1 6) m2ns=$(col "$P" m2 6)
	check "the status reports eth0's (the first network's) addresses" in_cidr "$(col "$P" m1 4)" 198.18.112.0/24
	check_grep "m1's eth1 has an IPv4 of the second network" "198\.18\.113\.[0-9]+/24" pod_addrs "$m1ns" eth1
	check_grep "... and an IPv6" "fd00:113::[0-9a-f]+/64" pod_addrs "$m1ns" eth1
	check_grep "... its default route stays on eth0" "^default via 198.18.112.1 dev eth0" in_pod "$m1ns" ip route
	m2e1=$(pod_addrs "$m2ns" eth1 | sed 's,/.*,,')
	check "m1 pings m2 on the second network (IPv4)" ping_ok "$m1ns" "$(echo "$m2e1" | grep -v :)"
	check "m1 pings m2 on the second network (IPv6)" ping_ok "$m1ns" "$(echo "$m2e1" | grep :)"
	check "m1 pings m2 on the first (IPv4)" ping_ok "$m1ns" "$(col "$P" m2 4)"
	eq "one port on each bridge per pod" "$(veths $BR) $(veths xcbr8)" "2 2"
	check "stop + remove both" cri down $(ids "$P")
	nothing_left $NET $BR "multi"
	eq "multi: nothing held in the second network" "$(nallocs second) $(veths xcbr8)" "0 0"
}

# --- secondary: a second network the shipped way ---------------------------------------
# As on a node with the two DaemonSets (xcluster-cni.yaml and
# xcluster-cni-secondary-net.yaml): install writes both configs, the second
# with --secondary; two routers read the same Nodes, the first their
# spec.podCIDRs, the second an annotation (CIDR_ANNOTATION) with its own
# PROTOCOL and --network, and each writes its podcidrs file where
# node-local looks for that network. containerd with max_conf_num = 2 gives
# every pod eth0 on the first and eth1 on the second. The node has an
# "eth0" on the first network and an "eth1" on the second (veth ends), and
# a peer whose second-network address is annotated (ADDRESS_ANNOTATION):
# each router routes the peer's CIDRs through its own network.
# (Its ranges are used by no other section: their bridges and gateways stay.)
SEC_ANN=xcluster-cni.example/secondary
s_secondary() {
	NET=xcluster-cni BR=xcbr0 SEC=xcluster-cni-secondary IPAM=$T/varlib/cni/networks
	rt_stop
	rt_config 2
	rm -f "$CONF"/*.conflist
	ip -n "$NODE" link del xcbr0 2> /dev/null # an earlier section's, with its gateway
	ip -n "$NODE" link del xcbr1 2> /dev/null
	for i in 0 1; do
		ip -n "$NODE" link add eth$i type veth peer name eth$i-peer
		ip -n "$NODE" link set eth$i-peer up
		ip -n "$NODE" addr add 198.18.$i.1/24 dev eth$i
		ip -n "$NODE" addr add fd00:18:$i::1/64 dev eth$i nodad
		ip -n "$NODE" link set eth$i up
	done
	check "install: the first network's config" \
		rt_in "$BIN/xcluster-cni" install --bin-dir "$BIN" --conf-dir "$CONF" --mtu 1500
	check "install --secondary: the second's, with routes through it" \
		rt_in "$BIN/xcluster-cni" install --bin-dir "$BIN" --conf-dir "$CONF" --mtu 1500 \
		--secondary $SEC --routes 198.18.136.0/23,fd00:136::/31
	cat > "$T/nodes2.json" <<-EOF
	{"apiVersion": "v1", "kind": "NodeList", "items": [
	 {"metadata": {"name": "rt-node", "annotations": {"$SEC_ANN-cidrs": "198.18.136.0/24,fd00:136::/64",
	   "$SEC_ANN-addresses": "198.18.1.1,fd00:18:1::1"}},
	  "spec": {"podCIDRs": ["198.18.128.0/24", "fd00:128::/64"]},
	  "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.1"}, {"type": "InternalIP", "address": "fd00:18:0::1"}]}},
	 {"metadata": {"name": "rt-peer", "annotations": {"$SEC_ANN-cidrs": "198.18.137.0/24,fd00:137::/64",
	   "$SEC_ANN-addresses": "198.18.1.2,fd00:18:1::2"}},
	  "spec": {"podCIDRs": ["198.18.129.0/24", "fd00:129::/64"]},
	  "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.2"}, {"type": "InternalIP", "address": "fd00:18:0::2"}]}}]}
	EOF
	masq=false
	command -v nft > /dev/null 2>&1 && masq=true
	router1() { rt_in "$BIN/xcluster-cni" router --node-name rt-node --nodes-file "$T/nodes2.json" \
		--tunnel-mode none --metrics-port 0 --masquerade $masq "$@"; }
	router2() { router1 --protocol 203 --network $SEC --cidr-annotation $SEC_ANN-cidrs \
		--address-annotation $SEC_ANN-addresses "$@"; }
	check "the first router (--once)" router1 --once
	check "the second router (--once): PROTOCOL 203, --network $SEC, CIDR_ANNOTATION" router2 --once
	check_out "each network's podcidrs where node-local looks" \
		"198.18.128.0/24 fd00:128::/64 198.18.136.0/24 fd00:136::/64" \
		sh -c "grep -hv '^#' '$IPAM/$NET/podcidrs' '$IPAM/$SEC/podcidrs' | tr '\n' ' ' | sed 's/ $//'"
	check_grep "the peer's first-network CIDR through eth0, protocol 202" \
		"^198.18.129.0/24 via 198.18.0.2 dev eth0 proto 202" ip -n "$NODE" route
	check_grep "its second-network CIDR through eth1, protocol 203" \
		"^198.18.137.0/24 via 198.18.1.2 dev eth1 proto 203" ip -n "$NODE" route
	check_grep "... and IPv6" "^fd00:137::/64 via fd00:18:1::2 dev eth1 proto 203" ip -n "$NODE" -6 route
	if [ $masq = true ]; then
		check_out "two masquerade tables, one per router" "table inet xcluster-cni table inet xcluster-cni-203" \
			sh -c "ip netns exec '$NODE' nft list tables | grep 'inet xcluster' | sort | tr '\n' ' ' | sed 's/ $//'"
	else
		t_skip "no nft: the two masquerade tables are not looked at"
	fi
	if rt_start; then t_ok; else t_fail "containerd starts with max_conf_num = 2"; return; fi
	P=$T/pods.secondary
	run_pods "$P" s1 s2
	eq "s1, s2 ready" "$(nready "$P")" 2
	s1ns=$(col "$P" s1 6) s2ns=$(col "$P" s2 6)
	check "s1's eth0 from the first network (the CRI's status)" in_cidr "$(col "$P" s1 4)" 198.18.128.0/24
	eq "s1's eth1: an address of each family from the annotation's CIDRs" \
		"$(pod_addrs "$s1ns" eth1 | sed 's/[0-9a-f]*\/\(..\)$/X\/\1/' | tr '\n' ' ')" \
		"198.18.136.X/24 fd00:136::X/64 "
	check_grep "s1's default route on eth0" "^default via 198.18.128.1 dev eth0" in_pod "$s1ns" ip route
	check_grep "s1's route to the second network's pods on eth1 (--routes)" \
		"^198.18.136.0/23 via 198.18.136.1 dev eth1" in_pod "$s1ns" ip route
	check_grep "... and IPv6" "^fd00:136::/31 via fd00:136::1 dev eth1" in_pod "$s1ns" ip -6 route
	check "s1's lo is up (our loopback)" lo_up "$s1ns"
	s2e1=$(pod_addrs "$s2ns" eth1 | sed 's,/.*,,')
	check "s1 pings s2 on the first network (IPv4)" ping_ok "$s1ns" "$(col "$P" s2 4)"
	check "s1 pings s2 on the first network (IPv6)" ping_ok "$s1ns" "$(col "$P" s2 5)"
	check "s1 pings s2 on the second network (IPv4)" ping_ok "$s1ns" "$(echo "$s2e1" | grep -v :)"
	check "s1 pings s2 on the second network (IPv6)" ping_ok "$s1ns" "$(echo "$s2e1" | grep :)"
	check "s2 pings its first network's gateway" ping_ok "$s2ns" 198.18.128.1
	check "s2 pings its second network's gateway" ping_ok "$s2ns" 198.18.136.1
	eq "one port on each bridge per pod" "$(veths $BR) $(veths xcbr1)" "2 2"
	check "stop + remove both" cri down $(ids "$P")
	nothing_left $NET $BR "secondary"
	eq "secondary: nothing held in the second network" "$(nallocs $SEC) $(veths xcbr1)" "0 0"
	check "the second router --cleanup" router2 --cleanup
	check_grep "... takes its routes only" "proto 202" ip -n "$NODE" route
	check "... none of protocol 203 left" sh -c "! ip -n '$NODE' route | grep -q 'proto 203'"
	if [ $masq = true ]; then
		check_out "... and its table only" "table inet xcluster-cni" \
			sh -c "ip netns exec '$NODE' nft list tables | grep 'inet xcluster'"
	fi
	check "the first router --cleanup" router1 --cleanup
	rm -f "$CONF"/*.conflist
	ip -n "$NODE" link del eth0
	ip -n "$NODE" link del eth1
	IPAM=$T/ipam
}

# --- ports: capabilities, a chained portmap and the pod's hostPort --------------------
# The CRI plugin passes runtimeConfig.portMappings to the plugins of the
# list that declare the capability: here the reference portmap, chained
# after our bridge (it takes our result as prevResult).
# ports_with TYPE: a hostPort through the CRI's port_mappings, with TYPE
# chained after our bridge: the reference portmap (iptables) or ours
# (nf_tables, table inet xcluster-cni-portmap).
ports_with() {
	pm=$1
	NET=xcluster-cni BR=xcbr9
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xct-logged-bridge 198.18.120.0/24 fd00:120::/64
	jq -c --arg t "$pm" '.plugins += [{"type": $t, "capabilities": {"portMappings": true}}]' \
		"$CONF/10-xcluster-cni.conflist" | put "$CONF" 10-xcluster-cni.conflist
	settle
	# the node's own addresses, on an "eth0" in its namespace (one end of a
	# veth pair: this machine's kernel has no dummy module)
	ip -n "$NODE" link add eth0 type veth peer name eth0-peer
	ip -n "$NODE" link set eth0-peer up
	ip -n "$NODE" addr add 198.18.0.10/24 dev eth0
	ip -n "$NODE" addr add fd00:18::10/64 dev eth0 nodad
	ip -n "$NODE" link set eth0 up
	P=$T/pods.ports-$pm
	: > "$T/calls"
	run_pods "$P" --port 80:18080 h1
	eq "$pm: h1 ready, with a hostPort" "$(nready "$P")" 1
	h1ns=$(col "$P" h1 6) h1ip=$(col "$P" h1 4) h1ip6=$(col "$P" h1 5)
	check_grep "$pm: our bridge got no runtimeConfig (it declares no capability)" "^ADD .* eth0 0 0 0 " cat "$T/calls"
	if [ "$pm" = portmap ]; then
		check_grep "$pm: DNAT to h1 (IPv4)" "18080.*$h1ip:80" ip netns exec "$NODE" iptables -t nat -S
		check_grep "$pm: DNAT to h1 (IPv6)" "18080.*$h1ip6\]?:80" ip netns exec "$NODE" ip6tables -t nat -S
	else
		check_grep "$pm: map element to h1 (IPv4)" "tcp . 18080 comment .* : $h1ip . 80" \
			ip netns exec "$NODE" nft list table inet xcluster-cni-portmap
		check_grep "$pm: map element to h1 (IPv6)" "tcp . 18080 comment .* : $h1ip6 . 80" \
			ip netns exec "$NODE" nft list table inet xcluster-cni-portmap
	fi
	mkdir -p "$T/www" && echo "pod h1" > "$T/www/index.html"
	# nsenter twice: the pod's netns path exists in our mount namespace only
	nsenter --mount=/proc/$RT_HOLDER/ns/mnt -- nsenter --net="$h1ns" -- /bin/busybox httpd -f -p 80 -h "$T/www" &
	httpd=$!
	check "$pm: the pod listens on :80" wait_for 10 in_pod "$h1ns" sh -c 'busybox netstat -ltn | grep -q ":80 "'
	check_out "$pm: the node's 198.18.0.10:18080 reaches the pod" "pod h1" \
		ip netns exec "$NODE" curl -sS -m 5 http://198.18.0.10:18080/
	check_out "$pm: the node's [fd00:18::10]:18080 reaches the pod" "pod h1" \
		ip netns exec "$NODE" curl -sS -m 5 "http://[fd00:18::10]:18080/"
	kill $httpd; wait $httpd 2> /dev/null
	check "$pm: stop + remove h1" cri down $(ids "$P")
	if [ "$pm" = portmap ]; then
		check "$pm: its rules gone with it" sh -c "! ip netns exec '$NODE' iptables -t nat -S | grep -q 18080"
	else
		check "$pm: its elements gone with it" sh -c \
			"! ip netns exec '$NODE' nft list table inet xcluster-cni-portmap 2>/dev/null | grep -q 18080"
	fi
	nothing_left $NET $BR "ports $pm"
	ip -n "$NODE" link del eth0
}

s_ports() {
	if ! command -v iptables > /dev/null 2>&1 || ! command -v curl > /dev/null 2>&1 || [ ! -x /usr/lib/cni/portmap ]; then
		t_skip "ports: no iptables, curl or reference portmap" 15
	else
		ln -sf /usr/lib/cni/portmap "$BIN/portmap"
		ports_with portmap
	fi
	if ! command -v nft > /dev/null 2>&1 || ! command -v curl > /dev/null 2>&1; then
		t_skip "ports: no nft or curl to look at ours" 15
		return
	fi
	ln -sf xcluster-cni "$BIN/xcluster-portmap"
	ports_with xcluster-portmap
}

# --- masq: a pod's traffic out of the cluster leaves with the node's address ----------
# The router (--once, its NodeList from a file) fills the masquerade table;
# an "outside" namespace beside the node serves HTTP and logs who called.
s_masq() {
	if ! command -v nft > /dev/null 2>&1 || ! command -v curl > /dev/null 2>&1; then
		t_skip "masq: no nft or curl" 19
		return
	fi
	NET=xcluster-cni BR=xcbrm OUT=$RT_NS-out
	conflist "$CONF" 10-xcluster-cni.conflist $NET $BR xcluster-bridge 198.18.121.0/24 fd00:121::/64
	settle
	ip netns add "$OUT"
	ip -n "$NODE" link add eth0 type veth peer name o0 netns "$OUT"
	ip -n "$NODE" addr add 198.18.0.10/24 dev eth0
	ip -n "$NODE" addr add fd00:18::10/64 dev eth0 nodad
	ip -n "$NODE" link set eth0 up
	ip -n "$OUT" addr add 198.18.0.200/24 dev o0
	ip -n "$OUT" addr add fd00:18::200/64 dev o0 nodad
	ip -n "$OUT" link set o0 up
	cat > "$T/nodes-masq.json" <<-EOF
	{"apiVersion": "v1", "kind": "NodeList", "items": [
	 {"metadata": {"name": "rt-node"}, "spec": {"podCIDRs": ["198.18.121.0/24", "fd00:121::/64"]},
	  "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.10"}]}}]}
	EOF
	router() { rt_in env CLUSTER_CIDR=198.18.121.0/24,fd00:121::/64 "$BIN/xcluster-cni" router \
		--node-name rt-node --nodes-file "$T/nodes-masq.json" --tunnel-mode none \
		--metrics-port 0 --masquerade true "$@"; }
	# The router as on a node: a daemon for the whole section ("exec": $! is
	# the router itself, which is what the kill at the end must reach).
	(exec nsenter --mount=/proc/$RT_HOLDER/ns/mnt --net=/run/netns/$NODE -- \
		env CLUSTER_CIDR=198.18.121.0/24,fd00:121::/64 "$BIN/xcluster-cni" router \
		--node-name rt-node --nodes-file "$T/nodes-masq.json" --tunnel-mode none \
		--metrics-port 0 --masquerade true) > "$T/router-masq.log" 2>&1 &
	rpid=$!
	check "masq: the router, a daemon, fills its table" wait_for 30 sh -c "ip netns exec '$NODE' nft list set inet xcluster-cni pod6 2>/dev/null | grep -q 'fd00:121::/64'"
	P=$T/pods.masq
	run_pods "$P" m1
	eq "masq: m1 ready" "$(nready "$P")" 1
	m1ns=$(col "$P" m1 6)
	for a in 198.18.0.200 fd00:18::200; do
		ip netns exec "$OUT" "$RT_PY" -m http.server 8080 --bind "$a" > "$T/out.log" 2>&1 &
		web=$!
		u=$a; case $a in *:*) u="[$a]" ;; esac
		check "masq: the outside serves on $a (asked from the node)" wait_for 60 ip netns exec "$NODE" curl -s -o /dev/null "http://$u:8080/"
		: > "$T/out.log"
		check "masq: m1 reaches the outside $a" in_pod "$m1ns" curl -sS -m 5 -o /dev/null "http://$u:8080/"
		want=198.18.0.10; case $a in *:*) want=fd00:18::10 ;; esac
		check_grep "masq: ... which sees the node's $want, not the pod's address" "^$want - " cat "$T/out.log"
		kill $web; wait $web 2> /dev/null
	done
	# a node joins while the router runs: its pod CIDR joins the set (the file
	# source is re-read when rewritten, as a WATCH event would arrive)
	cat > "$T/nodes-masq.json.new" <<-EOF
	{"apiVersion": "v1", "kind": "NodeList", "items": [
	 {"metadata": {"name": "rt-node"}, "spec": {"podCIDRs": ["198.18.121.0/24", "fd00:121::/64"]},
	  "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.10"}]}},
	 {"metadata": {"name": "rt-node2"}, "spec": {"podCIDRs": ["198.18.122.0/24", "fd00:122::/64"]},
	  "status": {"addresses": [{"type": "InternalIP", "address": "198.18.0.11"}]}}]}
	EOF
	mv "$T/nodes-masq.json.new" "$T/nodes-masq.json"
	check "masq: a node added while it runs: its pod CIDR joins the set" wait_for 30 sh -c "ip netns exec '$NODE' nft list set inet xcluster-cni pod6 2>/dev/null | grep -q 'fd00:122::/64'"
	check "masq: the router was running all along (pid $rpid)" kill -0 "$rpid"
	kill -TERM "$rpid"; wait "$rpid" 2> /dev/null
	check "stop + remove m1" cri down $(ids "$P")
	check "masq: the router --cleanup" router --cleanup
	check "masq: ... and its table is gone" sh -c "! ip netns exec '$NODE' nft list tables | grep -q 'inet xcluster-cni\$'"
	nothing_left $NET $BR "masq"
	rm -f "$CONF"/*.conflist
	ip -n "$NODE" link del $BR       # with its gateways: no later section's
	ip -n "$NODE" link del eth0
	ip netns del "$OUT"
}

# --- run the sections --------------------------------------------------------------
for s in ${RT_SECTIONS:-cri install ctr loops switch restart ports masq multi secondary}; do
	s_$s
done

rt_stop
eq "after the last pod: no shim or container of ours left" "$(rt_procs | grep -c .)" 0
eq "... no container cgroup left" "$(for g in $(rt_cgroups); do find "$g" -mindepth 1 -type d; done | grep -c .)" 0
eq "... no veth in the node" "$(nveth)" 0
t_done
