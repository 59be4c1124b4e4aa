package txt

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// listProvider serves a list of records in its own order, returning the
// very same records until they change, as caching providers do. Applied
// changes replace records in place and append new ones.
type listProvider struct{ recs []*endpoint.Endpoint }

func (l *listProvider) Records(context.Context) ([]*endpoint.Endpoint, error) {
	return slices.Clone(l.recs), nil
}

func (l *listProvider) AdjustEndpoints(e []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return e, nil
}

func (l *listProvider) ApplyChanges(_ context.Context, c *plan.Changes) error {
	gone := map[endpoint.Key]bool{}
	for _, e := range slices.Concat(c.Delete, c.UpdateOld) {
		gone[e.Key()] = true
	}
	l.recs = slices.DeleteFunc(l.recs, func(e *endpoint.Endpoint) bool { return gone[e.Key()] })
	for _, e := range slices.Concat(c.Create, c.UpdateNew) {
		cp := e.DeepCopy()
		cp.Labels = endpoint.Labels{}
		l.recs = append(l.recs, cp)
	}
	return nil
}

// walkWorld makes random zones of records, their ownership records in
// every form the registry reads, and things that look like them.
type walkWorld struct {
	rng    *rand.Rand
	mapper NameMapper
	n      int
}

func (w *walkWorld) name() string {
	w.n++
	return fmt.Sprintf("r%d.example.com", w.rng.IntN(12)+w.n%3*100)
}

func (w *walkWorld) owner() string {
	return [...]string{"walk", "walk", "walk", "other", "old"}[w.rng.IntN(5)]
}

func (w *walkWorld) txtValue(owner, res string) string {
	switch w.rng.IntN(8) {
	case 0:
		return "not ownership"
	case 1:
		return fmt.Sprintf("\"heritage=external-dns,external-dns/owner=%s\"", owner)
	}
	return fmt.Sprintf("\"heritage=external-dns,external-dns/owner=%s,external-dns/resource=%s\"", owner, res)
}

// records returns a record and, mostly, its ownership record in some form.
func (w *walkWorld) records() []*endpoint.Endpoint {
	name := w.name()
	rt := [...]string{"A", "A", "A", "AAAA", "CNAME", "TXT"}[w.rng.IntN(6)]
	target := fmt.Sprintf("10.0.0.%d", w.rng.IntN(4))
	if rt == "CNAME" {
		target = "target.example.net"
	}
	rec := endpoint.New(name, rt, target)
	rec.Labels = endpoint.Labels{}
	if w.rng.IntN(6) == 0 {
		rec.SetIdentifier = fmt.Sprint("set", w.rng.IntN(2))
	}
	if rt == "A" && w.rng.IntN(5) == 0 {
		rec.ProviderSpecific = endpoint.ProviderSpecific{{Name: "alias", Value: "true"}}
	}
	out := []*endpoint.Endpoint{rec}
	txtName := w.mapper.ToTXTName(name, rt)
	switch w.rng.IntN(10) {
	case 0: // none
		return out
	case 1: // legacy, type-less
		txtName = w.mapper.legacyTXTName(name)
	case 2: // the "cname-" record of aliases before v0.22
		txtName = w.mapper.ToTXTName(name, "CNAME")
	case 3: // in another case: the same key as the lower-case one
		txtName = strings.ToUpper(txtName)
	}
	txt := endpoint.New(txtName, "TXT", w.txtValue(w.owner(), "service/ns/"+name))
	txt.Labels, txt.SetIdentifier = endpoint.Labels{}, rec.SetIdentifier
	if w.rng.IntN(15) == 0 {
		txt.Targets = append(txt.Targets, "second")
	}
	return append(out, txt)
}

// mutate changes the zone the way time does.
func (w *walkWorld) mutate(recs []*endpoint.Endpoint) []*endpoint.Endpoint {
	recs = slices.Clone(recs)
	pick := func() int { return w.rng.IntN(len(recs)) }
	for range w.rng.IntN(4) {
		if len(recs) == 0 {
			return slices.Concat(recs, w.records())
		}
		switch w.rng.IntN(9) {
		case 0, 1: // created somewhere
			recs = slices.Insert(recs, w.rng.IntN(len(recs)+1), w.records()...)
		case 2: // deleted
			i := pick()
			recs = slices.Delete(recs, i, i+1)
		case 3: // a target changed
			i := pick()
			c := recs[i].DeepCopy()
			c.Targets = endpoint.Targets{fmt.Sprintf("10.1.0.%d", w.rng.IntN(4))}
			recs[i] = c
		case 4: // an ownership record's value changed
			i := pick()
			if recs[i].RecordType == "TXT" {
				c := recs[i].DeepCopy()
				c.Targets = endpoint.Targets{w.txtValue(w.owner(), "ingress/ns/x")}
				recs[i] = c
			}
		case 5: // moved
			i, j := pick(), pick()
			recs[i], recs[j] = recs[j], recs[i]
		case 6: // the same, as another object
			i := pick()
			recs[i] = recs[i].DeepCopy()
		case 7: // a TTL changed
			i := pick()
			c := recs[i].DeepCopy()
			c.RecordTTL = endpoint.TTL(w.rng.IntN(3) * 60)
			recs[i] = c
		case 8: // unchanged
		}
	}
	return recs
}

// readView is what a read returned and left for ApplyChanges, in a form
// two registries' reads can be compared in.
func readView(t *testing.T, r *Registry) []string {
	t.Helper()
	out, err := r.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var view []string
	for _, e := range out {
		var labels []string
		for k, v := range e.Labels.All() {
			labels = append(labels, k+"="+v)
		}
		view = append(view, fmt.Sprintf("%s %v %v", e, e.RecordTTL, labels))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, o := range r.state.typed.all() {
		view = append(view, fmt.Sprintf("typed %s: %s %s %q migrated=%v used=%v", k, o.txt.DNSName, o.owner, o.text, o.migrated, o.used))
	}
	for k, o := range r.state.legacy {
		view = append(view, fmt.Sprintf("legacy %v: %s %s used=%v", k, o.txt.DNSName, o.owner, o.used))
	}
	for _, p := range r.state.pending {
		view = append(view, fmt.Sprintf("pending %s %d via %s", p.key, p.kind, p.base.txt.DNSName))
	}
	slices.Sort(view[len(out):])
	return view
}

// TestWalkReadsAsFresh is the oracle of the walk: over thousands of
// random zones, each changed a little between reads, a registry that
// walks its previous read returns exactly what a new registry reading the
// same zone returns, and leaves the same ownership records, pending
// rewrites and notes for ApplyChanges. Now and then our registry applies
// changes in between, so the walk also starts from a snapshot that
// ApplyChanges updated.
func TestWalkReadsAsFresh(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(400) {
		w := &walkWorld{rng: rand.New(rand.NewPCG(seed, 7))}
		cfg := Config{OwnerID: "walk", Prefix: "k3s-", OldOwnerID: "old"}
		if seed%3 == 1 {
			cfg.Prefix, cfg.Suffix = "", "-sfx"
		}
		m, err := NewNameMapper(cfg.Prefix, cfg.Suffix, "")
		if err != nil {
			t.Fatal(err)
		}
		w.mapper = m
		var recs []*endpoint.Endpoint
		for range w.rng.IntN(25) {
			recs = append(recs, w.records()...)
		}
		lp := &listProvider{recs: recs}
		walking, err := New(lp, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for step := range 25 {
			got := readView(t, walking)
			fresh, _ := New(&listProvider{recs: lp.recs}, cfg)
			want := readView(t, fresh)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d step %d: the walking read differs from a fresh one\nzone:\n%s\ngot:\n%s\nwant:\n%s", seed, step,
					zoneText(lp.recs), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if w.rng.IntN(4) == 0 {
				// Create a record of ours, and let migrations happen.
				c := endpoint.New(fmt.Sprintf("new%d.example.com", step), "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, "service/ns/new")
				if err := walking.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{c}}); err != nil {
					t.Logf("seed %d step %d: apply: %v", seed, step, err)
				}
			}
			lp.recs = w.mutate(lp.recs)
		}
	}
}

func zoneText(recs []*endpoint.Endpoint) string {
	var b strings.Builder
	for _, r := range recs {
		fmt.Fprintf(&b, "  %s %v %v\n", r, r.RecordTTL, r.ProviderSpecific)
	}
	return b.String()
}

// TestWalkLinesUpUnchangedZone: reading a zone unchanged since the last
// read, and one with a record inserted near the front, the walk finds
// every owned record's ownership record by position, which is all that
// makes a resync of 10^5 records fast (TestWalkReadsAsFresh checks that
// it never changes a result; this, that it is used). A caller that
// rewrote the key of a copy it was given changes nothing: the walk keeps
// its own keys, never the memory it handed out.
func TestWalkLinesUpUnchangedZone(t *testing.T) {
	var recs []*endpoint.Endpoint
	for i := range 50 {
		name := fmt.Sprintf("app-%02d.example.com", i)
		recs = append(recs, endpoint.New(name, "A", "192.0.2.1"),
			endpoint.New("a-"+name, "TXT", `"heritage=external-dns,external-dns/owner=walk,external-dns/resource=service/ns/app"`))
	}
	inserted := slices.Insert(slices.Clone(recs), 3, endpoint.New("unowned.example.com", "A", "192.0.2.9"))
	for _, tc := range []struct {
		name    string
		next    []*endpoint.Endpoint
		rewrite bool
	}{{"unchanged", recs, false}, {"one inserted", inserted, false}, {"a copy's key rewritten", recs, true}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(&listProvider{recs: recs}, Config{OwnerID: "walk"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Records(ctx)
			if err != nil || len(got) != 50 {
				t.Fatal(len(got), err)
			}
			if tc.rewrite {
				got[7].DNSName = "rewritten.example.com"
			}
			prev := r.state
			w := newWalk(prev, nil)
			lined := 0
			for j, rec := range tc.next {
				if rec.RecordType == endpoint.RecordTypeTXT {
					continue
				}
				if o := w.foundBefore(j, rec); o != nil {
					if o.txt.DNSName != "a-"+rec.DNSName {
						t.Fatalf("%s lined up with %s", rec.DNSName, o.txt.DNSName)
					}
					lined++
				}
			}
			if lined != 50 {
				t.Fatalf("the walk lined up %d of 50 owned records", lined)
			}
		})
	}
}
