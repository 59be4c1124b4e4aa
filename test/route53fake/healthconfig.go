package route53fake

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// errHealthParam uses the "Invalid parameter : …" form Route 53 gives for
// health check settings (aws/aws-sdk-php#1528); only the AlarmIdentifier
// text is verified, the others are [I].
func errHealthParam(msg string) *APIError { return errInvalidInput("Invalid parameter : %s", msg) }

// checkHealthConfig validates a complete configuration, on create and after
// an update has been merged (rules §7).
func (a *Account) checkHealthConfig(c *xHealthCheckConfig) *APIError {
	typ := *c.Type
	err := firstErr(
		checkEnum(c.Type, enumStrings(types.HealthCheckType("").Values())),
		checkLen(c.IPAddress, 0, 45, "IPAddress"),
		checkRange(c.Port, 1, 65535, "Port"),
		checkLen(c.ResourcePath, 0, 255, "ResourcePath"),
		checkLen(c.FullyQualifiedDomainName, 0, 255, "FullyQualifiedDomainName"),
		checkLen(c.SearchString, 0, 255, "SearchString"),
		checkRange(c.RequestInterval, 10, 30, "RequestInterval"),
		checkRange(c.FailureThreshold, 1, 10, "FailureThreshold"),
		checkRange(c.HealthThreshold, 0, 256, "HealthThreshold"),
		checkEnum(c.InsufficientDataHealthStatus, enumStrings(types.InsufficientDataHealthStatus("").Values())),
		checkLen(c.RoutingControlArn, 1, 255, "RoutingControlArn"),
	)
	if err != nil {
		return err
	}
	for _, r := range c.Regions.items() {
		if !inList(healthCheckRegions, r) {
			return errEnum(r, strings.Fields(healthCheckRegions))
		}
	}
	endpoint := slices.Contains([]string{"HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"}, typ)
	strMatch := strings.HasSuffix(typ, "_STR_MATCH")
	switch {
	case *c.RequestInterval != 10 && *c.RequestInterval != 30:
		// The model says 10–30 but only 10 and 30 are accepted (aws/aws-cdk#27536).
		return errHealthParam("RequestInterval must be either 10 or 30.")
	case c.Regions != nil && (len(c.Regions.items()) < 3 || len(c.Regions.items()) > 64):
		return errHealthParam("Regions must contain at least 3 regions.")
	case c.AlarmIdentifier != nil && typ != "CLOUDWATCH_METRIC":
		return errHealthParam("Basic health checks must not have an metric region specified.")
	case typ == "CLOUDWATCH_METRIC" && c.AlarmIdentifier == nil:
		return errHealthParam("CloudWatch metric health checks must have an AlarmIdentifier.")
	case typ == "RECOVERY_CONTROL" && c.RoutingControlArn == nil:
		return errHealthParam("Recovery control health checks must have a RoutingControlArn.")
	case !endpoint && (c.IPAddress != nil || c.Port != nil):
		return errHealthParam("IPAddress and Port must not be specified for a " + typ + " health check.")
	case endpoint && c.IPAddress == nil && c.FullyQualifiedDomainName == nil:
		return errHealthParam("Either IPAddress or FullyQualifiedDomainName must be specified.")
	case typ == "TCP" && c.Port == nil:
		return errHealthParam("Port must be specified for a TCP health check.")
	case typ == "TCP" && c.IPAddress != nil && c.FullyQualifiedDomainName != nil:
		// Refused with InvalidInput per aws/aws-sdk-php#1527.
		return errHealthParam("A TCP health check with an IPAddress must not specify a FullyQualifiedDomainName.")
	case strMatch && c.SearchString == nil:
		return errHealthParam("SearchString must be specified for a " + typ + " health check.")
	case !strMatch && c.SearchString != nil:
		return errHealthParam("SearchString is only valid for HTTP_STR_MATCH and HTTPS_STR_MATCH health checks.")
	case typ != "CALCULATED" && (c.ChildHealthChecks != nil || c.HealthThreshold != nil):
		return errHealthParam("ChildHealthChecks and HealthThreshold are only valid for CALCULATED health checks.")
	case len(c.ChildHealthChecks.items()) > 256:
		return errTooMany("ChildHealthCheck")
	}
	if c.IPAddress != nil {
		ip, perr := netip.ParseAddr(*c.IPAddress)
		if perr != nil || ip.Zone() != "" || ip.IsPrivate() || ip.IsLoopback() || ip.IsUnspecified() {
			// Route 53 probes from the internet, so private ranges are refused.
			return errHealthParam("IPAddress " + *c.IPAddress + " is not a valid public IPv4 or IPv6 address.")
		}
	}
	for _, id := range c.ChildHealthChecks.items() {
		if a.liveCheck(id) == nil {
			return errNoSuchHealthCheck(id)
		}
	}
	return nil
}
