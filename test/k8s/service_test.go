//go:build integration

package k8s

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const pfx = "external-dns.alpha.kubernetes.io/"

func loadBalancer(ns, name string, annotations map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: annotations},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": name},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
	}
}

// setLoadBalancerIP does what a cloud controller does once the load
// balancer exists: it writes the address into the status.
func setLoadBalancerIP(t *testing.T, c kubernetes.Interface, ns, name, ip string) {
	t.Helper()
	ctx := context.Background()
	svc, err := c.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
	if _, err := c.CoreV1().Services(ns).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func updateService(t *testing.T, c kubernetes.Interface, ns, name string, change func(*corev1.Service)) {
	t.Helper()
	ctx := context.Background()
	svc, err := c.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	change(svc)
	if _, err := c.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestServiceLifecycle(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	prov, queryA := embeddedDNS(t)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"service"}, Provider: prov})
	p.start(t, ctx)

	// (1) A LoadBalancer Service without an address yet asks for nothing.
	svc := loadBalancer(ns, "web", map[string]string{pfx + "hostname": "web.example.com"})
	if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// A marker Service created after it, with an address: once its record
	// is published, the controller has planned with web in its cache.
	marker := loadBalancer(ns, "marker", map[string]string{pfx + "hostname": "marker.example.com"})
	if _, err := c.CoreV1().Services(ns).Create(ctx, marker, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setLoadBalancerIP(t, c, ns, "marker", "203.0.113.99")
	hasRecord(t, p.Provider, 5*time.Second, "marker.example.com", "marker.example.com A 203.0.113.99")
	if got := about(records(t, p.Provider), "web.example.com"); len(got) != 0 {
		t.Fatalf("records before the Service has an address: %q", got)
	}
	if err := c.CoreV1().Services(ns).Delete(ctx, "marker", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "marker.example.com")

	// (2) The load balancer gets its address; (3) the embedded DNS server
	// answers with it within a second.
	// The clock starts before the update call: the record may well be
	// published before the API server's answer reaches the test.
	t0 := time.Now()
	setLoadBalancerIP(t, c, ns, "web", "203.0.113.10")
	eventually(t, 5*time.Second, func() (bool, string) {
		got := queryA("web.example.com")
		return slices.Equal(got, []string{"203.0.113.10"}), fmt.Sprintf("DNS answers %q", got)
	})
	took := time.Since(t0)
	t.Logf("embedded DNS server answered %v after the status update was sent", took)
	if took > time.Second {
		t.Errorf("record took %v to appear, want under 1s", took)
	}
	if got := about(records(t, p.Provider), "web.example.com"); len(got) < 2 {
		t.Errorf("no ownership TXT beside the record: %q", got)
	}

	// (4) A new hostname replaces the old one, TXT included.
	t0 = time.Now()
	updateService(t, c, ns, "web", func(s *corev1.Service) { s.Annotations[pfx+"hostname"] = "www.example.com" })
	hasRecord(t, p.Provider, 5*time.Second, "www.example.com", "www.example.com A 203.0.113.10")
	hasRecord(t, p.Provider, 5*time.Second, "web.example.com")
	t.Logf("rename applied in %v", time.Since(t0))

	// (5) Deleting the Service deletes its record and ownership TXT.
	t0 = time.Now()
	if err := c.CoreV1().Services(ns).Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "www.example.com")
	t.Logf("deletion applied in %v", time.Since(t0))
	if got := records(t, p.Provider); len(got) != 0 {
		t.Errorf("records left: %q", got)
	}
}
