package gateway

import (
	"net/netip"
	"strings"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/source"
)

// routeHostnames are the names a route asks for, before the listeners
// narrow them, as upstream gathers them:
//
//   - spec.hostnames (not for TCP and UDP routes), then --fqdn-template's
//     names when the route has no spec hostnames or with
//     --combine-fqdn-annotation;
//   - "" (take the listener's hostname) when the route has no spec
//     hostnames, alongside the names above and below;
//   - the hostname annotation, unless --ignore-hostname-annotation.
//
// gateway-hostname-source narrows this: annotation-only keeps the
// annotation's names alone, defined-hosts-only the spec's and template's.
// Neither falls back to the listener's hostname: a user who chose where
// names come from gets no wildcard they did not ask for.
func routeHostnames(route *Route, kind RouteKind, b *source.Builder, opts source.Options) []string {
	var spec []string
	if kind.SpecHostnames {
		for _, h := range route.Spec.Hostnames {
			if h != "" {
				spec = append(spec, h)
			}
		}
	}
	defined := append(spec, b.TemplateHostnames(opts, withTypeMeta(route, kind), len(spec) > 0)...)
	var annotated []string
	if !opts.IgnoreHostnameAnnotation {
		annotated = b.Values.Hostnames
	}
	switch b.Values.GatewayHostnameSource {
	case annotations.HostnameSourceAnnotationOnly:
		return annotated
	case annotations.HostnameSourceDefinedHostsOnly:
		return defined
	}
	if len(spec) == 0 {
		defined = append(defined, "")
	}
	return append(defined, annotated...)
}

// validHost reports whether a route hostname is one the Gateway API
// accepts: empty (any), or an RFC 1123 name, optionally below a leading
// "*." wildcard label. IP addresses, underscores and non-ASCII names are
// not hostnames there, and upstream drops them. A trailing dot is allowed,
// as names are compared without one.
func validHost(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return true
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return false
	}
	h = strings.TrimPrefix(h, "*.")
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if !rfc1123Label(label) {
			return false
		}
	}
	return true
}

func rfc1123Label(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Intersect returns the hostname a route hostname and a listener hostname
// both match, following the Gateway API rules: an empty hostname matches
// anything; "*.example.com" matches any name below example.com (not
// example.com itself); of two overlapping wildcards the narrower one wins.
// ok is false when they share no name. Names are compared without case or
// a trailing dot.
func Intersect(listener, route string) (string, bool) {
	l, r := canon(listener), canon(route)
	switch {
	case l == "":
		return r, true
	case r == "":
		return l, true
	}
	lWild, rWild := strings.HasPrefix(l, "*."), strings.HasPrefix(r, "*.")
	switch {
	case lWild && rWild:
		if strings.HasSuffix(r[1:], l[1:]) {
			return r, true
		}
		if strings.HasSuffix(l[1:], r[1:]) {
			return l, true
		}
	case lWild:
		if below(r, l[1:]) {
			return r, true
		}
	case rWild:
		if below(l, r[1:]) {
			return l, true
		}
	case l == r:
		return r, true
	}
	return "", false
}

// below reports whether name ends in suffix (".example.com") with at
// least one label before it.
func below(name, suffix string) bool {
	return len(name) > len(suffix) && strings.HasSuffix(name, suffix)
}

func canon(h string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
}
