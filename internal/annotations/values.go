package annotations

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/exodns/exodns/internal/endpoint"
)

// Access chooses which node addresses a NodePort Service publishes.
type Access string

// Access values; the zero value means "not set".
const (
	AccessPublic  Access = "public"
	AccessPrivate Access = "private"
)

// EndpointsType chooses the addresses a headless Service publishes.
type EndpointsType string

// EndpointsType values; the zero value means pod IPs.
const (
	EndpointsTypeNodeExternalIP EndpointsType = "NodeExternalIP"
	EndpointsTypeHostIP         EndpointsType = "HostIP"
)

// HostnameSource restricts where an Ingress or Gateway route takes its
// hostnames from. The zero value means every source.
type HostnameSource string

// HostnameSource values.
const (
	HostnameSourceAnnotationOnly   HostnameSource = "annotation-only"
	HostnameSourceDefinedHostsOnly HostnameSource = "defined-hosts-only"
)

// Provider-specific property names that come from core annotations. They are
// upstream's names, which providers and webhooks already look for.
const (
	AliasProperty      = "alias"
	RecordTypeProperty = "record-type"
)

// Values are the typed contents of an object's annotations. A field whose
// annotation is absent or invalid holds its zero value.
type Values struct {
	Hostnames         []string
	InternalHostnames []string
	Targets           []string
	TTL               endpoint.TTL
	Access            Access
	SetIdentifier     string
	Alias             bool

	// Controller is the controller annotation; HasController tells an empty
	// value from a missing one, since upstream skips both "" and foreign values.
	Controller    string
	HasController bool

	EndpointsType         EndpointsType
	IngressHostnameSource HostnameSource
	GatewayHostnameSource HostnameSource

	// RecordType is an extra record type asked for; only PTR exists.
	RecordType string

	// ProviderSpecific holds the provider-specific annotations, alias and
	// record-type, sorted by name.
	ProviderSpecific endpoint.ProviderSpecific
}

// setCore stores a core annotation. handled is false for names that are not
// core annotations, which the caller then tries as provider-specific.
func (v *Values) setCore(name string, e entry) (handled bool, err error) {
	switch name {
	case KeyHostname:
		v.Hostnames = SplitList(e.value)
	case KeyInternalHostname:
		v.InternalHostnames = SplitList(e.value)
	case KeyTarget:
		v.Targets = SplitList(e.value)
	case KeyTTL:
		v.TTL, err = parseTTL(e)
	case KeyController:
		v.Controller, v.HasController = e.value, true
	case KeySetIdentifier:
		v.SetIdentifier = strings.TrimSpace(e.value)
	case KeyAccess:
		v.Access, err = parseAccess(e)
	case KeyAlias:
		v.Alias, err = parseAlias(e)
	case KeyEndpointsType:
		v.EndpointsType, err = parseEndpointsType(e)
	case KeyIngressHostnameSource:
		v.IngressHostnameSource, err = parseHostnameSource(e)
	case KeyGatewayHostnameSource:
		v.GatewayHostnameSource, err = parseHostnameSource(e)
	case KeyRecordType:
		v.RecordType, err = parseRecordType(e)
	default:
		return false, nil
	}
	return true, err
}

// SplitList splits a comma-separated hostname or target list. Whitespace is
// removed anywhere, not just around commas, because YAML block scalars put
// newlines inside values; trailing dots go because names are kept without.
func SplitList(s string) []string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimRight(part, ".")
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// parseTTL accepts whole seconds ("60") or a Go duration ("1m30s"); a
// fraction of a second is dropped, as upstream does.
func parseTTL(e entry) (endpoint.TTL, error) {
	s := strings.TrimSpace(e.value)
	var secs int64
	if d, err := time.ParseDuration(s); err == nil {
		secs = int64(d / time.Second)
	} else if n, nerr := strconv.ParseInt(s, 10, 64); nerr == nil {
		secs = n
	} else {
		return 0, invalid(e.key, e.value, "not a number of seconds or a duration such as 1m30s")
	}
	if secs < 1 || secs > endpoint.MaxTTL {
		return 0, invalid(e.key, e.value, "must be between 1 and 2147483647 seconds")
	}
	return endpoint.TTL(secs), nil
}

func parseAccess(e entry) (Access, error) {
	switch a := Access(strings.ToLower(strings.TrimSpace(e.value))); a {
	case AccessPublic, AccessPrivate:
		return a, nil
	}
	return "", invalid(e.key, e.value, `must be "public" or "private"`)
}

func parseAlias(e entry) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(e.value)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalid(e.key, e.value, `must be "true" or "false"`)
}

func parseEndpointsType(e entry) (EndpointsType, error) {
	s := strings.TrimSpace(e.value)
	for _, t := range []EndpointsType{EndpointsTypeNodeExternalIP, EndpointsTypeHostIP} {
		if strings.EqualFold(s, string(t)) {
			return t, nil
		}
	}
	return "", invalid(e.key, e.value, `must be "NodeExternalIP" or "HostIP"`)
}

// parseHostnameSource ignores case and dashes, as upstream compares
// "annotationonly" and "definedhostsonly".
func parseHostnameSource(e entry) (HostnameSource, error) {
	s := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(e.value), "-", ""))
	switch s {
	case "annotationonly":
		return HostnameSourceAnnotationOnly, nil
	case "definedhostsonly":
		return HostnameSourceDefinedHostsOnly, nil
	}
	return "", invalid(e.key, e.value, `must be "annotation-only" or "defined-hosts-only"`)
}

func parseRecordType(e entry) (string, error) {
	if strings.EqualFold(strings.TrimSpace(e.value), endpoint.RecordTypePTR) {
		return endpoint.RecordTypePTR, nil
	}
	return "", invalid(e.key, e.value, `only "ptr" is supported`)
}
