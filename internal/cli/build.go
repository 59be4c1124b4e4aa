package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/coredns"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/provider/pdns"
	"github.com/exodns/exodns/internal/provider/rfc2136"
	"github.com/exodns/exodns/internal/provider/webhook"
	"github.com/exodns/exodns/internal/registry"
	sdregistry "github.com/exodns/exodns/internal/registry/awssd"
	"github.com/exodns/exodns/internal/registry/noop"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/delegation"
	"github.com/exodns/exodns/internal/source/manifest"
)

// build assembles the pipeline from the configuration: sources, provider,
// registry, and the controller around them.
func build(ctx context.Context, cfg *config.Config, log *slog.Logger, reporter *controller.Reporter, reg prometheus.Registerer, lead *atomic.Bool) (*controller.Controller, *embeddedServer, *kubeParts, error) {
	filter, err := endpoint.NewDomainFilter(cfg.DomainFilter, cfg.ExcludeDomains, cfg.RegexDomainFilter, cfg.RegexDomainExclusion)
	if err != nil {
		return nil, nil, nil, err
	}
	policy, err := plan.ParsePolicy(cfg.Policy)
	if err != nil {
		return nil, nil, nil, err
	}
	opts, err := sourceOptions(cfg)
	if err != nil {
		return nil, nil, nil, err
	}
	kp := &kubeParts{}
	src, err := buildSources(cfg, opts, reporter, log, kp)
	if err != nil {
		return nil, nil, nil, err
	}
	prov, emb, err := buildProvider(ctx, cfg, filter, log, reg)
	if err != nil {
		return nil, nil, nil, err
	}
	returner := newHeapReturner(cfg.Interval, log)
	ownership, err := buildRegistry(ctx, cfg, prov, log, returner.spareDropped)
	if err != nil {
		if emb != nil {
			emb.close(context.Background())
		}
		return nil, nil, nil, err
	}
	ctl := &controller.Controller{
		Source:               src,
		Registry:             ownership,
		Policy:               policy,
		DomainFilter:         filter,
		ManagedTypes:         upper(cfg.ManagedRecordTypes),
		ExcludeTypes:         upper(cfg.ExcludeRecordTypes),
		Interval:             cfg.Interval,
		MinEventSyncInterval: cfg.MinEventSyncInterval,
		FullResyncEvery:      fullResyncEvery(cfg.FullResyncInterval, cfg.Interval),
		DryRun:               cfg.DryRun,
		Log:                  log,
		Reporter:             reporter,
		AfterRun:             returner.afterRun,
	}
	if err := kp.hook(ctx, ctl, reporter, lead); err != nil {
		return nil, nil, nil, err
	}
	return ctl, emb, kp, nil
}

// fullResyncEvery turns --full-resync-interval into a count of periodic
// resyncs, as the controller counts them: the interval rounded up to a
// multiple of --interval, at least one; never (-1) for 0.
func fullResyncEvery(full, interval time.Duration) int {
	if full <= 0 {
		return -1
	}
	if interval <= 0 {
		return 1
	}
	return int(max(1, (full+interval-1)/interval))
}

func sourceOptions(cfg *config.Config) (source.Options, error) {
	opts := source.Options{
		Annotations:              annotations.NewParser(cfg.AnnotationPrefix),
		CombineFQDNAnnotation:    cfg.CombineFQDNAnnotation,
		DefaultTargets:           cfg.DefaultTargets,
		ForceDefaultTargets:      cfg.ForceDefaultTargets,
		IgnoreHostnameAnnotation: cfg.IgnoreHostnameAnnotation,
		IgnoreIngressTLSSpec:     cfg.IgnoreIngressTLSSpec,
		IgnoreIngressRulesSpec:   cfg.IgnoreIngressRulesSpec,
		PublishInternal:          cfg.PublishInternal,
		PublishHostIP:            cfg.PublishHostIP,
		ServiceTypeFilter:        cfg.ServiceTypeFilter,
		IngressClassNames:        cfg.IngressClassNames,
		CRDAPIVersion:            cfg.CRDSourceAPIVersion,
		CRDKind:                  cfg.CRDSourceKind,
	}
	var err error
	if opts.LabelFilter, err = source.ParseLabelFilter(cfg.LabelFilter); err != nil {
		return opts, err
	}
	if opts.AnnotationFilter, err = source.ParseAnnotationFilter(cfg.AnnotationFilter); err != nil {
		return opts, err
	}
	if cfg.FQDNTemplate != "" {
		if opts.FQDNTemplate, err = source.ParseFQDNTemplate(cfg.FQDNTemplate); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

func buildSources(cfg *config.Config, opts source.Options, reporter source.Reporter, log *slog.Logger, kp *kubeParts) (source.Source, error) {
	var all source.Multi
	for _, name := range cfg.Sources {
		if name == "manifest" {
			all = append(all, manifest.New(cfg.ManifestPaths, opts, reporter, log, cfg.ManifestSettleTime))
			continue
		}
		if name == "gslb-delegation" {
			d := &delegation.Source{Zone: cfg.GSLB.DelegationZone}
			for _, s := range cfg.GSLB.DelegationNS {
				sv, err := delegation.ParseServer(s)
				if err != nil {
					return nil, fmt.Errorf("--gslb-delegation-nameserver: %w", err)
				}
				d.Servers = append(d.Servers, sv)
			}
			if d.Zone == "" || len(d.Servers) == 0 {
				return nil, fmt.Errorf("--source=gslb-delegation needs --gslb-delegation-zone and --gslb-delegation-nameserver")
			}
			all = append(all, d)
			continue
		}
		s, err := kp.kubeSource(name, cfg, opts, reporter, log)
		if err != nil {
			return nil, fmt.Errorf("--source=%s: %w", name, err)
		}
		all = append(all, s)
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return all, nil
}

func buildProvider(ctx context.Context, cfg *config.Config, filter endpoint.DomainFilter, log *slog.Logger, reg prometheus.Registerer) (provider.Provider, *embeddedServer, error) {
	var p provider.Provider
	var emb *embeddedServer
	switch cfg.Provider {
	case "aws":
		var err error
		if p, err = newRoute53(ctx, cfg, filter, log, reg); err != nil {
			return nil, nil, err
		}
	case "aws-sd":
		var err error
		if p, err = newAWSSD(ctx, cfg, filter, log); err != nil {
			return nil, nil, err
		}
	case "embedded":
		var err error
		if emb, p, err = newEmbedded(cfg, log, reg); err != nil {
			return nil, nil, err
		}
	case "rfc2136":
		var err error
		if p, err = rfc2136.New(cfg.RFC2136, rfc2136.Options{Log: log, Registerer: reg}); err != nil {
			return nil, nil, err
		}
	case "pdns":
		pc := cfg.PDNS
		pc.DomainFilter = filter
		var err error
		if p, err = pdns.New(pc, pdns.Options{Log: log}); err != nil {
			return nil, nil, err
		}
	case "coredns":
		var err error
		if p, err = coredns.New(cfg.CoreDNS, coredns.Options{Log: log, DomainFilter: filter}); err != nil {
			return nil, nil, err
		}
	case "webhook":
		var err error
		if p, err = webhook.New(ctx, cfg.Webhook, webhook.Options{Log: log, Registerer: reg}); err != nil {
			return nil, nil, err
		}
	case "inmemory":
		zones := cfg.InMemory.Zones
		if len(zones) == 0 {
			zones = cfg.DomainFilter
		}
		p = inmemory.New(zones)
	default:
		return nil, nil, fmt.Errorf("--provider=%s is not available in this build", cfg.Provider)
	}
	if cfg.DryRun {
		p = provider.DryRun(p)
	}
	return p, emb, nil
}

func buildRegistry(ctx context.Context, cfg *config.Config, p provider.Provider, log *slog.Logger, spareDropped func()) (registry.Registry, error) {
	name := cfg.Registry
	if cfg.Provider == "aws-sd" && name != "aws-sd" && name != "noop" {
		// As upstream: Cloud Map holds no TXT record, and its services
		// carry their ownership themselves.
		log.Info("--provider=aws-sd keeps ownership in Cloud Map services; using --registry=aws-sd", "registry", name)
		name = "aws-sd"
	}
	switch name {
	case "aws-sd":
		return sdregistry.New(p, cfg.TXTOwnerID)
	case "dynamodb":
		return newDynamoDB(ctx, cfg, p, log)
	case "noop":
		return noop.New(p), nil
	case "txt":
		tc := txt.Config{
			OwnerID:             cfg.TXTOwnerID,
			Prefix:              cfg.TXTPrefix,
			Suffix:              cfg.TXTSuffix,
			WildcardReplacement: cfg.TXTWildcardReplacement,
			OldOwnerID:          cfg.TXT.OldOwnerID,
			CacheInterval:       cfg.TXT.CacheInterval,
			SpareDropped:        spareDropped,
		}
		if cfg.TXTEncryptAESKey != "" {
			// A key without --txt-encrypt-enabled still reads encrypted
			// records, so encryption can be turned off without orphaning.
			tc.EncryptKey = []byte(cfg.TXTEncryptAESKey)
			tc.DecryptOnly = !cfg.TXTEncryptEnabled
		}
		return txt.New(p, tc)
	}
	return nil, fmt.Errorf("--registry=%s is not available", cfg.Registry)
}

func upper(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToUpper(strings.TrimSpace(s)))
	}
	return out
}
