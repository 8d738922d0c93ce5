#!/bin/sh
# node_local_lib: helpers shared by the node_local*.sh suites, which source
# it after test/lib/t.sh. Run as a suite of its own, it checks the helpers.
#
#   nl_setup                 temp dir $D, $D/bin on PATH with node-local (a link
#                            to $XC, called by its applet name as a runtime does)
#                            and the helper commands below
#   run_nl CMD CID           node-local with CNI_* set, config on stdin;
#                            NL_NETNS (set but empty: unset), NL_IFNAME, NL_ARGS
#                            override; PLUGIN=path runs another plugin instead
#   norm                     JSON on stdin -> one line, key order kept
#   addrs                    result on stdin -> "addr,addr" of its ips
#   conf_ipam V BODY [TOP]   {"cniVersion":V,"name":"n",...,"ipam":{BODY}}, TOP
#                            being extra root members (",\"k\":v")
#   conf4 V DIR SUBNET       conf_ipam with dataDir and one subnet (JSON text)
#   expect_code DESC CODE CMD CID CONF [VAR=VAL...]
#                            run_nl must exit 0 (CODE 0) or print an error
#                            document with that code and exit non-zero

nl_setup() {
	D=$(mktemp -d "${TMPDIR:-/tmp}/xc-nl.XXXXXX") || exit 2
	trap 'rm -rf "$D"' EXIT
	mkdir "$D/bin"
	ln -s "$XC" "$D/bin/node-local"
	cat > "$D/bin/run_nl" <<'EOF'
#!/bin/sh
exec env CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_NETNS="${NL_NETNS-/var/run/netns/test}" \
	CNI_IFNAME="${NL_IFNAME:-eth0}" CNI_ARGS="${NL_ARGS:-}" CNI_PATH="$NLDIR/bin" \
	"${PLUGIN:-$NLDIR/bin/node-local}"
EOF
	cat > "$D/bin/norm" <<'EOF'
#!/usr/bin/env python3
import json, sys
print(json.dumps(json.load(sys.stdin)))
EOF
	cat > "$D/bin/addrs" <<'EOF'
#!/usr/bin/env python3
import json, sys
print(",".join(ip["address"] for ip in json.load(sys.stdin).get("ips", [])))
EOF
	cat > "$D/bin/errcode" <<'EOF'
#!/usr/bin/env python3
import json, sys
try:
    print(json.load(sys.stdin).get("code"))
except Exception:
    print("not-json")
EOF
	chmod +x "$D/bin/run_nl" "$D/bin/norm" "$D/bin/addrs" "$D/bin/errcode"
	NLDIR=$D
	PATH=$D/bin:$PATH
	export NLDIR PATH D
}

conf_ipam() {
	printf '{"cniVersion":"%s","name":"n","type":"node-local"%s,"ipam":{"type":"node-local",%s}}' \
		"$1" "${3:-}" "$2"
}

conf4() {
	conf_ipam "$1" "\"dataDir\":\"$2\",\"subnet\":$3"
}

expect_code() {
	_d=$1 _want=$2 _cmd=$3 _cid=$4 _conf=$5
	shift 5
	_out=$(printf '%s' "$_conf" | env "$@" run_nl "$_cmd" "$_cid" 2>/dev/null)
	_rc=$?
	if [ "$_want" = 0 ]; then
		if [ $_rc = 0 ]; then t_ok; else t_fail "$_d (exit $_rc: $_out)"; fi
		return
	fi
	_got=$(printf '%s' "$_out" | errcode)
	if [ $_rc != 0 ] && [ "$_got" = "$_want" ]; then
		t_ok
	else
		t_fail "$_d (exit $_rc, code $_got, want $_want)"
		printf '%s\n' "$_out" | head -5 | sed 's/^/     /'
	fi
}

# Run alone: the helpers themselves.
if [ "$(basename "$0")" = node_local_lib.sh ]; then
	. test/lib/t.sh
	nl_setup
	check_out "norm" '{"b": 1, "a": [1, 2]}' sh -c 'echo "{ \"b\":1,\"a\":[1, 2] }" | norm'
	check_out "addrs" "10.0.0.2/24,fd00::2/64" sh -c \
		'echo "{\"ips\":[{\"address\":\"10.0.0.2/24\"},{\"address\":\"fd00::2/64\"}]}" | addrs'
	check_out "errcode" "7" sh -c 'echo "{\"code\": 7}" | errcode'
	check_out "errcode, not JSON" "not-json" sh -c 'echo "oops" | errcode'
	check_out "conf4" '{"cniVersion":"1.0.0","name":"n","type":"node-local","ipam":{"type":"node-local","dataDir":"/d","subnet":"10.0.0.0/8"}}' \
		conf4 1.0.0 /d '"10.0.0.0/8"'
	printf '#!/bin/sh\necho "$CNI_COMMAND $CNI_CONTAINERID $CNI_IFNAME $CNI_NETNS"\n' > "$D/bin/show"
	chmod +x "$D/bin/show"
	check_out "run_nl passes the variables" "ADD c eth1 /n" sh -c \
		'PLUGIN=$NLDIR/bin/show NL_IFNAME=eth1 NL_NETNS=/n run_nl ADD c' </dev/null
	t_done
fi
