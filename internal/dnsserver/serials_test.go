package dnsserver

import (
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// TestAdoptSerial: a replica takes the leader's serial only for the same
// records, and then answers it in its SOA.
func TestAdoptSerial(t *testing.T) {
	leader := newAuthority(t, []string{"example.com"}, ep("www.example.com", "A", "192.0.2.1"))
	// The follower got there in two steps, so its serial differs.
	follower := newAuthority(t, []string{"example.com"}, ep("other.example.com", "A", "192.0.2.9"))
	if err := follower.Apply(t.Context(), &plan.Changes{Delete: []*endpoint.Endpoint{ep("other.example.com", "A", "192.0.2.9")},
		Create: []*endpoint.Endpoint{ep("www.example.com", "A", "192.0.2.1")}}); err != nil {
		t.Fatal(err)
	}
	lv, fv := leader.Versions()["example.com"], follower.Versions()["example.com"]
	if lv.Digest != fv.Digest || lv.Serial == fv.Serial {
		t.Fatalf("setup: leader %+v follower %+v", lv, fv)
	}
	if changed, err := follower.AdoptSerial("example.com", lv); err != nil || !changed {
		t.Fatalf("AdoptSerial = %v, %v", changed, err)
	}
	if got, _ := follower.Snapshot().Serial("example.com."); got != lv.Serial {
		t.Errorf("SOA serial %d, want the leader's %d", got, lv.Serial)
	}
	// Different records: the serial is left alone.
	if err := follower.Apply(t.Context(), &plan.Changes{Create: []*endpoint.Endpoint{ep("new.example.com", "A", "192.0.2.5")}}); err != nil {
		t.Fatal(err)
	}
	before := follower.Versions()["example.com"].Serial
	if changed, _ := follower.AdoptSerial("example.com", lv); changed {
		t.Error("a serial was taken for other records")
	}
	if got, _ := follower.Snapshot().Serial("example.com."); got != before {
		t.Errorf("serial moved to %d", got)
	}
}
