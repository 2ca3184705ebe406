#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad command-line values exit 2 with a message and print nothing on
# stdout; bad -F files exit 1 naming the file, without hanging (FIFO) or
# reading more than asked (a 1 TiB sparse file with -a).
. "$(dirname "$0")/../setup.sh"
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"

expect_status()	# STATUS ARGS...
{
	_want=$1
	shift
	st=0
	timeout 60 "$PAGE_ANON" "$@" >"$tmp/out" 2>"$tmp/err" || st=$?
	[ "$st" = "$_want" ] || { cat "$tmp/err" >&2; fail "page-anon $*: exit status $st, expected $_want"; }
	[ -s "$tmp/err" ] || fail "page-anon $*: no message"
	[ ! -s "$tmp/out" ] || fail "page-anon $*: output on stdout"
	! grep -q '[^[:print:][:space:]]' "$tmp/err" || fail "page-anon $*: garbage in the message"
}

# usage errors (2)
for args in "-p 0" "-p -1" "-p abc" "-p 1x" "-p ," "-p 99999999999" "-p 1,,2" \
	"-a zz" "-a 5,3" "-a 0x1ffffffffffffffff" "-a 1+0x10000000000000000" "-a ''" \
	"-b nosuchflag" "-b ''" "-b anon,~" \
	"-c @abc" "-c @" "-c /nonexistent-cgroup" "-c /etc/passwd" \
	"-d nosuchflag" "-d 0x1ffffffffffffffff" "-d ''" \
	"-w 0" "-w -1" "-w abc" "-w 1e9" "--threads 0" "--threads 65" "--scan sometimes" \
	"--json=yaml" "--color=rainbow" "--kernel 6" "--kernel abc" "--interval 0.001" \
	"--sort nosuchcolumn -p 1" "-o nosuchcolumn -p 1" "--nosuchoption" "extra-arg" \
	"--output-file=" "--freeze" "-f /tmp -p 1" "--page-cgroups -p 1" "--append -p 1" \
	"-w 1e-300" "-w 0.04" "-w 86401" "-w nan" "-w inf" "--interval 1e9" "--interval 1e-300"; do
	eval "expect_status 2 $args"
done
# -w and --interval have the same bounds and say so alike (a tiny -w was
# once accepted and busy-looped)
for opt in -w --interval; do
	expect_status 2 "$opt" 1e-300
	grep -q "invalid --[a-z]* '1e-300': expected an interval from 0.05 to 86400 seconds" "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "$opt 1e-300: unexpected message"; }
done
# ... also above the ceiling; --max-seconds has the same ceiling and names
# it (it once said "expected seconds > 0" for 100000)
for v in 86401 1e9; do
	for opt in -w --interval; do
		expect_status 2 "$opt" "$v"
		grep -q "invalid --[a-z]* '$v': expected an interval from 0.05 to 86400 seconds" "$tmp/err" ||
			{ cat "$tmp/err" >&2; fail "$opt $v: unexpected message"; }
	done
done
# bounded counts and file names say what they expect
expect_status 2 --threads 65
grep -q "invalid --threads '65': expected a number from 1 to 64" "$tmp/err" || fail "--threads 65: unexpected message"
expect_status 2 --all --top 0
grep -q "invalid --top '0': expected a number from 1 to 1000000" "$tmp/err" || fail "--top 0: unexpected message"
for opt in --save --load --output-file; do
	expect_status 2 -p 1 "$opt" ""
	grep -q "empty $opt file name" "$tmp/err" || fail "$opt '': unexpected message"
done
for v in 86401 100000 0 -1 abc; do
	expect_status 2 --all --max-seconds "$v"
	grep -q "invalid --max-seconds '$v': expected a time above 0 and up to 86400 seconds" "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "--max-seconds $v: unexpected message"; }
done

# -F files that cannot be kpageflags (1), named in the message
: >"$tmp/empty"
printf 'abc' >"$tmp/odd"
mkfifo "$tmp/fifo"
for f in "$tmp/empty" "$tmp/odd" "$tmp" "$tmp/fifo" "$tmp/missing"; do
	expect_status 1 -F "$f"
	grep -q "$f" "$tmp/err" || fail "-F $f: the message does not name the file"
done

# a character device that never ends (/dev/zero) as -F without -p: the
# walk stops at the end of this machine's memory (the highest zone end in
# /proc/zoneinfo) instead of running forever
if [ -c /dev/zero ] && [ -r /proc/zoneinfo ]; then
	end=$(awk '$1 == "spanned" { sp = $2 } $1 == "start_pfn:" && sp && $2 + sp > e { e = $2 + sp } END { print e + 0 }' /proc/zoneinfo)
	st=0
	timeout 60 "$PAGE_ANON" -F /dev/zero >"$tmp/out" 2>"$tmp/err" || st=$?
	expect "-F /dev/zero: status" "$st" 0
	expect "-F /dev/zero: pages walked" "$(awk '$1 == "total" { print $2 }' "$tmp/out")" "$end"
fi

# a character device that fails every read, with -p: the walk stops with
# an error naming the file, no crash (a failed kpage read once handed out
# a batch of unread entries)
if [ -c /dev/fuse ]; then
	sleep 600 &
	sp=$!
	at_exit "kill $sp 2>/dev/null"
	for mode in --report --flags; do
		for th in 1 2; do
			expect_status 1 -F /dev/fuse -p "$sp" $mode --threads $th
			grep -q /dev/fuse "$tmp/err" || fail "-F /dev/fuse -p $mode: the message does not name the file"
		done
	done
fi
# combinations that would read or write the live system under --sysroot
expect_status 2 -f /usr --sysroot "$tmp"
expect_status 2 -i --sysroot "$tmp"
# -a at the very end of the PFN space: nothing to read, not an error
st=0
"$PAGE_ANON" -a 0x0fffffffffffff00+0x10000 >"$tmp/out" 2>"$tmp/err" || st=$?
expect "-a at the end of the PFN space: status" "$st" 0

# a 1 TiB sparse file: -a reads only the asked range (fast), and the
# result counts exactly those pages
truncate -s 1T "$tmp/huge" 2>/dev/null || skip "cannot create a sparse file"
st=0
timeout 60 "$PAGE_ANON" -F "$tmp/huge" -a 0x1000000000+16 --json >"$tmp/out" 2>"$tmp/err" || st=$?
expect "-F 1TiB -a: status" "$st" 0
if command -v "$JQ" >/dev/null 2>&1; then
	expect "-F 1TiB -a: pages" "$("$JQ" '.total_pages // ([.flags[].pages] | add)' "$tmp/out")" 16
fi
# past the end of the file: nothing, not an error
st=0
timeout 60 "$PAGE_ANON" -F "$tmp/huge" -a 0x4000000000+16 >/dev/null 2>"$tmp/err" || st=$?
expect "-F 1TiB -a past the end: status" "$st" 0
# without -a the walk covers the file; SIGINT ends it with a partial table
timeout --preserve-status -s INT 2 "$PAGE_ANON" -F "$tmp/huge" >"$tmp/out" 2>"$tmp/err" && st=0 || st=$?
expect "-F 1TiB interrupted: status" "$st" 3
[ -s "$tmp/out" ] || fail "-F 1TiB interrupted: no partial table"
exit 0
