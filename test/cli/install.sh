#!/bin/sh
# install: binary, links and conflist into temp dirs; idempotence, upgrade,
# foreign plugins and configs, MTU per tunnel mode, errors. MTU detection
# and read-only file systems need root (network namespace, mount); without
# it those parts report themselves skipped.
. "$(dirname "$0")/../lib/t.sh"

T=$(mktemp -d)
NS=xct-inst-$$
trap 'ip netns del $NS 2>/dev/null; ip netns del ${NS}6 2>/dev/null; rm -rf "$T"' EXIT
CONF=10-xcluster-cni.conflist

fresh() { # NAME: new empty bin and conf dirs $T/NAME/{bin,conf}
	rm -rf "${T:?}/$1"
	mkdir -p "$T/$1/bin" "$T/$1/conf"
	B=$T/$1/bin C=$T/$1/conf
}
inst() { "$XC" install --bin-dir "$B" --conf-dir "$C" "$@"; }
# stamp PATH...: inode, change time and modification time (ns) of each, links not followed
stamp() { stat -c '%n %i %z %y' "$@"; }
listing() { (cd "$1" && ls -A | tr '\n' ' '); }
no_temps() { ! ls -A "$1" | grep -q xctmp; }
# jget FILE EXPR: a Python expression on the parsed document d
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
mtu_of() { jget "$1/$CONF" 'd["plugins"][0]["mtu"]'; }
# Unset, the mode is resolved as the router resolves it, by asking the
# kernel (a probe sit device): only in a namespace of this suite's, below.
export TUNNEL_MODE=none

# --- a fresh install ---------------------------------------------------------
fresh a
check_exit "install into empty dirs" 0 inst --mtu 1500
check "binary is a copy of this one" cmp "$XC" "$B/xcluster-cni"
check_out "binary mode 0755, regular" "755 regular file" stat -c '%a %F' "$B/xcluster-cni"
check_out "bridge link" "xcluster-cni" readlink "$B/xcluster-bridge"
check_out "node-local link" "xcluster-cni" readlink "$B/xcluster-node-local"
check_out "loopback link (the dir had none)" "xcluster-cni" readlink "$B/loopback"
check_out "portmap link" "xcluster-cni" readlink "$B/xcluster-portmap"
check_out "bin dir holds only ours" "loopback xcluster-bridge xcluster-cni xcluster-node-local xcluster-portmap " listing "$B"
check_out "conf dir holds only the conflist (no kubeconfig, no token)" "$CONF " listing "$C"
check_out "conflist mode 0644" "644" stat -c '%a' "$C/$CONF"
check "conflist is valid JSON" jget "$C/$CONF" 1
check_out "conflist cniVersion" "True" jget "$C/$CONF" 'd["cniVersion"] in ("1.0.0", "1.1.0")'
check_out "conflist name" "xcluster-cni" jget "$C/$CONF" 'd["name"]'
check_out "two plugins, our bridge first" "xcluster-bridge 2" jget "$C/$CONF" 'd["plugins"][0]["type"] + " " + str(len(d["plugins"]))'
check_out "portmap chained after it, with the portMappings capability" "xcluster-portmap True" \
	jget "$C/$CONF" 'd["plugins"][1]["type"] + " " + str(d["plugins"][1]["capabilities"]["portMappings"] is True)'
check_out "hairpin mode on (a pod to its own hostPort)" "True" jget "$C/$CONF" 'd["plugins"][0]["hairpinMode"] is True'
check_out "gateway flags are JSON true" "True" \
	jget "$C/$CONF" 'd["plugins"][0]["isGateway"] is True and d["plugins"][0]["isDefaultGateway"] is True'
check_out "ipam is our node-local" "xcluster-node-local" jget "$C/$CONF" 'd["plugins"][0]["ipam"]["type"]'
check_out "mtu is a JSON number" "True" jget "$C/$CONF" 'type(d["plugins"][0]["mtu"]) is int'
check_out "no kubeconfig or token in the config" "False" jget "$C/$CONF" '"kubeconfig" in json.dumps(d).lower() or "token" in json.dumps(d).lower()'
check_out "applet runs through an xcluster- link" "$("$XC" ipcalc --help)" \
	sh -c 'ln -s xcluster-cni "$1/xcluster-ipcalc" && "$1/xcluster-ipcalc" --help; rm -f "$1/xcluster-ipcalc"' sh "$B"
for p in bridge node-local portmap; do
	if "$XC" --list | grep -qx "$p"; then
		check_out "xcluster-$p runs the $p applet" "$("$XC" $p --help)" "$B/xcluster-$p" --help
	else
		t_skip "applet $p not built yet"
	fi
done
check_out "loopback runs the loopback applet" "$("$XC" loopback --help)" "$B/loopback" --help

# --- idempotence -------------------------------------------------------------
before=$(stamp "$B/xcluster-cni" "$B/xcluster-bridge" "$B/xcluster-node-local" "$B/loopback" "$C/$CONF" "$B" "$C")
sleep 0.05
check_exit "second run" 0 inst --mtu 1500
after=$(stamp "$B/xcluster-cni" "$B/xcluster-bridge" "$B/xcluster-node-local" "$B/loopback" "$C/$CONF" "$B" "$C")
check_out "second run changes nothing (inode, ctime, mtime of files and dirs)" "$before" echo "$after"
check_grep "second run says unchanged" "xcluster-cni: unchanged" inst --mtu 1500
check "no temp files left" no_temps "$B"

# --- upgrade -----------------------------------------------------------------
# A different binary: trailing bytes change the content, not what runs.
mkdir "$T/v2"
cat "$XC" > "$T/v2/xcluster-cni" && echo upgrade >> "$T/v2/xcluster-cni" && chmod 755 "$T/v2/xcluster-cni"
ino=$(stat -c %i "$B/xcluster-cni")
exec 3< "$B/xcluster-cni"   # whoever has the old one open keeps it intact
# A process executing the installed binary during the upgrade (as kubelet
# may be): it blocks writing its log to a FIFO nobody reads yet. Writing in
# place would fail with ETXTBSY; a rename does not.
mkdir -p "$T/busy/bin" "$T/busy/conf"
i=0; while [ $i -lt 1500 ]; do : > "$T/busy/conf/zz-$i.conf"; i=$((i + 1)); done
mkfifo "$T/fifo"
"$B/xcluster-cni" install --bin-dir "$T/busy/bin" --conf-dir "$T/busy/conf" --mtu 1500 2> "$T/fifo" &
busy=$!
exec 4< "$T/fifo"
runs_old() { [ "$(readlink /proc/$busy/exe)" = "$B/xcluster-cni" ]; }
t_wait 60 runs_old
check_out "old binary is executing during the upgrade" "$B/xcluster-cni" readlink /proc/$busy/exe
check_exit "upgrade while the old one runs" 0 "$T/v2/xcluster-cni" install --bin-dir "$B" --conf-dir "$C" --mtu 1500
cat <&4 > /dev/null; exec 4<&-
wait $busy
check_out "the running old binary finished normally" 0 echo $?
check "new content in place" cmp "$T/v2/xcluster-cni" "$B/xcluster-cni"
check "new inode (replaced by rename, not rewritten)" test "$ino" != "$(stat -c %i "$B/xcluster-cni")"
check "old inode untouched" cmp /dev/fd/3 "$XC"
exec 3<&-
check "no temp files after upgrade" no_temps "$B"
check_out "links still point at the binary" "xcluster-cni xcluster-cni" \
	sh -c 'echo $(readlink "$1/xcluster-bridge") $(readlink "$1/xcluster-node-local")' sh "$B"
check_out "upgraded binary runs through the link" "$("$XC" --list)" "$B/xcluster-cni" --list
check_exit "downgrade back" 0 inst --mtu 1500
check "downgraded content" cmp "$XC" "$B/xcluster-cni"

# A temp file of a killed run is removed once stale; a fresh one may be a live run's.
: > "$B/.xcluster-cni.xctmp.1.0"; touch -d '-5 min' "$B/.xcluster-cni.xctmp.1.0"
: > "$B/.xcluster-cni.xctmp.2.0"
inst --mtu 1500 2>/dev/null
check "stale temp file removed" test ! -e "$B/.xcluster-cni.xctmp.1.0"
check "fresh temp file kept" test -e "$B/.xcluster-cni.xctmp.2.0"
# Replaced in our namespace: a regular file named xcluster-bridge becomes the link.
rm "$B/xcluster-bridge"; echo old > "$B/xcluster-bridge"
inst --mtu 1500 2>/dev/null
check_out "xcluster-* names are ours to replace" "xcluster-cni" readlink "$B/xcluster-bridge"
ln -sf /usr/local/bin/xcluster-cni "$B/xcluster-node-local"
inst --mtu 1500 2>/dev/null
check_out "a link elsewhere is set right" "xcluster-cni" readlink "$B/xcluster-node-local"

# --- foreign plugins ---------------------------------------------------------
fresh f
printf '#!/bin/sh\necho foreign bridge\n' > "$B/bridge"
printf '#!/bin/sh\necho foreign host-local\n' > "$B/host-local"
printf '#!/bin/sh\necho foreign loopback\n' > "$B/loopback"
chmod 755 "$B/bridge" "$B/host-local" "$B/loopback"
cp "$B/bridge" "$T/bridge.orig"
before=$(stamp "$B/bridge" "$B/host-local" "$B/loopback")
check_exit "install beside foreign plugins" 0 inst --mtu 1500
check_out "foreign bridge, host-local and loopback untouched" "$before" \
	stamp "$B/bridge" "$B/host-local" "$B/loopback"
check_grep "says it leaves the foreign loopback" "loopback: another loopback plugin, left alone" \
	inst --mtu 1500
check "no plain node-local without opt-in" test ! -e "$B/node-local" -a ! -L "$B/node-local"
check "no plain portmap, ever" test ! -e "$B/portmap" -a ! -L "$B/portmap"
check_out "conflist does not use the plain names" "xcluster-bridge xcluster-node-local" \
	jget "$C/$CONF" '" ".join((d["plugins"][0]["type"], d["plugins"][0]["ipam"]["type"]))'
check_exit "--take-over-bridge" 0 inst --mtu 1500 --take-over-bridge
check_out "bridge now ours" "xcluster-cni" readlink "$B/bridge"
check_out "node-local now ours" "xcluster-cni" readlink "$B/node-local"
check "take-over leaves a plain portmap alone" test ! -e "$B/portmap" -a ! -L "$B/portmap"
check "the foreign bridge is kept" cmp "$T/bridge.orig" "$B/bridge.pre-xcluster"
check_out "host-local never touched" "foreign host-local" "$B/host-local"
check_out "a foreign loopback is kept even then" "foreign loopback" "$B/loopback"
ln -sf nonexistent "$B/loopback"
check_exit "install over a loopback link to nothing" 0 inst --mtu 1500
check_out "a dangling loopback link is replaced by ours" "xcluster-cni" readlink "$B/loopback"
before=$(stamp "$B/bridge" "$B/node-local" "$B/bridge.pre-xcluster")
check_exit "--take-over-bridge again" 0 inst --mtu 1500 --take-over-bridge
check_out "take-over is idempotent" "$before" stamp "$B/bridge" "$B/node-local" "$B/bridge.pre-xcluster"
check_exit "run without opt-in after take-over" 0 inst --mtu 1500
check_out "our plain links stay" "xcluster-cni" readlink "$B/bridge"

# --- MTU per tunnel mode (base MTU given) -------------------------------------
mtu_case() { # DESC WANT ARGS...
	d=$1 w=$2; shift 2
	fresh m
	inst "$@" 2>/dev/null
	check_out "$d" "$w" mtu_of "$C"
}
mtu_case "none: 1500" 1500 --mtu 1500 --tunnel-mode none
mtu_case "sit: 1480" 1480 --mtu 1500 --tunnel-mode sit
mtu_case "ipip: 1480" 1480 --mtu 1500 --tunnel-mode ipip
mtu_case "vxlan, IPv4 node: 1450" 1450 --mtu 1500 --tunnel-mode vxlan --node-ip 198.18.0.2
mtu_case "vxlan, IPv6 node: 1430" 1430 --mtu 1500 --tunnel-mode vxlan --node-ip fd00::2
mtu_case "vxlan, no node IP: IPv4 underlay" 8950 --mtu 9000 --tunnel-mode vxlan
mtu_case "sit carrying IPv6 (IPv6 node IP): still 20" 1480 --mtu 1500 --tunnel-mode sit --node-ip fd00::2
export TUNNEL_MODE=vxlan
mtu_case "TUNNEL_MODE from the environment" 1450 --mtu 1500 --node-ip 198.18.0.2
mtu_case "flag wins over TUNNEL_MODE" 1500 --mtu 1500 --tunnel-mode none
export TUNNEL_MODE=none
fresh m
TUNNEL_MODE=vxlan NODE_IP=fd00::2 CNI_BIN_DIR=$B CNI_CONF_DIR=$C "$XC" install --mtu 1500 2>/dev/null
check_out "dirs, mode and node IP from the environment" 1430 mtu_of "$C"
check_exit "mode change rewrites the config" 0 inst --mtu 1500 --tunnel-mode sit
check_out "... with the new MTU" 1480 mtu_of "$C"
check "... and leaves no temp file" no_temps "$C"

# --- foreign configs ---------------------------------------------------------
fresh c
echo '{"cniVersion":"0.4.0","name":"early","plugins":[]}' > "$C/05-early.conflist"
echo '{"cniVersion":"0.4.0","name":"late","type":"bridge"}' > "$C/99-late.conf"
cp "$C/05-early.conflist" "$T/early.orig"
before=$(stamp "$C/05-early.conflist" "$C/99-late.conf")
check_grep "warns about a config that sorts first" "05-early.conflist sorts before" inst --mtu 1500
check_out "foreign configs untouched" "$before" stamp "$C/05-early.conflist" "$C/99-late.conf"
check_exit "--disable-foreign" 0 inst --mtu 1500 --disable-foreign
check "the one before ours renamed, not deleted" cmp "$T/early.orig" "$C/05-early.conflist.xcluster-disabled"
check "... and gone under its loadable name" test ! -e "$C/05-early.conflist"
check "the one after ours untouched" test -f "$C/99-late.conf"

# --- a second network's config (--secondary) ---------------------------------
fresh s
SEC=20-second.conflist
check_exit "the first network" 0 inst --mtu 1500
before=$(stamp "$C/$CONF")
check_exit "--secondary second --routes" 0 inst --mtu 1400 --secondary second \
	--routes 198.19.0.0/16,fd00:19::/48
check_out "... written as $SEC, beside the first" "$CONF $SEC " listing "$C"
check_out "... the first's untouched" "$before" stamp "$C/$CONF"
check_out "... network second on xcbr1, our plugins, no default route, its MTU" \
	"second xcbr1 xcluster-bridge xcluster-node-local False True 1400" \
	jget "$C/$SEC" '" ".join(str(x) for x in (d["name"], d["plugins"][0]["bridge"],
		d["plugins"][0]["type"], d["plugins"][0]["ipam"]["type"],
		d["plugins"][0]["isDefaultGateway"], d["plugins"][0]["isGateway"], d["plugins"][0]["mtu"]))'
check_out "... no ranges: node-local reads <dataDir>/second/podcidrs" "False None" \
	jget "$C/$SEC" 'str("ranges" in d["plugins"][0]["ipam"]) + " " + str(d["plugins"][0]["ipam"].get("dataDir"))'
check_out "... its routes through it" '[{"dst": "198.19.0.0/16"}, {"dst": "fd00:19::/48"}]' \
	jget "$C/$SEC" 'json.dumps(d["plugins"][0]["ipam"]["routes"])'
check_out "... the first config sorting before it is no warning" 0 \
	sh -c "\"$XC\" install --bin-dir '$B' --conf-dir '$C' --mtu 1400 --secondary second \
	--routes 198.19.0.0/16,fd00:19::/48 2>&1 | grep -c warn"
before=$(stamp "$C/$SEC")
check_exit "--secondary again" 0 inst --mtu 1400 --secondary second --routes 198.19.0.0/16,fd00:19::/48
check_out "... changes nothing" "$before" stamp "$C/$SEC"
check_exit "--bridge names its bridge" 0 inst --mtu 1400 --secondary third --bridge xcbr5
check_out "... xcbr5" xcbr5 jget "$C/20-third.conflist" 'd["plugins"][0]["bridge"]'
check_out "... without --routes, none" False jget "$C/20-third.conflist" '"routes" in d["plugins"][0]["ipam"]'
check_exit "--secondary ../x refused (usage)" 2 inst --mtu 1400 --secondary ../x
check_exit "--secondary too long for 20-NAME.conflist refused (usage)" 2 \
	inst --mtu 1400 --secondary "$(printf '%0244d' 0)"
check_exit "--routes with a bad CIDR refused (usage)" 2 inst --mtu 1400 --secondary s --routes 1.2.3/8
check_out "... nothing written for either" "$CONF $SEC 20-third.conflist " listing "$C"

# --- errors ------------------------------------------------------------------
fresh e
check_exit "missing bin dir: exit 1" 1 "$XC" install --bin-dir "$T/nope" --conf-dir "$C" --mtu 1500
check_grep "... named" "CNI bin dir $T/nope: No such file" "$XC" install --bin-dir "$T/nope" --conf-dir "$C" --mtu 1500
check_exit "missing conf dir: exit 1" 1 "$XC" install --bin-dir "$B" --conf-dir "$T/nope" --mtu 1500
check_out "... and nothing written" "" listing "$B"
check_grep "... named" "CNI conf dir $T/nope: No such file" "$XC" install --bin-dir "$B" --conf-dir "$T/nope" --mtu 1500
check_exit "bin dir is a file" 1 "$XC" install --bin-dir "$T/a/conf/$CONF" --conf-dir "$C" --mtu 1500
check_exit "unknown tunnel mode: exit 1" 1 inst --mtu 1500 --tunnel-mode gre
check_grep "... named" "unknown tunnel mode 'gre'" inst --mtu 1500 --tunnel-mode gre
check_exit "bad --mtu: usage" 2 inst --mtu 15x
check_exit "--mtu too small" 2 inst --mtu 100
check_exit "MTU left below 576" 1 inst --mtu 600 --tunnel-mode vxlan
check_exit "unknown option: usage" 2 inst --frobnicate
check_exit "stray argument: usage" 2 inst --mtu 1500 extra
check_exit "bad node IP" 1 inst --node-ip 10.1
check_exit "unknown --mtu-from interface" 1 inst --mtu-from nosuch0
check_grep "... named" "interface 'nosuch0'" inst --mtu-from nosuch0
check_out "nothing written by the failures" "" listing "$B"
check_grep "--help" "take-over-bridge" "$XC" install --help

if [ "$(id -u)" != 0 ]; then
	t_skip "read-only dirs and MTU detection need root" 12
	t_done; exit
fi

# --- read-only file system ---------------------------------------------------
fresh ro
check_exit "read-only bin dir: exit 1" 1 unshare -m sh -c \
	'mount -t tmpfs -o ro none "$1" && "$2" install --bin-dir "$1" --conf-dir "$3" --mtu 1500' sh "$B" "$XC" "$C"
check_grep "... says so" "Read-only file system" unshare -m sh -c \
	'mount -t tmpfs -o ro none "$1" && "$2" install --bin-dir "$1" --conf-dir "$3" --mtu 1500' sh "$B" "$XC" "$C"
check_exit "read-only conf dir: exit 1" 1 unshare -m sh -c \
	'mount -t tmpfs -o ro none "$1" && "$2" install --bin-dir "$3" --conf-dir "$1" --mtu 1500' sh "$C" "$XC" "$B"

# --- MTU detection in a network namespace --------------------------------------
# veth pairs stand in for NICs: d0 (MTU 1500) carries the default route,
# d1 (MTU 9000) holds another address.
ip netns add $NS
ip -n $NS link add d0 mtu 1500 type veth peer name d0p
ip -n $NS link add d1 mtu 9000 type veth peer name d1p
for l in d0 d0p d1 d1p; do ip -n $NS link set $l up; done
ip -n $NS addr add 198.18.0.2/24 dev d0
ip -n $NS addr add 198.18.1.2/24 dev d1
ip -n $NS route add default via 198.18.0.1 dev d0
nsinst() { ip netns exec $NS "$XC" install --bin-dir "$B" --conf-dir "$C" "$@"; }
ns_case() { # DESC WANT ARGS...
	d=$1 w=$2; shift 2
	fresh n
	nsinst "$@" 2>/dev/null
	check_out "$d" "$w" mtu_of "$C"
}
ns_case "default route's interface" 1450 --tunnel-mode vxlan
ns_case "interface holding NODE_IP" 8980 --tunnel-mode sit --node-ip 198.18.1.2
ns_case "--mtu-from" 9000 --mtu-from d1
ns_case "node IP on no interface: default route's" 1480 --tunnel-mode ipip --node-ip 198.18.9.9

# install and router resolve every mode alike, the default and auto too:
# the pods' MTU is what the router's tunnel carries (its log says which).
printf '{"kind":"List","items":[%s,%s]}\n' \
	'{"metadata":{"name":"n1"},"spec":{"podCIDRs":["198.19.1.0/24"]},"status":{"addresses":[{"type":"InternalIP","address":"198.18.0.2"}]}}' \
	'{"metadata":{"name":"n2"},"spec":{"podCIDRs":["198.19.2.0/24"]},"status":{"addresses":[{"type":"InternalIP","address":"198.18.5.9"}]}}' \
	> "$T/nodes.json"
router_mtu() { # MODE|"": the pod MTU the router works out for it
	ip netns exec $NS env ${1:+TUNNEL_MODE=$1} "$XC" router --once --node-name n1 \
		--nodes-file "$T/nodes.json" --cache-dir "$T/rcache" 2>&1 |
		sed -n 's/.*pod network MTU \([0-9]*\) .*/\1/p' | tail -1
}
for mode in none sit ipip vxlan auto ""; do
	fresh agree
	ip netns exec $NS env TUNNEL_MODE="$mode" "$XC" install --bin-dir "$B" --conf-dir "$C" \
		--node-ip 198.18.0.2 2>/dev/null
	check_out "install and router agree on the MTU: TUNNEL_MODE=${mode:-unset}" \
		"$(router_mtu "$mode")" mtu_of "$C"
done
fresh n
check_grep "... with a warning" "no interface holds the node IP" nsinst --node-ip 198.18.9.9
ip -n $NS route del default
check_exit "no default route, no node IP: exit 1" 1 nsinst
check_grep "... says what to pass" "pass --node-ip, --mtu-from or --mtu" nsinst
# IPv6-only node: the IPv6 default route picks the interface and the underlay.
ip netns add ${NS}6
ip -n ${NS}6 link add e0 mtu 1600 type veth peer name e0p
ip -n ${NS}6 link set e0 up; ip -n ${NS}6 link set e0p up
ip -n ${NS}6 addr add fd00::2/64 dev e0 nodad
ip -n ${NS}6 -6 route add default via fd00::1 dev e0
fresh n6
ip netns exec ${NS}6 "$XC" install --bin-dir "$B" --conf-dir "$C" --tunnel-mode vxlan 2>/dev/null
check_out "IPv6 default route: vxlan over IPv6" 1530 mtu_of "$C"
fresh n6
ip netns exec ${NS}6 "$XC" install --bin-dir "$B" --conf-dir "$C" --tunnel-mode vxlan --node-ip fd00::2 2>/dev/null
check_out "IPv6 node IP" 1530 mtu_of "$C"

t_done
