package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
)

// maxBody bounds how much of a response is read to look for the marker.
const maxBody = 1 << 20

// Response is what a probe keeps of an HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte // at most 1 MiB
}

// Fetcher makes one request for target to the given address.
type Fetcher interface {
	Fetch(ctx context.Context, t Target, addr netip.Addr) (Response, error)
}

// HTTPFetcher requests the URL from the resolved address, with the URL's
// host in the Host header and TLS SNI, over a fresh connection (no
// keep-alive, no proxy) so that each request goes where DNS just said.
// Redirects are not followed: a redirect's new host would be resolved by
// someone else, and its status is what the cluster answered.
type HTTPFetcher struct {
	Insecure bool // skip TLS certificate verification
}

// Fetch implements Fetcher.
func (f HTTPFetcher) Fetch(ctx context.Context, t Target, addr netip.Addr) (Response, error) {
	to := netip.AddrPortFrom(addr, t.Port).String()
	dialer := &net.Dialer{}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, to)
		},
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{ServerName: t.Host, InsecureSkipVerify: f.Insecure}, //nolint:gosec // only on --insecure
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL.String(), nil)
	if err != nil {
		return Response{}, fmt.Errorf("probe: request: %w", err)
	}
	req.Header.Set("User-Agent", "exodns-probe")
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Response{}, fmt.Errorf("probe: reading body: %w", err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}
