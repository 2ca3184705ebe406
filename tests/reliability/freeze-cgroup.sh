#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --freeze uses the cgroup v2 freezer only when the target is the only
# process in its cgroup and in every cgroup below it (cgroup.freeze
# freezes the whole subtree); otherwise SIGSTOP.  The hierarchy is found
# wherever cgroup2 is mounted (also /sys/fs/cgroup/unified).
. "$(dirname "$0")/../setup.sh"
need_stress

cgroot=$(awk '$0 ~ / - cgroup2 / && $4 == "/" { print $5; exit }' /proc/self/mountinfo)
[ -n "$cgroot" ] || skip "no cgroup v2 hierarchy mounted"
cg="$cgroot/pa-test-$$"
mkdir "$cg" 2>/dev/null || skip "cannot create a cgroup in $cgroot"
[ -e "$cg/cgroup.freeze" ] || { rmdir "$cg"; skip "no cgroup.freeze (Linux 5.2+)"; }
# at exit (after the processes were killed): thaw, move what is left out,
# wait until the cgroups are empty (a killed process stays in its cgroup
# until it is reaped), remove them
cg_cleanup()
{
	echo 0 >"$cg/cgroup.freeze" 2>/dev/null
	_n=0
	for _d in "$cg/sub" "$cg"; do
		[ -d "$_d" ] || continue
		while [ -n "$(cat "$_d/cgroup.procs" 2>/dev/null)" ] && [ $_n -lt 100 ]; do
			for _p in $(cat "$_d/cgroup.procs" 2>/dev/null); do
				echo "$_p" >"$cgroot/cgroup.procs" 2>/dev/null
			done
			_n=$((_n + 1))
			sleep 0.05
		done
		rmdir "$_d" 2>/dev/null
	done
}
at_exit cg_cleanup

state() { sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status"; }
frozen() { sed -n 's/^frozen //p' "$1/cgroup.events"; }

# until COMMAND...: true once COMMAND succeeds (at most 20 s)
until_true()
{
	_n=0
	until "$@"; do
		_n=$((_n + 1))
		[ $_n -lt 400 ] || return 1
		sleep 0.05
	done
}
is_state() { [ "$(state "$1")" = "$2" ]; }
is_frozen() { [ "$(frozen "$1")" = "$2" ]; }

stress_start 5 big vmas 5000
big=$stress_pid
echo "$big" >"$cg/cgroup.procs" || skip "cannot move a process into $cg"

# frozen_start: page-anon -L into a pipe that is not read yet, so it
# blocks in the middle of the frozen scan
frozen_start()
{
	rm -f "$tmp/pipe"
	mkfifo "$tmp/pipe"
	"$PAGE_ANON" -p "$big" --freeze -L --scan=never >"$tmp/pipe" 2>"$tmp/err" &
	pa=$!
	exec 8<"$tmp/pipe"
}
frozen_end()
{
	cat <&8 >/dev/null
	exec 8<&-
	wait "$pa" || { cat "$tmp/err" >&2; fail "page-anon --freeze failed"; }
}

# 1. alone in its cgroup: the cgroup is frozen, no SIGSTOP
frozen_start
until_true is_frozen "$cg" 1 || { exec 8<&-; fail "alone in $cg: the cgroup was not frozen"; }
[ "$(state "$big")" != T ] || fail "alone in $cg: stopped by SIGSTOP although the freezer was used"
frozen_end
expect "after the scan, $cg frozen" "$(frozen "$cg")" 0
until_true is_state "$big" S || fail "after the scan: $big in state $(state "$big")"

# 2. another process in a cgroup below: freezing the cgroup would freeze
#    it too, so SIGSTOP is used and the child cgroup stays running
mkdir "$cg/sub"
sleep 600 &
other=$!
at_exit "kill $other 2>/dev/null"
echo "$other" >"$cg/sub/cgroup.procs"
frozen_start
until_true is_state "$big" T || { exec 8<&-; fail "shared subtree: $big was not stopped"; }
expect "shared subtree: $cg frozen" "$(frozen "$cg")" 0
expect "shared subtree: $cg/sub frozen" "$(frozen "$cg/sub")" 0
expect "shared subtree: the other process" "$(state "$other")" S
frozen_end
until_true is_state "$big" S || fail "shared subtree, after the scan: $big in state $(state "$big")"

# 3. an empty cgroup below does not matter: the freezer again
kill "$other"
wait "$other" 2>/dev/null || :
until_true test -z "$(cat "$cg/sub/cgroup.procs")" || fail "$cg/sub does not empty"
frozen_start
until_true is_frozen "$cg" 1 || { exec 8<&-; fail "empty sub-cgroup: $cg was not frozen"; }
frozen_end
expect "empty sub-cgroup, after the scan: $cg frozen" "$(frozen "$cg")" 0
exit 0
