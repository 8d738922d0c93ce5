#!/bin/sh
# image/build.sh BINARY OUTDIR IMAGE [MANIFEST...]
#
# A FROM-scratch container image holding nothing but BINARY as /xcluster-cni
# (the entrypoint), assembled by hand: no engine, no daemon, no registry.
# Every byte is fixed by the inputs (sorted tar entries, owner 0, mode 0755,
# mtime SOURCE_DATE_EPOCH, gzip -n, JSON written in one fixed order), so two
# builds of the same binary are identical files. Writes into OUTDIR:
#
#   xcluster-cni.oci.tar     oci-archive: an OCI image layout in a tar
#   xcluster-cni.docker.tar  docker-archive (manifest.json, uncompressed layer)
#   xcluster-cni.yaml        each MANIFEST (under its own name) with its image
#                            reference set to IMAGE
#
# IMAGE is a full reference NAME:TAG (e.g. localhost/xcluster-cni:1.0); the
# archives carry it so that docker load, podman load and ctr import name the
# image. SOURCE_DATE_EPOCH (seconds) sets every timestamp; default 0.
set -eu

usage() { echo "usage: $0 BINARY OUTDIR NAME:TAG [MANIFEST...]" >&2; exit 2; }
[ $# -ge 3 ] || usage
bin=$1 out=$2 image=$3
shift 3
epoch=${SOURCE_DATE_EPOCH:-0}
# The placeholder the committed manifest carries.
placeholder=localhost/xcluster-cni:latest

tag=${image##*:}
echo "$image" | grep -Eqx '[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}' || {
	echo "$0: '$image' is not a NAME:TAG image reference" >&2
	exit 2
}
echo "$epoch" | grep -Eqx '[0-9]+' || { echo "$0: SOURCE_DATE_EPOCH '$epoch' is not a number" >&2; exit 2; }
[ -f "$bin" ] || { echo "$0: $bin: no such file" >&2; exit 1; }
for manifest in "$@"; do
	grep -q "image: $placeholder\$" "$manifest" || {
		echo "$0: $manifest has no 'image: $placeholder' line to set" >&2
		exit 1
	}
done

# The image's architecture is the binary's (ELF e_machine, little endian).
case $(od -An -tx1 -j18 -N2 "$bin" | tr -d ' \n') in
3e00) arch=amd64 ;;
b700) arch=arm64 ;;
*) echo "$0: $bin: not an x86-64 or arm64 ELF binary" >&2; exit 1 ;;
esac

export LC_ALL=C TZ=UTC
umask 022
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$out"
w=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$w"' EXIT

# rtar DIR OUTPUT NAME...: a tar whose bytes depend on the content alone.
rtar() {
	d=$1 o=$2; shift 2
	tar --create --file="$o" --directory="$d" --format=ustar --sort=name \
		--owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
		--mode='u+rwX,go+rX,go-w' --no-recursion "$@"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# --- the one layer -------------------------------------------------------------
mkdir "$w/rootfs"
cp "$bin" "$w/rootfs/xcluster-cni"
chmod 0755 "$w/rootfs/xcluster-cni"
rtar "$w/rootfs" "$w/layer.tar" xcluster-cni
gzip -n -9 < "$w/layer.tar" > "$w/layer.tar.gz"
diff_id=$(sha "$w/layer.tar")
layer=$(sha "$w/layer.tar.gz")

# --- config, manifest, index ---------------------------------------------------
printf '{"created":"%s","architecture":"%s","os":"linux","config":{"Entrypoint":["/xcluster-cni"],"WorkingDir":"/","Labels":{"org.opencontainers.image.title":"xcluster-cni","org.opencontainers.image.version":"%s"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"image/build.sh: /xcluster-cni"}]}' \
	"$created" "$arch" "$tag" "$diff_id" "$created" > "$w/config.json"
config=$(sha "$w/config.json")

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
	"$config" "$(size "$w/config.json")" "$layer" "$(size "$w/layer.tar.gz")" > "$w/manifest.json"
mdigest=$(sha "$w/manifest.json")

# ref.name is the tag (the OCI layout's convention, what skopeo and umoci
# look up); io.containerd.image.name is the full name containerd and podman use.
oci=$w/oci
mkdir -p "$oci/blobs/sha256"
cp "$w/layer.tar.gz" "$oci/blobs/sha256/$layer"
cp "$w/config.json" "$oci/blobs/sha256/$config"
cp "$w/manifest.json" "$oci/blobs/sha256/$mdigest"
printf '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
	"$mdigest" "$(size "$w/manifest.json")" "$arch" "$image" "$tag" > "$oci/index.json"
chmod 0644 "$oci"/blobs/sha256/* "$oci/oci-layout" "$oci/index.json"
rtar "$oci" "$w/xcluster-cni.oci.tar" $(cd "$oci" && find . -mindepth 1 | cut -c3- | sort)

# --- docker-archive: the same config (so the same image ID), layer uncompressed
dk=$w/docker
mkdir "$dk"
cp "$w/config.json" "$dk/$config.json"
cp "$w/layer.tar" "$dk/$diff_id.tar"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s.tar"]}]' \
	"$config" "$image" "$diff_id" > "$dk/manifest.json"
chmod 0644 "$dk"/*
rtar "$dk" "$w/xcluster-cni.docker.tar" $(cd "$dk" && ls | sort)

# --- outputs, each replaced whole ----------------------------------------------
for f in xcluster-cni.oci.tar xcluster-cni.docker.tar; do
	mv -f "$w/$f" "$out/$f"
done
for manifest in "$@"; do
	m=$(basename "$manifest")
	sed "s|image: $placeholder\$|image: $image|" "$manifest" > "$w/$m"
	mv -f "$w/$m" "$out/$m"
done
echo "  IMAGE    $image ($arch, layer $(size "$w/layer.tar.gz") bytes gzip, config sha256:$config)"
echo "           $out/xcluster-cni.oci.tar $(size "$out/xcluster-cni.oci.tar") bytes, $out/xcluster-cni.docker.tar $(size "$out/xcluster-cni.docker.tar") bytes"
