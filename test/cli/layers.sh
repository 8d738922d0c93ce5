#!/bin/sh
# layers: core/'s parts include only the parts below them (core/README.md).
# Reads every #include "..." of core/ and applets/ and fails on one that
# reaches a part it may not use, names a core header without its part, or
# names a file that is not there. The table below is the rule's one copy.
. test/lib/t.sh

# PART: the parts its files may include (itself included)
may_use() {
	case "$1" in
	base)   echo "base" ;;
	kernel) echo "base kernel" ;;
	kube)   echo "base kube" ;;
	cni)    echo "base kernel cni" ;;
	router) echo "base kernel kube router" ;;
	core)   echo "" ;;                      # core/main.c: the dispatcher
	applets) echo "base kernel kube cni router" ;;
	*)      echo "?" ;;
	esac
}

# violations TREE: one line per include that breaks the rule; none: silent
violations() {
	# "#  include" counts too: the preprocessor allows blanks around the '#'
	(cd "$1" && grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
		core/*.[ch] core/*/*.[ch] applets/*.c 2>/dev/null) |
	while IFS=: read -r file line text; do
		inc=${text#*\"}; inc=${inc%%\"*}
		case "$file" in
		core/*/*) part=${file#core/}; part=${part%%/*} ;;
		core/*) part=core ;;
		applets/*) part=applets ;;
		esac
		case "$inc" in
		version.h | applets.h) continue ;;   # generated into the build folder
		main.h) continue ;;                  # core/main.h: the dispatcher, for bridge
		*/*) ipart=${inc%%/*} ;;
		*)
			home=$(cd "$1/core" && ls -d */"$inc" 2>/dev/null | head -1)
			if [ -n "$home" ]; then
				echo "$file:$line: \"$inc\": name its part (\"$home\")"
			else
				echo "$file:$line: \"$inc\": not a core header"
			fi
			continue ;;
		esac
		[ -f "$1/core/$inc" ] || { echo "$file:$line: \"$inc\": no such file"; continue; }
		case " $(may_use "$part") " in
		*" $ipart "*) ;;
		*) echo "$file:$line: $part may not include $ipart (\"$inc\")" ;;
		esac
	done
}

check_out "every include of core/ and applets/ keeps to the parts' rule" "" violations .
check_out "core/ holds no file outside its parts but main.[ch] and its README" "README.md main.c main.h" \
	sh -c 'cd core && echo $(ls -p | grep -v /)'
for p in base kernel kube cni router; do
	check "core/$p/README.md says what the part owns and may use" \
		grep -q "^May use:" "core/$p/README.md"
done

# the check can fail: a copy of the tree with one wrong include of each kind
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/core/base" "$T/core/kernel" "$T/core/cni" "$T/core/kube" "$T/applets"
: > "$T/core/main.c"
: > "$T/core/kernel/netlink.h"
: > "$T/core/cni/cni.h"
: > "$T/core/kube/k8s.h"
printf '#include "kernel/netlink.h"\n' > "$T/core/base/json.c"
printf '#include "kube/k8s.h"\n#include "netlink.h"\n' > "$T/core/cni/x.c"
printf '#include "cni.h"\n#include "base/nope.h"\n#include "nope.h"\n' > "$T/core/cni/y.c"
printf '#include "cni/cni.h"\n' > "$T/core/main.h"
printf '  #  include "kube/k8s.h"\n' > "$T/core/kernel/z.c"
violations "$T" > "$T/out"
check_grep "... it finds base including kernel" '^core/base/json.c:1: base may not include kernel' cat "$T/out"
check_grep "... cni including kube" '^core/cni/x.c:1: cni may not include kube' cat "$T/out"
check_grep "... a header of another part without its part" '^core/cni/x.c:2: "netlink.h": name its part \("kernel/netlink.h"\)' cat "$T/out"
check_grep "... a header of its own part without its part" '^core/cni/y.c:1: "cni.h": name its part' cat "$T/out"
check_grep "... a file that is not there" '^core/cni/y.c:2: "base/nope.h": no such file' cat "$T/out"
check_grep "... a name that is no core header" '^core/cni/y.c:3: "nope.h": not a core header' cat "$T/out"
check_grep "... core/main.h including a part" '^core/main.h:1: core may not include cni' cat "$T/out"
check_grep "... an include written with blanks around its '#'" '^core/kernel/z.c:1: kernel may not include kube' cat "$T/out"
t_done
