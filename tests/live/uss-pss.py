#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Independent RSS/USS/PSS of processes from pagemap and kpagecount.

  uss-pss.py dump PID...      one line per counted page: "PID VADDR MAPCOUNT"
  uss-pss.py bounds A B PAGESIZE
                              from two dumps taken before and after a run
                              of page-anon, per PID: "PID RSS_LO RSS_HI
                              USS_LO USS_HI PSS_LO PSS_HI" in bytes

Definitions as page-anon(8) gives them for --all: every present page with
a PFN, the zero pages (kpageflags bit 24) left out; mapcount = kpagecount,
0 read as 1; PSS sums 65536 // mapcount per page (1/65536 pages) and
rounds the bytes down.  Every mapcount comes from kpagecount: unlike
page-anon this never trusts pagemap's "mapped exclusively" bit.

Other processes start and exit while the tests run, and the mapcount of
the pages everybody maps ([vdso], libc) follows them, also between the
two dumps and back.  The bounds are exact for the pages only the helpers
map (mapcount 1 or 2 in both dumps); a page mapped more often counts with
a mapcount from half the smaller to twice the larger value seen.  A page
of one dump only counts for the upper bounds.

  uss-pss.py exact DUMP PAGESIZE
                              the values of one dump (a captured tree)
  uss-pss.py --root DIR ...   read DIR/proc (a captured tree) instead
"""
import ctypes
import fcntl
import os
import struct
import sys

PRESENT = 1 << 63
PFN_MASK = (1 << 55) - 1
KPF_ZERO_PAGE = 1 << 24


# PAGEMAP_SCAN (Linux 6.7+, include/uapi/linux/fs.h): struct pm_scan_arg
# is 12 u64; struct page_region is 3 u64.
PAGEMAP_SCAN = 0xC0606610
PAGE_IS_PRESENT = 1 << 3


def present_ranges(pm, start, end, ps):
    """[start, end) split into the ranges that hold present pages: with
    PAGEMAP_SCAN where the kernel has it (a sanitizer's terabyte shadow
    mappings are then cheap), else the whole range."""
    regions = (ctypes.c_uint64 * (3 * 512))()
    out = []
    addr = start
    while addr < end:
        arg = struct.pack("<12Q", 96, 0, addr, end, 0, ctypes.addressof(regions),
                          512, 0, 0, 0, PAGE_IS_PRESENT, PAGE_IS_PRESENT)
        buf = bytearray(arg)
        try:
            n = fcntl.ioctl(pm, PAGEMAP_SCAN, buf)
        except OSError:
            return [(start, end)]
        for i in range(n):
            out.append((regions[3 * i], regions[3 * i + 1]))
        walk_end = struct.unpack_from("<Q", buf, 32)[0]
        if walk_end <= addr:
            break
        addr = walk_end
    return out


def word(fd, index):
    data = os.pread(fd, 8, index * 8)
    return struct.unpack("<Q", data)[0] if len(data) == 8 else 0


def dump(root, pids):
    kflags = os.open(f"{root}/proc/kpageflags", os.O_RDONLY)
    kcount = os.open(f"{root}/proc/kpagecount", os.O_RDONLY)
    ps = os.sysconf("SC_PAGE_SIZE")
    if root and os.path.exists(f"{root}/page_size"):
        with open(f"{root}/page_size") as f:
            ps = int(f.read())
    for pid in pids:
        pm = os.open(f"{root}/proc/{pid}/pagemap", os.O_RDONLY)
        with open(f"{root}/proc/{pid}/maps") as f:
            maps = f.read().splitlines()
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) > 5 and parts[5] == "[vsyscall]":
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            for lo, hi in present_ranges(pm, start, end, ps):
                data = os.pread(pm, (hi - lo) // ps * 8, lo // ps * 8)
                data = data[:len(data) // 8 * 8]
                for i, (e,) in enumerate(struct.iter_unpack("<Q", data)):
                    pfn = e & PFN_MASK
                    if not e & PRESENT or not pfn:
                        continue
                    if word(kflags, pfn) & KPF_ZERO_PAGE:
                        continue
                    print(pid, hex(lo + i * ps), max(word(kcount, pfn), 1))
        os.close(pm)


def load(path):
    pages = {}
    with open(path) as f:
        for line in f:
            pid, va, kc = line.split()
            pages[(pid, va)] = int(kc)
    return pages


def pss_bytes(q, ps):
    return (q >> 16) * ps + (((q & 65535) * ps) >> 16)


def bounds(a, b, ps, exact=False):
    pa, pb = load(a), load(b)
    out = {}
    for key in set(pa) | set(pb):
        pid = key[0]
        r = out.setdefault(pid, [0, 0, 0, 0, 0, 0])
        both = key in pa and key in pb
        kcs = [pa[key]] if key in pa else []
        kcs += [pb[key]] if key in pb else []
        lo, hi = min(kcs), max(kcs)
        if not exact and (hi > 2 or lo != hi):
            lo, hi = max(lo // 2, 1), 2 * hi
        r[1] += 1
        r[0] += both
        r[3] += lo == 1
        r[2] += both and hi == 1
        r[5] += 65536 // lo
        r[4] += 65536 // hi if both else 0
    for pid, r in sorted(out.items(), key=lambda x: int(x[0])):
        print(pid, r[0] * ps, r[1] * ps, r[2] * ps, r[3] * ps,
              pss_bytes(r[4], ps), pss_bytes(r[5], ps))


def main():
    args, root = sys.argv[1:], ""
    if args[:1] == ["--root"]:
        root, args = args[1], args[2:]
    if args[0] == "dump":
        dump(root, args[1:])
    elif args[0] == "bounds":
        bounds(args[1], args[2], int(args[3]))
    elif args[0] == "exact":
        bounds(args[1], args[1], int(args[2]), exact=True)
    else:
        sys.exit("usage: uss-pss.py [--root DIR] dump PID... | bounds A B PAGESIZE | "
                 "exact DUMP PAGESIZE")


if __name__ == "__main__":
    main()
