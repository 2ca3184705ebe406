#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The systemd units for node_exporter's textfile collector:
#  - systemd-analyze verify accepts them (with the built binary);
#  - the service is hardened: systemd-analyze security rates its exposure
#    at most 3.0 ("OK"), its bounding set is exactly CAP_SYS_ADMIN,
#    CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE;
#  - as root, its command line run with only those capabilities (setpriv)
#    reads every process root reads and writes the metrics file;
#  - only the timer has an [Install] section (nothing starts by itself).
. "$(dirname "$0")/setup.sh"

in=$srcdir/contrib/systemd/page-anon-metrics.service.in
timer=$srcdir/contrib/systemd/page-anon-metrics.timer
[ -x "$PAGE_ANON" ] || skip "page-anon not built"
mkdir "$tmp/units" "$tmp/textfile"
sed -e "s|@sbindir@|$(dirname "$PAGE_ANON")|g" -e "s|@textfiledir@|$tmp/textfile|g" "$in" \
	>"$tmp/units/page-anon-metrics.service"
cp "$timer" "$tmp/units/"
svc=$tmp/units/page-anon-metrics.service
# page-anon itself, not the .libs wrapper of another build system
sed -i "s|^ExecStart=[^ ]*/page-anon |ExecStart=$PAGE_ANON |" "$svc"

! grep -q '^\[Install\]' "$svc" || fail "the service has an [Install] section: it must only run from the timer"
grep -q '^WantedBy=timers.target$' "$timer" || fail "the timer is not WantedBy=timers.target"
expect "CapabilityBoundingSet" "$(sed -n 's/^CapabilityBoundingSet=//p' "$svc")" \
	"CAP_SYS_ADMIN CAP_DAC_READ_SEARCH CAP_SYS_PTRACE"
grep -q '^ProtectSystem=strict$' "$svc" || fail "ProtectSystem=strict missing"
grep -q '^NoNewPrivileges=yes$' "$svc" || fail "NoNewPrivileges=yes missing"

if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify --man=no "$svc" "$tmp/units/page-anon-metrics.timer" ||
		fail "systemd-analyze verify rejects the units"
	if systemd-analyze security --offline=yes "$svc" >"$tmp/security" 2>&1; then
		level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$tmp/security")
		[ -n "$level" ] || fail "no exposure level from systemd-analyze security"
		awk -v l="$level" 'BEGIN { exit !(l <= 3.0) }' ||
			fail "exposure level $level > 3.0 (systemd-analyze security)"
		echo "systemd-analyze security: exposure $level"
	else
		echo "systemd-analyze security --offline not supported: exposure not rated"
	fi
else
	echo "systemd-analyze not installed: units not verified"
fi

# The command line with only the bounding set's capabilities.
if [ "$(id -u)" = 0 ] && [ -z "${PA_SKIP_LIVE:-}" ] && [ -r /proc/kpageflags ] &&
   command -v setpriv >/dev/null 2>&1; then
	cmd=$(sed -n 's/^ExecStart=//p' "$svc")
	# shellcheck disable=SC2086
	status=0
	setpriv --bounding-set=-all,+sys_admin,+dac_read_search,+sys_ptrace --inh-caps=-all \
		--no-new-privs $cmd 2>"$tmp/err" || status=$?
	case $status in 0|3) ;; *) cat "$tmp/err" >&2; fail "ExecStart with the bounding set: exit $status" ;; esac
	[ -s "$tmp/textfile/page_anon.prom" ] || fail "no $tmp/textfile/page_anon.prom"
	full=$("$PAGE_ANON" --all --prometheus 2>/dev/null | sed -n 's/^page_anon_processes_skipped{reason="unreadable"} //p')
	got=$(sed -n 's/^page_anon_processes_skipped{reason="unreadable"} //p' "$tmp/textfile/page_anon.prom")
	expect "unreadable processes with the bounding set (as with full root)" "$got" "$full"
	grep -q '^page_anon_rss_bytes{comm=' "$tmp/textfile/page_anon.prom" || fail "no per-command series"
fi
exit 0
