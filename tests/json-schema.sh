#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every JSON document page-anon prints validates against the schema
# shipped in tests/schema/: on captured trees always, and on the live
# kernel (this shell, the whole system, listings) when root.
. "$(dirname "$0")/setup.sh"

PYTHON3=${PYTHON3:-python3}
"$PYTHON3" -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed"
check()
{
	"$PYTHON3" "$srcdir/tests/check-json.py" "$srcdir/tests/schema" "$1" >/dev/null ||
		fail "invalid JSON from page-anon $2"
}
run()	# name args...
{
	name=$1
	shift
	set +e
	"$PAGE_ANON" "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
	rc=$?
	set -e
	case $rc in 0|3) ;; *) cat "$tmp/$name.err" >&2; fail "page-anon $* exited $rc" ;; esac
	check "$tmp/$name.json" "$*"
}

"$MKFIXTURE" "$srcdir/tests/fixtures/k618-basic.fix" "$tmp/root"
for fmt in --json --json=pretty; do
	run report "$fmt" --sysroot "$tmp/root" -p 100 --all-vmas
	run flags "$fmt" --sysroot "$tmp/root" -p 100 --flags -r
	run list "$fmt" --sysroot "$tmp/root" -p 100 -l -M -C
	run listeach "$fmt" --sysroot "$tmp/root" -p 100 -L -N
	run pfn "$fmt" --sysroot "$tmp/root" --flags
	run describe "$fmt" -d anonymous,thp,0x1000000000000
	run all "$fmt" --sysroot "$tmp/root" --all
	run all-grouped "$fmt" --sysroot "$tmp/root" --all --group-by=unit --top 1
	run all-snapshot "$fmt" --load "$srcdir/tests/fixtures/fork.pas@1" --all
	run snap-report "$fmt" --load "$srcdir/tests/fixtures/fork.pas@3" --all-vmas
	run snap-flags "$fmt" --load "$srcdir/tests/fixtures/fork.pas@2" --flags
	run snap-diff "$fmt" --diff "$srcdir/tests/fixtures/fork.pas@1" "$srcdir/tests/fixtures/fork.pas@3" --all-vmas
	run snap-diff2 "$fmt" --diff "$srcdir/tests/fixtures/fork.pas@2" "$srcdir/tests/fixtures/ksm.pas"
done
# every schema of the source tree is installed (dist_schema_DATA)
if [ -n "${PA_SCHEMAS:-}" ]; then
	for f in "$srcdir"/tests/schema/*.schema.json; do
		case " $PA_SCHEMAS " in
		*" tests/schema/${f##*/} "*) ;;
		*) fail "${f##*/} is not installed: add it to dist_schema_DATA in tests/local.mk" ;;
		esac
	done
fi

# -l/-L: every line of the listing, the closing flags table included,
# validates against page.schema.json
for fmt in --json --json=pretty; do
	"$PAGE_ANON" "$fmt" --sysroot "$tmp/root" -p 100 -l >"$tmp/listing.json" 2>/dev/null || :
	"$PYTHON3" "$srcdir/tests/check-json.py" --schema page "$srcdir/tests/schema" "$tmp/listing.json" >/dev/null ||
		fail "page-anon $fmt -l: not valid against page.schema.json"
	expect "-l $fmt ends with the flags table" "$("$JQ" -r -s '.[-1].type' "$tmp/listing.json")" flags
done

# The one rule for errors: with --json, exit status 1 always comes with a
# document on stdout (a report whose process has an "error", or else an
# "error" document); a usage error (2) prints none.
json_error()	# expected-type args...
{
	want=$1
	shift
	set +e
	"$PAGE_ANON" "$@" >"$tmp/err.json" 2>"$tmp/err.err"
	rc=$?
	set -e
	expect "exit status of page-anon $*" "$rc" 1
	check "$tmp/err.json" "$*"
	expect "document of page-anon $*" "$("$JQ" -r -s 'map(.type) | join(",")' "$tmp/err.json")" "$want"
	if [ "$want" = error ]; then
		expect "error text of page-anon $* (as on stderr)" \
			"page-anon: $("$JQ" -r .error "$tmp/err.json")" "$(head -n 1 "$tmp/err.err")"
	fi
}
json_error error --json --load "$tmp/no-such.pas"
json_error error --json=pretty --sysroot "$tmp/root" -F "$tmp/no-such-file" --flags
json_error error --json --sysroot "$tmp/root" -p 99999 --flags
json_error report --json --sysroot "$tmp/root" -p 99999
set +e
"$PAGE_ANON" --json --no-such-option >"$tmp/usage.json" 2>/dev/null
rc=$?
set -e
expect "usage error exit status" "$rc" 2
[ ! -s "$tmp/usage.json" ] || fail "a usage error printed JSON: $(cat "$tmp/usage.json")"

# one-shot reports carry a timestamp like --watch samples; a loaded
# snapshot's is the time of its capture
now=$(date +%s)
ts=$("$PAGE_ANON" --json --sysroot "$tmp/root" -p 100 2>/dev/null | "$JQ" -r '.timestamp | floor')
[ "$ts" -ge $((now - 60)) ] && [ "$ts" -le $((now + 60)) ] ||
	fail "one-shot report timestamp $ts is not the time of the run ($now)"
snap=$("$PAGE_ANON" --json --load "$srcdir/tests/fixtures/fork.pas@1" 2>/dev/null | "$JQ" -r '.timestamp')
taken=$("$PAGE_ANON" --json --diff "$srcdir/tests/fixtures/fork.pas@1" "$srcdir/tests/fixtures/fork.pas@2" 2>/dev/null |
	"$JQ" -r '.old.time')
expect "--load report timestamp is the capture time" "$snap" "$taken"

# human text never reaches stdout in JSON mode
"$PAGE_ANON" --json --sysroot "$tmp/root" -p 100 2>/dev/null | "$JQ" -e . >/dev/null ||
	fail "stdout of --json is not pure JSON"

if [ "$(id -u)" = 0 ] && [ -r /proc/kpageflags ]; then
	run live-report --json -p $$ --children
	run live-flags --json -p $$ --flags -r
	run live-list --json -p $$ -l -N
	run live-multi --json -p $$,1
	run live-pfn --json --flags -a 0,100000
	run live-all --json --all
	run live-all-top --json --all --group-by=user --top 2
fi
exit 0
