package probe

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// t0 is where virtual time starts.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is virtual time: sleeping moves it forward at once, and the
// scripted resolver and fetcher move it by what each step "took".
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.After(c.now) {
		c.now = t
	}
	return nil
}

// step is one scripted round.
type step struct {
	addr     string // what DNS answers; "" with dnsErr for a failure
	dnsErr   error
	fetchErr error
	status   int
	cluster  string // named in the body, in the seed's markup
	dnsTook  time.Duration
	httpTook time.Duration
	during   func() // runs inside the fetch, e.g. a Ctrl-C mid-request
}

// script is a Resolver and a Fetcher that play steps in order.
type script struct {
	t     *testing.T
	clock *fakeClock
	steps []step
	i     int
}

func (s *script) Resolve(_ context.Context, _ string) (Resolution, error) {
	if s.i >= len(s.steps) {
		s.t.Fatalf("round %d beyond the %d scripted", s.i+1, len(s.steps))
	}
	st := s.steps[s.i]
	s.i++
	s.clock.now = s.clock.now.Add(st.dnsTook)
	if st.dnsErr != nil {
		return Resolution{TTL: -1}, st.dnsErr
	}
	return Resolution{Addrs: []netip.Addr{netip.MustParseAddr(st.addr)}, TTL: 5}, nil
}

func (s *script) Fetch(ctx context.Context, _ Target, _ netip.Addr) (Response, error) {
	st := s.steps[s.i-1]
	s.clock.now = s.clock.now.Add(st.httpTook)
	if st.during != nil {
		st.during()
		if err := ctx.Err(); err != nil {
			return Response{}, err
		}
	}
	if st.fetchErr != nil {
		return Response{}, st.fetchErr
	}
	body := "<h1>hello</h1>"
	if st.cluster != "" {
		body = fmt.Sprintf("<p>This application is currently running on: <b>%s</b></p>", st.cluster)
	}
	return Response{Status: st.status, Body: []byte(body)}, nil
}

// Steps of the kinds the tests use.
var (
	refusedErr = &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Err: syscall.ECONNREFUSED}}
	dnsErr     = fmt.Errorf("probe: dns 127.0.0.1:53: SERVFAIL for app.example.com")
)

func upAt(addr, cluster string) step { return step{addr: addr, status: 200, cluster: cluster} }
func codeAt(addr, cluster string, code int) step {
	return step{addr: addr, status: code, cluster: cluster}
}
func refusedAt(addr string) step { return step{addr: addr, fetchErr: refusedErr} }
func timeoutAt(addr string, d time.Duration) step {
	return step{addr: addr, fetchErr: context.DeadlineExceeded, httpTook: d}
}
func dnsFailure() step { return step{dnsErr: dnsErr} }

// common returns settings that run s in virtual time.
func (s *script) common(interval time.Duration) Common {
	return Common{URL: "http://app.example.com:8080/", Resolver: s, Fetcher: s, Interval: interval,
		Timeout: 3 * time.Second, Clock: s.clock}
}

func newScript(t *testing.T, steps ...step) *script {
	return &script{t: t, clock: &fakeClock{now: t0}, steps: steps}
}

func secs(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }
