#!/bin/sh
# bench/router/apicost.sh: what one router start costs the API server, read
# from the fake API server (test/fakeapi) with BENCH_NODES generated nodes
# (default 5000, ~10 KB each): its requests (from its log) and the bytes
# that crossed loopback both ways (TLS included; the server alone in a
# network namespace made here), for
#   watchlist  the router against a server that serves WatchList
#   list-rv0   the router against one that refuses it (LIST at 0, WATCH)
#   quorum     the paginated quorum LIST the router made before (limit=500,
#              no resourceVersion): the `nodes` applet, which lists so
# The router runs --once --dry-run (its listing and one sync, nothing changed).
# Prints a Markdown table. Needs root.
set -u
: "${XC:?XC must name the xcluster-cni binary}"
cd "$(dirname "$0")/../.." || exit 2
N=${BENCH_NODES:-5000}
. bench/router/netns.sh
. test/lib/t.sh
. test/fakeapi/lib.sh
FAKE_DIR=$(mktemp -d)
trap 'fake_stop; rm -rf "$FAKE_DIR"' EXIT
ip link set lo up
fake_certs >/dev/null 2>&1 || exit 1
echo tok-1 > "$FAKE_DIR/token"
# loopback: every byte is sent and received on lo; the received count is the traffic, both ways
lo_bytes() { awk '$1 == "lo:" { print $2 }' /proc/net/dev; }
reqs() {
	fakectl --log stats | python3 -c '
import json, re, sys
log = [e for e in json.load(sys.stdin)["log"] if e["path"].startswith("/api/v1/nodes")]
qs = []
for e in log:
    q = re.sub(r"continue=[^&]*", "continue=...", e["query"].split("&timeoutSeconds")[0])
    q = "%s %s %s" % (e["verb"], e["code"], q)
    if qs and qs[-1][0] == q:
        qs[-1][1] += 1
    else:
        qs.append([q, 1])
print(len(log), "; ".join(q + (" (x%d)" % n if n > 1 else "") for q, n in qs))'
}
run() { # name fakeapi-option command...
	name=$1 opt=$2; shift 2
	fake_start --nodes "$N" --watch-list "$opt" || exit 1
	fake_kubeconfig "$FAKE_DIR/kc"
	fakectl post /fake/stats/reset >/dev/null
	b0=$(lo_bytes) t0=$(date +%s%N)
	"$@" >/dev/null 2>"$FAKE_DIR/err" || { echo "$name failed:"; tail -3 "$FAKE_DIR/err"; }
	t1=$(date +%s%N) b1=$(lo_bytes)
	r=$(reqs)
	printf '| %s | %s | %s | %.1f MB | %.2f s |\n' "$name" "${r%% *}" "${r#* }" \
		"$(echo "($b1 - $b0) / 1000000" | bc -l)" "$(echo "($t1 - $t0) / 1000000000" | bc -l)"
	fake_stop
}
router() { "$XC" router --kubeconfig "$FAKE_DIR/kc" --node-name node-00001 --once --dry-run \
	--tunnel-mode none --metrics-port 0 --cache-dir "$FAKE_DIR/cache"; }
echo "| $N nodes | requests | requests made | bytes (both ways, TLS) | time |"
echo "| --- | --- | --- | --- | --- |"
run watchlist on router
run list-rv0 off router
run quorum on "$XC" nodes --kubeconfig "$FAKE_DIR/kc" --limit 500
