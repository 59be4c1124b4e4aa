package provider

// Batching for backends whose API applies a batch of changes all or
// nothing (Route 53, RFC 2136 UPDATE, the PowerDNS API): Pack fills
// batches within a backend's limits without splitting a group, and
// Submitter sends them, isolating what the backend refuses by bisection.

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Cost is what a change uses of a request's limits.
type Cost struct {
	Changes int // change elements
	Values  int // record values
	Bytes   int // characters of record values
}

// Add returns the sum of c and o.
func (c Cost) Add(o Cost) Cost {
	return Cost{Changes: c.Changes + o.Changes, Values: c.Values + o.Values, Bytes: c.Bytes + o.Bytes}
}

// Within reports whether c stays within limit on every count.
func (c Cost) Within(limit Cost) bool {
	return c.Changes <= limit.Changes && c.Values <= limit.Values && c.Bytes <= limit.Bytes
}

// Group is a set of changes that must be applied together, such as a
// record and its ownership record: a batch never splits a group.
type Group[T any] struct {
	Items []T
	Cost  Cost
}

// Pack splits groups, keeping their order, into batches within limit,
// filling each batch before starting the next. A group over the limit on
// its own gets a batch of its own, which the API will likely refuse; that
// is reported like any refusal rather than silently dropped.
func Pack[T any](groups []Group[T], limit Cost) [][]Group[T] {
	var out [][]Group[T]
	var cur []Group[T]
	var used Cost
	for _, g := range groups {
		if len(cur) > 0 && !used.Add(g.Cost).Within(limit) {
			out = append(out, cur)
			cur, used = nil, Cost{}
		}
		cur = append(cur, g)
		used = used.Add(g.Cost)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// Failure is a group that was not applied, and why.
type Failure[T any] struct {
	Group Group[T]
	Err   error
}

// Submitter sends batches and isolates the changes an API refuses: a
// refused batch is split and each part sent again, down to single groups,
// so one bad change costs only itself.
type Submitter[T any] struct {
	// Send applies one batch, all or nothing.
	Send func(ctx context.Context, items []T) error
	// Refused tells whether err means the content was refused, so a
	// smaller batch may pass. Any other error (network, throttling that
	// outlasted its retries) stops the submission: the rest is reported
	// failed without being sent.
	Refused func(err error) bool
	// Suspects, when set, picks the groups an error names, so they can be
	// set apart at once instead of found by halving. A wrong guess only
	// costs the halving it tried to spare.
	Suspects func(err error, groups []Group[T]) []int
	// Interval is the pause between two sends.
	Interval time.Duration
	// OnApplied is told of each group once it is applied.
	OnApplied func(Group[T])
}

// ErrNotSent marks groups left out after an earlier failure.
var ErrNotSent = errors.New("not sent: an earlier request failed")

// Submit sends the batches in order and returns the groups that failed.
func (s Submitter[T]) Submit(ctx context.Context, batches [][]Group[T]) []Failure[T] {
	r := &run[T]{s: s}
	for _, b := range batches {
		if r.abort != nil {
			for _, g := range b {
				r.failed = append(r.failed, Failure[T]{Group: g, Err: errors.Join(ErrNotSent, r.abort)})
			}
			continue
		}
		r.send(ctx, b)
	}
	return r.failed
}

type run[T any] struct {
	s      Submitter[T]
	sent   bool
	abort  error
	failed []Failure[T]
}

func (r *run[T]) send(ctx context.Context, groups []Group[T]) {
	if r.abort != nil {
		r.fail(groups, errors.Join(ErrNotSent, r.abort))
		return
	}
	if r.sent && !Sleep(ctx, r.s.Interval) {
		r.abort = ctx.Err()
		r.fail(groups, r.abort)
		return
	}
	r.sent = true
	var items []T
	for _, g := range groups {
		items = append(items, g.Items...)
	}
	err := r.s.Send(ctx, items)
	switch {
	case err == nil:
		if r.s.OnApplied != nil {
			for _, g := range groups {
				r.s.OnApplied(g)
			}
		}
		return
	case !r.s.Refused(err):
		r.abort = err
		r.fail(groups, err)
		return
	case len(groups) == 1:
		r.fail(groups, err)
		return
	}
	if r.s.Suspects != nil {
		if idx := r.s.Suspects(err, groups); len(idx) > 0 && len(idx) < len(groups) {
			var rest, suspects []Group[T]
			for i, g := range groups {
				if slices.Contains(idx, i) {
					suspects = append(suspects, g)
				} else {
					rest = append(rest, g)
				}
			}
			r.send(ctx, rest)
			for _, g := range suspects {
				r.send(ctx, []Group[T]{g})
			}
			return
		}
	}
	half := len(groups) / 2
	r.send(ctx, groups[:half])
	r.send(ctx, groups[half:])
}

func (r *run[T]) fail(groups []Group[T], err error) {
	for _, g := range groups {
		r.failed = append(r.failed, Failure[T]{Group: g, Err: err})
	}
}

// Sleep waits d, or until ctx ends; it reports whether the wait ran its
// course (false: ctx ended). d <= 0 only checks ctx.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
