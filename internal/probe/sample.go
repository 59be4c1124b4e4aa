package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Error kinds of a failed sample.
const (
	KindDNS     = "dns"     // the name did not resolve (error, NXDOMAIN, SERVFAIL, no address, DNS time-out)
	KindTimeout = "timeout" // no complete response within the timeout
	KindRefused = "refused" // connection refused
	KindReset   = "reset"   // connection reset or closed mid-response
	KindTLS     = "tls"     // handshake or certificate failure
	KindHTTP    = "http"    // any other request failure
)

// Sample is one round: resolve the name afresh, then request the URL from
// the address it resolved to.
type Sample struct {
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"`                // when the round began
	Addresses []string  `json:"addresses,omitempty"` // every address in the answer
	Address   string    `json:"address,omitempty"`   // the one requested (the first, as clients do)
	TTL       int       `json:"ttl"`                 // of the answer, seconds; -1 when unknown
	DNSMS     float64   `json:"dns_ms"`
	HTTPMS    float64   `json:"http_ms"`
	Status    int       `json:"status,omitempty"`
	Cluster   string    `json:"cluster,omitempty"` // from the marker
	ErrorKind string    `json:"error_kind,omitempty"`
	Error     string    `json:"error,omitempty"`
}

// Target is what answered: the cluster named by the marker, else the
// address; "" when nothing answered.
func (s Sample) Target() string {
	if s.Cluster != "" {
		return s.Cluster
	}
	if s.Status != 0 {
		return s.Address
	}
	return ""
}

// round holds what every round needs.
type round struct {
	target   Target
	resolver Resolver
	fetcher  Fetcher
	marker   Marker
	timeout  time.Duration
	clock    Clock
}

// looksUp says whether rounds ask DNS: an IP literal needs no lookup.
func (r *round) looksUp() bool {
	_, err := netip.ParseAddr(r.target.Host)
	return err != nil
}

// do runs one round; the timeout bounds DNS and HTTP together.
func (r *round) do(ctx context.Context, seq int) Sample {
	s := Sample{Seq: seq, Time: r.clock.Now(), TTL: -1}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	var res Resolution
	if !r.looksUp() {
		res = Resolution{Addrs: []netip.Addr{netip.MustParseAddr(r.target.Host)}, TTL: -1}
	} else {
		var err error
		res, err = r.resolver.Resolve(ctx, r.target.Host)
		s.DNSMS = millis(r.clock.Now().Sub(s.Time))
		if err != nil {
			s.ErrorKind, s.Error = KindDNS, err.Error()
			return s
		}
		if len(res.Addrs) == 0 {
			s.ErrorKind, s.Error = KindDNS, "no address"
			return s
		}
	}
	for _, a := range res.Addrs {
		s.Addresses = append(s.Addresses, a.String())
	}
	s.Address, s.TTL = s.Addresses[0], res.TTL
	begin := r.clock.Now()
	resp, err := r.fetcher.Fetch(ctx, r.target, res.Addrs[0])
	s.HTTPMS = millis(r.clock.Now().Sub(begin))
	if err != nil {
		s.ErrorKind, s.Error = classify(err), err.Error()
		return s
	}
	s.Status = resp.Status
	s.Cluster = r.marker.Find(resp.Header, resp.Body)
	return s
}

// classify names the way a request failed, so a summary can say how many
// were refused, timed out, and so on.
func classify(err error) string {
	var ne net.Error
	var cert *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return KindTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.EPIPE):
		return KindReset
	case errors.As(err, &cert), errors.As(err, &rec), errors.As(err, &unknownCA), errors.As(err, &hostname):
		return KindTLS
	}
	return KindHTTP
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
