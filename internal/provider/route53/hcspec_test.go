package route53

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// TestCheckSpecFor is the property → HealthCheckConfig table of README.md:
// each row an endpoint (after AdjustEndpoints), its gslb properties, and
// the check Route 53 is asked for, or the refusal, or the warnings.
func TestCheckSpecFor(t *testing.T) {
	a := func(target string) *endpoint.Endpoint {
		return endpoint.New("app.example.com", "A", target).WithSetIdentifier("x")
	}
	cname := endpoint.New("app.example.com", "CNAME", "lb.example.net").WithSetIdentifier("x")
	alias := withProps(endpoint.New("app.example.com", "AAAA", "my-lb.eu-west-1.elb.amazonaws.com").WithSetIdentifier("x"), propAlias, "true")
	cases := []struct {
		name    string
		ep      *endpoint.Endpoint
		props   []string
		want    string // checkSpec.String(), or "" for no check
		problem string // substring of the refusal
		warns   []string
	}{
		{"none", a("203.0.113.1"), nil, "", "", nil},
		{"none spelled out", a("203.0.113.1"), []string{"gslb/health-check", "none"}, "", "", nil},
		{"http defaults", a("203.0.113.1"), []string{"gslb/health-check", "http"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 2", "", nil},
		{"https path port host", a("203.0.113.1"), []string{"gslb/health-check", "HTTPS", "gslb/health-check-path", "/healthz?full=1",
			"gslb/health-check-port", "8443", "gslb/health-check-host", "Origin.Example.com."},
			"HTTPS 203.0.113.1:8443 host origin.example.com/healthz?full=1 every 10s, threshold 2", "", nil},
		{"body match", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-body", "cluster-a"},
			`HTTP_STR_MATCH 203.0.113.1:80 host app.example.com/ body "cluster-a" every 10s, threshold 2`, "", nil},
		{"https body match", a("203.0.113.1"), []string{"gslb/health-check", "https", "gslb/health-check-body", "ok"},
			`HTTPS_STR_MATCH 203.0.113.1:443 host app.example.com/ body "ok" every 10s, threshold 2`, "", nil},
		{"tcp", a("203.0.113.1"), []string{"gslb/health-check", "tcp", "gslb/health-check-port", "5432"},
			"TCP 203.0.113.1:5432 every 10s, threshold 2", "", nil},
		{"ipv6", endpoint.New("app.example.com", "AAAA", "2001:DB8::1").WithSetIdentifier("x"), []string{"gslb/health-check", "http"},
			"HTTP [2001:db8::1]:80 host app.example.com/ every 10s, threshold 2", "", nil},
		{"cname target", cname, []string{"gslb/health-check", "http"}, "HTTP lb.example.net:80/ every 10s, threshold 2", "", nil},
		{"alias target", alias, []string{"gslb/health-check", "https"}, "HTTPS my-lb.eu-west-1.elb.amazonaws.com:443/ every 10s, threshold 2", "", nil},
		{"interval 20s stays fast", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-interval", "20s"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 2", "", []string{"20s becomes 10 s"}},
		{"interval 30s", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-interval", "30"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 30s, threshold 2", "", nil},
		{"interval 1m", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-interval", "1m"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 30s, threshold 2", "", []string{"1m0s becomes 30 s"}},
		{"fall and rise", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-fall", "5", "gslb/health-check-rise", "1"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 5", "", []string{"rise 1 is not honoured"}},
		{"same rise and fall", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-fall", "3", "gslb/health-check-rise", "3"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 3", "", nil},
		{"timeout", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-timeout", "500ms"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 2", "", []string{"timeouts are its own"}},
		{"status 200-399", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-status", "200-399"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 2", "", nil},
		{"status narrower", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-status", "200"},
			"HTTP 203.0.113.1:80 host app.example.com/ every 10s, threshold 2", "", []string{"also counts the other codes"}},
		{"status wider", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-status", "200-299,401"},
			"", "external-dns.alpha.kubernetes.io/gslb-health-check-status: Route 53 counts exactly the codes 200-399", nil},
		{"bad gslb value", a("203.0.113.1"), []string{"gslb/health-check", "http", "gslb/health-check-port", "0"},
			"", "gslb-health-check-port: must be a port number", nil},
		{"unknown kind", a("203.0.113.1"), []string{"gslb/health-check", "icmp"}, "", "must be http, https or tcp", nil},
		{"two targets", endpoint.New("app.example.com", "A", "203.0.113.1", "203.0.113.2").WithSetIdentifier("x"), []string{"gslb/health-check", "http"},
			"", "has 2 targets", nil},
		{"private address", a("192.168.1.10"), []string{"gslb/health-check", "http"}, "", "a private address", nil},
		{"cgnat address", a("100.64.1.1"), []string{"gslb/health-check", "http"}, "", "carrier-grade NAT", nil},
		{"host on a name target", cname, []string{"gslb/health-check", "http", "gslb/health-check-host", "app.example.com"},
			"", "it cannot send \"app.example.com\"", nil},
		{"host equal to the name target", cname, []string{"gslb/health-check", "http", "gslb/health-check-host", "LB.example.net"},
			"HTTP lb.example.net:80/ every 10s, threshold 2", "", nil},
		{"wildcard record", endpoint.New("*.example.com", "A", "203.0.113.1").WithSetIdentifier("x"), []string{"gslb/health-check", "http"},
			"", "is a wildcard", nil},
		{"txt record", endpoint.New("app.example.com", "TXT", "hello").WithSetIdentifier("x"), []string{"gslb/health-check", "http"},
			"", "not TXT", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := withProps(tc.ep.DeepCopy(), tc.props...)
			w, ok := checkSpecFor(in, tc.ep)
			switch {
			case tc.problem != "":
				if !ok || w.problem == nil || !strings.Contains(w.problem.Error(), tc.problem) {
					t.Fatalf("problem %v, want %q", w.problem, tc.problem)
				}
				return
			case tc.want == "":
				if ok {
					t.Fatalf("a check %v where none is asked for", w.spec)
				}
				return
			case !ok || w.problem != nil:
				t.Fatalf("no check: %v", w.problem)
			}
			if got := w.spec.String(); got != tc.want {
				t.Errorf("spec %s\n want %s", got, tc.want)
			}
			if sni := strings.HasPrefix(tc.want, "HTTPS"); w.spec.SNI != sni {
				t.Errorf("SNI %t", w.spec.SNI)
			}
			if len(w.warnings) != len(tc.warns) {
				t.Fatalf("warnings %q, want %q", w.warnings, tc.warns)
			}
			for i, s := range tc.warns {
				if !strings.Contains(w.warnings[i], s) {
					t.Errorf("warning %q, want %q", w.warnings[i], s)
				}
			}
			// The config sent and the spec read back are the same.
			if back := specOf(w.spec.config()); back != w.spec {
				t.Errorf("round trip %+v != %+v", back, w.spec)
			}
		})
	}
}
