# lib.sh: run the fake API server from a shell suite (source it after t.sh).
#
#   FAKE_DIR=$(mktemp -d)            a private folder (the suite removes it)
#   fake_certs                       the test PKI in $FAKE_DIR/certs (test/lib/mkcerts.sh)
#   echo tok-1 > "$FAKE_DIR/token"   bearer tokens the server accepts (re-read on change)
#   fake_start [fakeapi.py options]  start on 127.0.0.1 (FAKE_HOST=::1 for IPv6), any port;
#                                    sets FAKE_PID FAKE_PORT FAKEAPI_URL FAKEAPI_CA FAKEAPI_TOKEN
#                                    (FAKE_PORT set beforehand: restart on that port)
#   fake_kubeconfig FILE [TOKEN]     a kubeconfig for the server started (TOKEN: the
#                                    token file's first)
#   fake_stop                        SIGTERM (the server saves --state) and wait
#   fakectl ARGS                     test/fakeapi/fakectl.py against that server
#
# The server's stderr goes to $FAKE_DIR/fakeapi.log. A server whose parent
# exits stops by itself, so a killed suite leaves nothing behind.
FAKE_LIB_DIR=$(cd "$(dirname "${0:-.}")/../fakeapi" 2>/dev/null && pwd)
[ -f "$FAKE_LIB_DIR/fakeapi.py" ] || FAKE_LIB_DIR=$(pwd)/test/fakeapi
FAKE_PID=

fake_certs() {
	sh "$FAKE_LIB_DIR/../lib/mkcerts.sh" "$FAKE_DIR/certs"
}

fake_start() {
	host=${FAKE_HOST:-127.0.0.1}
	rm -f "$FAKE_DIR/port"
	set -- --listen "$host" --port "${FAKE_PORT:-0}" --port-file "$FAKE_DIR/port" "$@"
	if [ -f "$FAKE_DIR/certs/server.crt" ]; then
		set -- --cert "$FAKE_DIR/certs/server.crt" --key "$FAKE_DIR/certs/server.key" "$@"
	fi
	[ -f "$FAKE_DIR/token" ] && set -- --token-file "$FAKE_DIR/token" "$@"
	python3 "$FAKE_LIB_DIR/fakeapi.py" "$@" 2>>"$FAKE_DIR/fakeapi.log" &
	FAKE_PID=$!
	# a safety deadline (60 s): a server that died ends the wait at once,
	# and a busy machine may take seconds to start Python and load 5,000 nodes
	i=0
	while [ ! -s "$FAKE_DIR/port" ]; do
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 "$FAKE_PID" 2>/dev/null; then
			echo "fake_start: the server did not start:" >&2
			tail -5 "$FAKE_DIR/fakeapi.log" >&2
			return 1
		fi
		sleep 0.05
	done
	FAKE_PORT=$(cat "$FAKE_DIR/port")
	case "$*" in *--plain*) scheme=http ;; *) scheme=https ;; esac
	case "$host" in *:*) FAKEAPI_URL="$scheme://[$host]:$FAKE_PORT" ;; *) FAKEAPI_URL="$scheme://$host:$FAKE_PORT" ;; esac
	FAKEAPI_CA="$FAKE_DIR/certs/ca.crt"
	FAKEAPI_TOKEN=$(head -1 "$FAKE_DIR/token" 2>/dev/null | cut -d, -f1)
	export FAKEAPI_URL FAKEAPI_CA FAKEAPI_TOKEN
}

fake_kubeconfig() {
	cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster: {server: "$FAKEAPI_URL", certificate-authority: "$FAKEAPI_CA"}
users:
- name: u
  user: {token: ${2:-$FAKEAPI_TOKEN}}
contexts:
- name: fake
  context: {cluster: fake, user: u}
current-context: fake
KC
}

fake_stop() {
	[ -n "$FAKE_PID" ] || return 0
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null
	FAKE_PID=
}

fakectl() {
	python3 -S "$FAKE_LIB_DIR/fakectl.py" "$@"
}
