#!/bin/sh
# security: what docs/reliability.md ("Security review") claims, shown on the
# binary itself.
#   1. Credentials: a bearer token (inline, tokenFile, in-cluster) and a
#      client key never appear in stdout, stderr or any file the programs
#      write, at LOG_LEVEL=debug, in nodes, nodes --watch, router --once
#      --dry-run, the router daemon, node-local; not after a 401 either.
#   2. TLS through the binary: wrong CA, wrong name (host and
#      tls-server-name), expired and not-yet-valid certificates and a missing
#      CA fail with a message naming the cause; insecure-skip-tls-verify works
#      only when set, and warns. 2c: no token or client certificate over
#      plain http but to loopback (F1), where it warns.
#   3. No traversal through CNI inputs: container IDs, interface names,
#      network names, ipam.type and CNI_NETNS (FIFO, device, plain file,
#      "..", a symlink to a FIFO) are refused with their code, in bounded
#      time, and nothing outside the dataDir is created or run.
#   F2: the router keeps CAP_NET_ADMIN alone with no_new_privs; it and
#      nodes --watch are not dumpable.
#   4. Modes: node-local's state 0600 (ipam_faults.sh has the rest), the
#      router's podcidrs 0644 via a temporary file, install's files whatever
#      the umask.
# As root the whole suite runs in a network namespace of its own (unshare -n,
# the fake API server on its loopback); the router and bridge parts need
# that and are skipped without root. The root network namespace is never touched.
. test/lib/t.sh
. test/fakeapi/lib.sh
XCA=$(cd "$(dirname "$XC")" && pwd)/$(basename "$XC")
ROOT=0
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	# everything below, fake API server included, in a network namespace of its own
	if [ "${XC_SEC_NS:-}" != 1 ]; then
		XC_SEC_NS=1 exec unshare -n sh -c 'ip link set lo up && exec sh "$0" "$@"' "$0" "$@"
	fi
	ROOT=1
fi

FAKE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/xc-sec.XXXXXX")
D=$FAKE_DIR
R_PID= BG_PIDS=
cleanup() {
	[ -n "$R_PID" ] && kill "$R_PID" 2>/dev/null && wait "$R_PID" 2>/dev/null
	for p in $BG_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	fake_stop
	[ -n "${KEEP:-}" ] || rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM   # (the EXIT trap cleans up; a suite must not run on)
unset KUBECONFIG KUBERNETES_SERVICE_HOST KUBERNETES_SERVICE_PORT XC_SA_DIR
export HOME="$D/home"
mkdir -p "$HOME" "$D/out"
C=$D/certs
fake_certs || { t_fail "mkcerts"; t_done; exit 1; }

# A token that cannot occur by chance, and a second one the server refuses.
TOK="xcsecret$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
BAD="xcsecretbad$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$TOK" > "$D/token"
fake_start --nodes 3 --client-ca "$C/ca.crt" || { t_fail "fake API server start"; t_done; exit 1; }

kubeconfig() { # FILE SERVER CLUSTER-LINES USER-LINES
	{
		echo "apiVersion: v1"
		echo "kind: Config"
		echo "clusters:"
		echo "- name: c"
		echo "  cluster:"
		echo "    server: $2"
		printf '%s\n' "$3" | sed '/^$/d; s/^/    /'
		echo "contexts:"
		echo "- name: x"
		echo "  context:"
		echo "    cluster: c"
		echo "    user: u"
		echo "current-context: x"
		echo "users:"
		echo "- name: u"
		echo "  user:"
		printf '%s\n' "$4" | sed '/^$/d; s/^/    /'
	} > "$1"
}
b64() { base64 -w0 < "$1"; }

# --- 1. credentials ---------------------------------------------------------------
kubeconfig "$D/kc-tok" "$FAKEAPI_URL" "certificate-authority: $C/ca.crt" "token: $TOK"
printf '%s' "$TOK" > "$D/tokfile"
kubeconfig "$D/kc-tokfile" "$FAKEAPI_URL" "certificate-authority: $C/ca.crt" "tokenFile: $D/tokfile"
kubeconfig "$D/kc-bad" "$FAKEAPI_URL" "certificate-authority: $C/ca.crt" "token: $BAD"
kubeconfig "$D/kc-cert" "$FAKEAPI_URL" "certificate-authority-data: $(b64 "$C/ca.crt")" \
"client-certificate-data: $(b64 "$C/client-ec.crt")
client-key-data: $(b64 "$C/client-ec.key")"
mkdir -p "$D/sa"
cp "$C/ca.crt" "$D/sa/ca.crt"
printf '%s' "$TOK" > "$D/sa/token"
echo default > "$D/sa/namespace"
# Secrets whose appearance anywhere is a leak: the tokens, the client key's
# base64 lines (PEM body) and the base64 of the whole key as the kubeconfig
# carries it.
printf '%s\n%s\n' "$TOK" "$BAD" > "$D/secrets"
grep -v '^-----' "$C/client-ec.key" >> "$D/secrets"
b64 "$C/client-ec.key" | cut -c1-40 >> "$D/secrets"
export LOG_LEVEL=debug

run_to() { # NAME CMD...: stdout and stderr into $D/out/NAME.{out,err} (60 s at most: a hang)
	n=$1; shift
	timeout 60 "$@" > "$D/out/$n.out" 2> "$D/out/$n.err"
}
router_once() { # NAME KUBECONFIG CACHE-DIR: one dry-run pass of the router, run_to NAME
	run_to "$1" "$XCA" router --once --dry-run --kubeconfig "$2" \
		--node-name node-00001 --tunnel-mode none --cache-dir "$3" --metrics-port 0
}
run_to nodes-token "$XC" nodes --kubeconfig "$D/kc-tok"
check_out "token: nodes lists the 3 nodes" 3 sh -c "wc -l < $D/out/nodes-token.out"
run_to nodes-json "$XC" nodes --kubeconfig "$D/kc-tok" --json
run_to nodes-tokfile "$XC" nodes --kubeconfig "$D/kc-tokfile"
check_out "tokenFile: nodes lists the 3 nodes" 3 sh -c "wc -l < $D/out/nodes-tokfile.out"
run_to nodes-cert "$XC" nodes --kubeconfig "$D/kc-cert"
check_out "client certificate: nodes lists the 3 nodes" 3 sh -c "wc -l < $D/out/nodes-cert.out"
run_to nodes-incluster env KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$FAKE_PORT" \
	XC_SA_DIR="$D/sa" "$XC" nodes
check_out "in-cluster: nodes lists the 3 nodes" 3 sh -c "wc -l < $D/out/nodes-incluster.out"
run_to nodes-401 "$XC" nodes --kubeconfig "$D/kc-bad"
check_grep "a refused token: 401 named" "401" cat "$D/out/nodes-401.err"
# nodes --watch, until it listed (at debug level, "listed at") and resumed
# its watch once the server ended it (--watch-timeout 1): the second watch
# request. No other client has watched yet.
"$XC" nodes --kubeconfig "$D/kc-tok" --watch --watch-timeout 1 \
	> "$D/out/nodes-watch.out" 2> "$D/out/nodes-watch.err" &
NW_PID=$!
BG_PIDS=$NW_PID
watches_seen() { [ "$(fakectl stats | fakectl pick verbs.watch)" -ge "$1" ]; }
t_wait 60 grep -q "listed at resourceVersion" "$D/out/nodes-watch.err"
check "nodes --watch: a resumed watch" t_wait 60 watches_seen 2
kill "$NW_PID"; wait "$NW_PID" 2>/dev/null; BG_PIDS=
check_grep "nodes --watch: listed" "^LISTED" cat "$D/out/nodes-watch.out"
if [ $ROOT = 1 ]; then
	router_once router-once "$D/kc-tok" "$D/cache"
	check_grep "router --once --dry-run: ran against the API" "node-0000[23]" \
		cat "$D/out/router-once.out" "$D/out/router-once.err"
	router_once router-cert "$D/kc-cert" "$D/cache2"
	router_once router-401 "$D/kc-bad" "$D/cache3"
	# the daemon, a few seconds of list + watch + resync at debug level
	"$XCA" router --kubeconfig "$D/kc-tokfile" --node-name node-00001 \
		--tunnel-mode none --cache-dir "$D/cache4" --metrics-port 19142 --resync 1 \
		> "$D/out/router-daemon.out" 2> "$D/out/router-daemon.err" &
	R_PID=$!
	healthz_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19142/healthz)" = 200 ]; }
	full_syncs() { curl -s http://127.0.0.1:19142/metrics | sed -n 's/^xcluster_router_full_syncs_total //p'; }
	full_syncs_above() { [ "$(full_syncs)" -gt "$1" ]; }
	t_wait 60 healthz_ok
	check "router: a couple of resyncs at debug level" t_wait 60 full_syncs_above 1
	check_out "router /healthz answers" 200 \
		curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19142/healthz
	check_out "router /healthz: a request head over 2048 bytes is 431" 431 \
		curl -s -o /dev/null -w '%{http_code}' -H "X-Pad: $(head -c 3000 /dev/zero | tr '\0' a)" \
		http://127.0.0.1:19142/healthz
	check_out "router /metrics: no token in the metrics" 0 sh -c \
		'curl -s http://127.0.0.1:19142/metrics | grep -cF "$1"' _ "$TOK"
	# F2: it holds the token for months: CAP_NET_ADMIN (0x1000) alone, in every set
	# that can give a capability back, and no privilege through execve either
	check_out "F2: router daemon keeps CAP_NET_ADMIN only, NoNewPrivs" \
		"CapInh: 0000000000000000 CapPrm: 0000000000001000 CapEff: 0000000000001000 CapBnd: 0000000000001000 CapAmb: 0000000000000000 NoNewPrivs: 1 " \
		awk '/^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):/ { printf "%s %s ", $1, $2 }' "/proc/$R_PID/status"
	# SIGHUP: the router lists again (with the token), then a full sync
	kill -HUP "$R_PID" 2>/dev/null
	check "router: SIGHUP taken" t_wait 60 grep -q "SIGHUP: re-reading the node source" "$D/out/router-daemon.err"
	check "router: ... then a full sync" t_wait 60 full_syncs_above "$(full_syncs)"
	kill "$R_PID" 2>/dev/null
	wait "$R_PID" 2>/dev/null
	R_PID=
	check_grep "router daemon: ran" "node-0000" cat "$D/out/router-daemon.err" "$D/out/router-daemon.out"
	check_out "router: podcidrs written 0644 (a public fact), no temporary file left" \
		"644 podcidrs" sh -c 'cd "$1/xcluster-cni" && stat -c "%a %n" $(ls -A)' _ "$D/cache4"
	# F2: nodes --watch holds the token too: not dumpable, so its /proc files are
	# root's instead of its user's (a process of that user could read its memory)
	PUB=$(t_public_bin)
	cp "$C/ca.crt" "$PUB/ca.crt" && chmod 644 "$PUB/ca.crt"
	kubeconfig "$PUB/kc" "$FAKEAPI_URL" "certificate-authority: $PUB/ca.crt" "token: $TOK"
	chmod 644 "$PUB/kc"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$PUB/xcluster-cni" nodes --kubeconfig "$PUB/kc" --watch --watch-timeout 5 > "$PUB/w.out" 2>&1 &
	W_PID=$!
	# both live until killed below (nodes --watch does; the sleep must outlast the checks)
	setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 &
	S_PID=$!
	BG_PIDS="$W_PID $S_PID"
	t_wait 60 grep -q LISTED "$PUB/w.out"
	check_out "F2: a process of uid 65534 owns its /proc files (the check below can fail)" 65534 \
		stat -c %u "/proc/$S_PID/environ"
	check_out "F2: nodes --watch as uid 65534 is not dumpable" 0 stat -c %u "/proc/$W_PID/environ"
	kill "$W_PID" "$S_PID" 2>/dev/null
	wait "$W_PID" "$S_PID" 2>/dev/null
	BG_PIDS=
	rm -rf "$PUB"
else
	t_skip "router runs need root (a network namespace of their own)" 14
fi
# node-local never talks to the API; it must not pick a secret up from the environment either
mkdir -p "$D/nl"
echo '{"cniVersion":"1.1.0","name":"n","type":"node-local","ipam":{"type":"node-local","dataDir":"'"$D"'/nl","subnet":"10.9.0.0/24"}}' |
	env CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/x CNI_IFNAME=eth0 KUBECONFIG="$D/kc-tok" \
	"$XC" node-local > "$D/out/node-local.out" 2> "$D/out/node-local.err"
check_grep "node-local at debug level: ADD worked" '"address": "10.9.0.2/24"' cat "$D/out/node-local.out"
# Every file under $D that we did not write with a secret on purpose.
leaks() {
	find "$D" -type f ! -path "$D/certs/*" ! -path "$D/sa/*" ! -name 'kc-*' ! -name 'tokfile*' \
		! -name token ! -name secrets -print0 | xargs -0 -r grep -lF -f "$D/secrets"
}
echo "planted $TOK" > "$D/out/selftest"
check_out "the leak finder finds a planted token" "$D/out/selftest" leaks
rm -f "$D/out/selftest"
check_out "no token or key bytes in any output or file (stdout, stderr, state, cache, logs)" "" leaks
check_grep "debug level was on" "debug:" cat "$D/out/nodes-watch.err"
check "the outputs looked at are not empty" test -s "$D/out/nodes-token.out" -a -s "$D/out/nodes-json.out"
unset LOG_LEVEL

# --- 2. TLS through the binary ------------------------------------------------------
fails_with() { # DESC REGEX KUBECONFIG: nodes must exit 1 with REGEX in stderr
	"$XC" nodes --kubeconfig "$3" > "$D/out/tls.out" 2> "$D/out/tls.err"
	rc=$?
	if [ "$rc" = 1 ] && grep -Eq -- "$2" "$D/out/tls.err" && [ ! -s "$D/out/tls.out" ]; then
		t_ok
	else
		t_fail "$1 (exit $rc, want 1 and /$2/: $(head -c 300 "$D/out/tls.err"))"
	fi
}
URL127=$FAKEAPI_URL
URLLH=$(echo "$FAKEAPI_URL" | sed 's/127\.0\.0\.1/localhost/')
kubeconfig "$D/kc-otherca" "$URL127" "certificate-authority: $C/other-ca.crt" "token: $TOK"
fails_with "a CA that did not sign the server's certificate" "unknown authority" "$D/kc-otherca"
kubeconfig "$D/kc-otherca-f" "$URL127" "certificate-authority: $C/other-ca.crt
insecure-skip-tls-verify: false" "token: $TOK"
fails_with "insecure-skip-tls-verify: false changes nothing" "unknown authority" "$D/kc-otherca-f"
kubeconfig "$D/kc-noca" "$URL127" "" "token: $TOK"
fails_with "https without any CA" "no certificate-authority" "$D/kc-noca"
kubeconfig "$D/kc-sn" "$URL127" "certificate-authority: $C/ca.crt
tls-server-name: wrong.example" "token: $TOK"
fails_with "tls-server-name not in the certificate" "not for wrong\.example" "$D/kc-sn"
kubeconfig "$D/kc-insecure" "$URL127" "insecure-skip-tls-verify: true" "token: $TOK"

fake_stop
fake_start --cert "$C/ip-only.crt" --key "$C/ip-only.key" || t_fail "restart (ip-only)"
kubeconfig "$D/kc-lh" "$URLLH" "certificate-authority: $C/ca.crt" "token: $TOK"
fails_with "a host name the certificate does not carry" "not for localhost" "$D/kc-lh"

fake_stop
fake_start --cert "$C/expired.crt" --key "$C/expired.key" || t_fail "restart (expired)"
fails_with "an expired certificate" "expired|until 2020-01-02" "$D/kc-tok"

fake_stop
fake_start --cert "$C/future.crt" --key "$C/future.key" || t_fail "restart (future)"
fails_with "a certificate not valid yet" "not valid|from 2090" "$D/kc-tok"

fake_stop
fake_start --nodes 3 --cert "$C/other.crt" --key "$C/other.key" || t_fail "restart (other CA)"
fails_with "a server certificate from another CA" "unknown authority" "$D/kc-tok"
"$XC" nodes --kubeconfig "$D/kc-insecure" > "$D/out/ins.out" 2> "$D/out/ins.err"
check_out "insecure-skip-tls-verify: true lists the nodes" 3 sh -c "wc -l < $D/out/ins.out"
check_grep "... and warns" "warn.*insecure-skip-tls-verify" cat "$D/out/ins.err"
if [ $ROOT = 1 ]; then
	router_once rins "$D/kc-insecure" "$D/cache5"
	check_grep "router with insecure-skip-tls-verify warns" "warn.*not verified" cat "$D/out/rins.err"
	router_once rbad "$D/kc-tok" "$D/cache6"
	check_grep "router against a certificate from another CA: refused, named" "unknown authority" \
		cat "$D/out/rbad.err"
	check_exit "... and no warning about insecure mode" 1 grep -q "not verified" "$D/out/rbad.err"
else
	t_skip "router TLS runs need root (a network namespace of their own)" 3
fi
fake_stop

# --- 2b. input limits named in the error ---------------------------------------------
fake_start --nodes 3 || t_fail "restart"
limit_err() { # DESC REGEX KUBECONFIG
	"$XC" nodes --kubeconfig "$3" > /dev/null 2> "$D/out/lim.err"
	rc=$?
	if [ "$rc" = 1 ] && grep -Eq -- "$2" "$D/out/lim.err"; then t_ok; else
		t_fail "$1 (exit $rc, want 1 and /$2/: $(head -c 300 "$D/out/lim.err"))"; fi
}
cp "$D/kc-tok" "$D/kc-big"
head -c 1100000 /dev/zero | tr '\0' '#' >> "$D/kc-big"
limit_err "a kubeconfig over 1 MiB" "larger than 1 MiB" "$D/kc-big"
kubeconfig "$D/kc-longtok" "$FAKEAPI_URL" "certificate-authority: $C/ca.crt" \
	"token: $(head -c 5000 /dev/zero | tr '\0' t)"
limit_err "a token over 4096 bytes" "(longer than|over) 4096 bytes" "$D/kc-longtok"
kubeconfig "$D/kc-bigpem" "$FAKEAPI_URL" \
	"certificate-authority-data: $(head -c 40000 /dev/zero | base64 -w0)" "token: $TOK"
limit_err "*-data over 32768 bytes" "over 32768 bytes" "$D/kc-bigpem"
fake_stop

# --- 2c. credentials over plain http (F1) ---------------------------------------------
# Refused before any connection unless the server is loopback (a proxy on the
# node); there it works, with a warning. 198.18.0.1 is never dialled.
fake_start --plain --nodes 3 || t_fail "restart (plain)"
kubeconfig "$D/kc-plain" "http://198.18.0.1:8080" "" "token: $TOK"
fails_with "F1: a token over plain http to a host that is not loopback: refused, named" \
	"server http://198\.18\.0\.1:8080 is plain http: refusing to send the bearer token" "$D/kc-plain"
kubeconfig "$D/kc-plain-cert" "http://198.18.0.1:8080" "" "client-certificate: $C/client-ec.crt
client-key: $C/client-ec.key"
fails_with "F1: a client certificate over plain http: refused" "refusing to send a client certificate" \
	"$D/kc-plain-cert"
kubeconfig "$D/kc-plain-lo" "$FAKEAPI_URL" "" "token: $TOK"
"$XC" nodes --kubeconfig "$D/kc-plain-lo" > "$D/out/plain.out" 2> "$D/out/plain.err"
check_out "F1: a token over plain http to loopback lists the nodes" 3 sh -c "wc -l < $D/out/plain.out"
check_grep "F1: ... and warns" "warn.*is plain http: credentials are sent unencrypted" cat "$D/out/plain.err"
if [ $ROOT = 1 ]; then
	router_once rplain "$D/kc-plain" "$D/cache7"
	check_grep "F1: router with a token over plain http to 198.18.0.1: refused" \
		"refusing to send the bearer token" cat "$D/out/rplain.err"
	router_once rplainlo "$D/kc-plain-lo" "$D/cache8"
	check_grep "F1: router over plain http to loopback warns" "warn.*is plain http" \
		cat "$D/out/rplainlo.err"
else
	t_skip "router over plain http needs root (a network namespace of its own)" 2
fi
fake_stop
check_grep "F5: fakectl.py --help prints its usage" "^  fakectl\.py \[--server URL\]" \
	python3 test/fakeapi/fakectl.py --help

# --- 3. no traversal through CNI inputs ------------------------------------------------
S=$D/cni
mkdir -p "$S/bin" "$S/state" "$S/outside"
ln -s "$XCA" "$S/bin/node-local"
ln -s "$XCA" "$S/bin/bridge"
printf '#!/bin/sh\ntouch "%s/pwned"\necho "{}"\n' "$D" > "$S/evil"
chmod +x "$S/evil"
cp "$S/evil" "$S/bin/evil-ipam"
cni() { # PLUGIN CMD CID IFNAME NETNS CONF: sets RC CODE
	printf '%s' "$6" > "$D/stdin"
	OUT=$(timeout 60 env CNI_COMMAND="$2" CNI_CONTAINERID="$3" CNI_IFNAME="$4" CNI_NETNS="$5" \
		CNI_PATH="$S/bin" "$S/bin/$1" < "$D/stdin" 2>/dev/null)
	RC=$?
	CODE=$(printf '%s' "$OUT" | sed -n 's/.*"code": *\([0-9]*\).*/\1/p' | head -1)
}
want() { # DESC CODE
	if [ "$RC" = 1 ] && [ "$CODE" = "$2" ]; then t_ok; else t_fail "$1 (exit $RC, code $CODE, want $2)"; fi
}
NL='{"cniVersion":"1.1.0","name":"n","type":"node-local","ipam":{"type":"node-local","dataDir":"'"$S/state"'","subnet":"10.9.9.0/24"}}'
for id in "../outside" "a/../../outside" ".." "." "/abs" "-rf"; do
	cni node-local ADD "$id" eth0 /x "$NL"
	want "container ID \"$id\"" 4
done
for ifn in "../x" ".." "." "a/b" "eth0
x"; do
	cni node-local ADD c1 "$ifn" /x "$NL"
	want "interface name \"$ifn\"" 4
done
for name in "../outside" "a/b" ".." "." "-x"; do
	cni node-local ADD c1 eth0 /x "$(echo "$NL" | sed "s#\"name\":\"n\"#\"name\":\"$name\"#")"
	want "network name \"$name\"" 7
done
check_out "nothing created outside the dataDir" "" ls -A "$S/outside"
check_out "... nor in the dataDir" "" ls -A "$S/state"
BR='{"cniVersion":"1.1.0","name":"n","type":"bridge","bridge":"xcsec0","ipam":{"type":"TYPE","dataDir":"'"$S/state"'","subnet":"10.9.9.0/24"}}'
for t in "../evil" "$S/evil" "/bin/sh" ".." "."; do
	cni bridge STATUS - eth0 "" "$(echo "$BR" | sed "s#TYPE#$t#")"
	want "ipam.type \"$t\"" 7
done
cni bridge STATUS - eth0 "" "$(echo "$BR" | sed "s#TYPE#evil-ipam#")"
check "a plugin on CNI_PATH does run (the check above can fail)" test -e "$D/pwned"
rm -f "$D/pwned"
cni bridge STATUS - eth0 "" "$(echo "$BR" | sed "s#TYPE#../evil#")"
check "a traversing ipam.type runs nothing" test ! -e "$D/pwned"
if [ $ROOT = 1 ]; then
	mkfifo "$S/fifo"
	ln -s "$S/fifo" "$S/fifolink"
	: > "$S/plain"
	mkdir "$S/links"
	export S
	brns() { # NETNS: bridge ADD in a new network namespace; sets RC CODE; LINKS: veths left
		printf '%s' "$(echo "$BR" | sed "s#TYPE#node-local#")" > "$D/stdin"
		OUT=$(timeout 60 unshare -n sh -c 'env CNI_COMMAND=ADD CNI_CONTAINERID=c9 CNI_IFNAME=eth0 \
			CNI_NETNS="$1" CNI_PATH="$S/bin" "$S/bin/bridge" < "$2"; rc=$?;
			ip -o link show type veth > "$S/links/veth"; exit $rc' _ "$1" "$D/stdin" 2>/dev/null)
		RC=$?
		CODE=$(printf '%s' "$OUT" | sed -n 's/.*"code": *\([0-9]*\).*/\1/p' | head -1)
	}
	for ns in "$S/fifo" "$S/fifolink" /dev/null "$S/plain" "$S/missing" /proc/self/ns/mnt; do
		brns "$ns"
		want "CNI_NETNS $ns" 107
		check_out "CNI_NETNS $ns: no veth left behind" "" cat "$S/links/veth"
	done
	brns /proc/self/ns/mnt
	check_grep "B8: another type of namespace is named in the message" \
		'"CNI_NETNS /proc/self/ns/mnt is a mnt namespace, not a network namespace"' echo "$OUT"
	brns "/proc/self/../self/ns/net"
	want "CNI_NETNS with .." 107
	check_grep "B8: CNI_NETNS with .. says the rule, not \"Invalid argument\"" \
		'"CNI_NETNS must be an absolute path without \. or \.\. components naming a network namespace: /proc/self/\.\./self/ns/net"' echo "$OUT"
	check_out "no address left allocated by the failed ADDs" "" \
		sh -c 'ls "$1/n" 2>/dev/null | grep "^10\."' _ "$S/state"
else
	t_skip "bridge with odd CNI_NETNS needs root and unshare -n" 17
fi

# --- 4. modes ---------------------------------------------------------------------------
rm -rf "$S/state"
(umask 000; printf '%s' "$NL" | env CNI_COMMAND=ADD CNI_CONTAINERID=m1 CNI_NETNS=/x CNI_IFNAME=eth0 \
	"$XC" node-local > /dev/null)
check_out "node-local under umask 000: dir 755, files 600" "755 600 600 600 600" sh -c \
	'cd "$1" && echo $(stat -c %a . 10.9.9.2 last_reserved_ip.0 lock xc-index)' _ "$S/state/n"
mkdir -p "$D/inst/bin" "$D/inst/conf"
(umask 000; "$XC" install --bin-dir "$D/inst/bin" --conf-dir "$D/inst/conf" --mtu 1500 \
	--tunnel-mode none > /dev/null 2>&1)
check_out "install under umask 000: binary 755, conflist 644" "755 644" sh -c \
	'echo $(stat -c %a "$1/bin/xcluster-cni" "$1/conf/10-xcluster-cni.conflist")' _ "$D/inst"
check_out "install: the plugin names are relative links to the binary" \
	"xcluster-cni xcluster-cni xcluster-cni" \
	sh -c 'echo $(readlink "$1/xcluster-bridge" "$1/xcluster-node-local" "$1/xcluster-portmap")' _ "$D/inst/bin"

check_out "at the end, still no token or key bytes anywhere (TLS and limit runs included)" "" leaks

t_done
