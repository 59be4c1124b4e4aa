//go:build integration

package k8s

import (
	"context"
	"slices"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/embedded"
)

// embeddedDNS starts exodns's own authoritative server for zone, as
// --provider=embedded does, and returns the provider with a function that
// asks the server over UDP for the A records of a name.
func embeddedDNS(t *testing.T) (provider.Provider, func(name string) []string) {
	t.Helper()
	st := store.NewMemory([]string{zone})
	auth, err := dnsserver.NewAuthority(st, dnsserver.ZoneOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := dnsserver.New(auth, dnsserver.Config{Listen: "127.0.0.1:0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = srv.Shutdown(context.Background()) })
	client := &dns.Client{Net: "udp"}
	query := func(name string) []string {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), dns.TypeA)
		r, _, err := client.Exchange(m, srv.Addr())
		if err != nil || r.Rcode != dns.RcodeSuccess {
			return nil
		}
		var out []string
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok {
				out = append(out, a.A.String())
			}
		}
		slices.Sort(out)
		return out
	}
	return embedded.New(auth, zone), query
}
