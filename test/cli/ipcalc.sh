#!/bin/sh
# ipcalc: every command, its exit codes, eval-able output and --json.
# shellcheck disable=SC2016 # the sh -c scripts expand their own variables
. "$(dirname "$0")/../lib/t.sh"

ipc() { "$XC" ipcalc "$@"; }
nl='
'

# check_err DESC INPUT ARGS...: exit 2, nothing on stdout, one line on
# stderr that names INPUT.
check_err() {
	d=$1 input=$2; shift 2
	out=$(ipc "$@" 2>/dev/null)
	rc=$?
	err=$(ipc "$@" 2>&1 >/dev/null)
	lines=$(printf '%s\n' "$err" | wc -l)
	if [ "$rc" = 2 ] && [ -z "$out" ] && [ "$lines" = 1 ] &&
	   printf '%s' "$err" | grep -qF -- "'$input'"; then
		t_ok
	else
		t_fail "$d (exit $rc, stdout '$out', stderr '$err')"
	fi
}

# json_field JSON KEY: the value of KEY, via Python's own parser.
json_field() {
	printf '%s' "$1" | python3 -c 'import json,sys; v=json.load(sys.stdin)[sys.argv[1]]; print(json.dumps(v) if isinstance(v,(list,bool)) else v)' "$2"
}

# --- describe ------------------------------------------------------------------
check_out "v4 /24" "FAMILY=4
ADDRESS=10.1.2.3
PREFIX=24
NETMASK=255.255.255.0
NETWORK=10.1.2.0
BROADCAST=10.1.2.255
FIRST=10.1.2.1
LAST=10.1.2.254
ADDRESSES=256
CIDR=10.1.2.0/24" ipc 10.1.2.3/24

check_out "v6 /64 with zone" "FAMILY=6
ADDRESS=fe80::1
ZONE=eth0
PREFIX=64
NETMASK=ffff:ffff:ffff:ffff::
NETWORK=fe80::
FIRST=fe80::1
LAST=fe80::ffff:ffff:ffff:ffff
ADDRESSES=18446744073709551616
CIDR=fe80::/64
EXPANDED=fe80:0000:0000:0000:0000:0000:0000:0001" ipc fe80::1%eth0/64

# field VAR ARG: one variable after eval of the output.
field() {
	(eval "$(ipc "$2")" && eval "printf '%s' \"\${$1}\"")
}
check_out "bare v4 is /32" "32" field PREFIX 192.0.2.7
check_out "bare v6 is /128" "128" field PREFIX 2001:db8::7
check_out "/32 first" "192.0.2.7" field FIRST 192.0.2.7
check_out "/32 last" "192.0.2.7" field LAST 192.0.2.7
check_out "/31 first (RFC 3021)" "198.18.0.0" field FIRST 198.18.0.1/31
check_out "/31 last" "198.18.0.1" field LAST 198.18.0.1/31
check_out "/30 first" "198.18.0.5" field FIRST 198.18.0.6/30
check_out "/30 last" "198.18.0.6" field LAST 198.18.0.6/30
check_out "v4 /0 count" "4294967296" field ADDRESSES 0.0.0.0/0
check_out "v4 /0 broadcast" "255.255.255.255" field BROADCAST 1.2.3.4/0
check_out "v4 /0 netmask" "0.0.0.0" field NETMASK 1.2.3.4/0
check_out "v6 /0 count" "340282366920938463463374607431768211456" field ADDRESSES ::/0
check_out "v6 /0 first skips ::" "::1" field FIRST ::/0
check_out "v6 /127 first" "fd00::" field FIRST fd00::1/127
check_out "v6 /127 last" "fd00::1" field LAST fd00::1/127
check_out "v6 /126 first" "fd00::1" field FIRST fd00::/126
check_out "v6 /128 count" "1" field ADDRESSES fd00::1/128
check_out "v6 has no broadcast" "" field BROADCAST fd00::/64
check_out "canonical output" "2001:db8::1:0:0:1" field ADDRESS 2001:0DB8:0:0:1:0:0:1
check_out "mapped output" "::ffff:192.0.2.1" field ADDRESS ::ffff:c000:201
check_out "cidr normalised" "172.24.0.0/13" field CIDR 172.31.77.9/13

# The whole output evaluates in a plain POSIX shell and sets every key.
out=$(ipc 10.1.2.3/24)
check "eval of output" sh -c "set -eu; eval \"\$1\"; [ \"\$NETWORK/\$PREFIX\" = 10.1.2.0/24 ] && [ \$ADDRESSES = 256 ]" sh "$out"
out=$(ipc fe80::1%eth0/64)
check "eval of v6 output" sh -c "set -eu; eval \"\$1\"; [ \$ZONE = eth0 ] && [ \$FAMILY = 6 ]" sh "$out"

# --- --json -----------------------------------------------------------------------
j=$(ipc --json 10.1.2.3/24)
check "json parses" sh -c 'printf "%s" "$1" | python3 -m json.tool' sh "$j"
check_out "json network" "10.1.2.0" json_field "$j" network
check_out "json prefix is a number" "24" json_field "$j" prefix
check_out "json family" "4" json_field "$j" family
check_out "json addresses is a string" '"256"' sh -c 'printf "%s" "$1" | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)[\"addresses\"]))"' sh "$j"
j=$(ipc fe80::1%eth0/64 -j)
check_out "json after the argument, zone" "eth0" json_field "$j" zone
check_out "json v6 expanded" "fe80:0000:0000:0000:0000:0000:0000:0001" json_field "$j" expanded

# --- contains / overlaps ---------------------------------------------------------
check_exit "contains address" 0 ipc contains 10.0.0.0/8 10.255.255.255
check_exit "not contains address" 1 ipc contains 10.0.0.0/8 11.0.0.0
check_exit "contains prefix" 0 ipc contains 10.0.0.0/8 10.1.0.0/16
check_exit "contains equal prefix" 0 ipc contains 10.0.0.0/8 10.0.0.0/8
check_exit "not contains wider prefix" 1 ipc contains 10.1.0.0/16 10.0.0.0/8
check_exit "families never mix" 1 ipc contains 0.0.0.0/0 ::ffff:10.0.0.1
check_exit "v6 contains" 0 ipc contains 2001:db8::/32 2001:db8:ffff::1
check_out "contains prints yes" "CONTAINS=yes" ipc contains 10.0.0.0/8 10.1.2.3
check_out "contains prints no" "CONTAINS=no" ipc contains 10.0.0.0/8 12.1.2.3
check_out "contains json" "false" json_field "$(ipc --json contains 10.0.0.0/8 12.1.2.3)" contains
check_exit "contains json exit" 1 ipc --json contains 10.0.0.0/8 12.1.2.3
check_exit "overlaps" 0 ipc overlaps 10.0.0.0/8 10.1.0.0/16
check_exit "overlaps reversed" 0 ipc overlaps 10.1.0.0/16 10.0.0.0/8
check_exit "adjacent halves" 1 ipc overlaps 10.0.0.0/9 10.128.0.0/9
check_exit "v4 and v6" 1 ipc overlaps 0.0.0.0/0 ::/0
check_exit "v6 overlaps" 0 ipc overlaps ::/0 fd00::/8
check_out "overlaps json" "true" json_field "$(ipc overlaps --json fd00::/8 fd00:1::/32)" overlaps

# --- split -----------------------------------------------------------------------
check_out "split /24 into /26" "10.0.0.0/26
10.0.0.64/26
10.0.0.128/26
10.0.0.192/26" ipc split 10.0.0.0/24 26
check_out "split with /LEN and INDEX" "10.0.0.192/26" ipc split 10.0.0.9/24 /26 3
check_out "split into itself" "10.0.0.0/24" ipc split 10.0.0.9/24 24
check_out "split v6 index" "2001:db8:1234::/48" ipc split 2001:db8::/32 48 4660
check_out "split huge index" "fdff:ffff:ffff:ffff:ff00::/72" ipc split fd00::/8 72 18446744073709551615
check_out "split 65536 lines allowed" "65536 10.255.255.0/24" sh -c '"$XC" ipcalc split 10.0.0.0/8 24 | awk "END { print NR, \$0 }"'
check_err "split refuses 131072 lines" "10.0.0.0/8" split 10.0.0.0/8 25
check_out "split index past limit" "10.255.255.128/25" ipc split 10.0.0.0/8 25 131071
check_err "split index out of range" "131072" split 10.0.0.0/8 25 131072
check_err "split index overflow" "18446744073709551616" split fd00::/8 72 18446744073709551616
check_err "split index leading zero" "01" split 10.0.0.0/8 25 01
check_err "split shorter length" "7" split 10.0.0.0/8 7
check_err "split length too long" "33" split 10.0.0.0/8 33
check_err "split length not a number" "x" split 10.0.0.0/8 x
check_err "split needs a prefix" "10.0.0.0" split 10.0.0.0 24
j=$(ipc --json split 10.0.0.0/24 25)
check_out "split json" '["10.0.0.0/25", "10.0.0.128/25"]' json_field "$j" subnets
check "split json 65536 subnets parses" sh -c '"$XC" ipcalc --json split fd00::/112 128 | python3 -c "import json,sys; assert len(json.load(sys.stdin)[\"subnets\"]) == 65536"'

# --- gateway, embed, extract, link-local --------------------------------------
check_out "gateway" "GATEWAY=10.244.1.1" ipc gateway 10.244.1.0/24
check_out "gateway host bits set" "GATEWAY=10.244.1.1" ipc gateway 10.244.1.77/24
check_out "gateway v6" "GATEWAY=fd00:10:244:1::1" ipc gateway fd00:10:244:1::/64
check_out "gateway /31" "GATEWAY=198.18.0.0" ipc gateway 198.18.0.1/31
check_out "gateway json" "10.0.0.1" json_field "$(ipc -j gateway 10.0.0.0/8)" gateway
check_err "gateway needs a prefix" "10.0.0.1" gateway 10.0.0.1
check_out "embed" "ADDRESS=1000:1::c0a8:102" ipc embed 1000:1::/96 192.168.1.2
check_out "embed /64" "ADDRESS=fd00::5:c0a8:102" ipc embed fd00::5:0:0/64 192.168.1.2
check_out "embed mapped" "ADDRESS=::ffff:1.2.3.4" ipc embed ::ffff:0:0/96 1.2.3.4
check_err "embed /97" "1000:1::/97" embed 1000:1::/97 192.168.1.2
check_err "embed v4 prefix" "10.0.0.0/8" embed 10.0.0.0/8 192.168.1.2
check_err "embed v6 as v4" "::1" embed 1000:1::/96 ::1
check_out "extract" "ADDRESS=192.168.1.2" ipc extract 1000:1::c0a8:102
check_out "extract mapped" "ADDRESS=10.1.2.3" ipc extract ::ffff:10.1.2.3
check_err "extract v4" "10.1.2.3" extract 10.1.2.3
check_out "round trip embed/extract" "ADDRESS=203.0.113.9" sh -c 'eval "$("$XC" ipcalc embed fd00:1::/96 203.0.113.9)"; "$XC" ipcalc extract "$ADDRESS"'
check_out "link-local" "ADDRESS=fe80::42:acff:fe11:2" ipc link-local 02:42:ac:11:00:02
check_out "link-local dashes" "ADDRESS=fe80::211:22ff:fe33:4455" ipc link-local 00-11-22-33-44-55
check_out "link-local json" "fe80::211:22ff:fe33:4455" json_field "$(ipc --json link-local 00:11:22:33:44:55)" address
check_err "link-local bad MAC" "00:11:22:33:44" link-local 00:11:22:33:44

# --- batch ---------------------------------------------------------------------
check_out "batch" "10.0.0.0/8
::1/128" sh -c 'printf "10.0.0.0/8\n::1\n" | "$XC" ipcalc - | sed -n "s/^CIDR=//p"'
check_out "batch blank line between blocks" "1" sh -c 'printf "10.0.0.0/8\n::1\n" | "$XC" ipcalc - | grep -c "^\$"'
check_out "batch json lines" "10.0.0.0/8 ::1/128" sh -c 'printf "10.0.0.0/8\n::1\n" | "$XC" ipcalc --json - | python3 -c "import json,sys; print(*[json.loads(l)[\"cidr\"] for l in sys.stdin])"'
check_exit "batch bad line exits 2" 2 sh -c 'printf "10.0.0.0/8\nbad\n::1\n" | "$XC" ipcalc -'
check_out "batch goes on after a bad line" "2" sh -c 'printf "10.0.0.0/8\nbad\n::1\n" | "$XC" ipcalc - 2>/dev/null | grep -c ^CIDR='

# --- bad input -------------------------------------------------------------------
for bad in "" 10.0.0.0/33 01.2.3.4 1.2.3 1.2.3.4.5 256.0.0.1 "10.0.0.0 /8" ::/129 \
	1::2::3 12345:: fe80::1% "fe80::1%bad zone" fe80::1%abcdefghijklmnop 10.0.0.0/08 \
	10.0.0.0/255.0.0.0 garbage 1.2.3.4%eth0; do
	check_err "rejects '$bad'" "$bad" "$bad"
done
check_err "control bytes quoted on one line" 'a\x0ab' "a${nl}b"
check_err "extra argument" "extra" 10.0.0.0/8 extra
check_err "contains extra argument" "x" contains 10.0.0.0/8 10.0.0.1 x
check_err "contains missing argument" "contains" contains 10.0.0.0/8
check_err "contains bad second" "10.0.0.300" contains 10.0.0.0/8 10.0.0.300
check_err "overlaps bad first" "x/8" overlaps x/8 10.0.0.0/8
check_err "unknown option" "--frobnicate" --frobnicate 10.0.0.0/8
check_exit "no arguments" 2 ipc
check_grep "no arguments prints usage" "usage: ipcalc" ipc
check_exit "--help" 0 "$XC" ipcalc --help
check_grep "--help text" "link-local MAC" "$XC" ipcalc --help
check_exit "as its own link" 0 sh -c 'd=$(mktemp -d) && ln -s "$XC" "$d/ipcalc" && "$d/ipcalc" 10.0.0.0/8 >/dev/null; r=$?; rm -rf "$d"; exit $r'

t_done
