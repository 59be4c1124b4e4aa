package cli

import (
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// memLimitShare is the part of the container's memory limit given to the Go
// heap as a soft limit: the rest is for what the runtime does not count
// (stacks, fragmentation, the binary) and a margin before the OOM killer.
const memLimitShare = 0.9

// defaultGCPercent is the collector's target when GOGC is unset. Most of
// the heap lives as long as the process (the informer caches, the zone,
// the ownership records), so Go's default of 100 lets the heap, and the
// RSS with it, grow to twice that before collecting. At 50, TestScale
// (10,000 objects, 45 MiB live) ends 8 to 22 MiB smaller in RSS at
// convergence; the start costs some 0.2 s more GC CPU (35 cycles instead
// of 15 for 180 MiB allocated), and a full resync one extra cycle, tens
// of milliseconds, a minute (see bench/scale-after.txt).
const defaultGCPercent = 50

// setGCPercent sets defaultGCPercent unless GOGC is set, and returns the
// value set, or 0.
func setGCPercent(log *slog.Logger) int {
	if os.Getenv("GOGC") != "" {
		return 0
	}
	debug.SetGCPercent(defaultGCPercent)
	log.Debug("garbage collector target set", "GOGC", defaultGCPercent)
	return defaultGCPercent
}

// setMemProfileRate stops the runtime's sampling of allocations unless the
// heap profile can be read (--enable-pprof). Nothing else reads those
// samples, and their bucket table alone is 1.4 MB of resident memory
// (go_memstats_buck_hash_sys_bytes), a few percent of a converged process
// at 10k objects. It returns the rate left in effect.
func setMemProfileRate(pprof bool) int {
	if !pprof {
		runtime.MemProfileRate = 0
	}
	return runtime.MemProfileRate
}

// cgroupMemoryFiles are where the container's memory limit is read: cgroup
// v2, then v1.
var cgroupMemoryFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// setMemoryLimit sets a soft memory limit (runtime/debug.SetMemoryLimit) of
// 90% of the container's cgroup memory limit, unless GOMEMLIMIT is set or
// there is no limit. The garbage collector then works harder as the heap
// nears the limit instead of letting the kernel kill the process. It
// returns the limit set, or 0.
func setMemoryLimit(log *slog.Logger) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return 0
	}
	limit := cgroupMemoryLimit(cgroupMemoryFiles)
	if limit <= 0 {
		return 0
	}
	soft := int64(float64(limit) * memLimitShare)
	debug.SetMemoryLimit(soft)
	log.Info("memory limit for the Go runtime set from the container's", "container", limit, "GOMEMLIMIT", soft)
	return soft
}

// cgroupMemoryLimit reads the first limit found in files; 0 means none
// ("max", or cgroup v1's no-limit value near MaxInt64).
func cgroupMemoryLimit(files []string) int64 {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		v := strings.TrimSpace(string(b))
		if v == "max" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 || n >= math.MaxInt64/2 {
			return 0
		}
		return n
	}
	return 0
}
