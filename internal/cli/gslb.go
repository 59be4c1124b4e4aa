package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/geo"
	"github.com/exodns/exodns/internal/gslb"
	"github.com/exodns/exodns/internal/healthcheck"
	"github.com/exodns/exodns/internal/kubereport"
)

// gslbParts are the embedded server's routing: where regions and clients
// are, and the health checker whose results route around dead targets.
type gslbParts struct {
	regions geo.Regions
	router  *dnsserver.Router
	checker *healthcheck.Checker
	closers []io.Closer
}

func newGSLB(cfg config.GSLB, log *slog.Logger, reg prometheus.Registerer) (*gslbParts, error) {
	g := &gslbParts{regions: geo.BuiltinRegions()}
	if cfg.RegionsFile != "" {
		f, err := os.Open(cfg.RegionsFile)
		if err != nil {
			return nil, fmt.Errorf("--gslb-regions-file: %w", err)
		}
		g.regions, err = geo.ParseRegions(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("--gslb-regions-file %s: %w", cfg.RegionsFile, err)
		}
	}
	var locators []geo.Locator
	if cfg.GeoIPTable != "" {
		f, err := os.Open(cfg.GeoIPTable)
		if err != nil {
			return nil, fmt.Errorf("--geoip-table: %w", err)
		}
		t, err := geo.ParseTable(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("--geoip-table %s: %w", cfg.GeoIPTable, err)
		}
		locators = append(locators, t)
	}
	if cfg.GeoIPDB != "" {
		db, err := geo.OpenMMDB(cfg.GeoIPDB)
		if err != nil {
			return nil, fmt.Errorf("--geoip-db: %w", err)
		}
		g.closers = append(g.closers, db)
		locators = append(locators, db)
	}
	checker, err := healthcheck.New(healthcheck.Options{Registerer: reg, MaxConcurrent: cfg.CheckConcurrency, VerifyTLS: cfg.CheckVerifyTLS})
	if err != nil {
		return nil, err
	}
	g.checker = checker
	g.closers = append(g.closers, checker)
	checker.OnChange(func(id string, from, to healthcheck.Status) {
		level := slog.LevelInfo
		if to.Health == gslb.Unhealthy {
			level = slog.LevelWarn
		}
		log.Log(context.Background(), level, "health check changed", "check", id, "from", from.Health.String(), "to", to.Health.String(), "err", to.LastError)
	})
	metrics, err := gslb.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	g.router = dnsserver.NewRouter(dnsserver.RouterConfig{Regions: g.regions, Locator: firstOf(locators), Checker: checker,
		Metrics: metrics, Log: log})
	return g, nil
}

// firstOf asks each locator in turn: a hand-written table overrides the
// database for the networks it names.
func firstOf(ls []geo.Locator) geo.Locator {
	switch len(ls) {
	case 0:
		return nil
	case 1:
		return ls[0]
	}
	return geo.LocatorFunc(func(ip netip.Addr) (geo.Location, netip.Prefix, bool) {
		for _, l := range ls {
			if loc, n, ok := l.Locate(ip); ok {
				return loc, n, true
			}
		}
		return geo.Location{}, netip.Prefix{}, false
	})
}

func (g *gslbParts) close() error {
	var errs []error
	for _, c := range g.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// healthEvents tells a health change on the objects whose records the
// check serves, as a Kubernetes Event.
func (e *embeddedServer) healthEvents(ctl *controller.Controller, kr *kubereport.Reporter) {
	e.gslb.checker.OnChange(func(id string, from, to healthcheck.Status) {
		if from.Health == to.Health {
			return
		}
		healthy := to.Health != gslb.Unhealthy
		for _, u := range e.gslb.router.UsersOf(id) {
			res := ctl.ResourceOf(u.Name, u.SetIdentifier)
			if res == "" {
				continue // a peer's record: its own cluster tells its objects
			}
			note := fmt.Sprintf("target %s of %s (set %s) is %s", u.Target, u.Name, u.SetIdentifier, to.Health)
			if !healthy {
				note += ": it leaves the answers until it passes again"
				if to.LastError != "" {
					note += " (" + to.LastError + ")"
				}
			}
			kr.Health(res, note, healthy)
		}
	})
}
