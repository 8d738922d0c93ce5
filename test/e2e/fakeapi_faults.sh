#!/bin/sh
# fakeapi_faults: the fake API server's protocol details and fault injection,
# seen on the wire by a raw client (test/fakeapi/fakectl.py): pagination and
# continue expiry, watch start/bookmark/timeout/410 in both forms, chunking,
# 429/500/hang/slow/garbage/truncation, selectors, the event generator,
# optimistic concurrency, finalizers, token rotation, restart with --state.
. test/lib/t.sh
. test/fakeapi/lib.sh

FAKE_DIR=$(mktemp -d)
BG=
cleanup() {
	for p in $BG; do kill "$p" 2>/dev/null; done
	fake_stop
	[ -n "$KEEP" ] || rm -rf "$FAKE_DIR"
}
trap cleanup EXIT INT TERM
D=$FAKE_DIR
py() { python3 -S -c "$@"; }
f() { fakectl "$@"; }
# raw NAME ARGS...: the summary of one raw request in $D/NAME.sum, its body in $D/NAME.body
raw() { n=$1; shift; fakectl raw "$@" --out "$D/$n.body" > "$D/$n.sum"; }
# pr ARGS... --print FIELDS: one raw request, selected fields on one line
pr() { fakectl raw "$@"; }
rv() { fakectl get /fake/stats | fakectl pick resourceVersion; }
# A watch the client has closed stays open on the server until it notices
# (up to a second): before opening the one a fault must hit, wait for none,
# or the fault can hit the closing one and miss ours (seen in CI: "timeout").
wait_watches() { # N: until N watches are open
	i=0
	while [ "$(fakectl get /fake/stats | fakectl pick watches_active)" != "$1" ]; do
		i=$((i + 1)); [ $i -gt 600 ] && return 1
		sleep 0.05
	done
}

fake_certs || { t_fail "mkcerts"; t_done; exit 1; }
echo tok-1 > "$D/token"
fake_start --nodes 20 --bookmark-interval 0.2 --state "$D/state.json" ||
	{ t_fail "server start"; t_done; exit 1; }
check "healthz" f wait 5

# --- lists: pagination over a consistent snapshot, continue expiry --------------------------
f get "/api/v1/nodes?limit=5" > "$D/p1.json"
check_out "page 1: 5 items, 15 remaining, items without kind (as the real server)" "5 15 null null" \
	f picks "$D/p1.json" items.len metadata.remainingItemCount items.0.kind items.0.apiVersion
check_out "GET carries kind and apiVersion" "Node v1" pr GET /api/v1/nodes/node-00003 --print "body.kind body.apiVersion"
LRV=$(f pick metadata.resourceVersion "$D/p1.json")
TOK=$(f pick metadata.continue "$D/p1.json")
f post /api/v1/nodes '{"metadata":{"name":"aaa-new"}}' >/dev/null
f delete /api/v1/nodes/node-00010 >/dev/null
names=
t=$TOK
while [ -n "$t" ] && [ "$t" != null ]; do
	f get "/api/v1/nodes?limit=5&continue=$t" > "$D/pg.json" || break
	read -r prv t <<-X
	$(f picks "$D/pg.json" metadata.resourceVersion metadata.continue)
	X
	[ "$prv" = "$LRV" ] || names="$names rv-changed:$prv"
	names="$names $(py 'import json,sys; print(*[i["metadata"]["name"] for i in json.load(open(sys.argv[1]))["items"]])' "$D/pg.json")"
done
check_out "continue pages: the first page's snapshot and resourceVersion" \
	" node-00006 node-00007 node-00008 node-00009 node-00010 node-00011 node-00012 node-00013 node-00014 node-00015 node-00016 node-00017 node-00018 node-00019 node-00020" \
	echo "$names"
check_out "bad continue: 400" "400 BadRequest" pr GET "/api/v1/nodes?limit=5&continue=not-a-token" --print "status body.reason"
f faults '{"expire_continue": true}' >/dev/null
check_out "expired continue: 410 Expired" "410 Expired 410" pr GET "/api/v1/nodes?limit=5&continue=$TOK" --print "status body.reason body.code"
f config '{"continue_ttl": 0.3}' >/dev/null
TOK=$(f get "/api/v1/nodes?limit=5" | f pick metadata.continue)
sleep 0.6
check_out "continue token older than its TTL: 410" "410" pr GET "/api/v1/nodes?limit=5&continue=$TOK" --print status
f config '{"continue_ttl": 300}' >/dev/null
check_out "resourceVersion=0 ignores limit (served whole, like the watch cache)" "20 null" \
	pr GET "/api/v1/nodes?limit=5&resourceVersion=0" --print "body.items.len body.metadata.continue"
check_out "labelSelector (node-00010 of pool-1 was deleted)" "4" \
	pr GET "/api/v1/nodes?labelSelector=xcluster.example/pool%3Dpool-1" --print body.items.len
check_out "labelSelector set-based" "9" \
	pr GET "/api/v1/nodes?labelSelector=xcluster.example/pool%20in%20(pool-1,pool-2)" --print body.items.len
check_out "fieldSelector" "node-00007" pr GET "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-00007" --print body.items.0.metadata.name
raw big GET /api/v1/nodes
check_out "a large list is chunked" "chunked" f pick headers.transfer-encoding "$D/big.sum"
check "a large list is ~10 KB per node" py 'import json,sys; s=json.load(open(sys.argv[1])); assert 150000 < s["bytes"] < 400000, s["bytes"]' "$D/big.sum"
check_out "gzip over 128 KiB when accepted" "gzip" pr GET /api/v1/nodes --header "Accept-Encoding: gzip" --print headers.content-encoding
check_out "Table for kubectl get" "Table 2 Name" pr GET "/api/v1/nodes?limit=2" \
	--header "Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json" \
	--print "body.kind body.rows.len body.columnDefinitions.0.name"

# --- watch: start points, bookmarks, timeouts -----------------------------------------------
R=$(rv)
raw w1 GET "/api/v1/nodes?watch=true&resourceVersion=$R&allowWatchBookmarks=true" --max-seconds 60 \
	--until ADDED:1,BOOKMARK:3 --after-events 1 --exec "python3 -S test/fakeapi/fakectl.py post /api/v1/nodes '{\"metadata\":{\"name\":\"w1\"}}' >/dev/null"
check "watch from a resourceVersion: ADDED after it, bookmarks around" py '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
t = [e["type"] for e in ev]
assert t[0] == "BOOKMARK" and "ADDED" in t and t.count("BOOKMARK") >= 3, t
add = [e for e in ev if e["type"] == "ADDED"]
assert len(add) == 1 and add[0]["object"]["metadata"]["name"] == "w1" and add[0]["object"]["kind"] == "Node"
rv = int(add[0]["object"]["metadata"]["resourceVersion"])
assert rv > int(sys.argv[2])
bms = [int(e["object"]["metadata"]["resourceVersion"]) for e in ev if e["type"] == "BOOKMARK"]
assert bms[-1] >= rv and bms == sorted(bms), bms
assert set(ev[0]["object"]["metadata"]) == {"resourceVersion"}
' "$D/w1.body" "$R"
raw w2 GET "/api/v1/nodes?watch=true&resourceVersion=$R&timeoutSeconds=1" --max-seconds 60
check_out "timeoutSeconds: a clean end (last chunk), no bookmarks unless asked" "clean ADDED" f raw GET \
	"/api/v1/nodes?watch=true&resourceVersion=$R&timeoutSeconds=1" --max-seconds 60 --print "end lines.type"
check "timeoutSeconds: the server ends it, not before 1 s" py 'import json,sys; s=json.load(open(sys.argv[1])); assert s["end"] == "clean" and s["seconds"] >= 0.9, s' "$D/w2.sum"
check_out "watch without resourceVersion: current state as ADDED" "21" sh -c \
	"python3 -S test/fakeapi/fakectl.py raw GET '/api/v1/nodes?watch=true&timeoutSeconds=1' --max-seconds 60 --print lines.type | tr ' ' '\n' | grep -c ADDED"
raw w4 GET "/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1" --max-seconds 60
check_out "sendInitialEvents: ADDED then the initial-events-end bookmark" "21 BOOKMARK true" py '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print(sum(e["type"] == "ADDED" for e in ev[:21]), ev[21]["type"], ev[21]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"])
' "$D/w4.body"

# --- too old resourceVersion: both forms ------------------------------------------------------
OLD=$(rv)
f post /api/v1/nodes '{"metadata":{"name":"w2"}}' >/dev/null
f faults '{"expire": "event"}' >/dev/null
check_out "too old, event form: HTTP 200, one ERROR event with a 410 Expired Status, a clean end" \
	"200 clean ERROR 410 Expired" pr GET "/api/v1/nodes?watch=true&resourceVersion=$OLD" --max-seconds 60 \
	--print "status end lines.type lines.object.code lines.object.reason"
f faults '{"expire": "http"}' >/dev/null
raw old2 GET "/api/v1/nodes?watch=true&resourceVersion=$OLD" --max-seconds 60
check_out "too old, http form: HTTP 410 Status" "410 Expired" f picks "$D/old2.body" code reason
check_grep "too old message names the version" "too old resource version: $OLD" cat "$D/old2.body"
check_out "the current resourceVersion is fine after expiry" "200 clean" \
	pr GET "/api/v1/nodes?watch=true&resourceVersion=$(rv)&timeoutSeconds=1" --max-seconds 60 --print "status end"
f config '{"too_old": "event"}' >/dev/null
# an open watch when history is dropped gets ERROR 410 (event form)
wait_watches 0
fakectl raw GET "/api/v1/nodes?watch=true&resourceVersion=$(rv)" --max-seconds 60 --print "end lines.type" > "$D/open.out" &
WP=$!; BG="$BG $WP"
wait_watches 1
f faults '{"expire": "event"}' >/dev/null
wait "$WP"
check_out "open watch on expiry: ERROR 410 then a clean end" "clean ERROR" cat "$D/open.out"
# falling out of the history window
f config '{"history_max": 5}' >/dev/null
R=$(rv)
f events '{"count": 8}' >/dev/null
check_out "watch from behind the history window: 410" "ERROR 410" \
	pr GET "/api/v1/nodes?watch=true&resourceVersion=$R" --max-seconds 60 --print "lines.type lines.object.code"
R=$(rv)
f events '{"count": 4}' >/dev/null
check_out "watch inside the window replays its events" "MODIFIED MODIFIED MODIFIED MODIFIED" \
	pr GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until MODIFIED:4 --max-seconds 60 --print lines.type
f config '{"history_max": 10000}' >/dev/null

# --- dropping watches, garbage and truncated events, chunking, slow bodies ----------------------
for mode in abort clean; do
	wait_watches 0
	fakectl raw GET "/api/v1/nodes?watch=true&resourceVersion=$(rv)" --max-seconds 60 --print end > "$D/drop.out" &
	WP=$!; BG="$BG $WP"
	wait_watches 1
	f faults "{\"drop_watches\": \"$mode\"}" >/dev/null
	wait "$WP"
	want=eof; [ $mode = clean ] && want=clean
	check_out "drop_watches $mode" "$want" cat "$D/drop.out"
done
R=$(rv)
f faults '{"garbage": {"match": "watch", "count": 1}}' >/dev/null
f events '{"count": 3}' >/dev/null
check_out "garbage: the first event is not JSON, the next two are" "<garbage> MODIFIED MODIFIED" \
	pr GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until "<garbage>:1,MODIFIED:2" --max-seconds 60 --print lines.type
f faults '{"truncate": {"match": "watch"}}' >/dev/null
raw tru GET "/api/v1/nodes?watch=true&resourceVersion=$R" --max-seconds 60
check "truncate: half an event, then the connection is cut" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["end"] == "eof" and s["events"] == 0 and s["bytes"] > 100, s' "$D/tru.sum"
f config '{"chunking": "split:100"}' >/dev/null
raw sp GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until MODIFIED:3 --max-seconds 60
check "split:100: chunks of at most 100 bytes, events across them" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert max(s["chunks"]) <= 100 and len(s["chunks"]) > 100 and s["events"] == 3, s["events"]
[json.loads(l) for l in open(sys.argv[2])]
' "$D/sp.sum" "$D/sp.body"
f config '{"chunking": "random"}' >/dev/null
raw rnd GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until MODIFIED:3 --max-seconds 60
check "random chunking: varied sizes, same events" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert len(set(s["chunks"])) > 3 and s["events"] == 3, s
[json.loads(l) for l in open(sys.argv[2])]
' "$D/rnd.sum" "$D/rnd.body"
f config '{"chunking": "event"}' >/dev/null
raw one GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until MODIFIED:3 --max-seconds 60
check "event chunking: one chunk per event" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert len(s["chunks"]) == 3 and all(c > 8000 for c in s["chunks"]), s
' "$D/one.sum"
f faults '{"slow": {"match": "watch", "delay_ms": 50, "chunk_bytes": 2000}}' >/dev/null
raw slow GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until MODIFIED:3 --max-seconds 60
check "slow watch: small chunks, 50 ms between them, same events" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["events"] == 3 and max(s["chunks"]) <= 2000, s
assert len(s["chunks"]) >= 15 and s["seconds"] >= 0.045 * (len(s["chunks"]) - 1), s
' "$D/slow.sum"

# --- status faults: 429 with Retry-After, 500, hang, garbage and truncated lists -------------------
f post /fake/stats/reset >/dev/null
f faults '{"status": {"code": 429, "count": 2, "match": "list", "retry_after": 3}}' >/dev/null
check_out "429 with a Retry-After header and retryAfterSeconds" "429 3 3 TooManyRequests" \
	pr GET /api/v1/nodes?limit=1 --print "status headers.retry-after body.details.retryAfterSeconds body.reason"
check_out "429 again, then 200" "429 200" sh -c \
	"python3 -S test/fakeapi/fakectl.py raw GET /api/v1/nodes?limit=1 --print status | tr '\n' ' '; python3 -S test/fakeapi/fakectl.py raw GET /api/v1/nodes?limit=1 --print status"
f --log stats > "$D/st.json"
check_out "stats count lists and codes" "3 2 2" f picks "$D/st.json" verbs.list codes.429 counters.fault_status
check "stats log has times and queries" py '
import json, sys
log = [e for e in json.load(open(sys.argv[1]))["log"] if e["verb"] == "list"]
assert len(log) == 3 and log[0]["query"] == "limit=1" and log[0]["code"] == 429 and log[0]["t"] <= log[2]["t"]
' "$D/st.json"
f faults '{"status": {"code": 500, "match": "watch"}}' >/dev/null
check_out "500 once on watch" "500 InternalError" pr GET "/api/v1/nodes?watch=true&timeoutSeconds=1" --print "status body.reason"
check_out "then the watch works" "200" pr GET "/api/v1/nodes?watch=true&timeoutSeconds=1" --max-seconds 60 --print status
f faults '{"status": {"code": 503, "match": "write"}}' >/dev/null
check_out "a read is not a write" "200" pr GET /api/v1/nodes/node-00001 --print status
check_out "a write gets the 503" "503" pr DELETE /api/v1/nodes/node-00001 --print status
f faults '{"hang": {"match": "get", "seconds": 1}}' >/dev/null
raw hang GET /api/v1/nodes/node-00001 --max-seconds 60
check "hang: no answer for ~1 s, then the connection is cut" py 'import json,sys; s=json.load(open(sys.argv[1])); assert s["status"] is None and s["seconds"] >= 0.9, s' "$D/hang.sum"
f faults '{"garbage": {"match": "list"}}' >/dev/null
check_out "garbage list: 200 and not JSON" "200 null" pr GET /api/v1/nodes --print "status body.kind"
f faults '{"truncate": {"match": "list"}}' >/dev/null
check_out "truncated list: cut without the last chunk" "eof" pr GET /api/v1/nodes --print end
f faults '{"slow": {"match": "list", "delay_ms": 20, "chunk_bytes": 16384}}' >/dev/null
raw slist GET /api/v1/nodes
check "slow list: whole, in 16 KiB chunks, slowly" py '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["end"] == "clean" and max(s["chunks"]) == 16384 and s["seconds"] >= 0.2, s
json.load(open(sys.argv[2]))
' "$D/slist.sum" "$D/slist.body"
check_out "faults are all consumed" "{}" f get /fake/faults

# --- selectors on watches, the event generator ------------------------------------------------
R=$(rv)
mp() { echo "python3 -S test/fakeapi/fakectl.py patch /api/v1/nodes/$1 '$2' application/merge-patch+json >/dev/null"; }
check_out "label selector watch: entering is ADDED, leaving is DELETED" "ADDED DELETED node-00002 node-00002" \
	pr GET "/api/v1/nodes?watch=true&resourceVersion=$R&labelSelector=color%3Dred" --until ADDED:1,DELETED:1 --max-seconds 60 \
	--after-events 0 --exec "$(mp node-00002 '{"metadata":{"labels":{"color":"red"}}}'); $(mp node-00003 '{"metadata":{"labels":{"x":"y"}}}'); $(mp node-00002 '{"metadata":{"labels":{"color":null}}}')" \
	--print "lines.type lines.object.metadata.name"
R=$(rv)
raw gen GET "/api/v1/nodes?watch=true&resourceVersion=$R" --until MODIFIED:20 --max-seconds 60 \
	--after-events 0 --exec "python3 -S test/fakeapi/fakectl.py config '{\"events_rate\": 40}' >/dev/null"
f config '{"events_rate": 0}' >/dev/null
# the generator starts once the watch is open; a busy machine only slows it, so
# 20 events in less than 20/60 s would mean it ignores its rate
check "event generator: MODIFIED status heartbeats, no faster than ~40/s" py '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
s = json.load(open(sys.argv[2]))
assert len(ev) == 20 and {e["type"] for e in ev} == {"MODIFIED"}, len(ev)
assert s["seconds"] >= 20 / 60, s["seconds"]
mf = ev[0]["object"]["metadata"]["managedFields"]
assert any(m.get("subresource") == "status" and m["manager"] == "kubelet" for m in mf)
' "$D/gen.body" "$D/gen.sum"

# --- writes: optimistic concurrency, strategic merge keys, finalizers ----------------------------------
f get /api/v1/nodes/node-00004 > "$D/n4.json"
py 'import json,sys; o=json.load(open(sys.argv[1])); o["metadata"]["labels"]["put"]="1"; json.dump(o, open(sys.argv[2],"w"))' "$D/n4.json" "$D/n4a.json"
check "PUT with the current resourceVersion" f put /api/v1/nodes/node-00004 "$(cat "$D/n4a.json")"
check_out "PUT with a stale resourceVersion: 409 Conflict" "409 Conflict" pr PUT /api/v1/nodes/node-00004 --body "$(cat "$D/n4a.json")" --print "status body.reason"
a=$(f get /api/v1/nodes/node-00004 | f pick metadata.resourceVersion)
b=$(f patch /api/v1/nodes/node-00004 '{"metadata":{"labels":{"put":"1"}}}' application/merge-patch+json | f pick metadata.resourceVersion)
check_out "no-op patch keeps the resourceVersion" "$a" echo "$b"
f patch /api/v1/nodes/node-00004/status '{"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"}]}}' application/strategic-merge-patch+json > "$D/smp.json"
check_out "strategic merge: conditions merged by type" "4 Ready False MemoryPressure" f picks "$D/smp.json" status.conditions.len status.conditions.3.type status.conditions.3.status status.conditions.0.type
check_out "merge patch: the list is replaced" "1" sh -c "python3 -S test/fakeapi/fakectl.py patch /api/v1/nodes/node-00004/status '{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}' application/merge-patch+json | python3 -S test/fakeapi/fakectl.py pick status.conditions.len"
check_out "JSON patch" "v" sh -c "python3 -S test/fakeapi/fakectl.py patch /api/v1/nodes/node-00004 '[{\"op\":\"add\",\"path\":\"/metadata/labels/jp\",\"value\":\"v\"}]' application/json-patch+json | python3 -S test/fakeapi/fakectl.py pick metadata.labels.jp"
f post /api/v1/nodes '{"metadata":{"name":"fin","finalizers":["example.com/hold"]}}' >/dev/null
check "delete with a finalizer: 200" f delete /api/v1/nodes/fin
check_grep "node kept with a deletionTimestamp" '^20' pr GET /api/v1/nodes/fin --print body.metadata.deletionTimestamp
f patch /api/v1/nodes/fin '{"metadata":{"finalizers":null}}' application/merge-patch+json >/dev/null
check_out "finalizer removed: node gone" "404" pr GET /api/v1/nodes/fin --print status
U=$(f get /api/v1/nodes/node-00005 | f pick metadata.uid)
check_out "delete precondition uid mismatch: 409" "409" pr DELETE /api/v1/nodes/node-00005 --body '{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}' --print status
check_out "delete returns Status Success with the uid" "200 Success $U" pr DELETE /api/v1/nodes/node-00005 --print "status body.status body.details.uid"
check_out "create with a resourceVersion is refused" "500" pr POST /api/v1/nodes --body '{"metadata":{"name":"x-rv","resourceVersion":"5"}}' --print status
check_out "two IPv4 podCIDRs: 422 with a cause" "422 Invalid spec.podCIDRs" pr POST /api/v1/nodes \
	--body '{"metadata":{"name":"x"},"spec":{"podCIDRs":["10.0.0.0/24","10.1.0.0/24"]}}' --print "status body.reason body.details.causes.0.field"
check_out "a future resourceVersion: 504 Too large resource version after waiting" "504 ResourceVersionTooLarge" \
	pr GET "/api/v1/nodes?resourceVersion=99999999" --max-seconds 60 --print "status body.details.causes.0.reason"

# --- authentication ----------------------------------------------------------------------------
check_out "no token: 401 Unauthorized Status" "401 Unauthorized 401" sh -c "FAKEAPI_TOKEN= python3 -S test/fakeapi/fakectl.py raw GET /api/v1/nodes --print 'status body.reason body.code'"
check_out "wrong token: 401" "401" sh -c "FAKEAPI_TOKEN=nope python3 -S test/fakeapi/fakectl.py raw GET /api/v1/nodes --print status"
printf 'tok-2,router,uid-1,"system:nodes"\n' > "$D/token"
check_out "rotated: old token 401" "401" pr GET /version --print status
check_out "rotated: new token (CSV file) 200" "200" sh -c "FAKEAPI_TOKEN=tok-2 python3 -S test/fakeapi/fakectl.py raw GET /api/v1/nodes/node-00001 --print status"
echo tok-1 > "$D/token"
check_out "control endpoints need no token" "200" sh -c "FAKEAPI_TOKEN= python3 -S test/fakeapi/fakectl.py raw GET /fake/stats --print status"

# --- restart on the same port with --state ------------------------------------------------------------
BEFORE=$(rv)
NAMES=$(f get /api/v1/nodes | f pick items.len)
PORT=$FAKE_PORT
fake_stop
check "server down: connection refused" sh -c "! python3 -S test/fakeapi/fakectl.py raw GET /version 2>/dev/null"
FAKE_PORT=$PORT fake_start --state "$D/state.json" || t_fail "restart"
check_out "restart: same port" "$PORT" echo "$FAKE_PORT"
check_out "restart: objects kept" "$NAMES" pr GET /api/v1/nodes --print body.items.len
check_out "restart: resourceVersion kept" "$BEFORE" rv
check_out "restart: a watch from before the restart is too old (410)" "ERROR 410" \
	pr GET "/api/v1/nodes?watch=true&resourceVersion=$((BEFORE - 1))" --max-seconds 60 --print "lines.type lines.object.code"
fake_stop

# --- IPv6 loopback, plain HTTP, anonymous --------------------------------------------------------------
FAKE_PORT=0 FAKE_HOST=::1 fake_start --nodes 2 || t_fail "start on ::1"
check_grep "HTTPS URL on [::1]" '^https://\[::1\]:[0-9]+$' echo "$FAKEAPI_URL"
check_out "HTTPS on [::1]" "v1.30.4" pr GET /version --print body.gitVersion
fake_stop
cat > "$D/load.yaml" <<'Y'
apiVersion: v1
kind: Node
metadata:
  name: loaded-a
  labels: {pool: "x"}
spec:
  podCIDRs:
  - 198.18.7.0/24
---
{"apiVersion": "v1", "kind": "NodeList", "items": [{"metadata": {"name": "loaded-b"}}]}
Y
FAKE_PORT=0 fake_start --plain --anonymous --nodes 1 --load "$D/load.yaml" || t_fail "start plain"
check_out "--load: YAML documents and a NodeList" "3 loaded-a 198.18.7.0/24 loaded-b" \
	pr GET /api/v1/nodes --print "body.items.len body.items.0.metadata.name body.items.0.spec.podCIDR body.items.1.metadata.name"
check_grep "plain HTTP URL" '^http://127\.0\.0\.1:[0-9]+$' echo "$FAKEAPI_URL"
check_out "anonymous: /version allowed" "200" sh -c "FAKEAPI_TOKEN= python3 -S test/fakeapi/fakectl.py raw GET /version --print status"
check_out "anonymous: nodes forbidden (403)" "403 Forbidden" sh -c "FAKEAPI_TOKEN= python3 -S test/fakeapi/fakectl.py raw GET /api/v1/nodes --print 'status body.reason'"
fake_stop
check "no internal server errors" sh -c "! grep -q 'internal error' '$D/fakeapi.log'"

t_done
