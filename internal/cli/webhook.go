package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/webhook"
)

// newWebhookCommand is `exodns webhook`: any exodns provider served over
// upstream's webhook protocol, so upstream external-dns (or another exodns
// with --provider=webhook) can use it as a sidecar.
func newWebhookCommand() *cobra.Command {
	return withConfig(&cobra.Command{
		Use:   "webhook",
		Short: "Serve a provider over external-dns's webhook protocol",
		Long: "Serves --provider (with its flags) over upstream external-dns's webhook protocol: the provider\n" +
			"API on --webhook-server-listen (localhost:8888), /healthz and /metrics on\n" +
			"--webhook-server-health-listen (:8080). --domain-filter and friends are announced to the client.\n" +
			"Every flag can also be set as EXTERNAL_DNS_<FLAG>.",
	}, runWebhookServer)
}

// runWebhookServer serves cfg's provider until SIGINT or SIGTERM.
func runWebhookServer(cmd *cobra.Command, cfg *config.Config) error {
	if cfg.Provider == "webhook" {
		return errors.New("webhook: a webhook server cannot serve --provider=webhook; choose the provider to serve")
	}
	if err := cfg.ValidateProvider(); err != nil {
		return err
	}
	if !slices.Contains([]string{"text", "json"}, cfg.LogFormat) {
		return fmt.Errorf("--log-format=%q: must be text or json", cfg.LogFormat)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(cmd.ErrOrStderr(), cfg.LogLevel, cfg.LogFormat)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	filter, err := endpoint.NewDomainFilter(cfg.DomainFilter, cfg.ExcludeDomains, cfg.RegexDomainFilter, cfg.RegexDomainExclusion)
	if err != nil {
		return err
	}
	prov, emb, err := buildProvider(ctx, cfg, filter, log, reg)
	if err != nil {
		return err
	}
	if emb != nil {
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			emb.close(sctx)
		}()
		if err := emb.start(ctx, log); err != nil {
			return err
		}
	}
	srv := webhook.New(prov, filter, webhook.Options{Log: log, Registerer: reg, FailureThreshold: cfg.HealthFailureThreshold})
	api, err := listenHTTP(cfg.WebhookServer.Listen, srv.Handler())
	if err != nil {
		return fmt.Errorf("webhook: provider API: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/healthz", srv.Healthz())
	mux.Handle("/metrics", metricsHandler(reg))
	health, err := listenHTTP(cfg.WebhookServer.HealthListen, mux)
	if err != nil {
		_ = api.Close()
		return fmt.Errorf("webhook: health and metrics: %w", err)
	}
	log.Info("webhook server serving", "provider", cfg.Provider, "api", api.Addr, "health", health.Addr,
		"domain_filter", strings.Join(filter.Include, ","))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return errors.Join(api.Shutdown(sctx), health.Shutdown(sctx))
}

// listenHTTP binds addr and serves h on it in the background; Addr is the
// bound address (a port 0 resolved).
func listenHTTP(addr string, h http.Handler) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Addr: ln.Addr().String(), Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(os.Stderr, "webhook: http server:", err)
		}
	}()
	return srv, nil
}
