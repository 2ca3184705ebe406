#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# "make install" with the default prefix (/usr/local) puts each shell
# completion where that shell searches: bash-completion's directories
# below XDG_DATA_DIRS, zsh's $fpath, fish's $fish_complete_path.  Shells
# that are not installed are not checked; another prefix (make distcheck,
# a package build naming its directories) skips the test.
#
# Environment (from make check): PA_PREFIX, PA_BASH_COMPLETION_DIR,
# PA_ZSH_COMPLETION_DIR, PA_FISH_COMPLETION_DIR (the configured, expanded
# directories; "no" when disabled).

set -u

if [ "${PA_PREFIX:-}" != /usr/local ]; then
	echo "SKIP: prefix is '${PA_PREFIX:-}', checked only for /usr/local"
	exit 77
fi

# Where no XDG_DATA_DIRS is set, the XDG base directory default applies
# (desktop sessions set it; fish only looks below it when it is set).
: "${XDG_DATA_DIRS:=/usr/local/share:/usr/share}"
export XDG_DATA_DIRS

fail=0
checked=0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

check()	# shell dir search-list-file
{
	[ "$2" = no ] && return 0
	checked=$((checked + 1))
	if grep -qxF "$2" "$3"; then
		echo "ok: $1 searches $2"
	else
		echo "FAIL: the $1 completion goes to $2, which $1 does not search:" >&2
		sed 's/^/    /' "$3" >&2
		fail=1
	fi
}

if command -v bash >/dev/null 2>&1 && pkg-config --exists bash-completion 2>/dev/null; then
	# bash-completion 2.x loads completions/NAME from each directory of
	# XDG_DATA_DIRS and from its own completionsdir.
	echo "$XDG_DATA_DIRS" | tr ':' '\n' | sed 's|/*$|/bash-completion/completions|' >"$tmp/bash"
	pkg-config --variable=completionsdir bash-completion >>"$tmp/bash"
	check bash "$PA_BASH_COMPLETION_DIR" "$tmp/bash"
fi
if command -v zsh >/dev/null 2>&1; then
	zsh -f -c 'print -l $fpath' >"$tmp/zsh" 2>/dev/null
	check zsh "$PA_ZSH_COMPLETION_DIR" "$tmp/zsh"
fi
if command -v fish >/dev/null 2>&1; then
	HOME=$tmp XDG_CONFIG_HOME=$tmp fish -c 'printf "%s\n" $fish_complete_path' >"$tmp/fish" 2>/dev/null
	check fish "$PA_FISH_COMPLETION_DIR" "$tmp/fish"
fi

[ "$checked" -gt 0 ] || { echo "SKIP: no shell to check"; exit 77; }
exit "$fail"
