package awssd

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	sdtypes "github.com/aws/aws-sdk-go-v2/service/servicediscovery/types"

	"github.com/exodns/exodns/internal/endpoint"
)

// Upstream's mapping, kept as it is so both controllers read each other's
// services:
//   - a DNS name is a service named after its first label, in the
//     namespace named after the rest;
//   - each target is an instance whose ID is the target in lower case
//     (its SHA-256 in hex when longer than Cloud Map's 64 characters);
//   - an A target sets AWS_INSTANCE_IPV4, AAAA AWS_INSTANCE_IPV6, a CNAME
//     AWS_INSTANCE_CNAME, and a CNAME to an AWS load balancer
//     AWS_ALIAS_DNS_NAME (in a service of type A, routing WEIGHTED);
//   - A and AAAA services route MULTIVALUE, CNAME services WEIGHTED;
//   - the ownership labels are the service's description.
const (
	attrIPv4  = "AWS_INSTANCE_IPV4"
	attrIPv6  = "AWS_INSTANCE_IPV6"
	attrCNAME = "AWS_INSTANCE_CNAME"
	attrAlias = "AWS_ALIAS_DNS_NAME"

	// DescriptionLabel carries a service's description on the records
	// Records returns, and the description to write on the records
	// ApplyChanges gets; the aws-sd registry reads and writes it.
	DescriptionLabel = "aws-sd-description"

	defaultTTL = 300
)

var (
	// elb: name.region.elb.amazonaws.com; nlb: name.elb.region.amazonaws.com.
	elbHostname = regexp.MustCompile(`.+\.[^.]+\.elb\.amazonaws\.com$`)
	nlbHostname = regexp.MustCompile(`.+\.elb\.[^.]+\.amazonaws\.com$`)
	// serviceLabel is one label of CreateService's Name pattern.
	serviceLabel = regexp.MustCompile(`^([a-zA-Z0-9_][a-zA-Z0-9-_]{0,61}[a-zA-Z0-9_]|[a-zA-Z0-9])$`)
)

// splitName returns the service and namespace of a DNS name.
func splitName(name string) (service, namespace string) {
	name = strings.TrimSuffix(name, ".")
	service, namespace, _ = strings.Cut(name, ".")
	return service, strings.ToLower(namespace)
}

func isLoadBalancer(target string) bool {
	t := strings.TrimSuffix(strings.ToLower(target), ".")
	return elbHostname.MatchString(t) || nlbHostname.MatchString(t)
}

// instanceID is the instance of a target.
func instanceID(target string) string {
	if len(target) > 64 {
		sum := sha256.Sum256([]byte(strings.ToLower(target)))
		return hex.EncodeToString(sum[:])
	}
	return strings.ToLower(target)
}

// serviceType is the DNS record type of the service of ep.
func serviceType(ep *endpoint.Endpoint) sdtypes.RecordType {
	switch ep.RecordType {
	case endpoint.RecordTypeCNAME:
		if len(ep.Targets) > 0 && isLoadBalancer(ep.Targets[0]) {
			return sdtypes.RecordTypeA
		}
		return sdtypes.RecordTypeCname
	case endpoint.RecordTypeAAAA:
		return sdtypes.RecordTypeAaaa
	default:
		return sdtypes.RecordTypeA
	}
}

func routingPolicy(ep *endpoint.Endpoint) sdtypes.RoutingPolicy {
	if ep.RecordType == endpoint.RecordTypeA || ep.RecordType == endpoint.RecordTypeAAAA {
		return sdtypes.RoutingPolicyMultivalue
	}
	return sdtypes.RoutingPolicyWeighted
}

// attributes are the instance attributes of one target of ep.
func attributes(ep *endpoint.Endpoint, target string) map[string]string {
	switch ep.RecordType {
	case endpoint.RecordTypeCNAME:
		if isLoadBalancer(target) {
			return map[string]string{attrAlias: target}
		}
		return map[string]string{attrCNAME: target}
	case endpoint.RecordTypeAAAA:
		return map[string]string{attrIPv6: target}
	default:
		return map[string]string{attrIPv4: target}
	}
}

// recordOf reads an instance: the record type and target it stands for.
// A CNAME attribute counts only in a CNAME service, as upstream reads it.
func recordOf(attrs map[string]string, svcType sdtypes.RecordType) (recordType, target string, ok bool) {
	switch {
	case attrs[attrCNAME] != "" && svcType == sdtypes.RecordTypeCname:
		return endpoint.RecordTypeCNAME, attrs[attrCNAME], true
	case attrs[attrAlias] != "":
		return endpoint.RecordTypeCNAME, attrs[attrAlias], true
	case attrs[attrIPv4] != "":
		return endpoint.RecordTypeA, attrs[attrIPv4], true
	case attrs[attrIPv6] != "":
		return endpoint.RecordTypeAAAA, attrs[attrIPv6], true
	}
	return "", "", false
}

// unfit says why ep cannot be a Cloud Map service, or "".
func unfit(ep *endpoint.Endpoint) string {
	switch ep.RecordType {
	case endpoint.RecordTypeA, endpoint.RecordTypeAAAA, endpoint.RecordTypeCNAME:
	default:
		return "Cloud Map services hold A, AAAA and CNAME records only, not " + ep.RecordType
	}
	if ep.SetIdentifier != "" {
		return "Cloud Map has no set identifiers (routing policies); one service holds one record per name"
	}
	svc, ns := splitName(ep.DNSName)
	if ns == "" {
		return "a name needs a namespace: the service is its first label, the namespace the rest"
	}
	if !serviceLabel.MatchString(svc) {
		return "the first label " + svc + " is not a valid Cloud Map service name (letters, digits, '-' and '_'; no wildcard)"
	}
	if len(ep.Targets) == 0 {
		return "a record needs at least one target"
	}
	if ep.RecordType == endpoint.RecordTypeCNAME && len(ep.Targets) > 1 {
		return "a CNAME has one target"
	}
	return ""
}
