package service

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/exodns/exodns/internal/source"
)

// FuzzServiceAnnotations builds Services from fuzzed annotation values and
// checks that conversion never panics, that every endpoint it returns is
// valid and in normal form, and that every problem names the Service.
func FuzzServiceAnnotations(f *testing.F) {
	f.Add("a.example.com, b.example.com.", "", "60", "", "", "10", "i.example.com", uint8(0))
	f.Add("*.example.com", "1.2.3.4,lb.example.net", "1m30s", "private", "eu", "", "", uint8(2))
	f.Add("bad_host!,ok.example.com", "::1,2001:db8::1", "0", "public", "", "x", "", uint8(1))
	f.Add("Ünïcode.example.com", "a.b,c.d", "-1", "weird", "id", "", "x..y", uint8(3))
	f.Fuzz(func(t *testing.T, hostname, target, ttl, access, setID, weight, internal string, kind uint8) {
		types := []corev1.ServiceType{corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeNodePort, corev1.ServiceTypeClusterIP, corev1.ServiceTypeExternalName}
		svc := newService(types[int(kind)%len(types)],
			ann(pre+"hostname", hostname, pre+"target", target, pre+"ttl", ttl, pre+"access", access,
				pre+"set-identifier", setID, pre+"aws-weight", weight, pre+"internal-hostname", internal),
			lb(corev1.LoadBalancerIngress{IP: "1.2.3.4", Hostname: "lb.example.net"}),
			ports(30080, 30053),
			func(s *corev1.Service) { s.Spec.ExternalName = "db.example.org" })
		nodes := []*corev1.Node{node("n1", "ExternalIP=5.5.5.1", "InternalIP=10.1.0.1", "InternalIP=2001:db8::1")}
		for _, opts := range []source.Options{{}, {PublishInternal: true, DefaultTargets: []string{target}, ForceDefaultTargets: true}} {
			r := Endpoints(svc, nodes, opts)
			checkInvariants(t, r, "service/default/app")
		}
	})
}
