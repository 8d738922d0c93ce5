#!/bin/bash
# test/vm/run.sh: the VM suite (make test-vm). Boots a Debian kernel under
# qemu (TCG) with an initramfs holding busybox-static, $XC and the tunnel
# modules; test/vm/init.sh runs as PID 1 and test/vm/guest.sh does the
# checks inside (docs/vm.md). This side counts the guest's results and
# ends with "vm: N passed, N failed, N skipped".
#
# Environment: XC (the binary), VM_DIR (cache and image, default build/vm),
# VM_TIMEOUT (seconds for the whole VM run, default 300), VM_ROUTES
# (router | manual: who sets the tunnel routes; default router when $XC
# has it), VM_MODES (e.g. sit,ipip: only these), VM_VERBOSE=1 (show the
# whole console), VM_SMP (default 2), VM_EXTRA (a shell file the guest
# sources after its checks: for debugging).
set -u
cd "$(dirname "$0")/../.." || exit 2
. test/lib/t.sh
T_SUITE=vm

VM_DIR=${VM_DIR:-build/vm}
VM_TIMEOUT=${VM_TIMEOUT:-300}
VM_SMP=${VM_SMP:-2}
mkdir -p "$VM_DIR" || exit 2
VM_DIR=$(cd "$VM_DIR" && pwd)
t0=$(date +%s.%N)

note() { echo "vm: $*" >&2; }
die() { t_fail "$*"; t_done; exit 1; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (vendor/deps.sh vm)"
[ -x "$XC" ] || die "no binary at $XC"

# --- the kernel and busybox, fetched and unpacked once into $VM_DIR ------------
# $VM_DIR/kernel/: vmlinux (ELF, booted by PVH), version, modules/ (the
# whole unpacked module tree of that kernel), busybox.
K=$VM_DIR/kernel
kernel_pkg() { # the linux-image-6.1.0-N-amd64 that linux-image-amd64 names now
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9.]*-[0-9]*-amd64\)$/\1/p' | head -n 1
}
download() { # PKG: its .deb into $VM_DIR/deb unless there (again after an apt-get update)
	ls "$VM_DIR/deb/$1"_*.deb >/dev/null 2>&1 && return
	(cd "$VM_DIR/deb" && apt-get download -q "$1" >/dev/null 2>&1) ||
		{ apt-get update -q >/dev/null 2>&1; (cd "$VM_DIR/deb" && apt-get download -q "$1" >/dev/null 2>&1); }
}
fetch() {
	local pkg dir ver
	pkg=$(kernel_pkg)
	[ -n "$pkg" ] || { apt-get update -q >/dev/null 2>&1; pkg=$(kernel_pkg); }
	[ -n "$pkg" ] || return 1
	ver=${pkg#linux-image-}
	note "fetching $pkg and busybox-static (once; cached in $VM_DIR)"
	mkdir -p "$VM_DIR/deb" && download "$pkg" && download busybox-static || return 1
	dir=$VM_DIR/pkg
	rm -rf "$dir" "$K.new" && mkdir -p "$dir" "$K.new" || return 1
	dpkg -x "$(ls "$VM_DIR/deb/$pkg"_*.deb | tail -n 1)" "$dir/kernel" &&
		dpkg -x "$(ls "$VM_DIR"/deb/busybox-static_*.deb | tail -n 1)" "$dir/busybox" || return 1
	python3 test/vm/vmimage.py vmlinux "$dir/kernel/boot/vmlinuz-$ver" "$K.new/vmlinux" || return 1
	mv "$dir/kernel/lib/modules/$ver" "$K.new/modules" && cp "$dir/busybox/bin/busybox" "$K.new/busybox" || return 1
	echo "$ver" > "$K.new/version"
	rm -rf "$dir" "$K" && mv "$K.new" "$K"
}
exec 9> "$VM_DIR/.lock"
flock 9
if [ ! -s "$K/version" ]; then
	fetch || die "could not fetch or unpack the kernel and busybox-static into $VM_DIR"
fi
flock -u 9
KVER=$(cat "$K/version")

# --- the initramfs, rebuilt each run (the binary changes) -----------------------
# In a folder of this run's own: runs may overlap.
W=$(mktemp -d "$VM_DIR/run.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
R=$W/root
mkdir -p "$R/bin" "$R/opt/cni/bin" "$R/test" "$R/lib/modules/$KVER" || exit 2
cp "$K/busybox" "$R/bin/busybox" && ln -s busybox "$R/bin/sh"
cp "$XC" "$R/bin/xcluster-cni" || exit 2
ln -s /bin/xcluster-cni "$R/opt/cni/bin/bridge"
ln -s /bin/xcluster-cni "$R/opt/cni/bin/node-local"
ln -s /bin/xcluster-cni "$R/opt/cni/bin/portmap"
cp test/vm/init.sh "$R/init" && cp test/vm/guest.sh "$R/test/guest.sh" && chmod 755 "$R/init" || exit 2
if [ -n "${VM_EXTRA:-}" ]; then cp "$VM_EXTRA" "$R/test/extra.sh" || exit 2; fi

# Modules: the ones the tests name and what they depend on (the depends=
# of each module's .modinfo), then a modules.dep for that set from
# busybox's depmod.
# nf_tables for masquerade and hostPorts: in the image but never loaded by
# the guest; the kernel asks modprobe for them by alias when a batch needs
# them (as on a node, where the host's modprobe answers). crc32c_generic:
# libcrc32c's crypto, a soft dependency (asked for as crypto-crc32c).
WANT="sit ipip tunnel4 ip_tunnel vxlan veth bridge stp llc \
nfnetlink nf_tables nft_chain_nat nft_nat nft_masq nft_fib_inet nft_ct nf_conntrack_netlink \
crc32c_generic"
modpath() { # NAME: the module's path under $K/modules, "-" and "_" alike
	find "$K/modules/kernel" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" \) | head -n 1
}
todo=" $WANT " done_=" "
while [ -n "${todo// /}" ]; do
	read -r m todo <<< "$todo"
	case "$done_" in *" $m "*) continue ;; esac
	p=$(modpath "$m")
	[ -n "$p" ] || die "module $m not in $KVER"
	rel=${p#$K/modules/}
	mkdir -p "$R/lib/modules/$KVER/$(dirname "$rel")" && cp "$p" "$R/lib/modules/$KVER/$rel" || exit 2
	done_="$done_$m "
	todo="$todo $(tr '\0' '\n' < "$p" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' ')"
done
cp "$K/modules/modules.builtin" "$K/modules/modules.order" "$R/lib/modules/$KVER/" 2>/dev/null
"$K/busybox" depmod -b "$R" "$KVER" || die "depmod failed"
python3 test/vm/vmimage.py cpio "$R" "$W/initramfs.cpio" || die "cpio failed"
note "kernel $KVER, modules:$done_, initramfs $(($(stat -c %s "$W/initramfs.cpio") / 1024)) KiB; image built in $(elapsed "$t0") s"

# --- boot, with a hard timeout -------------------------------------------------
LOG=$W/console.log
routes=${VM_ROUTES:-}
guest_timeout=$((VM_TIMEOUT > 20 ? VM_TIMEOUT - 10 : VM_TIMEOUT))
t1=$(date +%s.%N)
timeout -k 5 "$VM_TIMEOUT" qemu-system-x86_64 \
	-accel tcg -cpu max -smp "$VM_SMP" -m 512 \
	-nodefaults -no-user-config -display none -monitor none -serial stdio -no-reboot \
	-kernel "$K/vmlinux" -initrd "$W/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 quiet loglevel=1 mitigations=off xcvm.routes=$routes xcvm.modes=${VM_MODES:-} xcvm.timeout=$guest_timeout" \
	</dev/null 2>&1 | tr -d '\r' > "$LOG"
rc=${PIPESTATUS[0]}
total=$(elapsed "$t1")
cp "$LOG" "$VM_DIR/console.log"
[ "${VM_VERBOSE:-0}" = 1 ] && cat "$LOG"

# --- what the guest said -------------------------------------------------------
# Guest lines between @@XCVM-BEGIN and @@XCVM-END: "ok DESC", "FAIL vm: DESC",
# "SKIP vm: DESC", then "@@XCVM-RESULT P F S" (its own count, to catch a cut log).
boot=$(sed -n 's/^@@XCVM-BEGIN uptime=\([0-9.]*\).*/\1/p' "$LOG")
if [ -z "$boot" ]; then
	t_fail "the VM did not boot to init (qemu exit $rc; $VM_DIR/console.log):"
	tail -n 20 "$LOG" | sed 's/^/     /'
	t_done
	exit 1
fi
t_ok
gp=0 gf=0 gs=0
while IFS= read -r line; do
	case "$line" in
	"ok "*) gp=$((gp + 1)); t_ok ;;
	"FAIL vm: "*) gf=$((gf + 1)); t_fail "${line#FAIL vm: }" ;;
	"SKIP vm: "*) gs=$((gs + 1)); t_skip "${line#SKIP vm: }" ;;
	"  "*) [ "${VM_VERBOSE:-0}" = 1 ] || echo "$line" ;; # a failure's details
	esac
done < <(sed -n '/^@@XCVM-BEGIN/,/^@@XCVM-END/p' "$LOG")
res=$(sed -n 's/^@@XCVM-RESULT \([0-9]* [0-9]* [0-9]*\)$/\1/p' "$LOG")
if grep -q '^@@XCVM-END' "$LOG" && [ "$res" = "$gp $gf $gs" ]; then
	t_ok
else
	t_fail "the guest did not finish its checks (qemu exit $rc, guest count '$res', seen '$gp $gf $gs'):"
	grep -v '^ok ' "$LOG" | tail -n 15 | sed 's/^/     /'
fi
if [ "$gp" -gt 0 ]; then t_ok; else t_fail "the guest passed no check"; fi
if [ "$rc" = 0 ]; then t_ok; else t_fail "qemu exit $rc (124: the ${VM_TIMEOUT}s timeout)"; fi
note "boot to init ${boot}s (guest clock), VM run ${total}s, whole suite $(elapsed "$t0")s; $(sed -n 's/^@@XCVM-END //p' "$LOG")"
t_done
