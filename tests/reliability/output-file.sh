#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --output-file=FILE writes a temporary file next to FILE and renames it
# only when the output is complete: a full disk or a file size limit
# leaves no truncated FILE (an older FILE stays as it was) and no
# temporary file, with status 1 and a message.  What a replaced file
# keeps (nothing: a new inode), symbolic links (only the user's own or
# root's are followed, also against a link swapped in meanwhile), and
# standard output closed.
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
# standard output closed: the temporary file must not be taken for it
st=0
"$PAGE_ANON" -d 0x1000 --output-file="$tmp/closed.txt" >&- 2>"$tmp/err" || st=$?
expect "--output-file with standard output closed: status" "$st" 0
cmp -s "$tmp/closed.txt" "$tmp/d.ref" || { cat "$tmp/err" >&2; fail "--output-file with stdout closed: wrong content"; }

# replacing a file: a new file (new inode) of the user running page-anon,
# mode 0666 less the umask; the old file's owner and mode are not kept and
# its other hard links keep the old content
echo "old content" >"$tmp/old.txt"
chmod 0604 "$tmp/old.txt"
ln "$tmp/old.txt" "$tmp/old-link.txt"
ino=$(stat -c %i "$tmp/old.txt")
(umask 027; "$PAGE_ANON" -d 0x1000 --output-file="$tmp/old.txt") || fail "replacing a file failed"
cmp -s "$tmp/old.txt" "$tmp/d.ref" || fail "replaced file: wrong content"
expect "replaced file: mode" "$(stat -c %a "$tmp/old.txt")" 640
expect "replaced file: owner" "$(stat -c %u:%g "$tmp/old.txt")" "$(id -u):$(id -g)"
expect "replaced file: links" "$(stat -c %h "$tmp/old.txt")" 1
[ "$(stat -c %i "$tmp/old.txt")" != "$ino" ] || fail "replaced file: written in place"
expect "the other hard link" "$(cat "$tmp/old-link.txt")" "old content"

# a symbolic link of the user's own: its target is replaced, the link stays
echo "target" >"$tmp/target.txt"
ln -s target.txt "$tmp/link.txt"
"$PAGE_ANON" -d 0x1000 --output-file="$tmp/link.txt" || fail "--output-file through own link failed"
[ -L "$tmp/link.txt" ] || fail "the symbolic link was replaced"
cmp -s "$tmp/target.txt" "$tmp/d.ref" || fail "the link's target was not written"
# a loop of links
ln -s loop2 "$tmp/loop1"
ln -s loop1 "$tmp/loop2"
st=0
"$PAGE_ANON" -d 0x1000 --output-file="$tmp/loop1" 2>"$tmp/err" || st=$?
expect "--output-file on a loop of links: status" "$st" 1

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	# a link of another user is never followed, wherever it is (in a
	# world-writable directory it could point root's output anywhere)
	pub=$(mktemp -d /tmp/pa-outfile.XXXXXX)
	at_exit "rm -rf '$pub'"
	chmod 0777 "$pub"
	echo "precious" >"$pub/victim"
	chmod 0644 "$pub/victim"
	ln -s "$pub/victim" "$pub/out"
	chown -h nobody "$pub/out"
	st=0
	"$PAGE_ANON" -d 0x1000 --output-file="$pub/out" 2>"$tmp/err" || st=$?
	expect "--output-file on another user's link: status" "$st" 1
	grep -q "symbolic link of another user" "$tmp/err" || { cat "$tmp/err" >&2; fail "another user's link: no reason given"; }
	expect "another user's link: the target" "$(cat "$pub/victim")" precious
	# the same user swapping a link and a file under FILE's name while
	# page-anon runs again and again: the target never changes
	rm -f "$pub/out"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups sh -c '
		cd "$1" || exit 1
		while [ ! -e stop ]; do
			ln -sfn "$1/victim" l 2>/dev/null; mv -fT l out 2>/dev/null
			echo x >f 2>/dev/null; mv -fT f out 2>/dev/null
		done' sh "$pub" &
	swapper=$!
	at_exit "touch '$pub/stop'; kill $swapper 2>/dev/null"
	i=0
	while [ $i -lt 200 ]; do
		"$PAGE_ANON" -d 0x1000 --output-file="$pub/out" >/dev/null 2>&1 || :
		i=$((i + 1))
	done
	touch "$pub/stop"
	wait "$swapper" || :
	expect "a link swapped under FILE: the target" "$(cat "$pub/victim")" precious
fi
exit 0
