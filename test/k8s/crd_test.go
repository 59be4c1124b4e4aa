//go:build integration

package k8s

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/exodns/exodns/internal/kubereport"
)

func dnsEndpoint(apiVersion, ns, name string, entries ...map[string]any) *unstructured.Unstructured {
	eps := make([]any, len(entries))
	for i, e := range entries {
		eps[i] = e
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion, "kind": "DNSEndpoint",
		"metadata": map[string]any{"namespace": ns, "name": name},
		"spec":     map[string]any{"endpoints": eps},
	}}
}

func entry(name, recordType string, targets ...string) map[string]any {
	ts := make([]any, len(targets))
	for i, t := range targets {
		ts[i] = t
	}
	return map[string]any{"dnsName": name, "recordType": recordType, "targets": ts}
}

// readyCondition waits for the object's Ready condition to have the given
// status and reason for its current generation, and returns its message.
func readyCondition(t *testing.T, d dynamic.Interface, gvr schema.GroupVersionResource, ns, name string, status metav1.ConditionStatus, reason string) string {
	t.Helper()
	var msg string
	eventually(t, 5*time.Second, func() (bool, string) {
		u, err := d.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		observed, _, _ := unstructured.NestedInt64(u.Object, "status", "observedGeneration")
		conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conds {
			m := c.(map[string]any)
			if m["type"] == kubereport.ConditionReady {
				msg, _ = m["message"].(string)
				ok := m["status"] == string(status) && m["reason"] == reason && observed == u.GetGeneration() &&
					m["observedGeneration"] == u.GetGeneration() && m["lastTransitionTime"] != ""
				return ok, fmt.Sprintf("generation %d, observed %d, Ready %v", u.GetGeneration(), observed, m)
			}
		}
		return false, fmt.Sprintf("generation %d, observed %d, no Ready condition", u.GetGeneration(), observed)
	})
	return msg
}

func findEvent(t *testing.T, c kubernetes.Interface, ns, name, reason, contains string) {
	t.Helper()
	eventually(t, 5*time.Second, func() (bool, string) {
		evs, err := c.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false, err.Error()
		}
		var seen []string
		for _, e := range evs.Items {
			if e.InvolvedObject.Name == name && e.Reason == reason && strings.Contains(e.Message, contains) &&
				e.Source.Component == kubereport.Component && e.InvolvedObject.UID != "" {
				return true, ""
			}
			seen = append(seen, e.InvolvedObject.Name+" "+e.Reason+": "+e.Message)
		}
		return false, fmt.Sprintf("no %s event on %s containing %q among %q", reason, name, contains, seen)
	})
}

func TestDNSEndpointLifecycle(t *testing.T) {
	ctx := t.Context()
	c, d := clients(t)
	ns := newNamespace(t, c)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"crd"}})
	p.start(t, ctx)
	gvr := schema.GroupVersionResource{Group: "externaldns.k8s.io", Version: "v1alpha1", Resource: "dnsendpoints"}
	res := d.Resource(gvr).Namespace(ns)

	// The clock starts when the create returns: the API server's first
	// write of a custom resource takes it about 2s on its own.
	if _, err := res.Create(ctx, dnsEndpoint("externaldns.k8s.io/v1alpha1", ns, "api", entry("api.example.com", "A", "192.0.2.1")), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	took := hasRecord(t, p.Provider, 5*time.Second, "api.example.com", "api.example.com A 192.0.2.1")
	t.Logf("record published %v after the create returned", took)
	readyCondition(t, d, gvr, ns, "api", metav1.ConditionTrue, kubereport.ReasonApplied)
	findEvent(t, c, ns, "api", kubereport.ReasonRecordCreated, "api.example.com")

	// A spec change moves the record and the observed generation.
	update := func(name string, change func(u *unstructured.Unstructured)) {
		t.Helper()
		u, err := res.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		change(u)
		if _, err := res.Update(ctx, u, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	update("api", func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedSlice(u.Object, []any{entry("api.example.com", "A", "192.0.2.2")}, "spec", "endpoints")
	})
	hasRecord(t, p.Provider, 5*time.Second, "api.example.com", "api.example.com A 192.0.2.2")
	readyCondition(t, d, gvr, ns, "api", metav1.ConditionTrue, kubereport.ReasonApplied)

	// A second object claiming the name with other targets loses: its
	// status and an Event say so, and the record stays the first's.
	if _, err := res.Create(ctx, dnsEndpoint("externaldns.k8s.io/v1alpha1", ns, "rival", entry("api.example.com", "A", "198.51.100.9")), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	msg := readyCondition(t, d, gvr, ns, "rival", metav1.ConditionFalse, kubereport.ReasonConflict)
	if !strings.Contains(msg, "crd/"+ns+"/api") {
		t.Errorf("conflict message %q does not name the winner", msg)
	}
	findEvent(t, c, ns, "rival", kubereport.ReasonHostnameConflict, "crd/"+ns+"/api")
	hasRecord(t, p.Provider, time.Second, "api.example.com", "api.example.com A 192.0.2.2")

	// An invalid entry: reported in the status, the record kept as it was.
	update("api", func(u *unstructured.Unstructured) {
		_ = unstructured.SetNestedSlice(u.Object, []any{entry("api.example.com", "A", "not-an-ip")}, "spec", "endpoints")
	})
	msg = readyCondition(t, d, gvr, ns, "api", metav1.ConditionFalse, kubereport.ReasonInvalidInput)
	if !strings.Contains(msg, "not-an-ip") {
		t.Errorf("invalid-input message %q does not name the value", msg)
	}
	hasRecord(t, p.Provider, time.Second, "api.example.com", "api.example.com A 192.0.2.2")

	// Deleting both deletes the record and its TXT.
	for _, name := range []string{"api", "rival"} {
		if err := res.Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	hasRecord(t, p.Provider, 5*time.Second, "api.example.com")
}

// TestNginxDNSEndpoint reads the DNSEndpoints NGINX Ingress Controller
// publishes, through --crd-source-apiversion.
func TestNginxDNSEndpoint(t *testing.T) {
	ctx := t.Context()
	c, d := clients(t)
	ns := newNamespace(t, c)
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"crd"}, CRDAPIVersion: "externaldns.nginx.org/v1"})
	p.start(t, ctx)
	gvr := schema.GroupVersionResource{Group: "externaldns.nginx.org", Version: "v1", Resource: "dnsendpoints"}
	if _, err := d.Resource(gvr).Namespace(ns).Create(ctx, dnsEndpoint("externaldns.nginx.org/v1", ns, "cafe",
		entry("cafe.example.com", "CNAME", "lb.example.net")), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, 5*time.Second, "cafe.example.com", "cafe.example.com CNAME lb.example.net")
	readyCondition(t, d, gvr, ns, "cafe", metav1.ConditionTrue, kubereport.ReasonApplied)
}
