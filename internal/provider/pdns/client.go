package pdns

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Zone and RRset are the API's JSON shapes, with only the fields used.
type Zone struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	RRsets []RRset `json:"rrsets,omitempty"`
}

// RRset is one name and type; Changetype is set in a PATCH only.
type RRset struct {
	Name       string   `json:"name"`
	Type       string   `json:"type"`
	TTL        uint32   `json:"ttl,omitempty"`
	Changetype string   `json:"changetype,omitempty"`
	Records    []Record `json:"records"`
}

// Record is one value of an RRset.
type Record struct {
	Content  string `json:"content"`
	Disabled bool   `json:"disabled"`
}

// Client is what the provider needs of the API; tests hand in a fake.
type Client interface {
	Zones(ctx context.Context) ([]Zone, error)
	Zone(ctx context.Context, id string) (*Zone, error)
	// Patch changes RRsets of one zone, all or nothing.
	Patch(ctx context.Context, id string, rrsets []RRset) error
}

// APIError is an answer of the API other than success.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("API answered %d: %s", e.Status, e.Message)
}

// ErrContent means the API refused the content of a PATCH (422): a value
// it cannot store. A smaller PATCH without it may pass.
var ErrContent = errors.New("PowerDNS refused the content")

type httpClient struct {
	base string // .../api/v1/servers/<id>
	key  string
	http *http.Client
}

func newClient(c Config) (*httpClient, error) {
	tc, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &httpClient{
		base: strings.TrimSuffix(c.Server, "/") + "/api/v1/servers/" + url.PathEscape(c.ServerID),
		key:  c.APIKey.Reveal(),
		http: &http.Client{Transport: tr, Timeout: c.Timeout},
	}, nil
}

func (c *httpClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", c.key)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		if e.Error == "" {
			e.Error = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		apiErr := &APIError{Status: resp.StatusCode, Message: e.Error}
		if resp.StatusCode == http.StatusUnprocessableEntity {
			return fmt.Errorf("%s %s: %w: %w", method, path, ErrContent, apiErr)
		}
		return fmt.Errorf("%s %s: %w", method, path, apiErr)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
		}
	}
	return nil
}

func (c *httpClient) Zones(ctx context.Context) ([]Zone, error) {
	var zs []Zone
	return zs, c.do(ctx, http.MethodGet, "/zones", nil, &zs)
}

func (c *httpClient) Zone(ctx context.Context, id string) (*Zone, error) {
	var z Zone
	return &z, c.do(ctx, http.MethodGet, "/zones/"+url.PathEscape(id), nil, &z)
}

func (c *httpClient) Patch(ctx context.Context, id string, rrsets []RRset) error {
	return c.do(ctx, http.MethodPatch, "/zones/"+url.PathEscape(id), map[string]any{"rrsets": rrsets}, nil)
}
