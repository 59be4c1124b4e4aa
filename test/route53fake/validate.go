package route53fake

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
)

// Messages marked [I] below are inferred: the rule is Route 53's but its
// exact wording was never captured (rules §8). They follow the shape of the
// verified messages next to them.

// routingFields lists the routing-policy elements present in r. Route 53
// counts MultiValueAnswer even when false (rules §2, aws/aws-sdk#75).
func routingFields(r *xRRSet) []string {
	var out []string
	add := func(present bool, name string) {
		if present {
			out = append(out, name)
		}
	}
	add(r.Weight != nil, "weighted")
	add(r.Region != nil, "latency")
	add(r.Failover != nil, "failover")
	add(r.GeoLocation != nil, "geolocation")
	add(r.MultiValueAnswer != nil, "multivalue answer")
	add(r.CidrRoutingConfig != nil, "CIDR")
	add(r.GeoProximityLocation != nil, "geoproximity")
	return out
}

func routingKind(r *xRRSet) string {
	if f := routingFields(r); len(f) > 0 {
		return f[0]
	}
	return ""
}

// checkShape applies the request-level rules Route 53 reports as
// InvalidInput, with the verified wording of rules §3.
func checkShape(c *xChange) *APIError {
	r := c.ResourceRecordSet
	n := 0
	for _, has := range []bool{r.AliasTarget != nil, r.TTL != nil && r.ResourceRecords != nil, r.TrafficPolicyInstanceID != nil} {
		if has {
			n++
		}
	}
	if (r.AliasTarget != nil || r.TrafficPolicyInstanceID != nil) && (r.TTL != nil || r.ResourceRecords != nil) {
		n = 2
	}
	switch {
	case n == 0:
		return errInvalidInput("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with %s", changeRef(c))
	case n > 1:
		return errInvalidInput("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with %s", changeRef(c))
	}
	routing := routingFields(r)
	switch {
	case len(routing) > 0 && r.SetIdentifier == nil:
		return errInvalidInput("Invalid request: Missing field 'SetIdentifier' in Change with %s", changeRef(c))
	case r.SetIdentifier != nil && len(routing) == 0:
		return errInvalidInput("Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found none in Change with %s", changeRef(c))
	case len(routing) > 1: // [I]
		return errInvalidInput("Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, or MultiValueAnswer], but found more than one in Change with %s", changeRef(c))
	}
	return nil
}

// multiValueTypes are the types that may use multivalue answer routing.
const multiValueTypes = " A AAAA MX NAPTR PTR SPF SRV TXT "

// fieldProblems checks one CREATE or UPSERT set on its own, before it
// meets the zone's other sets. Unknown health checks and CIDR collections
// are errors of their own codes rather than InvalidChangeBatch messages.
func (a *Account) fieldProblems(z *zone, c *xChange, name dnsName, work map[setKey]*rrset) ([]string, *APIError) {
	r := c.ResourceRecordSet
	n, t := name.String(), r.Type
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if t == "CNAME" && name.equal(z.name) {
		add("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s", n, z.name)
	}
	if t == "SOA" && !name.equal(z.name) { // [I]
		add("RRSet of type SOA with DNS name %s is not permitted because SOA records are only allowed at the apex of zone %s", n, z.name)
	}
	if t == "NS" && name.isWildcard() { // [I]
		add("RRSet of type NS with DNS name %s is not permitted because NS records cannot be wildcards", n)
	}
	if r.TrafficPolicyInstanceID != nil {
		add("route53fake does not support traffic policy instances: %s", *r.TrafficPolicyInstanceID)
	}
	if kind := routingKind(r); kind != "" {
		if t == "NS" || t == "SOA" || t == "DS" { // [I]
			add("RRSet of type %s with DNS name %s cannot use a %s routing policy", t, n, kind)
		}
		if r.MultiValueAnswer != nil && !inList(multiValueTypes, t) { // [I]
			add("RRSet of type %s with DNS name %s cannot use a multivalue answer routing policy", t, n)
		}
	}
	if r.Failover != nil && *r.Failover == "PRIMARY" && r.AliasTarget == nil && r.HealthCheckID == nil {
		add("A non-alias primary ResourceRecordSet must have an associated health check. No changes made.")
	}
	if r.GeoLocation != nil && !validGeo(r.GeoLocation) { // [I]
		add("RRSet with DNS name %s, type %s, SetIdentifier %s has an unsupported GeoLocation %s", n, t, orNull(r.SetIdentifier), geoString(r.GeoLocation))
	}
	if g := r.GeoProximityLocation; g != nil {
		if msg := proximityProblem(g); msg != "" { // [I]
			add("RRSet with DNS name %s, type %s, SetIdentifier %s has an invalid GeoProximityLocation: %s", n, t, orNull(r.SetIdentifier), msg)
		}
	}
	if r.CidrRoutingConfig != nil {
		// The fake has no CIDR collections, so every collection is unknown.
		return nil, apiErr(http.StatusNotFound, "NoSuchCidrCollectionException",
			"The CIDR collection you specified, %s, doesn't exist.", *r.CidrRoutingConfig.CollectionID)
	}
	if id := r.HealthCheckID; id != nil && a.liveCheck(*id) == nil {
		return nil, errNoSuchHealthCheck(*id)
	}
	if r.AliasTarget != nil {
		out = append(out, a.aliasProblems(z, n, r, work)...)
	}
	if r.ResourceRecords != nil {
		out = append(out, valueProblems(n, t, r.ResourceRecords.Records)...)
	}
	return out, nil
}

func proximityProblem(g *xGeoProximity) string {
	n := 0
	for _, has := range []bool{g.AWSRegion != nil, g.LocalZoneGroup != nil, g.Coordinates != nil} {
		if has {
			n++
		}
	}
	switch {
	case n != 1:
		return "expected exactly one of AWSRegion, LocalZoneGroup or Coordinates"
	case g.AWSRegion != nil && !slices.Contains(regions(), *g.AWSRegion):
		return "unknown AWSRegion " + *g.AWSRegion
	case g.Coordinates != nil:
		var lat, lon float64
		fmt.Sscan(*g.Coordinates.Latitude, &lat)
		fmt.Sscan(*g.Coordinates.Longitude, &lon)
		if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			return "coordinates out of range"
		}
	}
	return ""
}

// aliasProblems checks an alias that targets a zone of this account, with
// the verified wording: "Tried to create an alias that targets x., type A in
// zone Z1, but the alias target name does not lie within the target zone",
// followed by ", but that target was not found" when nothing is there.
// Targets in zones the fake does not hold (ELB, CloudFront, S3 …) are
// accepted as they are, since their existence cannot be checked.
func (a *Account) aliasProblems(z *zone, name string, r *xRRSet, work map[setKey]*rrset) []string {
	at := r.AliasTarget
	var out []string
	if r.Type == "NS" || r.Type == "SOA" { // [I]
		out = append(out, fmt.Sprintf("RRSet of type %s with DNS name %s cannot be an alias", r.Type, name))
	}
	if r.MultiValueAnswer != nil { // [I]
		out = append(out, fmt.Sprintf("RRSet of type %s with DNS name %s cannot be both an alias and a multivalue answer record", r.Type, name))
	}
	target, err := parseName(*at.DNSName)
	if err != nil {
		return append(out, "Invalid Alias Target: '"+err.Error()+"'") // [I]
	}
	tz, _ := a.zone(*at.HostedZoneID)
	if tz == nil {
		return out
	}
	sets := tz.sets
	if tz == z {
		sets = work
	}
	prefix := fmt.Sprintf("Tried to create an alias that targets %s, type %s in zone %s", target, r.Type, *at.HostedZoneID)
	if !target.within(tz.name) {
		out = append(out, prefix+", but the alias target name does not lie within the target zone")
	}
	found := false
	for k := range sets {
		if k.name == target.String() && k.typ == r.Type {
			found = true
			break
		}
	}
	if !found {
		out = append(out, prefix+", but that target was not found")
	}
	return out
}

// valueProblems checks the values of one set: at most 400 values [I],
// exactly one for CNAME and SOA, no duplicates ("Duplicate Resource Record:
// '10.160.0.188'", external-dns#1929) and address syntax for A and AAAA [I].
func valueProblems(name, typ string, rrs []xResourceRecord) []string {
	var out []string
	if len(rrs) > 400 {
		out = append(out, fmt.Sprintf("RRSet with DNS name %s, type %s has more than 400 resource records", name, typ))
	}
	if (typ == "CNAME" || typ == "SOA") && len(rrs) > 1 {
		out = append(out, fmt.Sprintf("The request contains an invalid set of changes for a resource record set '%s %s'", typ, name))
	}
	seen := map[string]bool{}
	for _, rr := range rrs {
		v := *rr.Value
		if seen[v] {
			out = append(out, fmt.Sprintf("Duplicate Resource Record: '%s'", v))
		}
		seen[v] = true
		addr, err := netip.ParseAddr(v)
		switch {
		case typ == "A" && (err != nil || !addr.Is4()):
			out = append(out, fmt.Sprintf("Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '%s''", v))
		case typ == "AAAA" && (err != nil || !addr.Is6() || addr.Zone() != ""):
			out = append(out, fmt.Sprintf("Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '%s''", v))
		}
	}
	return out
}
