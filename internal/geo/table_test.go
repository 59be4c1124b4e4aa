package geo

import (
	"net/netip"
	"strings"
	"testing"
)

const testTable = `
# a private address plan
10.0.0.0/8        EU DE                 # Germany by default
10.1.0.0/16       NA US CA 37.4 -122.1  # California office
10.1.2.0/24       NA US -  40.7 -74.0   # a New York rack inside it
192.0.2.0/24      -  -  -  51.5 -0.1    # coordinates only
2001:db8::/32     OC AU NSW
2001:db8:1::/48   as jp                 # lower case is fine
::ffff:198.51.100.0/120  SA BR          # IPv4-mapped folds to IPv4
`

func TestParseTableLookups(t *testing.T) {
	tab, err := ParseTable(strings.NewReader(testTable))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 7 {
		t.Fatalf("Len = %d, want 7", tab.Len())
	}
	tests := []struct {
		ip      string
		want    Location
		network string
		found   bool
	}{
		{"10.200.0.1", Location{Continent: "EU", Country: "DE"}, "10.0.0.0/8", true},
		{"10.1.9.9", Location{Continent: "NA", Country: "US", Subdivision: "CA", Point: Point{37.4, -122.1}, HasPoint: true}, "10.1.0.0/16", true},
		{"10.1.2.3", Location{Continent: "NA", Country: "US", Point: Point{40.7, -74.0}, HasPoint: true}, "10.1.2.0/24", true},
		{"::ffff:10.1.2.3", Location{Continent: "NA", Country: "US", Point: Point{40.7, -74.0}, HasPoint: true}, "10.1.2.0/24", true},
		{"192.0.2.200", Location{Point: Point{51.5, -0.1}, HasPoint: true}, "192.0.2.0/24", true},
		{"2001:db8:ffff::1", Location{Continent: "OC", Country: "AU", Subdivision: "NSW"}, "2001:db8::/32", true},
		{"2001:db8:1:2::3", Location{Continent: "AS", Country: "JP"}, "2001:db8:1::/48", true},
		{"198.51.100.7", Location{Continent: "SA", Country: "BR"}, "198.51.100.0/24", true},
		{"11.0.0.1", Location{}, "", false},
		{"2001:db9::1", Location{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			loc, network, found := tab.Locate(netip.MustParseAddr(tt.ip))
			if found != tt.found || loc != tt.want {
				t.Errorf("Locate = %+v, %v; want %+v, %v", loc, found, tt.want, tt.found)
			}
			if tt.network == "" {
				if network.IsValid() {
					t.Errorf("network = %s, want none", network)
				}
			} else if network != netip.MustParsePrefix(tt.network) {
				t.Errorf("network = %s, want %s", network, tt.network)
			}
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"too few fields", "10.0.0.0/8 EU", "line 1: want \"CIDR continent"},
		{"too many fields", "10.0.0.0/8 EU DE BY 1 2 3", "line 1: want"},
		{"not a prefix", "\n\n10.0.0.0 EU DE", "line 3: \"10.0.0.0\" is not a CIDR prefix"},
		{"host bits", "10.1.2.3/8 EU DE", "line 1: 10.1.2.3/8 has bits set after the first 8; the network is 10.0.0.0/8"},
		{"bad continent", "10.0.0.0/8 EUR DE", "line 1: continent \"EUR\""},
		{"bad country", "10.0.0.0/8 EU DEU", "line 1: country \"DEU\""},
		{"digits in country", "10.0.0.0/8 EU D1", "country \"D1\""},
		{"bad subdivision", "10.0.0.0/8 EU DE BAYE", "subdivision \"BAYE\""},
		{"latitude without longitude after subdivision", "10.0.0.0/8 EU DE BY 48.1", "either a subdivision, or latitude longitude"},
		{"bad latitude", "10.0.0.0/8 EU DE 95 10", "latitude \"95\""},
		{"bad longitude", "10.0.0.0/8 EU DE BY 48 east", "longitude \"east\""},
		{"coordinates as subdivision", "10.0.0.0/8 EU DE 48.1", "subdivision \"48.1\""},
		{"duplicate", "10.0.0.0/8 EU DE\n# x\n10.0.0.0/8 EU FR", "line 3: 10.0.0.0/8 is already on line 1"},
		{"line too long", "10.0.0.0/8 EU DE " + strings.Repeat("x", maxTableLine), "token too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTable(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "geo: table") {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestTableEmpty(t *testing.T) {
	tab, err := ParseTable(strings.NewReader("# nothing\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := tab.Locate(netip.MustParseAddr("192.0.2.1")); ok {
		t.Error("empty table found an address")
	}
	if _, _, ok := tab.Locate(netip.Addr{}); ok {
		t.Error("empty table found the zero address")
	}
}

// FuzzParseTable: any input either fails with an error or gives a table in
// which every entry's own network address finds that entry or a longer one.
func FuzzParseTable(f *testing.F) {
	f.Add(testTable)
	f.Add("10.0.0.0/8 EU DE\n10.0.0.0/9 - - - 1 2\n")
	f.Add("::/0 - - \n0.0.0.0/0 AF ZA GT -26.2 28.0")
	f.Add("10.0.0.0/8 EU DE BY 48.1 11.6 # x")
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := ParseTable(strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "geo: table") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		for p, want := range tab.entries {
			loc, network, ok := tab.Locate(p.Addr())
			if !ok || !network.Contains(p.Addr()) || network.Bits() < p.Bits() {
				t.Fatalf("entry %s: Locate = %+v %s %v", p, loc, network, ok)
			}
			if network == p && loc != want {
				t.Fatalf("entry %s: Locate = %+v, want %+v", p, loc, want)
			}
			if loc.HasPoint && !loc.Point.Valid() {
				t.Fatalf("entry %s: invalid point %+v", p, loc.Point)
			}
		}
	})
}
