#!/bin/sh
# node_local_k8s: node-local without ranges takes this node's pod CIDRs from
# its Node object when the podcidrs cache is missing and ipam.kubeconfig is
# set: one GET writes the cache, later ADDs never ask the API again. A Node
# without pod CIDRs yet is code 11; cidrAnnotation wins over spec.podCIDRs;
# a CIDR the router would refuse by the Node alone is written refused.
. test/lib/t.sh
. test/fakeapi/lib.sh

FAKE_DIR=$(mktemp -d)
D=$FAKE_DIR
trap 'fake_stop; rm -rf "$D"' EXIT INT TERM
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT XC_SA_DIR NODE_NAME

fake_certs >/dev/null || { t_fail "mkcerts"; t_done; exit 1; }
echo tok-nl > "$D/token"
fake_start || { t_fail "server start"; t_done; exit 1; }
fakectl post /api/v1/nodes '{"metadata":{"name":"nl-1"},"spec":{"podCIDRs":["198.19.7.0/24","fd00:19:0:7::/64"]}}' >/dev/null
fakectl post /api/v1/nodes '{"metadata":{"name":"nl-bare"}}' >/dev/null
fakectl post /api/v1/nodes '{"metadata":{"name":"nl-annot","annotations":{"example.test/cidrs":"198.18.200.0/28"}},"spec":{"podCIDRs":["198.19.8.0/24"]}}' >/dev/null
# pod CIDRs the router refuses, as far as the Node alone shows it: its own address, loopback
fakectl post /api/v1/nodes '{"metadata":{"name":"nl-own"},"spec":{"podCIDRs":["198.19.9.0/24","fd00:19:0:9::/64"]},"status":{"addresses":[{"type":"InternalIP","address":"198.19.9.10"}]}}' >/dev/null
fakectl post /api/v1/nodes '{"metadata":{"name":"nl-lo"},"spec":{"podCIDRs":["127.0.0.0/24"]}}' >/dev/null
fakectl post /api/v1/nodes '{"metadata":{"name":"nl-bits"},"spec":{"podCIDRs":["198.19.10.20/24"]},"status":{"addresses":[{"type":"InternalIP","address":"198.19.10.10"}]}}' >/dev/null

fake_kubeconfig "$D/kubeconfig" tok-nl

conf() { # NETWORK NODE [EXTRA-IPAM-KEYS]
	printf '{"cniVersion":"1.0.0","name":"%s","type":"bridge","ipam":{"type":"node-local",' "$1"
	printf '"dataDir":"%s/data","kubeconfig":"%s/kubeconfig","nodeName":"%s"%s}}' "$D" "$D" "$2" "$3"
}
add() { # NETWORK NODE ID [EXTRA]
	conf "$1" "$2" "$4" | CNI_COMMAND=ADD CNI_CONTAINERID=$3 CNI_NETNS=/var/run/netns/none \
		CNI_IFNAME=eth0 "$XC" node-local
}
flat() { printf '%s' "$out" | tr -d '\n'; }  # the result JSON on one line
lists() { fakectl stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["verbs"].get("get", 0))'; }

fakectl post /fake/stats/reset >/dev/null
out=$(add net1 nl-1 c1)
check "ADD without ranges: IPv4 from the Node's podCIDRs" sh -c "echo '$out' | grep -q '\"198.19.7.2/24\"'"
check "ADD without ranges: IPv6 from the Node's podCIDRs" sh -c "echo '$out' | grep -q '\"fd00:19:0:7::2/64\"'"
check_out "the cache file was written" "198.19.7.0/24
fd00:19:0:7::/64" sh -c "grep -v '^#' $D/data/net1/podcidrs"
check_out "one GET for the first ADD" 1 lists
add net1 nl-1 c2 >/dev/null
add net1 nl-1 c3 >/dev/null
check_out "later ADDs read the cache: still one GET" 1 lists

out=$(add net2 nl-bare c1); rc=$?
check "a Node without pod CIDRs: exit non-zero" [ "$rc" != 0 ]
check_grep "... CNI code 11 (try again later)" '"code": 11' echo "$out"
check_grep "... the message says why" 'no pod CIDRs for this node yet' echo "$out"
check "... and no cache file is written" [ ! -e "$D/data/net2/podcidrs" ]

out=$(add net3 nl-annot c1 ',"cidrAnnotation":"example.test/cidrs"')
check "cidrAnnotation wins over spec.podCIDRs" sh -c "echo '$out' | grep -q '\"198.18.200.2/28\"'"

out=$(add net4 nl-missing c1); rc=$?
check "an unknown Node: exit non-zero" [ "$rc" != 0 ]
check_grep "... CNI code 11, the API's answer in details" '"code": 11' echo "$out"

out=$(conf net5 nl-1 | sed 's/"kubeconfig":"[^"]*",//' | CNI_COMMAND=ADD CNI_CONTAINERID=c1 \
	CNI_NETNS=/var/run/netns/none CNI_IFNAME=eth0 "$XC" node-local)
check_grep "no kubeconfig and no cache: code 11 naming the file" '"code": 11.*podcidrs' flat
check_out "... and the API was not asked" 4 lists

# Before the router has written the file, node-local's GET judges the Node's
# CIDRs by what the Node shows, writes its verdict, and every ADD reads it.
out=$(add net7 nl-own c1); rc=$?
check "a pod CIDR holding the node's own address: exit non-zero" [ "$rc" != 0 ]
check_grep "... code 11 naming the CIDR and the reason" '"code": 11.*198.19.9.0/24 contains a node.s address' flat
check_grep "... written as refused for later ADDs" '^refused 198.19.9.0/24 contains a node.s address' cat "$D/data/net7/podcidrs"
check "... and nothing allocated" sh -c "! ls '$D/data/net7' | grep -q '^198\\.\\|^fd00'"
out=$(add net7 nl-own c2); rc=$?
check_grep "... a later ADD reads the verdict: code 11 again" '"code": 11.*198.19.9.0/24 contains' flat
check_out "... without asking the API again (one GET for net7)" 5 lists
out=$(add net8 nl-lo c1); rc=$?
check_grep "a loopback pod CIDR: code 11 naming the range" '"code": 11.*127.0.0.0/24.*loopback' flat
check_grep "... written as refused too" '^refused 127.0.0.0/24 overlaps loopback' cat "$D/data/net8/podcidrs"
out=$(add net9 nl-bits c1); rc=$?
check_grep "host bits set in the CIDR: the node's address below them still counts" \
	'"code": 11.*contains a node.s address' flat

fake_stop
out=$(add net6 nl-1 c1); rc=$?
check "API server down: exit non-zero" [ "$rc" != 0 ]
check_grep "... code 11 saying the API server could not be read" '"code": 11.*API server' flat
out=$(add net1 nl-1 c4)
check "API server down, cache present: ADD still works" sh -c "echo '$out' | grep -q '\"198.19.7.5/24\"'"
t_done
