#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Processes without readable memory or unusual ones: kthreadd (2), a
# zombie, PID 1, page-anon's own process, another user's process, a
# 10,000-VMA process and a 64 GiB MAP_NORESERVE reservation.  Each gives a
# clear message where data is unavailable and a correct result otherwise.
. "$(dirname "$0")/../setup.sh"
need_stress
need_prog "$JQ"

run()	# EXPECTED-STATUSES ARGS... -> $st, $tmp/out, $tmp/err
{
	_want=$1
	shift
	st=0
	"$PAGE_ANON" "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
	case " $_want " in
	*" $st "*) ;;
	*) cat "$tmp/err" >&2; fail "page-anon $*: exit status $st, expected one of $_want" ;;
	esac
}

# kthreadd
run "1" -p 2
grep -q "kernel thread" "$tmp/err" || fail "-p 2: does not say it is a kernel thread"

# a zombie: a child that exited and is not reaped
sh -c 'sleep 0 & exec sleep 30' &
parent=$!
at_exit "kill $parent 2>/dev/null"
zombie=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	zombie=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null | tr -d ' ')
	[ -n "$zombie" ] && [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$zombie/status")" = Z ] && break
	sleep 0.1
done
[ -n "$zombie" ] || hard_error "could not make a zombie"
run "1" -p "$zombie"
grep -q "zombie" "$tmp/err" || fail "-p ZOMBIE: does not say it is a zombie"

# PID 1: readable (status 0) or refused with a reason (1), never a crash
run "0 1 3" -p 1
[ "$st" -eq 0 ] || grep -Eq "pagemap|PID 1|process 1" "$tmp/err" || fail "-p 1: no reason given"

# page-anon's own process
# shellcheck disable=SC2016
st=0
sh -c 'exec "$0" -p $$ --json' "$PAGE_ANON" >"$tmp/out" 2>"$tmp/err" || st=$?
expect "-p own PID: exit status" "$st" 0
"$JQ" -e '.processes[0].totals.present > 0' "$tmp/out" >/dev/null || fail "-p own PID: nothing present"

# another user's process, as that other user: refused with the reason
if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	sleep 60 &
	rootproc=$!
	at_exit "kill $rootproc 2>/dev/null"
	if setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps=-all \
		--bounding-set=-all test -x "$PAGE_ANON"; then
		st=0
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --inh-caps=-all \
			--bounding-set=-all "$PAGE_ANON" -p "$rootproc" >"$tmp/out" 2>"$tmp/err" || st=$?
		case $st in 1) ;; *) cat "$tmp/err" >&2; fail "another user's process: status $st, expected 1" ;; esac
		grep -Eq "CAP_SYS_PTRACE|CAP_DAC_READ_SEARCH|root" "$tmp/err" ||
			{ cat "$tmp/err" >&2; fail "another user's process: the message does not say what is missing"; }
	fi
fi

# 10,000 VMAs
stress_start 5 v vmas 10000
vpid=$stress_pid
run "0" -p "$vpid" --json
n=$("$JQ" '[.processes[0].vmas[] | select(.perms == "rw-p" and .pages.anon_exclusive == 1)] | length' "$tmp/out")
[ "$n" -ge 10000 ] || fail "10,000 VMAs: only $n one-page exclusive VMAs reported"
run "0 3" -p "$vpid" --flags
exec 5>&-
wait "$vpid" || :

# 64 GiB MAP_NORESERVE reservation with 64 written pages
stress_start 6 s sparse 64 64
spid=$stress_pid
read -r _r start end <"$tmp/s.out"
for scan in auto never; do
	run "0" -p "$spid" --json --scan=$scan
	got=$("$JQ" -r --arg s "$start" '.processes[0].vmas[] | select(.start == $s) | .pages.anon_exclusive' \
		"$tmp/out")
	expect "64 GiB reservation (--scan=$scan): exclusive pages" "$got" 64
done
exec 6>&-
wait "$spid" || :
exit 0
