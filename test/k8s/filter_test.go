//go:build integration

package k8s

import (
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestFilters: --label-filter and --ingress-class select objects by what
// the informers cache of them (labels and the class, kept in compact form),
// and an object that stops matching loses its records.
func TestFilters(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"service", "ingress"},
		LabelFilter: "team=web,tier in (front,edge)", IngressClassNames: []string{"nginx"}})
	p.start(t, ctx)

	for _, s := range []struct {
		name   string
		labels map[string]string
		ip     string
	}{
		{"picked", map[string]string{"team": "web", "tier": "front", "x": "y"}, "203.0.113.10"},
		{"other-team", map[string]string{"team": "db", "tier": "front"}, "203.0.113.11"},
		{"no-labels", nil, "203.0.113.12"},
	} {
		svc := loadBalancer(ns, s.name, map[string]string{pfx + "hostname": s.name + ".example.com"})
		svc.Labels = s.labels
		if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		setLoadBalancerIP(t, c, ns, s.name, s.ip)
	}
	for _, g := range []struct {
		name  string
		class *string
	}{{"nginx", ptr.To("nginx")}, {"traefik", ptr.To("traefik")}, {"classless", nil}} {
		ing := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: g.name, Labels: map[string]string{"team": "web", "tier": "edge"}},
			Spec: networkingv1.IngressSpec{IngressClassName: g.class, Rules: []networkingv1.IngressRule{{Host: "ing-" + g.name + ".example.com"}},
				TLS: []networkingv1.IngressTLS{{Hosts: []string{"tls-" + g.name + ".example.com"}}}}}
		created, err := c.NetworkingV1().Ingresses(ns).Create(ctx, ing, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		created.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "198.51.100.7"}}
		if _, err := c.NetworkingV1().Ingresses(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	hasRecord(t, p.Provider, 10*time.Second, "picked.example.com", "picked.example.com A 203.0.113.10")
	hasRecord(t, p.Provider, 10*time.Second, "ing-nginx.example.com", "ing-nginx.example.com A 198.51.100.7")
	hasRecord(t, p.Provider, 10*time.Second, "tls-nginx.example.com", "tls-nginx.example.com A 198.51.100.7")
	for _, name := range []string{"other-team", "no-labels", "ing-traefik", "tls-traefik", "ing-classless"} {
		if got := about(records(t, p.Provider), name+".example.com"); len(got) != 0 {
			t.Errorf("records of a filtered-out object: %q", got)
		}
	}

	// Relabelled out of the filter: its record goes.
	svc, err := c.CoreV1().Services(ns).Get(ctx, "picked", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Labels["tier"] = "back"
	if _, err := c.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 10*time.Second, "picked.example.com")
}
