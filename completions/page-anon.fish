# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for page-anon(8)

set -l __page_anon_flag_names locked error referenced uptodate dirty lru active slab \
    writeback reclaim buddy mmap anonymous swapcache swapbacked compound_head \
    compound_tail huge unevictable hwpoison nopage ksm thp offline zero_page \
    idle_page pgtable reserved mlocked owner_2 mappedtodisk private private_2 \
    owner_private arch uncached softdirty arch_2 arch_3 anon_exclusive readahead \
    slob_free slub_frozen slub_debug uffd_wp guard file swap mmap_exclusive compound

# Complete the last element of a comma list (bits-specs may also use = and ~).
function __page_anon_flags
    set -l tok (commandline -ct | string replace -r '^--?[a-z-]*=?' '' | string replace -r '^-[bd]' '')
    set -l prefix (string match -r '^.*[,=~]' -- $tok)
    for n in $argv
        printf '%s%s\n' "$prefix" $n
    end
end

# PIDs with their command names, comma-separated.
function __page_anon_pids
    set -l tok (commandline -ct | string replace -r '^--pid=' '' | string replace -r '^-p' '')
    set -l prefix (string match -r '^.*,' -- $tok)
    # fish globs have no character classes: filter /proc/* instead.
    for d in (string match -r '^/proc/[0-9]+$' -- /proc/*)
        set -l comm
        read -l comm <$d/comm 2>/dev/null; or continue
        printf '%s%s\t%s\n' "$prefix" (string replace /proc/ '' $d) $comm
    end
end

# True before a "--" on the command line: after it comes a command.
function __page_anon_no_command
    not contains -- -- (commandline -opc)
end

set -l c complete -c page-anon -n __page_anon_no_command

complete -c page-anon -f
# After "--": a command and its arguments.
complete -c page-anon -n 'not __page_anon_no_command' -x -a '(__fish_complete_subcommand -- --)'

# Selecting pages
$c -s p -l pid -x -a '(__page_anon_pids)' -d 'Walk these processes'
$c -s a -l addr -x -d 'Walk only this range of pages (N, N+M, N,M, N, or ,M)'
$c -s b -l bits -x -a "(__page_anon_flags $__page_anon_flag_names)" -d 'Walk only pages with these flag bits'
$c -s c -l cgroup -x -a '(__fish_complete_directories)' -d 'Walk only pages of this memory cgroup (PATH or @INODE)'
$c -s f -l file -r -F -d 'Walk the page cache of a file or directory'
$c -s F -l kpageflags -r -F -d 'Read page flags from FILE'
# Flags table and listings
$c -s r -l raw -d 'Raw mode: hacking bits and expanded overloaded bits'
$c -s d -l describe -x -a "(__page_anon_flags $__page_anon_flag_names)" -d 'Describe flags and exit'
$c -s l -l list -d 'List pages in ranges'
$c -s L -l list-each -d 'List pages one by one'
$c -s C -l list-cgroup -d 'Show the memory cgroup of listed pages'
$c -s M -l list-mapcnt -d 'Show the map count of listed pages'
$c -s N -l no-summary -d 'Do not print the summary table'
$c -s i -l mark-idle -d 'Mark the walked pages idle'
$c -l flags -d 'With -p: print the flags table'
$c -l extended -d "Also show page-anon's own bits"
# Exclusivity report
$c -l report -d 'Print the per-VMA report'
$c -l children -d 'Also report all descendants'
$c -l bytes -d 'Print sizes in bytes'
$c -l all-vmas -d 'Also list VMAs without anonymous pages'
$c -l sort -x -a 'start end size perms offset dev inode rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss pinned name -start -end -size -perms -offset -dev -inode -rss -anon -excl -shared -sole -ksm -zero -file -swap -special -unknown -thp -hugetlb -mmap_excl -uffd_wp -guard -uss -pss -pinned -name' -d 'Sort VMAs by column (- for descending)'
$c -s o -l output -x -a 'help start end size perms offset dev inode rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss pinned name' -d 'Columns to show'
$c -s w -l watch -x -d 'Repeat every SECONDS'
$c -l freeze -d 'Stop the processes while scanning'
$c -l check -d 'Audit the kernel: list pages that break its own rules (exit status 4)'
# Output
$c -l json -f -a 'pretty compact' -d 'JSON output (--json=pretty to indent)'
$c -l color -f -a 'auto always never' -d 'Colour: auto, always or never'
$c -s v -l verbose -d 'Report self-tests and walk statistics'
# Live view
$c -s t -l tui -d 'Interactive view'
$c -l interval -x -d 'Refresh interval of the live view (seconds)'
$c -l command-log -r -F -d 'Append the output of the --tui command to FILE'
# Fork tracing
$c -l trace-fork -d 'Read the processes of a command (or -p PID) at each fork, exec and exit'
$c -l trace-threads -d 'With --trace-fork: thread creation makes events too'
$c -l syscall-stops -d 'With --trace-fork: find fork entries at system-call stops'
$c -l output-file -r -F -d 'Write the output to FILE when complete'
# Data source
$c -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc files below DIR'
$c -l kernel -x -d 'Decode flags as kernel VERSION'
$c -l threads -x -d 'Threads for the page walk (1-64)'
$c -l scan -x -a 'auto always never' -d 'Use the PAGEMAP_SCAN ioctl'
$c -l per-page -d 'Read every page on its own, no per-folio reads'
# Every process
$c -l all -d 'One row per user process: RSS, USS, PSS, page states'
$c -l group-by -x -a 'comm user cgroup unit' -d 'With --all: sum the rows by comm, user, cgroup or unit'
$c -l top -x -d 'With --all: only the first N rows or groups'
$c -l prometheus -d 'With --all: Prometheus text exposition'
$c -l max-seconds -x -d 'With --all: stop reading processes after SECONDS'
complete -c page-anon -n '__fish_contains_opt all' -l sort -x -a 'pid ppid user command cgroup unit procs rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss smaps_rss -pid -ppid -user -command -cgroup -unit -procs -rss -anon -excl -shared -sole -ksm -zero -file -swap -special -unknown -thp -hugetlb -mmap_excl -uffd_wp -guard -uss -pss -smaps_rss' -d 'Sort --all rows by column (- for descending)'
complete -c page-anon -n '__fish_contains_opt all' -s o -l output -x -a 'help pid ppid user command cgroup unit procs rss anon excl shared sole ksm zero file swap special unknown thp hugetlb mmap_excl uffd_wp guard uss pss smaps_rss' -d 'Columns of --all'
# Snapshots
$c -l save -r -F -d 'Capture the processes into a snapshot FILE'
$c -l append -d 'With --save: add the capture to FILE'
$c -l page-cgroups -d 'With --save: also record the memory cgroup of every page'
$c -l load -r -F -d 'Read a snapshot FILE (FILE@N: capture N) instead of /proc'
$c -l diff -r -F -d 'Compare snapshot OLD with NEW or the live -p processes'
# Help
$c -s h -s '?' -l help -d 'Show help'
$c -l usage -d 'Show a short usage message'
$c -s V -l version -d 'Show the version'
