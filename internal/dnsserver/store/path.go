package store

import (
	"fmt"
	"os"
	"path/filepath"
)

// DefaultDBPath is where --embedded-db points when unset:
// $XDG_DATA_HOME/exodns/embedded.db, or ~/.local/share/exodns/embedded.db.
// Records are data, not cache or configuration, hence the data directory.
func DefaultDBPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "exodns", "embedded.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("dnsserver: default database path: %w", err)
	}
	return filepath.Join(home, ".local", "share", "exodns", "embedded.db"), nil
}
