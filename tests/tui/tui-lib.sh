# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers of the --tui tests, sourced after tests/setup.sh:
#	tui_init		skip unless root, tmux and an ncurses build
#	tui_start CMD		run the shell command CMD in a detached
#				80x24 tmux session on a private server
#	tui_keys KEY...		tmux send-keys
#	tui_screen		the screen as text into $tmp/screen
#	tui_wait WHAT AWK	poll the screen until the awk program AWK
#				exits 0 on it; fail after $TUI_DEADLINE s
#	tui_wait_file WHAT FILE	poll until FILE exists (same deadline)
#	forker_start MIB	start tui-forker on $tmp/f: $forker_pid
#	row_mib PID COLUMN	(awk snippet) MiB in COLUMN of PID's row
#
# Process list columns: 1 PID, 2 COMMAND, 3 RSS, 4 EXCL, 5 dEXCL,
# 6 SHARED, 7 dSHR, 8 SOLE, then the state bar or "exited ...".

TMUX_PROG=${TMUX_PROG:-tmux}
TUI_FORKER=${TUI_FORKER:-tui-forker}
TUI_DEADLINE=${TUI_DEADLINE:-30}
tui_sock="pa-tui-test-$$"
unset TMUX

tui_init()
{
	need_root
	[ -n "$TMUX_PROG" ] || skip "tmux not found (configure looks for it)"
	need_prog "$TMUX_PROG"
	[ -x "$PAGE_ANON" ] || skip "page-anon not built ($PAGE_ANON)"
	[ -x "$TUI_FORKER" ] || skip "tui-forker not built ($TUI_FORKER)"
	[ -r /proc/kpageflags ] || skip "/proc/kpageflags not readable"
	if "$PAGE_ANON" --tui -p $$ </dev/null 2>&1 | grep -q 'built without ncurses'; then
		skip "page-anon was built without ncurses"
	fi
	at_exit "'$TMUX_PROG' -L '$tui_sock' kill-server 2>/dev/null"
}

tui_start()
{
	"$TMUX_PROG" -L "$tui_sock" -f /dev/null new-session -d -x 80 -y 24 "$1" ||
		hard_error "tmux new-session failed"
}

tui_keys()
{
	"$TMUX_PROG" -L "$tui_sock" send-keys "$@"
}

tui_screen()
{
	"$TMUX_PROG" -L "$tui_sock" capture-pane -p >"$tmp/screen" 2>/dev/null || : >"$tmp/screen"
}

_tui_deadline()
{
	_tui_end=$(($(date +%s) + TUI_DEADLINE))
}

tui_wait()
{
	_tui_deadline
	while :; do
		tui_screen
		awk "$2" "$tmp/screen" && return 0
		if [ "$(date +%s)" -gt "$_tui_end" ]; then
			echo "--- last screen:" >&2
			cat "$tmp/screen" >&2
			[ -s "$tmp/pa.err" ] && { echo "--- page-anon stderr:" >&2; cat "$tmp/pa.err" >&2; }
			fail "timed out after ${TUI_DEADLINE}s waiting for: $1"
		fi
		sleep 0.1
	done
}

tui_wait_file()
{
	_tui_deadline
	while [ ! -e "$2" ]; do
		if [ "$(date +%s)" -gt "$_tui_end" ]; then
			tui_screen
			echo "--- last screen:" >&2
			cat "$tmp/screen" >&2
			fail "timed out after ${TUI_DEADLINE}s waiting for: $1"
		fi
		sleep 0.1
	done
}

forker_start()
{
	mkdir -p "$tmp/f"
	"$TUI_FORKER" -m "$1" "$tmp/f" </dev/null >/dev/null 2>"$tmp/forker.err" &
	forker_pid=$!
	at_exit "touch '$tmp/f/quit'; kill $forker_pid 2>/dev/null; wait $forker_pid 2>/dev/null"
	tui_wait_file "tui-forker ready" "$tmp/f/ready"
}

# awk: MiB of a size cell such as 64M, 1.0G, 52K, 0
_tui_awk_mib='function mib(s) {
	if (s ~ /G$/) return s * 1024; if (s ~ /M$/) return s + 0;
	if (s ~ /K$/) return s / 1024; return 0 }'
