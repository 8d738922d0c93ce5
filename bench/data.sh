# shellcheck shell=sh
# bench/data.sh: sourced by a bench/NAME/run.sh that writes its figures as
# data beside its table, for the plots of docs/figures (`make bench-data`).
#
#   BENCH_DATA      the folder the data files go in (default build/bench/data;
#                   make bench-smoke points it elsewhere)
#   BENCH_COMMAND   the command that ran the benchmark, as the data's header
#                   names it (make sets it; default "sh bench/NAME/run.sh")
#
# A data file is tab-separated text: a header of "# KEY: VALUE" lines that say
# where and how it was measured (docs/figures/gen.sh hands them to the plots as
# gnuplot strings data_KEY), a "# " line naming the columns, then one row a line.
# "-" is a value that was not measured.
#
#   data_init NAME KNOB...  once, at the start: the date, the load, the command
#                           (the KNOBs set in the environment, then the command)
#   data_header FILE WHAT COLUMN...   start FILE (in $BENCH_DATA) with the
#                           header; WHAT says what was measured
#   BENCH_DATA_HEADER       the header lines data_header writes, for a
#                           benchmark written in another language

data_init() {
	_name=$1
	shift
	: "${BENCH_DATA:=build/bench/data}"
	mkdir -p "$BENCH_DATA"
	BENCH_DATA=$(cd "$BENCH_DATA" && pwd)
	_cmd=
	for _k in "$@"; do
		_set='' _v=''
		eval "_set=\${$_k+y} _v=\${$_k-}"
		[ "$_set" = y ] || continue
		# a value the shell would split or expand, quoted as the command needs it
		# shellcheck disable=SC2089,SC2090 # the quotes are text, for the header
		case "$_v" in
		*[!A-Za-z0-9_.,/:=+-]*|'') _v="'$(printf '%s' "$_v" | sed "s/'/'\\\\''/g")'" ;;
		esac
		_cmd="$_cmd$_k=$_v "
	done
	_cmd="$_cmd${BENCH_COMMAND:-sh bench/$_name/run.sh}"
	_cpu=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
	_bin=
	[ -z "${XC:-}" ] || [ ! -x "$XC" ] || _bin=$("$XC" --version 2>/dev/null | head -1)
	BENCH_DATA_HEADER="# machine: $(uname -srm), $(nproc) CPUs, ${_cpu:-unknown CPU}
# date: $(date -u '+%Y-%m-%d %H:%M UTC')
# command: $_cmd
# load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min load averages at the start)
# binary: ${_bin:-unknown}"
	# shellcheck disable=SC2090 # the header is text
	export BENCH_DATA BENCH_DATA_HEADER
}

data_header() {
	_f=$BENCH_DATA/$1 _what=$2
	shift 2
	{
		printf '%s\n# what: %s\n# ' "$BENCH_DATA_HEADER" "$_what"
		(IFS='	'; printf '%s\n' "$*")
	} > "$_f"
}
