package txt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// fakeProvider is a zone in a map. It is strict the way real DNS APIs are:
// creating what exists, or deleting or updating what does not exist
// exactly, fails the whole batch. Each ApplyChanges call is kept.
type fakeProvider struct {
	mu      sync.Mutex
	zone    map[endpoint.Key]*endpoint.Endpoint
	calls   []*plan.Changes
	recErr  error
	readsN  int
	applyFn func(*plan.Changes) error
}

func newFakeProvider(records ...*endpoint.Endpoint) *fakeProvider {
	f := &fakeProvider{zone: map[endpoint.Key]*endpoint.Endpoint{}}
	for _, r := range records {
		f.zone[r.Key()] = r.DeepCopy()
	}
	return f
}

func (f *fakeProvider) Records(context.Context) ([]*endpoint.Endpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readsN++
	if f.recErr != nil {
		return nil, f.recErr
	}
	out := make([]*endpoint.Endpoint, 0, len(f.zone))
	for _, r := range f.zone {
		c := r.DeepCopy()
		c.Labels = endpoint.Labels{} // providers do not store labels
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *endpoint.Endpoint) int { return strings.Compare(a.Key().String(), b.Key().String()) })
	return out, nil
}

func (f *fakeProvider) ApplyChanges(_ context.Context, c *plan.Changes) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	if f.applyFn != nil {
		if err := f.applyFn(c); err != nil {
			return err
		}
	}
	next := make(map[endpoint.Key]*endpoint.Endpoint, len(f.zone))
	for k, v := range f.zone {
		next[k] = v
	}
	remove := func(r *endpoint.Endpoint) error {
		cur, ok := next[r.Key()]
		if !ok {
			return fmt.Errorf("fake: %s does not exist", r.Key())
		}
		if !cur.Targets.Same(r.Targets) {
			return fmt.Errorf("fake: %s has targets %v, not %v", r.Key(), cur.Targets, r.Targets)
		}
		delete(next, r.Key())
		return nil
	}
	add := func(r *endpoint.Endpoint) error {
		if _, ok := next[r.Key()]; ok {
			return fmt.Errorf("fake: %s already exists", r.Key())
		}
		next[r.Key()] = r.DeepCopy()
		return nil
	}
	for _, r := range slices.Concat(c.Delete, c.UpdateOld) {
		if err := remove(r); err != nil {
			return err
		}
	}
	for _, r := range slices.Concat(c.Create, c.UpdateNew) {
		if err := add(r); err != nil {
			return err
		}
	}
	f.zone = next
	return nil
}

func (f *fakeProvider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	for _, e := range eps {
		if !e.RecordTTL.IsConfigured() {
			e.RecordTTL = 300
		}
	}
	return eps, nil
}

func (f *fakeProvider) get(name, recordType string) *endpoint.Endpoint {
	return f.getSet(name, recordType, "")
}

func (f *fakeProvider) getSet(name, recordType, setID string) *endpoint.Endpoint {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.zone[endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: setID}]
}

func (f *fakeProvider) lastCall() *plan.Changes {
	if len(f.calls) == 0 {
		return nil
	}
	return f.calls[len(f.calls)-1]
}

// names lists "name/type" of endpoints, to compare batches compactly.
func names(eps []*endpoint.Endpoint) []string {
	out := make([]string, len(eps))
	for i, e := range eps {
		out[i] = e.Key().String()
	}
	slices.Sort(out)
	return out
}
