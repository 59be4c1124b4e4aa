//go:build !linux

package cli

import "errors"

// releaseBinaryPages needs Linux's madvise advice; elsewhere the pages stay.
func releaseBinaryPages() (uint64, error) {
	return 0, errors.New("not on Linux")
}
