package geo

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// MMDB is a Locator over a MaxMind DB file shaped like GeoLite2-City or
// GeoIP2-City (GeoLite2-Country works too, without coordinates). Close it
// when done; Locate after Close finds nothing.
type MMDB struct {
	r *maxminddb.Reader
}

// cityRecord is the part of a City record routing needs. Coordinates are
// pointers because 0 is a valid latitude and longitude: absence must be
// told apart from the equator.
type cityRecord struct {
	Continent struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	// RegisteredCountry stands in when Country is absent, as MaxMind
	// documents for anycast and satellite networks.
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
	} `maxminddb:"location"`
}

// OpenMMDB opens a MaxMind DB file. A file that is not an MMDB, is
// truncated, or whose first record cannot be decoded as a City or Country
// record is refused here with an error naming the path, so a bad
// --geoip-db fails at start rather than on the first query.
func OpenMMDB(path string) (*MMDB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geo: open MMDB %s: %w", path, err)
	}
	m, err := newMMDB(r)
	if err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("geo: MMDB %s: %w", path, err)
	}
	return m, nil
}

// openMMDBBytes is OpenMMDB for data in memory, for the fuzz test.
func openMMDBBytes(b []byte) (*MMDB, error) {
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("geo: open MMDB: %w", err)
	}
	m, err := newMMDB(r)
	if err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("geo: MMDB: %w", err)
	}
	return m, nil
}

func newMMDB(r *maxminddb.Reader) (*MMDB, error) {
	md := r.Metadata
	if md.IPVersion != 4 && md.IPVersion != 6 {
		return nil, fmt.Errorf("unsupported IP version %d", md.IPVersion)
	}
	// A type such as GeoIP2-ASN decodes without error but holds no
	// location at all; say so instead of routing everyone to the default.
	t := strings.ToLower(md.DatabaseType)
	if strings.Contains(t, "asn") || strings.Contains(t, "isp") || strings.Contains(t, "connection-type") || strings.Contains(t, "domain") {
		return nil, fmt.Errorf("database type %q holds no locations; use a City or Country database", md.DatabaseType)
	}
	// Decode the record of the first network, which walks both the search
	// tree and the data section once: a file cut short or overwritten
	// fails here rather than on a query.
	for res := range r.Networks() {
		var rec cityRecord
		if err := res.Decode(&rec); err != nil {
			return nil, fmt.Errorf("first record: %w", err)
		}
		break
	}
	return &MMDB{r: r}, nil
}

// Locate looks ip up. A lookup error (a corrupt region of the file) reads
// as "not found": one bad record must not stop answering.
func (m *MMDB) Locate(ip netip.Addr) (Location, netip.Prefix, bool) {
	if m == nil || m.r == nil {
		return Location{}, netip.Prefix{}, false
	}
	ip = ip.Unmap().WithZone("")
	res := m.r.Lookup(ip)
	if res.Err() != nil {
		return Location{}, netip.Prefix{}, false
	}
	network := res.Prefix()
	if !res.Found() {
		return Location{}, network, false
	}
	var rec cityRecord
	if err := res.Decode(&rec); err != nil {
		return Location{}, netip.Prefix{}, false
	}
	loc := Location{
		Continent: strings.ToUpper(rec.Continent.Code),
		Country:   strings.ToUpper(rec.Country.ISOCode),
	}
	if loc.Country == "" {
		loc.Country = strings.ToUpper(rec.RegisteredCountry.ISOCode)
	}
	if len(rec.Subdivisions) > 0 {
		loc.Subdivision = strings.ToUpper(rec.Subdivisions[0].ISOCode)
	}
	if la, lo := rec.Location.Latitude, rec.Location.Longitude; la != nil && lo != nil {
		p := Point{Lat: *la, Lon: *lo}
		if p.Valid() {
			loc.Point, loc.HasPoint = p, true
		}
	}
	ok := loc.Continent != "" || loc.Country != "" || loc.HasPoint
	return loc, network, ok
}

// Close releases the file. It is safe to call more than once.
func (m *MMDB) Close() error {
	if m == nil || m.r == nil {
		return nil
	}
	err := m.r.Close()
	if err != nil {
		return fmt.Errorf("geo: close MMDB: %w", err)
	}
	return nil
}

var errNoMMDB = errors.New("geo: no MMDB")

// Metadata describes the open database, for logs at start.
func (m *MMDB) Metadata() (dbType string, buildEpoch uint, err error) {
	if m == nil || m.r == nil {
		return "", 0, errNoMMDB
	}
	return m.r.Metadata.DatabaseType, m.r.Metadata.BuildEpoch, nil
}
