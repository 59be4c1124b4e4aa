package txt

import (
	"context"
	"fmt"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// staticProvider returns the same zone every time and accepts any change,
// so benchmarks measure the registry alone.
type staticProvider struct{ zone []*endpoint.Endpoint }

func (s *staticProvider) Records(context.Context) ([]*endpoint.Endpoint, error) { return s.zone, nil }
func (s *staticProvider) ApplyChanges(context.Context, *plan.Changes) error     { return nil }
func (s *staticProvider) AdjustEndpoints(eps []*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return eps, nil
}

// benchZone is n owned A records, each with its ownership record.
func benchZone(n int, m NameMapper) []*endpoint.Endpoint {
	zone := make([]*endpoint.Endpoint, 0, 2*n)
	for i := range n {
		name := fmt.Sprintf("app-%d.example.com", i)
		zone = append(zone,
			&endpoint.Endpoint{DNSName: name, RecordType: "A", Targets: endpoint.Targets{"192.0.2.1"}, RecordTTL: 300},
			&endpoint.Endpoint{DNSName: m.ToTXTName(name, "A"), RecordType: "TXT", RecordTTL: 300,
				Targets: endpoint.Targets{fmt.Sprintf(`"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app-%d"`, i)}},
		)
	}
	return zone
}

func BenchmarkRecords100k(b *testing.B) {
	for _, prefix := range []string{"", "%{record_type}-k3s."} {
		b.Run("prefix="+prefix, func(b *testing.B) {
			m, _ := NewNameMapper(prefix, "", "")
			r, err := New(&staticProvider{zone: benchZone(100_000, m)}, Config{OwnerID: owner, Prefix: prefix})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				eps, err := r.Records(context.Background())
				if err != nil || len(eps) != 100_000 || eps[0].Labels.Get(endpoint.OwnerLabel) != owner {
					b.Fatalf("%d records, %v", len(eps), err)
				}
			}
		})
	}
}

func BenchmarkApplyChanges(b *testing.B) {
	const zoneSize, batch = 10_000, 100
	m, _ := NewNameMapper("", "", "")
	r, err := New(&staticProvider{zone: benchZone(zoneSize, m)}, Config{OwnerID: owner})
	if err != nil {
		b.Fatal(err)
	}
	current, err := r.Records(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	changes := &plan.Changes{}
	for i := range batch {
		changes.Create = append(changes.Create, app(fmt.Sprintf("new-%d.example.com", i), "A", "192.0.2.1"))
		changes.Delete = append(changes.Delete, current[i])
		old := current[batch+i]
		next := old.DeepCopy()
		next.Labels.Set(endpoint.ResourceLabel, "ingress/default/moved")
		changes.UpdateOld = append(changes.UpdateOld, old)
		changes.UpdateNew = append(changes.UpdateNew, next)
	}
	b.ReportAllocs()
	for b.Loop() {
		// Each call commits into the snapshot; start every one from
		// the zone as read.
		b.StopTimer()
		if _, err := r.Records(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := r.ApplyChanges(context.Background(), changes); err != nil {
			b.Fatal(err)
		}
	}
}
