package route53

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// adjuster rewrites desired endpoints into the canonical form Records
// reports, and refuses, before any API call, every endpoint Route 53 would
// reject.
type adjuster struct {
	conv        converter
	preferCNAME bool
	// zonesKnown tells whether inZone can be trusted: before the first
	// zone listing nothing is dropped for being outside the zones.
	zonesKnown bool
	inZone     func(name string) bool
}

var (
	hostedZoneIDRE = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)
	// routedForbidden are types Route 53 never routes.
	routedForbidden = []string{endpoint.RecordTypeNS, "SOA", "DS"}
	// multiValueTypes are the types a multivalue answer may have.
	multiValueTypes = []string{endpoint.RecordTypeA, endpoint.RecordTypeAAAA, endpoint.RecordTypeMX,
		endpoint.RecordTypeNAPTR, endpoint.RecordTypePTR, "SPF", endpoint.RecordTypeSRV, endpoint.RecordTypeTXT}
)

// maxValues is Route 53's limit of values in one record set.
const maxValues = 400

// adjust returns the canonical copies of ep: one, or two for an alias
// written as a CNAME (an A and an AAAA alias, as upstream makes them), or
// none when ep names no managed zone. A refused endpoint comes back held,
// with the problem.
func (a adjuster) adjust(in *endpoint.Endpoint) ([]*endpoint.Endpoint, *Problem) {
	if in.Held() {
		return []*endpoint.Endpoint{in}, nil
	}
	if a.zonesKnown && !a.inZone(in.DNSName) {
		return nil, nil
	}
	ep := in.DeepCopy()
	aliasTypes, p := a.normalize(ep)
	if p != nil {
		held := in.DeepCopy()
		held.WithLabel(endpoint.HoldLabel, p.Error())
		return []*endpoint.Endpoint{held}, p
	}
	if len(aliasTypes) == 0 {
		return []*endpoint.Endpoint{ep}, nil
	}
	out := make([]*endpoint.Endpoint, len(aliasTypes))
	for i, t := range aliasTypes {
		c := ep
		if i > 0 {
			c = ep.DeepCopy()
		}
		c.RecordType = t
		out[i] = c
	}
	return out, nil
}

// normalize rewrites ep in place into the canonical form, and returns the
// types of the alias sets it stands for (none when it is no alias).
func (a adjuster) normalize(ep *endpoint.Endpoint) ([]string, *Problem) {
	fail := func(prop, format string, args ...any) ([]string, *Problem) {
		p := newProblem(ep, prop, format, args...)
		return nil, &p
	}
	// Keep only what Route 53 stores: other providers' properties would
	// never come back from Records and so would read as a change forever.
	in := ep.ProviderSpecific
	managedCheck := managedCheckProps(in) // gets its aws/health-check-id later
	ep.ProviderSpecific = nil
	for _, p := range in {
		switch {
		case p.Name == propAlias:
			if _, err := strconv.ParseBool(strings.TrimSpace(p.Value)); err != nil {
				return fail(propAlias, "must be true or false, not %q", p.Value)
			}
			ep.ProviderSpecific.Set(p.Name, p.Value)
		case strings.HasPrefix(p.Name, "aws/"):
			if !knownProperties[p.Name] {
				return fail(p.Name, "is not a Route 53 setting exodns knows")
			}
			ep.ProviderSpecific.Set(p.Name, p.Value)
		}
	}
	r, perr := parseRouting(ep.ProviderSpecific)
	if perr != nil {
		return fail(perr.prop, "%s", perr.reason)
	}
	alias := a.wantsAlias(ep)
	var aliasTypes []string
	if alias {
		var p *Problem
		if aliasTypes, p = a.normalizeAlias(ep, fail); p != nil {
			return nil, p
		}
	} else if _, p := a.normalizePlain(ep, fail); p != nil {
		return nil, p
	}
	switch {
	case r.kind != policyNone && ep.SetIdentifier == "":
		return fail(policyProps[r.kind][0], "needs a set identifier: Route 53 routes only record sets that have one")
	case r.kind == policyNone && ep.SetIdentifier != "":
		return fail(propSetIdentifier, "%q has no routing policy: set one of %s, %s, %s, %s, %s or %s",
			ep.SetIdentifier, propWeight, propRegion, propFailover, propGeoCountry, propGeoProxRegion, propMultiValue)
	case len(ep.SetIdentifier) > 128:
		return fail(propSetIdentifier, "must be at most 128 characters")
	case r.kind != policyNone && slices.Contains(routedForbidden, ep.RecordType):
		return fail(policyProps[r.kind][0], "Route 53 does not route %s records", ep.RecordType)
	case r.kind == policyFailover && r.failover == "PRIMARY" && !alias && r.healthCheck == "" && !managedCheck:
		return fail(propHealthCheck, "a PRIMARY failover record that is not an alias needs a health check (this one, or %s)", annotationFor("gslb/health-check"))
	case r.kind == policyMultiValue && alias:
		return fail(propMultiValue, "an alias record cannot be a multivalue answer")
	case r.kind == policyMultiValue && !slices.Contains(multiValueTypes, ep.RecordType):
		return fail(propMultiValue, "a multivalue answer cannot be a %s record", ep.RecordType)
	}
	// Canonical routing properties replace whatever spelling came in.
	for _, props := range policyProps {
		for _, p := range props {
			deleteProp(&ep.ProviderSpecific, p)
		}
	}
	deleteProp(&ep.ProviderSpecific, propHealthCheck)
	for _, p := range r.properties() {
		ep.ProviderSpecific.Set(p.Name, p.Value)
	}
	if len(ep.ProviderSpecific) == 0 {
		ep.ProviderSpecific = nil
	}
	return aliasTypes, nil
}

// wantsAlias decides whether ep becomes an alias record: the alias
// property when given, else a CNAME to an AWS endpoint unless
// --aws-prefer-cname.
func (a adjuster) wantsAlias(ep *endpoint.Endpoint) bool {
	if v, ok := ep.ProviderSpecific.Get(propAlias); ok {
		b, _ := strconv.ParseBool(strings.TrimSpace(v))
		return b
	}
	return !a.preferCNAME && ep.RecordType == endpoint.RecordTypeCNAME &&
		len(ep.Targets) == 1 && CanonicalHostedZone(ep.Targets[0]) != ""
}

// normalizeAlias canonicalises an alias and returns the types of its sets.
// A CNAME becomes an A alias and, as upstream does by default, an AAAA
// alias beside it; aws/dualstack=false keeps the A alone. An alias to a
// name in one of our zones gets the AAAA only with aws/dualstack=true:
// Route 53 refuses an AAAA alias to a name without an AAAA record. An A
// alias gets its AAAA twin only with aws/dualstack=true; an AAAA alias is
// itself alone.
func (a adjuster) normalizeAlias(ep *endpoint.Endpoint, fail func(string, string, ...any) ([]string, *Problem)) ([]string, *Problem) {
	switch ep.RecordType {
	case endpoint.RecordTypeA, endpoint.RecordTypeCNAME, endpoint.RecordTypeAAAA:
	default:
		return fail(propAlias, "only A, AAAA and CNAME records can be aliases, not %s", ep.RecordType)
	}
	if len(ep.Targets) != 1 {
		return fail(propAlias, "an alias record needs exactly one target, not %d", len(ep.Targets))
	}
	target := canonicalName(ep.Targets[0])
	if _, err := endpoint.NormalizeName(target); err != nil || endpoint.TargetType(target) != endpoint.RecordTypeCNAME {
		return fail(propAlias, "alias target %q is not a host name", ep.Targets[0])
	}
	ep.Targets = endpoint.Targets{target}
	ep.RecordTTL = 0 // alias records have no TTL of their own
	ep.ProviderSpecific.Set(propAlias, "true")

	eth := a.conv.evaluateTargetHealth
	if v, ok := ep.ProviderSpecific.Get(propEvaluateTargetHealth); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fail(propEvaluateTargetHealth, "must be true or false, not %q", v)
		}
		eth = b
	}
	ep.ProviderSpecific.Set(propEvaluateTargetHealth, strconv.FormatBool(eth))

	auto := a.conv.autoTargetZone(target)
	if id, ok := ep.ProviderSpecific.Get(propTargetHostedZone); ok {
		id = strings.TrimSpace(id)
		if !hostedZoneIDRE.MatchString(id) {
			return fail(propTargetHostedZone, "%q is not a hosted zone ID", id)
		}
		ep.ProviderSpecific.Set(propTargetHostedZone, id)
		if id == auto {
			deleteProp(&ep.ProviderSpecific, propTargetHostedZone)
		}
	} else if auto == "" && a.zonesKnown {
		return fail(propTargetHostedZone, "alias target %s is neither an AWS endpoint nor in a managed zone: name its hosted zone", target)
	}

	dual, dualSet := false, false
	if v, ok := ep.ProviderSpecific.Get(propDualstack); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fail(propDualstack, "must be true or false, not %q", v)
		}
		dual, dualSet = b, true
		deleteProp(&ep.ProviderSpecific, propDualstack)
	}
	switch ep.RecordType {
	case endpoint.RecordTypeAAAA:
		return []string{endpoint.RecordTypeAAAA}, nil
	case endpoint.RecordTypeCNAME:
		if !dualSet {
			dual = CanonicalHostedZone(target) != "" || !a.ownTarget(target)
		}
	}
	if dual {
		return []string{endpoint.RecordTypeA, endpoint.RecordTypeAAAA}, nil
	}
	return []string{endpoint.RecordTypeA}, nil
}

// ownTarget reports whether target is a name in one of our zones.
func (a adjuster) ownTarget(target string) bool {
	if a.conv.ownZone == nil {
		return false
	}
	_, ok := a.conv.ownZone(target)
	return ok
}

func (a adjuster) normalizePlain(ep *endpoint.Endpoint, fail func(string, string, ...any) ([]string, *Problem)) ([]string, *Problem) {
	if _, ok := ep.ProviderSpecific.Get(propTargetHostedZone); ok {
		return fail(propTargetHostedZone, "applies only to alias records: set %s to true", annotationFor(propAlias))
	}
	for _, p := range []string{propAlias, propEvaluateTargetHealth, propDualstack} {
		deleteProp(&ep.ProviderSpecific, p)
	}
	seen := make(map[string]bool, len(ep.Targets))
	targets := ep.Targets[:0:0]
	for _, t := range ep.Targets {
		if ep.RecordType == endpoint.RecordTypeTXT {
			t = quoteTXT(t)
		}
		k := strings.ToLower(strings.TrimSuffix(t, "."))
		if ep.RecordType == endpoint.RecordTypeTXT {
			k = t
		}
		if !seen[k] {
			seen[k] = true
			targets = append(targets, t)
		}
	}
	ep.Targets = targets
	switch {
	case len(ep.Targets) == 0:
		return fail("", "has no targets")
	case ep.RecordType == endpoint.RecordTypeCNAME && len(ep.Targets) > 1:
		return fail("", "a CNAME record takes exactly one target, not %d", len(ep.Targets))
	case len(ep.Targets) > maxValues:
		return fail("", "Route 53 allows at most %d values in a record, not %d", maxValues, len(ep.Targets))
	}
	return nil, nil
}

func deleteProp(ps *endpoint.ProviderSpecific, name string) {
	*ps = slices.DeleteFunc(*ps, func(p endpoint.ProviderSpecificProperty) bool { return p.Name == name })
}
