package healthcheck

import (
	"net/http"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/gslb"
)

// TestHealthFuncDrivesFailover wires the pieces as the DNS server will:
// sets parsed from annotations, their checks run against real servers on
// 127.0.0.2 (primary) and 127.0.0.3 (secondary), and Select reading the
// results through HealthFunc.
func TestHealthFuncDrivesFailover(t *testing.T) {
	var primaryDown atomic.Bool
	primary := serveOn(t, "127.0.0.2", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if primaryDown.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	secondary := serveOn(t, "127.0.0.3", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	mk := func(id, role string, addr string) *endpoint.Endpoint {
		ap := netip.MustParseAddrPort(addr)
		e := endpoint.New("app.example.com", endpoint.RecordTypeA, ap.Addr().String()).WithSetIdentifier(id)
		for k, v := range map[string]string{
			gslb.PropFailover: role, gslb.PropCheck: "http", gslb.PropCheckPort: portOf(addr),
			gslb.PropCheckInterval: "100ms", gslb.PropCheckTimeout: "100ms",
		} {
			e.ProviderSpecific.Set(k, v)
		}
		return e
	}
	sets, err := gslb.SetsFrom([]*endpoint.Endpoint{
		mk("primary", "PRIMARY", primary.Listener.Addr().String()),
		mk("secondary", "SECONDARY", secondary.Listener.Addr().String()),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := ChecksFor(sets)
	if len(checks) != 2 {
		t.Fatalf("ChecksFor = %v", checks)
	}
	primaryID, _ := FromSet(sets[0], "127.0.0.2")
	c, events := newChecker(t, Options{})
	if err := c.Set(checks); err != nil {
		t.Fatal(err)
	}
	health := c.HealthFunc(sets)
	answer := func() []string { return gslb.Select(sets, health, gslb.Client{}, nil).Targets }

	if h := health("primary", "127.0.0.9"); h != gslb.HealthUnknown {
		t.Errorf("unchecked target: %s", h)
	}
	if h := health("nope", "127.0.0.2"); h != gslb.HealthUnknown {
		t.Errorf("unknown set: %s", h)
	}
	// Before any verdict both are Unknown, which counts as healthy.
	if got := answer(); !slices.Equal(got, []string{"127.0.0.2"}) {
		t.Errorf("before checks: %v", got)
	}
	waitHealth(t, events, primaryID.ID(), gslb.Healthy)

	primaryDown.Store(true)
	waitHealth(t, events, primaryID.ID(), gslb.Unhealthy)
	if got := answer(); !slices.Equal(got, []string{"127.0.0.3"}) {
		t.Errorf("primary down: answered %v, want the secondary", got)
	}

	primaryDown.Store(false)
	waitHealth(t, events, primaryID.ID(), gslb.Healthy)
	if got := answer(); !slices.Equal(got, []string{"127.0.0.2"}) {
		t.Errorf("primary back: answered %v", got)
	}
}
