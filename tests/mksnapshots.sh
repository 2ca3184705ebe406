#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regenerate the snapshot fixtures tests/fixtures/*.pas (run as root from a
# build directory; not part of "make check"):
#   fork.pas  captures of pa-helper (regions excl, zero, thp):
#             @1 before fork, @2 after fork, @3 after the child wrote excl
#   ksm.pas   pa-helper with 64 pages merged by KSM (KSM settings restored)
# Every capture is checked against the live --json taken with --freeze at
# the same moment.  The build tree is bind-mounted on /opt/page-anon in a
# private mount namespace, so the recorded paths (maps, command line) do
# not depend on where it was built.  Then run "tests/snapshots.sh --regen"
# and review the expected files.
#   usage: tests/mksnapshots.sh SRCDIR   (from the build directory)
set -eu
src=$(cd "${1:?usage: $0 SRCDIR}" && pwd)
build=$(pwd)
if [ "${PA_MKSNAP_INNER:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "$0: needs root" >&2; exit 1; }
	exec unshare -m env PA_MKSNAP_INNER=1 sh "$0" "$@"
fi
mkdir -p /opt/page-anon
mount --bind "$build" /opt/page-anon
cd /opt/page-anon
pa=/opt/page-anon/src/page-anon
helper=/opt/page-anon/tests/helper/pa-helper
out=$src/tests/fixtures
tmp=$(mktemp -d)
trap 'kill $hp 2>/dev/null; rm -rf "$tmp"' EXIT
hp=

start()	# regions...
{
	mkfifo "$tmp/in" "$tmp/out"
	"$helper" -n 64 "$@" <"$tmp/in" >"$tmp/out" &
	hp=$!
	exec 3>"$tmp/in" 4<"$tmp/out"
	while read -r w _ <&4; do [ "$w" = ready ] && break; done
}
cmd() { echo "$*" >&3; read -r reply <&4; echo "$reply"; }
stop() { echo quit >&3; exec 3>&- 4<&-; wait "$hp" || :; rm -f "$tmp/in" "$tmp/out"; hp=; }
save()	# file [--append]
{
	cmd ping >/dev/null
	"$pa" -p "$hp" --children --freeze --json --all-vmas >"$tmp/live.json"
	"$pa" -p "$hp" --children --freeze --page-cgroups --save "$@"
	"$pa" --load "$1@$n" --json --all-vmas >"$tmp/load.json"
	# the timestamps differ: the live report's is its own, the loaded
	# one's the capture's
	# PSS follows the other processes that map the same pages, and the user
	# name is looked up where the file is read: neither is compared
	norm='del(.timestamp, .processes[]?.user) | walk(if type == "object" then del(.pss_q16) else . end)'
	jq "$norm" "$tmp/live.json" >"$tmp/a"; jq "$norm" "$tmp/load.json" >"$tmp/b"
	diff "$tmp/a" "$tmp/b" >&2 || :
	cmp -s "$tmp/a" "$tmp/b" || { echo "capture $n differs from the live run" >&2; exit 1; }
}

cd "$tmp"	# relative names in the recorded command lines
start excl zero thp
n=1; save fork.pas
cmd fork >/dev/null
cmd child-read excl >/dev/null	# the child is idle once it answered
n=2; save fork.pas --append
cmd child-write excl >/dev/null
n=3; save fork.pas --append
cmd child-exit >/dev/null
stop

ksm=/sys/kernel/mm/ksm
old_run=$(cat $ksm/run) old_scan=$(cat $ksm/pages_to_scan) old_sleep=$(cat $ksm/sleep_millisecs)
trap 'echo $old_run >$ksm/run; echo $old_scan >$ksm/pages_to_scan; echo $old_sleep >$ksm/sleep_millisecs; kill $hp 2>/dev/null; rm -rf "$tmp"' EXIT
start ksm excl
echo 2000 >$ksm/pages_to_scan
echo 10 >$ksm/sleep_millisecs
echo 1 >$ksm/run
cmd ksm-merge ksm >/dev/null
i=0
until "$pa" -p "$hp" --json --all-vmas | grep -q '"ksm":64'; do
	i=$((i + 1))
	[ $i -lt 120 ] || { echo "KSM did not merge" >&2; exit 1; }
	sleep 0.5
done
n=1; save ksm.pas
stop
cp fork.pas ksm.pas "$out/"
ls -l "$out"/*.pas
