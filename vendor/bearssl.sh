#!/bin/sh
# Fetch BearSSL's Debian source package, check it against the pinned checksum
# and unpack it into the build tree. Never commits BearSSL's sources.
# Usage: vendor/bearssl.sh DESTDIR
# The apt source index is derived from the machine's own apt sources, so no
# repository address is written anywhere by this project.
set -eu
VERSION=0.6+dfsg.1-3
ORIG=bearssl_0.6+dfsg.1.orig.tar.xz
SHA256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004

dest=$1
dl=$dest/dl
mkdir -p "$dl"

if [ ! -f "$dl/$ORIG" ]; then
	if ! (cd "$dl" && apt-get source --download-only -q "bearssl=$VERSION") >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || { echo "bearssl: run as root once, or: apt-get source --download-only bearssl=$VERSION in $dl" >&2; exit 1; }
		# Enable source indexes next to the binary ones the machine already uses.
		src=/etc/apt/sources.list.d/xcluster-deb-src.sources
		for f in /etc/apt/sources.list.d/*.sources; do
			[ "$f" = "$src" ] && continue
			sed -n '/^Types:/s/.*/Types: deb-src/;p' "$f"
			echo
		done > "$src"
		if [ -f /etc/apt/sources.list ]; then
			sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list > /etc/apt/sources.list.d/xcluster-deb-src.list
		fi
		apt-get update -q >/dev/null
		(cd "$dl" && apt-get source --download-only -q "bearssl=$VERSION") >/dev/null
	fi
fi
echo "$SHA256  $dl/$ORIG" | sha256sum -c --quiet - || { echo "bearssl: checksum mismatch for $ORIG" >&2; exit 1; }
rm -rf "$dest/bearssl-0.6"
tar -xJf "$dl/$ORIG" -C "$dest"
[ -d "$dest/bearssl-0.6" ] || { d=$(tar -tJf "$dl/$ORIG" | head -1 | cut -d/ -f1); mv "$dest/$d" "$dest/bearssl-0.6"; }
