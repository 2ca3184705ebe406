# SPDX-License-Identifier: GPL-2.0-or-later
# The man page is hand-written roff, shipped as it is.
dist_man_MANS = man/page-anon.8

# Documentation checks: options of --help against the man page and the
# completions, lint of the man page and its examples.
TESTS += \
	tests/check-options.sh \
	tests/check-man.sh
dist_check_SCRIPTS += \
	tests/check-options.sh \
	tests/check-man.sh
