package controller

import (
	"context"
	"testing"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider/embedded"
)

// newEmbeddedWorld is a world over the embedded DNS server, README's
// default provider, with its store in memory.
func newEmbeddedWorld(t testing.TB) *world {
	auth, err := dnsserver.NewAuthority(store.NewMemory([]string{"example.com"}), dnsserver.ZoneOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorldOn(t, embedded.New(auth))
	w.auth = auth
	return w
}

// rfc2136 writes through the server's RFC 2136 path: records there are
// outside the controller's view, but take names and keys it may want.
func rfc2136(name string, c func(dnsserver.DynamicView) *plan.Changes) outsideWrite {
	return outsideWrite{name, func(ctx context.Context, w *world) error {
		return w.auth.ApplyDynamic(ctx, func(v dnsserver.DynamicView) (*plan.Changes, error) { return c(v), nil })
	}}
}

// TestIncrementalMatchesFullEmbedded: over the embedded server, whose
// store counts its commits, periodic resyncs plan only what changed, and
// still agree with reading everything, whatever else writes to the server:
// another writer through the provider, RFC 2136 clients taking and
// freeing names the objects want, and serials adopted from a leader.
func TestIncrementalMatchesFullEmbedded(t *testing.T) {
	challenge := endpoint.New("n3.example.com", "TXT", `"challenge"`)
	matchesFull(t, 1000, newEmbeddedWorld, []outsideWrite{
		otherController,
		rfc2136("an RFC 2136 client takes n3", func(v dnsserver.DynamicView) *plan.Changes {
			if v.Owned("n3.example.com") || len(v.Dynamic("n3.example.com")) > 0 {
				return nil
			}
			return &plan.Changes{Create: []*endpoint.Endpoint{challenge}}
		}),
		rfc2136("an RFC 2136 client frees n3", func(v dnsserver.DynamicView) *plan.Changes {
			return &plan.Changes{Delete: v.Dynamic("n3.example.com")}
		}),
		{"a serial taken from the leader", func(_ context.Context, w *world) error {
			_, err := w.auth.AdoptSerial("example.com", dnsserver.ZoneVersion{Serial: 4242})
			return err
		}},
	})
}
