package healthcheck

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/gslb"
)

// Options configure a Checker. The zero value works: no metrics, at most
// DefaultMaxConcurrent checks at once, certificates not verified.
type Options struct {
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
	// MaxConcurrent bounds the checks in flight at once, so thousands of
	// targets cannot open thousands of connections together; a check
	// waits for a slot, which delays it but never skips it.
	MaxConcurrent int
	// VerifyTLS verifies HTTPS certificates against RootCAs (nil: the
	// system pool) and the Host. Off by default, as on Route 53.
	VerifyTLS bool
	RootCAs   *x509.CertPool
	// Now is the clock for Status times; nil is time.Now.
	Now func() time.Time
}

// DefaultMaxConcurrent is Options.MaxConcurrent when unset: with the
// default 1 s interval and checks that take a few milliseconds, it
// sustains thousands of targets, and it caps what hanging targets (each
// holding a slot up to its timeout) can cost.
const DefaultMaxConcurrent = 64

// Checker runs checks concurrently and keeps their status. Its methods
// are safe for concurrent use.
type Checker struct {
	opts    Options
	sem     chan struct{}
	metrics *metrics
	wg      sync.WaitGroup

	mu        sync.RWMutex
	workers   map[string]*worker
	listeners []func(id string, from, to Status)
	closed    bool
}

// worker is one running check.
type worker struct {
	id     string
	check  Check
	prober *prober
	cancel context.CancelFunc
	state  tracker // guarded by Checker.mu
}

// New returns a Checker with no checks. Metrics are registered here; a
// second Checker on the same Registerer is an error.
func New(opts Options) (*Checker, error) {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrent
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	return &Checker{
		opts:    opts,
		sem:     make(chan struct{}, opts.MaxConcurrent),
		metrics: m,
		workers: make(map[string]*worker),
	}, nil
}

// Set makes checks the running set: checks not running yet start (after
// a random part of their interval, so a thousand new checks do not fire
// together), running checks not in the map stop and are forgotten, and a
// check whose settings changed under the same ID restarts, keeping its
// Health. Invalid checks are not run; the error names them.
func (c *Checker) Set(checks map[string]Check) error {
	var errs []error
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.New("healthcheck: Set after Close")
	}
	carried := make(map[string]tracker)
	for id, w := range c.workers {
		nc, ok := checks[id]
		if ok && nc.equal(w.check) {
			continue
		}
		w.cancel()
		delete(c.workers, id)
		c.metrics.forget(w)
		if ok {
			carried[id] = w.state
		}
	}
	now := c.opts.Now()
	for id, ch := range checks {
		if _, running := c.workers[id]; running {
			continue
		}
		if err := ch.validate(); err != nil {
			errs = append(errs, fmt.Errorf("healthcheck: check %s: %w", id, err))
			continue
		}
		state := newTracker(ch.Rise, ch.Fall, now)
		if old, ok := carried[id]; ok {
			state = old
			state.reset(ch.Rise, ch.Fall)
		}
		c.start(id, ch, state)
	}
	return errors.Join(errs...)
}

// start runs a new worker; c.mu is held.
func (c *Checker) start(id string, ch Check, state tracker) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{id: id, check: ch, prober: newProber(ch, c.opts.VerifyTLS, c.opts.RootCAs), cancel: cancel, state: state}
	c.workers[id] = w
	c.metrics.started(w)
	c.wg.Add(1)
	go c.run(ctx, w)
}

// run checks w every interval until its context ends.
func (c *Checker) run(ctx context.Context, w *worker) {
	defer c.wg.Done()
	interval := w.check.Interval
	timer := time.NewTimer(rand.N(interval))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		start := time.Now()
		select {
		case c.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		began := time.Now()
		out := w.prober.probe(ctx)
		took := time.Since(began)
		<-c.sem
		if ctx.Err() != nil {
			return // stopped mid-check: the result is not about the target
		}
		c.metrics.observe(w.check.Kind, out.result, took)
		c.record(w, out)
		// Start to start, so a slow check does not stretch the interval;
		// a check longer than it starts the next one at once.
		timer.Reset(max(0, interval-time.Since(start)))
	}
}

// record applies a result and tells the listeners about a change.
func (c *Checker) record(w *worker, out outcome) {
	reason := ""
	if out.err != nil {
		reason = out.err.Error()
	}
	c.mu.Lock()
	if c.workers[w.id] != w {
		c.mu.Unlock()
		return // replaced or removed while it ran
	}
	from, to, changed := w.state.observe(out.ok(), reason, c.opts.Now())
	listeners := c.listeners
	if changed {
		c.metrics.set(w, to.Health)
		c.metrics.transition(to.Health)
	}
	c.mu.Unlock()
	if changed {
		for _, f := range listeners {
			f(w.id, from, to)
		}
	}
}

// Status returns what is known of a check; an unknown ID is Unknown.
func (c *Checker) Status(id string) Status {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if w, ok := c.workers[id]; ok {
		return w.state.status
	}
	return Status{}
}

// OnChange registers f to be called whenever a check's Health changes,
// for Kubernetes Events and logs. f runs on the check's goroutine after
// the change is visible through Status, so it should return quickly:
// that check waits for it.
func (c *Checker) OnChange(f func(id string, from, to Status)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// A new slice, so a record in progress keeps the one it copied.
	c.listeners = append(c.listeners[:len(c.listeners):len(c.listeners)], f)
}

// HealthFunc returns the health function gslb.Select wants for the sets
// of one name: each target's check is looked up by the ID ChecksFor gives
// it. Build it once per zone version, not per query.
func (c *Checker) HealthFunc(sets []gslb.Set) gslb.HealthFunc {
	ids := make(map[string]map[string]string, len(sets))
	for _, s := range sets {
		for _, t := range s.Targets {
			if ch, ok := FromSet(s, t); ok {
				if ids[s.ID] == nil {
					ids[s.ID] = make(map[string]string, len(s.Targets))
				}
				ids[s.ID][t] = ch.ID()
			}
		}
	}
	return func(setID, target string) gslb.Health {
		id, ok := ids[setID][target]
		if !ok {
			return gslb.HealthUnknown
		}
		c.mu.RLock()
		w := c.workers[id]
		var h gslb.Health
		if w != nil {
			h = w.state.status.Health
		}
		c.mu.RUnlock()
		return h
	}
}

// Close stops every check and waits for them to end; checks in flight
// are cancelled, not waited out.
func (c *Checker) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for id, w := range c.workers {
		w.cancel()
		c.metrics.forget(w)
		delete(c.workers, id)
	}
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}
