package geo

import (
	"bytes"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// cityRecord builds a record shaped like GeoLite2-City's, with only the
// fields exodns reads plus a name map, as the real files have.
func cityData(continent, country, subdivision string, coords ...float64) mmdbtype.Map {
	m := mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String(continent), "names": mmdbtype.Map{"en": mmdbtype.String("x")}},
	}
	if country != "" {
		m["country"] = mmdbtype.Map{"iso_code": mmdbtype.String(country)}
	}
	if subdivision != "" {
		m["subdivisions"] = mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String(subdivision)}}
	}
	if len(coords) == 2 {
		m["location"] = mmdbtype.Map{
			"latitude": mmdbtype.Float64(coords[0]), "longitude": mmdbtype.Float64(coords[1]),
			"accuracy_radius": mmdbtype.Uint16(50),
		}
	}
	return m
}

// writeMMDB builds a small City database and returns its bytes.
func writeMMDB(t testing.TB, dbType string, records map[string]mmdbtype.Map) []byte {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		IncludeReservedNetworks: true, // the test networks are documentation ranges
		RecordSize:              24,
	})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, rec := range records {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, rec); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testCityDB(t testing.TB) []byte {
	regBR := cityData("SA", "", "")
	regBR["registered_country"] = mmdbtype.Map{"iso_code": mmdbtype.String("BR")}
	return writeMMDB(t, "GeoLite2-City", map[string]mmdbtype.Map{
		"198.51.100.0/24": cityData("EU", "DE", "BE", 52.52, 13.40),
		"203.0.113.0/25":  cityData("NA", "US", "CA", 37.77, -122.42),
		"192.0.2.0/24":    cityData("OC", "AU", "", 0, 0), // the equator is a real place
		"2001:db8::/32":   cityData("AS", "JP", "13"),
		"100.64.0.0/10":   regBR,
	})
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "city.mmdb")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMMDBLocate(t *testing.T) {
	db, err := OpenMMDB(writeFile(t, testCityDB(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if typ, _, err := db.Metadata(); err != nil || typ != "GeoLite2-City" {
		t.Errorf("Metadata = %q, %v", typ, err)
	}
	tests := []struct {
		ip      string
		want    Location
		found   bool
		network string
	}{
		{"198.51.100.77", Location{Continent: "EU", Country: "DE", Subdivision: "BE", Point: Point{52.52, 13.40}, HasPoint: true}, true, "198.51.100.0/24"},
		{"::ffff:198.51.100.77", Location{Continent: "EU", Country: "DE", Subdivision: "BE", Point: Point{52.52, 13.40}, HasPoint: true}, true, "198.51.100.0/24"},
		{"203.0.113.5", Location{Continent: "NA", Country: "US", Subdivision: "CA", Point: Point{37.77, -122.42}, HasPoint: true}, true, "203.0.113.0/25"},
		{"192.0.2.1", Location{Continent: "OC", Country: "AU", HasPoint: true}, true, "192.0.2.0/24"},
		{"2001:db8:5::1", Location{Continent: "AS", Country: "JP", Subdivision: "13"}, true, "2001:db8::/32"},
		{"100.100.1.1", Location{Continent: "SA", Country: "BR"}, true, "100.64.0.0/10"},
		// A miss still names the network known to be empty, so the ECS
		// scope of the fallback answer covers it.
		{"203.0.113.200", Location{}, false, "203.0.113.128/25"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			loc, network, found := db.Locate(netip.MustParseAddr(tt.ip))
			if loc != tt.want || found != tt.found {
				t.Errorf("Locate = %+v, %v; want %+v, %v", loc, found, tt.want, tt.found)
			}
			if network != netip.MustParsePrefix(tt.network) {
				t.Errorf("network = %s, want %s", network, tt.network)
			}
		})
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := db.Locate(netip.MustParseAddr("198.51.100.77")); ok {
		t.Error("Locate after Close found an address")
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenMMDBErrors(t *testing.T) {
	good := testCityDB(t)
	asn := writeMMDB(t, "GeoLite2-ASN", map[string]mmdbtype.Map{
		"198.51.100.0/24": {"autonomous_system_number": mmdbtype.Uint32(64500)},
	})
	// The data section follows the search tree; overwrite it so the tree
	// points at garbage.
	corruptData := bytes.Clone(good)
	meta := bytes.LastIndex(corruptData, []byte("\xab\xcd\xefMaxMind.com"))
	for i := meta - 120; i < meta-40 && i > 0; i++ {
		corruptData[i] = 0xff
	}
	tests := []struct {
		name string
		data []byte
		path string
		want string
	}{
		{name: "missing file", path: filepath.Join(t.TempDir(), "nope.mmdb"), want: "no such file"},
		{name: "empty file", data: []byte{}, want: "empty"},
		{name: "not an MMDB", data: []byte("this is a CSV,not,an,mmdb\n"), want: "geo: open MMDB"},
		{name: "truncated", data: good[:len(good)/2], want: "geo: open MMDB"},
		{name: "ASN database", data: asn, want: "holds no locations"},
		{name: "corrupt data section", data: corruptData, want: "geo: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.path
			if p == "" {
				p = writeFile(t, tt.data)
			}
			db, err := OpenMMDB(p)
			if err == nil {
				// Some corruption is only visible on lookup: it must
				// then read as not found, never panic.
				defer db.Close()
				for _, ip := range []string{"198.51.100.1", "203.0.113.1", "2001:db8::1"} {
					db.Locate(netip.MustParseAddr(ip))
				}
				if tt.name != "corrupt data section" {
					t.Fatalf("OpenMMDB succeeded, want error containing %q", tt.want)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("err = %v, want one naming the file and containing %q", err, tt.want)
			}
		})
	}
}

// FuzzMMDB mutates a valid database: opening and looking up must return
// errors or "not found", never panic, and never report invalid coordinates.
func FuzzMMDB(f *testing.F) {
	f.Add(testCityDB(f), []byte{198, 51, 100, 1})
	f.Add(testCityDB(f), []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, db []byte, ip []byte) {
		m, err := openMMDBBytes(bytes.Clone(db))
		if err != nil {
			return
		}
		defer m.Close()
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			a = netip.MustParseAddr("198.51.100.1")
		}
		loc, _, found := m.Locate(a)
		if found && loc.HasPoint && !loc.Point.Valid() {
			t.Fatalf("invalid point %+v", loc.Point)
		}
	})
}
