package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// ErrLeadershipLost is returned when this replica stopped being the leader
// while it was still meant to run: its work was cancelled, and the process
// should exit so that it restarts as a follower with a clean state.
var ErrLeadershipLost = errors.New("kube: leader election: leadership lost")

// LeaderElection configures RunWithLeaderElection. Zero durations take
// the usual Kubernetes controller values (15s, 10s, 2s).
type LeaderElection struct {
	// Clients should have a rate limit of their own (Cluster.NewClients):
	// lease renewals must not queue behind events or status writes.
	Clients *Clients
	// Namespace holds the Lease; empty means the namespace of the pod's
	// service account, else "default".
	Namespace string
	// Name is the Lease's name; empty means "exodns-leader". Replicas
	// with different --txt-owner-id must use different names.
	Name string
	// Identity names this replica; empty means hostname plus a random
	// suffix, so two processes on one host never share it.
	Identity string

	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration

	// OnNewLeader, when set, is told the identity of each new leader.
	OnNewLeader func(identity string)
}

const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// RunWithLeaderElection blocks until ctx ends, running run only while this
// replica holds the Lease. run's context is cancelled when leadership is
// lost or ctx ends. When ctx ends, the Lease is released as soon as run has
// returned (never before, so two replicas never apply at once), and another
// replica takes over within its retry period instead of a whole lease
// duration. It returns nil when ctx ended or run returned by itself, and
// ErrLeadershipLost when leadership was lost first.
func RunWithLeaderElection(ctx context.Context, cfg LeaderElection, run func(ctx context.Context)) error {
	e, err := cfg.elector()
	if err != nil {
		return err
	}
	return e.lead(ctx, run)
}

// lead is RunWithLeaderElection with an elector.
func (e *elector) lead(ctx context.Context, run func(ctx context.Context)) error {
	klog.Infof("attempting to acquire leader lease %s...", e.desc)
	if !e.acquire(ctx) {
		return nil
	}
	// On return, which is never before run has returned.
	defer e.release()
	if ctx.Err() != nil {
		return nil
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var finished atomic.Bool // run returned while still leader
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel() // done by itself: stop renewing, let go of the Lease
		run(rctx)
		finished.Store(rctx.Err() == nil)
	}()
	lost := e.renew(rctx)
	cancel()
	<-done
	if ctx.Err() != nil || finished.Load() || !lost {
		return nil
	}
	return ErrLeadershipLost
}

func (cfg LeaderElection) elector() (*elector, error) {
	if cfg.Clients == nil || cfg.Clients.Core == nil {
		return nil, errors.New("kube: leader election: no client")
	}
	ns := cfg.Namespace
	if ns == "" {
		ns = podNamespace()
	}
	name := cfg.Name
	if name == "" {
		name = "exodns-leader"
	}
	id := cfg.Identity
	if id == "" {
		host, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("kube: leader election: identity: %w", err)
		}
		id = host + "_" + string(uuid.NewUUID())
	}
	e := &elector{
		store:         &restLeases{client: cfg.Clients.Core, namespace: ns, name: name},
		id:            id,
		desc:          ns + "/" + name,
		leaseDuration: orDefault(cfg.LeaseDuration, 15*time.Second),
		renewDeadline: orDefault(cfg.RenewDeadline, 10*time.Second),
		retryPeriod:   orDefault(cfg.RetryPeriod, 2*time.Second),
		clock:         clock.RealClock{},
		jitter:        func(d time.Duration) time.Duration { return wait.Jitter(d, 1.2) },
		onNewLeader:   cfg.OnNewLeader,
	}
	// client-go's checks of the same values.
	switch {
	case e.leaseDuration <= e.renewDeadline:
		return nil, errors.New("kube: leader election: the lease duration must be longer than the renew deadline")
	case e.renewDeadline <= time.Duration(1.2*float64(e.retryPeriod)):
		return nil, errors.New("kube: leader election: the renew deadline must be longer than 1.2 retry periods")
	}
	return e, nil
}

// podNamespace is the namespace the pod runs in, where its service account
// is allowed to keep a Lease.
func podNamespace() string {
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil {
		if ns := strings.TrimSpace(string(b)); ns != "" {
			return ns
		}
	}
	return "default"
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
