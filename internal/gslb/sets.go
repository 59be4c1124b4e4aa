package gslb

import (
	"errors"
	"math"
	"slices"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/geo"
)

// SetFrom parses one endpoint into a Set. See Parse; regions nil means
// geo.BuiltinRegions().
func SetFrom(ep *endpoint.Endpoint, regions geo.Regions) (Set, error) {
	s, err := Parse(ep.DNSName, ep.SetIdentifier, ep.ProviderSpecific, regions)
	s.RecordType = ep.RecordType
	s.Targets = slices.Clone(ep.Targets)
	if ep.RecordTTL.IsConfigured() {
		s.RecordTTL = uint32(min(int64(ep.RecordTTL), math.MaxUint32))
	}
	if s.Policy == PolicyMultiValue && ep.RecordType == endpoint.RecordTypeCNAME {
		// Route 53 refuses it too: a CNAME has one target, so there is
		// nothing to pick several of.
		err = errors.Join(err, &PropertyError{Name: s.Name, Set: s.ID, Property: PropMultiValue, Value: "true", Reason: "not allowed on a CNAME record"})
	}
	return s, err
}

// SetsFrom parses the endpoints of one name and record type (the record
// sets Select chooses among) and checks them as a group, with Route 53's
// rules: one routing policy for all sets, unique set identifiers, one
// PRIMARY and one SECONDARY, one set per latency region and per
// geolocation. As an exception, sets with aws/region where some also say
// gslb/routing-policy=failover-latency all become failover-latency, so a
// rollout that annotates one cluster at a time never holds the name.
//
// The sets come back sorted by set identifier: the stable order that
// failover-latency falls back to when the client's location is unknown.
// On error the sets are nil and the error joins one *PropertyError per
// problem, so the caller can hold the name and report them all.
func SetsFrom(eps []*endpoint.Endpoint, regions geo.Regions) ([]Set, error) {
	if len(eps) == 0 {
		return nil, nil
	}
	if regions == nil {
		regions = geo.BuiltinRegions()
	}
	var errs []error
	sets := make([]Set, 0, len(eps))
	for _, ep := range eps {
		s, err := SetFrom(ep, regions)
		if err != nil {
			errs = append(errs, err)
		}
		sets = append(sets, s)
	}
	slices.SortStableFunc(sets, func(a, b Set) int { return strings.Compare(a.ID, b.ID) })
	errs = append(errs, checkGroup(sets)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return sets, nil
}

// checkGroup applies the rules that span sets; sets are sorted by ID.
func checkGroup(sets []Set) []error {
	var errs []error
	fail := func(s Set, prop, value, reason string) {
		errs = append(errs, &PropertyError{Name: s.Name, Set: s.ID, Property: prop, Value: value, Reason: reason})
	}
	first := sets[0]
	combined := false
	for _, s := range sets {
		combined = combined || s.Policy == PolicyFailoverLatency
	}
	for i, s := range sets {
		if !strings.EqualFold(s.Name, first.Name) || s.RecordType != first.RecordType {
			fail(s, "name", s.Name+" "+s.RecordType, "sets of one group must share the name and type "+first.Name+" "+first.RecordType)
			continue
		}
		if i > 0 && s.ID == sets[i-1].ID {
			fail(s, PropSetIdentifier, s.ID, "used by two record sets of this name and type")
		}
		if len(sets) > 1 && s.Policy == PolicySimple {
			fail(s, PropSetIdentifier, "", "a record without a set identifier cannot share its name and type with routed record sets")
		}
		if combined && s.Policy == PolicyLatency {
			sets[i].Policy = PolicyFailoverLatency
		}
	}
	policy := sets[0].Policy
	for _, s := range sets[1:] {
		if s.Policy != policy && s.Policy != PolicySimple && policy != PolicySimple {
			fail(s, PropSetIdentifier, s.ID, "is "+s.Policy.String()+" but set \""+sets[0].ID+"\" is "+policy.String()+": every set of a name and type needs the same routing policy")
		}
	}
	if len(errs) > 0 {
		return errs
	}
	// Uniqueness of what a policy chooses by: two sets with the same
	// region, role or location leave the choice between them undefined.
	seen := make(map[string]string, len(sets))
	for _, s := range sets {
		var key, prop, value string
		switch s.Policy {
		case PolicyFailover:
			key, prop, value = s.Role.String(), PropFailover, s.Role.String()
		case PolicyLatency, PolicyFailoverLatency:
			key, prop, value = s.Region, PropRegion, s.Region
		case PolicyGeolocation:
			key = s.Geo.Continent + "/" + s.Geo.Country + "/" + s.Geo.Subdivision
			prop, value = PropGeoCountry, strings.Trim(key, "/")
			if s.Geo.Continent != "" {
				prop = PropGeoContinent
			}
		default:
			continue
		}
		if other, dup := seen[key]; dup {
			fail(s, prop, value, "also on set \""+other+"\": each must be unique among the sets of a name and type")
			continue
		}
		seen[key] = s.ID
	}
	return errs
}
