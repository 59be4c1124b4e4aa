package route53

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/test/route53fake"
)

const (
	rke2IP = "203.0.113.10"
	k3sIP  = "198.51.100.20"
)

func ownership(owner string) string {
	return `"heritage=external-dns,external-dns/owner=` + owner + `,external-dns/resource=ingress/default/app"`
}

// app is app.example.com as each cluster's ingress publishes it, with the
// routing annotations of the case.
func app(ip, set string, props ...string) *endpoint.Endpoint {
	e := owned("app.example.com", "A", "ingress/default/app", ip).WithTTL(60).WithSetIdentifier(set)
	return withProps(e, props...)
}

// TestScenarioTwoClusters publishes app.example.com from two clusters
// (owners rke2-cluster and k3s-cluster, TXT prefixes rke2 and k3s) with each
// routing policy, and checks the exact record sets Route 53 ends up with.
// Each cluster must converge: its second run changes nothing.
func TestScenarioTwoClusters(t *testing.T) {
	cases := []struct {
		name      string
		rke2, k3s func(hc1, hc2 string) *endpoint.Endpoint
		want      []string // {hc1}, {hc2} stand for the health check IDs
	}{
		{
			name: "weighted 80/20",
			rke2: func(_, _ string) *endpoint.Endpoint { return app(rke2IP, "rke2", propWeight, "80") },
			k3s:  func(_, _ string) *endpoint.Endpoint { return app(k3sIP, "k3s", propWeight, "20") },
			want: []string{
				"app.example.com. A set=k3s weight=20 ttl=60 " + k3sIP,
				"app.example.com. A set=rke2 weight=80 ttl=60 " + rke2IP,
			},
		},
		{
			name: "latency with health checks",
			rke2: func(hc1, _ string) *endpoint.Endpoint {
				return app(rke2IP, "glb-externaldns-rke2-latency", propRegion, "ap-east-1", propHealthCheck, hc1)
			},
			k3s: func(_, hc2 string) *endpoint.Endpoint {
				return app(k3sIP, "glb-externaldns-k3s-latency", propRegion, "ap-southeast-1", propHealthCheck, hc2)
			},
			want: []string{
				"app.example.com. A set=glb-externaldns-k3s-latency region=ap-southeast-1 health-check-id={hc2} ttl=60 " + k3sIP,
				"app.example.com. A set=glb-externaldns-rke2-latency region=ap-east-1 health-check-id={hc1} ttl=60 " + rke2IP,
			},
		},
		{
			name: "failover",
			rke2: func(hc1, _ string) *endpoint.Endpoint {
				return app(rke2IP, "primary-site", propFailover, "PRIMARY", propHealthCheck, hc1)
			},
			k3s: func(_, _ string) *endpoint.Endpoint { return app(k3sIP, "secondary-site", propFailover, "SECONDARY") },
			want: []string{
				"app.example.com. A set=primary-site failover=PRIMARY health-check-id={hc1} ttl=60 " + rke2IP,
				"app.example.com. A set=secondary-site failover=SECONDARY ttl=60 " + k3sIP,
			},
		},
		{
			name: "geolocation with default",
			rke2: func(_, _ string) *endpoint.Endpoint { return app(rke2IP, "default", propGeoCountry, "*") },
			k3s:  func(_, _ string) *endpoint.Endpoint { return app(k3sIP, "asia", propGeoContinent, "AS") },
			want: []string{
				"app.example.com. A set=asia geolocation-continent-code=AS ttl=60 " + k3sIP,
				"app.example.com. A set=default geolocation-country-code=* ttl=60 " + rke2IP,
			},
		},
		{
			name: "multivalue",
			rke2: func(hc1, _ string) *endpoint.Endpoint {
				return app(rke2IP, "rke2", propMultiValue, "true", propHealthCheck, hc1)
			},
			k3s: func(_, hc2 string) *endpoint.Endpoint {
				return app(k3sIP, "k3s", propMultiValue, "true", propHealthCheck, hc2)
			},
			want: []string{
				"app.example.com. A set=k3s multi-value-answer=true health-check-id={hc2} ttl=60 " + k3sIP,
				"app.example.com. A set=rke2 multi-value-answer=true health-check-id={hc1} ttl=60 " + rke2IP,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, route53fake.Options{Rate: -1})
			zid := e.fake.AddZone("example.com", false, nil)
			hc1, hc2 := e.healthCheck("hc1"), e.healthCheck("hc2")
			rke2 := e.cluster("rke2-cluster", "rke2", testConfig())
			k3s := e.cluster("k3s-cluster", "k3s", testConfig())
			rke2Ep, k3sEp := tc.rke2(hc1, hc2), tc.k3s(hc1, hc2)
			rke2.mustConverge(rke2Ep)
			k3s.mustConverge(k3sEp)
			rke2.mustConverge(rke2Ep) // the other cluster's records change nothing here
			var want []string
			for _, w := range tc.want {
				w = strings.NewReplacer("{hc1}", hc1, "{hc2}", hc2).Replace(w)
				want = append(want, w)
				// Each ownership record is its record's routing, with the
				// default TTL, exactly as upstream writes it.
				prefix := "k3s"
				if strings.Contains(w, rke2IP) {
					prefix = "rke2"
				}
				txt := strings.Replace(w, "app.example.com. A", prefix+"a-app.example.com. TXT", 1)
				txt = txt[:strings.Index(txt, " ttl=")] + " ttl=300 " + ownership(prefix+"-cluster")
				want = append(want, txt)
			}
			e.wantZone(zid, want...)
		})
	}
}
