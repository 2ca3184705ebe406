#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Every option of "page-anon --help" must be documented in page-anon(8) and
# completed by the bash, zsh and fish completions; every option the man page
# documents must exist in --help.  The same for the report's columns.
#
# Environment: PAGE_ANON (the built binary, default ./src/page-anon),
# srcdir (set by "make check", default: the directory above this script).

set -u

: "${srcdir:=$(dirname "$0")/..}"
PAGE_ANON=${PAGE_ANON:-./src/page-anon}
man=$srcdir/man/page-anon.8
bash_c=$srcdir/completions/page-anon.bash
zsh_c=$srcdir/completions/_page-anon
fish_c=$srcdir/completions/page-anon.fish

# Options argp adds itself or that --help does not list on purpose: -h is a
# hidden alias of --help.  They must still be in the man page and the
# completions, so they are added to the --help set below.
extra_short='h'

if [ ! -x "$PAGE_ANON" ]; then
	echo "SKIP: $PAGE_ANON not built" >&2
	exit 77
fi

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

if ! "$PAGE_ANON" --help >"$tmp/help" 2>"$tmp/help.err"; then
	echo "FAIL: $PAGE_ANON --help exited non-zero" >&2
	cat "$tmp/help.err" >&2
	exit 1
fi

# argp option lines: "  -p, --pid=PID[,PID...]   text" or
# "      --json[=pretty]   text" or "  -?, --help   text".  Only lines that
# start with an option count; the text after the table mentions options
# too but defines none.
sed -n 's/^ \{1,8\}\(-[^ ]\(, -[^ ]\)*, \)\{0,1\}--\([a-z][a-z0-9-]*\).*/\3/p' \
	"$tmp/help" | sort -u >"$tmp/help.long"
sed -n 's/^ \{1,8\}-\([^- ]\)[, ].*/\1/p' "$tmp/help" | sort -u >"$tmp/help.short"
for s in $extra_short; do
	echo "$s" >>"$tmp/help.short"
done
sort -u -o "$tmp/help.short" "$tmp/help.short"

if [ ! -s "$tmp/help.long" ] || [ "$(wc -l <"$tmp/help.long")" -lt 10 ]; then
	echo "FAIL: could not parse the options of $PAGE_ANON --help:" >&2
	cat "$tmp/help" >&2
	exit 1
fi

# Options documented in the man page: the tags of the OPTIONS section,
# i.e. the line after each .TP (roff: \- is a hyphen).
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" |
	awk 'tp { print; tp = 0 } /^\.TP/ { tp = 1 }' >"$tmp/man.tags"
grep -o '\\-\\-[a-z][a-z0-9\\-]*' "$tmp/man.tags" |
	sed 's/\\-/-/g; s/^--//' | sort -u >"$tmp/man.long"
grep -o '\(^\|[ "]\)\\-[^\\ ",]' "$tmp/man.tags" |
	sed 's/.*\\-//' | sort -u >"$tmp/man.short"

# bash: the word list offered for "-<TAB>" (local opts='...').
sed -n "/local opts='/,/'/p" "$bash_c" | tr -s " \t'" '\n\n\n' >"$tmp/bash.words"

fail=0

missing()
{
	echo "FAIL: $*" >&2
	fail=1
}

while read -r o; do
	grep -qx "$o" "$tmp/man.long" || missing "--$o is in --help but not in the OPTIONS of $man"
	grep -qxF -- "--$o" "$tmp/bash.words" || missing "--$o is not completed by $bash_c"
	grep -qE -- "--$o([^a-z0-9-]|\$)" "$zsh_c" || missing "--$o is not completed by $zsh_c"
	grep -qE -- "-l $o( |\$)" "$fish_c" || missing "--$o is not completed by $fish_c"
done <"$tmp/help.long"

while read -r o; do
	# "?" is a regex operator; zsh spells it -\?, fish '?'
	re=$(printf '%s' "$o" | sed 's/[?]/[?]/')
	grep -qxF -- "$o" "$tmp/man.short" || missing "-$o is in --help but not in the OPTIONS of $man"
	grep -qxF -- "-$o" "$tmp/bash.words" || missing "-$o is not completed by $bash_c"
	# zsh: {-p+,--pid=} or {-r,--raw} or -\? in a brace list
	grep -qE -- "[{,]-\\\\?$re[+,}]" "$zsh_c" || missing "-$o is not completed by $zsh_c"
	grep -qE -- "-s '?$re'?( |\$)" "$fish_c" || missing "-$o is not completed by $fish_c"
done <"$tmp/help.short"

while read -r o; do
	grep -qx "$o" "$tmp/help.long" || missing "--$o is documented in $man but not in --help"
done <"$tmp/man.long"

while read -r o; do
	grep -qxF -- "$o" "$tmp/help.short" || missing "-$o is documented in $man but not in --help"
done <"$tmp/man.short"

# argp wraps a description that fills the line into an empty, indented
# line: keep --help free of trailing blanks at argp's default width.
if grep -n '[[:blank:]]$' "$tmp/help" >"$tmp/trailing"; then
	missing "--help has lines ending in blanks (shorten the option text):"
	cat "$tmp/trailing" >&2
fi
# There is no public bug tracker: --help must not name one.
if grep -n 'Report bugs\|https\{0,1\}://' "$tmp/help" >"$tmp/urls"; then
	missing "--help names a bug address or URL:"
	cat "$tmp/urls" >&2
fi

# check_columns LABEL COLS MANWORDS LISTS: every column in the file COLS
# (from LABEL, e.g. "-o help") is named in the file of man page words
# MANWORDS and completed for both -o and --sort by each shell, in its
# lines that contain LISTS (the start of its column lists).
check_columns()
{
	while read -r col; do
		grep -qx "$col" "$3" || missing "column $col ($1) is not named in $man"
		for f in "$bash_c" "$zsh_c" "$fish_c"; do
			grep "$4" "$f" | tr -s " \t'()=" '\n' | sort | uniq -c |
				awk -v c="$col" '$2 == c { n = $1 } END { exit !(n >= 2) }' ||
				missing "column $col ($1) is not completed for both -o and --sort by $f"
		done
	done <"$2"
}

# Every column of the VMA report (-o help, from the field table) is
# completed for -o and --sort by each shell and named in the man page under
# -o.  The lists are the lines that start "start end size" (the table's
# order).
if "$PAGE_ANON" -o help >"$tmp/cols.help" 2>&1; then
	sed -n 's/^ *\([a-z][a-z0-9_]*\)  .*/\1/p' "$tmp/cols.help" >"$tmp/cols"
	[ -s "$tmp/cols" ] || missing "could not parse the columns of $PAGE_ANON -o help"
	sed -n '/^\.BR \\-o ", " \\-\\-output/,/^\.TP/p' "$man" | tr -s ' ,.()\n' '\n' >"$tmp/man.cols"
	for f in "$bash_c" "$zsh_c" "$fish_c"; do
		[ "$(grep -c 'start end size' "$f")" -ge 2 ] ||
			missing "$f: no -o and --sort column lists (lines with 'start end size')"
	done
	check_columns "-o help" "$tmp/cols" "$tmp/man.cols" 'start end size'
else
	missing "$PAGE_ANON -o help failed"
fi

# The same for the columns of --all (--all -o help, from the same field
# table): completed after --all (the lists that start "pid ppid user") and
# named in EVERY PROCESS of the man page, with the former names of --all
# columns that are still accepted.
if "$PAGE_ANON" --all -o help >"$tmp/allcols.help" 2>&1; then
	sed -n 's/^ *\([a-z][a-z0-9_]*\)  .*/\1/p' "$tmp/allcols.help" >"$tmp/allcols"
	[ "$(wc -l <"$tmp/allcols")" -ge 10 ] || missing "could not parse the columns of $PAGE_ANON --all -o help"
	sed -n '/^\.SH "EVERY PROCESS"/,/^\.SH /p' "$man" | tr -s ' ,.()"\n' '\n' >"$tmp/man.allcols"
	check_columns "--all -o help" "$tmp/allcols" "$tmp/man.allcols" 'pid ppid user'
	sed -n 's/.*(also: \([a-z_]*\)).*/\1/p' "$tmp/allcols.help" >"$tmp/aliases"
	[ -s "$tmp/aliases" ] || missing "--all -o help names no former column names"
	while read -r a; do
		grep -qx "$a" "$tmp/man.allcols" || missing "former column name $a is not named in EVERY PROCESS of $man"
	done <"$tmp/aliases"
else
	missing "$PAGE_ANON --all -o help failed"
fi

if [ "$fail" = 0 ]; then
	echo "PASS: $(wc -l <"$tmp/help.long") long and $(wc -l <"$tmp/help.short") short options consistent"
fi
exit "$fail"
