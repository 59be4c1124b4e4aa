package service

import (
	"strings"
	"testing"
	"text/template"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/endpoint/endpointtest"
	"github.com/exodns/exodns/internal/source"
)

const pre = "external-dns.alpha.kubernetes.io/"

type svcOpt func(*corev1.Service)

func newService(t corev1.ServiceType, opts ...svcOpt) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "app", UID: "uid-1", Annotations: map[string]string{}},
		Spec:       corev1.ServiceSpec{Type: t, ClusterIP: "10.0.0.1"},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func ann(kv ...string) svcOpt {
	return func(s *corev1.Service) {
		for i := 0; i+1 < len(kv); i += 2 {
			s.Annotations[kv[i]] = kv[i+1]
		}
	}
}

func lb(ingress ...corev1.LoadBalancerIngress) svcOpt {
	return func(s *corev1.Service) { s.Status.LoadBalancer.Ingress = ingress }
}

func ports(nodePorts ...int32) svcOpt {
	return func(s *corev1.Service) {
		for i, p := range nodePorts {
			proto := corev1.ProtocolTCP
			if i%2 == 1 {
				proto = corev1.ProtocolUDP
			}
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Port: 80 + int32(i), NodePort: p, Protocol: proto})
		}
	}
}

func node(name string, addrs ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, a := range addrs {
		typ, addr, _ := strings.Cut(a, "=")
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeAddressType(typ), Address: addr})
	}
	return n
}

func render(eps []*endpoint.Endpoint) []string { return endpointtest.Render(eps) }

// checkInvariants holds for every conversion: each endpoint is already
// normal, carries the resource label, and each problem names the object.
func checkInvariants(t *testing.T, r source.Result, resource string) {
	t.Helper()
	for _, e := range r.Endpoints {
		if e.Held() {
			if _, err := endpoint.NormalizeName(e.DNSName); err != nil || len(e.Targets) > 0 {
				t.Errorf("held endpoint %v has an invalid name or targets", e)
			}
			continue
		}
		c := e.DeepCopy()
		if err := c.Normalize(); err != nil {
			t.Errorf("endpoint %v does not normalise: %v", e, err)
		} else if c.String() != e.String() {
			t.Errorf("endpoint %v not in normal form (%v)", e, c)
		}
		if got := e.Labels.Get(endpoint.ResourceLabel); got != resource {
			t.Errorf("endpoint %v resource label %q, want %q", e, got, resource)
		}
	}
	for _, p := range r.Problems {
		if p.Err == nil || p.Object.Name == "" || p.Object.Kind == "" {
			t.Errorf("problem %+v lacks its object or error", p)
		}
	}
}

func newParser(prefix string) annotations.Parser { return annotations.NewParser(prefix) }

func mustTemplate(t *testing.T, text string) *template.Template {
	t.Helper()
	tmpl, err := source.ParseFQDNTemplate(text)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func mustSelector(t *testing.T, parse func(string) (labels.Selector, error), s string) labels.Selector {
	t.Helper()
	sel, err := parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}
