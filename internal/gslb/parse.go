package gslb

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/geo"
)

// policyProps names, per policy, the properties that select it (as the
// Route 53 provider reads them). failover-latency is selected by
// gslb/routing-policy alone.
var policyProps = []struct {
	policy Policy
	props  []string
}{
	{PolicyWeighted, []string{PropWeight}},
	{PolicyLatency, []string{PropRegion}},
	{PolicyFailover, []string{PropFailover}},
	{PolicyGeolocation, []string{PropGeoContinent, PropGeoCountry, PropGeoSubdivision}},
	{PolicyGeoproximity, []string{PropGeoProxRegion, PropGeoProxLocalZone, PropGeoProxCoords, PropGeoProxBias}},
	{PolicyMultiValue, []string{PropMultiValue}},
}

// Route 53's formats, so exodns never accepts what Route 53 would refuse
// for the same manifest.
var (
	countryRE     = regexp.MustCompile(`^([A-Z]{2}|\*)$`)
	subdivisionRE = regexp.MustCompile(`^[A-Z0-9]{1,3}$`)
	latitudeRE    = regexp.MustCompile(`^[-+]?[0-9]{1,2}(\.[0-9]{0,2})?$`)
	longitudeRE   = regexp.MustCompile(`^[-+]?[0-9]{1,3}(\.[0-9]{0,2})?$`)
)

// parser collects every problem of one set, so a user fixes them in one go.
type parser struct {
	ps      endpoint.ProviderSpecific
	regions geo.Regions
	s       *Set
	errs    []error
}

func (p *parser) get(prop string) (string, bool) {
	v, ok := p.ps.Get(prop)
	return strings.TrimSpace(v), ok
}

func (p *parser) fail(prop, value, reason string) {
	p.errs = append(p.errs, &PropertyError{Name: p.s.Name, Set: p.s.ID, Property: prop, Value: value, Reason: reason})
}

// Parse reads one record set's routing from its set identifier and
// provider-specific properties; name is used in errors and as the default
// health check Host. regions places aws/region values; nil means
// geo.BuiltinRegions(). Targets, RecordType and RecordTTL are left for the
// caller (see SetFrom). All problems are returned, joined; each is a
// *PropertyError.
func Parse(name, id string, ps endpoint.ProviderSpecific, regions geo.Regions) (Set, error) {
	if regions == nil {
		regions = geo.BuiltinRegions()
	}
	s := Set{Name: name, ID: id}
	p := &parser{ps: ps, regions: regions, s: &s}
	for _, kv := range ps {
		if strings.HasPrefix(kv.Name, "gslb/") && !slices.Contains(gslbProps, kv.Name) {
			p.fail(kv.Name, kv.Value, "unknown property; known: "+strings.Join(gslbProps, ", "))
		}
	}
	p.policy()
	if id == "" && s.Policy != PolicySimple {
		p.fail(PropSetIdentifier, "", "a "+s.Policy.String()+" record needs a set identifier")
	}
	if id != "" && s.Policy == PolicySimple {
		p.fail(PropSetIdentifier, id, "a set identifier needs a routing policy (aws-weight, aws-failover, aws-region, aws-geolocation-*, aws-geoproximity-*, aws-multi-value-answer or gslb-routing-policy)")
	}
	p.ttl()
	p.check()
	return s, errors.Join(p.errs...)
}

// policy finds the one routing policy of the set and parses its values.
func (p *parser) policy() {
	var kinds []Policy
	var first []string
	for _, k := range policyProps {
		for _, prop := range k.props {
			if _, ok := p.ps.Get(prop); ok {
				kinds, first = append(kinds, k.policy), append(first, prop)
				break
			}
		}
	}
	if v, ok := p.get(PropRoutingPolicy); ok {
		if !strings.EqualFold(v, PolicyFailoverLatency.String()) {
			p.fail(PropRoutingPolicy, v, "unknown routing policy; exodns adds only \"failover-latency\" (the others are chosen by their aws-* annotations)")
			return
		}
		// failover-latency places each set by aws/region: that property
		// is part of it, not a second policy.
		if i := slices.Index(kinds, PolicyLatency); i >= 0 {
			kinds[i] = PolicyFailoverLatency
		} else {
			p.fail(PropRegion, "", "failover-latency needs the region of each set")
			return
		}
	}
	if len(kinds) > 1 {
		p.fail(first[1], "", "conflicts with "+first[0]+": one routing policy per record (weighted, latency, failover, geolocation, geoproximity, multivalue or failover-latency)")
		return
	}
	if len(kinds) == 0 {
		return
	}
	p.s.Policy = kinds[0]
	switch p.s.Policy {
	case PolicyWeighted:
		v, _ := p.get(PropWeight)
		w, err := strconv.Atoi(v)
		if err != nil || w < 0 || w > 255 {
			p.fail(PropWeight, v, "must be a whole number from 0 to 255")
		}
		p.s.Weight = w
	case PolicyLatency, PolicyFailoverLatency:
		v, _ := p.get(PropRegion)
		p.s.Region = strings.ToLower(v)
		pt, ok := p.regions.Lookup(p.s.Region)
		if !ok {
			p.fail(PropRegion, v, "not a known region (the AWS regions, or one added with a regions file)")
		}
		p.s.Point = pt
	case PolicyFailover:
		v, _ := p.get(PropFailover)
		switch strings.ToUpper(v) {
		case "PRIMARY":
			p.s.Role = RolePrimary
		case "SECONDARY":
			p.s.Role = RoleSecondary
		default:
			p.fail(PropFailover, v, "must be PRIMARY or SECONDARY")
		}
	case PolicyGeolocation:
		p.geolocation()
	case PolicyGeoproximity:
		p.geoproximity()
	case PolicyMultiValue:
		v, _ := p.get(PropMultiValue)
		if b, err := strconv.ParseBool(v); err != nil || !b {
			p.fail(PropMultiValue, v, "must be \"true\" (remove it for no multivalue answer)")
		}
	}
}

func (p *parser) geolocation() {
	cont, _ := p.get(PropGeoContinent)
	country, _ := p.get(PropGeoCountry)
	sub, _ := p.get(PropGeoSubdivision)
	g := Geolocation{Continent: strings.ToUpper(cont), Country: strings.ToUpper(country), Subdivision: strings.ToUpper(sub)}
	switch {
	case g.Continent != "" && (g.Country != "" || g.Subdivision != ""):
		p.fail(PropGeoContinent, cont, "cannot be combined with a country or subdivision code")
	case g.Continent != "" && !geo.IsContinent(g.Continent):
		p.fail(PropGeoContinent, cont, "must be one of AF, AN, AS, EU, NA, OC, SA")
	case g.Continent == "" && g.Country == "":
		p.fail(PropGeoCountry, "", "is needed with "+PropGeoSubdivision+" (or set "+PropGeoContinent+")")
	case g.Country != "" && !countryRE.MatchString(g.Country):
		p.fail(PropGeoCountry, country, "must be a two-letter ISO 3166 code, or \"*\" for the default record")
	case g.Subdivision != "" && !subdivisionRE.MatchString(g.Subdivision):
		p.fail(PropGeoSubdivision, sub, "must be 1 to 3 letters or digits")
	case g.Subdivision != "" && g.Country == "*":
		p.fail(PropGeoSubdivision, sub, "cannot be combined with the default country \"*\"")
	}
	p.s.Geo = g
}

func (p *parser) geoproximity() {
	region, _ := p.get(PropGeoProxRegion)
	zone, _ := p.get(PropGeoProxLocalZone)
	coords, _ := p.get(PropGeoProxCoords)
	n := 0
	for _, v := range []string{region, zone, coords} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		p.fail(PropGeoProxRegion, region, "geoproximity needs exactly one of "+PropGeoProxRegion+", "+PropGeoProxLocalZone+" or "+PropGeoProxCoords)
		return
	}
	switch {
	case region != "":
		p.s.Region = strings.ToLower(region)
		pt, ok := p.regions.Lookup(p.s.Region)
		if !ok {
			p.fail(PropGeoProxRegion, region, "not a known region (the AWS regions, or one added with a regions file)")
		}
		p.s.Point = pt
	case zone != "":
		// A Local Zone group (us-west-2-lax-1) is placed at its parent
		// region: close enough to rank it against other regions, and it
		// needs no table of every Local Zone.
		parent := parentRegion(strings.ToLower(zone), p.regions)
		if parent == "" {
			p.fail(PropGeoProxLocalZone, zone, "not a Local Zone group of a known region (such as us-west-2-lax-1)")
			return
		}
		p.s.Region = parent
		p.s.Point = p.regions[parent]
	default:
		lat, lon, ok := strings.Cut(coords, ",")
		lat, lon = strings.TrimSpace(lat), strings.TrimSpace(lon)
		la, errLa := strconv.ParseFloat(lat, 64)
		lo, errLo := strconv.ParseFloat(lon, 64)
		if !ok || !latitudeRE.MatchString(lat) || !longitudeRE.MatchString(lon) || errLa != nil || errLo != nil ||
			la < -90 || la > 90 || lo < -180 || lo > 180 {
			p.fail(PropGeoProxCoords, coords, "must be \"latitude,longitude\" with at most two decimals (-90..90, -180..180)")
			return
		}
		p.s.Point = geo.Point{Lat: la, Lon: lo}
	}
	if b, ok := p.get(PropGeoProxBias); ok && b != "" {
		v, err := strconv.Atoi(b)
		if err != nil || v < -99 || v > 99 {
			p.fail(PropGeoProxBias, b, "must be a whole number from -99 to 99")
			return
		}
		p.s.Bias = v
	}
}

// parentRegion returns the longest known region that zone starts with,
// followed by "-": us-west-2-lax-1 → us-west-2.
func parentRegion(zone string, regions geo.Regions) string {
	best := ""
	for r := range regions {
		if strings.HasPrefix(zone, r+"-") && len(r) > len(best) {
			best = r
		}
	}
	return best
}

func (p *parser) ttl() {
	v, ok := p.get(PropTTL)
	if !ok {
		return
	}
	d, err := parseSeconds(v)
	if err != nil || d < 1 || d > 86400 {
		p.fail(PropTTL, v, "must be whole seconds (or a duration such as 5s) from 1 to 86400")
		return
	}
	p.s.TTL = uint32(d)
}
