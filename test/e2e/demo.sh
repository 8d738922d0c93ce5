#!/bin/sh
# demo: `make demo` (test/demo.sh) works and cleans up after itself.
#
# A run must end "demo: OK" with every ping answered, the routes and
# addresses it prints right, and leave nothing behind: no namespace, no
# router or API server process, no temp dir (its time is printed, not
# judged: a loaded machine is slow, and speed is bench/'s). A run whose
# network is broken on purpose (XCDEMO_FAULT=blackhole) must fail, and so
# clean up; so must a run stopped by SIGTERM half-way; and a demo finding
# namespaces of its prefix must refuse and leave them alone. Each run has
# its own namespace prefix, so this suite and someone's `make demo` can go
# on at once.
. test/lib/t.sh
if [ "$(id -u)" != 0 ]; then
	t_skip "needs root (network namespaces)"
	t_done
	exit 0
fi
for c in ip ping python3 openssl timeout; do
	command -v $c >/dev/null 2>&1 || { t_skip "needs $c (vendor/deps.sh test)"; t_done; exit 0; }
done
W=$(mktemp -d /tmp/xct-demo.XXXXXX) || exit 2
PFX=xcdm$$
cleanup() {
	for n in $(ip netns list 2>/dev/null | grep -o "^${PFX}[a-z]-[^ ]*"); do ip netns del "$n"; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# demo RUN [VAR=VALUE...]: run the demo with prefix $PFX$RUN, output in $W/RUN,
# exit status in $W/RUN.rc, seconds in $W/RUN.s
demo() {
	r=$1; shift
	t0=$(date +%s)
	env XCDEMO="$PFX$r" "$@" timeout 300 sh test/demo.sh > "$W/$r" 2>&1
	echo $? > "$W/$r.rc"
	echo $(( $(date +%s) - t0 )) > "$W/$r.s"
}
# nothing_left RUN DESC: no namespace of the run's prefix, none of the PIDs it
# printed alive as a router or API server, its temp dir gone
nothing_left() {
	r=$1 d=$2
	check_out "$d: no namespace left" "" sh -c "ip netns list | grep '^$PFX$r-'"
	pids=$(sed -n 's/.* router pid \([0-9]*\).*/\1/p; s/.* (pid \([0-9]*\)), over TLS.*/\1/p' "$W/$r")
	[ -n "$pids" ] && t_ok || t_fail "$d: no PIDs in the output"
	alive=
	for p in $pids; do
		grep -qaE 'router|fakeapi' "/proc/$p/cmdline" 2>/dev/null && alive="$alive $p"
	done
	check_out "$d: no process left" "" echo $alive
	tmp=$(grep -o '/tmp/xcdemo\.[A-Za-z0-9]*' "$W/$r" | head -n 1)
	[ -n "$tmp" ] && t_ok || t_fail "$d: no temp dir in the output"
	check "$d: temp dir $tmp removed" test ! -e "${tmp:-/nonexistent}"
}
out() { cat "$W/$1"; }

# --- a normal run -----------------------------------------------------------------
demo a
check_out "demo exits 0" 0 cat "$W/a.rc"
check_grep "demo: OK" '^demo: OK$' out a
s=$(cat "$W/a.s")
echo "  the demo ran in $s s"
check_out "12 pings answered (3 pods x 2 others x IPv4, IPv6)" 12 \
	sh -c "grep -cE '^  pod[1-3] -> pod[1-3]  [0-9a-f:.]+ +ok ' '$W/a'"
check_out "no ping failed" 0 sh -c "grep -c FAILED '$W/a'"
check_out "Nodes from the API (nodes applet)" \
"    n1 198.19.1.0/24,fd00:19:0:1::/64 InternalIP=198.18.0.11,InternalIP=fd00:18::11
    n2 198.19.2.0/24,fd00:19:0:2::/64 InternalIP=198.18.0.12,InternalIP=fd00:18::12
    n3 198.19.3.0/24,fd00:19:0:3::/64 InternalIP=198.18.0.13,InternalIP=fd00:18::13" \
	grep -E '^    n[1-3] 198' "$W/a"
for i in 1 2 3; do
	# the routes printed under node i: to the two others, both families
	sect=$(sed -n "/^  \[n$i\]\$ ip route show proto 202/,/^  \[/p; /^  \[n$i\]\$ ip -6 route show proto 202/,/^  [^ ]/p" "$W/a")
	want=0
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		printf '%s\n' "$sect" | grep -q "^    198\.19\.$j\.0/24 via 198\.18\.0\.1$j dev eth0\$" && want=$((want + 1))
		printf '%s\n' "$sect" | grep -q "^    fd00:19:0:$j::/64 via fd00:18::1$j dev eth0 " && want=$((want + 1))
	done
	check_out "n$i: routes to the other nodes' pod CIDRs, IPv4 and IPv6" 4 echo $want
	check_out "n$i: none to its own" 0 sh -c "printf '%s\n' \"\$1\" | grep -c '^    [^ ]*[.:]${i}[.:]0*[:/].* via'" _ "$sect"
	check_grep "pod$i's addresses from n$i's pod CIDRs" \
		"^  pod$i on n$i: eth0 198\.19\.$i\.[0-9]+ +fd00:19:0:$i::[0-9a-f]+\$" out a
done
check_grep "node-local took the router's podcidrs" '^    fd00:19:0:1::/64$' out a
check_grep "node-local's state: a file per address" '^    198\.19\.1\.2, fd00:19:0:1::2, ' out a
# step 8: what each echo server saw: the node's address after the masquerade,
# the pod's between pods, the outside host's through the hostPort
check_out "out and in: masquerade, no NAT between pods, hostPort (IPv4, IPv6)" \
'pod2 198.18.0.100 9000 "you are 198.18.0.12"
pod2 fd00:18::100 9000 "you are fd00:18::12"
pod2 198.19.1.2 80 "you are 198.19.2.2"
pod2 fd00:19:0:1::2 80 "you are fd00:19:0:2::2"
ext 198.18.0.11 8080 "you are 198.18.0.100"
ext fd00:18::11 8080 "you are fd00:18::100"' \
	sh -c "sed -n '/^== 8/,/^==/p' '$W/a' | awk '\$2 == \"->\" { print \$1, \$3, \$4, \$5, \$6, \$7 }'"
check_out "DEL: node-local's state holds no address" 0 \
	sh -c "sed -n '/^== 9/,/^==/p' '$W/a' | grep -cE '^    .*(198\\.19\\.|fd00)'"
check_grep "DEL: node-local's state listed" '^    last_reserved_ip' sh -c "sed -n '/^== 9/,/^==/p' '$W/a'"
nothing_left a "normal run"

# --- a broken network: the pings to pod1 through n2 fail, so does the demo ----------
demo b XCDEMO_FAULT=blackhole
check_out "broken network: demo exits 1" 1 cat "$W/b.rc"
check_out "broken network: the two pings between pod1 and pod2 over IPv4 fail" \
"  pod1 -> pod2  198.19.2.2       FAILED
  pod2 -> pod1  198.19.1.2       FAILED" grep "^  pod.*FAILED$" "$W/b"
check_grep "broken network: demo: FAILED" '^demo: FAILED$' out b
nothing_left b "broken network"

# --- SIGTERM half-way ------------------------------------------------------------------
: > "$W/c"
XCDEMO="${PFX}c" sh test/demo.sh >> "$W/c" 2>&1 &
pid=$!
check "SIGTERM: the demo got to its pods" t_wait 120 grep -q '^== 6' "$W/c"
kill -TERM "$pid"
wait "$pid"
check_out "SIGTERM: exit 143" 143 echo $?
nothing_left c "SIGTERM"

# --- namespaces of its prefix exist already: refuse, touch nothing --------------------
ip netns add "${PFX}d-sw"
demo d
check_out "existing namespaces: exit 1" 1 cat "$W/d.rc"
check_grep "existing namespaces: says so" 'exist already' out d
check "existing namespaces: left alone" sh -c "ip netns list | grep -q '^${PFX}d-sw'"
ip netns del "${PFX}d-sw"
t_done
