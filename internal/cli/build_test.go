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
		cfg := config.Default()
		fs := pflag.NewFlagSet("exodns", pflag.ContinueOnError)
		config.BindFlags(fs, &cfg)
		args := []string{"--source=manifest", "--manifest-path=" + t.TempDir(), "--provider=inmemory", "--inmemory-zone=example.com"}
		if flag != "" {
			args = append(args, flag)
		}
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		ctl, _, _, err := build(context.Background(), &cfg, slog.New(slog.DiscardHandler), &controller.Reporter{Log: slog.New(slog.DiscardHandler), Metrics: controller.NewMetrics(prometheus.NewRegistry())}, prometheus.NewRegistry(), new(atomic.Bool))
		if err != nil {
			t.Fatal(err)
		}
		if ctl.FullResyncEvery != want {
			t.Errorf("%q: FullResyncEvery = %d, want %d", flag, ctl.FullResyncEvery, want)
		}
	}
}
