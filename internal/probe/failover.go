package probe

import (
	"context"
	"fmt"
	"time"
)

// FailoverConfig configures Failover. The run ends after Checks checks or
// once Duration has passed, whichever comes first, or when ctx ends; with
// neither set it runs until ctx ends.
type FailoverConfig struct {
	Common
	Checks   int
	Duration time.Duration
	UpCode   int         // 0: 200
	OnCheck  func(Check) // called after each check, on the probing goroutine
}

// FailoverResult is the timeline of a Failover run.
type FailoverResult struct {
	URL         string          `json:"url"`
	Resolver    string          `json:"resolver"`
	UpCode      int             `json:"up_code"`
	IntervalMS  float64         `json:"interval_ms"`
	TimeoutMS   float64         `json:"timeout_ms"`
	Started     time.Time       `json:"started"`
	Ended       time.Time       `json:"ended"`
	Interrupted bool            `json:"interrupted"` // stopped (Ctrl-C) before its checks or duration ran out
	Summary     FailoverSummary `json:"summary"`
	Downtimes   []Downtime      `json:"downtimes"`
	Checks      []Check         `json:"checks"`
}

// Failover checks the URL at a fixed interval and records every downtime.
// Each state change is printed on cfg.Out as it happens. When ctx ends
// (Ctrl-C) it returns the complete result so far: an open downtime is
// closed at the stop and counted. The error is only for a bad config.
func Failover(ctx context.Context, cfg FailoverConfig) (FailoverResult, error) {
	r, err := cfg.round(3 * time.Second)
	if err != nil {
		return FailoverResult{}, err
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 500 * time.Millisecond
	}
	if cfg.UpCode == 0 {
		cfg.UpCode = 200
	}
	out := cfg.out()
	res := FailoverResult{URL: r.target.URL.String(), Resolver: describe(r.resolver), UpCode: cfg.UpCode,
		IntervalMS: millis(cfg.Interval), TimeoutMS: millis(r.timeout), Started: r.clock.Now()}
	fmt.Fprintf(out, "checking %s every %s (timeout %s) through %s; up is status %d, anything else is down\n",
		res.URL, cfg.Interval, r.timeout, res.Resolver, cfg.UpCode)
	cad := cadence{start: res.Started, interval: cfg.Interval}
	deadline := res.Started.Add(cfg.Duration)
	var tl timeline
	done := false
	for i := 1; ctx.Err() == nil; i++ {
		c := newCheck(r.do(ctx, i), cfg.UpCode)
		if ctx.Err() != nil {
			break // cut short by the stop, not by the service
		}
		res.Checks = append(res.Checks, c)
		if cfg.Verbose {
			fmt.Fprintln(out, sampleLine(c.Sample))
		}
		if change := tl.add(c); change != "" {
			fmt.Fprintf(out, "%s #%d %s\n", c.Time.Format("15:04:05.000"), c.Seq, change)
		}
		if cfg.OnCheck != nil {
			cfg.OnCheck(c)
		}
		next := cad.next(c.Time, r.clock.Now())
		if (cfg.Checks > 0 && i >= cfg.Checks) || (cfg.Duration > 0 && !next.Before(deadline)) {
			done = true
			break
		}
		if r.clock.SleepUntil(ctx, next) != nil {
			break
		}
	}
	res.Ended = r.clock.Now()
	res.Interrupted = !done
	res.Downtimes = tl.finish(res.Ended)
	if res.Downtimes == nil {
		res.Downtimes = []Downtime{}
	}
	res.Summary = summarizeFailover(res.Checks, res.Downtimes, r.looksUp())
	return res, nil
}
