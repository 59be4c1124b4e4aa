package gslb

import (
	"fmt"
	"strings"
)

// Property names. The aws/* ones are exactly those the Route 53 provider
// reads (annotation external-dns.alpha.kubernetes.io/aws-X becomes property
// aws/X), so one manifest routes the same on Route 53 and on exodns. The
// gslb/* ones are exodns's own (annotation gslb-X becomes gslb/X).
const (
	PropWeight           = "aws/weight"
	PropFailover         = "aws/failover"
	PropRegion           = "aws/region"
	PropGeoContinent     = "aws/geolocation-continent-code"
	PropGeoCountry       = "aws/geolocation-country-code"
	PropGeoSubdivision   = "aws/geolocation-subdivision-code"
	PropGeoProxRegion    = "aws/geoproximity-region"
	PropGeoProxLocalZone = "aws/geoproximity-local-zone-group"
	PropGeoProxCoords    = "aws/geoproximity-coordinates"
	PropGeoProxBias      = "aws/geoproximity-bias"
	PropMultiValue       = "aws/multi-value-answer"
	// PropHealthCheckID is Route 53's own health check; exodns cannot ask
	// Route 53 about it, so it is accepted and ignored here. exodns runs
	// the check described by the gslb/health-check-* properties instead.
	PropHealthCheckID = "aws/health-check-id"

	PropRoutingPolicy = "gslb/routing-policy"
	PropTTL           = "gslb/ttl"

	PropCheck         = "gslb/health-check"
	PropCheckPath     = "gslb/health-check-path"
	PropCheckPort     = "gslb/health-check-port"
	PropCheckHost     = "gslb/health-check-host"
	PropCheckStatus   = "gslb/health-check-status"
	PropCheckBody     = "gslb/health-check-body"
	PropCheckInterval = "gslb/health-check-interval"
	PropCheckTimeout  = "gslb/health-check-timeout"
	PropCheckRise     = "gslb/health-check-rise"
	PropCheckFall     = "gslb/health-check-fall"

	// PropSetIdentifier is not a property; it names the set-identifier
	// annotation in errors.
	PropSetIdentifier = "set-identifier"
)

// gslbProps are the gslb/* names exodns knows. Any other gslb/* name is an
// error, so a typo (gslb/helth-check) does not silently turn a check off.
var gslbProps = []string{
	PropRoutingPolicy, PropTTL,
	PropCheck, PropCheckPath, PropCheckPort, PropCheckHost, PropCheckStatus, PropCheckBody,
	PropCheckInterval, PropCheckTimeout, PropCheckRise, PropCheckFall,
}

// PropertyError is a property exodns cannot route by: which set, which
// property (or "set-identifier"), the value as written, and why. The
// controller holds the name and reports the error on the object.
type PropertyError struct {
	Name     string // DNS name
	Set      string // set identifier, may be empty
	Property string
	Value    string
	Reason   string
}

func (e *PropertyError) Error() string {
	var b strings.Builder
	b.WriteString("gslb: ")
	if e.Name != "" {
		b.WriteString(e.Name)
		if e.Set != "" {
			b.WriteString(" set ")
			fmt.Fprintf(&b, "%q", e.Set)
		}
		b.WriteString(": ")
	} else if e.Set != "" {
		fmt.Fprintf(&b, "set %q: ", e.Set)
	}
	b.WriteString(e.Property)
	if e.Value != "" {
		fmt.Fprintf(&b, "=%q", e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Annotation names the annotation a property comes from, for messages
// users can act on: aws/weight → external-dns.alpha.kubernetes.io/aws-weight.
func Annotation(prop string) string {
	const prefix = "external-dns.alpha.kubernetes.io/"
	if a, ok := strings.CutPrefix(prop, "aws/"); ok {
		return prefix + "aws-" + a
	}
	if a, ok := strings.CutPrefix(prop, "gslb/"); ok {
		return prefix + "gslb-" + a
	}
	if prop == PropSetIdentifier {
		return prefix + prop
	}
	return prop
}
