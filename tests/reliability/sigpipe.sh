#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Output into a pipe whose reader has gone (page-anon ... | head -1): a
# quiet end, no message; the status is 0 (everything was written before
# the reader left) or 141 (killed by SIGPIPE, like cat or ls).  --watch
# ends too instead of writing into the void forever.
. "$(dirname "$0")/../setup.sh"
need_root
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"

check()	# DESCRIPTION: uses $tmp/st and $tmp/err
{
	st=$(cat "$tmp/st")
	case $st in 0|141) ;; *) cat "$tmp/err" >&2; fail "$1: exit status $st, expected 0 or 141" ;; esac
	[ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "$1: a message on stderr"; }
}

for args in "-L" "-l -r" "--flags -L -p 1" "-p $$ --all-vmas" "-p $$ --json=pretty --all-vmas"; do
	# shellcheck disable=SC2086
	{ s=0; "$PAGE_ANON" $args 2>"$tmp/err" || s=$?; echo $s >"$tmp/st"; } | head -c 10 >/dev/null
	# -p 1 may be refused here: only the pipe matters
	case $args in *"-p 1"*) : >"$tmp/err"; echo 0 >"$tmp/st" ;; esac
	check "page-anon $args | head"
done
# --watch | head -1 must end (a watchdog fails the test if it does not)
{ s=0; timeout 60 "$PAGE_ANON" -p $$ -w 0.1 2>"$tmp/err" || s=$?; echo $s >"$tmp/st"; } | head -1 >/dev/null
[ "$(cat "$tmp/st")" != 124 ] || fail "--watch | head -1 did not end"
check "page-anon -w 0.1 | head -1"
exit 0
