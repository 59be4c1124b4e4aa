package route53fake

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// Conversions between the wire form and the SDK's types, so that tests can
// seed and inspect state in the same vocabulary as the client they drive.

func fromWire(x *xRRSet) types.ResourceRecordSet {
	out := types.ResourceRecordSet{
		Name: ptr(x.Name), Type: types.RRType(x.Type), SetIdentifier: clone(x.SetIdentifier),
		Weight: clone(x.Weight), MultiValueAnswer: clone(x.MultiValueAnswer), TTL: clone(x.TTL),
		HealthCheckId: clone(x.HealthCheckID), TrafficPolicyInstanceId: clone(x.TrafficPolicyInstanceID),
	}
	if x.Region != nil {
		out.Region = types.ResourceRecordSetRegion(*x.Region)
	}
	if x.Failover != nil {
		out.Failover = types.ResourceRecordSetFailover(*x.Failover)
	}
	if g := x.GeoLocation; g != nil {
		out.GeoLocation = &types.GeoLocation{ContinentCode: clone(g.ContinentCode), CountryCode: clone(g.CountryCode),
			SubdivisionCode: clone(g.SubdivisionCode)}
	}
	if x.ResourceRecords != nil {
		for _, r := range x.ResourceRecords.Records {
			out.ResourceRecords = append(out.ResourceRecords, types.ResourceRecord{Value: clone(r.Value)})
		}
	}
	if at := x.AliasTarget; at != nil {
		out.AliasTarget = &types.AliasTarget{HostedZoneId: clone(at.HostedZoneID), DNSName: clone(at.DNSName),
			EvaluateTargetHealth: deref(at.EvaluateTargetHealth)}
	}
	if c := x.CidrRoutingConfig; c != nil {
		out.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: clone(c.CollectionID), LocationName: clone(c.LocationName)}
	}
	if g := x.GeoProximityLocation; g != nil {
		p := &types.GeoProximityLocation{AWSRegion: clone(g.AWSRegion), LocalZoneGroup: clone(g.LocalZoneGroup)}
		if g.Bias != nil {
			p.Bias = ptr(int32(*g.Bias))
		}
		if c := g.Coordinates; c != nil {
			p.Coordinates = &types.Coordinates{Latitude: clone(c.Latitude), Longitude: clone(c.Longitude)}
		}
		out.GeoProximityLocation = p
	}
	return out
}

func toWire(s *types.ResourceRecordSet) xRRSet {
	x := xRRSet{
		Name: deref(s.Name), Type: string(s.Type), SetIdentifier: s.SetIdentifier, Weight: s.Weight,
		MultiValueAnswer: s.MultiValueAnswer, TTL: s.TTL, HealthCheckID: s.HealthCheckId,
		TrafficPolicyInstanceID: s.TrafficPolicyInstanceId,
	}
	if s.Region != "" {
		x.Region = ptr(string(s.Region))
	}
	if s.Failover != "" {
		x.Failover = ptr(string(s.Failover))
	}
	if g := s.GeoLocation; g != nil {
		x.GeoLocation = &xGeoLocation{ContinentCode: g.ContinentCode, CountryCode: g.CountryCode, SubdivisionCode: g.SubdivisionCode}
	}
	if s.ResourceRecords != nil {
		x.ResourceRecords = &xResourceRecords{}
		for _, r := range s.ResourceRecords {
			x.ResourceRecords.Records = append(x.ResourceRecords.Records, xResourceRecord{Value: r.Value})
		}
	}
	if at := s.AliasTarget; at != nil {
		x.AliasTarget = &xAliasTarget{HostedZoneID: at.HostedZoneId, DNSName: at.DNSName, EvaluateTargetHealth: ptr(at.EvaluateTargetHealth)}
	}
	if c := s.CidrRoutingConfig; c != nil {
		x.CidrRoutingConfig = &xCidrRouting{CollectionID: c.CollectionId, LocationName: c.LocationName}
	}
	if g := s.GeoProximityLocation; g != nil {
		p := &xGeoProximity{AWSRegion: g.AWSRegion, LocalZoneGroup: g.LocalZoneGroup}
		if g.Bias != nil {
			p.Bias = ptr(int64(*g.Bias))
		}
		if c := g.Coordinates; c != nil {
			p.Coordinates = &xCoordinates{Latitude: c.Latitude, Longitude: c.Longitude}
		}
		x.GeoProximityLocation = p
	}
	return x
}

func clone[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// bareID accepts "/hostedzone/Z1" as well as "Z1", like the SDK does.
func bareID(id string) string { return id[strings.LastIndex(id, "/")+1:] }

// findZone looks a zone up in every account; zone IDs are unique per fake.
func (f *Fake) findZone(id string) (*Account, *zone) {
	id = bareID(id)
	for _, a := range f.allAccounts() {
		if z, _ := a.zone(id); z != nil {
			return a, z
		}
	}
	return nil, nil
}

// RecordSets returns a copy of a zone's record sets in listing order, or
// nil if no account holds the zone.
func (f *Fake) RecordSets(zoneID string) []types.ResourceRecordSet {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, z := f.findZone(zoneID)
	if z == nil {
		return nil
	}
	var out []types.ResourceRecordSet
	for _, s := range z.sortedSets() {
		out = append(out, fromWire(&s.x))
	}
	return out
}

// PutRecordSets UPSERTs sets into a zone through the same validation as
// ChangeResourceRecordSets, but without counting, throttling or the
// per-request limits, so tests can seed thousands of sets at once.
func (f *Fake) PutRecordSets(zoneID string, sets ...types.ResourceRecordSet) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, z := f.findZone(zoneID)
	if z == nil {
		return errNoSuchHostedZone(bareID(zoneID))
	}
	changes := make([]xChange, len(sets))
	for i := range sets {
		x := toWire(&sets[i])
		changes[i] = xChange{Action: ptr("UPSERT"), ResourceRecordSet: &x}
		if err := firstErr(checkChangeSchema(&changes[i]), checkShape(&changes[i])); err != nil {
			return err
		}
	}
	if err := a.apply(z, changes); err != nil {
		return err
	}
	return nil
}
