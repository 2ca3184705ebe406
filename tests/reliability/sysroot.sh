#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Captured trees (--sysroot) with damaged files: a maps line in an
# unexpected format, an empty or short pagemap, a sparse pagemap, a FIFO
# in place of a file, a missing osrelease.  No hang, no crash, a message
# naming the file, status 1 (unreadable) or 3 (partial); never a silently
# wrong table.  Needs no privileges.
. "$(dirname "$0")/../setup.sh"
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"

ps=4096
mkroot()	# DIR: a process 100 with one 16-page anonymous VMA at 0x10000000
{
	mkdir -p "$1/proc/100" "$1/proc/sys/kernel"
	echo 6.18.0 >"$1/proc/sys/kernel/osrelease"
	echo $ps >"$1/page_size"
	echo fixture >"$1/proc/100/comm"
	echo "100 (fixture) S 1 100 100 0 -1 4194304" >"$1/proc/100/stat"
	echo "10000000-10010000 rw-p 00000000 00:00 0 " >"$1/proc/100/maps"
	# a pagemap covering the VMA: every entry 0 (not populated)
	truncate -s $((0x10010000 / ps * 8)) "$1/proc/100/pagemap"
	truncate -s 8192 "$1/proc/kpageflags" "$1/proc/kpagecount"
}

run()	# WANT-STATUSES ROOT [ARGS...]
{
	_want=$1 _root=$2
	shift 2
	st=0
	timeout 30 "$PAGE_ANON" --sysroot "$_root" -p 100 "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
	case " $_want " in
	*" $st "*) ;;
	*) cat "$tmp/err" >&2; fail "--sysroot $_root -p 100 $*: exit status $st, expected $_want" ;;
	esac
}

# sound tree, sparse pagemap: nothing populated, status 0
mkroot "$tmp/ok"
run 0 "$tmp/ok" --all-vmas --bytes
run 0 "$tmp/ok" --flags

# a maps line in an unexpected format
mkroot "$tmp/badmaps"
printf '10000000-10010000 rw-p 00000000 00:00 0\nthis is not a maps line\n' >"$tmp/badmaps/proc/100/maps"
run 1 "$tmp/badmaps"
grep -q "maps" "$tmp/err" || fail "bad maps line: the message does not name the maps file"
printf 'ffff-1000 rw-p 00000000 00:00 0\n' >"$tmp/badmaps/proc/100/maps"
run 1 "$tmp/badmaps"

# an empty pagemap: partial, and said so
mkroot "$tmp/empty"
: >"$tmp/empty/proc/100/pagemap"
run 3 "$tmp/empty"
grep -q "pagemap" "$tmp/err" || fail "empty pagemap: the message does not name pagemap"
# a pagemap ending in the middle of the VMA
mkroot "$tmp/short"
truncate -s $((0x10008000 / ps * 8)) "$tmp/short/proc/100/pagemap"
run 3 "$tmp/short"

# FIFOs in place of files: no hang
mkroot "$tmp/fifo"
rm "$tmp/fifo/proc/100/pagemap" "$tmp/fifo/proc/kpageflags"
mkfifo "$tmp/fifo/proc/100/pagemap" "$tmp/fifo/proc/kpageflags"
run 1 "$tmp/fifo"
mkroot "$tmp/fifo2"
rm "$tmp/fifo2/proc/100/pagemap" "$tmp/fifo2/proc/100/maps" "$tmp/fifo2/proc/sys/kernel/osrelease"
mkfifo "$tmp/fifo2/proc/100/pagemap" "$tmp/fifo2/proc/100/maps" "$tmp/fifo2/proc/sys/kernel/osrelease"
run 1 "$tmp/fifo2"

# kpageflags of a size that is not a multiple of 8
mkroot "$tmp/odd"
printf 'abc' >"$tmp/odd/proc/kpageflags"
run 1 "$tmp/odd"
grep -q "multiple of 8" "$tmp/err" || fail "odd kpageflags size: not explained"

# no osrelease: a warning, decoded as the newest known kernel
mkroot "$tmp/norel"
rm "$tmp/norel/proc/sys/kernel/osrelease"
run 0 "$tmp/norel"
grep -q "kernel version" "$tmp/err" || fail "missing osrelease: no warning"

# a second process missing from the tree: the result is partial; a tree
# that is not a directory is a usage error
run 3 "$tmp/ok" -p 101
grep -q "process 101" "$tmp/err" || fail "missing process 101 not reported"
st=0
"$PAGE_ANON" --sysroot "$tmp/ok/page_size" -p 100 >/dev/null 2>&1 || st=$?
expect "--sysroot FILE: status" "$st" 2
exit 0
