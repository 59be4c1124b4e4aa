package probe

import (
	"fmt"
	"io"
	"strings"
)

// FailoverSummary sums up a Failover run.
type FailoverSummary struct {
	Checks          int     `json:"checks"`
	Up              int     `json:"up"`
	Down            int     `json:"down"`
	UpPercent       float64 `json:"up_percent"`
	Events          int     `json:"events"` // downtimes, an open one included
	AvgDowntimeMS   float64 `json:"avg_downtime_ms"`
	MaxDowntimeMS   float64 `json:"max_downtime_ms"`
	TotalDowntimeMS float64 `json:"total_downtime_ms"`
	FirstAddress    string  `json:"first_address,omitempty"`
	Outcomes        []Share `json:"outcomes"` // of all checks
	Targets         []Share `json:"targets"`  // of up checks: who served them
	DNS             Stats   `json:"dns"`      // checks that resolved
	HTTP            Stats   `json:"http"`     // up checks
}

// lookups says whether the checks asked DNS (not for an IP literal).
func summarizeFailover(checks []Check, downs []Downtime, lookups bool) FailoverSummary {
	sum := FailoverSummary{Checks: len(checks), Events: len(downs)}
	var outcomes, targets tally
	var dns, http []float64
	for _, c := range checks {
		outcomes.add(c.Outcome)
		if sum.FirstAddress == "" {
			sum.FirstAddress = c.Address
		}
		if lookups && c.Address != "" {
			dns = append(dns, c.DNSMS)
		}
		if c.Up {
			sum.Up++
			targets.add(c.Target())
			http = append(http, c.HTTPMS)
		}
	}
	sum.Down = sum.Checks - sum.Up
	if sum.Checks > 0 {
		sum.UpPercent = 100 * float64(sum.Up) / float64(sum.Checks)
	}
	for _, d := range downs {
		sum.TotalDowntimeMS += d.DurationMS
		sum.MaxDowntimeMS = max(sum.MaxDowntimeMS, d.DurationMS)
	}
	if len(downs) > 0 {
		sum.AvgDowntimeMS = sum.TotalDowntimeMS / float64(len(downs))
	}
	sum.Outcomes, sum.Targets = outcomes.shares(sum.Checks), targets.shares(sum.Up)
	sum.DNS, sum.HTTP = newStats(dns), newStats(http)
	return sum
}

// WriteSummary prints the summary and each downtime for a person.
func (r FailoverResult) WriteSummary(w io.Writer) error {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "\n== failover summary: %s\n", r.URL)
	fmt.Fprintf(&b, "checks %d over %.1fs", s.Checks, r.Ended.Sub(r.Started).Seconds())
	if r.Interrupted {
		b.WriteString(" (interrupted)")
	}
	fmt.Fprintf(&b, ", up %d (%.2f%%), down %d, first address %s\n", s.Up, s.UpPercent, s.Down, orNone(s.FirstAddress))
	fmt.Fprintf(&b, "downtimes %d: average %.3fs, max %.3fs, total %.3fs\n",
		s.Events, s.AvgDowntimeMS/1000, s.MaxDowntimeMS/1000, s.TotalDowntimeMS/1000)
	for i, d := range r.Downtimes {
		open := ""
		if d.Open {
			open = " (still down at the stop)"
		}
		fmt.Fprintf(&b, "  %d. %s  %.3fs%s, %d failed checks (%s), %s -> %s\n", i+1, d.Start.Format("15:04:05.000"),
			d.DurationMS/1000, open, d.FailedChecks, causes(d.Causes), orNone(d.TargetBefore), orNone(d.TargetAfter))
	}
	writeShares(&b, "outcomes", s.Outcomes)
	writeShares(&b, "served by (up checks)", s.Targets)
	writeStats(&b, "dns", s.DNS)
	writeStats(&b, "http", s.HTTP)
	_, err := io.WriteString(w, b.String())
	return err
}

func causes(shares []Share) string {
	parts := make([]string, len(shares))
	for i, s := range shares {
		parts[i] = fmt.Sprintf("%s %d", s.Name, s.Count)
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
