package route53

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/gslb"
)

// The gslb/health-check* properties (parsed by internal/gslb, the same ones
// the embedded server checks with) become a Route 53 health check that
// exodns creates, tags, attaches and deletes. This file maps them; see
// README.md ("Health checks from the gslb annotations") for the table.

// checkSpec is the part of a health check's configuration exodns sets, in
// canonical form. Two checks with the same spec probe the same thing, so a
// check is reused exactly when its spec (and the record it serves) is the
// one wanted, and replaced otherwise.
type checkSpec struct {
	Type      types.HealthCheckType
	IP        string // IPAddress, canonical; "" when the target is a name
	FQDN      string // FullyQualifiedDomainName, lower case, no trailing dot
	Port      int32
	Path      string // ResourcePath
	Search    string // SearchString
	Interval  int32  // RequestInterval: 10 or 30
	Threshold int32  // FailureThreshold: 1 to 10
	SNI       bool   // EnableSNI
}

// config is the HealthCheckConfig CreateHealthCheck is sent.
func (s checkSpec) config() *types.HealthCheckConfig {
	c := &types.HealthCheckConfig{
		Type:                     s.Type,
		IPAddress:                optional(s.IP),
		FullyQualifiedDomainName: optional(s.FQDN),
		Port:                     aws.Int32(s.Port),
		ResourcePath:             optional(s.Path),
		SearchString:             optional(s.Search),
		RequestInterval:          aws.Int32(s.Interval),
		FailureThreshold:         aws.Int32(s.Threshold),
	}
	if s.SNI {
		c.EnableSNI = aws.Bool(true)
	}
	return c
}

// specOf reads the spec of an existing check, as Route 53 reports it.
func specOf(c *types.HealthCheckConfig) checkSpec {
	if c == nil {
		return checkSpec{}
	}
	s := checkSpec{
		Type:      c.Type,
		FQDN:      canonicalName(aws.ToString(c.FullyQualifiedDomainName)),
		Port:      aws.ToInt32(c.Port),
		Path:      aws.ToString(c.ResourcePath),
		Search:    aws.ToString(c.SearchString),
		Interval:  aws.ToInt32(c.RequestInterval),
		Threshold: aws.ToInt32(c.FailureThreshold),
		SNI:       aws.ToBool(c.EnableSNI),
	}
	if ip, err := netip.ParseAddr(aws.ToString(c.IPAddress)); err == nil {
		s.IP = ip.String()
	} else {
		s.IP = aws.ToString(c.IPAddress)
	}
	return s
}

// Route 53's fixed settings the gslb properties are mapped onto.
const (
	fastInterval = 10 // seconds; Route 53 accepts 10 or 30 only
	slowInterval = 30
	// intervalCut: an interval up to 20 s becomes 10 s, a longer one 30 s.
	intervalCut = 20 * time.Second
)

// checkWant is what checkSpecFor makes of an endpoint: the spec to create,
// or the problem that refuses the endpoint, and warnings about settings
// Route 53 cannot honour exactly.
type checkWant struct {
	spec     checkSpec
	problem  *Problem
	warnings []string
}

// managedCheckProps reports whether ps asks for a health check exodns
// manages: gslb/health-check set to a kind (not empty, not "none").
func managedCheckProps(ps endpoint.ProviderSpecific) bool {
	v, ok := ps.Get(gslb.PropCheck)
	v = strings.ToLower(strings.TrimSpace(v))
	return ok && v != "" && v != "none"
}

// checkSpecFor maps the gslb/health-check* properties of in (the endpoint
// as the source gave it) to the health check of adj, one of the record sets
// AdjustEndpoints made of it. ok is false when in asks for no check.
func checkSpecFor(in, adj *endpoint.Endpoint) (w checkWant, ok bool) {
	if !managedCheckProps(in.ProviderSpecific) {
		return w, false
	}
	fail := func(prop, format string, args ...any) (checkWant, bool) {
		p := newProblem(adj, prop, format, args...)
		return checkWant{problem: &p}, true
	}
	set, err := gslb.Parse(canonicalName(adj.DNSName), adj.SetIdentifier, in.ProviderSpecific, nil)
	// Only the health check settings matter here: the routing is Route
	// 53's own (aws/*, checked by parseRouting), and other gslb/* settings
	// are the embedded server's.
	for _, e := range joined(err) {
		var pe *gslb.PropertyError
		if errors.As(e, &pe) && strings.HasPrefix(pe.Property, gslb.PropCheck) {
			return fail(pe.Property, "%s", pe.Reason)
		}
	}
	h := set.Check
	if !h.Enabled() {
		return w, false
	}
	var s checkSpec
	switch h.Kind {
	case gslb.CheckHTTP:
		s.Type = types.HealthCheckTypeHttp
	case gslb.CheckHTTPS:
		s.Type, s.SNI = types.HealthCheckTypeHttps, true
	case gslb.CheckTCP:
		s.Type = types.HealthCheckTypeTcp
	}
	if h.Body != "" {
		s.Search = h.Body
		s.Type = map[types.HealthCheckType]types.HealthCheckType{
			types.HealthCheckTypeHttp:  types.HealthCheckTypeHttpStrMatch,
			types.HealthCheckTypeHttps: types.HealthCheckTypeHttpsStrMatch,
		}[s.Type]
	}
	s.Port = int32(h.Port)
	if h.Kind != gslb.CheckTCP {
		s.Path = h.Path
	}

	// What is probed: the record's one target. Route 53 checks one
	// endpoint per health check.
	if len(adj.Targets) != 1 {
		return fail(gslb.PropCheck, "Route 53 checks one endpoint per health check, and this record has %d targets: give each target its own set (a set identifier per cluster), or name a check with %s",
			len(adj.Targets), annotationFor(propHealthCheck))
	}
	target := adj.Targets[0]
	switch {
	case isAlias(adj) || adj.RecordType == endpoint.RecordTypeCNAME:
		// A name: Route 53 resolves it (over IPv4) and sends it as the
		// Host header and TLS server name. It cannot send another Host.
		s.FQDN = canonicalName(target)
		if h.Host != "" && h.Host != s.FQDN {
			return fail(gslb.PropCheckHost, "the target %s is a name, which Route 53 resolves and also sends as the Host header; it cannot send %q instead: remove the annotation, or publish the address",
				s.FQDN, h.Host)
		}
	case adj.RecordType == endpoint.RecordTypeA || adj.RecordType == endpoint.RecordTypeAAAA:
		ip, err := netip.ParseAddr(target)
		if err != nil {
			return fail("", "target %q is not an IP address", target)
		}
		if why := unprobeable(ip); why != "" {
			return fail(gslb.PropCheck, "Route 53 probes from the internet and refuses health checks of %s (%s): use %s with a check of your own, or remove %s",
				ip, why, annotationFor(propHealthCheck), annotationFor(gslb.PropCheck))
		}
		s.IP = ip.String()
		if h.Kind != gslb.CheckTCP {
			// With an address, the name is only the Host header (and the
			// TLS server name): the record's own name unless set.
			s.FQDN = h.Host
			if s.FQDN == "" {
				s.FQDN = canonicalName(adj.DNSName)
			}
			if strings.HasPrefix(s.FQDN, "*.") {
				return fail(gslb.PropCheckHost, "%s is a wildcard, which is no Host header: name one", s.FQDN)
			}
		}
	default:
		return fail(gslb.PropCheck, "Route 53 health checks probe an address or a name: only A, AAAA, CNAME and alias records can have one, not %s", adj.RecordType)
	}

	// Statuses: Route 53 takes 200-399 as healthy, and nothing else.
	if _, set := in.ProviderSpecific.Get(gslb.PropCheckStatus); set && h.Kind != gslb.CheckTCP {
		for _, r := range h.Statuses {
			if r.Min < 200 || r.Max > 399 {
				return fail(gslb.PropCheckStatus, "Route 53 counts exactly the codes 200-399 as healthy and cannot be told otherwise, so a target answering %d-%d would be taken out: keep the codes within 200-399, or remove the annotation", r.Min, r.Max)
			}
		}
		if len(h.Statuses) != 1 || h.Statuses[0] != (gslb.StatusRange{Min: 200, Max: 399}) {
			w.warnings = append(w.warnings, fmt.Sprintf("%s: Route 53 also counts the other codes of 200-399 as healthy", gslb.Annotation(gslb.PropCheckStatus)))
		}
	}
	s.Interval = fastInterval
	if h.Interval > intervalCut {
		s.Interval = slowInterval
	}
	if _, set := in.ProviderSpecific.Get(gslb.PropCheckInterval); set && h.Interval != time.Duration(s.Interval)*time.Second {
		w.warnings = append(w.warnings, fmt.Sprintf("%s: Route 53 checks every 10 s or 30 s; %s becomes %d s", gslb.Annotation(gslb.PropCheckInterval), h.Interval, s.Interval))
	}
	if _, set := in.ProviderSpecific.Get(gslb.PropCheckTimeout); set {
		w.warnings = append(w.warnings, fmt.Sprintf("%s: Route 53's timeouts are its own (4 s to connect, then 2 s for the answer)", gslb.Annotation(gslb.PropCheckTimeout)))
	}
	s.Threshold = int32(h.Fall)
	if _, set := in.ProviderSpecific.Get(gslb.PropCheckRise); set && h.Rise != h.Fall {
		w.warnings = append(w.warnings, fmt.Sprintf("%s: Route 53 uses one threshold both ways, the fall count (%d); rise %d is not honoured", gslb.Annotation(gslb.PropCheckRise), h.Fall, h.Rise))
	}
	w.spec = s
	return w, true
}

// joined splits an errors.Join result.
func joined(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

var (
	sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598
	thisNetwork        = netip.MustParsePrefix("0.0.0.0/8")
	reservedV4         = netip.MustParsePrefix("240.0.0.0/4")
)

// unprobeable says why Route 53's health checkers, on the internet, cannot
// reach ip ("" when they can): Route 53 refuses health checks of local,
// private, non-routable and multicast addresses.
func unprobeable(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsUnspecified():
		return "the unspecified address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	case ip.IsMulticast():
		return "a multicast address"
	case sharedAddressSpace.Contains(ip):
		return "a carrier-grade NAT address"
	case thisNetwork.Contains(ip), reservedV4.Contains(ip):
		return "a reserved address"
	}
	return ""
}

// String renders a spec for logs and tags: "HTTPS 203.0.113.10:443
// app.example.com/healthz every 10s, 2 failures".
func (s checkSpec) String() string {
	var b strings.Builder
	b.WriteString(string(s.Type))
	b.WriteByte(' ')
	if ip, err := netip.ParseAddr(s.IP); err == nil {
		b.WriteString(netip.AddrPortFrom(ip, uint16(s.Port)).String())
		if s.FQDN != "" {
			b.WriteString(" host " + s.FQDN)
		}
	} else {
		b.WriteString(s.FQDN + ":" + strconv.Itoa(int(s.Port)))
	}
	b.WriteString(s.Path)
	if s.Search != "" {
		fmt.Fprintf(&b, " body %q", s.Search)
	}
	fmt.Fprintf(&b, " every %ds, threshold %d", s.Interval, s.Threshold)
	return b.String()
}
