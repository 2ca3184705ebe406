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
