# SPDX-License-Identifier: GPL-2.0-or-later
# Live view (--tui) tests: page-anon runs inside a detached tmux session of
# 80x24, keys go in with send-keys and the screen comes back with
# capture-pane.  They skip (77) without tmux, without root or when built
# --without-ncurses.  tui-forker is the watched program.

check_PROGRAMS += tests/tui/tui-forker
tests_tui_tui_forker_SOURCES = tests/tui/tui-forker.c

TUI_TESTS = \
	tests/tui/no-tty.sh \
	tests/tui/fork.sh \
	tests/tui/keys.sh \
	tests/tui/command.sh \
	tests/tui/layout.sh \
	tests/tui/snapshot.sh \
	tests/tui/hint.sh \
	tests/tui/trace.sh

TESTS += $(TUI_TESTS)
dist_check_SCRIPTS += $(TUI_TESTS)
EXTRA_DIST += tests/tui/tui-lib.sh

AM_TESTS_ENVIRONMENT += \
	TUI_FORKER='$(abs_top_builddir)/tests/tui/tui-forker'; export TUI_FORKER; \
	TMUX_PROG='$(TMUX)'; export TMUX_PROG;
