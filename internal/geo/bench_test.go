package geo

import (
	"net/netip"
	"strings"
	"testing"
)

// BenchmarkLocate measures one client lookup, which the server makes per
// routed query that depends on location.
func BenchmarkLocate(b *testing.B) {
	tab, err := ParseTable(strings.NewReader(testTable))
	if err != nil {
		b.Fatal(err)
	}
	db, err := openMMDBBytes(testCityDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ip := netip.MustParseAddr("198.51.100.77")
	for _, l := range []struct {
		name string
		loc  Locator
		ip   netip.Addr
	}{{"table", tab, netip.MustParseAddr("10.1.2.3")}, {"mmdb", db, ip}} {
		b.Run(l.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, ok := l.loc.Locate(l.ip); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
	b.Run("distance", func(b *testing.B) {
		p, q := Point{48.85, 2.35}, Point{1.35, 103.82}
		for b.Loop() {
			_ = Distance(p, q)
		}
	})
}
