#!/bin/sh
# router_watchlist: how the router asks the fake API server for Nodes, read
# back from the server's request log (issue 12). A WatchList first
# (sendInitialEvents=true, resourceVersionMatch=NotOlderThan, bookmarks),
# routes synced once its initial events are complete; a 410 on the watch
# starts a WatchList again from the last version seen. A server that refuses
# it (422, the feature gate off) or ignores it (an ordinary bookmark first):
# LIST at resourceVersion 0 (the watch cache), WATCH from the list's version,
# relists not older than the last version seen, and no WatchList again.
# A WatchList that stalls (the slow fault) is LIST+WATCH that time only: the
# next listing is a WatchList again; a server that ignores it and sends no
# bookmark (each WatchList stalls) is LIST+WATCH for good after the third.
# Every request names the router and its version in its User-Agent.
if [ -z "$RWL_NS" ]; then
	. test/lib/t.sh
	if [ "$(id -u)" != 0 ] || ! ip netns add "xct-rwl-$$" 2>/dev/null; then
		t_skip "needs root and network namespaces" 1
		t_done
		exit 0
	fi
	RWL_NS=xct-rwl-$$ exec ip netns exec "xct-rwl-$$" sh "$0"
fi
. test/lib/t.sh
. test/fakeapi/lib.sh
. test/lib/hostns.sh
FAKE_DIR=$(mktemp -d)
R_PID=
cleanup() {
	[ -n "$R_PID" ] && kill "$R_PID" 2>/dev/null && wait "$R_PID" 2>/dev/null
	fake_stop
	ip netns del "$RWL_NS" 2>/dev/null
	[ -n "$KEEP" ] || rm -rf "$FAKE_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

host_ns "$RWL_NS" || t_fail "this node's eth0"

node() { # name n
	printf '{"apiVersion":"v1","kind":"Node","metadata":{"name":"%s"},"spec":{"podCIDRs":["198.19.%s.0/24","fd00:0:%s::/64"]},"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.%s"},{"type":"InternalIP","address":"fd00:100::%s"}]}}' \
		"$1" "$2" "$2" "$2" "$2"
}
{ printf '['; node n1 1; printf ,; node n2 2; printf ,; node n3 3; printf ']\n'; } > "$FAKE_DIR/nodes.json"
fake_certs >/dev/null 2>&1 || { t_fail "mkcerts"; t_done; exit 1; }
echo tok-1 > "$FAKE_DIR/token"

WAIT=60
wait_for() {
	t=$1; shift
	end=$(( $(date +%s) + t ))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
}
nroutes() { { ip route show proto 202; ip -6 route show proto 202; } | wc -l; }
four() { [ "$(nroutes)" = 4 ]; }
# reqs: the Node requests the server saw, in order: "VERB CODE QUERY", with
# resourceVersion=N and timeoutSeconds=N normalised to RV and T.
reqs() {
	fakectl --log stats | python3 -c '
import json, re, sys
for e in sorted(json.load(sys.stdin)["log"], key=lambda e: e["t"]):
    if e["path"].startswith("/api/v1/nodes"):
        q = re.sub(r"resourceVersion=[1-9][0-9]*", "resourceVersion=RV", e["query"])
        print(e["verb"], e["code"], re.sub(r"timeoutSeconds=[0-9]+", "timeoutSeconds=T", q))'
}
agents() {
	fakectl --log stats | python3 -c '
import json, sys
print("\n".join(sorted({e["agent"] for e in json.load(sys.stdin)["log"] if e["path"].startswith("/api/v1/nodes")})))'
}
nreqs() { reqs | grep -c -- "$1"; }
nreqs_is() { [ "$(nreqs "$1")" = "$2" ]; }
start() { # fakeapi options
	start_fake "$@"
	start_router
}
start_fake() { # fakeapi options
	# the last router goes first: it would ask the new server too (same port)
	[ -n "$R_PID" ] && kill "$R_PID" && wait "$R_PID" 2>/dev/null
	R_PID=
	fake_start --state "$FAKE_DIR/state.json" --bookmark-interval 1 "$@" ||
		{ t_fail "fake API server start"; t_done; exit 1; }
	fake_kubeconfig "$FAKE_DIR/kubeconfig"
}
start_router() {
	: > "$FAKE_DIR/router.log"
	"$XC" router --kubeconfig "$FAKE_DIR/kubeconfig" --node-name n1 --tunnel-mode none \
		--resync 3 --cache-dir "$FAKE_DIR/cache" >>"$FAKE_DIR/router.log" 2>&1 &
	R_PID=$!
}
restart() { fake_stop; start "$@"; }
nlog() { grep -c -- "$1" "$FAKE_DIR/router.log"; }
nlog_is() { [ "$(nlog "$1")" = "$2" ]; }
WL="allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=T"
W="watch=1&allowWatchBookmarks=true&timeoutSeconds=T"

# --- WatchList -------------------------------------------------------------------
FAKE_PORT=
start --load "$FAKE_DIR/nodes.json"
check "WatchList: routes" wait_for $WAIT four
check_out "WatchList: the first sync had every route (synced at the initial-events-end bookmark)" \
	"4 routes for 2 peers" sh -c "grep -m1 'full sync:' '$FAKE_DIR/router.log' | grep -o '[0-9]* routes for [0-9]* peers'"
check_out "WatchList: one request, no LIST" "watch 200 watch=1&$WL" reqs
v=$("$XC" --version | cut -d' ' -f2)
check_out "User-Agent: xcluster-cni/VERSION (router)" "xcluster-cni/$v (router)" agents
fakectl faults '{"expire": "event"}' >/dev/null
check "410 on the watch: a WatchList again" wait_for $WAIT nreqs_is "sendInitialEvents" 2
check_out "... from the last version seen, no LIST" "watch 200 watch=1&$WL
watch 200 watch=1&$WL&resourceVersion=RV" reqs
check_out "... routes stay" 4 nroutes

# --- the feature gate off: 422, then LIST+WATCH for good -------------------------------
restart --watch-list off
check "refused: routes" wait_for $WAIT four
check "refused: watching" wait_for $WAIT nreqs_is "^watch 200" 1
check_out "refused: 422, LIST at 0 (the watch cache), WATCH from its version" "watch 422 watch=1&$WL
list 200 limit=500&resourceVersion=0
watch 200 $W&resourceVersion=RV" reqs
check_grep "refused: said once" "WatchList refused or ignored, LIST\+WATCH from now on: .*422" cat "$FAKE_DIR/router.log"
fakectl faults '{"expire": "event"}' >/dev/null
check "refused, 410: listed again" wait_for $WAIT nreqs_is "^list" 2
check "refused, 410: watching again" wait_for $WAIT nreqs_is "^watch 200" 2
check_out "refused, 410: LIST not older than the last version (no limit), no WatchList" "watch 422 watch=1&$WL
list 200 limit=500&resourceVersion=0
watch 200 $W&resourceVersion=RV
list 200 resourceVersion=RV
watch 200 $W&resourceVersion=RV" reqs
check_out "... routes stay" 4 nroutes
check_out "User-Agent on every request" "xcluster-cni/$v (router)" agents

# --- a server that ignores it: an ordinary bookmark first, then LIST+WATCH --------------
restart --watch-list ignore
check "ignored: listed" wait_for $WAIT nreqs_is "^list" 1
check "ignored: watching" wait_for $WAIT nreqs_is "^watch 200 watch=1&allowWatchBookmarks=true&timeoutSeconds=T&resourceVersion" 1
check_out "ignored: WatchList, LIST at 0, WATCH" "watch 200 watch=1&$WL
list 200 limit=500&resourceVersion=0
watch 200 $W&resourceVersion=RV" reqs
check "ignored: routes" wait_for $WAIT four
check_grep "ignored: said why" "WatchList refused or ignored.*bookmark before the initial events ended" cat "$FAKE_DIR/router.log"

# --- a WatchList that stalls once: LIST+WATCH this time, a WatchList at the next listing --
# (the slow fault holds the initial events longer than the router's 10 s wait)
fake_stop
start_fake
fakectl faults '{"slow": {"delay_ms": 12000, "chunk_bytes": 100000, "match": "watch"}}' >/dev/null
start_router
check "stalled: watching after the fallback" wait_for $WAIT nreqs_is "^watch 200 $W&" 1
check_out "stalled: WatchList, LIST at 0, WATCH" "watch 200 watch=1&$WL
list 200 limit=500&resourceVersion=0
watch 200 $W&resourceVersion=RV" reqs
check_grep "stalled: said it is this time only" "WatchList failed, LIST\+WATCH this time: .*stopped coming" cat "$FAKE_DIR/router.log"
check "stalled: routes" wait_for $WAIT four
fakectl faults '{"expire": "event"}' >/dev/null
check "stalled, 410: a WatchList again" wait_for $WAIT nreqs_is "sendInitialEvents" 2
check_out "... from the last version seen, no LIST" "watch 200 watch=1&$WL
list 200 limit=500&resourceVersion=0
watch 200 $W&resourceVersion=RV
watch 200 watch=1&$WL&resourceVersion=RV" reqs
check_out "... routes stay" 4 nroutes

# --- a server that ignores it and sends no bookmark: each WatchList stalls; the third in a
# row is the last, LIST+WATCH from then on -------------------------------------------------
restart --watch-list ignore --bookmark-interval 600
for n in 1 2 3; do
	check "silent: WatchList $n stalled, LIST+WATCH" wait_for $WAIT nreqs_is "^watch 200 $W&" $n
	fakectl faults '{"expire": "event"}' >/dev/null
done
check "silent: listed a fourth time" wait_for $WAIT nreqs_is "^list" 4
check "silent: watching again" wait_for $WAIT nreqs_is "^watch 200 $W&" 4
check_out "silent: three WatchLists, no fourth" 3 nreqs "sendInitialEvents"
check_out "silent: twice this time only" 2 nlog "WatchList failed, LIST+WATCH this time"
check_grep "silent: then for good, said why" "WatchList failed 3 times in a row, LIST\+WATCH from now on: .*stopped coming" cat "$FAKE_DIR/router.log"
check "silent: routes" wait_for $WAIT four
[ -n "$KEEP" ] && echo "$FAKE_DIR"
t_done
