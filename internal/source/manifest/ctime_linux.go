package manifest

import (
	"os"
	"syscall"
	"time"
)

// changeTime is the later of a file's modification and status-change
// times. A writer can set the modification time back (cp -p, tar); the
// change time moves with every write and cannot be set.
func changeTime(info os.FileInfo) time.Time {
	t := info.ModTime()
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		if c := time.Unix(st.Ctim.Sec, st.Ctim.Nsec); c.After(t) {
			return c
		}
	}
	return t
}
