//go:build integration

package k8s

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/exodns/exodns/internal/kube"
)

// TestLeaderElection: of two replicas only the Lease holder reconciles;
// when it stops it lets go of the Lease, and the other takes over well
// within a lease duration.
func TestLeaderElection(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	shared := newProvider(t)
	const leaseDuration = 2 * time.Second

	type replica struct {
		id      string
		p       *pipeline
		cancel  context.CancelFunc
		done    chan error
		leading atomic.Int64 // unix nanos when it started leading; 0 before
	}
	start := func(id string) *replica {
		r := &replica{id: id, done: make(chan error, 1)}
		rctx, cancel := context.WithCancel(ctx)
		r.cancel = cancel
		r.p = newPipeline(t, rctx, pipelineConfig{Namespace: ns, Owner: "replicated", Provider: shared, Sources: []string{"service"}})
		clients, err := r.p.Cluster.NewClients()
		if err != nil {
			t.Fatal(err)
		}
		cfg := kube.LeaderElection{Clients: clients, Namespace: ns, Name: "exodns-leader", Identity: id,
			LeaseDuration: leaseDuration, RenewDeadline: time.Second, RetryPeriod: 500 * time.Millisecond}
		go func() {
			r.done <- kube.RunWithLeaderElection(rctx, cfg, func(lctx context.Context) {
				r.leading.Store(time.Now().UnixNano())
				_ = r.p.Ctl.Run(lctx)
			})
		}()
		return r
	}
	a := start("replica-a")
	eventually(t, 5*time.Second, func() (bool, string) { return a.leading.Load() != 0, "replica-a never led" })
	b := start("replica-b")
	var stopOnce sync.Once
	t.Cleanup(func() { stopOnce.Do(a.cancel); b.cancel(); <-b.done })

	if _, err := c.CoreV1().Services(ns).Create(ctx, loadBalancer(ns, "web", map[string]string{pfx + "hostname": "leader.example.com"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	setLoadBalancerIP(t, c, ns, "web", "203.0.113.7")
	hasRecord(t, shared, 5*time.Second, "leader.example.com", "leader.example.com A 203.0.113.7")
	// Give the follower every chance to misbehave: wait until the leader
	// has renewed its Lease twice after the follower joined, so the
	// follower has tried (and failed) to take it at least once.
	seen := map[int64]bool{}
	eventually(t, 4*leaseDuration, func() (bool, string) {
		seen[leaseRenewTime(t, c, ns, "exodns-leader")] = true
		return len(seen) >= 3, fmt.Sprintf("saw %d renewals", len(seen)-1)
	})
	if n := b.p.hook.calls.Load(); n != 0 || b.leading.Load() != 0 {
		t.Fatalf("the follower reconciled %d times while the leader ran", n)
	}
	if a.p.hook.calls.Load() == 0 {
		t.Fatal("the leader never reconciled")
	}

	stopped := time.Now()
	stopOnce.Do(a.cancel)
	if err := <-a.done; err != nil {
		t.Errorf("stopped leader returned %v", err)
	}
	eventually(t, 2*leaseDuration, func() (bool, string) { return b.leading.Load() != 0, "replica-b did not take over" })
	took := time.Since(stopped)
	t.Logf("replica-b took over %v after replica-a stopped (lease duration %v)", took, leaseDuration)
	if took > leaseDuration {
		t.Errorf("takeover took %v, more than the lease duration", took)
	}

	// The new leader publishes a change the old one never saw.
	setLoadBalancerIP(t, c, ns, "web", "203.0.113.8")
	hasRecord(t, shared, 5*time.Second, "leader.example.com", "leader.example.com A 203.0.113.8")
	if b.p.hook.changes.Load() == 0 {
		t.Error("the new leader applied nothing")
	}
	b.cancel()
	if err := <-b.done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("second leader returned %v", err)
	}
	b.done <- nil // for the cleanup
}

// leaseRenewTime is when the Lease was last renewed, in nanoseconds.
func leaseRenewTime(t *testing.T, c kubernetes.Interface, ns, name string) int64 {
	t.Helper()
	l, err := c.CoordinationV1().Leases(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil || l.Spec.RenewTime == nil {
		return 0
	}
	return l.Spec.RenewTime.UnixNano()
}
