package probe

import (
	"context"
	"time"
)

// Clock gives the probes their time, so tests can run a timeline in
// virtual time.
type Clock interface {
	Now() time.Time
	// SleepUntil returns at t, or earlier with ctx's error when ctx ends.
	SleepUntil(ctx context.Context, t time.Time) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now implements Clock.
func (RealClock) Now() time.Time { return time.Now() }

// SleepUntil implements Clock.
func (RealClock) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// cadence schedules rounds at start, start+interval, start+2·interval…, so
// slow rounds do not stretch the interval (the seed slept after each check,
// so its real interval was interval plus the check's own time). A round
// that overran skips the slots it missed rather than bunching up.
type cadence struct {
	start    time.Time
	interval time.Duration
}

// next returns the first slot after the round that began at begun.
func (c cadence) next(begun, now time.Time) time.Time {
	if c.interval <= 0 {
		return now
	}
	n := begun.Sub(c.start)/c.interval + 1
	t := c.start.Add(n * c.interval)
	for t.Before(now) {
		t = t.Add(c.interval)
	}
	return t
}
