#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# userfaultfd write protection (pagemap bit 57, 5.13+) keeps pages
# anon_exclusive; guard regions (MADV_GUARD_INSTALL, pagemap bit 58, 6.15+)
# are special, not present.
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n uffd_wp guard
pid=$helper_pid
[ -n "$(region_absent uffd_wp)" ] && [ -n "$(region_absent guard)" ] &&
	skip "uffd_wp: $(region_absent uffd_wp); guard: $(region_absent guard)"

pa_json "$pid"
if [ -z "$(region_absent uffd_wp)" ]; then
	check_region "$pid" uffd_wp
	expect "uffd_wp: page-anon uffd_wp" "$(pa_get "$pid" uffd_wp uffd_wp)" $n
	expect "uffd_wp: page-anon anon_exclusive" "$(pa_get "$pid" uffd_wp anon_exclusive)" $n
else
	echo "note: uffd_wp not tested: $(region_absent uffd_wp)"
fi
if [ -z "$(region_absent guard)" ]; then
	check_region "$pid" guard
	expect "guard: page-anon guard" "$(pa_get "$pid" guard guard)" $n
	expect "guard: page-anon special" "$(pa_get "$pid" guard special)" $n
	expect "guard: page-anon present" "$(pa_get "$pid" guard present)" 0
else
	echo "note: guard regions not tested: $(region_absent guard)"
fi

helper_stop
