package route53

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Geolocation and geoproximity rules, as Route 53 enforces them
// (shared/recipes/route53-rules.md §2).
var (
	continents    = []string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"}
	countryRE     = regexp.MustCompile(`^([A-Z]{2}|\*)$`)
	subdivisionRE = regexp.MustCompile(`^[A-Z0-9]{1,3}$`)
	awsRegionRE   = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	latitudeRE    = regexp.MustCompile(`^[-+]?[0-9]{1,2}(\.[0-9]{0,2})?$`)
	longitudeRE   = regexp.MustCompile(`^[-+]?[0-9]{1,3}(\.[0-9]{0,2})?$`)
)

func (r *routing) parseGeolocation(get func(string) string) *propError {
	r.continent = strings.ToUpper(get(propGeoContinent))
	r.country = strings.ToUpper(get(propGeoCountry))
	r.subdivision = strings.ToUpper(get(propGeoSubdivision))
	switch {
	case r.continent != "" && (r.country != "" || r.subdivision != ""):
		return refuse(propGeoContinent, "cannot be combined with a country or subdivision code")
	case r.continent != "" && !slices.Contains(continents, r.continent):
		return refuse(propGeoContinent, "%q is not one of %s", r.continent, strings.Join(continents, ", "))
	case r.continent == "" && r.country == "":
		return refuse(propGeoCountry, "is needed with %s (or set %s)", propGeoSubdivision, propGeoContinent)
	case r.country != "" && !countryRE.MatchString(r.country):
		return refuse(propGeoCountry, "must be a two-letter ISO 3166 code or \"*\" for the default record, not %q", r.country)
	case r.subdivision != "" && !subdivisionRE.MatchString(r.subdivision):
		return refuse(propGeoSubdivision, "must be 1 to 3 letters or digits, not %q", r.subdivision)
	case r.subdivision != "" && r.country == "*":
		return refuse(propGeoSubdivision, "cannot be combined with the default country \"*\"")
	}
	return nil
}

func (r *routing) parseGeoproximity(get func(string) string) *propError {
	r.gpRegion, r.gpLocalZone = get(propGeoProxRegion), get(propGeoProxLocalZone)
	coords := get(propGeoProxCoords)
	n := 0
	for _, v := range []string{r.gpRegion, r.gpLocalZone, coords} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return refuse(propGeoProxRegion, "geoproximity needs exactly one of %s, %s or %s", propGeoProxRegion, propGeoProxLocalZone, propGeoProxCoords)
	}
	switch {
	case r.gpRegion != "" && !awsRegionRE.MatchString(r.gpRegion):
		return refuse(propGeoProxRegion, "%q is not an AWS region name", r.gpRegion)
	case len(r.gpLocalZone) > 64:
		return refuse(propGeoProxLocalZone, "must be at most 64 characters")
	case coords != "":
		lat, long, ok := strings.Cut(coords, ",")
		r.gpLat, r.gpLong = strings.TrimSpace(lat), strings.TrimSpace(long)
		if !ok || !validCoordinate(r.gpLat, latitudeRE, 90) || !validCoordinate(r.gpLong, longitudeRE, 180) {
			return refuse(propGeoProxCoords, "must be \"latitude,longitude\" with at most two decimals (-90..90, -180..180), not %q", coords)
		}
	}
	if b := get(propGeoProxBias); b != "" {
		v, err := strconv.ParseInt(b, 10, 32)
		if err != nil || v < -99 || v > 99 {
			return refuse(propGeoProxBias, "must be a whole number from -99 to 99, not %q", b)
		}
		r.gpBias = int32(v)
	}
	return nil
}

func validCoordinate(s string, re *regexp.Regexp, limit float64) bool {
	if !re.MatchString(s) {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f >= -limit && f <= limit
}
