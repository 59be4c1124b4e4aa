package geo

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
)

// Regions maps a region name (aws/region values such as "eu-west-1") to
// where it is. Latency routing measures the client's distance to these
// points, so a region only has to be placed to within a few hundred km: the
// metro area its data centres serve is enough.
type Regions map[string]Point

// Lookup returns the point of a region.
func (r Regions) Lookup(name string) (Point, bool) {
	p, ok := r[name]
	return p, ok
}

// builtinRegions are AWS's regions, each placed at the metro area AWS names
// it after. They are the values of aws/region and aws/geoproximity-region,
// so a manifest written for Route 53 routes the same way here. The China
// and GovCloud regions are included because Route 53 accepts them too.
// Never modified: BuiltinRegions hands out copies.
var builtinRegions = [...]struct {
	name     string
	lat, lon float64
}{
	{"us-east-1", 38.95, -77.45},       // N. Virginia (Ashburn)
	{"us-east-2", 39.96, -83.00},       // Ohio (Columbus)
	{"us-west-1", 37.35, -121.96},      // N. California (San Jose)
	{"us-west-2", 45.84, -119.70},      // Oregon (Boardman)
	{"us-gov-east-1", 39.96, -83.00},   // GovCloud US-East (Ohio)
	{"us-gov-west-1", 45.84, -119.70},  // GovCloud US-West (Oregon)
	{"ca-central-1", 45.50, -73.57},    // Canada (Montreal)
	{"ca-west-1", 51.05, -114.07},      // Canada West (Calgary)
	{"mx-central-1", 20.59, -100.39},   // Mexico (Querétaro)
	{"sa-east-1", -23.55, -46.63},      // South America (São Paulo)
	{"eu-west-1", 53.35, -6.26},        // Ireland (Dublin)
	{"eu-west-2", 51.51, -0.13},        // London
	{"eu-west-3", 48.86, 2.35},         // Paris
	{"eu-central-1", 50.11, 8.68},      // Frankfurt
	{"eu-central-2", 47.37, 8.54},      // Zurich
	{"eu-south-1", 45.46, 9.19},        // Milan
	{"eu-south-2", 41.65, -0.88},       // Spain (Aragón)
	{"eu-north-1", 59.33, 18.07},       // Stockholm
	{"il-central-1", 32.09, 34.78},     // Israel (Tel Aviv)
	{"me-south-1", 26.07, 50.56},       // Bahrain
	{"me-central-1", 24.45, 54.38},     // UAE (Abu Dhabi)
	{"af-south-1", -33.92, 18.42},      // Africa (Cape Town)
	{"ap-south-1", 19.08, 72.88},       // Mumbai
	{"ap-south-2", 17.39, 78.49},       // Hyderabad
	{"ap-east-1", 22.32, 114.17},       // Hong Kong
	{"ap-east-2", 25.03, 121.57},       // Taipei
	{"ap-southeast-1", 1.35, 103.82},   // Singapore
	{"ap-southeast-2", -33.87, 151.21}, // Sydney
	{"ap-southeast-3", -6.21, 106.85},  // Jakarta
	{"ap-southeast-4", -37.81, 144.96}, // Melbourne
	{"ap-southeast-5", 3.14, 101.69},   // Malaysia (Kuala Lumpur)
	{"ap-southeast-6", -36.85, 174.76}, // New Zealand (Auckland)
	{"ap-southeast-7", 13.76, 100.50},  // Thailand (Bangkok)
	{"ap-northeast-1", 35.68, 139.69},  // Tokyo
	{"ap-northeast-2", 37.57, 126.98},  // Seoul
	{"ap-northeast-3", 34.69, 135.50},  // Osaka
	{"cn-north-1", 39.90, 116.41},      // Beijing
	{"cn-northwest-1", 37.51, 105.19},  // Ningxia (Zhongwei)
}

// BuiltinRegions returns a new map of AWS's regions; the caller may change
// it freely.
func BuiltinRegions() Regions {
	r := make(Regions, len(builtinRegions))
	for _, b := range builtinRegions {
		r[b.name] = Point{Lat: b.lat, Lon: b.lon}
	}
	return r
}

// ParseRegions reads "region latitude longitude" lines (blank lines and
// "#" comments ignored) and returns the built-in regions with these added
// or replaced. Use it to name on-premises sites ("dc-paris 48.85 2.35") or
// to place a region more precisely.
func ParseRegions(r io.Reader) (Regions, error) {
	out := BuiltinRegions()
	seen := make(map[string]int)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, fmt.Errorf("geo: regions line %d: want \"region latitude longitude\", got %d fields", n, len(f))
		}
		name := strings.ToLower(f[0])
		if !validRegionName(name) {
			return nil, fmt.Errorf("geo: regions line %d: %q is not a region name (letters, digits and '-', up to 64)", n, f[0])
		}
		if prev, dup := seen[name]; dup {
			return nil, fmt.Errorf("geo: regions line %d: region %q already set on line %d", n, name, prev)
		}
		p, err := parsePoint(f[1], f[2])
		if err != nil {
			return nil, fmt.Errorf("geo: regions line %d: %w", n, err)
		}
		seen[name] = n
		out[name] = p
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("geo: regions: %w", err)
	}
	return out, nil
}

// Clone returns an independent copy.
func (r Regions) Clone() Regions { return maps.Clone(r) }

func validRegionName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// parsePoint reads decimal degrees, refusing anything off the globe.
func parsePoint(lat, lon string) (Point, error) {
	la, err := strconv.ParseFloat(lat, 64)
	if err != nil || !(la >= -90 && la <= 90) { // written so NaN fails
		return Point{}, fmt.Errorf("latitude %q is not a number from -90 to 90", lat)
	}
	lo, err := strconv.ParseFloat(lon, 64)
	if err != nil || !(lo >= -180 && lo <= 180) {
		return Point{}, fmt.Errorf("longitude %q is not a number from -180 to 180", lon)
	}
	return Point{Lat: la, Lon: lo}, nil
}
