package route53

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// policy is a Route 53 routing policy kind. Route 53 allows one per record
// set, and every set with a set identifier must have one.
type policy int

const (
	policyNone policy = iota
	policyWeighted
	policyLatency
	policyFailover
	policyGeolocation
	policyGeoproximity
	policyMultiValue
)

// policyProps names, per policy, the properties that select it.
var policyProps = map[policy][]string{
	policyWeighted:     {propWeight},
	policyLatency:      {propRegion},
	policyFailover:     {propFailover},
	policyGeolocation:  {propGeoContinent, propGeoCountry, propGeoSubdivision},
	policyGeoproximity: {propGeoProxRegion, propGeoProxLocalZone, propGeoProxCoords, propGeoProxBias},
	policyMultiValue:   {propMultiValue},
}

// routing is a record set's routing policy and health check, parsed and
// validated. Its zero value is simple routing.
type routing struct {
	kind        policy
	weight      int64
	region      string
	failover    string
	continent   string
	country     string
	subdivision string
	gpRegion    string
	gpLocalZone string
	gpLat       string
	gpLong      string
	gpBias      int32
	healthCheck string
}

// propError is a refused property: which one, and why.
type propError struct {
	prop   string
	reason string
}

func (e *propError) Error() string { return e.prop + ": " + e.reason }

func refuse(prop, format string, args ...any) *propError {
	return &propError{prop: prop, reason: fmt.Sprintf(format, args...)}
}

var (
	latencyRegions = types.ResourceRecordSetRegion("").Values()
)

// parseRouting reads the routing properties of ps. It refuses what Route 53
// would refuse: two policies, out-of-range values, unknown codes.
func parseRouting(ps endpoint.ProviderSpecific) (routing, *propError) {
	var r routing
	var kinds []policy
	for _, k := range []policy{policyWeighted, policyLatency, policyFailover, policyGeolocation, policyGeoproximity, policyMultiValue} {
		for _, p := range policyProps[k] {
			if _, ok := ps.Get(p); ok {
				kinds = append(kinds, k)
				break
			}
		}
	}
	if len(kinds) > 1 {
		return r, refuse(policyProps[kinds[1]][0], "conflicts with %s: Route 53 allows one routing policy per record (weighted, latency, failover, geolocation, geoproximity or multivalue)", firstSet(ps, kinds[0]))
	}
	if len(kinds) == 1 {
		r.kind = kinds[0]
	}
	get := func(p string) string { v, _ := ps.Get(p); return strings.TrimSpace(v) }
	switch r.kind {
	case policyWeighted:
		w, err := strconv.ParseInt(get(propWeight), 10, 64)
		if err != nil || w < 0 || w > 255 {
			return r, refuse(propWeight, "must be a whole number from 0 to 255, not %q", get(propWeight))
		}
		r.weight = w
	case policyLatency:
		r.region = strings.ToLower(get(propRegion))
		if !slices.Contains(latencyRegions, types.ResourceRecordSetRegion(r.region)) {
			return r, refuse(propRegion, "%q is not a Route 53 latency region", get(propRegion))
		}
	case policyFailover:
		r.failover = strings.ToUpper(get(propFailover))
		if r.failover != "PRIMARY" && r.failover != "SECONDARY" {
			return r, refuse(propFailover, "must be PRIMARY or SECONDARY, not %q", get(propFailover))
		}
	case policyGeolocation:
		if e := r.parseGeolocation(get); e != nil {
			return r, e
		}
	case policyGeoproximity:
		if e := r.parseGeoproximity(get); e != nil {
			return r, e
		}
	case policyMultiValue:
		if b, err := strconv.ParseBool(get(propMultiValue)); err != nil || !b {
			return r, refuse(propMultiValue, "must be \"true\" (remove it for no multivalue answer), not %q", get(propMultiValue))
		}
	}
	if hc, ok := ps.Get(propHealthCheck); ok {
		r.healthCheck = strings.TrimSpace(hc)
		if !healthCheckIDRE.MatchString(r.healthCheck) {
			return r, refuse(propHealthCheck, "%q is not a Route 53 health check ID, which is a UUID such as abcdef11-2222-3333-4444-555555fedcba (a placeholder copied from an example?)", hc)
		}
	}
	return r, nil
}

func firstSet(ps endpoint.ProviderSpecific, k policy) string {
	for _, p := range policyProps[k] {
		if _, ok := ps.Get(p); ok {
			return p
		}
	}
	return ""
}

// properties returns r in canonical property form: what Records reports
// for a set with this routing, and what AdjustEndpoints rewrites desired
// endpoints to, so the plan never sees a difference in spelling.
func (r routing) properties() endpoint.ProviderSpecific {
	var ps endpoint.ProviderSpecific
	switch r.kind {
	case policyWeighted:
		ps.Set(propWeight, strconv.FormatInt(r.weight, 10))
	case policyLatency:
		ps.Set(propRegion, r.region)
	case policyFailover:
		ps.Set(propFailover, r.failover)
	case policyGeolocation:
		for p, v := range map[string]string{propGeoContinent: r.continent, propGeoCountry: r.country, propGeoSubdivision: r.subdivision} {
			if v != "" {
				ps.Set(p, v)
			}
		}
	case policyGeoproximity:
		switch {
		case r.gpRegion != "":
			ps.Set(propGeoProxRegion, r.gpRegion)
		case r.gpLocalZone != "":
			ps.Set(propGeoProxLocalZone, r.gpLocalZone)
		default:
			ps.Set(propGeoProxCoords, r.gpLat+","+r.gpLong)
		}
		if r.gpBias != 0 {
			ps.Set(propGeoProxBias, strconv.Itoa(int(r.gpBias)))
		}
	case policyMultiValue:
		ps.Set(propMultiValue, "true")
	}
	if r.healthCheck != "" {
		ps.Set(propHealthCheck, r.healthCheck)
	}
	return ps
}

// apply writes r into a record set.
func (r routing) apply(s *types.ResourceRecordSet) {
	switch r.kind {
	case policyWeighted:
		s.Weight = aws.Int64(r.weight)
	case policyLatency:
		s.Region = types.ResourceRecordSetRegion(r.region)
	case policyFailover:
		s.Failover = types.ResourceRecordSetFailover(r.failover)
	case policyGeolocation:
		s.GeoLocation = &types.GeoLocation{ContinentCode: optional(r.continent), CountryCode: optional(r.country), SubdivisionCode: optional(r.subdivision)}
	case policyGeoproximity:
		g := &types.GeoProximityLocation{AWSRegion: optional(r.gpRegion), LocalZoneGroup: optional(r.gpLocalZone)}
		if r.gpLat != "" {
			g.Coordinates = &types.Coordinates{Latitude: aws.String(r.gpLat), Longitude: aws.String(r.gpLong)}
		}
		if r.gpBias != 0 {
			g.Bias = aws.Int32(r.gpBias)
		}
		s.GeoProximityLocation = g
	case policyMultiValue:
		s.MultiValueAnswer = aws.Bool(true)
	}
	s.HealthCheckId = optional(r.healthCheck)
}

// routingOf reads the routing policy of a record set as Route 53 returns it.
func routingOf(s types.ResourceRecordSet) routing {
	r := routing{healthCheck: aws.ToString(s.HealthCheckId)}
	switch {
	case s.Weight != nil:
		r.kind, r.weight = policyWeighted, *s.Weight
	case s.Region != "":
		r.kind, r.region = policyLatency, string(s.Region)
	case s.Failover != "":
		r.kind, r.failover = policyFailover, string(s.Failover)
	case s.GeoLocation != nil:
		r.kind = policyGeolocation
		r.continent = aws.ToString(s.GeoLocation.ContinentCode)
		r.country = aws.ToString(s.GeoLocation.CountryCode)
		r.subdivision = aws.ToString(s.GeoLocation.SubdivisionCode)
	case s.GeoProximityLocation != nil:
		g := s.GeoProximityLocation
		r.kind = policyGeoproximity
		r.gpRegion, r.gpLocalZone = aws.ToString(g.AWSRegion), aws.ToString(g.LocalZoneGroup)
		if g.Coordinates != nil {
			r.gpLat, r.gpLong = aws.ToString(g.Coordinates.Latitude), aws.ToString(g.Coordinates.Longitude)
		}
		r.gpBias = aws.ToInt32(g.Bias)
	case s.MultiValueAnswer != nil:
		r.kind = policyMultiValue
	}
	return r
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
