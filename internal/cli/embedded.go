package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/embedded"
)

// embeddedServer is the authoritative server behind --provider=embedded: its
// store, the answering authority, and the listener.
type embeddedServer struct {
	store  *store.Store
	auth   *dnsserver.Authority
	server *dnsserver.Server
}

func newEmbedded(cfg *config.Config, log *slog.Logger, reg prometheus.Registerer) (*embeddedServer, provider.Provider, error) {
	var st *store.Store
	switch cfg.EmbeddedDB {
	case ":memory:":
		st = store.NewMemory(cfg.EmbeddedZone)
	default:
		path := cfg.EmbeddedDB
		if path == "" {
			var err error
			if path, err = store.DefaultDBPath(); err != nil {
				return nil, nil, err
			}
		}
		var err error
		if st, err = store.Open(path, cfg.EmbeddedZone); err != nil {
			return nil, nil, err
		}
	}
	auth, err := dnsserver.NewAuthority(st, dnsserver.ZoneOptions{
		NameServers: cfg.EmbeddedNameservers,
		NegativeTTL: cfg.EmbeddedNegativeTTL,
	}, reg)
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	scfg := dnsserver.Config{Listen: cfg.EmbeddedListen, Logger: log}
	if cfg.EmbeddedTSIGKey != "" {
		key, err := dnsserver.ParseTSIGKey(cfg.EmbeddedTSIGKey)
		if err != nil {
			_ = st.Close()
			return nil, nil, fmt.Errorf("--embedded-tsig-key: %w", err)
		}
		scfg.TSIG = &key
	}
	srv, err := dnsserver.New(auth, scfg, reg)
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	return &embeddedServer{store: st, auth: auth, server: srv}, embedded.New(auth, cfg.EmbeddedZone...), nil
}

// start begins answering; the server stops when ctx ends.
func (e *embeddedServer) start(ctx context.Context, log *slog.Logger) error {
	if err := e.server.Start(ctx); err != nil {
		return err
	}
	log.Info("embedded DNS server answering", "address", e.server.Addr(), "zones", e.auth.Zones())
	return nil
}

func (e *embeddedServer) close(ctx context.Context) {
	_ = e.server.Shutdown(ctx)
	_ = e.store.Close()
}
