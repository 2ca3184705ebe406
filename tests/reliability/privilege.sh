#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A copy of page-anon with file capabilities (setcap
# cap_sys_admin,cap_dac_read_search,cap_sys_ptrace+ep) run by nobody:
# it analyses nobody's own processes with PFNs and exclusivity, refuses
# the processes nobody could not trace itself, and never opens a
# user-supplied path with those capabilities (-F of a root-only
# file, --sysroot below a root-only directory: EACCES as for nobody).
. "$(dirname "$0")/../setup.sh"
need_root
need_prog "$JQ"
need_prog setcap
need_prog getcap
need_prog setpriv
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
id nobody >/dev/null 2>&1 || skip "no user nobody"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"

dir=$(mktemp -d /var/tmp/pa-caps.XXXXXX 2>/dev/null) || dir=$(mktemp -d)
at_exit "rm -rf '$dir'"
chmod 755 "$dir"
cp "$PAGE_ANON" "$dir/page-anon"
chmod 755 "$dir/page-anon"
setcap cap_sys_admin,cap_dac_read_search,cap_sys_ptrace+ep "$dir/page-anon" 2>/dev/null ||
	skip "setcap failed (file system without security xattrs?)"
getcap "$dir/page-anon" | grep -q cap_sys_admin || skip "file capabilities not kept"

asnobody()
{
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
}
asnobody test -x "$dir/page-anon" || skip "nobody cannot run $dir/page-anon"

# A page-anon built without libcap cannot give up capabilities: it must
# refuse to run with them at all.
st=0
asnobody "$dir/page-anon" -d anonymous >"$tmp/out" 2>"$tmp/err" || st=$?
if grep -q "built without libcap" "$tmp/err"; then
	expect "without libcap, file capabilities: status" "$st" 1
	[ ! -s "$tmp/out" ] || fail "without libcap: output despite the refusal"
	echo "PASS: $test_name: a page-anon without libcap refuses to run with file capabilities"
	exit 0
fi

# own process: PFNs visible, exclusivity present
st=0
# shellcheck disable=SC2016
asnobody sh -c 'exec "$0" -p $$ --json' "$dir/page-anon" >"$tmp/out" 2>"$tmp/err" || st=$?
[ "$st" -eq 0 ] || { cat "$tmp/err" >&2; fail "nobody with file caps, own process: status $st"; }
"$JQ" -e '.processes[0].totals.anon_exclusive > 0' "$tmp/out" >/dev/null ||
	fail "nobody with file caps: no exclusive pages found (PFNs hidden?)"
# Only processes nobody could read without page-anon's capabilities
# (PTRACE_MODE_READ with the real UID and GID and no capabilities): the
# kernel alone would let CAP_SYS_PTRACE (or, on 6.18, CAP_SYS_ADMIN with
# CAP_DAC_READ_SEARCH) read every process.  Each refusal: status 1, the
# reason, no output.
refused()	# WHAT PATTERN PID
{
	st=0
	asnobody "$dir/page-anon" -p "$3" --json >"$tmp/out" 2>"$tmp/err" || st=$?
	expect "$1: status" "$st" 1
	grep -q "$2" "$tmp/err" || { cat "$tmp/err" >&2; fail "$1: the message does not say '$2'"; }
	grep -q "reads only the processes you could trace yourself" "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "$1: the message does not say why"; }
	! "$JQ" -e '.processes[0].vmas | length > 0' "$tmp/out" >/dev/null 2>&1 ||
		fail "$1: the process was read"
}
# wait_sleep PID: PID has become "sleep" (setpriv has set its IDs and
# executed it)
wait_sleep()
{
	_n=0
	until [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]; do
		_n=$((_n + 1))
		[ $_n -lt 200 ] || fail "process $1 did not start sleep"
		sleep 0.05
	done
}
nobody_uid=$(id -u nobody)
nogroup=$(id -g nobody)
other_user=daemon
id "$other_user" >/dev/null 2>&1 || other_user=bin
sleep 600 &
root_proc=$!
wait_sleep "$root_proc"
at_exit "kill $root_proc 2>/dev/null"
refused "root's process" "runs as UID 0 .*not as your UID $nobody_uid" "$root_proc"
refused "PID 1" "runs as UID 0" 1
setpriv --reuid="$other_user" --regid="$(id -g "$other_user")" --clear-groups sleep 600 &
other_proc=$!
wait_sleep "$other_proc"
at_exit "kill $other_proc 2>/dev/null"
refused "another user's process" "runs as UID $(id -u "$other_user")" "$other_proc"
# nobody's UID with another group, as a setgid program would have
setpriv --reuid=nobody --regid="$(id -g "$other_user")" --clear-groups sleep 600 &
gid_proc=$!
wait_sleep "$gid_proc"
at_exit "kill $gid_proc 2>/dev/null"
refused "a process with another GID" "runs with GIDs" "$gid_proc"
# nobody's process holding a capability
if setpriv --reuid=nobody --regid="$nogroup" --clear-groups --inh-caps=+net_raw \
	--ambient-caps=+net_raw true 2>/dev/null; then
	setpriv --reuid=nobody --regid="$nogroup" --clear-groups --inh-caps=+net_raw \
		--ambient-caps=+net_raw sleep 600 &
	cap_proc=$!
	wait_sleep "$cap_proc"
	at_exit "kill $cap_proc 2>/dev/null"
	refused "a process with capabilities" "holds capabilities" "$cap_proc"
fi
# nobody's own process made non-dumpable
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
if asnobody "$py" -c pass 2>/dev/null; then
	setpriv --reuid=nobody --regid="$nogroup" --clear-groups "$py" -c 'import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); print("ok", flush=True); time.sleep(600)' >"$tmp/nd" &
	nd_proc=$!
	at_exit "kill $nd_proc 2>/dev/null"
	n=0
	until grep -q ok "$tmp/nd" 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 200 ] || fail "python3 did not start"
		sleep 0.05
	done
	refused "a non-dumpable process" "not dumpable" "$nd_proc"
fi
# an ordinary process of nobody's, not its own: read
setpriv --reuid=nobody --regid="$nogroup" --clear-groups sleep 600 &
mine=$!
wait_sleep "$mine"
at_exit "kill $mine 2>/dev/null"
asnobody "$dir/page-anon" -p "$mine" --json >"$tmp/out" 2>"$tmp/err" ||
	{ cat "$tmp/err" >&2; fail "nobody with file caps, another process of nobody's: refused"; }
"$JQ" -e '.processes[0].totals.anon_exclusive > 0' "$tmp/out" >/dev/null ||
	fail "nobody with file caps, another process of nobody's: no exclusive pages"

# the flags table of the whole machine works too
asnobody "$dir/page-anon" -a 0+1024 >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; fail "PFN walk with file caps"; }

# a root-only file: nobody cannot read it, with or without page-anon's caps
secret="$dir/secret"
head -c 4096 /dev/zero >"$secret"
chmod 600 "$secret"
st=0
asnobody "$dir/page-anon" -F "$secret" -a 0+8 >"$tmp/out" 2>"$tmp/err" || st=$?
expect "-F root-only file: status" "$st" 1
grep -q "Permission denied" "$tmp/err" || { cat "$tmp/err" >&2; fail "-F root-only file: not EACCES"; }

# a root-only directory as --sysroot
mkdir -p "$dir/root/proc/sys/kernel"
echo 6.18.0 >"$dir/root/proc/sys/kernel/osrelease"
head -c 4096 /dev/zero >"$dir/root/proc/kpageflags"
chmod 700 "$dir/root"
st=0
asnobody "$dir/page-anon" --sysroot "$dir/root" -a 0+8 >"$tmp/out" 2>"$tmp/err" || st=$?
[ "$st" -ne 0 ] || fail "--sysroot below a root-only directory was read"
# and --output-file into a root-only directory
st=0
asnobody "$dir/page-anon" -d 0x1000 --output-file="$dir/root/out" >/dev/null 2>"$tmp/err" || st=$?
expect "--output-file into a root-only directory: status" "$st" 1
[ ! -e "$dir/root/out" ] || fail "--output-file wrote into a root-only directory"
# -c: stat of a path below a root-only directory must fail too
mkdir -p "$dir/root/cg"
st=0
asnobody "$dir/page-anon" -c "$dir/root/cg" -a 0+8 >/dev/null 2>&1 || st=$?
[ "$st" -ne 0 ] || fail "-c below a root-only directory was resolved with capabilities"
exit 0
