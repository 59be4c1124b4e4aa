package rfc2136

import (
	"context"
	"errors"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// serialClient answers each zone's serial from a map.
type serialClient struct {
	fakeClient
	serials map[string]uint32
	fail    error
}

func (c *serialClient) Serial(_ context.Context, zone string) (uint32, error) {
	return c.serials[zone], c.fail
}

// TestZoneVersion: the version follows the zones' SOA serials, one query
// each: it stays while no serial moves, moves when any zone's does (ours
// or someone else's update), and is new at every call while a serial
// cannot be read, so the controller reads the zone and meets the error.
func TestZoneVersion(t *testing.T) {
	c := &serialClient{serials: map[string]uint32{"example.test": 10, "sub.example.test": 7}}
	c.rcodes = func(*dns.Msg) int { return dns.RcodeSuccess }
	p, err := New(testConfig(), Options{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name  string
		do    func()
		moved bool
	}{
		{"nothing changed", func() {}, false},
		{"nothing changed, again", func() {}, false},
		{"someone else's update raised the parent zone's serial", func() { c.serials["example.test"]++ }, true},
		{"nothing changed since", func() {}, false},
		{"the child zone's serial moved", func() { c.serials["sub.example.test"] = 1 }, true},
		{"the server cannot be asked", func() { c.fail = errors.New("connection refused") }, true},
		{"still cannot be asked: new again", func() {}, true},
		{"back, serials as before the outage", func() { c.fail = nil }, true},
		{"nothing changed after", func() {}, false},
	}
	last := p.ZoneVersion()
	for _, s := range steps {
		s.do()
		v := p.ZoneVersion()
		if moved := v != last; moved != s.moved {
			t.Errorf("%s: version moved %v, want %v", s.name, moved, s.moved)
		}
		last = v
	}
}

// TestZoneVersionAfterOurUpdate: a batch of ours that lands raises the
// serial, and the controller, reading the version after it, sees it move.
func TestZoneVersionAfterOurUpdate(t *testing.T) {
	c := &fakeClient{rcodes: func(*dns.Msg) int { return dns.RcodeSuccess }}
	p, err := New(testConfig(), Options{Client: c})
	if err != nil {
		t.Fatal(err)
	}
	before := p.ZoneVersion()
	if err := p.ApplyChanges(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("app.example.test", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	if p.ZoneVersion() == before {
		t.Error("the version did not move after our update landed")
	}
}
