//go:build integration

package k8s

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/test/harness"
)

// TestInitialList runs exodns against the API server as against one older
// than Kubernetes 1.32, which cannot send an informer's initial objects as
// watch events: client-go's WatchListClient is turned off, so the informers
// list, and the list bodies go through the item-by-item decoder into the
// compact cache. The API server's own request counter shows that they
// listed.
func TestInitialList(t *testing.T) {
	const n = 300
	ctx := t.Context()
	rc := *apiServer
	kube.Tune(&rc, kube.Config{QPS: 2000, Burst: 4000})
	c, err := kubernetes.NewForConfig(&rc)
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t, c)
	parallel(t, n, 16, func(i int) error { return createService(ctx, c, ns, i) })
	parallel(t, n, 16, func(i int) error { return createIngress(ctx, c, ns, i) })

	lists := func() float64 {
		raw, err := c.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, line := range strings.Split(string(raw), "\n") {
			if strings.HasPrefix(line, "apiserver_request_total{") && strings.Contains(line, `verb="LIST"`) &&
				(strings.Contains(line, `resource="services"`) || strings.Contains(line, `resource="ingresses"`)) {
				if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
					sum += v
				}
			}
		}
		return sum
	}
	before := lists()

	addr := freeAddr(t)
	startExodns(t, harness.BuildExodns(t), []string{"--source=service", "--source=ingress", "--kubeconfig=" + userKubeconfig(t, "exodns-list"),
		"--namespace=" + ns, "--provider=inmemory", "--inmemory-zone=example.com", "--txt-owner-id=list",
		"--metrics-address=" + addr, "--min-event-sync-interval=100ms", "--log-level=warn"},
		[]string{"KUBE_FEATURE_WatchListClient=false"})
	eventually(t, 2*time.Minute, func() (bool, string) {
		got := scrape(addr)[`external_dns_registry_records{record_type="A"}`]
		return got == 2*n, fmt.Sprintf("%v of %d A records", got, 2*n)
	})
	if d := lists() - before; d < 2 {
		t.Errorf("%v lists of Services and Ingresses: the informers did not list", d)
	}
	// A change after the list arrives through the watch that follows it.
	if err := setServiceIP(ctx, c, ns, 3, "10.250.0.3"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, func() (bool, string) {
		got := scrape(addr)[`external_dns_controller_changes_total{action="update"}`]
		return got >= 1, fmt.Sprintf("%v updates", got)
	})
}
