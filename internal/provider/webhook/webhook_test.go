package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// fakeServer answers from a table of handlers, counting requests.
type fakeServer struct {
	calls atomic.Int32
	fn    func(w http.ResponseWriter, r *http.Request, n int32)
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.fn(w, r, f.calls.Add(1))
}

func negotiating(next func(w http.ResponseWriter, r *http.Request, n int32)) func(http.ResponseWriter, *http.Request, int32) {
	return func(w http.ResponseWriter, r *http.Request, n int32) {
		if r.URL.Path == "/" {
			w.Header().Set("Content-Type", MediaType)
			_, _ = w.Write([]byte(`{"include":["example.com"],"exclude":["internal.example.com"]}`))
			return
		}
		next(w, r, n)
	}
}

func newClient(t *testing.T, fn func(w http.ResponseWriter, r *http.Request, n int32)) (*Provider, *fakeServer) {
	t.Helper()
	f := &fakeServer{fn: negotiating(fn)}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.URL, cfg.Backoff = srv.URL, time.Millisecond
	p, err := New(context.Background(), cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.calls.Store(0)
	return p, f
}

func TestNegotiation(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		status                  int
		wantErr                 string
		include                 []string
	}{
		{"current shape", MediaType, `{"include":["a.com"],"exclude":["x.a.com"]}`, 200, "", []string{"a.com"}},
		{"old filters shape", MediaType, `{"filters":["b.com"]}`, 200, "", []string{"b.com"}},
		{"regex shape", MediaType, `{"regexInclude":"^.*\\.c\\.com$"}`, 200, "", nil},
		{"spaces in the media type", "application/external.dns.webhook+json; version=1", `{}`, 200, "", nil},
		{"wrong media type", "application/json", `{}`, 200, "Content-Type", nil},
		{"4xx is final", MediaType, `{}`, 404, "404", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var accept string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				accept = r.Header.Get("Accept")
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			cfg := DefaultConfig()
			cfg.URL, cfg.Backoff = srv.URL, time.Millisecond
			p, err := New(context.Background(), cfg, Options{})
			if accept != MediaType {
				t.Errorf("Accept %q", accept)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(p.DomainFilter().Include, ",") != strings.Join(tt.include, ",") {
				t.Errorf("include %v, want %v", p.DomainFilter().Include, tt.include)
			}
		})
	}
}

func TestNegotiationWaitsForAStartingServer(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", MediaType)
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.URL, cfg.Backoff = srv.URL, time.Millisecond
	if _, err := New(context.Background(), cfg, Options{}); err != nil || n.Load() != 3 {
		t.Fatalf("err %v after %d tries", err, n.Load())
	}
}

func TestRecordsKeepsTheServersDomains(t *testing.T) {
	p, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("Content-Type", MediaType)
		_, _ = w.Write([]byte(`[{"dnsName":"a.example.com","targets":["192.0.2.1"],"recordType":"A"},{"dnsName":"b.internal.example.com","targets":["192.0.2.2"],"recordType":"A"},{"dnsName":"c.other.org","targets":["192.0.2.3"],"recordType":"A"}]`))
	})
	eps, err := p.Records(context.Background())
	if err != nil || len(eps) != 1 || eps[0].DNSName != "a.example.com" {
		t.Fatalf("Records = %v, %v", eps, err)
	}
}

// TestRetries: 5xx and a dead server are retried with backoff, up to the
// attempts; 4xx is not.
func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		status    func(n int32) int
		wantCalls int32
		wantErr   bool
	}{
		{"5xx then success", func(n int32) int { return map[bool]int{true: 503, false: 200}[n < 3] }, 3, false},
		{"5xx throughout", func(int32) int { return 500 }, 6, true},
		{"4xx at once", func(int32) int { return 400 }, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, f := newClient(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				w.Header().Set("Content-Type", MediaType)
				w.WriteHeader(tt.status(n))
				_, _ = w.Write([]byte(`[]`))
			})
			_, err := p.Records(context.Background())
			if (err != nil) != tt.wantErr || f.calls.Load() != tt.wantCalls {
				t.Errorf("err %v after %d calls, want error %v after %d", err, f.calls.Load(), tt.wantErr, tt.wantCalls)
			}
		})
	}
}

// TestApplyOnly204IsSuccess: 200 is not success for POST /records.
func TestApplyOnly204IsSuccess(t *testing.T) {
	c := &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("a.example.com", "A", "192.0.2.1")}}
	for status, ok := range map[int]bool{204: true, 200: false, 201: false, 400: false} {
		var got plan.Changes
		var ct string
		p, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
			ct = r.Header.Get("Content-Type")
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &got)
			w.WriteHeader(status)
		})
		err := p.ApplyChanges(context.Background(), c)
		if (err == nil) != ok {
			t.Errorf("status %d: err %v", status, err)
		}
		if ct != MediaType || len(got.Create) != 1 || got.Create[0].DNSName != "a.example.com" {
			t.Errorf("status %d: sent %q %+v", status, ct, got)
		}
	}
}

func TestApplyReadsRefusals(t *testing.T) {
	p, _ := newClient(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("Content-Type", MediaType)
		w.WriteHeader(422)
		_, _ = w.Write([]byte(`{"applied":1,"refused":[{"action":"create","endpoint":{"dnsName":"b.example.com","targets":["192.0.2.2"],"recordType":"A"},"error":"record already exists"}]}`))
	})
	err := p.ApplyChanges(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{
		endpoint.New("a.example.com", "A", "192.0.2.1"), endpoint.New("b.example.com", "A", "192.0.2.2")}})
	re, ok := provider.AsRefused(err)
	if !ok || !provider.OnlyRefused(err) || re.Applied != 1 || len(re.Refused) != 1 || re.Refused[0].Endpoint.DNSName != "b.example.com" || !errors.Is(err, ErrRefusedRemotely) {
		t.Fatalf("err = %v", err)
	}
}

func TestAdjustEndpoints(t *testing.T) {
	p, f := newClient(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		var in []*endpoint.Endpoint
		_ = json.NewDecoder(r.Body).Decode(&in)
		for _, e := range in {
			e.Labels = endpoint.Labels{} // a server that drops labels
			e.RecordTTL = 300
		}
		w.Header().Set("Content-Type", MediaType)
		_ = json.NewEncoder(w).Encode(in)
	})
	in := []*endpoint.Endpoint{
		endpoint.New("a.example.com", "A", "192.0.2.1").WithLabel(endpoint.ResourceLabel, "service/default/a"),
		endpoint.New("held.example.com", "A", "192.0.2.1").WithLabel(endpoint.HoldLabel, "typo"),
		endpoint.New("x.internal.example.com", "A", "192.0.2.1"),
	}
	out, err := p.AdjustEndpoints(in)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*endpoint.Endpoint{}
	for _, e := range out {
		byName[e.DNSName] = e
	}
	if a := byName["a.example.com"]; a == nil || a.RecordTTL != 300 || a.Resource() != "service/default/a" {
		t.Errorf("adjusted a: %+v", a)
	}
	if !byName["held.example.com"].Held() || !byName["x.internal.example.com"].Held() {
		t.Errorf("holds lost: %v", out)
	}
	if f.calls.Load() != 1 {
		t.Errorf("%d calls", f.calls.Load())
	}
}

func FuzzDecodeChanges(f *testing.F) {
	for _, s := range []string{
		`{"create":[{"dnsName":"a.example.com","targets":["192.0.2.1"],"recordType":"A"}]}`,
		`{"Create":[],"UpdateOld":[{"dnsName":"a"}],"UpdateNew":[{"dnsName":"a"}],"Delete":null}`,
		`{"updateOld":[null],"updateNew":[null]}`, `[]`, `null`, `{"create":[{"labels":{"a":"b"},"providerSpecific":[{"name":"x"}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeChanges(data)
		if err != nil {
			return
		}
		if len(c.UpdateOld) != len(c.UpdateNew) {
			t.Fatalf("uneven updates accepted: %s", data)
		}
		for _, list := range [][]*endpoint.Endpoint{c.Create, c.UpdateOld, c.UpdateNew, c.Delete} {
			for _, e := range list {
				if e == nil {
					t.Fatalf("a nil endpoint accepted: %s", data)
				}
			}
		}
		// What was read writes back and reads again the same.
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		again, err := DecodeChanges(b)
		if err != nil || again.Len() != c.Len() {
			t.Fatalf("round trip of %s: %v", data, err)
		}
	})
}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{`{"include":["a.com"]}`, `{"filters":["b.com"],"exclude":["x.b.com"]}`, `{"regexInclude":"(","regexExclude":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var flt Filter
		if json.Unmarshal(data, &flt) != nil {
			return
		}
		df, err := flt.DomainFilter()
		if err != nil {
			return
		}
		_ = df.Match("a.example.com")
		if _, err := FilterOf(df).DomainFilter(); err != nil {
			t.Fatalf("a filter read back does not read again: %v", err)
		}
	})
}
