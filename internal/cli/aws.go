package cli

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/route53"
)

// newRoute53 builds --provider=aws: one client per --aws-profile (account),
// each behind its own rate limiter.
func newRoute53(ctx context.Context, cfg *config.Config, filter endpoint.DomainFilter, log *slog.Logger, reg prometheus.Registerer) (provider.Provider, error) {
	rc := cfg.AWS
	rc.DomainFilter = filter
	rc.ZoneIDFilter = cfg.ZoneIDFilter
	rc.Policy = cfg.Policy
	rc.OwnerID = cfg.TXTOwnerID
	accounts, err := route53.Clients(ctx, rc)
	if err != nil {
		return nil, err
	}
	return route53.New(rc, route53.Options{Log: log, Registerer: reg}, accounts...)
}
