#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Without privileges page-anon cannot see PFNs or read /proc/kpageflags: it
# must say so on stderr, keep stdout clean, and exit non-zero (1 error or
# 3 partial result), never crash or report made-up exclusivity.
. "$(dirname "$0")/../setup.sh"
need_root
need_prog setpriv
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
id nobody >/dev/null 2>&1 || skip "no user nobody"

asnobody()
{
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}
asnobody test -x "$PAGE_ANON" ||
	skip "cannot run $PAGE_ANON as nobody (setpriv failed or no execute permission)"

for mode in "" "--json" "--flags -r"; do
	st=0
	# exec: page-anon looks at its own process (-p $$ of the shell it replaces).
	# shellcheck disable=SC2016
	asnobody sh -c 'exec "$0" -p $$ '"$mode" "$PAGE_ANON" >"$tmp/out" 2>"$tmp/err" || st=$?
	case $st in
	1|3) ;;
	*) cat "$tmp/err" >&2; fail "page-anon -p self $mode as nobody: exit status $st, expected 1 or 3" ;;
	esac
	[ -s "$tmp/err" ] || fail "page-anon -p self $mode as nobody: nothing on stderr"
	grep -Eqi 'CAP_SYS_ADMIN|root|permission|privilege' "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "page-anon -p self $mode as nobody: the message does not say what is missing"; }
	if [ "$mode" = --json ] && [ -s "$tmp/out" ]; then
		"$JQ" -e . "$tmp/out" >/dev/null 2>&1 || fail "page-anon --json as nobody: stdout is not JSON"
	fi
	# No exclusivity may be claimed from hidden PFNs.
	if [ "$mode" = --json ] && [ -s "$tmp/out" ]; then
		ex=$("$JQ" '[.processes[]?.totals.anon_exclusive // 0] | add // 0' "$tmp/out")
		expect "anon_exclusive claimed without PFNs" "$ex" 0
	fi
done
