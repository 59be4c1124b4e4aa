package healthcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/exodns/exodns/internal/gslb"
)

// Result classes: the values of the result label of checks_total. A fixed
// set, so the label stays bounded whatever the error text.
const (
	resultSuccess = "success"
	resultTimeout = "timeout"
	resultConnect = "connect" // refused, unreachable, reset, DNS failure
	resultTLS     = "tls"
	resultStatus  = "status"
	resultBody    = "body"
	resultError   = "error"
)

// outcome is what one probe found.
type outcome struct {
	result string
	err    error // nil on success
}

func (o outcome) ok() bool { return o.err == nil }

// prober runs one check. An HTTP prober has its own transport: the dial
// always goes to the check's address whatever the URL says, and keep-alive
// is off so every check opens a new connection, as a new client would; a
// connection kept from before a backend died would hide that it did.
type prober struct {
	check  Check
	dialer net.Dialer
	client *http.Client
	url    string
}

func newProber(c Check, verifyTLS bool, roots *x509.CertPool) *prober {
	p := &prober{check: c}
	if c.Kind == gslb.CheckTCP {
		return p
	}
	scheme, defPort := "http", "80"
	if c.Kind == gslb.CheckHTTPS {
		scheme, defPort = "https", "443"
	}
	host, port, _ := net.SplitHostPort(c.Address)
	if c.Host != "" {
		host = c.Host
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != defPort {
		// The Host header carries a non-default port, as browsers send.
		hostport = net.JoinHostPort(host, port)
	}
	p.url = scheme + "://" + hostport + c.Path
	tr := &http.Transport{
		// Never a proxy from the environment: the check is about the
		// path from this server to the target.
		Proxy: nil,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return p.dialer.DialContext(ctx, "tcp", c.Address)
		},
		TLSClientConfig: &tls.Config{
			// Route 53 does not verify certificates either: backends are
			// reached by IP and often serve internal certificates. An
			// operator who wants it sets Options.VerifyTLS.
			InsecureSkipVerify: !verifyTLS, //nolint:gosec // documented default, see README
			RootCAs:            roots,
			ServerName:         host,
		},
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	p.client = &http.Client{
		Transport: tr,
		// A redirect is an answer: 3xx counts by its status code, as on
		// Route 53, and is never followed somewhere else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return p
}

// probe runs the check once, within its timeout.
func (p *prober) probe(ctx context.Context) outcome {
	ctx, cancel := context.WithTimeout(ctx, p.check.Timeout)
	defer cancel()
	if p.check.Kind == gslb.CheckTCP {
		conn, err := p.dialer.DialContext(ctx, "tcp", p.check.Address)
		if err != nil {
			return failure(ctx, err)
		}
		_ = conn.Close()
		return outcome{result: resultSuccess}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return outcome{result: resultError, err: fmt.Errorf("healthcheck: %w", err)}
	}
	req.Header.Set("User-Agent", "exodns-healthcheck")
	resp, err := p.client.Do(req)
	if err != nil {
		return failure(ctx, err)
	}
	defer resp.Body.Close()
	if !p.check.statusOK(resp.StatusCode) {
		return outcome{result: resultStatus, err: fmt.Errorf("healthcheck: status %d is not healthy (%s)", resp.StatusCode, statusList(p.check.Statuses))}
	}
	if p.check.Body != "" {
		b, err := io.ReadAll(io.LimitReader(resp.Body, gslb.BodyLimit))
		if err != nil && len(b) < len(p.check.Body) {
			return failure(ctx, err)
		}
		if !strings.Contains(string(b), p.check.Body) {
			return outcome{result: resultBody, err: fmt.Errorf("healthcheck: the first %d bytes of the body do not contain %q", gslb.BodyLimit, p.check.Body)}
		}
	}
	return outcome{result: resultSuccess}
}

// failure classifies a transport error into a bounded result class.
func failure(ctx context.Context, err error) outcome {
	var netErr net.Error
	var tlsErr *tls.RecordHeaderError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var dnsErr *net.DNSError
	class := resultError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		class = resultTimeout
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &tlsErr),
		strings.Contains(err.Error(), "tls: "):
		class = resultTLS
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, io.EOF), errors.As(err, &dnsErr):
		class = resultConnect
	}
	if class == resultTimeout {
		return outcome{result: class, err: fmt.Errorf("healthcheck: timed out: %w", err)}
	}
	return outcome{result: class, err: fmt.Errorf("healthcheck: %w", err)}
}

func statusList(rs []gslb.StatusRange) string {
	if len(rs) == 0 {
		return "want 200-399"
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.Itoa(r.Min)
		if r.Max != r.Min {
			parts[i] += "-" + strconv.Itoa(r.Max)
		}
	}
	return "want " + strings.Join(parts, ",")
}
