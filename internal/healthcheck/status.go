package healthcheck

import (
	"time"

	"github.com/exodns/exodns/internal/gslb"
)

// Status is what is known of one check.
type Status struct {
	// Health starts Unknown, which GSLB treats as healthy: a target
	// leaves the answers only once its check has failed Fall times in a
	// row, so a restarted server does not drop every target while its
	// first checks run.
	Health gslb.Health
	// Since is when Health took its value (for Unknown: when the check
	// was first set).
	Since time.Time
	// LastCheck is when the last result came in; zero before the first.
	LastCheck time.Time
	// LastError is the reason of the most recent failure, kept after
	// later successes so an Event can say why a target went down.
	LastError string
	// Successes and Failures count the current run of results.
	Successes, Failures int
}

// tracker turns results into a Status with rise/fall hysteresis. It is
// the pure core of a check, tested on its own.
type tracker struct {
	status     Status
	rise, fall int
}

func newTracker(rise, fall int, now time.Time) tracker {
	return tracker{status: Status{Health: gslb.HealthUnknown, Since: now}, rise: rise, fall: fall}
}

// observe records one result and reports the status before and after,
// and whether Health changed. A target becomes Healthy after rise
// successes in a row and Unhealthy after fall failures in a row, from any
// state, Unknown included.
func (t *tracker) observe(ok bool, reason string, now time.Time) (from, to Status, changed bool) {
	from = t.status
	s := &t.status
	s.LastCheck = now
	if ok {
		s.Successes++
		s.Failures = 0
		if s.Health != gslb.Healthy && s.Successes >= t.rise {
			s.Health, s.Since = gslb.Healthy, now
		}
	} else {
		s.Failures++
		s.Successes = 0
		s.LastError = reason
		if s.Health != gslb.Unhealthy && s.Failures >= t.fall {
			s.Health, s.Since = gslb.Unhealthy, now
		}
	}
	return from, t.status, from.Health != s.Health
}

// reset keeps what is known but restarts the counts, for a check whose
// settings changed: its old results say nothing about the new settings,
// yet dropping to Unknown would briefly put a dead target back.
func (t *tracker) reset(rise, fall int) {
	t.rise, t.fall = rise, fall
	t.status.Successes, t.status.Failures = 0, 0
}
