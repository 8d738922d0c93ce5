#!/bin/sh
# The container image (image/build.sh): byte-reproducible; read back by
# skopeo, unpacked by umoci, loaded by podman and imported by containerd's
# ctr; the unpacked rootfs holds only the binary, which runs in a chroot
# (--version, install). Tools that are missing and parts that need root
# report themselves skipped.
. "$(dirname "$0")/../lib/t.sh"
cd "$(dirname "$0")/../.." || exit 2

T=$(mktemp -d)
CPID=
trap '[ -n "$CPID" ] && kill $CPID 2>/dev/null && wait $CPID; rm -rf "$T"' EXIT
IMG=localhost/xcluster-cni:e2e-test
EPOCH=1700000000
build() { # OUTDIR [build.sh env...]
	o=$1; shift
	env SOURCE_DATE_EPOCH=$EPOCH "$@" image/build.sh "$T/bin/xcluster-cni" "$o" "$IMG" xcluster-cni.yaml > /dev/null
}
# json FILE EXPR: a Python expression on the parsed document d
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
have() { command -v "$1" > /dev/null 2>&1; }

mkdir "$T/bin"
cp "$XC" "$T/bin/xcluster-cni"

# --- reproducible ---------------------------------------------------------------
check "build" build "$T/o1"
# Same content, other mtime, umask, time zone and locale, a second later
# (tar keeps seconds): same bytes.
sleep 1.1
touch -d '2001-02-03 04:05:06' "$T/bin/xcluster-cni"; chmod 700 "$T/bin/xcluster-cni"
check "build again" sh -c 'umask 077; cd "$1" && exec env TZ=Asia/Tokyo LANG=C.UTF-8 SOURCE_DATE_EPOCH=$2 \
	image/build.sh "$3" "$4" "$5" xcluster-cni.yaml > /dev/null' sh "$PWD" $EPOCH "$T/bin/xcluster-cni" "$T/o2" "$IMG"
for f in xcluster-cni.oci.tar xcluster-cni.docker.tar xcluster-cni.yaml; do
	check "$f: identical bytes on rebuild" cmp "$T/o1/$f" "$T/o2/$f"
done
check "no work files left" test "$(ls -A "$T/o1" | tr '\n' ' ')" = "xcluster-cni.docker.tar xcluster-cni.oci.tar xcluster-cni.yaml "
build "$T/o3" SOURCE_DATE_EPOCH=1700000001
check "a different epoch gives a different image" sh -c '! cmp -s "$1" "$2"' sh "$T/o1/xcluster-cni.oci.tar" "$T/o3/xcluster-cni.oci.tar"
check_exit "bad reference refused" 2 image/build.sh "$XC" "$T/o4" "Not A Ref"
check_exit "reference without tag refused" 2 image/build.sh "$XC" "$T/o4" localhost/xcluster-cni
check_exit "missing binary refused" 1 image/build.sh "$T/nope" "$T/o4" "$IMG"
check_exit "not an ELF refused" 1 image/build.sh xcluster-cni.yaml "$T/o4" "$IMG"

OCI=$T/o1/xcluster-cni.oci.tar DOCKER=$T/o1/xcluster-cni.docker.tar

# --- the archives, read by hand ---------------------------------------------------
mkdir "$T/lay" "$T/dk"
tar -xf "$OCI" -C "$T/lay"
tar -xf "$DOCKER" -C "$T/dk"
mdig=$(json "$T/lay/index.json" 'd["manifests"][0]["digest"].split(":")[1]')
check_out "index names the image for containerd and podman" "$IMG" \
	json "$T/lay/index.json" 'd["manifests"][0]["annotations"]["io.containerd.image.name"]'
check_out "index ref.name is the tag" "e2e-test" \
	json "$T/lay/index.json" 'd["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"]'
M=$T/lay/blobs/sha256/$mdig
check "manifest blob matches its digest" test "$(sha256sum < "$M" | cut -d' ' -f1)" = "$mdig"
ldig=$(json "$M" 'd["layers"][0]["digest"].split(":")[1]')
cdig=$(json "$M" 'd["config"]["digest"].split(":")[1]')
check_out "one layer" 1 json "$M" 'len(d["layers"])'
check "layer blob matches its digest" test "$(sha256sum < "$T/lay/blobs/sha256/$ldig" | cut -d' ' -f1)" = "$ldig"
check "config blob matches its digest" test "$(sha256sum < "$T/lay/blobs/sha256/$cdig" | cut -d' ' -f1)" = "$cdig"
check_out "layer holds only the binary, root-owned, 0755" "-rwxr-xr-x 0/0 xcluster-cni" \
	sh -c 'tar -tvzf "$1" | awk "{print \$1, \$2, \$6}"' sh "$T/lay/blobs/sha256/$ldig"
check "layer's binary is the binary" sh -c 'tar -xOzf "$1" xcluster-cni | cmp - "$2"' sh "$T/lay/blobs/sha256/$ldig" "$XC"
check_out "docker-archive tags the image" "$IMG" json "$T/dk/manifest.json" 'd[0]["RepoTags"][0]'
check "docker-archive carries the same config (same image ID)" cmp "$T/dk/$cdig.json" "$T/lay/blobs/sha256/$cdig"
check "docker layer is the OCI layer uncompressed" sh -c 'gzip -dc "$1" | cmp - "$2"' sh \
	"$T/lay/blobs/sha256/$ldig" "$T/dk/$(json "$T/dk/manifest.json" 'd[0]["Layers"][0]')"
check_out "manifest rendered with the image" "$IMG $IMG" \
	sh -c 'grep "image:" "$1" | awk "{printf \"%s%s\", s, \$2; s=\" \"}"' sh "$T/o1/xcluster-cni.yaml"
check "manifest otherwise unchanged" sh -c 'sed "s|$2|localhost/xcluster-cni:latest|" "$1" | cmp - xcluster-cni.yaml' sh "$T/o1/xcluster-cni.yaml" "$IMG"

# --- skopeo ------------------------------------------------------------------------
if have skopeo; then
	for a in "oci-archive:$OCI" "docker-archive:$DOCKER"; do
		skopeo inspect --config "$a" > "$T/cfg.json" 2> "$T/err"
		check "skopeo reads $a" test -s "$T/cfg.json"
		check_out "... entrypoint" "['/xcluster-cni']" json "$T/cfg.json" 'd["config"]["Entrypoint"]'
		check_out "... no Cmd, no Env" "None None" json "$T/cfg.json" 'str(d["config"].get("Cmd")) + " " + str(d["config"].get("Env"))'
		check_out "... linux/amd64" "linux/amd64" json "$T/cfg.json" 'd["os"] + "/" + d["architecture"]'
		check_out "... created at SOURCE_DATE_EPOCH" "2023-11-14T22:13:20Z" json "$T/cfg.json" 'd["created"]'
	done
	check "skopeo copies to an OCI layout" skopeo copy -q "oci-archive:$OCI" "oci:$T/layout:e2e"
	check "skopeo copies the docker-archive too" skopeo copy -q "docker-archive:$DOCKER" "oci:$T/layout:e2e-docker"
else
	t_skip "skopeo not installed (vendor/deps.sh test)" 12
fi

# --- umoci, then the rootfs in a chroot ------------------------------------------
if have umoci && [ -d "$T/layout" ]; then
	ro=; [ "$(id -u)" = 0 ] || ro=--rootless
	check "umoci unpacks it" umoci unpack $ro --image "$T/layout:e2e" "$T/bundle"
	check "umoci unpacks the docker-archive's copy" umoci unpack $ro --image "$T/layout:e2e-docker" "$T/bundle2"
	R=$T/bundle/rootfs
	check_out "rootfs holds nothing but the binary" "./xcluster-cni" sh -c 'cd "$1" && find . -mindepth 1' sh "$R"
	check "rootfs binary is the binary" cmp "$R/xcluster-cni" "$XC"
	check "both archives give the same rootfs" cmp "$R/xcluster-cni" "$T/bundle2/rootfs/xcluster-cni"
	check_out "runtime config runs the entrypoint" "['/xcluster-cni']" json "$T/bundle/config.json" 'd["process"]["args"]'
	# The image is for the static build; a sanitizer build needs its libraries.
	if readelf -l "$XC" 2>/dev/null | grep -q 'program interpreter'; then
		t_skip "chroot: $XC is dynamically linked" 6
	elif [ "$(id -u)" = 0 ]; then
		check_out "--version in a chroot" "$("$XC" --version)" chroot "$R" /xcluster-cni --version
		mkdir -p "$R/proc" "$R/host/bin" "$R/host/conf"
		check_grep "install without /proc says why" "is /proc mounted" \
			chroot "$R" /xcluster-cni install --bin-dir /host/bin --conf-dir /host/conf --mtu 1500 \
				--tunnel-mode none
		# As a runtime does: /proc mounted, host dirs somewhere in the rootfs.
		check "install inside the chroot" unshare -m sh -c 'mount -t proc proc "$1/proc" &&
			chroot "$1" /xcluster-cni install --bin-dir /host/bin --conf-dir /host/conf --mtu 1500 \
			--tunnel-mode none' sh "$R"
		check "... copied itself" cmp "$R/host/bin/xcluster-cni" "$XC"
		check_out "... linked the plugins" "xcluster-cni" readlink "$R/host/bin/xcluster-bridge"
		check_out "... wrote the config" 1500 json "$R/host/conf/10-xcluster-cni.conflist" 'd["plugins"][0]["mtu"]'
	else
		t_skip "chroot needs root" 6
	fi
else
	t_skip "umoci not installed or no layout" 12
fi

# --- podman load -------------------------------------------------------------------
if have podman && [ "$(id -u)" = 0 ]; then
	for a in "$OCI" "$DOCKER"; do
		P=$(mktemp -d "$T/podman.XXXXXX")
		pm() { podman --root "$P/s" --runroot "$P/r" --storage-driver vfs "$@"; }
		check_grep "podman load $(basename "$a")" "Loaded image.*$IMG" pm load -i "$a"
		check_out "... image ID is the config digest" "$cdig" pm image inspect --format '{{.Id}}' "$IMG"
		check_out "... entrypoint, arch" "[/xcluster-cni] amd64" pm image inspect --format '{{.Config.Entrypoint}} {{.Architecture}}' "$IMG"
	done
else
	t_skip "podman not installed or not root" 6
fi

# --- ctr import (a private containerd) -----------------------------------------------
if have containerd && have ctr && [ "$(id -u)" = 0 ]; then
	C=$T/containerd
	mkdir -p "$C"
	printf 'version = 2\nroot = "%s/root"\nstate = "%s/state"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "%s/sock"\n' \
		"$C" "$C" "$C" > "$C/config.toml"
	containerd --config "$C/config.toml" > "$C/log" 2>&1 &
	CPID=$!
	check "containerd listening" t_wait 60 test -S "$C/sock"
	n=0
	for a in "$OCI" "$DOCKER"; do
		n=$((n + 1))
		c() { ctr --address "$C/sock" -n "xct$n" "$@"; }
		check "ctr import $(basename "$a")" c images import --snapshotter native "$a"
		check_out "... named" "$IMG" c images ls -q
		check_grep "... complete" "complete \(2/2\)" c images check
	done
	kill $CPID; wait $CPID; CPID=
else
	t_skip "containerd not installed or not root" 7
fi

t_done
