//go:build integration

package k8s

import (
	"context"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/cli"
	"github.com/exodns/exodns/test/harness"
)

// TestCommandLine runs the exodns command itself, as a Deployment would:
// kubeconfig, Kubernetes sources, leader election and the embedded server,
// all from flags. The other tests assemble the pipeline by hand; this one
// proves the command assembles the same thing.
func TestCommandLine(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	kubeconfig := userKubeconfig(t, "exodns")
	// The embedded server listens on TCP and UDP; a port free for both,
	// and not one an outgoing connection can take meanwhile.
	addr := fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t))

	runCommand(t, "--source=service", "--source=ingress", "--kubeconfig="+kubeconfig, "--namespace="+ns,
		"--provider=embedded", "--embedded-zone=example.com", "--embedded-db=:memory:", "--embedded-listen="+addr,
		"--txt-owner-id=cli", "--metrics-address=", "--leader-elect", "--leader-election-namespace="+ns,
		"--leader-election-lease-duration=2s", "--leader-election-renew-deadline=1s", "--leader-election-retry-period=200ms")

	svc := loadBalancer(ns, "cli", map[string]string{pfx + "hostname": "cli.example.com"})
	if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setLoadBalancerIP(t, c, ns, "cli", "203.0.113.77")
	client := &dns.Client{Net: "udp", Timeout: time.Second}
	eventually(t, 20*time.Second, func() (bool, string) {
		m := new(dns.Msg)
		m.SetQuestion("cli.example.com.", dns.TypeA)
		r, _, err := client.Exchange(m, addr)
		if err != nil {
			return false, err.Error()
		}
		var got []string
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok {
				got = append(got, a.A.String())
			}
		}
		return slices.Equal(got, []string{"203.0.113.77"}), fmt.Sprintf("answer %v", got)
	})
	// The Lease shows the command ran under leader election.
	if _, err := c.CoordinationV1().Leases(ns).Get(ctx, "exodns-leader-cli", metav1.GetOptions{}); err != nil {
		t.Errorf("no leader Lease: %v", err)
	}
}

// runCommand runs the exodns command in this process with args until the
// test ends, and fails the test if it does not stop cleanly then.
func runCommand(t *testing.T, args ...string) {
	t.Helper()
	cmd := cli.NewRootCommand(cli.BuildInfo{Version: "test"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs(args)
	runCtx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(runCtx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exodns exited with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("exodns did not stop within 10s of its context ending")
		}
	})
}
