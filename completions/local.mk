# SPDX-License-Identifier: GPL-2.0-or-later
# Shell completions.  The directories come from configure
# (--with-{bash,zsh,fish}-completion-dir); they default below ${datadir},
# where each shell searches, so that "make distcheck" never writes outside
# the prefix.
EXTRA_DIST += \
	completions/page-anon.bash \
	completions/_page-anon \
	completions/page-anon.fish

# bash-completion loads completions/NAME for command NAME: install a copy
# named page-anon (a built file, so no install hook is needed).
if ENABLE_BASH_COMPLETION
bashcompletiondir = $(BASH_COMPLETION_DIR)
nodist_bashcompletion_DATA = completions/page-anon
CLEANFILES += completions/page-anon
endif
completions/page-anon: completions/page-anon.bash
	$(AM_V_GEN)$(MKDIR_P) completions && cp $(srcdir)/completions/page-anon.bash $@

if ENABLE_ZSH_COMPLETION
zshcompletiondir = $(ZSH_COMPLETION_DIR)
zshcompletion_DATA = completions/_page-anon
endif

if ENABLE_FISH_COMPLETION
fishcompletiondir = $(FISH_COMPLETION_DIR)
fishcompletion_DATA = completions/page-anon.fish
endif

# With the default prefix, each directory is one its shell searches.
TESTS += tests/check-completion-dirs.sh
dist_check_SCRIPTS += tests/check-completion-dirs.sh
AM_TESTS_ENVIRONMENT += \
	PA_PREFIX='$(prefix)'; export PA_PREFIX; \
	PA_BASH_COMPLETION_DIR='$(BASH_COMPLETION_DIR)'; export PA_BASH_COMPLETION_DIR; \
	PA_ZSH_COMPLETION_DIR='$(ZSH_COMPLETION_DIR)'; export PA_ZSH_COMPLETION_DIR; \
	PA_FISH_COMPLETION_DIR='$(FISH_COMPLETION_DIR)'; export PA_FISH_COMPLETION_DIR;
