//go:build integration

package k8s

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/cli"
	"github.com/exodns/exodns/internal/kubereport"
)

// TestHealthChangeIsAnEvent runs the command with the embedded server: a
// routed Service with a health check gets a Warning TargetUnhealthy Event
// when its backend fails, and a Normal TargetHealthy when it is back.
func TestHealthChangeIsAnEvent(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	var down atomic.Bool
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer backend.Close()
	port := backend.Listener.Addr().(*net.TCPAddr).Port

	cmd := cli.NewRootCommand(cli.BuildInfo{Version: "test"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--source=service", "--kubeconfig=" + userKubeconfig(t, "exodns-replicas"), "--namespace=" + ns,
		"--provider=embedded", "--embedded-zone=example.com", "--embedded-db=:memory:", "--embedded-listen=" + freeAddr(t),
		"--txt-owner-id=health", "--metrics-address="})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(runCtx) }()
	defer func() { cancel(); <-done }()

	svc := loadBalancer(ns, "web", map[string]string{pfx + "hostname": "web.example.com", pfx + "set-identifier": "here",
		pfx + "aws-weight": "100", pfx + "gslb-health-check": "http", pfx + "gslb-health-check-port": fmt.Sprint(port),
		pfx + "gslb-health-check-interval": "200ms", pfx + "gslb-health-check-timeout": "200ms",
		pfx + "gslb-health-check-fall": "1", pfx + "gslb-health-check-rise": "1"})
	if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setLoadBalancerIP(t, c, ns, "web", "127.0.0.1")
	findEvent(t, c, ns, "web", kubereport.ReasonTargetHealthy, "target 127.0.0.1 of web.example.com (set here) is healthy")
	down.Store(true)
	findEvent(t, c, ns, "web", kubereport.ReasonTargetUnhealthy, "it leaves the answers")
	down.Store(false)
	waitEvents(t, ns, "web", kubereport.ReasonTargetHealthy, 2)
}

// waitEvents waits until n Events of reason were recorded on name
// (counting repeats).
func waitEvents(t *testing.T, ns, name, reason string, n int) {
	t.Helper()
	cs, _ := clients(t)
	eventually(t, 10*time.Second, func() (bool, string) {
		evs, err := cs.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false, err.Error()
		}
		got := 0
		for _, e := range evs.Items {
			if e.InvolvedObject.Name == name && e.Reason == reason {
				got += max(int(e.Count), 1)
			}
		}
		return got >= n, fmt.Sprintf("%d %s events, want %d", got, reason, n)
	})
}
