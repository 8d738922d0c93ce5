#!/bin/sh
# k8s: core/kube/k8s through the `nodes` applet against the fake API server.
# Kubeconfigs are written by the real kubectl (YAML, and JSON from `config
# view`): CA file or data, token or tokenFile, client certificates (files or
# embedded), tls-server-name, insecure-skip-tls-verify; KUBECONFIG lists;
# in-cluster discovery (IPv4 and IPv6 service hosts). `nodes --json` must
# agree with `kubectl get nodes -o json`. Then `nodes --watch`: events,
# both forms of 410, 429 Retry-After, 500, a server restart and token
# rotation, judged by its output and the server's request log.
. test/lib/t.sh
. test/fakeapi/lib.sh
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
if ! [ -x "$KUBECTL" ]; then
	t_skip "no kubectl at $KUBECTL" 1
	t_done
	exit 0
fi

FAKE_DIR=$(mktemp -d); [ -n "$KEEP" ] && echo "$FAKE_DIR"
D=$FAKE_DIR
W_PID=
cleanup() {
	[ -n "$W_PID" ] && kill "$W_PID" 2>/dev/null && wait "$W_PID" 2>/dev/null
	fake_stop
	[ -n "$KEEP" ] || rm -rf "$FAKE_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM   # (the EXIT trap cleans up; a suite must not run on)
export HOME="$D/home"   # kubectl's cache, and no ~/.kube/config of the machine
mkdir -p "$HOME"
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT XC_SA_DIR
C=$D/certs
nodes() { "$XC" nodes "$@"; }
kc() { f=$1; shift; "$KUBECTL" config --kubeconfig="$f" "$@" >/dev/null; }

fake_certs || { t_fail "mkcerts"; t_done; exit 1; }
printf 'tok-1\ntok-admin\n' > "$D/token"
fake_start --nodes 7 --client-ca "$C/ca.crt" --bookmark-interval 0.5 --state "$D/state.json" ||
	{ t_fail "server start"; t_done; exit 1; }
FAKEAPI_TOKEN=tok-admin
# nodes of other shapes: an ExternalIP, podCIDR only, nothing yet
fakectl post /api/v1/nodes '{"metadata":{"name":"ext-1"},"spec":{"podCIDR":"10.77.0.0/24"},
  "status":{"addresses":[{"type":"Hostname","address":"ext-1"},{"type":"ExternalIP","address":"203.0.113.9"},
  {"type":"InternalIP","address":"10.1.2.3"}]}}' >/dev/null
fakectl post /api/v1/nodes '{"metadata":{"name":"bare-1"}}' >/dev/null

# --- kubeconfigs written by kubectl --------------------------------------------------
Y=$D/kc.yaml
kc "$Y" set-cluster fake --server="$FAKEAPI_URL" --certificate-authority="$C/ca.crt"
kc "$Y" set-credentials tok --token=tok-1
kc "$Y" set-context fake --cluster=fake --user=tok
kc "$Y" use-context fake
"$KUBECTL" --kubeconfig="$Y" get nodes -o json > "$D/kubectl.json" 2>"$D/kubectl.err" ||
	t_fail "kubectl get nodes: $(cat "$D/kubectl.err")"

agree() { # FILE: nodes --json output agrees with kubectl's view
	python3 - "$D/kubectl.json" "$1" <<'EOF'
import ipaddress, json, sys
def norm(c):
    return str(ipaddress.ip_network(c, strict=False)) if "/" in c else str(ipaddress.ip_address(c))
want = {}
for n in json.load(open(sys.argv[1]))["items"]:
    s = n.get("spec", {})
    cidrs = s.get("podCIDRs") or ([s["podCIDR"]] if s.get("podCIDR") else [])
    addrs = [(a["type"], norm(a["address"])) for a in n.get("status", {}).get("addresses", [])
             if a["type"] in ("InternalIP", "ExternalIP")]
    want[n["metadata"]["name"]] = ([norm(c) for c in cidrs], addrs, n["metadata"]["uid"])
got = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    got[o["name"]] = (o["podCIDRs"], [(a["type"], a["address"]) for a in o["addresses"]], o["uid"])
if got != want:
    print("differ:", sorted(set(got.items()) ^ set((k, (tuple(v[0]), tuple(v[1]), v[2])) for k, v in want.items()))[:4])
    sys.exit(1)
EOF
}
nodes --kubeconfig "$Y" --json > "$D/yaml.out" 2>"$D/yaml.err"
check "YAML kubeconfig, CA file, token: nodes --json agrees with kubectl" agree "$D/yaml.out"
check_out "9 nodes, one line each" 9 sh -c "wc -l < $D/yaml.out"
check_out "text form: name, CIDRs, addresses" \
	"ext-1 10.77.0.0/24 ExternalIP=203.0.113.9,InternalIP=10.1.2.3" sh -c "$XC nodes --kubeconfig $Y | grep ^ext-1"
check_out "a node without CIDRs or addresses" "bare-1 - -" sh -c "$XC nodes --kubeconfig $Y | grep ^bare-1"
check_out "dual-stack node" "node-00002 198.18.1.0/24,fd00:18:0:1::/64 InternalIP=198.19.0.2,InternalIP=fd00:19::2" \
	sh -c "$XC nodes --kubeconfig $Y | grep ^node-00002"

"$KUBECTL" --kubeconfig="$Y" config view --raw -o json > "$D/kc.json"
check "JSON kubeconfig (kubectl config view -o json)" sh -c "$XC nodes --kubeconfig $D/kc.json --json > $D/json.out && cmp -s $D/json.out $D/yaml.out"

fakectl post /fake/stats/reset >/dev/null
nodes --kubeconfig "$Y" --limit 2 --json > "$D/pages.out" 2>&1
check "paginated (--limit 2): the same nodes" cmp -s "$D/pages.out" "$D/yaml.out"
check_out "paginated: 5 LIST requests for 9 nodes" 5 sh -c "python3 test/fakeapi/fakectl.py stats | python3 test/fakeapi/fakectl.py pick verbs.list"

# CA data (embedded) and a token file, relative to the kubeconfig's folder
E=$D/sub/kc-embed
mkdir -p "$D/sub"
echo tok-1 > "$D/sub/tokfile"
kc "$E" set-cluster fake --server="$FAKEAPI_URL" --certificate-authority="$C/ca.crt" --embed-certs=true
kc "$E" set-credentials tf
kc "$E" set users.tf.tokenFile tokfile
kc "$E" set-context fake --cluster=fake --user=tf
kc "$E" use-context fake
check "certificate-authority-data and a relative tokenFile" sh -c "$XC nodes --kubeconfig $E --json | cmp -s - $D/yaml.out"
check_grep "kubectl wrote them" "certificate-authority-data:" cat "$E"

# client certificates: files, then embedded (RSA key, PKCS#1)
F=$D/kc-cert
kc "$F" set-cluster fake --server="$FAKEAPI_URL" --certificate-authority="$C/ca.crt"
kc "$F" set-credentials cert --client-certificate="$C/client-ec.crt" --client-key="$C/client-ec-pkcs8.key"
kc "$F" set-context fake --cluster=fake --user=cert
kc "$F" use-context fake
check "client certificate and key files (EC, PKCS#8)" sh -c "$XC nodes --kubeconfig $F --json | cmp -s - $D/yaml.out"
kc "$F" set-credentials cert --client-certificate="$C/client-rsa.crt" --client-key="$C/client-rsa.key" --embed-certs=true
check "client-certificate-data and client-key-data (RSA)" sh -c "$XC nodes --kubeconfig $F --json | cmp -s - $D/yaml.out"
kc "$F" set-credentials cert --client-certificate="$C/client-other.crt" --client-key="$C/client-other.key" --embed-certs=true
check_exit "a client certificate of another CA: refused" 1 nodes --kubeconfig "$F"

# tls-server-name: connect to 127.0.0.1, verify a DNS name of the certificate
kc "$Y" set-cluster fake --tls-server-name=kubernetes.default.svc
check "tls-server-name kubernetes.default.svc" sh -c "$XC nodes --kubeconfig $Y --json | cmp -s - $D/yaml.out"
kc "$Y" set-cluster fake --tls-server-name=wrong.example
check_grep "a tls-server-name the certificate lacks: refused, named" "wrong\.example" nodes --kubeconfig "$Y"
kc "$Y" set-cluster fake --tls-server-name=

# insecure-skip-tls-verify: works, and says so
I=$D/kc-insecure
kc "$I" set-cluster fake --server="$FAKEAPI_URL" --insecure-skip-tls-verify=true
kc "$I" set-credentials tok --token=tok-1
kc "$I" set-context fake --cluster=fake --user=tok
kc "$I" use-context fake
nodes --kubeconfig "$I" --json > "$D/insecure.out" 2> "$D/insecure.err"
check "insecure-skip-tls-verify: listed" cmp -s "$D/insecure.out" "$D/yaml.out"
check_grep "insecure-skip-tls-verify: a warning" "warn.*insecure-skip-tls-verify" cat "$D/insecure.err"
check_exit "no warning without it" 1 grep -q insecure "$D/yaml.err"

# contexts and KUBECONFIG
kc "$Y" set-context other --cluster=fake --user=nobody
kc "$Y" use-context other
check_grep "current-context names a missing user" "users: no user named \"nobody\"" nodes --kubeconfig "$Y"
check "--context picks another" sh -c "$XC nodes --kubeconfig $Y --context fake --json | cmp -s - $D/yaml.out"
kc "$Y" use-context fake
check "KUBECONFIG: the first file of a list" sh -c "KUBECONFIG=$Y:/nonexistent $XC nodes --json | cmp -s - $D/yaml.out"
check_grep "KUBECONFIG naming a missing file" "kubeconfig /nonexistent.*No such file" env KUBECONFIG=/nonexistent "$XC" nodes
H=$HOME/.kube/config
kc "$H" set-cluster fake --server="$FAKEAPI_URL" --certificate-authority="$C/ca.crt" --embed-certs=true
kc "$H" set-credentials tok --token=tok-1
kc "$H" set-context fake --cluster=fake --user=tok
kc "$H" use-context fake
check "~/.kube/config last" sh -c "$XC nodes --json | cmp -s - $D/yaml.out"
rm -rf "$HOME/.kube"
check_grep "nothing to go by" "no cluster configuration" nodes

# --- in-cluster ---------------------------------------------------------------------
SA=$D/sa
mkdir -p "$SA"
cp "$C/ca.crt" "$SA/ca.crt"
echo tok-1 > "$SA/token"
check "in-cluster: service host, port, token and ca.crt from XC_SA_DIR" sh -c \
	"KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$FAKE_PORT XC_SA_DIR=$SA $XC nodes --json | cmp -s - $D/yaml.out"
check_grep "in-cluster without a token: the file is named" "in-cluster config: $D/nosa/token: No such file" \
	env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$FAKE_PORT" XC_SA_DIR="$D/nosa" "$XC" nodes
check "an explicit kubeconfig wins over in-cluster" sh -c \
	"KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=1 XC_SA_DIR=$D/nosa $XC nodes --kubeconfig $Y --json | cmp -s - $D/yaml.out"

# --- errors name the file and the field; secrets appear nowhere -----------------------
B=$D/kc-bad
sed 's/client-key-data: .*/client-key-data: not*base64/' "$F" > "$B"
check_grep "bad base64: file and field named" "kubeconfig $B: users\[0\]\.user\.client-key-data: not valid base64" nodes --kubeconfig "$B"
cp "$Y" "$B"
kc "$B" set-cluster fake --certificate-authority="$D/missing-ca.crt"
check_grep "a missing CA file: field and path named" \
	"kubeconfig $B: clusters\[0\]\.cluster\.certificate-authority: .*missing-ca\.crt" nodes --kubeconfig "$B"
cp "$Y" "$B"
kc "$B" set-credentials tok --token=sEcReT-wrong-token
nodes --kubeconfig "$B" > /dev/null 2> "$D/bad.err"
check_grep "a refused token: 401" "401 Unauthorized" cat "$D/bad.err"
check_exit "the token is not in the message" 1 grep -q sEcReT "$D/bad.err"
check_exit "exit 1" 1 nodes --kubeconfig "$B"
check_exit "usage: exit 2" 2 nodes --bogus

# --- IPv6 service host --------------------------------------------------------------
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	S6=$D/v6
	mkdir -p "$S6"
	cp "$D/token" "$S6/token"
	( FAKE_DIR=$S6 FAKE_HOST=::1 FAKE_PORT=
	  cp -r "$C" "$S6/certs"
	  fake_start --nodes 3 || exit 1
	  KUBERNETES_SERVICE_HOST=::1 KUBERNETES_SERVICE_PORT=$FAKE_PORT XC_SA_DIR=$SA "$XC" nodes > "$S6/out" 2>&1
	  echo $? >> "$S6/out"
	  fake_stop )
	check_out "in-cluster with an IPv6 service host (brackets)" "4 0" sh -c "echo \$(wc -l < $S6/out) \$(tail -1 $S6/out)"
else
	t_skip "no IPv6 loopback"
fi

# --- watch -------------------------------------------------------------------------
WO=$D/watch.out WE=$D/watch.err
LOG_LEVEL=debug "$XC" nodes --kubeconfig "$E" --watch --annotation xc/cidrs > "$WO" 2> "$WE" &
W_PID=$!
wait_for() { # REGEX FILE [SECONDS]: until a line matches (SECONDS, 60: a safety deadline)
	i=0; n=$((${3:-60} * 10))
	while ! grep -Eq -- "$1" "$2"; do
		i=$((i + 1)); [ $i -gt $n ] && return 1
		sleep 0.1
	done
}
check "watch: the list first" wait_for "^LISTED node-00007 " "$WO"
fakectl post /api/v1/nodes '{"metadata":{"name":"w-1"}}' >/dev/null
check "watch: ADDED" wait_for "^ADDED w-1 - -" "$WO"
MP=application/merge-patch+json
fakectl patch /api/v1/nodes/w-1 '{"spec":{"podCIDRs":["10.88.0.0/24"]}}' $MP >/dev/null
check "watch: MODIFIED when the pod CIDRs arrive" wait_for "^MODIFIED w-1 10.88.0.0/24 - xc/cidrs=-" "$WO"
fakectl patch /api/v1/nodes/w-1 '{"metadata":{"annotations":{"xc/cidrs":"10.99.0.0/16"}}}' $MP >/dev/null
check "watch: a selected annotation shows" wait_for "^MODIFIED w-1 .* xc/cidrs=10.99.0.0/16" "$WO"
fakectl events '{"count": 20}' >/dev/null
fakectl delete /api/v1/nodes/w-1 >/dev/null
check "watch: DELETED" wait_for "^DELETED w-1 " "$WO"
check_out "heartbeats (status only) are not shown" 2 sh -c "grep -c '^MODIFIED' $WO"
check "bookmarks arrive" wait_for "bookmark at resourceVersion" "$WE"

# 410 as an ERROR event: list again
fakectl faults '{"expire": "event"}' >/dev/null
check "410 ERROR event: listed again" wait_for "410 Expired.*list again" "$WE"
check "410 ERROR event: LISTED lines again" sh -c "[ \$(grep -c '^LISTED node-00001 ' $WO) -ge 2 ]"

# 429 with Retry-After 2: honoured. Meanwhile the server moves on and forgets
# its history, so the next watch gets HTTP 410: list again. The 429s go on
# (each honoured) until that is done, then are cleared: the next watch comes
# after it however long the two requests take.
fakectl post /fake/stats/reset >/dev/null
fakectl faults '{"status": {"code": 429, "match": "watch", "retry_after": 2, "count": 1000}, "drop_watches": "abort"}' >/dev/null
check "429: backed off" wait_for "429 TooManyRequests.*again in [0-9]+ ms" "$WE"
fakectl events '{"count": 1}' >/dev/null
fakectl faults '{"expire": "http"}' >/dev/null
fakectl faults '{"clear": true}' >/dev/null
check "410 status on a re-watch: listed again" wait_for "410 Gone: list again" "$WE"
fakectl --log stats > "$D/stats429.json"
check "429: the next watch came at least 2 s later" python3 - "$D/stats429.json" <<'EOF'
import json, sys
log = sorted((e for e in json.load(open(sys.argv[1]))["log"] if e["verb"] == "watch"), key=lambda e: e["t"])
i = next(i for i, e in enumerate(log) if e["code"] == 429)
assert log[i + 1]["t"] - log[i]["t"] >= 1.95, (log[i], log[i + 1])
EOF
# 500: back off and resume
fakectl faults '{"status": {"code": 500, "match": "watch", "count": 2}, "drop_watches": "abort"}' >/dev/null
check "500: backed off" wait_for "500 InternalError.*again in" "$WE"
fakectl post /api/v1/nodes '{"metadata":{"name":"w-2"}}' >/dev/null
check "500: resumed" wait_for "^ADDED w-2 " "$WO"

# token rotation: the server stops taking tok-1; the file the client reads changes
printf 'tok-2\ntok-admin\n' > "$D/token"
echo tok-2 > "$D/sub/tokfile"
fakectl faults '{"drop_watches": "abort"}' >/dev/null
fakectl post /api/v1/nodes '{"metadata":{"name":"w-3"}}' >/dev/null
check "token rotation: still watching" wait_for "^ADDED w-3 " "$WO"

# a server restart: connections refused for a while (until the watch has met
# one), then on
fake_stop
check "server down: the watch meets a refused connection" wait_for "Connection refused.*again in" "$WE"
fake_start --nodes 7 --client-ca "$C/ca.crt" --bookmark-interval 0.5 --state "$D/state.json" ||
	t_fail "server restart"
fakectl post /api/v1/nodes '{"metadata":{"name":"w-4"}}' >/dev/null
check "server restart: recovered" wait_for "^(ADDED|LISTED) w-4 " "$WO" 90
check "the watch never exited" kill -0 "$W_PID"
check_exit "no token in any message" 1 grep -q "tok-" "$WE"

t_done
