//go:build integration

package providers

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/rfc2136"
)

// TestRFC2136ZoneVersionBIND: against BIND, the provider's zone version
// (the zone's SOA serial, one query) stays put while nothing changes, and
// moves with someone else's update (as nsupdate sends it) and with ours:
// BIND raises the serial with every update, so a converged controller's
// resyncs can skip the transfer and still see every change made through
// updates.
func TestRFC2136ZoneVersionBIND(t *testing.T) {
	_, port, _ := startBIND(t)
	cfg := rfc2136.DefaultConfig()
	cfg.Host, cfg.Port, cfg.Zones = "127.0.0.1", port, []string{"example.test"}
	cfg.TSIGKeyName, cfg.TSIGSecret, cfg.TSIGAXFR = "ci-key", tsigSecret, true
	p, err := rfc2136.New(cfg, rfc2136.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	read := func() []string { return recordLines(t, p) }
	v, recs := p.ZoneVersion(), read()
	if again := p.ZoneVersion(); again != v {
		t.Fatalf("the version moved with no change: %d, then %d", v, again)
	}

	// Someone else's update, signed with the key, as nsupdate sends it.
	m := new(dns.Msg)
	m.SetUpdate("example.test.")
	rr, _ := dns.NewRR("other.example.test. 300 IN A 198.51.100.9")
	m.Insert([]dns.RR{rr})
	m.SetTsig("ci-key.", dns.HmacSHA256, 300, time.Now().Unix())
	cl := &dns.Client{Net: "tcp", TsigSecret: map[string]string{"ci-key.": tsigSecret}}
	in, _, err := cl.Exchange(m, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil || in.Rcode != dns.RcodeSuccess {
		t.Fatalf("someone else's update: %v %v", err, in)
	}
	v2 := p.ZoneVersion()
	if v2 == v {
		t.Error("the version did not move with someone else's update")
	}
	if slices.Equal(read(), recs) {
		t.Fatal("the update changed nothing the provider reads: the test proves nothing")
	}

	// Ours.
	if err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("ours.example.test", "A", "192.0.2.44")}}); err != nil {
		t.Fatal(err)
	}
	v3 := p.ZoneVersion()
	if v3 == v2 {
		t.Error("the version did not move with our update")
	}
	after := read()
	if v4 := p.ZoneVersion(); v4 != v3 {
		t.Errorf("the version moved with no change after our update: %d, then %d", v3, v4)
	}
	if !slices.Equal(read(), after) {
		t.Error("the zone changed under an unchanged version")
	}
}

// recordLines reads p's records as sorted lines.
func recordLines(t *testing.T, p provider.Provider) []string {
	t.Helper()
	recs, err := p.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}
