#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Without privileges page-anon cannot see PFNs or read /proc/kpageflags.
# The report of the user's own process is then the reduced view (exit 0,
# a header line, JSON "privileged": false, exclusivity unknown with the
# reason, mapped once or more from pagemap bit 56); what needs root (the
# flags table, --check) says so on stderr and exits 1.  Never made-up
# exclusivity.
. "$(dirname "$0")/../setup.sh"
need_root
need_prog setpriv
[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
id nobody >/dev/null 2>&1 || skip "no user nobody"

asnobody()
{
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		--inh-caps=-all --bounding-set=-all "$@"
}
asnobody test -x "$PAGE_ANON" ||
	skip "cannot run $PAGE_ANON as nobody (setpriv failed or no execute permission)"

# The report: the reduced view, exit status 0.
for mode in "" "--json"; do
	st=0
	# exec: page-anon looks at its own process (-p $$ of the shell it replaces).
	# shellcheck disable=SC2016
	asnobody sh -c 'exec "$0" -p $$ '"$mode" "$PAGE_ANON" >"$tmp/out" 2>"$tmp/err" || st=$?
	[ "$st" = 0 ] || { cat "$tmp/err" >&2; fail "page-anon -p self $mode as nobody: exit status $st, expected 0 (reduced view)"; }
	if [ "$mode" = --json ]; then
		"$JQ" -e . "$tmp/out" >/dev/null 2>&1 || fail "page-anon --json as nobody: stdout is not JSON"
		expect "JSON privileged" "$("$JQ" .privileged "$tmp/out")" false
		expect "JSON partial" "$("$JQ" .partial "$tmp/out")" false
		# No exclusivity may be claimed from hidden PFNs.
		expect "anon_exclusive claimed without PFNs" \
			"$("$JQ" '[.processes[].totals | .anon_exclusive + .anon_shared + .anon_sole] | add' "$tmp/out")" 0
		"$JQ" -e '.processes[0].totals | .unknown > 0 and .unknown ==
			.unknown_reasons.pfn_hidden_mapped_once + .unknown_reasons.pfn_hidden_mapped_more' \
			"$tmp/out" >/dev/null || fail "reduced view: unknown pages without their reason"
	else
		grep -q '^Reduced view (no CAP_SYS_ADMIN)' "$tmp/out" ||
			{ cat "$tmp/out" >&2; fail "text reduced view: no header line"; }
		grep -q 'mapped once .*more than once or zero page' "$tmp/out" ||
			fail "text reduced view: no mapped once / more than once line"
	fi
done

# What needs root refuses with a message saying what is missing.
for mode in "--flags -r" "--check"; do
	st=0
	# shellcheck disable=SC2016
	asnobody sh -c 'exec "$0" -p $$ '"$mode" "$PAGE_ANON" >"$tmp/out" 2>"$tmp/err" || st=$?
	case $st in
	1|3) ;;
	*) cat "$tmp/err" >&2; fail "page-anon -p self $mode as nobody: exit status $st, expected 1 or 3" ;;
	esac
	grep -Eqi 'CAP_SYS_ADMIN|root|permission|privilege' "$tmp/err" ||
		{ cat "$tmp/err" >&2; fail "page-anon -p self $mode as nobody: the message does not say what is missing"; }
done

# A workload in known states, owned by nobody: 64 written pages are mapped
# once; after fork they are mapped twice.
[ -x "$PA_HELPER" ] || skip "pa-helper not built"
chmod 755 "$tmp"
mkdir "$tmp/nb"
chmod 777 "$tmp/nb"
mkfifo "$tmp/nb/in"
chmod 666 "$tmp/nb/in"
asnobody sh -c 'exec "$0" excl <"$1" >"$2" 2>&1' "$PA_HELPER" "$tmp/nb/in" "$tmp/nb/out" &
nb_pid=$!
exec 5>"$tmp/nb/in"
at_exit "exec 5>&-; kill $nb_pid 2>/dev/null"
n=0
until grep -q '^ready' "$tmp/nb/out" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 300 ] || hard_error "pa-helper as nobody not ready"
	sleep 0.1
done
hpid=$(sed -n 's/^ready //p' "$tmp/nb/out")
set -- $(sed -n 's/^region excl //p' "$tmp/nb/out")
rs=$(($1))
re=$(($2))
reason()	# KEY: sum over the excl region of unknown_reasons.KEY
{
	"$JQ" -r --argjson s "$rs" --arg k "$1" --argjson e "$re" "$_pa_jq_hex"'
		[.processes[0].vmas[] | select((.start | hex) >= $s and (.end | hex) <= $e)
		 | .pages.unknown_reasons[$k]] | add' "$tmp/nb.json"
}
asnobody "$PAGE_ANON" -p "$hpid" --json --all-vmas >"$tmp/nb.json" || fail "reduced view of pa-helper: exit status $?"
expect "nobody's excl region mapped once" "$(reason pfn_hidden_mapped_once)" 64
expect "nobody's excl region mapped more" "$(reason pfn_hidden_mapped_more)" 0
echo fork >&5
n=0
until grep -q '^child' "$tmp/nb/out"; do
	n=$((n + 1))
	[ $n -lt 300 ] || hard_error "pa-helper as nobody: no child"
	sleep 0.1
done
asnobody "$PAGE_ANON" -p "$hpid" --json --all-vmas >"$tmp/nb.json" || fail "reduced view after fork: exit status $?"
expect "after fork: excl region mapped more than once" "$(reason pfn_hidden_mapped_more)" 64
expect "after fork: excl region mapped once" "$(reason pfn_hidden_mapped_once)" 0
