package provider

import "github.com/exodns/exodns/internal/zone"

// The errors a backend refuses one change with (see zone.Rules.Check for
// when). They are internal/zone's own values, so errors.Is matches them
// whichever backend refused: the inmemory provider, the embedded store, or
// a provider mapping its API's answer onto them.
var (
	ErrRecordExists  = zone.ErrRecordExists
	ErrRecordMissing = zone.ErrRecordMissing
	ErrNoZone        = zone.ErrNoZone
	ErrMismatch      = zone.ErrMismatch
	ErrCNAMEConflict = zone.ErrCNAMEConflict
	ErrInvalid       = zone.ErrInvalid
)

// Refused reports whether err is a verdict on a change (one of the errors
// above), which a smaller batch may pass, rather than a failure of the
// backend. It is the refused argument of ApplyIsolated for backends that
// check with zone.Rules.
func Refused(err error) bool { return zone.Refused(err) }
