package cli

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/controller"
)

func TestMetricsAndHealthEndpoints(t *testing.T) {
	reg := prometheus.NewRegistry()
	controller.NewMetrics(reg)
	health := controller.NewHealth(2)
	srv, err := serveMetrics("127.0.0.1:0", reg, health, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + srv.Addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "external_dns_controller_last_sync_timestamp_seconds") {
		t.Fatalf("/metrics %d:\n%s", code, body)
	}
	// Prometheus asks for gzip; the answer is plain (see metricsHandler).
	req, _ := http.NewRequest(http.MethodGet, "http://"+srv.Addr+"/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip, zstd")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if enc := resp.Header.Get("Content-Encoding"); enc != "" {
		t.Fatalf("/metrics answered with Content-Encoding %q", enc)
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz %d before any failure", code)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "not ready") {
		t.Fatalf("/readyz %d %q before any reconcile", code, body)
	}
	health.Record(errors.New("provider down"), time.Now())
	health.Record(errors.New("provider down"), time.Now())
	if code, body := get("/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "provider down") {
		t.Fatalf("/healthz %d %q after 2 failures", code, body)
	}
	health.Record(nil, time.Now())
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("/healthz %d after recovery", code)
	}
	if code, _ := get("/readyz"); code != 200 {
		t.Fatalf("/readyz %d after a successful reconcile", code)
	}
	if code, _ := get("/explain?name=x"); code != 404 {
		t.Fatalf("/explain served though turned off: %d", code)
	}
	if code, _ := get("/debug/pprof/"); code != 404 {
		t.Fatalf("default mux leaked: %d", code)
	}
}

func TestPprofOnlyWithTheFlag(t *testing.T) {
	for _, on := range []bool{false, true} {
		srv, err := serveMetrics("127.0.0.1:0", prometheus.NewRegistry(), controller.NewHealth(1), nil, on)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/cmdline"} {
			resp, err := http.Get("http://" + srv.Addr + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if want := map[bool]int{false: 404, true: 200}[on]; resp.StatusCode != want {
				t.Errorf("--enable-pprof=%v: %s answered %d, want %d", on, path, resp.StatusCode, want)
			}
		}
		srv.Close()
	}
}
