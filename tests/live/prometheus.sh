#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --all --prometheus --output-file into the textfile directory of Debian's
# prometheus-node-exporter, scraped over HTTP: the forked helpers' group is
# served with the values --json gives for it; promtool accepts the file.
. "$(dirname "$0")/../setup.sh"
live_init
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
command -v "$NODE_EXPORTER" >/dev/null 2>&1 ||
	skip "prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter)"
need_prog curl

name=pa-prom-$$
ln -s "$PA_HELPER" "$tmp/$name"
PA_HELPER=$tmp/$name
n=64
helper_start -n $n excl zero
pid=$helper_pid
helper_cmd fork
mkdir "$tmp/textfile"
prom=$tmp/textfile/page_anon.prom

group_json()	# FILE -> "procs rss uss pss state..." of the helpers' group
{
	"$JQ" -r --arg n "$name" '.groups[] | select(.key == $n)
		| [.processes, .rss_bytes, .uss_bytes, .pss_bytes,
		   (.state_bytes | .anon_exclusive, .anon_shared, .anon_sole, .ksm, .zero, .file,
		    .swapped, .special, .unknown)] | map(tostring) | join(" ")' "$1"
}

# Other processes change the PSS of the shared libraries all the time: take
# --json before and after the metrics, and use a round in which the two
# agree (a few tries).
try=0
while :; do
	try=$((try + 1))
	"$PAGE_ANON" --all --group-by=comm --json >"$tmp/a.json" 2>/dev/null || :
	status=0
	"$PAGE_ANON" --all --prometheus --output-file "$prom" 2>"$tmp/prom.err" || status=$?
	"$PAGE_ANON" --all --group-by=comm --json >"$tmp/b.json" 2>/dev/null || :
	case $status in
	0|3) ;;
	*) cat "$tmp/prom.err" >&2; fail "--all --prometheus --output-file: exit status $status" ;;
	esac
	a=$(group_json "$tmp/a.json")
	b=$(group_json "$tmp/b.json")
	[ -n "$a" ] || fail "no group $name in --all --group-by=comm --json"
	[ "$a" = "$b" ] && break
	[ $try -lt 10 ] || break
	sleep 0.3
done
stable=$([ "$a" = "$b" ] && echo yes || echo no)
[ -s "$prom" ] || fail "$prom not written"
! grep -q "^page_anon.*[0-9] [0-9][0-9]*$" "$prom" || fail "a sample with a timestamp in $prom"

if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$prom" || fail "promtool check metrics rejects the output"
else
	echo "promtool not installed (package prometheus): lint skipped"
fi

# node_exporter on a free loopback port, only the textfile collector
port=$((20000 + $$ % 20000))
tries=0
while :; do
	"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$tmp/textfile" \
		>"$tmp/ne.log" 2>&1 &
	ne=$!
	at_exit "kill $ne 2>/dev/null; wait $ne 2>/dev/null"
	up=false
	i=0
	while [ $i -lt 50 ] && kill -0 $ne 2>/dev/null; do
		if curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/scrape" 2>/dev/null; then
			up=true
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	$up && break
	kill $ne 2>/dev/null || :
	tries=$((tries + 1))
	[ $tries -lt 5 ] || { cat "$tmp/ne.log" >&2; hard_error "node_exporter did not start"; }
	port=$((port + 1))
done

grep -q '^node_textfile_scrape_error 0$' "$tmp/scrape" || fail "node_exporter: textfile scrape error"
grep -q '^page_anon_build_info{' "$tmp/scrape" || fail "page_anon_build_info not served"

served()	# METRIC [STATE] -> the helpers' group value served, as an integer
{
	if [ $# -gt 1 ]; then sel="{comm=\"$name\",state=\"$2\"}"; else sel="{comm=\"$name\"}"; fi
	awk -v m="$1$sel" '$1 == m { printf "%.0f\n", $2; found = 1 } END { if (!found) print "none" }' "$tmp/scrape"
}
got="$(served page_anon_group_processes) $(served page_anon_rss_bytes) $(served page_anon_uss_bytes) $(served page_anon_pss_bytes)"
for st in anon_exclusive anon_shared anon_sole ksm zero file swapped special unknown; do
	got="$got $(served page_anon_state_bytes "$st")"
done
# PSS: the mapcount of the pages every process maps (libc) moves with the
# processes starting and exiting, also between two runs that agree; the
# rest is exact.
expect "group $name served (procs rss uss)" "$(echo "$got" | cut -d' ' -f1-3)" "$(echo "$a" | cut -d' ' -f1-3)"
expect "group $name served (states)" "$(echo "$got" | cut -d' ' -f5-)" "$(echo "$a" | cut -d' ' -f5-)"
p=$(echo "$got" | cut -d' ' -f4)
pa=$(echo "$a" | cut -d' ' -f4)
pb=$(echo "$b" | cut -d' ' -f4)
if [ "$stable" = yes ] && [ "$p" = "$pa" ]; then
	echo "PSS served $p, as --json before and after"
else
	lo=$(( (pa < pb ? pa : pb) * 9 / 10 ))
	hi=$(( (pa > pb ? pa : pb) * 11 / 10 ))
	[ "$p" -ge $lo ] && [ "$p" -le $hi ] || fail "group $name PSS served $p, --json $pa and $pb"
	echo "PSS of the helpers moved ($try rounds): served $p, --json $pa and $pb"
fi
expect "group processes" "$(served page_anon_group_processes)" 2
anon_shared=$(served page_anon_state_bytes anon_shared)
[ "$anon_shared" -ge $((2 * n * $(getconf PAGESIZE))) ] || fail "group anon_shared $anon_shared"

# the file itself: totals are the sum of the groups; --top keeps N groups
# plus "other"; no PID labels
# (the value is the last field: a comm label may hold spaces)
sum_groups=$(awk '/^page_anon_rss_bytes\{/ { s += $NF } END { printf "%.0f\n", s }' "$prom")
total=$(awk '/^page_anon_total_rss_bytes / { printf "%.0f\n", $2 }' "$prom")
expect "sum of page_anon_rss_bytes over groups = page_anon_total_rss_bytes" "$sum_groups" "$total"
! grep -qi 'pid=' "$prom" || fail "a PID label in the metrics"
"$PAGE_ANON" --all --prometheus --top 2 >"$tmp/top.prom" 2>/dev/null || :
expect "--top 2 series of page_anon_rss_bytes" "$(grep -c '^page_anon_rss_bytes{' "$tmp/top.prom")" 3
grep -q '^page_anon_rss_bytes{comm="other"}' "$tmp/top.prom" || fail "--top 2: no 'other' group"
"$PAGE_ANON" --all --prometheus --group-by=user >"$tmp/user.prom" 2>/dev/null || :
grep -q '^page_anon_rss_bytes{user="root"}' "$tmp/user.prom" || fail "--group-by=user: no user=\"root\""

# the budget: truncation is a metric, and the exit status says partial
status=0
"$PAGE_ANON" --all --prometheus --max-seconds 0.000001 >"$tmp/budget.prom" 2>/dev/null || status=$?
expect "--max-seconds exit status" "$status" 3
grep -q '^page_anon_scan_truncated 1$' "$tmp/budget.prom" || fail "--max-seconds: page_anon_scan_truncated is not 1"
budget=$(awk '/^page_anon_processes_skipped\{reason="budget"\}/ { print $2 }' "$tmp/budget.prom")
[ "$budget" -gt 0 ] || fail "--max-seconds: no process counted as skipped for the budget"

helper_stop
