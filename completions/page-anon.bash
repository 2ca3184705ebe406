# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for page-anon(8)

_page_anon_flag_names='locked error referenced uptodate dirty lru active slab
writeback reclaim buddy mmap anonymous swapcache swapbacked compound_head
compound_tail huge unevictable hwpoison nopage ksm thp offline zero_page
idle_page pgtable reserved mlocked owner_2 mappedtodisk private private_2
owner_private arch uncached softdirty arch_2 arch_3 anon_exclusive readahead
slob_free slub_frozen slub_debug uffd_wp guard file swap mmap_exclusive
compound'

# Complete the last element of a comma-separated list of flag names.  A
# bits-spec may also contain '=' and '~' (bit1,~bit2 and =bit1,bit2).
_page_anon_flags()
{
	local cur=$1 prefix word
	prefix=${cur%"${cur##*[,=~]}"}
	word=${cur##*[,=~]}
	local IFS=$' \t\n'
	COMPREPLY=($(compgen -P "$prefix" -W "$_page_anon_flag_names" -- "$word"))
	compopt -o nospace
}

# PIDs for -p, comma-separated.  A word that is not a number is matched
# against the command names (/proc/PID/comm) and completes to their PIDs,
# so "-p ssh<TAB>" offers the PIDs of every ssh process.
_page_anon_pids()
{
	local cur=$1 prefix word d pid comm
	prefix=${cur%"${cur##*,}"}
	word=${cur##*,}
	COMPREPLY=()
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		if [[ $word == *[!0-9]* ]]; then
			comm=
			read -r comm 2>/dev/null <"$d/comm"
			[[ $comm == "$word"* ]] || continue
		else
			[[ $pid == "$word"* ]] || continue
		fi
		COMPREPLY+=("$prefix$pid")
	done
	compopt -o nospace
}

_page_anon()
{
	local cur prev words cword split
	_init_completion -s -n =: || return

	# After "--": complete a command and its arguments.
	local i
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			_command_offset $((i + 1))
			return
		fi
	done

	case $prev in
	-p | --pid)
		_page_anon_pids "$cur"
		return
		;;
	-b | --bits | -d | --describe)
		_page_anon_flags "$cur"
		return
		;;
	-F | --kpageflags | -f | --file | --output-file | --command-log | --save | --load | --diff)
		_filedir
		return
		;;
	--sysroot)
		_filedir -d
		return
		;;
	-c | --cgroup)
		if [[ $cur == @* ]]; then
			return
		fi
		_filedir -d
		return
		;;
	--json)
		COMPREPLY=($(compgen -W 'pretty compact' -- "$cur"))
		return
		;;
	--color)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
		return
		;;
	--scan)
		COMPREPLY=($(compgen -W 'auto always never' -- "$cur"))
		return
		;;
	--sort)
		local cols='start end size perms offset dev inode rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss pinned name'
		[[ " ${words[*]} " == *" --all "* ]] && cols='pid ppid user command cgroup unit procs rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss smaps_rss'
		local sign=
		[[ $cur == -* ]] && sign=-
		COMPREPLY=($(compgen -P "$sign" -W "$cols" -- "${cur#-}"))
		return
		;;
	-o | --output)
		# a list starting with + adds to the default columns
		local cols='help start end size perms offset dev inode rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss pinned name'
		[[ " ${words[*]} " == *" --all "* ]] && cols='help pid ppid user command cgroup unit procs rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss smaps_rss'
		local prefix=${cur%"${cur##*[,+]}"}
		COMPREPLY=($(compgen -P "$prefix" -W "$cols" -- "${cur##*[,+]}"))
		compopt -o nospace
		return
		;;
	--group-by)
		COMPREPLY=($(compgen -W 'comm user cgroup unit' -- "$cur"))
		return
		;;
	-a | --addr | -w | --watch | --interval | --kernel | --threads | --top | --max-seconds)
		return
		;;
	esac

	$split && return

	if [[ $cur == -* ]]; then
		local opts='-p --pid -a --addr -b --bits -c --cgroup -f --file
			-F --kpageflags -r --raw -d --describe -l --list
			-L --list-each -C --list-cgroup -M --list-mapcnt
			-N --no-summary -i --mark-idle --flags --extended --report
			--children --bytes --all-vmas --sort -o --output -w --watch
			--freeze --check --json --json= --color --color= -v --verbose
			--output-file -t --tui --interval --command-log
			--trace-fork --trace-threads --syscall-stops
			--sysroot --kernel --threads --scan --per-page
			--all --group-by --top --prometheus --max-seconds
			--save --append --page-cgroups --load --diff
			-h -? --help --usage -V --version --'
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
} &&
	complete -F _page_anon page-anon

# ex: filetype=sh
