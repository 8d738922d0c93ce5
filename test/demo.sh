#!/bin/sh
# make demo: show the binary at work. (Grows into a dual-stack cluster in
# network namespaces as the router and the plugins land.)
set -eu
: "${XC:?}"
run() { printf '\n$ %s\n' "$*"; "$@"; }

printf 'xcluster-cni: %s bytes, ' "$(stat -c %s "$XC")"
file -b "$XC" 2>/dev/null || echo
run "$XC" --version
run "$XC" --list
run "$XC" ipcalc 198.18.4.0/22
run "$XC" ipcalc fd00:10:244::/56
run "$XC" ipcalc split 198.18.0.0/16 24 7
run "$XC" ipcalc embed 1000:1::/96 192.168.1.2
run "$XC" ipcalc link-local 52:54:00:12:34:56
printf '\n$ %s\n' "$XC ipcalc contains 198.18.0.0/15 198.19.255.1 && echo yes"
"$XC" ipcalc contains 198.18.0.0/15 198.19.255.1 && echo yes
