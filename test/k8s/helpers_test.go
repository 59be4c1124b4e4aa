//go:build integration

package k8s

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
)

// clients for the test's own actions.
func clients(t *testing.T) (kubernetes.Interface, dynamic.Interface) {
	t.Helper()
	c, err := kubernetes.NewForConfig(apiServer)
	if err != nil {
		t.Fatal(err)
	}
	d, err := dynamic.NewForConfig(apiServer)
	if err != nil {
		t.Fatal(err)
	}
	return c, d
}

func newNamespace(t *testing.T, c kubernetes.Interface) string {
	t.Helper()
	ns, err := c.CoreV1().Namespaces().Create(context.Background(),
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "exodns-"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// records renders the provider's records as "name TYPE targets" lines.
func records(t *testing.T, p provider.Provider) []string {
	t.Helper()
	eps, err := p.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(eps))
	for _, e := range eps {
		out = append(out, recordLine(e))
	}
	slices.Sort(out)
	return out
}

func recordLine(e *endpoint.Endpoint) string {
	s := fmt.Sprintf("%s %s %s", e.DNSName, e.RecordType, strings.Join(e.Targets, ","))
	if e.SetIdentifier != "" {
		s += " set=" + e.SetIdentifier
	}
	return s
}

// about returns the records of a name: the record itself and its
// ownership TXT records ("a-<name>", "cname-<name>", ...).
func about(recs []string, name string) []string {
	var out []string
	for _, r := range recs {
		n, _, _ := strings.Cut(r, " ")
		if n == name || strings.HasSuffix(n, "-"+name) {
			out = append(out, r)
		}
	}
	return out
}

// eventually polls cond every 10ms until it holds, and returns how long
// that took; it fails the test after timeout with cond's last word.
func eventually(t *testing.T, timeout time.Duration, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < timeout {
		var ok bool
		if ok, last = cond(); ok {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("not within %v: %s", timeout, last)
	return 0
}

// hasRecord waits for exactly want among the records of name.
func hasRecord(t *testing.T, p provider.Provider, timeout time.Duration, name string, want ...string) time.Duration {
	t.Helper()
	return eventually(t, timeout, func() (bool, string) {
		got := about(records(t, p), name)
		var plain []string
		for _, r := range got {
			if n, _, _ := strings.Cut(r, " "); n == name {
				plain = append(plain, r)
			}
		}
		if len(want) == 0 {
			return len(got) == 0, fmt.Sprintf("records of %s: %q, want none (nor TXT)", name, got)
		}
		return slices.Equal(plain, want), fmt.Sprintf("records of %s: %q, want %q", name, got, want)
	})
}

func mustRecords(t *testing.T, p provider.Provider) []*endpoint.Endpoint {
	t.Helper()
	eps, err := p.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return eps
}
