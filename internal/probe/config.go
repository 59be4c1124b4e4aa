package probe

import (
	"io"
	"time"
)

// Common holds the settings both probes share. Zero values take the
// defaults noted.
type Common struct {
	URL      string
	Resolver Resolver      // nil: SystemResolver
	Fetcher  Fetcher       // nil: HTTPFetcher{}
	Marker   Marker        // zero: DefaultMarkerRegexp in the body
	Interval time.Duration // between round starts
	Timeout  time.Duration // per round, DNS and HTTP together
	Out      io.Writer     // live output; nil discards it
	Verbose  bool          // a line on Out for every round
	Clock    Clock         // nil: RealClock
}

// round validates c and builds what every round needs.
func (c Common) round(defaultTimeout time.Duration) (*round, error) {
	t, err := ParseTarget(c.URL)
	if err != nil {
		return nil, err
	}
	r := &round{target: t, resolver: c.Resolver, fetcher: c.Fetcher, marker: c.Marker.orDefault(),
		timeout: c.Timeout, clock: c.Clock}
	if r.resolver == nil {
		r.resolver = SystemResolver{}
	}
	if r.fetcher == nil {
		r.fetcher = HTTPFetcher{}
	}
	if r.timeout <= 0 {
		r.timeout = defaultTimeout
	}
	if r.clock == nil {
		r.clock = RealClock{}
	}
	return r, nil
}

func (c Common) out() io.Writer {
	if c.Out == nil {
		return io.Discard
	}
	return c.Out
}
