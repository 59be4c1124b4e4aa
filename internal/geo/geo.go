// Package geo tells where a DNS client is: its continent, country,
// subdivision and coordinates, looked up in a GeoIP2/GeoLite2 MMDB file or a
// CIDR table. It also knows where AWS's regions are, so GSLB can measure the
// distance from a client to a region.
//
// Everything here is read-only after construction and safe for concurrent
// use: a Locator answers queries from many server goroutines at once.
package geo

import (
	"math"
	"net/netip"
)

// Location is where an address is, as far as the data knows. Codes are
// upper case: a continent code (AF AN AS EU NA OC SA), an ISO 3166-1 alpha-2
// country code and an ISO 3166-2 subdivision code without the country part
// ("CA" for California, not "US-CA"), each empty when unknown.
type Location struct {
	Continent   string
	Country     string
	Subdivision string
	// Point is meaningful only when HasPoint is set: 0,0 is a real place in
	// the Gulf of Guinea, so a zero Point cannot stand for "unknown".
	Point    Point
	HasPoint bool
}

// Locator finds where an address is. The prefix is the network the answer
// holds for (every address in it gets the same Location); it becomes the
// EDNS Client Subnet scope of an answer that depended on the location. When
// the address is not found, ok is false and the prefix may still name the
// network known to have no data, or be invalid when the source cannot say.
type Locator interface {
	Locate(ip netip.Addr) (loc Location, network netip.Prefix, ok bool)
}

// LocatorFunc adapts a function to Locator, for tests and small wrappers.
type LocatorFunc func(ip netip.Addr) (Location, netip.Prefix, bool)

// Locate calls f.
func (f LocatorFunc) Locate(ip netip.Addr) (Location, netip.Prefix, bool) { return f(ip) }

// Point is a position on the Earth in decimal degrees.
type Point struct {
	Lat, Lon float64
}

// Valid reports whether p is within -90..90 latitude and -180..180
// longitude (and not NaN).
func (p Point) Valid() bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// earthRadiusKm is the mean radius (IUGG), good to about 0.5% anywhere,
// which is far finer than where a GeoIP database puts a client.
const earthRadiusKm = 6371.0088

// Distance is the great-circle distance between a and b in kilometres, by
// the haversine formula (well conditioned for short distances too).
func Distance(a, b Point) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s1, s2 := math.Sin(dLat/2), math.Sin(dLon/2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	// Rounding can push h a hair above 1 for antipodes.
	h = min(h, 1)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(h))
}

// continents are the codes GeoIP2 and Route 53 use.
var continents = [...]string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"}

// IsContinent reports whether c is one of AF AN AS EU NA OC SA.
func IsContinent(c string) bool {
	for _, k := range continents {
		if c == k {
			return true
		}
	}
	return false
}
