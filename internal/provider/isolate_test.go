package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

var errBad = errors.New("bad change")

// allOrNothing applies a batch only when it holds none of the bad names,
// like a DNS API with atomic batches. It records what it applied.
type allOrNothing struct {
	bad     map[string]error // name -> error to refuse with
	applied []string
	calls   int
}

func (a *allOrNothing) apply(_ context.Context, c *plan.Changes) error {
	a.calls++
	for _, list := range [][]*endpoint.Endpoint{c.Delete, c.UpdateNew, c.Create} {
		for _, e := range list {
			if err, ok := a.bad[e.DNSName]; ok {
				return fmt.Errorf("store: %s: %w", e.DNSName, err)
			}
		}
	}
	for _, list := range [][]*endpoint.Endpoint{c.Delete, c.UpdateNew, c.Create} {
		for _, e := range list {
			a.applied = append(a.applied, e.RecordType+" "+e.DNSName)
		}
	}
	return nil
}

func txtFor(owned string) *endpoint.Endpoint {
	e := endpoint.New("a-"+owned, endpoint.RecordTypeTXT, "heritage=external-dns")
	e.Labels = endpoint.NewLabels(endpoint.OwnedRecordLabel, owned)
	return e
}

func TestApplyIsolated(t *testing.T) {
	isBad := func(err error) bool { return errors.Is(err, errBad) }
	tests := []struct {
		name        string
		bad         map[string]error
		wantApplied []string
		wantRefused []string // action key
		wantAbort   bool
	}{
		{
			name:        "all good: one call",
			wantApplied: []string{"A gone.example.com", "A upd.example.com", "A a.example.com", "TXT a-a.example.com", "A b.example.com", "A c.example.com", "A d.example.com"},
		},
		{
			name:        "one refused create costs only itself and its ownership record",
			bad:         map[string]error{"a.example.com": errBad},
			wantApplied: []string{"A gone.example.com", "A upd.example.com", "A b.example.com", "A c.example.com", "A d.example.com"},
			wantRefused: []string{"create a.example.com/A"},
		},
		{
			name:        "a refused ownership record refuses its record, reported on the record",
			bad:         map[string]error{"a-a.example.com": errBad},
			wantApplied: []string{"A gone.example.com", "A upd.example.com", "A b.example.com", "A c.example.com", "A d.example.com"},
			wantRefused: []string{"create a.example.com/A"},
		},
		{
			name:        "refused delete and update are isolated too",
			bad:         map[string]error{"gone.example.com": errBad, "upd.example.com": errBad},
			wantApplied: []string{"A a.example.com", "TXT a-a.example.com", "A b.example.com", "A c.example.com", "A d.example.com"},
			wantRefused: []string{"delete gone.example.com/A", "update upd.example.com/A"},
		},
		{
			name:      "an error that is not a refusal stops at once",
			bad:       map[string]error{"c.example.com": errors.New("disk full")},
			wantAbort: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &allOrNothing{bad: tc.bad}
			c := &plan.Changes{
				Delete:    []*endpoint.Endpoint{endpoint.New("gone.example.com", "A", "192.0.2.9")},
				UpdateOld: []*endpoint.Endpoint{endpoint.New("upd.example.com", "A", "192.0.2.8")},
				UpdateNew: []*endpoint.Endpoint{endpoint.New("upd.example.com", "A", "192.0.2.7")},
				Create: []*endpoint.Endpoint{
					endpoint.New("a.example.com", "A", "192.0.2.1"), txtFor("a.example.com"),
					endpoint.New("b.example.com", "A", "192.0.2.2"),
					endpoint.New("c.example.com", "A", "192.0.2.3"),
					endpoint.New("d.example.com", "A", "192.0.2.4"),
				},
			}
			err := ApplyIsolated(context.Background(), c, a.apply, isBad)
			if tc.wantAbort {
				if err == nil || errors.Is(err, errBad) {
					t.Fatalf("err = %v, want the non-refusal error", err)
				}
				if _, ok := AsRefused(err); ok {
					t.Fatalf("abort reported as refusals only: %v", err)
				}
				return
			}
			slices.Sort(a.applied)
			want := slices.Clone(tc.wantApplied)
			slices.Sort(want)
			if !slices.Equal(a.applied, want) {
				t.Errorf("applied %v, want %v", a.applied, want)
			}
			if len(tc.wantRefused) == 0 {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if a.calls != 1 {
					t.Errorf("%d calls for a good batch, want 1", a.calls)
				}
				return
			}
			re, ok := AsRefused(err)
			if !ok {
				t.Fatalf("err = %v, want a RefusedError", err)
			}
			var got []string
			for _, r := range re.Refused {
				got = append(got, r.Action+" "+r.Endpoint.Key().String())
				if !errors.Is(r.Err, errBad) {
					t.Errorf("refusal of %s carries %v, not its own error", r.Endpoint.DNSName, r.Err)
				}
				if tc.bad[r.Endpoint.DNSName] == nil && tc.bad["a-"+r.Endpoint.DNSName] == nil {
					t.Errorf("innocent %s reported", r.Endpoint.DNSName)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.wantRefused) {
				t.Errorf("refused %v, want %v", got, tc.wantRefused)
			}
			if re.Applied != len(tc.wantApplied) {
				t.Errorf("Applied = %d, want %d", re.Applied, len(tc.wantApplied))
			}
		})
	}
}

func TestOnlyRefused(t *testing.T) {
	re := &RefusedError{Refused: []Refusal{{Action: "create", Endpoint: endpoint.New("a.example.com", "A", "192.0.2.1"), Err: ErrRecordExists}}}
	down := errors.New("connection refused")
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{down, false},
		{re, true},
		{fmt.Errorf("rfc2136: %w", re), true},
		{fmt.Errorf("rfc2136: %w", errors.Join(re)), true},
		{errors.Join(down, re), false},
		{fmt.Errorf("x: %w", errors.Join(fmt.Errorf("zone: %w", down), re)), false},
	}
	for _, tt := range tests {
		if got := OnlyRefused(tt.err); got != tt.want {
			t.Errorf("OnlyRefused(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// TestApplyIsolatedLayered stacks an isolating provider on one that
// isolates too, as a registry or a test's refusing wrapper does over a
// backend: every refusal from either layer is reported, nothing is sent
// twice, and everything else lands.
func TestApplyIsolatedLayered(t *testing.T) {
	errOuter := errors.New("outer refuses")
	inner := &allOrNothing{bad: map[string]error{"b.example.com": errBad}}
	innerApply := func(ctx context.Context, c *plan.Changes) error {
		return ApplyIsolated(ctx, c, inner.apply, func(err error) bool { return errors.Is(err, errBad) })
	}
	outer := func(ctx context.Context, c *plan.Changes) error {
		for _, e := range c.Create {
			if e.DNSName == "a.example.com" || e.DNSName == "d.example.com" {
				return errOuter
			}
		}
		return innerApply(ctx, c)
	}
	var c plan.Changes
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		c.Create = append(c.Create, endpoint.New(n+".example.com", "A", "192.0.2.1"))
	}
	err := ApplyIsolated(t.Context(), &c, outer, func(err error) bool { return errors.Is(err, errOuter) })
	if !OnlyRefused(err) {
		t.Fatalf("err = %v, want only refusals", err)
	}
	re, _ := AsRefused(err)
	var refused []string
	for _, r := range re.Refused {
		refused = append(refused, r.Endpoint.DNSName)
	}
	slices.Sort(refused)
	if want := []string{"a.example.com", "b.example.com", "d.example.com"}; !slices.Equal(refused, want) {
		t.Errorf("refused %v, want %v", refused, want)
	}
	applied := slices.Clone(inner.applied)
	slices.Sort(applied)
	if want := []string{"A c.example.com", "A e.example.com"}; !slices.Equal(applied, want) {
		t.Errorf("applied %v, want %v (each once)", applied, want)
	}
	if re.Applied != 2 {
		t.Errorf("Applied = %d, want 2", re.Applied)
	}
}

// TestAsRefusedMergesJoined: refusals joined from two layers are all
// found, not only the first error's.
func TestAsRefusedMergesJoined(t *testing.T) {
	a := &RefusedError{Refused: []Refusal{{Action: "create", Endpoint: endpoint.New("a.example.com", "A", "192.0.2.1"), Err: errBad}}, Applied: 1}
	b := &RefusedError{Refused: []Refusal{{Action: "create", Endpoint: endpoint.New("b.example.com", "A", "192.0.2.1"), Err: errBad}}, Applied: 2}
	re, ok := AsRefused(fmt.Errorf("wrapped: %w", errors.Join(a, b)))
	if !ok || len(re.Refused) != 2 || re.Applied != 3 {
		t.Fatalf("AsRefused = %+v, %v; want both refusals, 3 applied", re, ok)
	}
	if _, ok := AsRefused(errors.New("outage")); ok {
		t.Error("an outage is no refusal")
	}
}
