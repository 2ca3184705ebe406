#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The central scene: 64 MiB written, fork, parent and child each rewrite
# all of it and the child exits.  Sampling sees exclusive memory before
# and after; --trace-fork sees every page go anon_exclusive -> anon_shared
# on both sides at the fork, and back to anon_exclusive (a full copy) by
# the time each one exits.
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/trace-lib.sh"
trace_init

mib64=67108864
trace_json rewrite rewrite 64
expect "exit status of page-anon (the command's)" "$trace_rc" 0
f=$tmp/rewrite.json
expect "events" "$(ev "$f" .event | tr '\n' ' ')" "start fork exit exit "
expect "fork syscall" "$(ev "$f" 'select(.event == "fork") | .syscall')" fork
expect "fork seen at its entry" "$(ev "$f" 'select(.event == "fork") | .entry_stop')" true
parent=$(ev "$f" 'select(.event == "start") | .pid')
expect "fork parent" "$(ev "$f" 'select(.event == "fork") | .pid')" "$parent"

# at the fork: 16384 pages exclusive -> shared, in the parent and the child
expect "parent: 64 MiB exclusive -> shared at the fork" \
	"$(vma_trans "$f" fork parent $mib64 anon_exclusive anon_shared)" 16384
expect "child: 64 MiB exclusive -> shared at the fork" \
	"$(vma_trans "$f" fork child $mib64 anon_exclusive anon_shared)" 16384
for role in parent child; do
	expect "$role: 64 MiB region after the fork, anon_shared" "$("$JQ" -r --arg r $role '
		select(.event == "fork") | .processes[] | select(.role == $r) |
		.vmas[] | select(.size == 67108864) | .after.anon_shared' "$f")" 16384
	expect "$role: 64 MiB region after the fork, anon_exclusive" "$("$JQ" -r --arg r $role '
		select(.event == "fork") | .processes[] | select(.role == $r) |
		.vmas[] | select(.size == 67108864) | .after.anon_exclusive' "$f")" 0
done
expect "parent: 64 MiB region at the fork entry, anon_exclusive" "$("$JQ" -r '
	select(.event == "fork") | .processes[] | select(.role == "parent") |
	.vmas[] | select(.size == 67108864) | .before.anon_exclusive' "$f")" 16384
expect "child: nothing copied in the 64 MiB region" "$("$JQ" -r '
	select(.event == "fork") | .processes[] | select(.role == "child") | .copied_pinned' "$f")" 0

# at each exit, the rewrite has copied every page back to exclusive
child=$(ev "$f" 'select(.event == "fork") | .child')
expect "child exit: shared -> exclusive" "$("$JQ" -r --argjson c "$child" '
	select(.event == "exit" and .pid == $c) | .processes[0].vmas[] |
	select(.size == 67108864) | .transitions[] |
	select(.from == "anon_shared" and .to == "anon_exclusive") | .pages' "$f")" 16384
expect "child exit code" "$(ev "$f" "select(.event == \"exit\" and .pid == $child) | .exit_code")" 0
expect "parent exit: shared -> exclusive" "$("$JQ" -r --argjson c "$parent" '
	select(.event == "exit" and .pid == $c) | .processes[0].vmas[] |
	select(.size == 67108864) | .transitions[] |
	select(.from == "anon_shared" and .to == "anon_exclusive") | .pages' "$f")" 16384

# the text output names the transition
set +e
"$PAGE_ANON" --trace-fork -- "$PA_FORKER" rewrite 64 >"$tmp/text" 2>"$tmp/text.err"
rc=$?
set -e
expect "exit status (text)" $rc 0
grep -q '^ *[0-9.]* fork [0-9]* -> [0-9]* (pa-forker): anon_exclusive -> anon_shared [0-9]* pages ([0-9.]*M)' "$tmp/text" ||
	fail "text output lacks the fork line: $(head -5 "$tmp/text")"

# --save: one capture per stop (start, fork entry, fork, exit, exit), so
# the fork can be replayed and diffed later
set +e
"$PAGE_ANON" --trace-fork --save "$tmp/t.pas" -- "$PA_FORKER" rewrite 8 >/dev/null 2>"$tmp/save.err"
rc=$?
set -e
expect "--save: exit status" $rc 0
grep -q "saved 5 captures" "$tmp/save.err" || fail "--save: $(cat "$tmp/save.err")"
expect "--save: processes in the fork's capture" \
	"$("$PAGE_ANON" --load "$tmp/t.pas@3" --json | "$JQ" '.processes | length')" 2
expect "--save: diff of the fork entry and the fork, 8 MiB exclusive -> shared" \
	"$("$PAGE_ANON" --diff "$tmp/t.pas@2" "$tmp/t.pas@3" --json | "$JQ" '[.processes[0].vmas[] |
	.transitions[] | select(.from == "anon_exclusive" and .to == "anon_shared") | .pages] | max')" 2048
exit 0
