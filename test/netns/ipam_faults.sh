#!/bin/sh
# ipam_faults: node-local when its dataDir fails under it. Small tmpfs
# mounts (in a private mount namespace, under a temp dir) give a full disk,
# no free inodes and a read-only file system; the state files are then
# corrupted, truncated, emptied, replaced by garbage, symlinks, FIFOs and
# directories; the network dir becomes a symlink or another user's. Each
# failure must be a CNI error document with the right code (docs/cni-errors.md)
# and a message that names the cause, in bounded time; nothing half-written
# may stay (.xc-tmp.*, xc-index.tmp, empty records); nothing outside the
# dataDir may be touched; and after the fault goes away ADD, DEL and GC work.
# Bn in a check's name is the bug it found (docs/reliability.md, section 4).
# Needs root (mounts); skipped otherwise. Never touches /var/lib/cni.
. test/lib/t.sh
. test/cli/node_local_lib.sh

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	t_skip "needs root and unshare -m (tmpfs mounts in a private mount namespace)"
	t_done
	exit 0
fi
if [ "${XC_IPAMF_NS:-}" != 1 ]; then
	XC_IPAMF_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
nl_setup
chmod 755 "$D"
cleanup() {
	awk -v d="$D/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
	rm -rf "$D"
}
trap cleanup EXIT

# --- helpers --------------------------------------------------------------------
# nl CMD CID CONF: run node-local (60 s at most: a hang, exit 124); sets RC, OUT, CODE, MSG.
nl() {
	printf '%s' "$3" > "$D/stdin"
	OUT=$(timeout 60 run_nl "$1" "$2" < "$D/stdin" 2>"$D/stderr")
	RC=$?
	CODE=$(printf '%s' "$OUT" | errcode)
	MSG=$(printf '%s' "$OUT" | python3 -c 'import json,sys
try: print(json.load(sys.stdin).get("msg", ""))
except Exception: pass')
}
# want_ok DESC: the last run succeeded (exit 0)
want_ok() {
	if [ "$RC" = 0 ]; then t_ok; else t_fail "$1 (exit $RC: $(echo $OUT))"; fi
}
# want_err DESC CODE REGEX: the last run failed cleanly with CODE, msg matching REGEX
want_err() {
	if [ "$RC" = 1 ] && [ "$CODE" = "$2" ] && printf '%s' "$MSG" | grep -Eq -- "$3"; then
		t_ok
	else
		t_fail "$1 (exit $RC, code $CODE, want $2 /$3/: $MSG)"
	fi
}
# mkfs NAME OPTS: a tmpfs of its own at $D/NAME
mkfs() {
	mkdir -p "$D/$1" && mount -t tmpfs -o "mode=0755,$2" "xc-ipamf-$1" "$D/$1"
}
# fill_pages DIR / fill_inodes DIR: fill DIR's file system (files in DIR/.fill)
fill_pages() {
	mkdir -p "$1/.fill"
	i=0
	while dd if=/dev/zero of="$1/.fill/p$i" bs=4096 count=1 2>/dev/null; do i=$((i + 1)); done
	rm -f "$1/.fill/p$i"
}
fill_inodes() {
	mkdir -p "$1/.fill"
	i=0
	while touch "$1/.fill/i$i" 2>/dev/null; do i=$((i + 1)); done
}
free_some() { # DIR K: give K of the fillers back
	ls "$1/.fill" | head -n "$2" | while read -r f; do rm -f "$1/.fill/$f"; done
}

# both_or_none WHAT FILL TOP NETDIR MAX ID: for K = 1..MAX units given back
# after FILL filled TOP, a dual-stack ADD of ID<K> gets both addresses or
# none (and then changed nothing); nothing half-written is left either way.
both_or_none() {
	for k in $(seq 1 "$5"); do
		rm -rf "$3/.fill"
		"$2" "$3"
		free_some "$3" $k
		before=$(snap "$4")
		nl ADD "$6$k" "$C"
		if [ "$RC" = 0 ]; then
			check_out "$k $1: ADD succeeded with both addresses recorded" 2 \
				nholds "$4" "$6$k"
			nl DEL "$6$k" "$C"
			want_ok "$k $1: DEL"
		else
			want_err "$k $1: ADD" 104 'No space left on device'
			check_out "$k $1: a failed ADD changes nothing" "$before" snap "$4"
		fi
		check_clean "$k $1" "$4"
	done
}
# snap DIR: every entry and its content (the index aside: it is a cache)
snap() {
	(cd "$1" && for f in $(ls -A | sort); do
		[ "$f" = xc-index ] && continue
		printf '%s %s\n' "$f" "$(od -An -c "$f" 2>/dev/null | tr -s ' \n' ' ')"
	done)
}
# leftovers DIR: what a failed or killed write may leave (must be nothing)
leftovers() {
	find "$1" -maxdepth 1 \( -name '.xc-tmp.*' -o -name xc-index.tmp -o \
		\( -type f -empty ! -name lock \) \) -printf '%f ' 2>/dev/null
}
check_clean() { # DESC DIR
	check_out "$1: nothing half-written" "" leftovers "$2"
}
rec() { # FILE: the record, \r and \n shown
	od -An -c "$1" 2>/dev/null | tr -d ' \n'
}
nholds() { # DIR CID: how many
	set -- $(holds "$1" "$2")
	echo $#
}
conf2() { # DATADIR [TOP]: dual-stack, one /24 and one /64
	conf_ipam 1.1.0 '"dataDir":"'"$1"'","ranges":[[{"subnet":"10.9.0.0/24"}],[{"subnet":"fd00:9::/64"}]]' "${2:-}"
}
valid() { # CID...: cni.dev/valid-attachments with eth0 of each
	v=""
	for c in "$@"; do v="$v${v:+,}{\"containerID\":\"$c\",\"ifname\":\"eth0\"}"; done
	printf ',"cni.dev/valid-attachments":[%s]' "$v"
}
holds() { # DIR CID: the addresses DIR's records give CID (eth0)
	(cd "$1" && for f in $(ls | grep -E '^[0-9a-f.:]+$' | sort); do
		[ "$(rec "$f")" = "$2\r\neth0" ] && printf '%s ' "$f"
	done)
}

# --- 1. full disk (no free block) ----------------------------------------------------
mkfs full size=256k
F=$D/full/d
NF=$F/n
C=$(conf2 "$F")
for c in a1 a2 g1; do nl ADD $c "$C"; want_ok "ADD $c before the disk fills"; done
fill_pages "$D/full"
before=$(snap "$NF")
nl ADD x "$C"
want_err "full disk: ADD" 104 'No space left on device'
check_grep "full disk: the message names the path (docs/cni-errors.md, code 104; B5)" "$NF" echo "$MSG"
check_out "full disk: a failed ADD changes nothing" "$before" snap "$NF"
check_clean "full disk: ADD" "$NF"
# K free blocks: a dual-stack ADD gets both addresses or none, never one
both_or_none "free blocks" fill_pages "$D/full" "$NF" 6 k
rm -rf "$D/full/.fill"
fill_pages "$D/full"
nl DEL a1 "$C"
want_ok "full disk: DEL"
check_out "full disk: DEL released a1" "" holds "$NF" a1
nl CHECK a2 "$C"
want_ok "full disk: CHECK"
nl STATUS - "$C"
want_ok "full disk: STATUS"
# GC is how a runtime takes back what DELs missed: it must work on a full disk
nl GC - "$(conf2 "$F" "$(valid a2)")"
want_ok "full disk: GC releases (B2: it needed a new index file first)"
check_clean "full disk: GC" "$NF"
rm -rf "$D/full/.fill"
nl ADD y "$C"
want_ok "space back: ADD"
check_out "space back: y holds two addresses" 2 nholds "$NF" y
nl GC - "$(conf2 "$F" "$(valid a2 y)")"
want_ok "space back: GC"
check_out "space back: GC released g1" "" holds "$NF" g1
check_out "space back: GC kept a2" "10.9.0.3 fd00:9::3 " holds "$NF" a2
check_clean "space back" "$NF"

# A new network on a nearly full disk: room for the record but not the cursor.
mkfs fresh size=64k
mkdir -p "$D/fresh/d/n"
fill_pages "$D/fresh"
free_some "$D/fresh" 1
nl ADD f1 "$(conf4 1.1.0 "$D/fresh/d" '"10.9.2.0/24"')"
if [ "$RC" = 0 ]; then
	check_clean "one free block, new network: ADD succeeded (B3: empty last_reserved_ip.0)" "$D/fresh/d/n"
else
	want_err "one free block, new network: ADD" 104 'No space left on device'
	check_clean "one free block, new network" "$D/fresh/d/n"
fi
fill_pages "$D/fresh"
nl ADD f2 "$(conf4 1.1.0 "$D/fresh/new" '"10.9.2.0/24"')"
want_err "full disk, dataDir not created yet" 104 'No space left on device'

# --- 2. no free inode -------------------------------------------------------------------
mkfs ino nr_inodes=48,size=1m
I=$D/ino/d
C=$(conf2 "$I")
nl ADD b1 "$C"
want_ok "ADD before the inodes run out"
fill_inodes "$D/ino"
before=$(snap "$I/n")
nl ADD b2 "$C"
want_err "no inode: ADD" 104 'No space left on device'
check_out "no inode: a failed ADD changes nothing" "$before" snap "$I/n"
both_or_none "free inodes" fill_inodes "$D/ino" "$I/n" 5 j
rm -rf "$D/ino/.fill"
fill_inodes "$D/ino"
nl DEL b1 "$C"
want_ok "no inode: DEL"
check_out "no inode: DEL released b1" "" holds "$I/n" b1
rm -rf "$D/ino/.fill"
nl ADD b3 "$C"
want_ok "inodes back: ADD"

# --- 3. read-only ----------------------------------------------------------------------
mkfs ro size=1m
R=$D/ro/d
C=$(conf2 "$R")
for c in r1 r2 r3; do nl ADD $c "$C"; done
mount -o remount,ro "$D/ro"
nl ADD r4 "$C"
want_err "read-only: ADD" 104 'Read-only file system'
nl CHECK r1 "$C"
want_ok "read-only: CHECK still answers"
nl STATUS - "$C"
want_ok "read-only: STATUS still answers"
nl DEL r1 "$C"
if [ "$RC" = 0 ]; then
	check_out "read-only: DEL claims success, so r1 must be released (B1)" "" \
		holds "$R/n" r1
else
	want_err "read-only: DEL" 104 'Read-only file system'
fi
nl GC - "$(conf2 "$R" "$(valid r2)")"
want_err "read-only: GC" 104 'Read-only file system'
mount -o remount,rw "$D/ro"
nl DEL r1 "$C"
want_ok "read-write again: DEL"
check_out "read-write again: r1 released" "" holds "$R/n" r1
nl GC - "$(conf2 "$R" "$(valid r2)")"
want_ok "read-write again: GC"
check_out "read-write again: GC released r3" "" holds "$R/n" r3
nl ADD r5 "$C"
want_ok "read-write again: ADD"
check_clean "read-only, then read-write" "$R/n"
# only the network dir read-only (a read-only bind mount)
mount --bind "$R/n" "$R/n" && mount -o remount,bind,ro "$R/n"
nl ADD r6 "$C"
want_err "read-only bind mount of the network dir: ADD" 104 'Read-only file system'
umount "$R/n"
nl ADD r6 "$C"
want_ok "bind mount gone: ADD"

# --- 4. corrupted allocation files ------------------------------------------------------
K=$D/cor/n
CK=$(conf4 1.1.0 "$D/cor" '"10.9.1.0/29"')   # hands out .2 .. .6
mkdir -p "$K"
echo victim > "$D/victim"
: > "$K/10.9.1.2"                                  # host-local's leftover of a failed write
printf 'e9\r' > "$K/10.9.1.4"                      # a record cut short
head -c 4096 /dev/urandom > "$K/10.9.1.5"          # garbage, NULs included
ln -s "$D/victim" "$K/10.9.1.6"                    # a symlink out of the dir
printf 'x' > "$K/10.9.1.06"; printf 'x' > "$K/10.9.1.3.bak"   # not address names
nl ADD e1 "$CK"
want_ok "corrupted records: ADD"
check_out "corrupted records: ADD took the one free address" "10.9.1.3/29" \
	sh -c 'printf "%s" "$1" | addrs' _ "$OUT"
nl ADD e2 "$CK"
want_err "corrupted records: the rest count as taken" 101 'no IP addresses available'
nl DEL e9 "$CK"
want_ok "a cut record (\"ID\\r\") is the old form of ID: DEL"
check "... and DEL released it" test ! -e "$K/10.9.1.4"
mkfifo "$K/10.9.1.4"
mkdir "$K/10.9.1.7"
nl CHECK e1 "$CK"
want_ok "a FIFO and a directory named as addresses: CHECK does not hang"
nl GC - "$(conf_ipam 1.1.0 '"dataDir":"'"$D/cor"'","subnet":"10.9.1.0/29"' "$(valid e1)")"
want_ok "corrupted records: GC"
check_out "GC released the empty, garbage, symlink and FIFO records; kept e1's" \
	"10.9.1.3 10.9.1.7 " sh -c 'cd "$1" && echo "$(ls -d 10.9.1.? | sort | tr "\n" " ")"' _ "$K"
check_out "the symlink's target is untouched" victim cat "$D/victim"
check_clean "corrupted records" "$K"
rmdir "$K/10.9.1.7"
nl ADD e3 "$CK"
want_ok "after GC: ADD"

# --- 5. corrupted last_reserved_ip and xc-index -------------------------------------------
L=$D/cur/n
CL=$(conf4 1.1.0 "$D/cur" '"10.9.3.0/24"')
mkdir -p "$L"
n=0
for content in "" "garbage" "192.0.2.1" "10.9.3.999" "fd00::1" "10.9.3.7
10.9.3.8"; do
	n=$((n + 1))
	printf '%s' "$content" > "$L/last_reserved_ip.0"
	nl ADD c$n "$CL"
	want_ok "last_reserved_ip.0 \"$content\": ADD"
done
head -c 1048576 /dev/urandom > "$L/last_reserved_ip.0"
nl ADD c7 "$CL"
want_ok "last_reserved_ip.0 of 1 MiB of garbage: ADD"
rm -f "$L/last_reserved_ip.0"
echo victim2 > "$D/victim2"
ln -s "$D/victim2" "$L/last_reserved_ip.0"
nl ADD c8 "$CL"
want_ok "last_reserved_ip.0 a symlink: ADD"
check_out "... the symlink's target is neither read nor written" victim2 cat "$D/victim2"
rm -f "$L/last_reserved_ip.0"
mkdir "$L/last_reserved_ip.0"
nl ADD c9 "$CL"
want_ok "last_reserved_ip.0 a directory: ADD"
rmdir "$L/last_reserved_ip.0"
mkfifo "$L/last_reserved_ip.0"
nl ADD c10 "$CL"
if [ "$RC" = 124 ]; then
	t_fail "last_reserved_ip.0 a FIFO: ADD hangs (B6: cursor opened O_WRONLY without O_NONBLOCK)"
else
	t_ok
fi
rm -f "$L/last_reserved_ip.0"
check_clean "cursor faults" "$L"
# the index: garbage, cut short, empty, a symlink, a FIFO, a directory
nl ADD i0 "$CL"
want_ok "index: ADD"
echo victim3 > "$D/victim3"
n=0
for how in garbage short empty symlink fifo dir; do
	n=$((n + 1))
	rm -rf "$L/xc-index"
	case $how in
	garbage) head -c 8320 /dev/urandom > "$L/xc-index" ;;
	short) printf 'XCIPIDX1' > "$L/xc-index" ;;
	empty) : > "$L/xc-index" ;;
	symlink) ln -s "$D/victim3" "$L/xc-index" ;;
	fifo) mkfifo "$L/xc-index" ;;
	dir) mkdir "$L/xc-index" ;;
	esac
	nl CHECK i0 "$CL"
	want_ok "xc-index $how: CHECK finds i0"
	nl ADD i$n "$CL"
	want_ok "xc-index $how: ADD"
	nl DEL i$n "$CL"
	want_ok "xc-index $how: DEL"
	check_out "xc-index $how: DEL released it" "" holds "$L" i$n
done
check_out "the index symlink's target is untouched" victim3 cat "$D/victim3"
rm -rf "$L/xc-index"
nl ADD i9 "$CL"
want_ok "index back: ADD"
check "index back: a regular file again" test -f "$L/xc-index" -a ! -L "$L/xc-index"
# a leftover temporary record that is a symlink: removed, target untouched
echo victim4 > "$D/victim4"
ln -s "$D/victim4" "$L/.xc-tmp.1"
rm -f "$L/xc-index"
nl ADD i10 "$CL"
want_ok "a planted .xc-tmp.1 symlink: ADD"
check "... the symlink is gone" test ! -L "$L/.xc-tmp.1"
check_out "... its target is untouched" victim4 cat "$D/victim4"
# B10: the index's slots zeroed in place (dd conv=notrunc): the directory's
# mtime stays, so the stamp still matches; the slots' own check must notice
nl ADD b1 "$CL"
want_ok "index in place: ADD b1"
nl ADD b2 "$CL"
want_ok "index in place: ADD b2"
zero_slots() {
	dd if=/dev/zero of="$L/xc-index" bs=32 seek=4 conv=notrunc \
		count=$((($(stat -c %s "$L/xc-index") - 128) / 32)) 2>/dev/null
}
m0=$(stat -c %y "$L")
zero_slots
check_out "index slots zeroed in place: the directory's mtime unchanged" "$m0" stat -c %y "$L"
nl CHECK b1 "$CL"
want_ok "index slots zeroed in place: CHECK finds b1 (B10)"
zero_slots
nl DEL b2 "$CL"
want_ok "index slots zeroed in place: DEL b2"
check_out "index slots zeroed in place: DEL released b2 (B10)" "" holds "$L" b2
zero_slots
nl ADD b1 "$CL"
want_err "index slots zeroed in place: a second ADD of b1 is refused" 108 'duplicate'

# --- 6. lock file, network dir and dataDir as links, FIFOs, other owners ------------------
M=$D/lk/n
CM=$(conf4 1.1.0 "$D/lk" '"10.9.4.0/24"')
mkdir -p "$M"
echo victim5 > "$D/victim5"
ln -s "$D/victim5" "$M/lock"
nl ADD l1 "$CM"
want_err "lock a symlink" 104 'lock'
check_out "... its target is untouched" victim5 cat "$D/victim5"
rm -f "$M/lock"
mkfifo "$M/lock"
nl ADD l2 "$CM"
if [ "$RC" = 124 ]; then
	t_fail "lock a FIFO: ADD hangs (B7: lock opened without O_NONBLOCK)"
else
	want_err "lock a FIFO" 104 'lock'
fi
rm -f "$M/lock"
nl ADD l3 "$CM"
want_ok "lock a file again: ADD"

mkdir "$D/real" "$D/elsewhere"
ln -s "$D/real" "$D/dlink"
nl ADD s1 "$(conf4 1.1.0 "$D/dlink" '"10.9.5.0/24"')"
want_ok "dataDir a symlink (as host-local, followed): ADD"
check "... the state is in the target" test -f "$D/real/n/10.9.5.2"
mkdir "$D/nl"
ln -s "$D/elsewhere" "$D/nl/n"
nl ADD s2 "$(conf4 1.1.0 "$D/nl" '"10.9.5.0/24"')"
want_err "network dir a symlink: refused" 104 "$D/nl/n"
check_out "... nothing written where it points" "" ls -A "$D/elsewhere"

# another user's network dir: that user could plant FIFOs, links or records
# for root, so root refuses it (B9) and writes nothing there; once it is
# root's and 0755 (as host-local makes it) ADD works and every file it makes
# is root's and 0600
mkdir -p "$D/own/n"
chown 65534:65534 "$D/own/n"
nl ADD o1 "$(conf4 1.1.0 "$D/own" '"10.9.6.0/24"')"
want_err "B9: network dir owned by another user, as root: refused" 104 \
	"^refusing the directory $D/own/n: it is not owned by root$"
check_out "... nothing written in it" "" ls -A "$D/own/n"
chown 0:0 "$D/own/n"
chmod 775 "$D/own/n"
nl ADD o1 "$(conf4 1.1.0 "$D/own" '"10.9.6.0/24"')"
want_err "B9: root's network dir writable by its group: refused" 104 \
	"^refusing the directory $D/own/n: it is writable by group or others$"
chmod 757 "$D/own/n"
nl ADD o1 "$(conf4 1.1.0 "$D/own" '"10.9.6.0/24"')"
want_err "B9: root's network dir writable by others: refused" 104 "writable by group or others"
chmod 755 "$D/own/n"
nl ADD o1 "$(conf4 1.1.0 "$D/own" '"10.9.6.0/24"')"
want_ok "root's network dir, 0755: ADD"
check_out "... the files are root's, 0600" "0:600 0:600 0:600 0:600 " sh -c \
	'cd "$1" && for f in 10.9.6.2 last_reserved_ip.0 lock xc-index; do printf "%s " "$(stat -c %u:%a "$f")"; done' _ "$D/own/n"
# not root: a root-owned dir is refused with the reason and the path
mkdir -p "$D/rootd/n"
PUB=$(t_public_bin) || t_fail "a copy of the binary uid 65534 can run"
trap 'cleanup; rm -rf "$PUB"' EXIT
asuser() { # CMD CID CONF: node-local as uid 65534; sets RC, CODE, MSG
	printf '%s' "$3" > "$D/stdin"
	OUT=$(timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups env CNI_COMMAND="$1" \
		CNI_CONTAINERID="$2" CNI_NETNS=/x CNI_IFNAME=eth0 "$PUB/xcluster-cni" node-local < "$D/stdin" 2>/dev/null)
	RC=$?
	CODE=$(printf '%s' "$OUT" | errcode)
	MSG=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("msg",""))' 2>/dev/null)
}
asuser ADD u1 "$(conf4 1.1.0 "$D/rootd" '"10.9.7.0/24"')"
want_err "not root, a root-owned network dir" 104 "Permission denied"
check_grep "... the message names the path" "$D/rootd/n" echo "$MSG"
mkdir -p "$D/theirs/n"
chown 65534:65534 "$D/theirs/n"
: > "$D/theirs/n/lock"
chmod 600 "$D/theirs/n/lock"
asuser ADD u2 "$(conf4 1.1.0 "$D/theirs" '"10.9.7.0/24"')"
want_err "not root, a lock file it cannot read" 104 "lock.*Permission denied"
rm -f "$D/theirs/n/lock"
asuser ADD u3 "$(conf4 1.1.0 "$D/theirs" '"10.9.7.0/24"')"
want_ok "not root, its own network dir: ADD"

# the router's podcidrs file (node-local's ranges when the config has none)
P=$D/pc/n
CP=$(conf_ipam 1.1.0 '"dataDir":"'"$D/pc"'"')
mkdir -p "$P"
printf '10.9.11.0/24\n' > "$D/pc-outside"
ln -s "$D/pc-outside" "$P/podcidrs"
nl ADD p1 "$CP"
want_err "podcidrs a symlink: not followed" 11 'no pod CIDRs'
not_missing() { ! printf '%s' "$OUT" | grep -q 'does not exist'; }
check "... and the message does not claim it is missing (B4)" not_missing
rm -f "$P/podcidrs"
mkfifo "$P/podcidrs"
nl ADD p2 "$CP"
if [ "$RC" = 124 ]; then
	t_fail "podcidrs a FIFO: ADD hangs (B11: opened without O_NONBLOCK)"
else
	want_err "podcidrs a FIFO" 11 'no pod CIDRs'
fi
rm -f "$P/podcidrs"
: > "$P/podcidrs"
nl ADD p3 "$CP"
want_err "podcidrs empty" 11 'no pod CIDRs'
printf '# comment only\n\n' > "$P/podcidrs"
nl STATUS - "$CP"
want_err "podcidrs without a CIDR: STATUS" 50 'no pod CIDRs'
printf '10.9.11.0/24\n' > "$P/podcidrs"
nl ADD p4 "$CP"
want_ok "podcidrs back: ADD"

# modes do not follow a careless umask
rm -rf "$D/um"
(umask 000; nl ADD m1 "$(conf4 1.1.0 "$D/um" '"10.9.8.0/24"')")
check_out "umask 000: nothing group- or world-writable" "" \
	find "$D/um" -perm /022 ! -type l -printf '%p '
check_out "umask 000: allocation, cursor, lock, index are 0600" "600 600 600 600 " sh -c \
	'cd "$1" && for f in 10.9.8.2 last_reserved_ip.0 lock xc-index; do printf "%s " "$(stat -c %a "$f")"; done' _ "$D/um/n"

t_done
