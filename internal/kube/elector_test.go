package kube

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clocktesting "k8s.io/utils/clock/testing"
)

// memLeases is a Lease store with the API server's optimistic concurrency:
// an update must carry the resourceVersion last stored.
type memLeases struct {
	mu     sync.Mutex
	lease  *coordinationv1.Lease
	rv     int
	fail   error // returned by every call while set
	writes int
}

var leaseGR = schema.GroupResource{Group: "coordination.k8s.io", Resource: "leases"}

func (m *memLeases) get(context.Context) (*coordinationv1.Lease, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	if m.lease == nil {
		return nil, apierrors.NewNotFound(leaseGR, "l")
	}
	return m.lease.DeepCopy(), nil
}

func (m *memLeases) create(_ context.Context, l *coordinationv1.Lease) (*coordinationv1.Lease, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	if m.lease != nil {
		return nil, apierrors.NewAlreadyExists(leaseGR, "l")
	}
	return m.store(l), nil
}

func (m *memLeases) update(_ context.Context, l *coordinationv1.Lease) (*coordinationv1.Lease, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	if m.lease == nil || l.ResourceVersion != m.lease.ResourceVersion {
		return nil, apierrors.NewConflict(leaseGR, "l", errors.New("changed"))
	}
	return m.store(l), nil
}

func (m *memLeases) store(l *coordinationv1.Lease) *coordinationv1.Lease {
	m.rv++
	m.writes++
	m.lease = l.DeepCopy()
	m.lease.ResourceVersion = strconv.Itoa(m.rv)
	return m.lease.DeepCopy()
}

func (m *memLeases) holder() leaseRecord {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lease == nil {
		return leaseRecord{}
	}
	return recordOf(m.lease.Spec)
}

func (m *memLeases) setFail(err error) {
	m.mu.Lock()
	m.fail = err
	m.mu.Unlock()
}

func testElector(store leaseStore, id string, clk *clocktesting.FakeClock) *elector {
	return &elector{store: store, id: id, desc: "ns/l", leaseDuration: 15 * time.Second, renewDeadline: 10 * time.Second,
		retryPeriod: 2 * time.Second, clock: clk, jitter: func(d time.Duration) time.Duration { return d }}
}

func TestElectorTakesFreeOrExpiredLease(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	a, b := testElector(store, "a", clk), testElector(store, "b", clk)
	ctx := context.Background()

	if !a.tryAcquireOrRenew(ctx) {
		t.Fatal("a did not create the missing Lease")
	}
	if r := store.holder(); r.holder != "a" || r.durationSecs != 15 || r.transitions != 0 {
		t.Fatalf("created %+v", r)
	}
	if b.tryAcquireOrRenew(ctx) {
		t.Fatal("b took a Lease held and fresh")
	}
	// a renews: the record changes, so b sees it alive however long ago
	// its times say it was renewed.
	clk.Step(10 * time.Second)
	if !a.tryAcquireOrRenew(ctx) {
		t.Fatal("a could not renew")
	}
	clk.Step(10 * time.Second)
	if b.tryAcquireOrRenew(ctx) {
		t.Fatal("b took a Lease renewed 10s ago")
	}
	// a stops renewing: 15s after b saw the last change, it is b's.
	clk.Step(14 * time.Second)
	if b.tryAcquireOrRenew(ctx) {
		t.Fatal("b took the Lease before its duration passed since it changed")
	}
	clk.Step(2 * time.Second)
	if !b.tryAcquireOrRenew(ctx) {
		t.Fatal("b did not take the expired Lease")
	}
	r := store.holder()
	if r.holder != "b" || r.transitions != 1 || !r.acquire.Equal(clk.Now()) {
		t.Errorf("taken over: %+v", r)
	}
	// The old leader's fast path fails on the resourceVersion, and the
	// slow path sees b.
	if a.tryAcquireOrRenew(ctx) {
		t.Error("a renewed a Lease b holds")
	}
	if a.isLeader() {
		t.Error("a still thinks it leads")
	}
}

// TestElectorTrustsOnlyItsClock: a Lease whose renew time is long past, but
// that this replica has only just seen, is not expired: the holder's
// clock may differ from ours.
func TestElectorTrustsOnlyItsClock(t *testing.T) {
	store := &memLeases{}
	old := time.Unix(0, 0)
	store.store(&coordinationv1.Lease{Spec: leaseRecord{holder: "other", durationSecs: 15, acquire: old, renew: old}.spec()})
	clk := clocktesting.NewFakeClock(time.Unix(1e6, 0))
	e := testElector(store, "me", clk)
	if e.tryAcquireOrRenew(context.Background()) {
		t.Fatal("took a Lease first seen just now")
	}
	clk.Step(16 * time.Second)
	if !e.tryAcquireOrRenew(context.Background()) {
		t.Fatal("did not take a Lease unchanged for its duration")
	}
}

func TestElectorKeepsAcquireTimeOnRenewal(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	e := testElector(store, "a", clk)
	e.tryAcquireOrRenew(context.Background())
	acquired := clk.Now()
	clk.Step(2 * time.Second)
	// Someone else wrote the Lease (kubectl annotate): the fast path
	// conflicts, the slow path renews on top of it.
	store.mu.Lock()
	store.lease.Annotations = map[string]string{"x": "y"}
	store.store(store.lease)
	store.mu.Unlock()
	if !e.tryAcquireOrRenew(context.Background()) {
		t.Fatal("renewal after a foreign write failed")
	}
	r := store.holder()
	if !r.acquire.Equal(acquired) || !r.renew.Equal(clk.Now()) || r.transitions != 0 {
		t.Errorf("renewed record %+v", r)
	}
}

// waitBlocked waits until the elector's goroutine waits on the clock.
func waitBlocked(t *testing.T, clk *clocktesting.FakeClock) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !clk.HasWaiters() {
		if time.Now().After(deadline) {
			t.Fatal("the elector never waited on its clock")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestElectorLosesAfterRenewDeadline: renewals that fail for the renew
// deadline end the leadership; a retry period after a failure, it tries
// again.
func TestElectorLosesAfterRenewDeadline(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	e := testElector(store, "a", clk)
	if !e.acquire(context.Background()) {
		t.Fatal("no Lease")
	}
	lost := make(chan bool, 1)
	go func() { lost <- e.renew(context.Background()) }()
	waitBlocked(t, clk) // renewed at once, waiting a retry period
	if store.writes != 2 {
		t.Fatalf("%d writes, want the creation and an immediate renewal", store.writes)
	}
	store.setFail(errors.New("API server down"))
	for range 5 { // tries at 0, 2, 4, 6, 8s of the deadline
		clk.Step(2 * time.Second)
		waitBlocked(t, clk)
	}
	select {
	case <-lost:
		t.Fatal("lost before the renew deadline")
	default:
	}
	clk.Step(2 * time.Second)
	if !<-lost {
		t.Error("renew returned without losing")
	}
}

// TestElectorRelease: a released Lease has no holder and is taken by the
// next replica at once, without waiting for it to expire.
func TestElectorRelease(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	a, b := testElector(store, "a", clk), testElector(store, "b", clk)
	told := make(chan string, 10)
	b.onNewLeader = func(id string) { told <- id }
	a.tryAcquireOrRenew(context.Background())
	if b.tryAcquireOrRenew(context.Background()) {
		t.Fatal("b took a held Lease")
	}
	if !b.reportTransition() || <-told != "a" {
		t.Fatal("b was not told of a")
	}
	if b.reportTransition() {
		t.Error("b was told of a twice")
	}
	a.release()
	if r := store.holder(); r.holder != "" || r.durationSecs != 1 {
		t.Fatalf("released %+v", r)
	}
	if !b.tryAcquireOrRenew(context.Background()) {
		t.Fatal("b did not take the released Lease at once")
	}
	if !b.reportTransition() || <-told != "b" {
		t.Error("b was not told it leads")
	}
	b.release()
	b.release() // not the holder any more: nothing written
	if store.writes != 4 {
		t.Errorf("%d writes, want 4", store.writes)
	}
}

func TestLeaderElectionConfig(t *testing.T) {
	c := &Clients{Core: &Client{}}
	if _, err := (LeaderElection{Clients: c, LeaseDuration: 10 * time.Second}).elector(); err == nil {
		t.Error("a lease duration not above the renew deadline was accepted")
	}
	if _, err := (LeaderElection{Clients: c, RetryPeriod: 9 * time.Second}).elector(); err == nil {
		t.Error("a renew deadline under 1.2 retry periods was accepted")
	}
	e, err := LeaderElection{Clients: c, Namespace: "ns"}.elector()
	if err != nil {
		t.Fatal(err)
	}
	if e.leaseDuration != 15*time.Second || e.renewDeadline != 10*time.Second || e.retryPeriod != 2*time.Second ||
		e.desc != "ns/exodns-leader" || e.id == "" {
		t.Errorf("defaults %+v", e)
	}
	if _, err := (LeaderElection{}).elector(); err == nil {
		t.Error("no client accepted")
	}
}

// TestElectorReleaseAfterLostAnswer: a renewal was stored but its answer
// lost, so the elector's resourceVersion is old; the release still lets go.
func TestElectorReleaseAfterLostAnswer(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	a := testElector(store, "a", clk)
	a.tryAcquireOrRenew(context.Background())
	store.mu.Lock()
	store.store(store.lease) // the renewal the elector never heard back of
	store.mu.Unlock()
	a.release()
	if r := store.holder(); r.holder != "" {
		t.Fatalf("not released: %+v", r)
	}
	// Taken over meanwhile: the new holder's Lease is left alone.
	b := testElector(store, "b", clk)
	b.tryAcquireOrRenew(context.Background())
	b.lease.ResourceVersion = "stale"
	store.mu.Lock()
	store.lease.Spec = leaseRecord{holder: "c", durationSecs: 15, acquire: clk.Now(), renew: clk.Now()}.spec()
	store.store(store.lease)
	store.mu.Unlock()
	b.release()
	if r := store.holder(); r.holder != "c" {
		t.Errorf("released another's Lease: %+v", r)
	}
}

// TestLeadReleasesAfterRun: when ctx ends, run's context ends, and the
// Lease is released only once run has returned.
func TestLeadReleasesAfterRun(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	e := testElector(store, "a", clk)
	ctx, cancel := context.WithCancel(context.Background())
	heldWhileRunning := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- e.lead(ctx, func(rctx context.Context) {
			cancel() // the process is told to stop while leading
			<-rctx.Done()
			heldWhileRunning <- store.holder().holder
		})
	}()
	if err := <-errc; err != nil {
		t.Errorf("lead = %v, want nil after ctx ended", err)
	}
	if h := <-heldWhileRunning; h != "a" {
		t.Errorf("holder while run was finishing: %q, want a", h)
	}
	if h := store.holder().holder; h != "" {
		t.Errorf("holder after lead returned: %q, want released", h)
	}
}

// TestLeadLost: renewals failing for the renew deadline end run's context,
// and lead says leadership was lost.
func TestLeadLost(t *testing.T) {
	store := &memLeases{}
	clk := clocktesting.NewFakeClock(time.Unix(1000, 0))
	e := testElector(store, "a", clk)
	running := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- e.lead(context.Background(), func(rctx context.Context) {
			close(running)
			<-rctx.Done()
		})
	}()
	<-running
	waitBlocked(t, clk)
	store.setFail(errors.New("API server down"))
	// One retry period to the next renewal, then tries at 0, 2, 4, 6 and
	// 8s of the renew deadline, which passes at 10s.
	for range 5 {
		clk.Step(2 * time.Second)
		waitBlocked(t, clk)
	}
	clk.Step(2 * time.Second)
	if err := <-errc; !errors.Is(err, ErrLeadershipLost) {
		t.Errorf("lead = %v, want ErrLeadershipLost", err)
	}
}

// TestLeadRunReturns: run returning by itself lets go of the Lease, and
// is no error.
func TestLeadRunReturns(t *testing.T) {
	store := &memLeases{}
	e := testElector(store, "a", clocktesting.NewFakeClock(time.Unix(1000, 0)))
	if err := e.lead(context.Background(), func(context.Context) {}); err != nil {
		t.Errorf("lead = %v", err)
	}
	if h := store.holder().holder; h != "" {
		t.Errorf("holder %q, want released", h)
	}
}
