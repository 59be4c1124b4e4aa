package cli

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// releaseBinaryPages tells the kernel that the pages of the executable the
// process has read so far need not stay resident, and that later reads of
// it are random. It returns the bytes of the mappings advised.
//
// Why: starting reads far more of the binary than running does. Every
// package's init (client-go's API schemes, the AWS SDK's endpoint tables,
// cobra's flags) runs once, and the kernel maps 64 KiB around each fault
// on a cached file and reads ahead on a cold one, so a process at rest
// holds some 23 MiB of its 55 MiB binary, while what it touches again
// after startup is some 5 to 8 MiB (bench/binary-pages.txt). Those pages
// are file pages, which the kernel would drop under pressure anyway, but
// until then they count in the process's RSS and in its container's
// memory, which is what users size limits by. Like a kernel freeing its
// __init sections after boot, the controller gives them back once
// started.
//
// MADV_PAGEOUT (Linux 5.4) reclaims the pages only this process maps, so
// a binary shared with other processes stays cached for them; a page
// needed again is read back on its fault. MADV_RANDOM first makes that
// read the one page, not a readahead window, so the resident set grows
// back only to what is used.
func releaseBinaryPages() (uint64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	ranges, err := readOnlyMappings(maps, exe)
	if err != nil {
		return 0, err
	}
	if len(ranges) == 0 {
		return 0, fmt.Errorf("no read-only mapping of %s in /proc/self/maps", exe)
	}
	var advised uint64
	for _, r := range ranges {
		for _, advice := range []int{unix.MADV_RANDOM, unix.MADV_PAGEOUT} {
			if _, _, errno := unix.Syscall(unix.SYS_MADVISE, r.start, r.end-r.start, uintptr(advice)); errno != 0 {
				return advised, fmt.Errorf("madvise %#x-%#x (advice %d): %w", r.start, r.end, advice, errno)
			}
		}
		advised += uint64(r.end - r.start)
	}
	return advised, nil
}

type addrRange struct{ start, end uintptr }

// mapping is one line of /proc/PID/maps (or a header line of smaps).
type mapping struct {
	addrRange
	writable bool
	path     string
}

// parseMapping reads a maps line: address perms offset dev inode path,
// where the path may hold spaces and is padded by the kernel. ok is false
// for a line that is not one (an smaps field line); err is set for one
// that looks like it but whose addresses do not parse.
func parseMapping(line string) (m mapping, ok bool, err error) {
	f := strings.SplitN(line, " ", 6)
	if len(f) < 6 || len(f[1]) < 2 {
		return m, false, nil
	}
	lo, hi, isRange := strings.Cut(f[0], "-")
	if !isRange {
		return m, false, nil
	}
	start, err1 := strconv.ParseUint(lo, 16, 64)
	end, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || end <= start {
		return m, false, fmt.Errorf("maps line %q: bad address range", line)
	}
	return mapping{addrRange{uintptr(start), uintptr(end)}, f[1][1] == 'w', strings.TrimLeft(f[5], " ")}, true, nil
}

// readOnlyMappings returns the address ranges of /proc/PID/maps that map
// path without write permission: the text and read-only data. The
// writable data mapping is left alone: its written pages are the
// process's own, which only swap could take.
func readOnlyMappings(maps []byte, path string) ([]addrRange, error) {
	var out []addrRange
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		m, ok, err := parseMapping(sc.Text())
		if err != nil {
			return nil, err
		}
		if ok && !m.writable && m.path == path {
			out = append(out, m.addrRange)
		}
	}
	return out, sc.Err()
}
