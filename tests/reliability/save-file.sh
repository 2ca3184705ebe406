#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --save FILE replaces FILE race-free, as --output-file does: a symbolic
# link of another user is never followed (root saving into a sticky
# directory such as /tmp must not write through it), the user's own link
# is (its target replaced, the link kept, also with --append), a
# directory is refused, nothing is left behind on failure, the mode is
# 0666 less the umask, and standard output may be closed.
. "$(dirname "$0")/../setup.sh"
need_root
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
sleep 600 &
pid=$!
at_exit "kill $pid 2>/dev/null"

captures()	# FILE: how many captures FILE holds
{
	"$PAGE_ANON" --load "$1@99" 2>&1 >/dev/null | sed -n 's/.*the file holds \([0-9]*\).*/\1/p'
}
tmps()	# DIR: temporary files left there
{
	find "$1" -name '.*.pas.*' | wc -l
}

# the user's own link: the target is written, the link stays
ln -s target.pas "$tmp/link.pas"
"$PAGE_ANON" -p "$pid" --save "$tmp/link.pas" 2>"$tmp/err" || fail "--save through own link: $(cat "$tmp/err")"
[ -L "$tmp/link.pas" ] || fail "the symbolic link was replaced"
expect "captures in the link's target" "$(captures "$tmp/target.pas")" 1
"$PAGE_ANON" -p "$pid" --save "$tmp/link.pas" --append 2>"$tmp/err" ||
	fail "--save --append through own link: $(cat "$tmp/err")"
[ -L "$tmp/link.pas" ] || fail "--append replaced the symbolic link"
expect "captures after --append" "$(captures "$tmp/target.pas")" 2
expect "temporary files left" "$(tmps "$tmp")" 0

# a directory is not a snapshot
st=0
"$PAGE_ANON" -p "$pid" --save "$tmp" 2>"$tmp/err" || st=$?
expect "--save DIR: status" "$st" 1
grep -q "not a regular file" "$tmp/err" || fail "--save DIR: $(cat "$tmp/err")"

# mode: 0666 less the umask, a new file each time
(umask 027 && "$PAGE_ANON" -p "$pid" --save "$tmp/m.pas" 2>/dev/null) || fail "--save with umask 027"
expect "mode with umask 027" "$(stat -c %a "$tmp/m.pas")" 640

# standard output closed
"$PAGE_ANON" -p "$pid" --save "$tmp/c.pas" >&- 2>"$tmp/err" || fail "--save with stdout closed: $(cat "$tmp/err")"
expect "captures with stdout closed" "$(captures "$tmp/c.pas")" 1

# another user's link in a sticky directory is refused, its target kept
if id nobody >/dev/null 2>&1; then
	pub=$tmp/pub
	mkdir -m 1777 "$pub"
	echo precious >"$tmp/victim"
	ln -s "$tmp/victim" "$pub/out.pas"
	chown -h nobody "$pub/out.pas"
	st=0
	"$PAGE_ANON" -p "$pid" --save "$pub/out.pas" 2>"$tmp/err" || st=$?
	expect "--save on another user's link: status" "$st" 1
	grep -q "symbolic link of another user" "$tmp/err" || fail "another user's link: $(cat "$tmp/err")"
	expect "another user's link: the target" "$(cat "$tmp/victim")" precious
	[ -L "$pub/out.pas" ] || fail "another user's link was removed"
	expect "temporary files left in the sticky directory" "$(tmps "$pub")" 0
fi
exit 0
