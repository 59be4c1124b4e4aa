package route53

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// defaultTTL is the TTL of records whose endpoint sets none.
const defaultTTL = 300

// converter maps endpoints to record sets and back. Both directions use
// the same canonical property form, so what Records reports for a set
// equals what AdjustEndpoints made of the endpoint that wrote it.
type converter struct {
	// evaluateTargetHealth is the default for alias records.
	evaluateTargetHealth bool
	// ownZone returns the ID of the managed zone holding name, for alias
	// records that point into one of our zones.
	ownZone func(name string) (string, bool)
}

// autoTargetZone is the hosted zone an alias to target gets when nobody
// names one: AWS's for AWS endpoints, ours for names in our zones.
func (c converter) autoTargetZone(target string) string {
	if id := CanonicalHostedZone(target); id != "" {
		return id
	}
	if c.ownZone != nil {
		if id, ok := c.ownZone(canonicalName(target)); ok {
			return id
		}
	}
	return ""
}

// endpointOf maps one record set to an endpoint. An A alias maps to the
// CNAME form exodns plans with (alias=true); dual, when set, is the AAAA
// alias twin folded into it. ok is false for types exodns does not model.
func (c converter) endpointOf(s *types.ResourceRecordSet, dual bool) (*endpoint.Endpoint, bool) {
	typ := string(s.Type)
	if !endpoint.IsKnownRecordType(typ) {
		return nil, false
	}
	ep := &endpoint.Endpoint{
		DNSName:       canonicalName(aws.ToString(s.Name)),
		RecordType:    typ,
		SetIdentifier: aws.ToString(s.SetIdentifier),
		Labels:        endpoint.Labels{},
	}
	if a := s.AliasTarget; a != nil {
		target := canonicalName(aws.ToString(a.DNSName))
		ep.Targets = endpoint.Targets{target}
		if typ == endpoint.RecordTypeA {
			ep.RecordType = endpoint.RecordTypeCNAME
		}
		ep.ProviderSpecific.Set(propAlias, "true")
		ep.ProviderSpecific.Set(propEvaluateTargetHealth, strconv.FormatBool(a.EvaluateTargetHealth))
		if id := aws.ToString(a.HostedZoneId); id != c.autoTargetZone(target) {
			ep.ProviderSpecific.Set(propTargetHostedZone, id)
		}
		if dual {
			ep.ProviderSpecific.Set(propDualstack, "true")
		}
	} else {
		ep.RecordTTL = endpoint.TTL(aws.ToInt64(s.TTL))
		for _, v := range s.ResourceRecords {
			ep.Targets = append(ep.Targets, aws.ToString(v.Value))
		}
	}
	for _, p := range routingOf(*s).properties() {
		ep.ProviderSpecific.Set(p.Name, p.Value)
	}
	return ep, true
}

// recordSets maps an endpoint to the record sets that represent it: one,
// or two for a dual-stack alias (A and AAAA). The endpoint is expected to
// be valid (see adjust); what is still wrong is returned as an error.
// routeTXT, when not nil, supplies the routing of an ownership TXT record
// that carries a set identifier but no routing properties.
func (c converter) recordSets(ep *endpoint.Endpoint, routeTXT func(*endpoint.Endpoint) (routing, bool)) ([]types.ResourceRecordSet, error) {
	r, perr := parseRouting(ep.ProviderSpecific)
	if perr != nil {
		return nil, perr
	}
	if r.kind == policyNone && ep.SetIdentifier != "" {
		if routeTXT == nil || ep.RecordType != endpoint.RecordTypeTXT {
			return nil, fmt.Errorf("set identifier %q without a routing policy", ep.SetIdentifier)
		}
		var ok bool
		if r, ok = routeTXT(ep); !ok {
			return nil, fmt.Errorf("no routing policy for ownership record with set identifier %q", ep.SetIdentifier)
		}
	}
	base := types.ResourceRecordSet{Name: aws.String(ep.DNSName), SetIdentifier: optional(ep.SetIdentifier)}
	r.apply(&base)
	if isAlias(ep) {
		return c.aliasSets(ep, base)
	}
	base.Type = types.RRType(ep.RecordType)
	ttl := int64(ep.RecordTTL)
	if !ep.RecordTTL.IsConfigured() {
		ttl = defaultTTL
	}
	base.TTL = aws.Int64(ttl)
	for _, t := range ep.Targets {
		if ep.RecordType == endpoint.RecordTypeTXT {
			t = quoteTXT(t)
		}
		base.ResourceRecords = append(base.ResourceRecords, types.ResourceRecord{Value: aws.String(t)})
	}
	if len(base.ResourceRecords) == 0 {
		return nil, fmt.Errorf("no targets")
	}
	return []types.ResourceRecordSet{base}, nil
}

func (c converter) aliasSets(ep *endpoint.Endpoint, base types.ResourceRecordSet) ([]types.ResourceRecordSet, error) {
	if len(ep.Targets) != 1 {
		return nil, fmt.Errorf("an alias record needs exactly one target, not %d", len(ep.Targets))
	}
	target := canonicalName(ep.Targets[0])
	zoneID, _ := ep.ProviderSpecific.Get(propTargetHostedZone)
	if zoneID == "" {
		zoneID = c.autoTargetZone(target)
	}
	if zoneID == "" {
		return nil, fmt.Errorf("alias target %s is neither an AWS endpoint nor in a managed zone; set %s", target, propTargetHostedZone)
	}
	eth := c.evaluateTargetHealth
	if v, ok := ep.ProviderSpecific.Get(propEvaluateTargetHealth); ok {
		eth, _ = strconv.ParseBool(v)
	}
	base.AliasTarget = &types.AliasTarget{DNSName: aws.String(target), HostedZoneId: aws.String(zoneID), EvaluateTargetHealth: eth}
	aliasTypes := []types.RRType{types.RRTypeA}
	switch {
	case ep.RecordType == endpoint.RecordTypeAAAA:
		aliasTypes = []types.RRType{types.RRTypeAaaa}
	case isTrue(ep.ProviderSpecific, propDualstack):
		aliasTypes = append(aliasTypes, types.RRTypeAaaa)
	}
	out := make([]types.ResourceRecordSet, 0, len(aliasTypes))
	for _, t := range aliasTypes {
		s := base
		s.Type = t
		out = append(out, s)
	}
	return out, nil
}

func isAlias(ep *endpoint.Endpoint) bool { return isTrue(ep.ProviderSpecific, propAlias) }

func isTrue(ps endpoint.ProviderSpecific, prop string) bool {
	v, _ := ps.Get(prop)
	b, _ := strconv.ParseBool(strings.TrimSpace(v))
	return b
}

// quoteTXT puts a TXT value in the quoted form Route 53 requires and
// returns: already quoted values are kept; others are quoted, split into
// strings of at most 255 characters.
func quoteTXT(v string) string {
	if len(v) >= 2 && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) {
		return v
	}
	escaped := strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`)
	var parts []string
	for len(escaped) > 255 {
		cut := 255
		if escaped[cut-1] == '\\' { // never split an escape
			cut--
		}
		parts = append(parts, `"`+escaped[:cut]+`"`)
		escaped = escaped[cut:]
	}
	return strings.Join(append(parts, `"`+escaped+`"`), " ")
}
