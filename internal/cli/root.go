// Package cli holds exodns's commands: the controller (the root command) and
// its helpers.
package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	httppprof "net/http/pprof"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/kube"
)

// embeddedMinEventSync is the default --min-event-sync-interval with the
// embedded provider.
const embeddedMinEventSync = 100 * time.Millisecond

// BuildInfo is stamped at link time by the release build.
type BuildInfo struct {
	Version string
	Commit  string
}

// NewRootCommand returns the exodns command tree.
func NewRootCommand(info BuildInfo) *cobra.Command {
	cmd := withConfig(&cobra.Command{
		Use:   "exodns",
		Short: "Publish Kubernetes Services, Ingresses and DNSEndpoints as DNS records",
		Long: "exodns keeps DNS records in step with what your objects ask for. It reads upstream\n" +
			"external-dns's annotations, flags and TXT ownership records, so it can replace it in place.\n" +
			"Every flag can also be set as EXTERNAL_DNS_<FLAG>, e.g. EXTERNAL_DNS_TXT_OWNER_ID.",
	}, func(cmd *cobra.Command, cfg *config.Config) error {
		if cfg.WebhookServer.Enabled {
			// Upstream's --webhook-server: serve the provider instead.
			return runWebhookServer(cmd, cfg)
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
		if cfg.Provider == "embedded" && !cmd.Flags().Changed("min-event-sync-interval") {
			// Upstream's 5 s spares cloud APIs; a local bbolt write
			// costs milliseconds, and an edit should be answered at once.
			cfg.MinEventSyncInterval = embeddedMinEventSync
		}
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runController(ctx, cmd, cfg, info)
	})
	cmd.AddCommand(newVersionCommand(info), newExplainCommand(), newProbeCommand(), newWebhookCommand())
	return cmd
}

// withConfig gives cmd every exodns flag, read into a configuration that
// run gets once the EXTERNAL_DNS_* environment is applied.
func withConfig(cmd *cobra.Command, run func(*cobra.Command, *config.Config) error) *cobra.Command {
	cfg := config.Default()
	cmd.SilenceUsage, cmd.Args = true, cobra.NoArgs
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if err := config.ApplyEnv(cmd.Flags(), nil); err != nil {
			return err
		}
		// Upstream's coredns provider reads etcd's settings from ETCD_*.
		cfg.CoreDNS.FromUpstreamEnv(os.LookupEnv)
		return run(cmd, &cfg)
	}
	config.BindFlags(cmd.Flags(), &cfg)
	return cmd
}

func runController(ctx context.Context, cmd *cobra.Command, cfg *config.Config, info BuildInfo) error {
	log := newLogger(cmd.ErrOrStderr(), cfg.LogLevel, cfg.LogFormat)
	setMemProfileRate(cfg.EnablePprof)
	setMemoryLimit(log)
	setGCPercent(log)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := controller.NewMetrics(reg)
	health := controller.NewHealth(cfg.HealthFailureThreshold)
	reporter := &controller.Reporter{Log: log, Metrics: metrics}
	lead := &atomic.Bool{}

	ctl, emb, kp, err := build(ctx, cfg, log, reporter, reg, lead)
	if err != nil {
		return err
	}
	if emb != nil {
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			emb.close(sctx)
		}()
	}
	ctl.Metrics, ctl.Health = metrics, health
	log.Info("exodns starting", "version", info.Version, "provider", cfg.Provider, "registry", cfg.Registry,
		"sources", cfg.Sources, "policy", cfg.Policy, "owner", cfg.TXTOwnerID, "dry-run", cfg.DryRun)

	kp.start(ctx)
	if cfg.Once {
		// One reconcile writes the records (durably, for the embedded
		// store) and exits; there is nothing to serve.
		lead.Store(true)
		return ctl.RunOnce(ctx)
	}
	if emb != nil {
		if kp.report != nil {
			emb.healthEvents(ctl, kp.report)
		}
		if err := emb.start(ctx, log); err != nil {
			return err
		}
	}
	if cfg.MetricsAddress != "" {
		var explain http.Handler
		if cfg.ExplainEndpoint {
			var extra func(*controller.Explanation)
			if emb != nil {
				extra = emb.explain
			}
			explain = explainHandler(ctl, extra)
		}
		srv, err := serveMetrics(cfg.MetricsAddress, reg, health, explain, cfg.EnablePprof)
		if err != nil {
			return err
		}
		log.Info("serving metrics, health and readiness", "address", srv.Addr)
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
	}
	var versions *kube.ZoneVersions
	if emb != nil && cfg.LeaderElect && kp.cluster != nil {
		if versions, err = emb.shareSerials(ctx, kp.cluster, cfg, ctl, lead, log); err != nil {
			return err
		}
	}
	return kp.run(ctx, cfg, log, ctl, lead, emb != nil, func(lctx context.Context) {
		if kp.status != nil {
			go kp.status.Run(lctx)
		}
		if versions != nil {
			versions.Publish(emb.versions())
			versions.Run(lctx)
		}
	})
}

// metricsHandler serves reg's metrics uncompressed, whatever the scraper
// offers. A gzip or zstd encoder holds about a megabyte of state, which
// the handler's pool kept between scrapes: at 10^4 objects that was 5% of
// the controller's heap, to save a few kilobytes on the wire every scrape
// interval.
func metricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, DisableCompression: true})
}

// serveMetrics serves /metrics, /healthz and /readyz on their own mux, never the
// default one, so nothing else registered in the process leaks out.
// With pprof, Go's profiles are served under /debug/pprof/ too.
func serveMetrics(addr string, reg *prometheus.Registry, health *controller.Health, explain http.Handler, pprof bool) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metricsHandler(reg))
	mux.Handle("/healthz", health)
	mux.Handle("/readyz", health.ReadyHandler())
	if explain != nil {
		mux.Handle("/explain", explain)
	}
	if pprof {
		mux.HandleFunc("/debug/pprof/", httppprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", httppprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", httppprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", httppprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", httppprof.Trace)
	}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "metrics server:", err)
		}
	}()
	return srv, nil
}

func newVersionCommand(info BuildInfo) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintf(cmd.OutOrStdout(), "exodns %s (commit %s)\n", info.Version, info.Commit)
		},
	}
}
