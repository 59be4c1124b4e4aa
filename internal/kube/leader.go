package kube

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
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
	lec, err := cfg.elector()
	if err != nil {
		return err
	}
	// The elector gets a context of its own, ended only once run has
	// returned: client-go releases the Lease as soon as its context ends,
	// without waiting for the leader's work to stop.
	leCtx, leCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer leCancel()
	var (
		mu       sync.Mutex
		leading  bool
		finished bool // run returned while still leader
		done     = make(chan struct{})
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		l := leading
		mu.Unlock()
		if l {
			<-done
		}
		leCancel()
	})
	defer stop()
	lec.Callbacks = leaderelection.LeaderCallbacks{
		OnStartedLeading: func(lctx context.Context) {
			mu.Lock()
			if ctx.Err() != nil {
				mu.Unlock()
				return
			}
			leading = true
			mu.Unlock()
			defer close(done)
			defer leCancel() // done or lost: let go of the Lease
			rctx, cancel := context.WithCancel(lctx)
			defer cancel()
			defer context.AfterFunc(ctx, cancel)()
			run(rctx)
			mu.Lock()
			finished = lctx.Err() == nil
			mu.Unlock()
		},
		OnStoppedLeading: func() {},
		OnNewLeader: func(id string) {
			if cfg.OnNewLeader != nil {
				cfg.OnNewLeader(id)
			}
		},
	}
	le, err := leaderelection.NewLeaderElector(lec)
	if err != nil {
		return fmt.Errorf("kube: leader election: %w", err)
	}
	le.Run(leCtx)
	mu.Lock()
	l := leading
	mu.Unlock()
	if l {
		<-done
	}
	mu.Lock()
	defer mu.Unlock()
	if ctx.Err() != nil || finished {
		return nil
	}
	return ErrLeadershipLost
}

func (cfg LeaderElection) elector() (leaderelection.LeaderElectionConfig, error) {
	if cfg.Clients == nil {
		return leaderelection.LeaderElectionConfig{}, errors.New("kube: leader election: no client")
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
			return leaderelection.LeaderElectionConfig{}, fmt.Errorf("kube: leader election: identity: %w", err)
		}
		id = host + "_" + string(uuid.NewUUID())
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, ns, name,
		cfg.Clients.Core, cfg.Clients.Coordination, resourcelock.ResourceLockConfig{Identity: id})
	if err != nil {
		return leaderelection.LeaderElectionConfig{}, fmt.Errorf("kube: leader election: lock: %w", err)
	}
	return leaderelection.LeaderElectionConfig{
		Lock:            lock,
		LeaseDuration:   orDefault(cfg.LeaseDuration, 15*time.Second),
		RenewDeadline:   orDefault(cfg.RenewDeadline, 10*time.Second),
		RetryPeriod:     orDefault(cfg.RetryPeriod, 2*time.Second),
		ReleaseOnCancel: true,
		Name:            name,
	}, nil
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
