package probe

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RoutingConfig configures Routing.
type RoutingConfig struct {
	Common
	Requests int // how many rounds; required
}

// RoutingResult is every sample of a Routing run and their summary.
type RoutingResult struct {
	URL         string         `json:"url"`
	Resolver    string         `json:"resolver"`
	Requested   int            `json:"requested"`
	IntervalMS  float64        `json:"interval_ms"`
	TimeoutMS   float64        `json:"timeout_ms"`
	Started     time.Time      `json:"started"`
	Ended       time.Time      `json:"ended"`
	Interrupted bool           `json:"interrupted"` // stopped (Ctrl-C) before all requests were made
	Summary     RoutingSummary `json:"summary"`
	Samples     []Sample       `json:"samples"`
}

// Routing makes cfg.Requests rounds and summarises which clusters and
// addresses answered. When ctx ends early (Ctrl-C) it returns what it has,
// summarised, with Interrupted set; the error is only for a bad config.
func Routing(ctx context.Context, cfg RoutingConfig) (RoutingResult, error) {
	if cfg.Requests <= 0 {
		return RoutingResult{}, errors.New("probe: routing needs a positive number of requests")
	}
	r, err := cfg.round(5 * time.Second)
	if err != nil {
		return RoutingResult{}, err
	}
	out := cfg.out()
	res := RoutingResult{URL: r.target.URL.String(), Resolver: describe(r.resolver), Requested: cfg.Requests,
		IntervalMS: millis(cfg.Interval), TimeoutMS: millis(r.timeout), Started: r.clock.Now()}
	fmt.Fprintf(out, "probing %s with %d requests, resolving through %s\n", res.URL, cfg.Requests, res.Resolver)
	cad := cadence{start: res.Started, interval: cfg.Interval}
	every := max(cfg.Requests/10, 1)
	var progress tally
	for i := 1; i <= cfg.Requests; i++ {
		if ctx.Err() != nil {
			break
		}
		s := r.do(ctx, i)
		if ctx.Err() != nil {
			break // cut short by the stop, not by the service
		}
		res.Samples = append(res.Samples, s)
		if t := s.Target(); t != "" {
			progress.add(t)
		} else {
			progress.add("error: " + s.ErrorKind)
		}
		switch {
		case cfg.Verbose:
			fmt.Fprintln(out, sampleLine(s))
		case i%every == 0 && i < cfg.Requests:
			// A long run shows it is alive, and how the split is going.
			fmt.Fprintf(out, "%d of %d: %s\n", i, cfg.Requests, causes(progress.shares(i)))
		}
		if i < cfg.Requests && cfg.Interval > 0 {
			if r.clock.SleepUntil(ctx, cad.next(s.Time, r.clock.Now())) != nil {
				break
			}
		}
	}
	res.Ended = r.clock.Now()
	res.Interrupted = len(res.Samples) < cfg.Requests
	res.Summary = summarizeRouting(res.Samples, r.looksUp())
	return res, nil
}

// describe names a resolver for the output.
func describe(r Resolver) string {
	switch v := r.(type) {
	case *DNSResolver:
		return v.Server
	case SystemResolver:
		return "the system resolver"
	}
	return fmt.Sprintf("%T", r)
}

// sampleLine is one round, as the verbose output prints it.
func sampleLine(s Sample) string {
	line := fmt.Sprintf("#%-5d %s dns %7.2fms %-15s", s.Seq, s.Time.Format("15:04:05.000"), s.DNSMS, s.Address)
	if s.ErrorKind != "" {
		return line + fmt.Sprintf(" %s: %s", s.ErrorKind, s.Error)
	}
	return line + fmt.Sprintf(" http %7.2fms %d %s", s.HTTPMS, s.Status, s.Target())
}
