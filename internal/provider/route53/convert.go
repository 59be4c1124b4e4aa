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

// endpointOf maps one record set to an endpoint. An alias keeps its own
// type (A or AAAA), with alias=true, as upstream reports it since v0.22,
// so each alias set has its own ownership record. ok is false for types
// exodns does not model.
func (c converter) endpointOf(s *types.ResourceRecordSet) (*endpoint.Endpoint, bool) {
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
		ep.ProviderSpecific.Set(propAlias, "true")
		ep.ProviderSpecific.Set(propEvaluateTargetHealth, strconv.FormatBool(a.EvaluateTargetHealth))
		if id := aws.ToString(a.HostedZoneId); id != c.autoTargetZone(target) {
			ep.ProviderSpecific.Set(propTargetHostedZone, id)
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

// recordSet maps an endpoint to the record set that represents it. The
// endpoint is expected to be valid (see adjust); what is still wrong is
// returned as an error. An ownership TXT record carries its record's
// routing properties (see OwnershipForm), so it is routed like any other.
func (c converter) recordSet(ep *endpoint.Endpoint) (types.ResourceRecordSet, error) {
	r, perr := parseRouting(ep.ProviderSpecific)
	if perr != nil {
		return types.ResourceRecordSet{}, perr
	}
	if r.kind == policyNone && ep.SetIdentifier != "" {
		return types.ResourceRecordSet{}, fmt.Errorf("set identifier %q without a routing policy", ep.SetIdentifier)
	}
	base := types.ResourceRecordSet{Name: aws.String(ep.DNSName), SetIdentifier: optional(ep.SetIdentifier)}
	r.apply(&base)
	if isAlias(ep) {
		return c.aliasSet(ep, base)
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
		return types.ResourceRecordSet{}, fmt.Errorf("no targets")
	}
	return base, nil
}

func (c converter) aliasSet(ep *endpoint.Endpoint, base types.ResourceRecordSet) (types.ResourceRecordSet, error) {
	if len(ep.Targets) != 1 {
		return base, fmt.Errorf("an alias record needs exactly one target, not %d", len(ep.Targets))
	}
	target := canonicalName(ep.Targets[0])
	zoneID, _ := ep.ProviderSpecific.Get(propTargetHostedZone)
	if zoneID == "" {
		zoneID = c.autoTargetZone(target)
	}
	if zoneID == "" {
		return base, fmt.Errorf("alias target %s is neither an AWS endpoint nor in a managed zone; set %s", target, propTargetHostedZone)
	}
	eth := c.evaluateTargetHealth
	if v, ok := ep.ProviderSpecific.Get(propEvaluateTargetHealth); ok {
		eth, _ = strconv.ParseBool(v)
	}
	base.AliasTarget = &types.AliasTarget{DNSName: aws.String(target), HostedZoneId: aws.String(zoneID), EvaluateTargetHealth: eth}
	base.Type = aliasType(ep)
	return base, nil
}

// aliasType is the type of an alias endpoint's set. A CNAME with the alias
// property (as a webhook client may send it, unadjusted) is an A alias.
func aliasType(ep *endpoint.Endpoint) types.RRType {
	if ep.RecordType == endpoint.RecordTypeCNAME {
		return types.RRTypeA
	}
	return types.RRType(ep.RecordType)
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
