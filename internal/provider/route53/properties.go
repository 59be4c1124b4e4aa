package route53

import "strings"

// Provider-specific property names. The annotation
// external-dns.alpha.kubernetes.io/aws-X becomes property aws/X; alias comes
// from the alias annotation. They are upstream's names, so DNSEndpoints and
// webhook clients written for external-dns keep working.
const (
	propAlias                = "alias"
	propEvaluateTargetHealth = "aws/evaluate-target-health"
	propTargetHostedZone     = "aws/target-hosted-zone"
	// propDualstack asks for an AAAA alias next to the A alias.
	propDualstack = "aws/dualstack"

	propWeight           = "aws/weight"
	propRegion           = "aws/region"
	propFailover         = "aws/failover"
	propGeoContinent     = "aws/geolocation-continent-code"
	propGeoCountry       = "aws/geolocation-country-code"
	propGeoSubdivision   = "aws/geolocation-subdivision-code"
	propGeoProxRegion    = "aws/geoproximity-region"
	propGeoProxLocalZone = "aws/geoproximity-local-zone-group"
	propGeoProxCoords    = "aws/geoproximity-coordinates"
	propGeoProxBias      = "aws/geoproximity-bias"
	propMultiValue       = "aws/multi-value-answer"
	propHealthCheck      = "aws/health-check-id"

	// propSetIdentifier is not a property; it names the set-identifier
	// annotation in problems.
	propSetIdentifier = "set-identifier"
)

// knownProperties lists every aws/* property the provider understands; any
// other aws/* name is refused, so a typo is not silently ignored.
var knownProperties = map[string]bool{
	propEvaluateTargetHealth: true, propTargetHostedZone: true, propDualstack: true,
	propWeight: true, propRegion: true, propFailover: true,
	propGeoContinent: true, propGeoCountry: true, propGeoSubdivision: true,
	propGeoProxRegion: true, propGeoProxLocalZone: true, propGeoProxCoords: true, propGeoProxBias: true,
	propMultiValue: true, propHealthCheck: true,
}

// annotationFor names the annotation a property comes from, for messages
// users can act on.
func annotationFor(prop string) string {
	const prefix = "external-dns.alpha.kubernetes.io/"
	switch {
	case prop == "":
		return ""
	case strings.HasPrefix(prop, "aws/"):
		return prefix + "aws-" + strings.TrimPrefix(prop, "aws/")
	case strings.HasPrefix(prop, "gslb/"):
		return prefix + "gslb-" + strings.TrimPrefix(prop, "gslb/")
	case prop == propAlias, prop == propSetIdentifier:
		return prefix + prop
	}
	return prop
}
