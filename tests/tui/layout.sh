#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# --tui layout at 80x24 (LC_ALL=C, NO_COLOR: ASCII and letters):
#  - the process list is a tree: the child of a fork is indented under its
#    parent ("`-NAME"); t switches to a flat list and back;
#  - the sorted column is marked in the header (^PID, then RSSv, EXCLv);
#  - the legend separates letters from words ("x exclusive  s shared");
#  - long mapping names are shortened in the middle and keep their last
#    component ("/tm~/forker-copy", "/usr/~/libc.so.6", "ld-linux~64.so.2"),
#    never cut at the end;
#  - the page map describes the cell under the cursor in words
#    ("this cell, 2 pages: 2 shared").
. "$(dirname "$0")/../setup.sh"
. "$(dirname "$0")/tui-lib.sh"

tui_init
# tui-forker under a long path: its own mappings (data, bss) have long names
long=$tmp/a-directory-with-a-rather-long-name/and-another-long-directory-name
mkdir -p "$long"
cp "$TUI_FORKER" "$long/forker-copy"
TUI_FORKER=$long/forker-copy
forker_start 8
parent=$forker_pid
touch "$tmp/f/fork"
tui_wait_file "tui-forker forked" "$tmp/f/child"
child=$(cat "$tmp/f/child")

tui_start "LC_ALL=C NO_COLOR=1 '$PAGE_ANON' --tui --interval 0.2 -p $parent 2>'$tmp/pa.err'; echo \$? >'$tmp/rc'"

tui_wait "tree: child $child indented under parent $parent, right after it" '
	$1 == '"$parent"' && $2 == "forker-copy" { p = NR }
	$1 == '"$child"' && $2 == "`-forker-copy" { c = NR }
	/^ page-anon  2 processes, tree / { t = 1 }
	END { exit !(p && c == p + 1 && t) }'
tui_wait "legend with a blank between letter and word" '
	/^x exclusive  s shared  o sole  k ksm  0 zero  f file  w swapped  \? unknown/ { f = 1 }
	END { exit !f }'
tui_wait "sorted by PID, marked" 'NR == 2 && /^   \^PID COMMAND / { f = 1 } END { exit !f }'
tui_keys s
tui_wait "sorted by RSS, marked" 'NR == 2 && / RSSv / && !/\^PID/ { f = 1 } END { exit !f }'
tui_keys s
tui_wait "sorted by EXCL, marked" 'NR == 2 && / EXCLv / && !/RSSv/ { f = 1 } END { exit !f }'
tui_keys s s s
tui_wait "back to PID order" 'NR == 2 && /\^PID/ { f = 1 } END { exit !f }'
tui_keys t
tui_wait "flat list" '
	$1 == '"$child"' && $2 == "forker-copy" { c = 1 }
	/^ page-anon  2 processes  / { t = 1 }
	END { exit !(c && t) }'
tui_keys t
tui_wait "tree again" '$1 == '"$child"' && $2 == "`-forker-copy" { c = 1 } END { exit !c }'

# VMAs of the parent (the first row)
tui_keys Home Enter
tui_wait "VMA list, names shortened in the middle" '
	NR == 3 && /^ +\^START PERM +RSS +EXCL +SHARED +SOLE +dEXCL +STATES +NAME$/ { h = 1 }
	NR > 3 && $NF ~ /^\/[^ ]*~\/forker-copy$/ { n = 1 }
	NR > 3 && /a-directory-with-a-rather-long-name/ { cut = 1 }
	length($0) > 80 { wide = 1 }
	END { exit !(h && n && !cut && !wide) }'
# the libraries (below many other VMAs under AddressSanitizer): filter
tui_keys / x86_64 Enter
tui_wait "library names keep their last component" '
	NR > 3 && $NF ~ /~\/libc\.so\.6$/ { l = 1 }
	NR > 3 && $NF ~ /^ld-linux~64\.so\.2$/ { ld = 1 }
	NR > 3 && /x86_64-linux-gnu/ { cut = 1 }
	END { exit !(l && ld && !cut) }'
tui_keys / Escape
tui_wait "filter cleared" '/ of [0-9]+ VMAs$/ && !/filter:/ { f = 1 } END { exit !f }'
tui_keys s
tui_wait "VMAs sorted by RSS, marked" 'NR == 3 && / RSSv / && !/\^START/ { f = 1 } END { exit !f }'
# the largest VMA is the 8 MiB of tui-forker: 2048 pages, one per cell at
# 80x24; Z puts 2 in a cell
tui_keys Home Enter
tui_wait "page map of the 8 MiB VMA" '/ 2048 pages, 1 cell = 1 page$/ { f = 1 } END { exit !f }'
tui_keys Z
tui_wait "page map: the cell under the cursor in words" '
	/ 2048 pages, 1 cell = 2 pages/ { g = 1 }
	/^ this cell, 2 pages: 2 shared$/ { c = 1 }
	/ none / { none = 1 }
	END { exit !(g && c && !none) }'
tui_keys q
tui_wait_file "page-anon quit" "$tmp/rc"
expect "exit status after q" "$(cat "$tmp/rc")" 0
exit 0
