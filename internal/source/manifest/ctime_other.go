//go:build !linux

package manifest

import (
	"os"
	"time"
)

// changeTime is the modification time where the change time is not read.
func changeTime(info os.FileInfo) time.Time { return info.ModTime() }
