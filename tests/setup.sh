# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared harness for the shell tests, sourced by every tests/*/*.sh:
#	. "$(dirname "$0")/../setup.sh"
#
# Automake exit codes: 0 pass, 77 skip, 1 fail, 99 hard error.
# Provides:
#	$tmp			a private temporary directory, removed at exit
#	$PAGE_ANON, $PA_HELPER, $PA_ORACLE, $PT_BASELINE
#				built binaries (from AM_TESTS_ENVIRONMENT)
#	skip REASON, fail MSG, hard_error MSG, need_root, need_prog PROG
#	at_exit CMD		run CMD at exit (before $tmp is removed),
#				last registered first
#	restore_file FILE	write FILE's current value back at exit
#	helper_start [ARGS...]	start pa-helper on fifos; sets $helper_pid
#				and region_start_NAME / region_end_NAME /
#				region_note_NAME, absent_NAME for each region
#	helper_cmd CMD...	send a command, wait for its answer line
#				($helper_reply); fails unless it is "ok..."
#				or "child ..."
#	helper_stop
#	oracle_get PID NAME KEY	count from pa-oracle for region NAME
#	pa_json PID...		run page-anon -p --json --all-vmas into $tmp/pa.json
#	pa_get PID NAME KEY	sum of KEY over the region's VMAs in $tmp/pa.json
#				(a.b: key b of object a, as unknown_reasons.pfn_hidden)
#	check_region PID NAME	every key of page-anon equals the oracle's
#	expect WHAT GOT WANT	fail unless GOT = WANT

set -eu
LC_ALL=C
export LC_ALL

srcdir=${srcdir:-.}
PAGE_ANON=${PAGE_ANON:-page-anon}
PA_HELPER=${PA_HELPER:-pa-helper}
PA_ORACLE=${PA_ORACLE:-pa-oracle}
PT_BASELINE=${PT_BASELINE:-}
JQ=${JQ:-jq}
test_name=$(basename "$0" .sh)


_pa_exit_cmds=
at_exit()
{
	_pa_exit_cmds="$*
$_pa_exit_cmds"
}

_pa_cleanup()
{
	_pa_rc=$?
	set +e
	trap - EXIT HUP INT TERM
	if [ -n "${helper_pid:-}" ]; then
		kill "$helper_pid" 2>/dev/null
		wait "$helper_pid" 2>/dev/null
	fi
	if [ -n "${_pa_watchdog:-}" ]; then
		kill "$_pa_watchdog" 2>/dev/null
		wait "$_pa_watchdog" 2>/dev/null
	fi
	eval "$_pa_exit_cmds"
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
	exit "$_pa_rc"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pa-$test_name.XXXXXX") || exit 99
trap _pa_cleanup EXIT
trap 'exit 99' HUP INT TERM

skip()
{
	echo "SKIP: $test_name: $*"
	exit 77
}

fail()
{
	echo "FAIL: $test_name: $*" >&2
	exit 1
}

hard_error()
{
	echo "ERROR: $test_name: $*" >&2
	exit 99
}

need_root()
{
	[ "$(id -u)" -eq 0 ] || skip "needs root (reads /proc/kpageflags and PFNs)"
	# make distcheck in CI sets this: the live tests already ran
	[ -z "${PA_SKIP_LIVE:-}" ] || skip "live tests disabled by PA_SKIP_LIVE"
}

need_prog()
{
	command -v "$1" >/dev/null 2>&1 || skip "$1 not found"
}

# restore_file FILE: put FILE's current content back at exit.  Files like
# /sys/kernel/mm/transparent_hugepage/enabled show "a [b] c": keep the
# bracketed word.
restore_file()
{
	[ -e "$1" ] || return 0
	_pa_v=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "$1")
	[ -n "$_pa_v" ] || _pa_v=$(cat "$1")
	at_exit "echo '$_pa_v' > '$1' 2>/dev/null"
}

expect()
{
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

# ---------------------------------------------------------------------
# pa-helper on two fifos.  A watchdog kills it after $PA_HELPER_TIMEOUT
# seconds so a lost answer fails the test instead of hanging it.

helper_start()
{
	rm -f "$tmp/helper.in" "$tmp/helper.out"
	mkfifo "$tmp/helper.in" "$tmp/helper.out"
	"$PA_HELPER" "$@" <"$tmp/helper.in" >"$tmp/helper.out" 2>"$tmp/helper.err" &
	helper_pid=$!
	exec 3>"$tmp/helper.in" 4<"$tmp/helper.out"
	# Polls so that it ends by itself soon after the test removed $tmp.
	(
		_pa_w=0
		while [ "$_pa_w" -lt "${PA_HELPER_TIMEOUT:-150}" ] && [ -d "$tmp" ]; do
			sleep 1
			_pa_w=$((_pa_w + 1))
		done
		[ -d "$tmp" ] && kill "$helper_pid"
	) 3>&- 4<&- </dev/null >/dev/null 2>&1 &
	_pa_watchdog=$!
	helper_regions=
	while :; do
		if ! read -r _w _a _b _c _d <&4; then
			cat "$tmp/helper.err" >&2
			hard_error "pa-helper $* stopped before 'ready'"
		fi
		case $_w in
		region)
			eval "region_start_$_a=\$_b region_end_$_a=\$_c region_note_$_a=\${_d:-}"
			helper_regions="$helper_regions $_a" ;;
		absent)
			eval "absent_$_a=\"\$_b \${_c:-} \${_d:-}\"" ;;
		ready)
			[ "$_a" = "$helper_pid" ] || hard_error "pa-helper: ready $_a, started $helper_pid"
			break ;;
		*)
			hard_error "pa-helper: unexpected line '$_w $_a'" ;;
		esac
	done
}

# Region facts: region_start NAME, region_end NAME, region_note NAME KEY
# (value of KEY=... on the region line), region_absent NAME (the reason,
# empty if the region exists).
region_start() { eval "echo \${region_start_$1:?region $1 not created}"; }
region_end() { eval "echo \${region_end_$1:?region $1 not created}"; }
region_note()
{
	eval "_pa_n=\${region_note_$1:-}"
	echo "$_pa_n" | tr ' ' '\n' | sed -n "s/^$2=//p"
}
region_absent() { eval "echo \${absent_$1:-}"; }

helper_cmd()
{
	echo "$*" >&3
	read -r helper_reply <&4 || hard_error "pa-helper gave no answer to '$*'"
	case $helper_reply in
	ok*|child\ *) ;;
	*) fail "pa-helper '$*': $helper_reply" ;;
	esac
}

helper_stop()
{
	if [ -n "${helper_pid:-}" ]; then
		echo quit >&3 || :
		exec 3>&- 4<&-
		wait "$helper_pid" || :
		helper_pid=
	fi
}

# ---------------------------------------------------------------------
# Reading the two implementations.

oracle_run()	# PID NAME -> $tmp/oracle.PID.NAME
{
	"$PA_ORACLE" "$1" "$(region_start "$2")" "$(region_end "$2")" >"$tmp/oracle.$1.$2" ||
		hard_error "pa-oracle $1 $2 failed"
}

oracle_get()	# PID NAME KEY (uses the last oracle_run of PID NAME)
{
	[ -f "$tmp/oracle.$1.$2" ] || oracle_run "$1" "$2"
	sed -n "s/^$3 //p" "$tmp/oracle.$1.$2"
}

# pa_json PID[,PID...] [OPTIONS...]: exit status in $pa_status.
pa_json()
{
	_pa_pids=$1
	shift
	pa_status=0
	"$PAGE_ANON" -p "$_pa_pids" --json --all-vmas "$@" >"$tmp/pa.json" 2>"$tmp/pa.err" ||
		pa_status=$?
	if [ "$pa_status" -ne 0 ]; then
		cat "$tmp/pa.err" >&2
		fail "page-anon -p $_pa_pids --json --all-vmas $*: exit status $pa_status"
	fi
	"$JQ" -e . "$tmp/pa.json" >/dev/null || fail "page-anon -p $_pa_pids: output is not JSON"
}

# JSON addresses are hex strings; jq 1.6 cannot parse hex, so do it here.
# Addresses stay below 2^53 on every 64-bit layout, exact in a double.
_pa_jq_hex='def hex: ltrimstr("0x") | ascii_downcase | explode
	| reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));'

# pa_get PID NAME KEY: sum over the VMAs of process PID lying inside region
# NAME (a region may have been split into several VMAs).
pa_get()
{
	"$JQ" -r --argjson pid "$1" --arg s "$(region_start "$2")" --arg e "$(region_end "$2")" \
		--arg k "$3" "$_pa_jq_hex"'
		($s | hex) as $S | ($e | hex) as $E
		| [.processes[] | select(.pid == $pid) | .vmas[]
		   | select((.start | hex) >= $S and (.end | hex) <= $E)
		   | .pages | getpath($k | split("."))]
		| if length == 0 then "none" else add end' "$tmp/pa.json"
}

# check_region PID NAME: page-anon (from the last pa_json) and pa-oracle
# agree on every counter for the region.
check_region()
{
	oracle_run "$1" "$2"
	_pa_bad=
	# every counter page-anon prints per VMA (its field table): a new one
	# fails here until pa-oracle computes it too
	_pa_keys=$("$JQ" -r '[.processes[].vmas[].pages | paths(scalars) | join(".")] | unique | .[]' \
		"$tmp/pa.json")
	[ -n "$_pa_keys" ] || fail "pid $1: no VMA with page counters in the JSON report"
	for _pa_k in $_pa_keys; do
		_pa_got=$(pa_get "$1" "$2" "$_pa_k")
		_pa_want=$(oracle_get "$1" "$2" "$_pa_k")
		[ -n "$_pa_want" ] || _pa_want="(pa-oracle does not compute $_pa_k)"
		[ "$_pa_got" = "$_pa_want" ] || _pa_bad="$_pa_bad $_pa_k=$_pa_got(oracle $_pa_want)"
	done
	[ -z "$_pa_bad" ] || fail "pid $1 region $2: page-anon differs from pa-oracle:$_pa_bad"
}

# Standard preamble of a live test.
live_init()
{
	need_root
	need_prog "$JQ"
	[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
	[ -x "$PA_HELPER" ] || skip "pa-helper not built ($PA_HELPER)"
	[ -x "$PA_ORACLE" ] || skip "pa-oracle not built ($PA_ORACLE)"
	[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable (CONFIG_PROC_PAGE_MONITOR?)"
}

# ---------------------------------------------------------------------
# Reliability tests: root, page-anon, pa-stress, readable kpageflags.
need_stress()
{
	need_root
	[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
	[ -x "${PA_STRESS:-}" ] || skip "pa-stress not built"
	[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
}

# stress_start FD NAME MODE ARGS...: start pa-stress MODE ARGS reading the
# fifo $tmp/NAME.in (kept open on file descriptor FD, closed at exit) and
# writing $tmp/NAME.out; wait (at most 60 s) for its "ready" line.  Sets
# $stress_pid.
stress_start()
{
	_pa_fd=$1
	_pa_name=$2
	shift 2
	mkfifo "$tmp/$_pa_name.in"
	"$PA_STRESS" "$@" <"$tmp/$_pa_name.in" >"$tmp/$_pa_name.out" &
	stress_pid=$!
	eval "exec $_pa_fd>\"\$tmp/\$_pa_name.in\""
	at_exit "exec $_pa_fd>&-; kill $stress_pid 2>/dev/null"
	_pa_n=0
	while ! grep -q ready "$tmp/$_pa_name.out" 2>/dev/null; do
		kill -0 "$stress_pid" 2>/dev/null || hard_error "pa-stress $* exited before 'ready'"
		_pa_n=$((_pa_n + 1))
		[ $_pa_n -lt 600 ] || hard_error "pa-stress $* not ready after 60 s"
		sleep 0.1
	done
}
