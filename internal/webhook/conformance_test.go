package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
)

const mediaType = "application/external.dns.webhook+json;version=1"

// failing is a provider whose every call fails, or refuses.
type failing struct {
	err error
}

func (f failing) Records(context.Context) ([]*endpoint.Endpoint, error) { return nil, f.err }
func (f failing) ApplyChanges(context.Context, *plan.Changes) error     { return f.err }
func (f failing) AdjustEndpoints([]*endpoint.Endpoint) ([]*endpoint.Endpoint, error) {
	return nil, f.err
}

func seeded(t *testing.T) provider.Provider {
	p := inmemory.New([]string{"example.com"})
	err := p.ApplyChanges(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{
		endpoint.New("app.example.com", "A", "192.0.2.1").WithTTL(60),
	}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConformance sends the protocol's documented requests and checks the
// documented answers: status, media type, body.
func TestConformance(t *testing.T) {
	filter, _ := endpoint.NewDomainFilter([]string{"example.com"}, []string{"internal.example.com"}, "", "")
	refusal := &provider.RefusedError{Applied: 1, Refused: []provider.Refusal{{Action: "create", Endpoint: endpoint.New("x.example.com", "A", "192.0.2.9"), Err: provider.ErrRecordExists}}}
	tests := []struct {
		name        string
		provider    func(t *testing.T) provider.Provider
		method      string
		path        string
		body        string
		status      int
		contentType string   // "" means not checked
		bodyHas     []string // substrings of the answer
		header      map[string]string
	}{
		{name: "negotiate: the domain filter, in the media type", method: "GET", path: "/",
			status: 200, contentType: mediaType, bodyHas: []string{`"include":["example.com"]`, `"exclude":["internal.example.com"]`},
			header: map[string]string{"Vary": "Content-Type"}},
		{name: "records: an array of endpoints", method: "GET", path: "/records",
			status: 200, contentType: mediaType, bodyHas: []string{`"dnsName":"app.example.com"`, `"targets":["192.0.2.1"]`, `"recordType":"A"`, `"recordTTL":60`}},
		{name: "records of an empty provider: [] not null", provider: func(*testing.T) provider.Provider { return inmemory.New([]string{"example.com"}) },
			method: "GET", path: "/records", status: 200, contentType: mediaType, bodyHas: []string{"[]"}},
		{name: "apply with the current lowercase keys: 204", method: "POST", path: "/records",
			body:   `{"create":[{"dnsName":"new.example.com","targets":["192.0.2.2"],"recordType":"A"}],"updateOld":[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A","recordTTL":60}],"updateNew":[{"dnsName":"app.example.com","targets":["192.0.2.3"],"recordType":"A","recordTTL":60}],"delete":[]}`,
			status: 204},
		{name: "apply with the old capitalised keys: 204", method: "POST", path: "/records",
			body:   `{"Create":[{"dnsName":"new.example.com","targets":["192.0.2.2"],"recordType":"A"}],"UpdateOld":[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A","recordTTL":60}],"UpdateNew":[{"dnsName":"app.example.com","targets":["192.0.2.3"],"recordType":"A","recordTTL":60}],"Delete":null}`,
			status: 204},
		{name: "apply a delete with the old keys", method: "POST", path: "/records",
			body: `{"Delete":[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A","recordTTL":60}]}`, status: 204},
		{name: "apply: body that is not JSON is 400", method: "POST", path: "/records", body: `{"create":`, status: 400},
		{name: "apply: uneven update lists are 400", method: "POST", path: "/records",
			body: `{"updateOld":[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A"}]}`, status: 400},
		{name: "apply: refused changes are 422 with each refusal", provider: func(*testing.T) provider.Provider { return failing{err: refusal} },
			method: "POST", path: "/records", body: `{"create":[{"dnsName":"x.example.com","targets":["192.0.2.9"],"recordType":"A"}]}`,
			status: 422, contentType: mediaType, bodyHas: []string{`"applied":1`, `"action":"create"`, `record already exists`}},
		{name: "apply: a provider failure is 500", provider: func(*testing.T) provider.Provider { return failing{err: errors.New("API down")} },
			method: "POST", path: "/records", body: `{"create":[{"dnsName":"x.example.com","targets":["192.0.2.9"],"recordType":"A"}]}`, status: 500},
		{name: "apply: a failure joined to refusals is 500", provider: func(*testing.T) provider.Provider { return failing{err: errors.Join(errors.New("API down"), refusal)} },
			method: "POST", path: "/records", body: `{"create":[{"dnsName":"x.example.com","targets":["192.0.2.9"],"recordType":"A"}]}`, status: 500},
		{name: "records: a provider failure is 500", provider: func(*testing.T) provider.Provider { return failing{err: errors.New("API down")} },
			method: "GET", path: "/records", status: 500},
		{name: "adjustendpoints: an array in, the adjusted array out", method: "POST", path: "/adjustendpoints",
			body:   `[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A","labels":{"owner":"ci"},"providerSpecific":[{"name":"webhook/x","value":"1"}]}]`,
			status: 200, contentType: mediaType, bodyHas: []string{`"dnsName":"app.example.com"`, `"labels":{"owner":"ci"}`, `"providerSpecific":[{"name":"webhook/x","value":"1"}]`}},
		{name: "adjustendpoints: bad JSON is 400", method: "POST", path: "/adjustendpoints", body: `{}`, status: 400},
		{name: "adjustendpoints: a provider failure is 500", provider: func(*testing.T) provider.Provider { return failing{err: errors.New("down")} },
			method: "POST", path: "/adjustendpoints", body: `[]`, status: 500},
		{name: "negotiate: wrong method", method: "POST", path: "/", status: 405},
		{name: "records: wrong method", method: "DELETE", path: "/records", status: 405},
		{name: "adjustendpoints: wrong method", method: "GET", path: "/adjustendpoints", status: 405},
		{name: "unknown path", method: "GET", path: "/applychanges", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pf := seeded
			if tt.provider != nil {
				pf = tt.provider
			}
			srv := httptest.NewServer(New(pf(t), filter, Options{}).Handler())
			defer srv.Close()
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", mediaType)
			if tt.body != "" {
				req.Header.Set("Content-Type", mediaType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.contentType != "" && resp.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tt.contentType)
			}
			for k, v := range tt.header {
				if resp.Header.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, resp.Header.Get(k), v)
				}
			}
			for _, s := range tt.bodyHas {
				if !strings.Contains(string(body), s) {
					t.Errorf("body %s lacks %s", body, s)
				}
			}
			if tt.status == 204 && len(body) != 0 {
				t.Errorf("a 204 with a body: %s", body)
			}
		})
	}
}

// TestApplyReachesTheProvider: both spellings of the keys apply the same
// changes.
func TestApplyReachesTheProvider(t *testing.T) {
	for _, body := range []string{
		`{"create":[{"dnsName":"new.example.com","targets":["192.0.2.2"],"recordType":"A"}],"delete":[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A","recordTTL":60}]}`,
		`{"Create":[{"dnsName":"new.example.com","targets":["192.0.2.2"],"recordType":"A"}],"Delete":[{"dnsName":"app.example.com","targets":["192.0.2.1"],"recordType":"A","recordTTL":60}]}`,
	} {
		p := seeded(t)
		srv := httptest.NewServer(New(p, endpoint.DomainFilter{}, Options{}).Handler())
		resp, err := http.Post(srv.URL+"/records", mediaType, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		eps, _ := p.Records(context.Background())
		var names []string
		for _, e := range eps {
			names = append(names, e.DNSName)
		}
		if resp.StatusCode != 204 || !slices.Equal(names, []string{"new.example.com"}) {
			t.Errorf("%s: status %d, records %v", body[:12], resp.StatusCode, names)
		}
	}
}

func TestHealthzFailsAfterFailuresInARow(t *testing.T) {
	s := New(failing{err: errors.New("down")}, endpoint.DomainFilter{}, Options{FailureThreshold: 2})
	api := httptest.NewServer(s.Handler())
	defer api.Close()
	health := httptest.NewServer(s.Healthz())
	defer health.Close()
	status := func() int {
		resp, err := http.Get(health.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if status() != 200 {
		t.Fatal("unhealthy before any call")
	}
	for range 2 {
		resp, _ := http.Get(api.URL + "/records")
		resp.Body.Close()
	}
	if status() != 503 {
		t.Error("healthy after two failed calls in a row")
	}
}
