#!/bin/sh
# names: every public function of core/ is named for its owner. A header's
# first comment lists its name prefixes ("Names: xc_nl_link_ xc_nl_veth_");
# a function's owner is the header listing the longest prefix its name
# starts with, and only that header may declare it (docs/design.md,
# Conventions). So a name says where its declaration lives, and two
# headers never claim one family.
. test/lib/t.sh

# decls TREE: "header function" for each function declared in core/*/*.h.
decls() {
	for h in "$1"/core/*/*.h; do
		grep -ho '^[a-z][a-z0-9_ *]*\bxc_[a-z0-9_]*(' "$h" | grep -o 'xc_[a-z0-9_]*($' | tr -d '(' |
			sed "s|^|${h#$1/} |"
	done
}

# prefixes TREE: "header prefix" for each prefix a header lists.
prefixes() {
	for h in "$1"/core/*/*.h; do
		sed -n '1,/\*\//s/^ \* Names: //p' "$h" | tr ' ' '\n' | grep . | sed "s|^|${h#$1/} |"
	done
}

# violations TREE: one line per function declared away from its owner.
violations() {
	prefixes "$1" > "$T/prefixes"
	decls "$1" | while read -r h f; do
		owner=$(awk -v f="$f" 'index(f, $2) == 1 && length($2) > best { best = length($2); o = $1 }
			END { print o }' "$T/prefixes")
		[ "$owner" = "$h" ] || echo "$h: $f: owned by ${owner:-no header (add its prefix to a Names: line)}"
	done
	sort -k2 "$T/prefixes" | awk '$2 == last { print $1 ": " $2 ": also listed by " lh } { last = $2; lh = $1 }'
}

T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' EXIT
check_out "every core function is declared by the header that owns its prefix" "" violations .

# the check can fail: a declaration in the wrong header, a prefix listed twice
cp -r core "$T/tree-core" 2>/dev/null
mkdir -p "$T/tree" && mv "$T/tree-core" "$T/tree/core"
printf 'int xc_nl_route_stray(void);\n' >> "$T/tree/core/kernel/nl_link.h"
sed -i '0,/^ \* Names: /s/^ \* Names: \(.*\)/ * Names: \1 xc_json_/' "$T/tree/core/kernel/sysctl.h"
v=$(violations "$T/tree")
check "a function declared away from its owner is named" sh -c \
	'echo "$1" | grep -q "nl_link.h: xc_nl_route_stray: owned by core/kernel/nl_route.h"' _ "$v"
check "a prefix two headers list is named" sh -c \
	'echo "$1" | grep -q "xc_json_: also listed by"' _ "$v"
t_done
