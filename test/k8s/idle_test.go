//go:build integration

package k8s

import (
	"fmt"
	"testing"
	"time"
)

// TestIdleResyncsSkipTheRead runs the command as a Deployment would, with
// README's default provider, the embedded server, over Services and
// Ingresses, and a short --interval. Once it converged, its periodic
// resyncs must be incremental runs (the store's zone version says no one
// changed the zone, the informers that nothing changed), not full ones
// that read every object and record: at 10,000 objects a full run costs
// the process some 200 ms of CPU and 50 MiB of garbage (TestScale's
// idle-embedded phase), every --interval, for nothing. Anything that made
// every resync full (a wrapper hiding the provider's version, an observer
// or source asking for a full run) fails it.
func TestIdleResyncsSkipTheRead(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	for i := range 3 {
		if err := createService(ctx, c, ns, i); err != nil {
			t.Fatal(err)
		}
		if err := createIngress(ctx, c, ns, i); err != nil {
			t.Fatal(err)
		}
	}
	metrics := freeAddr(t)
	runCommand(t, "--source=service", "--source=ingress", "--kubeconfig="+userKubeconfig(t, "exodns-idle"), "--namespace="+ns,
		"--provider=embedded", "--embedded-zone=example.com", "--embedded-db=:memory:", "--embedded-listen="+freeAddr(t),
		"--txt-owner-id=idle", "--metrics-address="+metrics, "--interval=300ms", "--log-level=warn")

	const full, incremental = `external_dns_controller_reconcile_runs_total{kind="full"}`, `external_dns_controller_reconcile_runs_total{kind="incremental"}`
	var m0 map[string]float64
	eventually(t, 30*time.Second, func() (bool, string) {
		m0 = scrape(metrics)
		return m0[`external_dns_registry_records{record_type="A"}`] == 6 && m0[full]+m0[incremental] >= 3,
			fmt.Sprintf("%v A records, %v runs", m0[`external_dns_registry_records{record_type="A"}`], m0[full]+m0[incremental])
	})
	var m1 map[string]float64
	eventually(t, 30*time.Second, func() (bool, string) {
		m1 = scrape(metrics)
		n := m1[full] + m1[incremental] - m0[full] - m0[incremental]
		return n >= 5, fmt.Sprintf("%v runs since convergence", n)
	})
	if m1[full] != m0[full] {
		t.Errorf("%v of the %v resyncs after convergence were full runs, want none", m1[full]-m0[full], m1[full]+m1[incremental]-m0[full]-m0[incremental])
	}
}
