package gateway

import "testing"

// TestRouteKinds: each kind attaches to the listener protocols upstream
// pairs it with (GRPC and HTTP to HTTP and HTTPS, TLS to TLS, TCP to TCP
// and TLS, UDP to UDP), and TCP and UDP routes have no spec hostnames:
// they take the annotation's names and their listeners'.
func TestRouteKinds(t *testing.T) {
	g := gw("app", "gw", []string{"10.0.0.1"},
		withProto(lis("http", "http.example.com"), "HTTP", 80),
		withProto(lis("https", "https.example.com"), "HTTPS", 443),
		withProto(lis("tls", "tls.example.com"), "TLS", 8443),
		withProto(lis("tcp", ""), "TCP", 5432),
		withProto(lis("udp", ""), "UDP", 53))
	w := world{gateways: []*Gateway{g}}
	tests := []struct {
		source string
		want   []string
	}{
		{"gateway-httproute", []string{"http.example.com A 10.0.0.1", "https.example.com A 10.0.0.1"}},
		{"gateway-grpcroute", []string{"http.example.com A 10.0.0.1", "https.example.com A 10.0.0.1"}},
		{"gateway-tlsroute", []string{"tls.example.com A 10.0.0.1"}},
		// The TLS listener's hostname, since the route has no spec
		// hostnames, and the annotation's name through the TCP listener.
		{"gateway-tcproute", []string{"svc.example.com A 10.0.0.1", "tls.example.com A 10.0.0.1"}},
		{"gateway-udproute", []string{"svc.example.com A 10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			kind := mustKind(t, tt.source)
			r := route(hosts("http.example.com", "https.example.com", "tls.example.com"),
				annotate(pfx+"hostname", "svc.example.com"), attach(ParentReference{Name: "gw"}, true))
			got, problems := convert(t, r, kind, w, Options{})
			check(t, got, problems, tt.want, nil)
		})
	}
	if _, ok := KindForSource("gateway-nothing"); ok {
		t.Error("unknown source has a kind")
	}
	if HTTPRouteKind().Resource() != "httproute" {
		t.Errorf("resource %q", HTTPRouteKind().Resource())
	}
}
