#!/bin/sh
# router_fakeapi: the router against the fake API server (TLS, token), in a
# network namespace of its own (the server runs there too, on 127.0.0.1).
# kubectl adds, deletes and annotates nodes -> routes converge; a second
# router (other protocol, annotations) works beside the first; the API
# server down or faulting -> every route stays, and the router catches up
# once it answers; SIGTERM during a hung LIST exits at once. The server
# answers WatchList with 422 (the feature gate off), so the router lists
# and watches, which the LIST faults need; router_watchlist.sh covers the
# WatchList.
if [ -z "$RTE_NS" ]; then
	. test/lib/t.sh
	if [ "$(id -u)" != 0 ] || ! [ -x "${KUBECTL:-/usr/bin/kubectl}" ] ||
	   ! ip netns add "xct-rte-$$" 2>/dev/null; then
		t_skip "needs root, network namespaces and kubectl" 1
		t_done
		exit 0
	fi
	RTE_NS=xct-rte-$$ exec ip netns exec "xct-rte-$$" sh "$0"
fi
. test/lib/t.sh
. test/fakeapi/lib.sh
. test/lib/hostns.sh
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
FAKE_DIR=$(mktemp -d)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	fake_stop
	ip netns del "$RTE_NS" 2>/dev/null
	[ -n "$KEEP" ] || rm -rf "$FAKE_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM   # (the EXIT trap cleans up; a suite must not run on)
export HOME="$FAKE_DIR/home"
mkdir -p "$HOME"

host_ns "$RTE_NS" || t_fail "this node's eth0"

node() { # name v4 v6 n
	printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s"},"spec":{"podCIDRs":["198.19.%s.0/24","fd00:0:%s::/64"]},"status":{"addresses":[{"type":"InternalIP","address":"%s"},{"type":"InternalIP","address":"%s"}]}}' \
		"$1" "$4" "$4" "$2" "$3"
}
{ printf '['; node n1 198.18.0.1 fd00:100::1 1; printf ,; node n2 198.18.0.2 fd00:100::2 2
  printf ,; node n3 198.18.0.3 fd00:100::3 3; printf ']\n'; } > "$FAKE_DIR/nodes.json"

fake_certs >/dev/null 2>&1 || { t_fail "mkcerts"; t_done; exit 1; }
echo tok-1 > "$FAKE_DIR/token"
fake_start --load "$FAKE_DIR/nodes.json" --state "$FAKE_DIR/state.json" --bookmark-interval 1 \
	--watch-list off ||
	{ t_fail "fake API server start"; t_done; exit 1; }
KC=$FAKE_DIR/kubeconfig
fake_kubeconfig "$KC"
k() { "$KUBECTL" --kubeconfig="$KC" --request-timeout=60s "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
routes() { { ip route show proto "${1:-202}"; ip -6 route show proto "${1:-202}"; } | sed 's/ *$//' | sort; }
nroutes() { routes "$@" | wc -l; }
has() { routes "${2:-202}" | grep -q -- "$1"; }
hasnt() { ! routes "${2:-202}" | grep -q -- "$1"; }
# wait_for SECS CMD...: poll CMD until it succeeds. SECS is a safety deadline
# ($WAIT, generous): only a wait that would never end reaches it.
WAIT=60
wait_for() {
	t=$1; shift
	end=$(( $(ms) + t * 1000 ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(ms)" -ge "$end" ] && return 1
		sleep 0.02
	done
}
metric() {
	python3 -c '
import sys, urllib.request
body = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[2], timeout=3).read().decode()
for line in body.splitlines():
    if line.startswith(sys.argv[1] + " ") or line.startswith(sys.argv[1] + "{"):
        print(line.rsplit(" ", 1)[1]); break
' "$1" "${2:-9142}"
}
start_router() {
	"$XC" router --kubeconfig "$KC" --node-name n1 --tunnel-mode none --resync 3 \
		--cache-dir "$FAKE_DIR/cache" "$@" >>"$FAKE_DIR/router.log" 2>&1 &
	R_PID=$!
	PIDS="$PIDS $R_PID"
}
four() { [ "$(nroutes)" = 4 ]; }
metric_is() { [ "$(metric "$1" "${3:-9142}")" = "$2" ]; }
metric_above() { [ "$(metric "$1")" -gt "$2" ]; }
# source_warnings: the router's "keeping N nodes" warnings so far
source_warnings() { grep -c "node source: .*keeping [0-9]* nodes and every route" "$FAKE_DIR/router.log"; }
warnings_above() { [ "$(source_warnings)" -gt "$1" ]; }
no_faults() { [ "$(fakectl get /fake/faults)" = "{}" ]; }
verb_count() { fakectl stats | fakectl pick "verbs.$1" | grep -x '[0-9]*' || echo 0; }
verb_above() { [ "$(verb_count "$1")" -gt "$2" ]; }
# mark: a marker route added and deleted until $FAKE_DIR/mon (ip monitor route)
# shows it; events arrive in order, so every earlier one is there too. Its lines
# say " table 99 ".
MARKS=0
mark() {
	MARKS=$((MARKS + 1))
	_end=$(( $(ms) + WAIT * 1000 ))
	until grep -q "^\(Deleted \)\?198\.18\.255\.$MARKS " "$FAKE_DIR/mon" 2>/dev/null; do
		[ "$(ms)" -ge "$_end" ] && return 1
		ip route add "198.18.255.$MARKS/32" dev lo table 99 2>/dev/null
		ip route del "198.18.255.$MARKS/32" dev lo table 99 2>/dev/null
		sleep 0.05
	done
}

# --- list, watch, convergence ----------------------------------------------------
start_router
R1=$R_PID
check "initial routes from the API" wait_for $WAIT four
check "n2 direct" has '198.19.2.0/24 via 198.18.0.2 dev eth0'
check "n3 IPv6" has 'fd00:0:3::/64 via fd00:100::3 dev eth0'
cache_is() { [ "$(grep -v '^#' "$FAKE_DIR/cache/xcluster-cni/podcidrs" | tr '\n' ' ')" = "$1 " ]; }
check "node-local cache (written after the sync)" wait_for $WAIT cache_is "198.19.1.0/24 fd00:0:1::/64"

t0=$(ms)
node n4 198.18.0.4 fd00:100::4 4 > "$FAKE_DIR/n4.json"
k create -f "$FAKE_DIR/n4.json" >/dev/null 2>&1
k patch node n4 --subresource=status --type=merge \
	-p '{"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.4"},{"type":"InternalIP","address":"fd00:100::4"}]}}' >/dev/null 2>&1
check "kubectl create node -> route" wait_for $WAIT has '198.19.4.0/24 via 198.18.0.4'
check "... and its IPv6 route" wait_for $WAIT has 'fd00:0:4::/64 via fd00:100::4'
echo "  create node -> routes in $(( $(ms) - t0 )) ms (two kubectl calls included)"
t0=$(ms)
k delete node n3 >/dev/null 2>&1
check "kubectl delete node -> routes gone" wait_for $WAIT hasnt 198.19.3.0
echo "  delete node -> route gone in $(( $(ms) - t0 )) ms (kubectl included)"
k patch node n2 --subresource=status --type=merge \
	-p '{"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.22"},{"type":"InternalIP","address":"fd00:100::22"}]}}' >/dev/null 2>&1
check "address change converges" wait_for $WAIT has '198.19.2.0/24 via 198.18.0.22'
check "IPv6 too" wait_for $WAIT has 'fd00:0:2::/64 via fd00:100::22'

# --- a secondary network: another router, protocol 203, annotations -------------------
start_router --protocol 203 --metrics-port 9143 --network net2 \
	--cidr-annotation xcluster.io/cidrs2 --address-annotation xcluster.io/addr2
R2=$R_PID
k annotate node n2 xcluster.io/cidrs2=198.19.102.0/24,fd00:0:102::/64 xcluster.io/addr2=198.18.0.2 >/dev/null 2>&1
check "annotated CIDRs: protocol 203 route" wait_for $WAIT has '198.19.102.0/24 via 198.18.0.2 dev eth0' 203
check "annotated CIDRs: IPv6 via neighbour/prefix fallbacks or skipped" wait_for $WAIT has 198.19.102.0 203
check_out "protocol 202 routes untouched" 4 nroutes 202
k annotate node n4 xcluster.io/cidrs2=198.19.104.0/24 >/dev/null 2>&1
check "second node annotated" wait_for $WAIT has '198.19.104.0/24 via 198.18.0.4' 203
k annotate node n4 xcluster.io/cidrs2- >/dev/null 2>&1
check "annotation removed -> route removed" wait_for $WAIT hasnt 198.19.104.0 203
kill "$R2"; wait "$R2" 2>/dev/null
"$XC" router --cleanup --protocol 203 --node-name n1 --metrics-port 0 >/dev/null 2>&1
check_out "second router cleaned up" 0 nroutes 203
check_out "... the first one's untouched" 4 nroutes 202

# --- the API server down: routes stay, then catch up ------------------------------------
# Judged once the router has been through a couple of failed retries and a
# full resync (3 s) after them.
before=$(routes)
port=$FAKE_PORT
w=$(source_warnings)
fake_stop
check "API down: logged" wait_for $WAIT warnings_above "$w"
check "API down: source_ok 0" metric_is xcluster_router_source_ok 0
check "API down: retried" wait_for $WAIT warnings_above $((w + 1))
n=$(metric xcluster_router_full_syncs_total)
check "API down: a full resync since" wait_for $WAIT metric_above xcluster_router_full_syncs_total "$n"
check_out "API down: every route stays" "$before" routes
check "API down: /healthz still answers" python3 -c 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:9142/healthz", timeout=2)'
FAKE_PORT=$port fake_start --state "$FAKE_DIR/state.json" --bookmark-interval 1 --watch-list off ||
	{ t_fail "fake API server restart"; t_done; exit 1; }
k delete node n4 >/dev/null 2>&1
check "API back: a change made since converges" wait_for $WAIT hasnt 198.19.4.0
check "API back: source_ok 1" wait_for $WAIT metric_is xcluster_router_source_ok 1

# --- faults: garbage, 500s, truncation, expiry: routes stay, changes still land ---------
# Each "stays" is judged once the router has met every fault (none pending at
# the server), taken each as an error of its source (the garbage line may
# reach the watch before the abort, which then may find no watch to cut: 4
# errors at least), and listed again (source_ok 1); or listed after the 410.
before=$(routes)
e=$(metric xcluster_router_source_errors_total)
fakectl faults '[{"garbage": {"match": "watch"}}, {"status": {"code": 500, "match": "list", "count": 2}}, {"truncate": {"match": "list"}}]' >/dev/null
fakectl faults '{"drop_watches": "abort"}' >/dev/null
check "faults: all met" wait_for $WAIT no_faults
check "faults: each an error of the source (2 x 500, the truncated LIST, the garbage)" \
	wait_for $WAIT metric_above xcluster_router_source_errors_total $((e + 3))
check "faults: the garbage among them" wait_for $WAIT grep -q 'watching nodes: watch: an event is not JSON' "$FAKE_DIR/router.log"
check "faults: listed again" wait_for $WAIT metric_is xcluster_router_source_ok 1
check_out "faults: every route stays" "$before" routes
l=$(verb_count list)
fakectl faults '{"expire": "event"}' >/dev/null
check "410: listed again" wait_for $WAIT verb_above list "$l"
check "410: ... and the router is back on the watch" wait_for $WAIT metric_is xcluster_router_source_ok 1
check_out "410 relist: nothing changes" "$before" routes
node n5 198.18.0.5 fd00:100::5 5 > "$FAKE_DIR/n5.json"
k create -f "$FAKE_DIR/n5.json" >/dev/null 2>&1
k patch node n5 --subresource=status --type=merge \
	-p '{"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.5"}]}}' >/dev/null 2>&1
check "after the faults a change lands" wait_for $WAIT has '198.19.5.0/24 via 198.18.0.5'
check_grep "source errors counted" '^[1-9]' metric xcluster_router_source_errors_total

# --- SIGTERM while the API server hangs a LIST: exits at once, routes stay -------------
# The LIST hangs 60 s: an exit well before that (15 s, a generous bound for a
# loaded machine) is the SIGTERM's doing, not the hang's end.
kill "$R1"; wait "$R1" 2>/dev/null
before=$(routes)
fakectl faults '{"hang": {"match": "list", "seconds": 60}}' >/dev/null
start_router
check "SIGTERM during a hung LIST: the LIST hangs" wait_for $WAIT no_faults
# The probe's answer comes from the health thread, not the loop stuck in the
# LIST: within the manifest's timeoutSeconds (2), and healthy (a wait the
# loop will end itself is not a stall; core/router/health.h).
probe() { python3 -c 'import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:9142" + sys.argv[1], timeout=2)
print(r.status, r.read().decode().splitlines()[0])' "$1"; }
check_grep "hung LIST: /healthz answers at once, 200" '^200 ok$' probe /healthz
check_grep "hung LIST: /metrics answers at once" '^200 # HELP' probe /metrics
t0=$(ms)
kill "$R_PID"; wait "$R_PID" 2>/dev/null
dt=$(( $(ms) - t0 ))
echo "  SIGTERM during a hung LIST: exit in $dt ms"
check "SIGTERM during a hung LIST: exit long before the hang ends ($dt ms)" test "$dt" -lt 15000
check_out "... routes stay" "$before" routes
fakectl faults '{"clear": true}' >/dev/null

# --- a restart against the API: zero route changes ---------------------------------------
# stderr apart: iproute2 complains there when other namespaces come and go
ip monitor route > "$FAKE_DIR/mon" 2> "$FAKE_DIR/mon.err" &
MON=$!
check "restart: route monitor listening" mark
start_router
check "restart: synced" wait_for $WAIT metric_above xcluster_router_full_syncs_total 0
check "restart: route monitor caught up" mark
kill "$MON"; wait "$MON" 2>/dev/null
check_out "restart: zero route changes (netlink monitor)" 0 sh -c "grep -vc ' table 99 ' $FAKE_DIR/mon"

# --- a watch cut while nothing else happens: the new watch is read at once -----------------
# With a resync of an hour, only the watch's own descriptor can bring the
# change: a loop that polled the descriptor of the watch before the relist
# slept until the resync (the soak's routes were late by up to 60 s).
kill "$R_PID"; wait "$R_PID" 2>/dev/null
start_router --resync 3600
check "watch cut: synced" wait_for $WAIT metric_above xcluster_router_full_syncs_total 0
l=$(verb_count list)
fakectl faults '{"drop_watches": "abort"}' >/dev/null
check "watch cut: listed again" wait_for $WAIT verb_above list "$l"
check "watch cut: ... and watching" wait_for $WAIT metric_is xcluster_router_source_ok 1
k patch node n2 --subresource=status --type=merge \
	-p '{"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.23"},{"type":"InternalIP","address":"fd00:100::23"}]}}' >/dev/null 2>&1
check "watch cut: a change after it lands without a resync" wait_for $WAIT has '198.19.2.0/24 via 198.18.0.23'

# --- nodes --refused: what the routers refuse, from the same listing -----------------------
printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"bad"},"spec":{"podCIDRs":["127.0.0.0/8","fd00:0:9::/64"]},"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.9"}]}}' \
	> "$FAKE_DIR/bad.json"
k create -f "$FAKE_DIR/bad.json" >/dev/null 2>&1
check_out "nodes --refused: loopback, with the reason" "bad 127.0.0.0/8 overlaps loopback" \
	"$XC" nodes --kubeconfig "$KC" --refused
check_out "nodes --refused --json" '{"name":"bad","podCIDR":"127.0.0.0/8","reason":"overlaps loopback"}' \
	"$XC" nodes --kubeconfig "$KC" --refused --json
check_out "nodes --refused --cluster-cidr: outside it too" "bad 127.0.0.0/8 overlaps loopback
n2 198.19.2.0/24 outside CLUSTER_CIDR
n5 198.19.5.0/24 outside CLUSTER_CIDR" "$XC" nodes --kubeconfig "$KC" --refused --cluster-cidr 198.19.0.0/23
check_out "nodes --refused: CLUSTER_CIDR from the environment" "bad 127.0.0.0/8 overlaps loopback
n2 198.19.2.0/24 outside CLUSTER_CIDR
n5 198.19.5.0/24 outside CLUSTER_CIDR" env CLUSTER_CIDR=198.19.0.0/23 "$XC" nodes --kubeconfig "$KC" --refused
check_out "nodes --refused --watch: a usage error" 2 sh -c '"$1" nodes --refused --watch 2>/dev/null; echo $?' - "$XC"
k delete node bad >/dev/null 2>&1
check_out "nodes --refused: none left" "" "$XC" nodes --kubeconfig "$KC" --refused
[ -n "$KEEP" ] && echo "$FAKE_DIR"
t_done
