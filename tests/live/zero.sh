#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A read fault on untouched private anonymous memory maps the shared zero
# page: state zero, not anonymous.
. "$(dirname "$0")/../setup.sh"
live_init

n=64
helper_start -n $n zero
pid=$helper_pid

pa_json "$pid"
check_region "$pid" zero
expect "page-anon zero" "$(pa_get "$pid" zero zero)" $n
expect "pa-oracle zero" "$(oracle_get "$pid" zero zero)" $n
expect "page-anon anon" "$(pa_get "$pid" zero anon)" 0
expect "page-anon mmap_exclusive" "$(pa_get "$pid" zero mmap_exclusive)" 0

helper_stop
