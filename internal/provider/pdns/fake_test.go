package pdns

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeAPI is a small PowerDNS API: zones in memory, PATCH all or nothing,
// 422 for an A record whose content is not an address.
type fakeAPI struct {
	mu      sync.Mutex
	zones   map[string]*Zone // by id
	patches [][]RRset
	methods []string
}

func newFakeAPI(t *testing.T, zones ...*Zone) (*fakeAPI, string) {
	f := &fakeAPI{zones: map[string]*Zone{}}
	for _, z := range zones {
		f.zones[z.ID] = z
	}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.methods = append(f.methods, r.Method+" "+r.URL.Path)
	if r.Header.Get("X-API-Key") != "ci-secret" {
		http.Error(w, `{"error":"Unauthorized"}`, http.StatusUnauthorized)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v1/servers/localhost/zones")
	if !ok {
		http.NotFound(w, r)
		return
	}
	id := strings.TrimPrefix(rest, "/")
	switch {
	case r.Method == http.MethodGet && id == "":
		var out []Zone
		for _, z := range f.zones {
			out = append(out, Zone{ID: z.ID, Name: z.Name})
		}
		_ = json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodGet:
		_ = json.NewEncoder(w).Encode(f.zones[id])
	case r.Method == http.MethodPatch:
		var body struct{ RRsets []RRset }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
			return
		}
		z := f.zones[id]
		for _, rs := range body.RRsets {
			for _, rec := range rs.Records {
				if rs.Type == "A" && net.ParseIP(rec.Content) == nil {
					w.WriteHeader(http.StatusUnprocessableEntity)
					_, _ = w.Write([]byte(`{"error":"Record ` + rs.Name + `/A '` + rec.Content + `': Parsing record content failed"}`))
					return
				}
			}
		}
		f.patches = append(f.patches, body.RRsets)
		for _, rs := range body.RRsets {
			kept := z.RRsets[:0]
			for _, old := range z.RRsets {
				if old.Name != rs.Name || old.Type != rs.Type {
					kept = append(kept, old)
				}
			}
			z.RRsets = kept
			if rs.Changetype == "REPLACE" {
				rs.Changetype = ""
				z.RRsets = append(z.RRsets, rs)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, `{"error":"method"}`, http.StatusMethodNotAllowed)
	}
}
