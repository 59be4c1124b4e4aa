//go:build integration

package k8s

import (
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestIngressLifecycle(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"ingress"}})
	p.start(t, ctx)

	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "shop"},
		Spec:       networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "shop.example.com"}}},
	}
	created, err := c.NetworkingV1().Ingresses(ns).Create(ctx, ing, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A marker Ingress created after it, with an address: once its record
	// is published, the controller has planned with shop in its cache.
	marker, err := c.NetworkingV1().Ingresses(ns).Create(ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "marker"},
		Spec:       networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: "marker.example.com"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	marker.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: "lb.example.net"}}
	if _, err := c.NetworkingV1().Ingresses(ns).UpdateStatus(ctx, marker, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "marker.example.com", "marker.example.com CNAME lb.example.net")
	if got := about(records(t, p.Provider), "shop.example.com"); len(got) != 0 {
		t.Fatalf("records before the Ingress has an address: %q", got)
	}
	if err := c.NetworkingV1().Ingresses(ns).Delete(ctx, "marker", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "marker.example.com")

	// The ingress controller publishes its load balancer's name.
	created.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: "lb.example.net"}}
	t0 := time.Now()
	if _, err := c.NetworkingV1().Ingresses(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "shop.example.com", "shop.example.com CNAME lb.example.net")
	took := time.Since(t0)
	t.Logf("CNAME published %v after the status update was sent", took)
	if took > time.Second {
		t.Errorf("record took %v to appear, want under 1s", took)
	}

	cur, err := c.NetworkingV1().Ingresses(ns).Get(ctx, "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Spec.Rules[0].Host = "store.example.com"
	if _, err := c.NetworkingV1().Ingresses(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "store.example.com", "store.example.com CNAME lb.example.net")
	hasRecord(t, p.Provider, 5*time.Second, "shop.example.com")

	if err := c.NetworkingV1().Ingresses(ns).Delete(ctx, "shop", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "store.example.com")
	if got := records(t, p.Provider); len(got) != 0 {
		t.Errorf("records left: %q", got)
	}
}
