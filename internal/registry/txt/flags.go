package txt

import (
	"time"

	"github.com/spf13/pflag"
)

// Flags are the TXT registry's flags for migrations and caching. (The
// package's Config is the registry's constructor input, hence the name.)
type Flags struct {
	// NewFormatOnly is --txt-new-format-only. exodns writes only the
	// typed ("a-app") ownership records, which is what upstream does since
	// v0.18 with or without the flag, so both values are accepted and
	// change nothing.
	NewFormatOnly bool
	// OldOwnerID is --migrate-from-txt-owner (also --txt-owner-old): the
	// owner whose ownership records are taken over and rewritten with
	// --txt-owner-id.
	OldOwnerID string
	// CacheInterval is --txt-cache-interval: how long the provider's
	// records are reused between reads (also used by --registry=dynamodb).
	CacheInterval time.Duration
}

// DefaultFlags returns upstream's defaults.
func DefaultFlags() Flags { return Flags{} }

// BindFlags declares the flags on fs, with f's values as defaults.
func (f *Flags) BindFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&f.NewFormatOnly, "txt-new-format-only", f.NewFormatOnly, "Accepted for compatibility: exodns writes only the new, typed ownership TXT format, as upstream does since v0.18")
	fs.StringVar(&f.OldOwnerID, "migrate-from-txt-owner", f.OldOwnerID, "Take over the records of this old --txt-owner-id and rewrite their ownership with the current one")
	fs.StringVar(&f.OldOwnerID, "txt-owner-old", f.OldOwnerID, "Alias of --migrate-from-txt-owner")
	fs.DurationVar(&f.CacheInterval, "txt-cache-interval", f.CacheInterval, "Read the provider's records at most this often, patching the cache with our own changes in between; 0 reads them on every reconcile")
}
