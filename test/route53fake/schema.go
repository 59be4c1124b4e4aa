package route53fake

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// Route 53 validates request bodies against its XML schema before anything
// else and reports the first violation as InvalidInput "Invalid XML ; <the
// validator's message>". The cvc-* wordings below are the validator's own;
// enumeration, maxLength, length and complex-type.2.4.b were seen from
// Route 53 (giantswarm/aws-operator#360, terraform-provider-aws#7606,
// external-dns#1541, chilts/nice-route53#8). Facet type names follow the
// observed ones where known and the API model's shape names otherwise.

func errEnum(v string, allowed []string) *APIError {
	return errInvalidXML("cvc-enumeration-valid: Value '%s' is not facet-valid with respect to enumeration '[%s]'. It must be a value from the enumeration.",
		v, strings.Join(allowed, ", "))
}

func errLength(v string, lo, hi int, typ string) *APIError {
	n := len([]rune(v))
	if n < lo {
		return errInvalidXML("cvc-minLength-valid: Value '%s' with length = '%d' is not facet-valid with respect to minLength '%d' for type '%s'.", v, n, lo, typ)
	}
	return errInvalidXML("cvc-maxLength-valid: Value '%s' with length = '%d' is not facet-valid with respect to maxLength '%d' for type '%s'.", v, n, hi, typ)
}

func errIncomplete(parent, child string) *APIError {
	return errInvalidXML(`cvc-complex-type.2.4.b: The content of element '%s' is not complete. One of '{"%s":%s}' is expected.`, parent, xmlns, child)
}

func checkLen(p *string, lo, hi int, typ string) *APIError {
	if p == nil {
		return nil
	}
	if n := len([]rune(*p)); n < lo || n > hi {
		return errLength(*p, lo, hi, typ)
	}
	return nil
}

func checkRange(p *int64, lo, hi int64, typ string) *APIError {
	switch {
	case p == nil:
		return nil
	case *p < lo:
		return errInvalidXML("cvc-minInclusive-valid: Value '%d' is not facet-valid with respect to minInclusive '%d' for type '%s'.", *p, lo, typ)
	case *p > hi:
		return errInvalidXML("cvc-maxInclusive-valid: Value '%d' is not facet-valid with respect to maxInclusive '%d' for type '%s'.", *p, hi, typ)
	}
	return nil
}

func checkEnum(p *string, allowed []string) *APIError {
	if p != nil && !slices.Contains(allowed, *p) {
		return errEnum(*p, allowed)
	}
	return nil
}

func checkPattern(p *string, re, typ string) *APIError {
	if p != nil && !regexp.MustCompile(`^(?:`+re+`)$`).MatchString(*p) {
		return errInvalidXML("cvc-pattern-valid: Value '%s' is not facet-valid with respect to pattern '%s' for type '%s'.", *p, re, typ)
	}
	return nil
}

func enumStrings[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

// The enumerations come from the SDK's model so that the fake accepts what
// the client it serves can send.
func rrTypes() []string       { return enumStrings(types.RRType("").Values()) }
func regions() []string       { return enumStrings(types.ResourceRecordSetRegion("").Values()) }
func validType(t string) bool { return slices.Contains(rrTypes(), t) }

// firstErr returns the first non-nil error, mimicking a validator that
// stops at the first violation.
func firstErr(errs ...*APIError) *APIError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkSchema validates a decoded ChangeResourceRecordSetsRequest.
func checkSchema(in *xChangeBatchRequest) *APIError {
	if in.ChangeBatch == nil {
		return errIncomplete("ChangeResourceRecordSetsRequest", "ChangeBatch")
	}
	if in.ChangeBatch.Changes == nil {
		return errIncomplete("ChangeBatch", "Changes")
	}
	if len(in.ChangeBatch.Changes.Change) == 0 {
		return errIncomplete("Changes", "Change")
	}
	if err := checkLen(in.ChangeBatch.Comment, 0, 256, "ResourceDescription"); err != nil {
		return err
	}
	for _, c := range in.ChangeBatch.Changes.Change {
		if err := checkChangeSchema(&c); err != nil {
			return err
		}
	}
	return nil
}

func checkChangeSchema(c *xChange) *APIError {
	if c.Action == nil {
		return errIncomplete("Change", "Action")
	}
	if err := checkEnum(c.Action, []string{"CREATE", "DELETE", "UPSERT"}); err != nil {
		return err
	}
	r := c.ResourceRecordSet
	if r == nil {
		return errIncomplete("Change", "ResourceRecordSet")
	}
	if r.Type == "" {
		// The SDK omits an empty Type, so "missing" and "empty" coincide.
		return errIncomplete("ResourceRecordSet", "Type")
	}
	err := firstErr(
		checkLen(&r.Name, 0, 1024, "DNSName"),
		checkEnum(&r.Type, rrTypes()),
		checkLen(r.SetIdentifier, 1, 128, "ResourceRecordSetIdentifier"),
		checkRange(r.Weight, 0, 255, "ResourceRecordSetWeight"),
		checkEnum(r.Region, regions()),
		checkEnum(r.Failover, []string{"PRIMARY", "SECONDARY"}),
		checkRange(r.TTL, 0, 2147483647, "TTL"),
		checkLen(r.HealthCheckID, 0, 64, "HealthCheckId"),
		checkLen(r.TrafficPolicyInstanceID, 1, 36, "TrafficPolicyInstanceId"),
	)
	if err != nil {
		return err
	}
	if rr := r.ResourceRecords; rr != nil {
		if len(rr.Records) == 0 {
			return errIncomplete("ResourceRecords", "ResourceRecord")
		}
		for _, v := range rr.Records {
			if v.Value == nil {
				return errIncomplete("ResourceRecord", "Value")
			}
			if err := checkLen(v.Value, 0, 4000, "RData"); err != nil {
				return err
			}
		}
	}
	if at := r.AliasTarget; at != nil {
		for _, m := range []struct {
			missing bool
			name    string
		}{{at.HostedZoneID == nil, "HostedZoneId"}, {at.DNSName == nil, "DNSName"}, {at.EvaluateTargetHealth == nil, "EvaluateTargetHealth"}} {
			if m.missing {
				return errIncomplete("AliasTarget", m.name)
			}
		}
		if err := firstErr(checkLen(at.HostedZoneID, 0, 32, "ResourceId"), checkLen(at.DNSName, 0, 1024, "DNSName")); err != nil {
			return err
		}
	}
	return firstErr(checkGeoSchema(r.GeoLocation), checkProximitySchema(r.GeoProximityLocation), checkCidrSchema(r.CidrRoutingConfig))
}

func checkGeoSchema(g *xGeoLocation) *APIError {
	if g == nil {
		return nil
	}
	if g.ContinentCode != nil && len(*g.ContinentCode) != 2 {
		// Verbatim from external-dns#1541.
		return errInvalidXML("cvc-length-valid: Value '%s' with length = '%d' is not facet-valid with respect to length '2' for type 'ContinentCode'.",
			*g.ContinentCode, len(*g.ContinentCode))
	}
	return firstErr(checkLen(g.CountryCode, 1, 2, "CountryCode"), checkLen(g.SubdivisionCode, 1, 3, "SubdivisionCode"))
}

func checkProximitySchema(g *xGeoProximity) *APIError {
	if g == nil {
		return nil
	}
	err := firstErr(checkLen(g.AWSRegion, 1, 64, "AWSRegion"), checkLen(g.LocalZoneGroup, 1, 64, "LocalZoneGroup"),
		checkRange(g.Bias, -99, 99, "Bias"))
	if err != nil || g.Coordinates == nil {
		return err
	}
	c := g.Coordinates
	if c.Latitude == nil {
		return errIncomplete("Coordinates", "Latitude")
	}
	if c.Longitude == nil {
		return errIncomplete("Coordinates", "Longitude")
	}
	return firstErr(checkPattern(c.Latitude, `[-+]?[0-9]{1,2}(\.[0-9]{0,2})?`, "Latitude"),
		checkPattern(c.Longitude, `[-+]?[0-9]{1,3}(\.[0-9]{0,2})?`, "Longitude"))
}

func checkCidrSchema(c *xCidrRouting) *APIError {
	if c == nil {
		return nil
	}
	if c.CollectionID == nil {
		return errIncomplete("CidrRoutingConfig", "CollectionId")
	}
	if c.LocationName == nil {
		return errIncomplete("CidrRoutingConfig", "LocationName")
	}
	return firstErr(
		checkPattern(c.CollectionID, `[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}`, "UUID"),
		checkLen(c.LocationName, 1, 16, "CidrLocationNameDefaultAllowed"),
		checkPattern(c.LocationName, `[0-9A-Za-z_\-\*]+`, "CidrLocationNameDefaultAllowed"))
}

// changeRef renders "[Action=…, Name=…, Type=…, SetIdentifier=…]" with the
// name exactly as sent, as Route 53's InvalidInput messages do (rules §3).
func changeRef(c *xChange) string {
	r := c.ResourceRecordSet
	return fmt.Sprintf("[Action=%s, Name=%s, Type=%s, SetIdentifier=%s]", *c.Action, r.Name, r.Type, orNull(r.SetIdentifier))
}
