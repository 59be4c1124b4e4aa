package probe

import (
	"fmt"
	"strconv"
	"time"
)

// Up is the outcome of a check that got the up code.
const Up = "up"

// Check is one failover round and its verdict.
type Check struct {
	Sample
	Up      bool   `json:"up"`
	Outcome string `json:"outcome"` // "up", an error kind, or "status 503"
}

// newCheck judges a sample: anything but the up code is down, whether the
// name failed to resolve, the connection was refused or timed out, or the
// status was another one. (The seed counted only one fail code, so a
// refused connection never started a downtime.)
func newCheck(s Sample, upCode int) Check {
	c := Check{Sample: s}
	switch {
	case s.ErrorKind != "":
		c.Outcome = s.ErrorKind
	case s.Status == upCode:
		c.Up, c.Outcome = true, Up
	default:
		c.Outcome = "status " + strconv.Itoa(s.Status)
	}
	return c
}

// Downtime is one stretch of failed checks. It runs from the first failed
// check to the first up check after it, so each end is known to within one
// interval.
type Downtime struct {
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	DurationMS    float64   `json:"duration_ms"`
	Open          bool      `json:"open,omitempty"` // still down when the probe stopped; End is the stop
	FirstCheck    int       `json:"first_check"`
	FailedChecks  int       `json:"failed_checks"`
	Causes        []Share   `json:"causes"` // outcomes of its failed checks
	AddressBefore string    `json:"address_before,omitempty"`
	AddressAfter  string    `json:"address_after,omitempty"`
	TargetBefore  string    `json:"target_before,omitempty"`
	TargetAfter   string    `json:"target_after,omitempty"`
}

// timeline turns checks, one at a time, into downtime events, and says
// what each check changed so it can be printed as it happens.
type timeline struct {
	events []Downtime
	open   *Downtime
	causes tally
	lastUp *Check
	prev   *Check
}

// add records c and describes the state change it makes, or returns "".
func (t *timeline) add(c Check) string {
	prev := t.prev
	t.prev = &c
	switch {
	case !c.Up && t.open == nil:
		t.open = &Downtime{Start: c.Time, FirstCheck: c.Seq, FailedChecks: 1}
		if t.lastUp != nil {
			t.open.AddressBefore, t.open.TargetBefore = t.lastUp.Address, t.lastUp.Target()
		}
		t.causes = tally{}
		t.causes.add(c.Outcome)
		return fmt.Sprintf("DOWN  %s%s", c.Outcome, at(c))
	case !c.Up:
		t.open.FailedChecks++
		t.causes.add(c.Outcome)
		if prev.Outcome != c.Outcome || prev.Target() != c.Target() {
			return fmt.Sprintf("DOWN  now %s%s", c.Outcome, at(c))
		}
		return ""
	case t.open != nil:
		d := t.close(c.Time)
		d.AddressAfter, d.TargetAfter = c.Address, c.Target()
		t.events = append(t.events, d)
		t.lastUp = &c
		return fmt.Sprintf("UP    %s after %.3fs down (%d failed checks)", c.Target(), d.DurationMS/1000, d.FailedChecks)
	default:
		t.lastUp = &c
		if prev == nil {
			return "UP    " + c.Target()
		}
		if prev.Target() != c.Target() {
			return fmt.Sprintf("MOVED %s -> %s, no check failed", prev.Target(), c.Target())
		}
		return ""
	}
}

func (t *timeline) close(end time.Time) Downtime {
	d := *t.open
	d.End, d.DurationMS = end, millis(end.Sub(d.Start))
	d.Causes = t.causes.shares(d.FailedChecks)
	t.open = nil
	return d
}

// finish closes a downtime still open at end (the probe stopped while the
// service was down) and returns every event.
func (t *timeline) finish(end time.Time) []Downtime {
	if t.open != nil {
		d := t.close(end)
		d.Open = true
		t.events = append(t.events, d)
	}
	return t.events
}

// at says where a failed check went, if anywhere.
func at(c Check) string {
	if c.Address == "" {
		return ""
	}
	return " at " + c.Address
}
