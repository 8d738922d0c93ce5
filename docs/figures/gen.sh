#!/bin/sh
# The figures of the docs, made from the sources in this folder.
#
#   gen.sh build [SRC|DIR...]   write NAME.svg beside each NAME.dot / NAME.gp
#                                (default: every source in this folder); only
#                                files whose bytes change are rewritten
#   gen.sh check [SRC|DIR...]   each source's SVG exists, is well-formed XML and
#                                was made from the inputs as they are now; a DIR
#                                also flags SVGs made from a source now gone.
#                                Needs python3 and sha256sum, not the tools.
#   gen.sh svg SRC              the SVG of one source on stdout
#   gen.sh stamp SRC            the installed tool's version, as SVGs record it
#   gen.sh hash SRC             the hash of the source's inputs, as SVGs record it
#
# Sources:
#   NAME.dot  Graphviz dot. The shared style is the -G/-N/-E defaults below;
#             a source overrides them with its own graph/node/edge lines.
#   NAME.gp   gnuplot, run in this folder with the SVG terminal already set
#             (the .gp sets no terminal and no output; a comment line
#             "# size: W,H" sets the terminal's size, 640,360 without). Its
#             data files are named in comment lines "# data: FILE..." (paths
#             relative to the .gp's folder), so that they count as inputs.
#             The "# KEY: VALUE" lines that head a data file (bench/data.sh:
#             machine, date, command...) become gnuplot strings data_KEY
#             (the first data file with a KEY gives its value), so that a
#             plot can say where its data comes from.
# A hand-written NAME.svg with no source is only checked for being XML.
#
# Every SVG made here carries, after the XML prolog, one comment:
#   <!-- made by docs/figures/gen.sh from NAME.dot; inputs sha256 HEX; graphviz 2.43.0 -->
# HEX is the sha256 of the inputs (the source, its data files and this
# script, which holds the style and the rewriting), so a check needs
# neither graphviz nor gnuplot. The tools' own version stamps are dropped
# and nothing else varies between runs: the same inputs and tool version
# give the same bytes (test/cli/figures.sh regenerates and compares when
# the tool here is the one the SVG names).
#
# Text widths: dot sizes boxes from the width of their text. With its
# pango plugin that width comes from whichever font fontconfig picks for
# "Helvetica" here, so the layout would depend on the fonts installed.
# dot runs with a private plugin folder (GVBINDIR) holding only the core
# renderers and the dot layout: text is then measured with graphviz's
# built-in Helvetica (Arial) metrics, the same on every machine.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
SELF=$HERE/$(basename "$0")
TMP=

die() { echo "gen.sh: $*" >&2; exit 2; }
cleanup() { [ -z "$TMP" ] || rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
tmpdir() { [ -n "$TMP" ] || TMP=$(mktemp -d "${TMPDIR:-/tmp}/xcfig.XXXXXX"); }

# --- inputs and their hash -------------------------------------------------------
# data_files SRC: the files named by "# data:" lines of a .gp, one per line
data_files() {
	case "$1" in *.gp) ;; *) return 0 ;; esac
	dir=$(dirname "$1")
	sed -n 's/^#[[:space:]]*data:[[:space:]]*//p' "$1" | tr '\t' ' ' | tr -s ' ' '\n' |
		while read -r f; do [ -z "$f" ] || echo "$dir/$f"; done
}

# inputs_hash SRC: sha256 of the sha256 of each input, in a fixed order
inputs_hash() {
	{ data_files "$1" | while read -r f; do
		[ -f "$f" ] || { echo "missing data file $f" >&2; echo missing; continue; }
		sha256sum < "$f"
	  done
	  sha256sum < "$1"
	  sha256sum < "$SELF"
	} | sha256sum | cut -d' ' -f1
}

# --- the tools -----------------------------------------------------------------------
stamp() {
	case "$1" in
	*.dot)	command -v dot >/dev/null 2>&1 || return 1
		dot -V 2>&1 | sed -n 's/.*graphviz version \([^ ]*\).*/graphviz \1/p' ;;
	*.gp)	command -v gnuplot >/dev/null 2>&1 || return 1
		gnuplot --version | sed -n 's/^gnuplot \([^ ]*\) patchlevel \([^ ]*\).*/gnuplot \1.\2/p' ;;
	*)	die "$1: not a .dot or .gp source" ;;
	esac
}

# gvbindir: a plugin folder with the core renderers and the dot layout only
GV=
gvbindir() {
	[ -z "$GV" ] || return 0
	for d in /usr/lib/*/graphviz /usr/lib64/graphviz /usr/lib/graphviz /usr/local/lib/graphviz; do
		set -- "$d"/libgvplugin_core.so.[0-9]*
		[ -e "$1" ] && break
	done
	[ -e "$1" ] || die "graphviz plugins (libgvplugin_core) not found"
	d=$(dirname "$1")
	tmpdir
	GV=$TMP/gv
	mkdir "$GV"
	for p in core dot_layout; do
		for f in "$d"/libgvplugin_"$p".so.[0-9]*; do
			case "$f" in *.so.[0-9]*.*) ;; *) ln -s "$f" "$GV/" ;; esac
		done
	done
	GVBINDIR=$GV dot -c || die "dot -c failed in $GV"
}

# the style every diagram starts from
DOT_STYLE='-Gfontname=Helvetica -Gfontsize=11 -Gpad=0.15 -Gnodesep=0.3 -Granksep=0.35
-Nfontname=Helvetica -Nfontsize=10 -Nmargin=0.12,0.06 -Nheight=0.3
-Efontname=Helvetica -Efontsize=9 -Earrowsize=0.7'
GP_TERM='set terminal svg size %s fixed font "Helvetica,11" background "white"'

# gp_size SRC: the terminal size a .gp asks for ("# size: W,H"), 640,360 without
gp_size() {
	size=$(sed -n 's/^#[[:space:]]*size:[[:space:]]*\([0-9]\{1,\},[0-9]\{1,\}\)[[:space:]]*$/\1/p' "$1" | head -1)
	echo "${size:-640,360}"
}

# gp_vars SRC: gnuplot lines setting data_KEY = 'VALUE' from the "# KEY: VALUE"
# lines heading the data files of SRC (the first file with a KEY wins)
gp_vars() {
	for f in $(data_files "$1"); do
		awk '!/^#/ { exit }
			match($0, /^#[ \t]*[a-z][a-z0-9_]*:/) {
				k = substr($0, 1, RLENGTH - 1); sub(/^#[ \t]*/, "", k)
				v = substr($0, RLENGTH + 1); sub(/^[ \t]+/, "", v); sub(/[ \t\r]+$/, "", v)
				print k "\t" v
			}' "$f"
	done | awk -F '\t' '!seen[$1]++ {
		v = substr($0, length($1) + 2); gsub(/\047/, "\047\047", v)
		printf "data_%s = \047%s\047\n", $1, v }'
}

# svg SRC: the SVG, stamped, on stdout
svg() {
	src=$1 name=$(basename "$1")
	for f in $(data_files "$src"); do [ -f "$f" ] || die "$src: data file $f is missing"; done
	hash=$(inputs_hash "$src")
	st=$(stamp "$src") || st=
	[ -n "$st" ] || die "$src: its tool is not installed (make figures installs it)"
	line="<!-- made by docs/figures/gen.sh from $name; inputs sha256 $hash; $st -->"
	tmpdir
	case "$src" in
	*.dot)	gvbindir
		# shellcheck disable=SC2086 # the style is a list of arguments
		GVBINDIR=$GV dot -Tsvg $DOT_STYLE "$src" > "$TMP/out.svg" || die "$src: dot failed"
		awk -v line="$line" '
			# graphviz: "<!-- Generated by graphviz version X (date)\n -->"
			/^<!-- Generated by graphviz/ { skip = 1; print line; next }
			skip && /^ *-->$/ { skip = 0; next }
			skip { next }
			{ print }' "$TMP/out.svg" ;;
	*.gp)	# shellcheck disable=SC2059 # GP_TERM is the format
		{ printf "$GP_TERM\nset output\n" "$(gp_size "$src")"
		  gp_vars "$src"
		  cat "$src"
		} > "$TMP/in.gp"
		(cd "$(dirname "$src")" && gnuplot "$TMP/in.gp") > "$TMP/out.svg" ||
			die "$src: gnuplot failed"
		awk -v line="$line" '
			NR == 1 { print; print line; next }
			/^<desc>Produced by GNUPLOT/ { next }
			{ sub(/[ \t]+$/, ""); print }' "$TMP/out.svg" ;;
	esac
}

# --- build -------------------------------------------------------------------------
build_one() {
	src=$1 out=${1%.*}.svg
	tmpdir
	svg "$src" > "$TMP/new.svg" || die "$src: no SVG"
	grep -q '</svg>' "$TMP/new.svg" || die "$src: the tool wrote no complete SVG"
	if cmp -s "$TMP/new.svg" "$out"; then return 0; fi
	cp "$TMP/new.svg" "$out.tmp" && mv "$out.tmp" "$out"
	echo "  FIGURE   ${out#"$PWD"/}"
}

# --- check -------------------------------------------------------------------------
BAD=0
bad() { echo "figures: $*"; BAD=1; }

# well_formed SVG...: one line per file that is not well-formed SVG
# (one python3 for them all: it takes a second to start on a busy machine)
well_formed() {
	[ $# -gt 0 ] || return 0
	python3 -S -c '
import sys, xml.etree.ElementTree as ET
for f in sys.argv[1:]:
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError as e:
        print("%s: not well-formed XML: %s" % (f, e))
        continue
    if root.tag != "{http://www.w3.org/2000/svg}svg":
        print("%s: not SVG: the root element is %s" % (f, root.tag))
' "$@"
}

# the "inputs sha256" of an SVG, empty when it has none
svg_hash() { sed -n 's/^<!-- made by docs\/figures\/gen\.sh from .*; inputs sha256 \([0-9a-f]\{64\}\);.*-->$/\1/p' "$1" | head -1; }

XML=   # the SVGs to parse, newline-separated
check_src() {
	src=$1 out=${1%.*}.svg
	if [ ! -f "$out" ]; then
		bad "$out is missing: run make figures"
		return
	fi
	XML="$XML$out
"
	have=$(svg_hash "$out")
	want=$(inputs_hash "$src")
	if [ -z "$have" ]; then
		bad "$out has no inputs hash: not made by make figures"
	elif [ "$have" != "$want" ]; then
		bad "$out is stale: $(basename "$src") or its inputs changed since it was made; run make figures"
	fi
}

check_svg_only() { # an SVG without a source: hand-written, or its source is gone
	XML="$XML$1
"
	if [ -n "$(svg_hash "$1")" ]; then
		bad "$1 was made from a source that is gone: remove it or restore the source"
	fi
}

check_xml() {
	# shellcheck disable=SC2086 # one file a line (no newline in a name)
	why=$(IFS='
'; well_formed $XML) || die "python3 failed"
	[ -z "$why" ] || { printf '%s\n' "$why" | sed 's/^/figures: /'; BAD=1; }
}

for_each() { # FN ARG...: FN on every source the arguments name
	fn=$1; shift
	[ $# -gt 0 ] || set -- "$(dirname "$0")"
	for a in "$@"; do
		if [ -d "$a" ]; then
			for f in "$a"/*.dot "$a"/*.gp; do
				if [ -f "$f" ]; then "$fn" "$f"; fi
			done
			[ "$fn" = check_src ] || continue
			for s in "$a"/*.svg; do
				if [ -f "$s" ] && [ ! -f "${s%.svg}.dot" ] && [ ! -f "${s%.svg}.gp" ]; then
					check_svg_only "$s"
				fi
			done
		elif [ -f "$a" ]; then
			case "$a" in *.dot|*.gp) "$fn" "$a" ;; *) die "$a: not a .dot or .gp source" ;; esac
		else
			die "$a: no such file or folder"
		fi
	done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
build)	for_each build_one "$@" ;;
check)	command -v python3 >/dev/null 2>&1 || die "check needs python3"
	for_each check_src "$@"
	check_xml
	exit "$BAD" ;;
svg)	if [ $# != 1 ] || [ ! -f "$1" ]; then die "usage: gen.sh svg SRC"; fi
	svg "$1" ;;
stamp)	[ $# = 1 ] || die "usage: gen.sh stamp SRC"
	stamp "$1" ;;
hash)	if [ $# != 1 ] || [ ! -f "$1" ]; then die "usage: gen.sh hash SRC"; fi
	inputs_hash "$1" ;;
*)	sed -n '2,13s/^# \{0,1\}//p' "$0" >&2
	exit 2 ;;
esac
