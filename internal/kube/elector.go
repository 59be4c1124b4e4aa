package kube

import (
	"context"
	"errors"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
)

// The elector is client-go's leader election over a coordination.k8s.io/v1
// Lease (tools/leaderelection with a LeaseLock and ReleaseOnCancel), with
// the same timing and the same rules, written out because client-go's
// package links the full clientset. Like client-go, it trusts no clock
// but its own: a Lease has expired when it has not changed for its
// duration since this replica last saw it change, whatever its times say.
//
// One goroutine runs an elector; it has no locks.
type elector struct {
	store         leaseStore
	id            string
	desc          string // namespace/name, for logs
	leaseDuration time.Duration
	renewDeadline time.Duration
	retryPeriod   time.Duration
	clock         electorClock
	// jitter stretches a follower's wait: client-go waits between one
	// and 2.2 retry periods, so followers do not ask in step.
	jitter      func(time.Duration) time.Duration
	onNewLeader func(identity string)

	lease        *coordinationv1.Lease // last read or written; its resourceVersion guards the next write
	observed     leaseRecord
	observedTime time.Time // when observed last changed, by e.clock
	reported     string    // the holder last told to onNewLeader
}

// electorClock is the part of k8s.io/utils/clock the elector uses.
type electorClock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// leaseStore reads and writes the one Lease.
type leaseStore interface {
	get(ctx context.Context) (*coordinationv1.Lease, error)
	create(ctx context.Context, l *coordinationv1.Lease) (*coordinationv1.Lease, error)
	update(ctx context.Context, l *coordinationv1.Lease) (*coordinationv1.Lease, error)
}

// leaseRecord is a Lease's spec as the election reads it (client-go's
// LeaderElectionRecord).
type leaseRecord struct {
	holder       string
	durationSecs int32
	acquire      time.Time
	renew        time.Time
	transitions  int32
}

func recordOf(s coordinationv1.LeaseSpec) leaseRecord {
	var r leaseRecord
	if s.HolderIdentity != nil {
		r.holder = *s.HolderIdentity
	}
	if s.LeaseDurationSeconds != nil {
		r.durationSecs = *s.LeaseDurationSeconds
	}
	if s.AcquireTime != nil {
		r.acquire = s.AcquireTime.Time
	}
	if s.RenewTime != nil {
		r.renew = s.RenewTime.Time
	}
	if s.LeaseTransitions != nil {
		r.transitions = *s.LeaseTransitions
	}
	return r
}

func (r leaseRecord) spec() coordinationv1.LeaseSpec {
	return coordinationv1.LeaseSpec{
		HolderIdentity:       &r.holder,
		LeaseDurationSeconds: &r.durationSecs,
		AcquireTime:          &metav1.MicroTime{Time: r.acquire},
		RenewTime:            &metav1.MicroTime{Time: r.renew},
		LeaseTransitions:     &r.transitions,
	}
}

func (r leaseRecord) equal(o leaseRecord) bool {
	return r.holder == o.holder && r.durationSecs == o.durationSecs && r.acquire.Equal(o.acquire) &&
		r.renew.Equal(o.renew) && r.transitions == o.transitions
}

func (e *elector) isLeader() bool { return e.observed.holder == e.id }

// leaseValid says whether the observed Lease has not yet expired.
func (e *elector) leaseValid(now time.Time) bool {
	return e.observedTime.Add(time.Duration(e.observed.durationSecs) * time.Second).After(now)
}

func (e *elector) setObserved(r leaseRecord) {
	e.observed = r
	e.observedTime = e.clock.Now()
}

// tryAcquireOrRenew takes the Lease if it is free or expired, or renews
// it if held, and reports whether this replica holds it now.
func (e *elector) tryAcquireOrRenew(ctx context.Context) bool {
	now := e.clock.Now()
	want := leaseRecord{holder: e.id, durationSecs: int32(e.leaseDuration / time.Second), acquire: now, renew: now}

	// The leader's fast path: write on top of what it wrote last.
	if e.isLeader() && e.leaseValid(now) {
		want.acquire, want.transitions = e.observed.acquire, e.observed.transitions
		err := e.write(ctx, want)
		if err == nil {
			return true
		}
		klog.Errorf("Failed to update lease %s optimistically: %v, falling back to slow path", e.desc, err)
	}

	cur, err := e.store.get(ctx)
	if apierrors.IsNotFound(err) {
		l := &coordinationv1.Lease{Spec: want.spec()}
		created, err := e.store.create(ctx, l)
		if err != nil {
			klog.Errorf("error initially creating lease %s: %v", e.desc, err)
			return false
		}
		e.lease = created
		e.setObserved(recordOf(created.Spec))
		return true
	}
	if err != nil {
		klog.Errorf("error retrieving lease %s: %v", e.desc, err)
		return false
	}
	e.lease = cur
	if r := recordOf(cur.Spec); !r.equal(e.observed) {
		e.setObserved(r)
	}
	if e.observed.holder != "" && e.leaseValid(now) && !e.isLeader() {
		return false // held by another, not expired
	}
	if e.isLeader() {
		want.acquire, want.transitions = e.observed.acquire, e.observed.transitions
	} else {
		want.transitions = e.observed.transitions + 1
	}
	if err := e.write(ctx, want); err != nil {
		klog.Errorf("Failed to update lease %s: %v", e.desc, err)
		return false
	}
	return true
}

// write updates the Lease last read or written to r; a change by anyone
// since makes it fail with a conflict.
func (e *elector) write(ctx context.Context, r leaseRecord) error {
	if e.lease == nil {
		return errors.New("kube: lease not read yet")
	}
	l := e.lease.DeepCopy()
	l.Spec = r.spec()
	got, err := e.store.update(ctx, l)
	if err != nil {
		return err
	}
	e.lease = got
	e.setObserved(recordOf(got.Spec))
	return nil
}

// reportTransition tells onNewLeader, on a goroutine of its own so that
// it cannot hold up a renewal, of a holder it has not been told of, and
// reports whether it did.
func (e *elector) reportTransition() bool {
	if e.observed.holder == e.reported {
		return false
	}
	e.reported = e.observed.holder
	if e.onNewLeader != nil {
		go e.onNewLeader(e.reported)
	}
	return true
}

// attempt runs one tryAcquireOrRenew to its end even if ctx ends
// meanwhile, within timeout: a write cancelled halfway may still have
// been stored, and the elector would then hold a Lease without knowing
// its resourceVersion, and fail to release it.
func (e *elector) attempt(ctx context.Context, timeout time.Duration) bool {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	return e.tryAcquireOrRenew(actx)
}

// acquire tries to take the Lease, every retry period (with jitter),
// until it holds it (true) or ctx ends (false).
func (e *elector) acquire(ctx context.Context) bool {
	for ctx.Err() == nil {
		ok := e.attempt(ctx, e.renewDeadline)
		e.reportTransition()
		if ok {
			klog.Infof("successfully acquired lease %s", e.desc)
			return true
		}
		select {
		case <-ctx.Done():
		case <-e.clock.After(e.jitter(e.retryPeriod)):
		}
	}
	return false
}

// renew renews the Lease at once and then a retry period after each
// renewal, until ctx ends (false) or a renewal did not succeed within the
// renew deadline (true: leadership lost).
func (e *elector) renew(ctx context.Context) (lost bool) {
	for {
		if !e.renewWithin(ctx) {
			if ctx.Err() != nil {
				return false
			}
			klog.Infof("failed to renew lease %s: renew deadline of %v passed", e.desc, e.renewDeadline)
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-e.clock.After(e.retryPeriod):
		}
	}
}

// renewWithin tries at once and then every retry period until a renewal
// succeeds (true), or the renew deadline passes or ctx ends (false).
func (e *elector) renewWithin(ctx context.Context) bool {
	start := e.clock.Now()
	for {
		// The deadline bounds the requests too, so a hung one cannot
		// keep a replica leading past it.
		ok := e.attempt(ctx, max(e.renewDeadline-e.clock.Now().Sub(start), time.Millisecond))
		e.reportTransition()
		if ok {
			return true
		}
		left := e.renewDeadline - e.clock.Now().Sub(start)
		if left <= 0 {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-e.clock.After(min(e.retryPeriod, left)):
			if e.retryPeriod >= left {
				return false
			}
		}
	}
}

// release gives the Lease up, if held, so a follower takes it at its next
// try: no holder, a duration of one second. If the Lease changed since it
// was last read (a renewal whose answer was lost), it is read again and
// released if this replica still holds it.
func (e *elector) release() {
	if !e.isLeader() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.renewDeadline)
	defer cancel()
	now := e.clock.Now()
	released := leaseRecord{durationSecs: 1, acquire: now, renew: now, transitions: e.observed.transitions}
	err := e.write(ctx, released)
	if apierrors.IsConflict(err) {
		var cur *coordinationv1.Lease
		if cur, err = e.store.get(ctx); err == nil {
			if recordOf(cur.Spec).holder != e.id {
				return // taken over meanwhile: nothing to give up
			}
			e.lease = cur
			err = e.write(ctx, released)
		}
	}
	if err != nil {
		klog.Errorf("Failed to release lease %s: %v", e.desc, err)
	}
}
