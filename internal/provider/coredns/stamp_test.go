package coredns

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestStampAnswers: the gateway's stamp request reads etcd's answer as
// etcd writes it (int64s as strings), asks for the one key with the
// highest revision, and refuses an answer it cannot read rather than
// take a wrong stamp for a right one; the provider's version then moves
// at every call, so the controller reads the zone.
func TestStampAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answer  string
		want    PrefixStamp
		wantErr bool
	}{
		{"keys under the prefix", `{"header":{"revision":"40"},"kvs":[{"key":"L3NreWRucy94","mod_revision":"37"}],"count":"12"}`, PrefixStamp{Count: 12, MaxModRevision: 37}, false},
		{"no key", `{"header":{"revision":"40"}}`, PrefixStamp{}, false},
		{"count not a number", `{"kvs":[{"mod_revision":"37"}],"count":"twelve"}`, PrefixStamp{}, true},
		{"revision not a number", `{"kvs":[{"mod_revision":"3.7e1"}],"count":"12"}`, PrefixStamp{}, true},
		{"not JSON", `<html>proxy error</html>`, PrefixStamp{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = json.NewDecoder(r.Body).Decode(&asked)
				_, _ = w.Write([]byte(tt.answer))
			}))
			defer srv.Close()
			cfg := DefaultConfig()
			cfg.Endpoints = []string{srv.URL}
			p, err := New(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.client.Stamp(context.Background(), "/skydns/")
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Stamp = %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
			if asked["sort_target"] != "MOD" || asked["sort_order"] != "DESCEND" || asked["limit"] != float64(1) || asked["keys_only"] != true {
				t.Errorf("the request does not ask for the newest key alone: %v", asked)
			}
			if tt.wantErr {
				if a, b := p.ZoneVersion(), p.ZoneVersion(); a == b {
					t.Error("with an answer it cannot read, the version must be new at every call")
				}
			}
		})
	}
}
