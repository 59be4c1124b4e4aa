//go:build integration

package providers

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider/coredns"
)

// TestCoreDNSZoneVersionEtcd: against etcd, the provider's zone version
// (the prefix's key count and highest revision, from one range request
// that reads no value) stays put while nothing under the prefix changes,
// even when keys beside it do, and moves with someone else's put, their
// delete, and our transaction. Only etcd's own answer to the request
// (count, sort by revision, limit) shows the gateway request is right.
func TestCoreDNSZoneVersionEtcd(t *testing.T) {
	e := startEtcd(t)
	e.put(t, "/skydns/test/example/foreign", `{"host":"192.0.2.99","ttl":300}`)
	e.put(t, "/skydns/test/example/other", `{"host":"192.0.2.98","ttl":300}`)
	cfg := coredns.DefaultConfig()
	cfg.Endpoints = []string{e.url}
	p, err := coredns.New(cfg, coredns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	read := func() []string { return recordLines(t, p) }
	v, recs := p.ZoneVersion(), read()
	steps := []struct {
		name    string
		do      func()
		moves   bool
		changes bool // the records read change too
	}{
		{"nothing", func() {}, false, false},
		{"a key beside the prefix", func() { e.put(t, "/other/app", "x") }, false, false},
		{"someone else's put", func() { e.put(t, "/skydns/test/example/new", `{"host":"192.0.2.7","ttl":300}`) }, true, true},
		{"nothing after it", func() {}, false, false},
		{"someone else's delete of the newest key", func() {
			if out, err := run(t, 10*time.Second, "etcdctl", "--endpoints="+e.url, "del", "/skydns/test/example/new"); err != nil {
				t.Fatalf("etcdctl del: %v\n%s", err, out)
			}
		}, true, true},
		{"someone else rewrites a key as it was", func() { e.put(t, "/skydns/test/example/other", `{"host":"192.0.2.98","ttl":300}`) }, true, false},
		{"our transaction", func() {
			if err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("ours.example.test", "A", "192.0.2.44")}}); err != nil {
				t.Fatal(err)
			}
		}, true, true},
		{"nothing at the end", func() {}, false, false},
	}
	for _, s := range steps {
		s.do()
		v2, recs2 := p.ZoneVersion(), read()
		if moved := v2 != v; moved != s.moves {
			t.Errorf("%s: the version moved %v, want %v", s.name, moved, s.moves)
		}
		if changed := !slices.Equal(recs2, recs); changed != s.changes {
			t.Errorf("%s: the records changed %v, want %v\nbefore %q\nafter  %q", s.name, changed, s.changes, recs, recs2)
		}
		v, recs = v2, recs2
	}
}
