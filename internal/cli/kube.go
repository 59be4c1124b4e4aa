package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/kubereport"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
	"github.com/exodns/exodns/internal/source/kubesource"
)

// kubeParts are the pieces that exist only when a Kubernetes source is used:
// the shared informers, Events on objects, and DNSEndpoint status.
type kubeParts struct {
	cluster *kube.Cluster
	lookups []kubesource.Lookuper
	status  *kubereport.StatusWriter
	report  *kubereport.Reporter
}

// kubeSource builds one Kubernetes source, connecting on first use.
func (k *kubeParts) kubeSource(name string, cfg *config.Config, opts source.Options, reporter source.Reporter, log *slog.Logger) (source.Source, error) {
	if k.cluster == nil {
		c, err := kube.NewCluster(kube.Config{Kubeconfig: cfg.Kubeconfig, Server: cfg.APIServerURL, QPS: cfg.KubeAPIQPS,
			Burst: cfg.KubeAPIBurst, RequestTimeout: cfg.KubeAPIRequestTimeout, Namespace: cfg.Namespace, UserAgent: "exodns",
			SlimObjects: cfg.FQDNTemplate == ""})
		if err != nil {
			return nil, err
		}
		k.cluster = c
	}
	switch name {
	case "service":
		s, err := kubesource.NewService(k.cluster, opts, reporter)
		k.add(s, err)
		return s, err
	case "ingress":
		s, err := kubesource.NewIngress(k.cluster, opts, reporter)
		k.add(s, err)
		return s, err
	case "crd":
		s, err := kubesource.NewCRD(k.cluster, opts, reporter)
		k.add(s, err)
		if err == nil {
			k.status = kubereport.NewStatusWriter(k.cluster, s, log)
		}
		return s, err
	}
	if kind, ok := gateway.KindForSource(name); ok {
		gopts := gateway.Options{Options: opts, GatewayName: cfg.GatewayName, GatewayNamespace: cfg.GatewayNamespace,
			ListenerSets: cfg.GatewayListenerSets}
		var err error
		if gopts.GatewayLabelFilter, err = source.ParseLabelFilter(cfg.GatewayLabelFilter); err != nil {
			return nil, err
		}
		s, err := kubesource.NewRoute(k.cluster, kind, gopts, reporter)
		k.add(s, err)
		return s, err
	}
	return nil, fmt.Errorf("--source=%s is not available", name)
}

func (k *kubeParts) add(l kubesource.Lookuper, err error) {
	if err == nil {
		k.lookups = append(k.lookups, l)
	}
}

// hook connects Events and status to the controller and the reporter.
// Both are shared by all replicas, so only the leader writes them.
func (k *kubeParts) hook(ctx context.Context, ctl *controller.Controller, reporter *controller.Reporter, lead *atomic.Bool) error {
	if k.cluster == nil {
		return nil
	}
	evc, err := k.cluster.NewClients()
	if err != nil {
		return err
	}
	kr := &kubereport.Reporter{
		Events:  kubereport.NewEvents(ctx, evc.Core, kubesource.Resolver(k.lookups...)),
		Leading: lead.Load,
	}
	if k.status != nil {
		kr.Status = k.status
	}
	reporter.Next = kr
	ctl.Observer = kr
	k.report = kr
	return nil
}

// start runs the informers; every replica runs them, so a takeover after
// leader election starts with warm caches.
func (k *kubeParts) start(ctx context.Context) {
	if k.cluster != nil {
		k.cluster.Start(ctx)
	}
}

// run runs the controller until ctx ends.
//
// Without --leader-elect this replica does everything. With it, what all
// replicas share (Events, DNSEndpoint status, a cloud provider's records)
// is written by the leader only. A replica of the embedded server keeps a
// store of its own, though, and must answer like the others: it
// reconciles into that store always, leader or not; leading only decides
// who writes the shared side effects (lead). whileLeading runs those
// writers for as long as this replica leads.
func (k *kubeParts) run(ctx context.Context, cfg *config.Config, log *slog.Logger, ctl *controller.Controller,
	lead *atomic.Bool, perReplica bool, whileLeading func(ctx context.Context)) error {
	if !cfg.LeaderElect {
		lead.Store(true)
		ctl.Metrics.SetLeading(true)
		go whileLeading(ctx)
		return ctl.Run(ctx)
	}
	if k.cluster == nil {
		return fmt.Errorf("--leader-elect needs a Kubernetes source")
	}
	lec, err := k.cluster.NewClients()
	if err != nil {
		return err
	}
	le := kube.LeaderElection{
		Clients: lec, Namespace: cfg.LeaderElectionNamespace, Name: leaseName(cfg),
		LeaseDuration: cfg.LeaderElectionLeaseDuration, RenewDeadline: cfg.LeaderElectionRenewDeadline,
		RetryPeriod: cfg.LeaderElectionRetryPeriod,
		OnNewLeader: func(id string) { log.Info("leader elected", "identity", id) },
	}
	leadFor := func(lctx context.Context, work func(context.Context)) {
		lead.Store(true)
		ctl.Metrics.SetLeading(true)
		defer func() { lead.Store(false); ctl.Metrics.SetLeading(false) }()
		log.Info("leading: writing Events, status and shared records")
		go whileLeading(lctx)
		work(lctx)
	}
	if perReplica {
		go func() {
			// Losing the Lease only stops the shared writes; the store
			// keeps being served and updated, so stand again.
			for ctx.Err() == nil {
				err := kube.RunWithLeaderElection(ctx, le, func(lctx context.Context) {
					leadFor(lctx, func(c context.Context) { <-c.Done() })
				})
				if err != nil && ctx.Err() == nil {
					log.Warn("leadership lost; serving on and standing again", "err", err)
				}
			}
		}()
		return ctl.Run(ctx)
	}
	// A standby of a shared provider writes nothing, but reads its sources
	// once, so it is ready (warm caches) to take over.
	go func() {
		_, err := ctl.Source.Endpoints(ctx)
		if _, incomplete := source.AsIncomplete(err); err == nil || incomplete {
			ctl.Health.MarkReady()
		}
	}()
	var runErr error
	err = kube.RunWithLeaderElection(ctx, le, func(lctx context.Context) {
		leadFor(lctx, func(c context.Context) { runErr = ctl.Run(c) })
	})
	return errors.Join(err, runErr)
}

// leaseName is the Lease replicas of one owner share.
func leaseName(cfg *config.Config) string {
	if cfg.LeaderElectionID != "" {
		return cfg.LeaderElectionID
	}
	return "exodns-leader-" + cfg.TXTOwnerID
}
