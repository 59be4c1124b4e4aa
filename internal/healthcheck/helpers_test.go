package healthcheck

import (
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/gslb"
)

// waitLimit bounds every wait for a check result. It is a deadline against
// a hung test on a loaded machine, not a speed assertion: the checks run
// every tens of milliseconds.
const waitLimit = 20 * time.Second

type event struct {
	id       string
	from, to Status
}

// recorder keeps every health change in order, so a test can wait for
// one check's change without losing the others' that arrive meanwhile.
type recorder struct {
	mu     sync.Mutex
	events []event
	next   map[string]int // per check: the first event not yet waited for
	notify chan struct{}
}

func (r *recorder) add(e event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// newChecker returns a Checker whose health changes are recorded. It is
// closed when the test ends.
func newChecker(t *testing.T, opts Options) (*Checker, *recorder) {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{next: map[string]int{}, notify: make(chan struct{}, 1)}
	c.OnChange(func(id string, from, to Status) { r.add(event{id, from, to}) })
	t.Cleanup(func() { _ = c.Close() })
	return c, r
}

// waitHealth waits until check id changes to health, later than the
// change the last wait for id returned, and returns the status it changed
// to.
func waitHealth(t *testing.T, r *recorder, id string, health gslb.Health) Status {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		r.mu.Lock()
		for i := r.next[id]; i < len(r.events); i++ {
			if e := r.events[i]; e.id == id && e.to.Health == health {
				r.next[id] = i + 1
				r.mu.Unlock()
				return e.to
			}
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("check %s did not become %s within %s", id, health, waitLimit)
		}
	}
}

// serveOn runs an HTTP server on a given loopback address (127.0.0.x,
// port chosen by the kernel).
func serveOn(t *testing.T, ip string, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewUnstartedServer(h)
	_ = s.Listener.Close()
	s.Listener = l
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// fast returns a check that runs every 20 ms. The timeout is generous so
// that only the timeout test times out on a busy machine.
func fast(kind gslb.CheckKind, addr string) Check {
	return Check{Kind: kind, Address: addr, Path: "/", Interval: 20 * time.Millisecond, Timeout: 5 * time.Second, Rise: 2, Fall: 2}
}

// serveTLS runs an HTTPS server on 127.0.0.1 with httptest's self-signed
// certificate (valid for example.com and 127.0.0.1).
func serveTLS(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	// Refused handshakes are what some cases test; keep them out of the log.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func newRegistry() *prometheus.Registry { return prometheus.NewRegistry() }

// sample is one gathered series. The helpers below read the registry's
// output without naming client_model's types, which keeps that module
// indirect in go.mod.
type sample struct {
	labels map[string]string
	value  float64
}

// samples gathers every series of one metric from reg.
func samples(t *testing.T, reg *prometheus.Registry, name string) []sample {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			s := sample{labels: map[string]string{}}
			for _, lp := range m.GetLabel() {
				s.labels[lp.GetName()] = lp.GetValue()
			}
			switch {
			case m.GetCounter() != nil:
				s.value = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				s.value = m.GetGauge().GetValue()
			}
			out = append(out, s)
		}
	}
	return out
}

// counterValue sums a counter over the series with label=value.
func counterValue(t *testing.T, reg *prometheus.Registry, name, label, value string) float64 {
	t.Helper()
	sum := 0.0
	for _, s := range samples(t, reg, name) {
		if s.labels[label] == value {
			sum += s.value
		}
	}
	return sum
}

func gaugeValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	ss := samples(t, reg, name)
	if len(ss) != 1 {
		t.Fatalf("%d series of %s, want 1", len(ss), name)
	}
	return ss[0].value
}

func seriesCount(t *testing.T, reg *prometheus.Registry, name string) int {
	t.Helper()
	return len(samples(t, reg, name))
}

// statusGauge is external_dns_healthcheck_status of one check.
func statusGauge(t *testing.T, reg *prometheus.Registry, id string) float64 {
	t.Helper()
	for _, s := range samples(t, reg, "external_dns_healthcheck_status") {
		if s.labels["check"] == id {
			return s.value
		}
	}
	t.Fatalf("no status series for %s", id)
	return 0
}
