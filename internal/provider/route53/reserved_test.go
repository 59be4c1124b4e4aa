package route53

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/test/route53fake"
)

// TestTXTAtOwnershipNameRefused: on Route 53, a desired TXT record named
// like an ownership record (a-x.example.com while x.example.com A is
// owned, by us or another cluster; with a prefix or a suffix too) is
// refused before planning with a reason naming the owner. It is never
// sent, its own ownership record (txt-a-x…) is never written, and the
// other records land.
func TestTXTAtOwnershipNameRefused(t *testing.T) {
	for _, tc := range []struct {
		name          string
		tc            txt.Config
		ownerOfX      string
		txtName, want string
	}{
		{"ours", txt.Config{OwnerID: "c1"}, "c1", "a-x.example.com", `owned by "c1"`},
		{"another cluster's", txt.Config{OwnerID: "c1"}, "c2", "a-x.example.com", `owned by "c2"`},
		{"prefix", txt.Config{OwnerID: "c1", Prefix: "own-"}, "c1", "own-a-x.example.com", `owned by "c1"`},
		{"templated suffix", txt.Config{OwnerID: "c1", Suffix: "-%{record_type}"}, "c1", "x-a.example.com", `owned by "c1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: -1})
			zid := e.fake.AddZone("example.com", false, nil)
			x := owned("x.example.com", "A", "service/default/x", rke2IP)
			owner := tc.tc
			owner.OwnerID = tc.ownerOfX
			e.clusterTXT(owner, fastConfig(), Options{}).mustConverge(x)

			c := e.clusterTXT(tc.tc, fastConfig(), Options{})
			c.managed = []string{"A", "AAAA", "CNAME", "TXT"}
			desired := []*endpoint.Endpoint{owned(tc.txtName, "TXT", "service/default/note", "hello"),
				owned("y.example.com", "A", "service/default/y", k3sIP)}
			if tc.ownerOfX == tc.tc.OwnerID {
				desired = append(desired, x)
			}
			// The first run may still learn the zone while applying; from
			// the second on, the record is held before planning.
			_, _ = c.sync(desired...)
			before := e.zoneContent(zid)
			if _, err := c.sync(desired...); err != nil {
				t.Fatalf("second run: %v", err)
			}
			adj, err := c.reg.AdjustEndpoints(desired)
			if err != nil {
				t.Fatal(err)
			}
			var reason string
			for _, a := range adj {
				if a.DNSName == tc.txtName && a.Held() {
					reason = a.Labels.Get(endpoint.HoldLabel)
				}
			}
			if !strings.Contains(reason, tc.want) {
				t.Errorf("hold reason %q, want one saying %s", reason, tc.want)
			}
			content := strings.Join(e.zoneContent(zid), "\n")
			if strings.Contains(content, "hello") || strings.Contains(content, "txt-") || strings.Contains(content, "-txt.") {
				t.Errorf("the refused record or its ownership record was written:\n%s", content)
			}
			if !e.has(zid, "y.example.com") {
				t.Errorf("the neighbour did not land:\n%s", content)
			}
			if after := e.zoneContent(zid); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("the second run changed the zone")
			}
		})
	}
}
