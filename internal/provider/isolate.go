package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// Refusal is one change a provider would not apply, and why.
type Refusal struct {
	Action   string // "create", "update" or "delete"
	Endpoint *endpoint.Endpoint
	Err      error
}

// Name is the record the refusal is about: for an ownership record, the
// record it owns, so the hold lands on the name the user wrote.
func (r Refusal) Name() string { return OwnedName(r.Endpoint) }

// RefusedError says that some changes of a batch were refused and every
// other change was applied. The controller reports each refusal against the
// object that asked for it and holds its name; it is not a failed reconcile.
type RefusedError struct {
	Refused []Refusal
	Applied int // changes applied
}

func (e *RefusedError) Error() string {
	const show = 5
	parts := make([]string, 0, min(len(e.Refused), show))
	for _, r := range e.Refused[:min(len(e.Refused), show)] {
		parts = append(parts, fmt.Sprintf("%s %s: %v", r.Action, r.Endpoint.Key(), r.Err))
	}
	s := fmt.Sprintf("%d changes refused, %d applied: %s", len(e.Refused), e.Applied, strings.Join(parts, "; "))
	if len(e.Refused) > show {
		s += fmt.Sprintf("; and %d more", len(e.Refused)-show)
	}
	return s
}

// Unwrap gives each refusal's error, so errors.Is finds a provider's
// sentinel errors through the whole report.
func (e *RefusedError) Unwrap() []error {
	out := make([]error, len(e.Refused))
	for i, r := range e.Refused {
		out[i] = r.Err
	}
	return out
}

// AsRefused returns the refusals err carries, if it is (or wraps) a
// RefusedError. Refusals from several RefusedErrors in err's tree (a
// provider layered on another that isolates too) are merged: errors.As
// would stop at the first, and every refusal left out would be taken for
// a change that landed.
func AsRefused(err error) (*RefusedError, bool) {
	var found []*RefusedError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *RefusedError:
			found = append(found, e)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	switch len(found) {
	case 0:
		return nil, false
	case 1:
		return found[0], true
	}
	merged := &RefusedError{}
	for _, re := range found {
		merged.Refused = append(merged.Refused, re.Refused...)
		merged.Applied += re.Applied
	}
	return merged, true
}

// OnlyRefused reports whether err holds refusals and nothing else: every
// branch of its chain ends in a *RefusedError. An error that joins a
// failure (an outage, a full disk) to refusals is not only refused: the
// failure must still fail the reconcile.
func OnlyRefused(err error) bool {
	switch e := err.(type) {
	case nil:
		return false
	case *RefusedError:
		return true
	case interface{ Unwrap() []error }:
		errs := e.Unwrap()
		if len(errs) == 0 {
			return false
		}
		for _, x := range errs {
			if !OnlyRefused(x) {
				return false
			}
		}
		return true
	case interface{ Unwrap() error }:
		return OnlyRefused(e.Unwrap())
	}
	return false
}

// ApplyIsolated applies c through apply, which applies a batch all or
// nothing. When apply refuses a batch (refused(err) is true), the batch is
// split into groups (a name with its ownership records) and halved until
// each refused group stands alone, so one bad change costs only itself.
// The result is nil, a *RefusedError listing exactly the refused changes,
// or the first error that is not a refusal (a full disk, a closed store),
// which stops the work: changes not yet applied are left for the next run.
func ApplyIsolated(ctx context.Context, c *plan.Changes, apply func(context.Context, *plan.Changes) error, refused func(error) bool) error {
	if !c.HasChanges() {
		return nil
	}
	if len(c.UpdateOld) != len(c.UpdateNew) {
		return fmt.Errorf("provider: %d old and %d new updates", len(c.UpdateOld), len(c.UpdateNew))
	}
	err := apply(ctx, c)
	if err == nil || OnlyRefused(err) || !refused(err) {
		// Only refusals: apply isolated them itself (a provider layered
		// on one that isolates), and applied everything else.
		return err
	}
	iso := &isolator{apply: apply, refused: refused}
	iso.send(ctx, GroupChanges(c), err)
	if iso.abort != nil {
		if len(iso.out.Refused) > 0 {
			return errors.Join(iso.abort, &iso.out)
		}
		return iso.abort
	}
	return &iso.out
}

type isolator struct {
	apply   func(context.Context, *plan.Changes) error
	refused func(error) bool
	out     RefusedError
	abort   error
}

// send applies gs; known, when not nil, is the error a send of exactly gs
// already returned, so it is not sent twice.
func (s *isolator) send(ctx context.Context, gs []ChangeGroup, known error) {
	if s.abort != nil || len(gs) == 0 {
		return
	}
	err := known
	if err == nil {
		if err = ctx.Err(); err == nil {
			err = s.apply(ctx, ChangesOf(gs...))
		}
	}
	switch {
	case err == nil:
		for _, g := range gs {
			s.out.Applied += len(g)
		}
	case OnlyRefused(err):
		// Isolated below already: the rest of gs landed.
		re, _ := AsRefused(err)
		s.out.Refused = append(s.out.Refused, re.Refused...)
		s.out.Applied += re.Applied
	case !s.refused(err):
		s.abort = err
	case len(gs) == 1 && len(gs[0]) == 1:
		g := gs[0][0]
		s.out.Refused = append(s.out.Refused, Refusal{Action: g.Action, Endpoint: g.Endpoint, Err: err})
	case len(gs) == 1:
		// A group is refused as a whole: its records are one change to
		// the user, and splitting it could leave a record without owner.
		// The record itself (not its TXT) carries the report.
		s.out.Refused = append(s.out.Refused, Refusal{Action: gs[0][0].Action, Endpoint: gs[0].Primary(), Err: err})
	default:
		half := len(gs) / 2
		s.send(ctx, gs[:half], nil)
		s.send(ctx, gs[half:], nil)
	}
}

// OwnedName is the name a change belongs to, lowercase without the final
// dot: an ownership TXT record names the record it owns in its labels.
func OwnedName(e *endpoint.Endpoint) string {
	n := e.DNSName
	if e.RecordType == endpoint.RecordTypeTXT {
		if owned := e.Labels.Get(endpoint.OwnedRecordLabel); owned != "" {
			n = owned
		}
	}
	return strings.ToLower(strings.TrimSuffix(n, "."))
}
