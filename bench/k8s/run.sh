#!/bin/sh
# core/kube/k8s against the fake API server holding realistic nodes (~10 KB of
# JSON each, test/fakeapi/nodegen.py), over TLS with a bearer token:
#   - a full paginated LIST into a node table: wall and CPU time, peak RSS;
#   - CPU time per WATCH event (MODIFIED heartbeats, full objects).
# bench.c is built like the release binary (musl-gcc -Os, static, BearSSL),
# from the release build's core objects, by make bench-bin.
#
#   K8S_BENCH_NODES   nodes (default 5000)
#   K8S_BENCH_LIMIT   nodes per LIST page (default 500)
#   K8S_BENCH_EVENTS  watch events (default 2000)
#   K8S_BENCH_BIN     the built bench.c (default build/bench/k8s/bench)
set -u
cd "$(dirname "$0")/../.."
nodes=${K8S_BENCH_NODES:-5000}
limit=${K8S_BENCH_LIMIT:-500}
events=${K8S_BENCH_EVENTS:-2000}
bin=${K8S_BENCH_BIN:-build/bench/k8s/bench}
[ -x "$bin" ] || { echo "k8s: no $bin (make bench-bin)"; exit 1; }

FAKE_DIR=$(mktemp -d)
. test/fakeapi/lib.sh
trap 'fake_stop; rm -rf "$FAKE_DIR"' EXIT INT TERM
fake_certs >/dev/null || exit 1
echo bench-token > "$FAKE_DIR/token"
echo "k8s: starting the fake API server with $nodes nodes"
fake_start --nodes "$nodes" --no-gzip --history 100000 || exit 1
kc=$FAKE_DIR/kubeconfig
cat > "$kc" <<KC
apiVersion: v1
kind: Config
current-context: b
clusters:
- name: fake
  cluster:
    server: $FAKEAPI_URL
    certificate-authority: $FAKEAPI_CA
contexts:
- name: b
  context: {cluster: fake, user: b}
users:
- name: b
  user:
    tokenFile: $FAKE_DIR/token
KC
echo "== k8s: $nodes nodes, LIST $limit a page, then $events watch events"
"$bin" "$kc" "$limit" "$events" || exit 1
echo "-- the same list with 100 a page:"
"$bin" "$kc" 100 0
if [ -x /usr/bin/kubectl ]; then
	echo "-- for scale: kubectl get nodes -o name (paginated by 500, the same server):"
	/usr/bin/time -f "kubectl: %e s wall, %U+%S s CPU, peak RSS %M KB" \
		/usr/bin/kubectl --kubeconfig="$kc" get nodes -o name 2>&1 >/dev/null | tail -1
fi
