package probe

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// NoMarker names answers whose response named no cluster.
const NoMarker = "(no marker)"

// RoutingSummary is the distribution of a Routing run. Every percentage is
// of all requests, so clusters plus errors make 100%.
type RoutingSummary struct {
	Requests   int     `json:"requests"`
	Answered   int     `json:"answered"` // got an HTTP response, whatever its status
	Errors     int     `json:"errors"`
	Clusters   []Share `json:"clusters"`  // who answered, by marker
	Addresses  []Share `json:"addresses"` // the address each request went to
	Statuses   []Share `json:"statuses"`
	ErrorKinds []Share `json:"error_kinds"`
	DNS        Stats   `json:"dns"`  // rounds that resolved (none for an IP literal)
	HTTP       Stats   `json:"http"` // rounds that got a response
}

// lookups says whether the samples asked DNS (not for an IP literal).
func summarizeRouting(samples []Sample, lookups bool) RoutingSummary {
	var clusters, addrs, statuses, kinds tally
	var dns, http []float64
	sum := RoutingSummary{Requests: len(samples)}
	for _, s := range samples {
		if s.Address != "" {
			addrs.add(s.Address)
			if lookups {
				dns = append(dns, s.DNSMS)
			}
		}
		if s.ErrorKind != "" {
			sum.Errors++
			kinds.add(s.ErrorKind)
			continue
		}
		sum.Answered++
		http = append(http, s.HTTPMS)
		statuses.add(strconv.Itoa(s.Status))
		if s.Cluster != "" {
			clusters.add(s.Cluster)
		} else {
			clusters.add(NoMarker)
		}
	}
	n := sum.Requests
	sum.Clusters, sum.Addresses, sum.Statuses, sum.ErrorKinds =
		clusters.shares(n), addrs.shares(n), statuses.shares(n), kinds.shares(n)
	sum.DNS, sum.HTTP = newStats(dns), newStats(http)
	return sum
}

// WriteSummary prints the summary for a person.
func (r RoutingResult) WriteSummary(w io.Writer) error {
	s := r.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "\n== routing summary: %s\n", r.URL)
	fmt.Fprintf(&b, "requests %d of %d", s.Requests, r.Requested)
	if r.Interrupted {
		b.WriteString(" (interrupted)")
	}
	fmt.Fprintf(&b, ", answered %d, errors %d\n", s.Answered, s.Errors)
	writeShares(&b, "clusters", s.Clusters)
	writeShares(&b, "addresses", s.Addresses)
	writeShares(&b, "statuses", s.Statuses)
	writeShares(&b, "errors", s.ErrorKinds)
	writeStats(&b, "dns", s.DNS)
	writeStats(&b, "http", s.HTTP)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeShares(b *strings.Builder, title string, shares []Share) {
	if len(shares) == 0 {
		return
	}
	fmt.Fprintf(b, "%s:\n", title)
	for _, sh := range shares {
		fmt.Fprintf(b, "  %-24s %6d  %6.2f%%\n", sh.Name, sh.Count, sh.Percent)
	}
}

func writeStats(b *strings.Builder, title string, s Stats) {
	if s.Count == 0 {
		return
	}
	fmt.Fprintf(b, "%-4s time (n=%d): p50 %.2fms  p90 %.2fms  p99 %.2fms  max %.2fms  mean %.2fms\n",
		title, s.Count, s.P50MS, s.P90MS, s.P99MS, s.MaxMS, s.MeanMS)
}
