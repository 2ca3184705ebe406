#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --flags --watch as text: every table starts with a "sample N  DATE TIME"
# line, tables are separated by a blank line, and each table is exactly
# the one-shot --flags table (a captured tree does not change).  JSON
# stays one document per line.
. "$(dirname "$0")/setup.sh"

"$MKFIXTURE" "$srcdir/tests/fixtures/k618-basic.fix" "$tmp/root" || hard_error "mkfixture failed"
"$PAGE_ANON" --sysroot "$tmp/root" -p 100 --flags >"$tmp/once" 2>/dev/null || :	# 3: a hidden PFN
st=0
timeout --preserve-status -s INT 1.5 "$PAGE_ANON" --sysroot "$tmp/root" -p 100 --flags -w 0.3 >"$tmp/watch" 2>/dev/null || st=$?
expect "exit status after SIGINT" "$st" 0

awk -v once="$tmp/once" -v dir="$tmp" '
	/^sample [0-9]+  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ {
		n++
		if ($2 != n) { print "sample " $2 " is number " n; bad = 1 }
		if (n > 1 && prev != "") { print "no blank line before sample " n; bad = 1 }
		file = dir "/table." n
		prev = $0
		next
	}
	/^$/ { prev = ""; next }
	{ if (!file) { print "output before the first sample line: " $0; bad = 1 }
	  print >file; prev = $0 }
	END { if (n < 2) { print "only " n " samples"; bad = 1 } print n >(dir "/n"); exit bad }
' "$tmp/watch" || { cat "$tmp/watch" >&2; fail "--flags -w output is not separated into samples"; }
n=$(cat "$tmp/n")
i=1
while [ "$i" -le "$n" ]; do
	# the last table may be cut by the signal: compare the complete ones
	if [ "$i" -lt "$n" ]; then
		diff -u "$tmp/once" "$tmp/table.$i" >&2 || fail "table of sample $i differs from --flags"
	fi
	i=$((i + 1))
done

timeout --preserve-status -s INT 1 "$PAGE_ANON" --sysroot "$tmp/root" -p 100 --flags -w 0.3 --json >"$tmp/json" 2>/dev/null || :
"$JQ" -e -s 'length >= 2 and all(.type == "flags")' "$tmp/json" >/dev/null ||
	fail "--flags -w --json is not one flags document per line"
echo "PASS: $test_name: $n samples"
