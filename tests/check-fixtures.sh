#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --check on captured trees (tests/check/*.fix): each tree holds one kind
# of kernel rule violation, which must be found (exit status 4, the rule
# named in text and JSON, the JSON valid against check.schema.json); the
# clean tree gives exit status 0 and no finding.  Needs no root.
. "$(dirname "$0")/setup.sh"
need_prog "$JQ"

PYTHON3=${PYTHON3:-python3}
have_schema=false
"$PYTHON3" -c 'import jsonschema' 2>/dev/null && have_schema=true

# fixture  expected rule (empty: none)  pids
cases='excl-mapped-twice|exclusive_mapped_twice|100
excl-ksm|exclusive_ksm|100
excl-zero|exclusive_zero_page|100
excl-file|exclusive_not_anon_mapping|100
excl-two-processes|exclusive_two_processes|100,101
bit56-mapcount|bit56_mapcount|100
anon-count-zero|anon_mapcount_zero|100
clean||100,101'

echo "$cases" | while IFS='|' read -r name rule pids; do
	root=$tmp/$name
	"$MKFIXTURE" "$srcdir/tests/check/$name.fix" "$root" || hard_error "mkfixture $name failed"
	st=0
	"$PAGE_ANON" --sysroot "$root" --check -p "$pids" >"$tmp/$name.txt" 2>"$tmp/$name.err" || st=$?
	jst=0
	"$PAGE_ANON" --sysroot "$root" --check -p "$pids" --json >"$tmp/$name.json" 2>/dev/null || jst=$?
	expect "$name: text and JSON exit status" "$jst" "$st"
	if $have_schema; then
		"$PYTHON3" "$srcdir/tests/check-json.py" "$srcdir/tests/schema" "$tmp/$name.json" >/dev/null ||
			fail "$name: JSON does not match check.schema.json"
	fi
	rules=$("$JQ" -r '[.findings[].rule] | unique | join(",")' "$tmp/$name.json")
	if [ -z "$rule" ]; then
		cat "$tmp/$name.err" >&2
		expect "$name: exit status" "$st" 0
		expect "$name: findings" "$rules" ""
		grep -q ': 0 findings' "$tmp/$name.txt" || fail "$name: text does not say 0 findings"
		continue
	fi
	expect "$name: exit status" "$st" 4
	case ",$rules," in
	*",$rule,"*) ;;
	*) fail "$name: rule $rule not found (found: $rules)" ;;
	esac
	grep -q "$rule" "$tmp/$name.txt" || fail "$name: text output does not name $rule"
	# every finding names pid, address, PFN, raw flags and the count
	"$JQ" -e '.findings | all(has("pid") and has("address") and has("pfn") and
		has("kpageflags") and has("kpagecount") and has("rule"))' "$tmp/$name.json" >/dev/null ||
		fail "$name: a finding lacks a field"
done
# the correct exclusive page next to the violation is not reported
n=$("$PAGE_ANON" --sysroot "$tmp/excl-mapped-twice" --check -p 100 --json | "$JQ" '.findings | length') || :
expect "excl-mapped-twice: one finding" "$n" 1
# --check needs a process
st=0
"$PAGE_ANON" --check >/dev/null 2>&1 || st=$?
expect "--check without -p: usage error" "$st" 2
exit 0
