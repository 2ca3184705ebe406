#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --output-file=FILE writes a temporary file next to FILE and renames it
# only when the output is complete: a full disk or a file size limit
# leaves no truncated FILE (an older FILE stays as it was) and no
# temporary file, with status 1 and a message.
. "$(dirname "$0")/../setup.sh"
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"

# -d needs no privileges and no /proc
"$PAGE_ANON" -d 0x1000 --output-file="$tmp/d.txt" >"$tmp/stdout" || fail "--output-file -d failed"
[ ! -s "$tmp/stdout" ] || fail "--output-file: output also went to stdout"
"$PAGE_ANON" -d 0x1000 >"$tmp/d.ref"
cmp -s "$tmp/d.txt" "$tmp/d.ref" || fail "--output-file content differs from stdout"
[ "$(find "$tmp" -name '.d.txt.*' | wc -l)" -eq 0 ] || fail "temporary file left behind"
# a directory and a missing directory
st=0
"$PAGE_ANON" -d 0x1000 --output-file="$tmp" 2>"$tmp/err" || st=$?
expect "--output-file=DIR: status" "$st" 1
st=0
"$PAGE_ANON" -d 0x1000 --output-file="$tmp/nodir/x" 2>"$tmp/err" || st=$?
expect "--output-file in a missing directory: status" "$st" 1
# a usage error leaves nothing
st=0
"$PAGE_ANON" -d nosuchflag --output-file="$tmp/u.txt" 2>/dev/null || st=$?
expect "usage error with --output-file: status" "$st" 2
[ ! -e "$tmp/u.txt" ] || fail "usage error created the output file"

big_run()	# FILE: a big output (flags listing of the whole PFN range)
{
	if [ "$(id -u)" -eq 0 ] && [ -r /proc/kpageflags ]; then
		"$PAGE_ANON" -L --output-file="$1"
	else
		# no /proc access: describe every flag, many times over
		"$PAGE_ANON" -d "$(seq -s, 0 63)" --output-file="$1"
	fi
}

# file size limit (ulimit -f, in 1024-byte blocks): EFBIG, not SIGXFSZ
echo "older content" >"$tmp/big.txt"
st=0
(ulimit -f 2; big_run "$tmp/big.txt") 2>"$tmp/err" || st=$?
if [ "$(id -u)" -eq 0 ] && [ -r /proc/kpageflags ] || [ "$st" -ne 0 ]; then
	expect "ulimit -f: status" "$st" 1
	grep -q "big.txt" "$tmp/err" || { cat "$tmp/err" >&2; fail "ulimit -f: the message does not name the file"; }
	expect "ulimit -f: the older FILE" "$(cat "$tmp/big.txt")" "older content"
	[ "$(find "$tmp" -name '.big.txt.*' | wc -l)" -eq 0 ] || fail "ulimit -f: temporary file left behind"
fi

# a full file system: a tiny tmpfs (root only)
if [ "$(id -u)" -eq 0 ] && mkdir "$tmp/mnt" && mount -t tmpfs -o size=16k pa-test "$tmp/mnt" 2>/dev/null; then
	at_exit "umount '$tmp/mnt'"
	st=0
	big_run "$tmp/mnt/out.txt" 2>"$tmp/err" || st=$?
	expect "full disk: status" "$st" 1
	grep -q "out.txt" "$tmp/err" || { cat "$tmp/err" >&2; fail "full disk: the message does not name the file"; }
	[ -z "$(ls -A "$tmp/mnt")" ] || fail "full disk: files left behind: $(ls -A "$tmp/mnt")"
fi
# /dev/full is written in place, never replaced
if [ -c /dev/full ] && [ -w /dev/full ]; then
	st=0
	"$PAGE_ANON" -d 0x1000 --output-file=/dev/full 2>"$tmp/err" || st=$?
	expect "--output-file=/dev/full: status" "$st" 1
	[ -c /dev/full ] || fail "/dev/full was replaced"
fi
exit 0
