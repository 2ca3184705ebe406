#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A copy of page-anon with file capabilities (setcap
# cap_sys_admin,cap_dac_read_search,cap_sys_ptrace+ep) run by nobody:
# it analyses nobody's own process with PFNs and exclusivity, but never
# opens a user-supplied path with those capabilities (-F of a root-only
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
