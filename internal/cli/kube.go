package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
	"github.com/exodns/exodns/internal/source/kubesource"
)

// kubeParts are the pieces that exist only when a Kubernetes source is used:
// the shared informers, Events on objects, and DNSEndpoint status.
type kubeParts struct {
	cluster *kube.Cluster
	lookups []kubesource.Lookuper
	status  *kubesource.StatusWriter
	events  *kube.Events
}

// kubeSource builds one Kubernetes source, connecting on first use.
func (k *kubeParts) kubeSource(name string, cfg *config.Config, opts source.Options, reporter source.Reporter, log *slog.Logger) (source.Source, error) {
	if k.cluster == nil {
		c, err := kube.NewCluster(kube.Config{Kubeconfig: cfg.Kubeconfig, Server: cfg.APIServerURL, QPS: cfg.KubeAPIQPS,
			Burst: cfg.KubeAPIBurst, RequestTimeout: cfg.KubeAPIRequestTimeout, Namespace: cfg.Namespace, UserAgent: "exodns"})
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
			k.status = kubesource.NewStatusWriter(k.cluster, s, log)
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
func (k *kubeParts) hook(ctx context.Context, ctl *controller.Controller, reporter *controller.Reporter) error {
	if k.cluster == nil {
		return nil
	}
	evc, err := k.cluster.NewClients()
	if err != nil {
		return err
	}
	resolve := kubesource.Resolver(k.lookups...)
	k.events = kube.NewEvents(ctx, evc.Core, resolve)
	ctl.Resolve = resolve
	reporter.Next = k.events
	ctl.OnConflict = k.events.Conflict
	ctl.OnReconciled = func(ch *plan.Changes, cf []plan.Conflict, err error) {
		if err == nil {
			k.events.Applied(ch)
		}
		if k.status != nil {
			k.status.Reconciled(ch, cf, err)
		}
	}
	return nil
}

// start runs the informers; every replica runs them, so a takeover after
// leader election starts with warm caches.
func (k *kubeParts) start(ctx context.Context) {
	if k.cluster != nil {
		k.cluster.Start(ctx)
	}
}

// leading runs run, under leader election when asked. Only the leader
// reconciles and writes status.
func (k *kubeParts) leading(ctx context.Context, cfg *config.Config, log *slog.Logger, run func(ctx context.Context)) error {
	if !cfg.LeaderElect {
		run(ctx)
		return nil
	}
	if k.cluster == nil {
		return fmt.Errorf("--leader-elect needs a Kubernetes source")
	}
	lec, err := k.cluster.NewClients()
	if err != nil {
		return err
	}
	name := cfg.LeaderElectionID
	if name == "" {
		name = "exodns-leader-" + cfg.TXTOwnerID
	}
	return kube.RunWithLeaderElection(ctx, kube.LeaderElection{
		Clients: lec, Namespace: cfg.LeaderElectionNamespace, Name: name,
		LeaseDuration: cfg.LeaderElectionLeaseDuration, RenewDeadline: cfg.LeaderElectionRenewDeadline,
		RetryPeriod: cfg.LeaderElectionRetryPeriod,
		OnNewLeader: func(id string) { log.Info("leader elected", "identity", id) },
	}, run)
}
