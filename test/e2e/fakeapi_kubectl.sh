#!/bin/sh
# fakeapi_kubectl: the fake API server judged by the real kubectl.
# Every kubectl here talks HTTPS with a CA and a bearer token from a kubeconfig
# this suite writes; the server's answers are compared with what it holds.
. test/lib/t.sh
. test/fakeapi/lib.sh
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
if ! [ -x "$KUBECTL" ]; then
	t_skip "no kubectl at $KUBECTL" 1
	t_done
	exit 0
fi

FAKE_DIR=$(mktemp -d); [ -n "$KEEP" ] && echo "$FAKE_DIR"
W_PID=
cleanup() {
	[ -n "$W_PID" ] && kill "$W_PID" 2>/dev/null
	fake_stop
	[ -n "$KEEP" ] || rm -rf "$FAKE_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM   # (the EXIT trap cleans up; a suite must not run on)
export HOME="$FAKE_DIR/home"   # kubectl's discovery cache must not outlive the suite
mkdir -p "$HOME"
KC="$FAKE_DIR/kubeconfig"
k() { "$KUBECTL" --kubeconfig="$KC" --request-timeout=60s "$@"; }
py() { python3 -c "$@"; }

fake_certs || { t_fail "mkcerts"; t_done; exit 1; }
echo tok-1 > "$FAKE_DIR/token"
fake_start --nodes 5 --state "$FAKE_DIR/state.json" --client-ca "$FAKE_DIR/certs/ca.crt" ||
	{ t_fail "server start"; t_done; exit 1; }

k config set-cluster fake --server="$FAKEAPI_URL" --certificate-authority="$FAKE_DIR/certs/ca.crt" >/dev/null
k config set-credentials tester --token=tok-1 >/dev/null
k config set-context fake --cluster=fake --user=tester >/dev/null
k config use-context fake >/dev/null

# --- version and discovery: the dispatcher picks the client by server version --------
k version -o json > "$FAKE_DIR/ver.json" 2>/dev/null
check_out "server gitVersion" "v1.30.4" fakectl pick serverVersion.gitVersion "$FAKE_DIR/ver.json"
check_grep "client picked for 1.30" '^v1\.30\.' fakectl pick clientVersion.gitVersion "$FAKE_DIR/ver.json"
check_grep "api-resources lists nodes" '^nodes +no +v1 +false +Node' k api-resources
check_out "get preloaded nodes" "node-00001 node-00002 node-00003 node-00004 node-00005" \
	sh -c "$KUBECTL --kubeconfig=$KC get nodes -o name | sed 's|node/||' | tr '\n' ' ' | sed 's/ $//'"
check_grep "table columns" '^NAME +STATUS +ROLES +AGE +VERSION$' sh -c "$KUBECTL --kubeconfig=$KC get nodes | head -1"
check_grep "wide table: InternalIP" '^node-00002 +Ready +<none> .* 198\.19\.0\.2 ' k get nodes -o wide
check_grep "control-plane role" '^node-00001 +Ready +control-plane ' k get nodes

# --- create from YAML (two documents), then read back ----------------------------------
cat > "$FAKE_DIR/nodes.yaml" <<'Y'
apiVersion: v1
kind: Node
metadata:
  name: worker-a
  labels:
    pool: blue
spec:
  podCIDRs: ["198.18.200.0/24", "fd00:18:0:c8::/64"]
---
apiVersion: v1
kind: Node
metadata:
  name: worker-b
  annotations:
    note: "b"
spec:
  podCIDR: 198.18.201.0/24
Y
check_out "create two nodes from YAML" "node/worker-a created
node/worker-b created" k create -f "$FAKE_DIR/nodes.yaml"
check_out "podCIDRs stored" "198.18.200.0/24 fd00:18:0:c8::/64" k get node worker-a -o jsonpath='{.spec.podCIDRs[0]} {.spec.podCIDRs[1]}'
check_out "podCIDR follows podCIDRs[0]" "198.18.200.0/24" k get node worker-a -o jsonpath='{.spec.podCIDR}'
check_out "podCIDRs defaulted from podCIDR" "198.18.201.0/24" k get node worker-b -o jsonpath='{.spec.podCIDRs[0]}'
check_grep "uid and creationTimestamp set" '^[0-9a-f-]{36} 20[0-9-]+T' k get node worker-a -o jsonpath='{.metadata.uid} {.metadata.creationTimestamp}'
check_grep "managedFields: kubectl-create" 'kubectl-create' k get node worker-a -o jsonpath='{.metadata.managedFields[*].manager}'
check_grep "create again: AlreadyExists" 'AlreadyExists.*"worker-a" already exists' k create -f "$FAKE_DIR/nodes.yaml"
check_grep "get missing: NotFound" 'NotFound.*nodes "nope" not found' k get node nope
check_exit "get missing exits 1" 1 k get node nope
printf 'apiVersion: v1\nkind: Node\nmetadata:\n  name: Bad_Name\n' > "$FAKE_DIR/bad.yaml"
check_grep "invalid name: 422 Invalid" 'is invalid: metadata.name: Invalid value: "Bad_Name"' k create -f "$FAKE_DIR/bad.yaml"
printf 'apiVersion: v1\nkind: Node\nmetadata:\n  name: odd\nspec:\n  bogus: 1\n' > "$FAKE_DIR/odd.yaml"
check_grep "unknown field: strict validation" 'unknown field "spec.bogus"' k create -f "$FAKE_DIR/odd.yaml"
check_out "unknown field accepted with --validate=false" "node/odd created" k create --validate=false -f "$FAKE_DIR/odd.yaml"
k delete node odd >/dev/null 2>&1

# --- list -o json equals what the server holds -------------------------------------
k get nodes -o json > "$FAKE_DIR/list.json" 2>/dev/null
fakectl get /fake/nodes > "$FAKE_DIR/held.json"
check "list -o json equals the server's objects" py '
import json, sys
a = json.load(open(sys.argv[1]))["items"]
b = json.load(open(sys.argv[2]))["nodes"]
def strip(o):  # kubectl adds kind/apiVersion to items and hides managedFields
    o = {k: v for k, v in o.items() if k not in ("kind", "apiVersion")}
    o["metadata"] = {k: v for k, v in o["metadata"].items() if k != "managedFields"}
    return o
assert len(a) == 7 == len(b), (len(a), len(b))
assert [strip(x) for x in a] == [strip(x) for x in b]
' "$FAKE_DIR/list.json" "$FAKE_DIR/held.json"
check "generated nodes are ~10 KB, dual-stack, 30ish images" py '
import json, sys
n = json.load(open(sys.argv[1]))["nodes"][1]
size = len(json.dumps(n, separators=(",", ":")))
assert 8000 < size < 16000, size
assert len(n["spec"]["podCIDRs"]) == 2 and ":" in n["spec"]["podCIDRs"][1]
assert {a["type"] for a in n["status"]["addresses"]} == {"InternalIP", "Hostname"}
assert 25 <= len(n["status"]["images"]) <= 31 and len(n["metadata"]["managedFields"]) == 3
' "$FAKE_DIR/held.json"

# --- pagination ------------------------------------------------------------------------
fakectl post /fake/stats/reset >/dev/null
check_out "chunked list returns all 7" "7" sh -c "$KUBECTL --kubeconfig=$KC get nodes --chunk-size=2 -o name | wc -l"
fakectl --log stats > "$FAKE_DIR/stats.json"
check_out "4 pages, 3 with continue" "4 3" py '
import json, sys
log = [e for e in json.load(open(sys.argv[1]))["log"] if e["verb"] == "list"]
print(len(log), sum("continue=" in e["query"] for e in log))
' "$FAKE_DIR/stats.json"

# --- patch, label, annotate ----------------------------------------------------------------
check_out "strategic patch" "node/worker-a patched" k patch node worker-a -p '{"metadata":{"labels":{"tier":"gold"}}}'
check_out "merge patch" "node/worker-a patched" k patch node worker-a --type=merge -p '{"spec":{"unschedulable":true}}'
check_out "json patch" "node/worker-a patched" k patch node worker-a --type=json -p '[{"op":"add","path":"/metadata/labels/j","value":"k"}]'
check_out "patched labels" "gold k blue" k get node worker-a -o jsonpath='{.metadata.labels.tier} {.metadata.labels.j} {.metadata.labels.pool}'
check_grep "unschedulable shows in the table" 'worker-a +Unknown,SchedulingDisabled' k get nodes
check_grep "json patch test failure is refused" 'testing value /metadata/labels/j failed' \
	k patch node worker-a --type=json -p '[{"op":"test","path":"/metadata/labels/j","value":"z"}]'
check_grep "podCIDRs are immutable" 'Forbidden: node updates may not change podCIDR' \
	k patch node worker-a --type=merge -p '{"spec":{"podCIDRs":["198.18.250.0/24"]}}'
check_grep "podCIDRs: at most one per family" 'no more than one CIDR for each IP family' \
	k patch node worker-b --type=merge -p '{"spec":{"podCIDRs":["198.18.201.0/24","198.18.202.0/24"]}}'
check_grep "status ignored on the main resource" 'patched \(no change\)' \
	k patch node worker-b --type=merge -p '{"status":{"phase":"Running"}}'
check_out "status patch via --subresource" "node/worker-b patched" k patch node worker-b --subresource=status --type=merge \
	-p '{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"}],"addresses":[{"type":"InternalIP","address":"198.19.9.9"}]}}'
check_grep "Ready after the status patch" 'worker-b +Ready ' k get nodes
check_out "label" "node/worker-b labeled" k label node worker-b color=red
check_grep "label again without --overwrite" "already has a value \(red\)" k label node worker-b color=blue
check_out "label --overwrite" "node/worker-b labeled" k label node worker-b color=blue --overwrite
check_out "label removed" "node/worker-b unlabeled" k label node worker-b color-
check_out "annotate" "node/worker-b annotated" k annotate node worker-b xcluster.example/tunnel=198.19.9.9
check_out "labels and annotations read back" "<> 198.19.9.9" k get node worker-b -o jsonpath='<{.metadata.labels.color}> {.metadata.annotations.xcluster\.example/tunnel}'
check_out "label selector" "node/worker-a" k get nodes -l tier=gold -o name
check_out "field selector" "node/worker-b" k get nodes --field-selector metadata.name=worker-b -o name
check_out "dry-run=server changes nothing" "node/worker-b labeled (server dry run)
<>" sh -c "$KUBECTL --kubeconfig=$KC label node worker-b dry=run --dry-run=server && $KUBECTL --kubeconfig=$KC get node worker-b -o jsonpath='<{.metadata.labels.dry}>'"

# --- apply (client-side and server-side) -------------------------------------------------------
cat > "$FAKE_DIR/apply.yaml" <<'Y'
apiVersion: v1
kind: Node
metadata:
  name: worker-c
  labels:
    pool: green
spec:
  podCIDRs: ["198.18.203.0/24"]
Y
check_out "apply creates" "node/worker-c created" k apply -f "$FAKE_DIR/apply.yaml"
check_grep "last-applied annotation" '"name":"worker-c"' k get node worker-c -o jsonpath='{.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}'
sed -i 's/pool: green/pool: teal/' "$FAKE_DIR/apply.yaml"
check_out "apply configures" "node/worker-c configured" k apply -f "$FAKE_DIR/apply.yaml"
check_out "applied label" "teal" k get node worker-c -o jsonpath='{.metadata.labels.pool}'
check_out "apply unchanged" "node/worker-c unchanged" k apply -f "$FAKE_DIR/apply.yaml"
sed -i 's/pool: teal/pool: plum/' "$FAKE_DIR/apply.yaml"
check_out "server-side apply" "node/worker-c serverside-applied" k apply --server-side -f "$FAKE_DIR/apply.yaml"
check_out "server-side applied label" "plum" k get node worker-c -o jsonpath='{.metadata.labels.pool}'
check_grep "apply manager recorded" 'kubectl' k get node worker-c -o jsonpath='{.metadata.managedFields[?(@.operation=="Apply")].manager}'

# --- watch: kubectl get --watch sees MODIFIED and DELETED -----------------------------------
"$KUBECTL" --kubeconfig="$KC" get nodes --watch -o json --output-watch-events > "$FAKE_DIR/watch.json" 2>"$FAKE_DIR/watch.err" &
W_PID=$!
lines() { py 'import sys; print(sum(1 for l in open(sys.argv[1]) if l.startswith("{")))' "$1"; }
has_objs() { # FILE N: FILE has N top-level JSON objects (kubectl prints them indented)
	[ "$(py 'import json,sys
d=json.JSONDecoder(); s=open(sys.argv[1]).read(); n=0; i=0
while True:
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    try: _, i = d.raw_decode(s, i); n += 1
    except ValueError: break
print(n)' "$1")" -ge "$2" ]
}
waitfor() { t_wait 60 has_objs "$@"; }   # until then; 60 s: a safety deadline
check "watch: initial ADDED events" waitfor "$FAKE_DIR/watch.json" 8
k label node worker-a watched=yes >/dev/null
k delete node worker-b >/dev/null
check "watch: two more events" waitfor "$FAKE_DIR/watch.json" 10
kill "$W_PID" 2>/dev/null; wait "$W_PID" 2>/dev/null; W_PID=
check_out "watch events in order" "ADDED node-00001
ADDED node-00002
ADDED node-00003
ADDED node-00004
ADDED node-00005
ADDED worker-a
ADDED worker-b
ADDED worker-c
MODIFIED worker-a yes
DELETED worker-b" py '
import json, sys
d = json.JSONDecoder(); s = open(sys.argv[1]).read(); i = 0
while True:
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    ev, i = d.raw_decode(s, i)
    o = ev["object"]["metadata"]
    print(ev["type"], o["name"], *([o["labels"]["watched"]] if "watched" in o.get("labels", {}) else []))
' "$FAKE_DIR/watch.json"
check_out "delete" 'node "worker-c" deleted' k delete node worker-c
check_grep "deleted node is gone" 'NotFound' k get node worker-c

# --- authentication: wrong token, rotation, tokenFile, client certificates -----------------------
check_grep "wrong token: Unauthorized" 'Unauthorized' k --token=wrong get nodes
check_exit "wrong token exits 1" 1 k --token=wrong get nodes
fakectl raw GET /api/v1/nodes --header "Authorization: Bearer wrong" --out "$FAKE_DIR/401.json" > "$FAKE_DIR/401.sum"
check_out "401 Status body" "Unauthorized
401" sh -c "python3 test/fakeapi/fakectl.py pick reason $FAKE_DIR/401.json; python3 test/fakeapi/fakectl.py pick code $FAKE_DIR/401.json" 
check_out "401 without a token" "401" sh -c "FAKEAPI_TOKEN= python3 test/fakeapi/fakectl.py raw GET /api/v1/nodes | python3 test/fakeapi/fakectl.py pick status"
echo tok-2 > "$FAKE_DIR/token"   # rotate: the server re-reads the file on the next request
check_grep "old token refused after rotation" 'Unauthorized' k get nodes
check_grep "new token accepted" '^node-00001 ' k --token=tok-2 get nodes
echo tok-2 > "$FAKE_DIR/client-token"
k config set-credentials filer --token= >/dev/null
k config set users.filer.tokenFile "$FAKE_DIR/client-token" >/dev/null
k config set-context filer --cluster=fake --user=filer >/dev/null
check_grep "tokenFile user" '^node-00001 ' k --context=filer get nodes
k config set-credentials cert --client-certificate="$FAKE_DIR/certs/client-ec.crt" --client-key="$FAKE_DIR/certs/client-ec.key" >/dev/null
k config set-context cert --cluster=fake --user=cert >/dev/null
check_grep "client certificate user" '^node-00001 ' k --context=cert get nodes
k config set-credentials badcert --client-certificate="$FAKE_DIR/certs/client-other.crt" --client-key="$FAKE_DIR/certs/client-other.key" >/dev/null
k config set-context badcert --cluster=fake --user=badcert >/dev/null
check_exit "client certificate of another CA refused" 1 k --context=badcert get nodes
k config set-cluster wrongca --server="$FAKEAPI_URL" --certificate-authority="$FAKE_DIR/certs/other-ca.crt" >/dev/null
k config set-context wrongca --cluster=wrongca --user=tester >/dev/null
check_grep "server certificate checked by kubectl" 'certificate signed by unknown authority|x509' k --context=wrongca --token=tok-2 get nodes
k config set-credentials tester --token=tok-2 >/dev/null

# --- every kubectl minor the dispatcher has: restart with another version, same port and state --
for minor in 27 28 29 31 32 33; do
	fake_stop
	fake_start --state "$FAKE_DIR/state.json" --kube-version "1.$minor.2" --client-ca "$FAKE_DIR/certs/ca.crt" ||
		{ t_fail "restart for 1.$minor"; continue; }
	k version -o json > "$FAKE_DIR/ver.json" 2>/dev/null
	check_grep "1.$minor: client picked" "^v1\\.$minor\\." fakectl pick clientVersion.gitVersion "$FAKE_DIR/ver.json"
	check_out "1.$minor: state kept across restart" "node-00001 node-00002 node-00003 node-00004 node-00005 worker-a" \
		sh -c "$KUBECTL --kubeconfig=$KC get nodes -o name | sed 's|node/||' | tr '\n' ' ' | sed 's/ $//'"
	check_out "1.$minor: label" "node/worker-a labeled" k label node worker-a "v$minor=x"
	printf 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n-%s\n' "$minor" > "$FAKE_DIR/n.yaml"
	check_out "1.$minor: create + delete" "node/n-$minor created
node \"n-$minor\" deleted" sh -c "$KUBECTL --kubeconfig=$KC create -f $FAKE_DIR/n.yaml && $KUBECTL --kubeconfig=$KC delete -f $FAKE_DIR/n.yaml"
	check_out "1.$minor: apply" "node/worker-a configured" sh -c "printf 'apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-a\n  labels:\n    a$minor: v$minor\n' | $KUBECTL --kubeconfig=$KC apply -f - 2>/dev/null"
done
check "no internal server errors" sh -c "! grep -q 'internal error' '$FAKE_DIR/fakeapi.log'"

t_done
