package probe

import (
	"net/http"
	"testing"
)

func TestMarker(t *testing.T) {
	seedPage := []byte("<html><body><h1>Welcome</h1>\n<p>This application is currently running on: <b>RKE2 Cluster</b></p></body></html>")
	for _, c := range []struct {
		name, header, expr string
		h                  http.Header
		body               []byte
		want               string
	}{
		{name: "default on the seed's page", body: seedPage, want: "RKE2 Cluster"},
		{name: "default ignores case and spaces", body: []byte("Running On <B> k3s </B>"), want: "k3s"},
		{name: "default without a marker", body: []byte("<h1>nginx</h1>"), want: ""},
		{name: "header", header: "X-Cluster", h: http.Header{"X-Cluster": {" east "}}, body: seedPage, want: "east"},
		{name: "header missing", header: "X-Cluster", h: http.Header{}, body: seedPage, want: ""},
		{name: "custom regexp", expr: `cluster=(\w+)`, body: []byte("ok cluster=west\n"), want: "west"},
		{name: "first non-empty group", expr: `(rke2)|(k3s)`, body: []byte("served by k3s"), want: "k3s"},
	} {
		m, err := NewMarker(c.header, c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := m.Find(c.h, c.body); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	if got := (Marker{}).orDefault().Find(nil, seedPage); got != "RKE2 Cluster" {
		t.Errorf("zero marker found %q, want the default's answer", got)
	}
}

func TestMarkerErrors(t *testing.T) {
	for _, c := range []struct{ header, expr string }{
		{"X-Cluster", "(x)"}, // both
		{"", "no group"},     // nothing to capture
		{"", "(unclosed"},    // does not compile
	} {
		if _, err := NewMarker(c.header, c.expr); err == nil {
			t.Errorf("NewMarker(%q, %q) gave no error", c.header, c.expr)
		}
	}
}
