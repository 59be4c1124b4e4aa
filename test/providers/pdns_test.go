//go:build integration

package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/test/harness"
)

const pdnsKey = "ci-secret"

type pdnsServer struct {
	*daemon
	api   string // http://127.0.0.1:PORT/api/v1/servers/localhost
	port  int
	ready func() error
}

// startPDNS starts PowerDNS with the sqlite backend and its API, creates
// the zone example.test through the API and puts the foreign records in.
func startPDNS(t *testing.T) *pdnsServer {
	t.Helper()
	harness.Need(t, "pdns_server")
	harness.Need(t, "sqlite3")
	harness.Need(t, "dig")
	port, apiPort := harness.FreePort(t), harness.FreePort(t)
	s := &pdnsServer{api: fmt.Sprintf("http://127.0.0.1:%d/api/v1/servers/localhost", apiPort), port: port}
	s.ready = func() error {
		if _, err := pdnsCall(s.api, http.MethodGet, "", nil); err != nil {
			return err
		}
		return soaReadyAny(port)
	}
	s.daemon = newDaemon(t, "pdns", func() error { _, err := pdnsCall(s.api, http.MethodGet, "", nil); return err },
		fmt.Sprintf("PORT=%d", port), fmt.Sprintf("API_PORT=%d", apiPort), "API_KEY="+pdnsKey)
	if _, err := pdnsCall(s.api, http.MethodPost, "/zones", map[string]any{"name": "example.test.", "kind": "Native", "nameservers": []string{"ns1.example.test."}}); err != nil {
		t.Fatalf("create zone: %v", err)
	}
	var rrsets []map[string]any
	byKey := map[string][]string{}
	ttl := map[string]int{}
	for _, r := range append([]string{"ns1.example.test 300 A 127.0.0.1"}, foreignRecords...) {
		f := strings.SplitN(r, " ", 4)
		k := f[0] + " " + f[2]
		byKey[k] = append(byKey[k], f[3])
		ttl[k] = 300
	}
	for k, vals := range byKey {
		name, typ, _ := strings.Cut(k, " ")
		var recs []map[string]any
		for _, v := range vals {
			recs = append(recs, map[string]any{"content": v, "disabled": false})
		}
		rrsets = append(rrsets, map[string]any{"name": name + ".", "type": typ, "ttl": ttl[k], "changetype": "REPLACE", "records": recs})
	}
	if _, err := pdnsCall(s.api, http.MethodPatch, "/zones/example.test.", map[string]any{"rrsets": rrsets}); err != nil {
		t.Fatalf("seed zone: %v", err)
	}
	return s
}

// soaReadyAny is ready once the DNS port answers at all (the zone may not
// exist yet).
func soaReadyAny(port int) error {
	m := new(dns.Msg)
	m.SetQuestion("example.test.", dns.TypeSOA)
	_, err := dns.Exchange(m, fmt.Sprintf("127.0.0.1:%d", port))
	return err
}

func pdnsCall(api, method, path string, body any) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, api+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-API-Key", pdnsKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return data, nil
}

// zone reads the zone through the API, one line per record.
func (s *pdnsServer) zone(t *testing.T) []string {
	t.Helper()
	data, err := pdnsCall(s.api, http.MethodGet, "/zones/example.test.", nil)
	if err != nil {
		t.Fatalf("read zone: %v", err)
	}
	var z struct {
		RRsets []struct {
			Name, Type string
			TTL        uint32
			Records    []struct {
				Content  string
				Disabled bool
			}
		}
	}
	if err := json.Unmarshal(data, &z); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rs := range z.RRsets {
		if rs.Type == "SOA" {
			continue
		}
		for _, r := range rs.Records {
			rr, err := dns.NewRR(fmt.Sprintf("%s %d IN %s %s", rs.Name, rs.TTL, rs.Type, r.Content))
			if err != nil {
				t.Fatalf("content %q: %v", r.Content, err)
			}
			line := rrLine(rr)
			if r.Disabled {
				line += " (disabled)"
			}
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

func (s *pdnsServer) backend() backend {
	return backend{
		args:    []string{"--provider=pdns", "--pdns-server=" + strings.TrimSuffix(s.api, "/api/v1/servers/localhost"), "--pdns-server-id=localhost"},
		env:     []string{"EXTERNAL_DNS_PDNS_API_KEY=" + pdnsKey},
		dnsPort: s.port,
		zone:    s.zone,
	}
}

func TestPowerDNS(t *testing.T) {
	s := startPDNS(t)
	t.Setenv("EXTERNAL_DNS_PDNS_API_KEY", pdnsKey)
	testLifecycle(t, s.backend())
}

func TestPowerDNSFault(t *testing.T) {
	s := startPDNS(t)
	testFault(t, s.backend(), s.daemon, s.ready, 400, "--pdns-batch-change-size=2")
}
