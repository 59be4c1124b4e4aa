package gslb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/geo"
)

// props builds ProviderSpecific from "name=value" pairs.
func props(kv ...string) endpoint.ProviderSpecific {
	var ps endpoint.ProviderSpecific
	for _, s := range kv {
		n, v, _ := strings.Cut(s, "=")
		ps.Set(n, v)
	}
	return ps
}

func defaultCheck(kind CheckKind, port int, path string) HealthCheck {
	return HealthCheck{Kind: kind, Port: port, Path: path, Interval: DefaultInterval, Timeout: DefaultTimeout, Rise: DefaultRise, Fall: DefaultFall}
}

func TestParse(t *testing.T) {
	regions := geo.BuiltinRegions()
	tests := []struct {
		name string
		id   string
		ps   endpoint.ProviderSpecific
		want Set // Name and ID are filled in by the test
	}{
		{name: "simple", want: Set{}},
		{name: "simple with a check", ps: props("gslb/health-check=http"), want: Set{Check: defaultCheck(CheckHTTP, 80, "/")}},
		{name: "weighted", id: "a", ps: props("aws/weight=080"), want: Set{Policy: PolicyWeighted, Weight: 80}},
		{name: "weight 0", id: "a", ps: props("aws/weight=0"), want: Set{Policy: PolicyWeighted}},
		{name: "failover lower case", id: "a", ps: props("aws/failover=secondary"), want: Set{Policy: PolicyFailover, Role: RoleSecondary}},
		{name: "latency", id: "a", ps: props("aws/region=EU-WEST-1"), want: Set{Policy: PolicyLatency, Region: "eu-west-1", Point: regions["eu-west-1"]}},
		{
			name: "failover-latency", id: "a", ps: props("aws/region=us-east-1", "gslb/routing-policy=Failover-Latency"),
			want: Set{Policy: PolicyFailoverLatency, Region: "us-east-1", Point: regions["us-east-1"]},
		},
		{name: "geolocation continent", id: "a", ps: props("aws/geolocation-continent-code=eu"), want: Set{Policy: PolicyGeolocation, Geo: Geolocation{Continent: "EU"}}},
		{name: "geolocation default", id: "a", ps: props("aws/geolocation-country-code=*"), want: Set{Policy: PolicyGeolocation, Geo: Geolocation{Country: "*"}}},
		{
			name: "geolocation subdivision", id: "a", ps: props("aws/geolocation-country-code=us", "aws/geolocation-subdivision-code=ca"),
			want: Set{Policy: PolicyGeolocation, Geo: Geolocation{Country: "US", Subdivision: "CA"}},
		},
		{
			name: "geoproximity region with bias", id: "a", ps: props("aws/geoproximity-region=ap-southeast-1", "aws/geoproximity-bias=-25"),
			want: Set{Policy: PolicyGeoproximity, Region: "ap-southeast-1", Point: regions["ap-southeast-1"], Bias: -25},
		},
		{
			name: "geoproximity local zone placed at its region", id: "a", ps: props("aws/geoproximity-local-zone-group=us-west-2-lax-1"),
			want: Set{Policy: PolicyGeoproximity, Region: "us-west-2", Point: regions["us-west-2"]},
		},
		{
			name: "geoproximity coordinates", id: "a", ps: props("aws/geoproximity-coordinates=48.85, 2.35"),
			want: Set{Policy: PolicyGeoproximity, Point: geo.Point{Lat: 48.85, Lon: 2.35}},
		},
		{name: "multivalue", id: "a", ps: props("aws/multi-value-answer=true"), want: Set{Policy: PolicyMultiValue}},
		{
			name: "Route 53 health check id is ignored", id: "a", ps: props("aws/weight=1", "aws/health-check-id=abc", "aws/evaluate-target-health=true"),
			want: Set{Policy: PolicyWeighted, Weight: 1},
		},
		{name: "gslb ttl as seconds", id: "a", ps: props("aws/weight=1", "gslb/ttl=30"), want: Set{Policy: PolicyWeighted, Weight: 1, TTL: 30}},
		{name: "gslb ttl as duration", id: "a", ps: props("aws/weight=1", "gslb/ttl=1m"), want: Set{Policy: PolicyWeighted, Weight: 1, TTL: 60}},
		{
			name: "every check setting", id: "a",
			ps: props("aws/failover=PRIMARY", "gslb/health-check=HTTPS", "gslb/health-check-path=/healthz?full=1",
				"gslb/health-check-port=8443", "gslb/health-check-host=App.Example.com.", "gslb/health-check-status=301, 200-299",
				"gslb/health-check-body=cluster a", "gslb/health-check-interval=2s", "gslb/health-check-timeout=1.5",
				"gslb/health-check-rise=3", "gslb/health-check-fall=1"),
			want: Set{Policy: PolicyFailover, Role: RolePrimary, Check: HealthCheck{
				Kind: CheckHTTPS, Port: 8443, Path: "/healthz?full=1", Host: "app.example.com",
				Statuses: []StatusRange{{200, 299}, {301, 301}}, Body: "cluster a",
				Interval: 2 * time.Second, Timeout: 1500 * time.Millisecond, Rise: 3, Fall: 1,
			}},
		},
		{name: "tcp check", id: "a", ps: props("aws/weight=1", "gslb/health-check=tcp", "gslb/health-check-port=5432"), want: Set{Policy: PolicyWeighted, Weight: 1, Check: defaultCheck(CheckTCP, 5432, "")}},
		{name: "check none", ps: props("gslb/health-check=none"), want: Set{}},
		{name: "check empty", ps: props("gslb/health-check="), want: Set{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("app.example.com", tt.id, tt.ps, regions)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			want.Name, want.ID = "app.example.com", tt.id
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		id     string
		ps     endpoint.ProviderSpecific
		prop   string // of the first error
		reason string
	}{
		{"policy without set identifier", "", props("aws/weight=1"), PropSetIdentifier, "needs a set identifier"},
		{"set identifier without policy", "a", nil, PropSetIdentifier, "needs a routing policy"},
		{"weight too big", "a", props("aws/weight=500"), PropWeight, "0 to 255"},
		{"weight negative", "a", props("aws/weight=-1"), PropWeight, "0 to 255"},
		{"weight not a number", "a", props("aws/weight=heavy"), PropWeight, "whole number"},
		{"two policies", "a", props("aws/weight=1", "aws/failover=PRIMARY"), PropFailover, "conflicts with aws/weight"},
		{"unknown region", "a", props("aws/region=mars-north-1"), PropRegion, "not a known region"},
		{"failover value", "a", props("aws/failover=TERTIARY"), PropFailover, "PRIMARY or SECONDARY"},
		{"continent with country", "a", props("aws/geolocation-continent-code=EU", "aws/geolocation-country-code=DE"), PropGeoContinent, "cannot be combined"},
		{"bad continent", "a", props("aws/geolocation-continent-code=XX"), PropGeoContinent, "one of AF"},
		{"subdivision without country", "a", props("aws/geolocation-subdivision-code=CA"), PropGeoCountry, "is needed"},
		{"bad country", "a", props("aws/geolocation-country-code=USA"), PropGeoCountry, "two-letter"},
		{"bad subdivision", "a", props("aws/geolocation-country-code=US", "aws/geolocation-subdivision-code=CALI"), PropGeoSubdivision, "1 to 3"},
		{"subdivision with default", "a", props("aws/geolocation-country-code=*", "aws/geolocation-subdivision-code=CA"), PropGeoSubdivision, "default country"},
		{"geoproximity two locations", "a", props("aws/geoproximity-region=us-east-1", "aws/geoproximity-coordinates=1,2"), PropGeoProxRegion, "exactly one"},
		{"geoproximity bias only", "a", props("aws/geoproximity-bias=10"), PropGeoProxRegion, "exactly one"},
		{"geoproximity unknown region", "a", props("aws/geoproximity-region=xx-east-9"), PropGeoProxRegion, "not a known region"},
		{"geoproximity bad local zone", "a", props("aws/geoproximity-local-zone-group=nowhere-1"), PropGeoProxLocalZone, "Local Zone group"},
		{"geoproximity three decimals", "a", props("aws/geoproximity-coordinates=48.857,2.35"), PropGeoProxCoords, "two decimals"},
		{"geoproximity latitude range", "a", props("aws/geoproximity-coordinates=91,2"), PropGeoProxCoords, "latitude,longitude"},
		{"geoproximity no comma", "a", props("aws/geoproximity-coordinates=48.85"), PropGeoProxCoords, "latitude,longitude"},
		{"bias range", "a", props("aws/geoproximity-region=us-east-1", "aws/geoproximity-bias=100"), PropGeoProxBias, "-99 to 99"},
		{"multivalue false", "a", props("aws/multi-value-answer=false"), PropMultiValue, "must be \"true\""},
		{"unknown routing policy", "a", props("aws/region=us-east-1", "gslb/routing-policy=nearest"), PropRoutingPolicy, "failover-latency"},
		{"failover-latency without region", "a", props("gslb/routing-policy=failover-latency"), PropRegion, "needs the region"},
		{"failover-latency with weight", "a", props("aws/weight=1", "aws/region=us-east-1", "gslb/routing-policy=failover-latency"), PropRegion, "conflicts with aws/weight"},
		{"ttl zero", "a", props("aws/weight=1", "gslb/ttl=0"), PropTTL, "1 to 86400"},
		{"ttl fraction", "a", props("aws/weight=1", "gslb/ttl=1500ms"), PropTTL, "whole seconds"},
		{"unknown gslb property", "a", props("aws/weight=1", "gslb/helth-check=http"), "gslb/helth-check", "unknown property"},
		{"check kind", "a", props("aws/weight=1", "gslb/health-check=icmp"), PropCheck, "http, https or tcp"},
		{"check setting without check", "a", props("aws/weight=1", "gslb/health-check-path=/x"), PropCheckPath, "needs gslb/health-check"},
		{"tcp without port", "a", props("aws/weight=1", "gslb/health-check=tcp"), PropCheckPort, "needs a port"},
		{"tcp with path", "a", props("aws/weight=1", "gslb/health-check=tcp", "gslb/health-check-port=1", "gslb/health-check-path=/"), PropCheckPath, "only for http"},
		{"port range", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-port=70000"), PropCheckPort, "1 to 65535"},
		{"path without slash", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-path=healthz"), PropCheckPath, "start with /"},
		{"path with space", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-path=/a b"), PropCheckPath, "without spaces"},
		{"bad host", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-host=a b"), PropCheckHost, "host name"},
		{"status range backwards", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-status=299-200"), PropCheckStatus, "backwards"},
		{"status out of range", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-status=200,700"), PropCheckStatus, "100 to 599"},
		{"status words", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-status=ok"), PropCheckStatus, "ranges such as"},
		{"empty body", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-body="), PropCheckBody, "1 to 255"},
		{"interval too short", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-interval=10ms"), PropCheckInterval, "100ms to 1h"},
		{"interval NaN", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-interval=NaN"), PropCheckInterval, "100ms to 1h"},
		{"timeout longer than interval", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-timeout=3s"), PropCheckTimeout, "not be longer than the interval"},
		{"rise zero", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-rise=0"), PropCheckRise, "1 to 10"},
		{"fall eleven", "a", props("aws/weight=1", "gslb/health-check=http", "gslb/health-check-fall=11"), PropCheckFall, "1 to 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("app.example.com", tt.id, tt.ps, nil)
			var pe *PropertyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PropertyError", err)
			}
			if pe.Property != tt.prop || !strings.Contains(pe.Reason, tt.reason) || pe.Name != "app.example.com" || pe.Set != tt.id {
				t.Errorf("err = %+v, want property %s with reason containing %q", pe, tt.prop, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), "gslb: app.example.com") {
				t.Errorf("message %q lacks the package prefix and name", err)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("app.example.com", "a", props("aws/weight=500", "gslb/ttl=x", "gslb/health-check=http", "gslb/health-check-port=0"), nil)
	for _, prop := range []string{PropWeight, PropTTL, PropCheckPort} {
		if err == nil || !strings.Contains(err.Error(), prop) {
			t.Errorf("error %v does not mention %s", err, prop)
		}
	}
}

func TestPropertyErrorMessage(t *testing.T) {
	e := &PropertyError{Name: "app.example.com", Set: "eu", Property: PropWeight, Value: "500", Reason: "must be a whole number from 0 to 255"}
	want := `gslb: app.example.com set "eu": aws/weight="500": must be a whole number from 0 to 255`
	if e.Error() != want {
		t.Errorf("Error() = %s\nwant      %s", e.Error(), want)
	}
}

func TestAnnotation(t *testing.T) {
	for prop, want := range map[string]string{
		PropWeight:        "external-dns.alpha.kubernetes.io/aws-weight",
		PropCheckPath:     "external-dns.alpha.kubernetes.io/gslb-health-check-path",
		PropSetIdentifier: "external-dns.alpha.kubernetes.io/set-identifier",
		"other":           "other",
	} {
		if got := Annotation(prop); got != want {
			t.Errorf("Annotation(%s) = %s, want %s", prop, got, want)
		}
	}
}

func ep(id, target string, kv ...string) *endpoint.Endpoint {
	e := endpoint.New("app.example.com", endpoint.RecordTypeA, target).WithSetIdentifier(id)
	e.ProviderSpecific = props(kv...)
	return e
}

func TestSetsFrom(t *testing.T) {
	t.Run("sorted by set identifier, targets and TTL kept", func(t *testing.T) {
		sets, err := SetsFrom([]*endpoint.Endpoint{
			ep("b", "192.0.2.2", "aws/weight=20").WithTTL(60),
			ep("a", "192.0.2.1", "aws/weight=80"),
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sets[0].ID != "a" || sets[1].ID != "b" || sets[1].RecordTTL != 60 || sets[0].Targets[0] != "192.0.2.1" || sets[1].RecordType != "A" {
			t.Errorf("sets = %+v", sets)
		}
	})
	t.Run("one failover-latency set turns latency sets into failover-latency", func(t *testing.T) {
		sets, err := SetsFrom([]*endpoint.Endpoint{
			ep("eu", "192.0.2.1", "aws/region=eu-west-1"),
			ep("us", "192.0.2.2", "aws/region=us-east-1", "gslb/routing-policy=failover-latency"),
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sets {
			if s.Policy != PolicyFailoverLatency {
				t.Errorf("set %s policy %s", s.ID, s.Policy)
			}
		}
	})
	t.Run("no endpoints", func(t *testing.T) {
		if sets, err := SetsFrom(nil, nil); sets != nil || err != nil {
			t.Errorf("got %v, %v", sets, err)
		}
	})
	errCases := []struct {
		name   string
		eps    []*endpoint.Endpoint
		prop   string
		reason string
	}{
		{"mixed policies", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/weight=1"), ep("b", "192.0.2.2", "aws/region=us-east-1")}, PropSetIdentifier, "same routing policy"},
		{"duplicate set identifier", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/weight=1"), ep("a", "192.0.2.2", "aws/weight=2")}, PropSetIdentifier, "used by two"},
		{"simple beside routed", []*endpoint.Endpoint{ep("", "192.0.2.1"), ep("b", "192.0.2.2", "aws/weight=2")}, PropSetIdentifier, "cannot share"},
		{"two primaries", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/failover=PRIMARY"), ep("b", "192.0.2.2", "aws/failover=primary")}, PropFailover, "also on set \"a\""},
		{"two sets in one region", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/region=eu-west-1"), ep("b", "192.0.2.2", "aws/region=eu-west-1")}, PropRegion, "unique"},
		{"two defaults", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/geolocation-country-code=*"), ep("b", "192.0.2.2", "aws/geolocation-country-code=*")}, PropGeoCountry, "unique"},
		{"multivalue CNAME", []*endpoint.Endpoint{{DNSName: "app.example.com", RecordType: "CNAME", Targets: endpoint.Targets{"lb.example.net"}, SetIdentifier: "a", ProviderSpecific: props("aws/multi-value-answer=true")}}, PropMultiValue, "CNAME"},
		{"different names", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/weight=1"), endpoint.New("other.example.com", "A", "192.0.2.9").WithSetIdentifier("b").WithProviderSpecific(PropWeight, "1")}, "name", "share the name"},
		{"a bad set", []*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/weight=1"), ep("b", "192.0.2.2", "aws/weight=x")}, PropWeight, "0 to 255"},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			sets, err := SetsFrom(tt.eps, nil)
			var pe *PropertyError
			if sets != nil || !errors.As(err, &pe) {
				t.Fatalf("SetsFrom = %v, %v; want a *PropertyError", sets, err)
			}
			if pe.Property != tt.prop || !strings.Contains(pe.Reason, tt.reason) {
				t.Errorf("err = %+v, want property %s with reason containing %q", pe, tt.prop, tt.reason)
			}
		})
	}
}

func TestSetsFromCustomRegions(t *testing.T) {
	regions, err := geo.ParseRegions(strings.NewReader("dc-paris 48.85 2.35\n"))
	if err != nil {
		t.Fatal(err)
	}
	sets, err := SetsFrom([]*endpoint.Endpoint{ep("a", "192.0.2.1", "aws/region=dc-paris")}, regions)
	if err != nil {
		t.Fatal(err)
	}
	if sets[0].Point != (geo.Point{Lat: 48.85, Lon: 2.35}) {
		t.Errorf("point = %+v", sets[0].Point)
	}
}

func TestStatusOK(t *testing.T) {
	def := HealthCheck{Kind: CheckHTTP}
	custom := HealthCheck{Kind: CheckHTTP, Statuses: []StatusRange{{200, 204}, {418, 418}}}
	for _, tt := range []struct {
		h    HealthCheck
		code int
		want bool
	}{
		{def, 200, true}, {def, 302, true}, {def, 399, true}, {def, 404, false}, {def, 503, false}, {def, 199, false},
		{custom, 204, true}, {custom, 418, true}, {custom, 205, false}, {custom, 301, false},
	} {
		if got := tt.h.StatusOK(tt.code); got != tt.want {
			t.Errorf("%v StatusOK(%d) = %v", tt.h.Statuses, tt.code, got)
		}
	}
}

// FuzzParse: any property values either parse into a set within the
// documented bounds or fail with *PropertyErrors; never a panic.
func FuzzParse(f *testing.F) {
	f.Add("a", "aws/weight", "80", "gslb/health-check", "http", "gslb/health-check-status", "200-299,301")
	f.Add("a", "aws/geoproximity-coordinates", "48.85,2.35", "aws/geoproximity-bias", "-50", "gslb/ttl", "5s")
	f.Add("a", "aws/region", "eu-west-1", "gslb/routing-policy", "failover-latency", "gslb/health-check-interval", "1.5")
	f.Add("", "aws/geolocation-country-code", "US", "aws/geolocation-subdivision-code", "CA", "gslb/health-check-timeout", "NaN")
	f.Fuzz(func(t *testing.T, id, k1, v1, k2, v2, k3, v3 string) {
		s, err := Parse("app.example.com", id, props(k1+"="+v1, k2+"="+v2, k3+"="+v3), nil)
		if err != nil {
			for _, e := range unwrapAll(err) {
				if _, ok := e.(*PropertyError); !ok {
					t.Fatalf("error %T %v is not a *PropertyError", e, e)
				}
			}
			return
		}
		if s.Weight < 0 || s.Weight > 255 || s.Bias < -99 || s.Bias > 99 || !s.Point.Valid() {
			t.Fatalf("out of bounds: %+v", s)
		}
		if s.Policy != PolicySimple && s.ID == "" {
			t.Fatalf("routed set without identifier: %+v", s)
		}
		if c := s.Check; c.Enabled() && (c.Interval < minInterval || c.Timeout > c.Interval || c.Rise < 1 || c.Fall < 1 || c.Port < 1 || c.Port > 65535) {
			t.Fatalf("check out of bounds: %+v", c)
		}
	})
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrapAll(e)...)
		}
		return out
	}
	return []error{err}
}
