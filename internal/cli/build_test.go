package cli

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/registry"
)

func TestFullResyncEvery(t *testing.T) {
	tests := []struct {
		full, interval time.Duration
		want           int
	}{
		{time.Hour, time.Minute, 60}, // the defaults: what the controller did before the flag
		{10 * time.Minute, time.Minute, 10},
		{90 * time.Second, time.Minute, 2}, // rounded up: never more often than asked
		{time.Second, time.Minute, 1},      // every resync
		{time.Minute, time.Minute, 1},
		{0, time.Minute, -1}, // never
		{time.Hour, 0, 1},
	}
	for _, tt := range tests {
		if got := fullResyncEvery(tt.full, tt.interval); got != tt.want {
			t.Errorf("fullResyncEvery(%v, %v) = %d, want %d", tt.full, tt.interval, got, tt.want)
		}
	}
}

// TestFullResyncIntervalReachesController: the flag, as parsed, sets the
// controller's count of resyncs between full ones.
func TestFullResyncIntervalReachesController(t *testing.T) {
	for flag, want := range map[string]int{"": 60, "--full-resync-interval=5m": 5, "--full-resync-interval=0": -1} {
		args := []string{"--source=manifest", "--manifest-path=" + t.TempDir(), "--provider=inmemory", "--inmemory-zone=example.com"}
		if flag != "" {
			args = append(args, flag)
		}
		ctl := buildFrom(t, args)
		if ctl.FullResyncEvery != want {
			t.Errorf("%q: FullResyncEvery = %d, want %d", flag, ctl.FullResyncEvery, want)
		}
	}
}

// TestZoneVersionReachesController: the providers that count their
// zone's changes are seen to by the registry the command builds, through
// every wrapper the flags add, so periodic resyncs can skip reading the
// zone. A wrapper that hid the version would make every resync a full
// read, which no functional test notices.
func TestZoneVersionReachesController(t *testing.T) {
	embedded := []string{"--provider=embedded", "--embedded-zone=example.com", "--embedded-db=:memory:", "--embedded-listen=127.0.0.1:0"}
	tests := []struct {
		name string
		args []string
		want bool
	}{
		{"embedded", embedded, true},
		{"embedded, dry run", append(embedded, "--dry-run"), true},
		{"embedded, TXT cache", append(embedded, "--txt-cache-interval=1m"), true},
		{"embedded, noop registry", append(embedded, "--registry=noop"), true},
		{"inmemory", []string{"--provider=inmemory", "--inmemory-zone=example.com"}, true},
		{"rfc2136", []string{"--provider=rfc2136", "--rfc2136-host=127.0.0.1", "--rfc2136-port=1", "--rfc2136-zone=example.com", "--rfc2136-insecure"}, true},
		{"coredns", []string{"--provider=coredns", "--etcd-endpoints=http://127.0.0.1:1"}, true},
		{"pdns", []string{"--provider=pdns", "--pdns-server=http://127.0.0.1:1", "--pdns-api-key=x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctl := buildFrom(t, append([]string{"--source=manifest", "--manifest-path=" + t.TempDir()}, tt.args...))
			ir, ok := ctl.Registry.(registry.Incremental)
			if !ok {
				t.Fatalf("registry %T does not offer incremental runs", ctl.Registry)
			}
			if _, have := ir.ZoneVersion(); have != tt.want {
				t.Errorf("registry reports a zone version: %v, want %v", have, tt.want)
			}
		})
	}
}

// buildFrom builds the controller the command would from args.
func buildFrom(t *testing.T, args []string) *controller.Controller {
	t.Helper()
	cfg := config.Default()
	fs := pflag.NewFlagSet("exodns", pflag.ContinueOnError)
	config.BindFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctl, emb, _, err := build(context.Background(), &cfg, slog.New(slog.DiscardHandler), &controller.Reporter{Log: slog.New(slog.DiscardHandler), Metrics: controller.NewMetrics(prometheus.NewRegistry())}, prometheus.NewRegistry(), new(atomic.Bool))
	if err != nil {
		t.Fatal(err)
	}
	if emb != nil {
		t.Cleanup(func() { emb.close(context.Background()) })
	}
	return ctl
}
