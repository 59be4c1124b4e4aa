//go:build integration

package k8s

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/exodns/exodns/internal/annotations"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/internal/kube"
	"github.com/exodns/exodns/internal/kubereport"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
	"github.com/exodns/exodns/internal/provider/inmemory"
	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/internal/source"
	"github.com/exodns/exodns/internal/source/gateway"
	"github.com/exodns/exodns/internal/source/kubesource"
)

const zone = "example.com"

// newProvider is the DNS backend the tests publish into, serving zone.
// Every test gets its provider from here (pipelineConfig.Provider), so
// switching the suite to the embedded DNS server is a change here alone;
// the in-memory provider is the reference.
func newProvider(t *testing.T) provider.Provider {
	t.Helper()
	return inmemory.New([]string{zone})
}

// pipelineConfig is the part of the command line a test varies.
type pipelineConfig struct {
	Namespace     string
	Owner         string
	Provider      provider.Provider
	Sources       []string // service, ingress, crd, gateway-httproute and the other gateway-* kinds
	CRDAPIVersion string
	// GatewayListenerSets is --gateway-listener-sets.
	GatewayListenerSets bool
	// MinEventSyncInterval defaults to 100ms, Interval to one minute, so
	// every change a test sees comes from an event.
	MinEventSyncInterval time.Duration
	Interval             time.Duration
	QPS                  float32
	Burst                int
	// LabelFilter is --label-filter; IngressClassNames --ingress-class.
	LabelFilter       string
	IngressClassNames []string
}

// pipeline is one exodns controller as internal/cli assembles it.
type pipeline struct {
	Ctl      *controller.Controller
	Cluster  *kube.Cluster
	Metrics  *prometheus.Registry
	Events   *kubereport.Events
	Status   *kubereport.StatusWriter // nil without the crd source
	Provider provider.Provider
	hook     *applyCounter
}

func newPipeline(t *testing.T, ctx context.Context, cfg pipelineConfig) *pipeline {
	t.Helper()
	if cfg.Owner == "" {
		cfg.Owner = "exodns-test"
	}
	if cfg.Provider == nil {
		cfg.Provider = newProvider(t)
	}
	if cfg.MinEventSyncInterval == 0 {
		cfg.MinEventSyncInterval = 100 * time.Millisecond
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Minute
	}
	rc := *apiServer
	kube.Tune(&rc, kube.Config{QPS: cfg.QPS, Burst: cfg.Burst, RequestTimeout: 30 * time.Second})
	cluster, err := kube.NewClusterForConfig(&rc, cfg.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	// As the cli makes it when no --fqdn-template is set, which the
	// harness never sets: Services and Ingresses cached compact.
	cluster.SetSlimObjects(true)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	metricsReg := prometheus.NewRegistry()
	metrics := controller.NewMetrics(metricsReg)
	opts := source.Options{Annotations: annotations.NewParser(""), CRDAPIVersion: cfg.CRDAPIVersion, IngressClassNames: cfg.IngressClassNames}
	if opts.LabelFilter, err = source.ParseLabelFilter(cfg.LabelFilter); err != nil {
		t.Fatal(err)
	}

	var lookups []kubesource.Lookuper
	p := &pipeline{Cluster: cluster, Metrics: metricsReg, Provider: cfg.Provider}
	evClients, err := cluster.NewClients()
	if err != nil {
		t.Fatal(err)
	}
	p.Events = kubereport.NewEvents(ctx, evClients.Core, func(res string) (source.ObjectRef, bool) {
		return kubesource.Resolver(lookups...)(res)
	})
	kr := &kubereport.Reporter{Events: p.Events}
	reporter := &controller.Reporter{Log: log, Metrics: metrics, Next: kr}
	var srcs source.Multi
	for _, name := range cfg.Sources {
		switch name {
		case "service":
			s, err := kubesource.NewService(cluster, opts, reporter)
			if err != nil {
				t.Fatal(err)
			}
			srcs, lookups = append(srcs, s), append(lookups, s)
		case "ingress":
			s, err := kubesource.NewIngress(cluster, opts, reporter)
			if err != nil {
				t.Fatal(err)
			}
			srcs, lookups = append(srcs, s), append(lookups, s)
		case "crd":
			s, err := kubesource.NewCRD(cluster, opts, reporter)
			if err != nil {
				t.Fatal(err)
			}
			srcs, lookups = append(srcs, s), append(lookups, s)
			p.Status = kubereport.NewStatusWriter(cluster, s, log)
			kr.Status = p.Status
		default:
			kind, ok := gateway.KindForSource(name)
			if !ok {
				t.Fatalf("unknown source %q", name)
			}
			s, err := kubesource.NewRoute(cluster, kind, gateway.Options{Options: opts, ListenerSets: cfg.GatewayListenerSets}, reporter)
			if err != nil {
				t.Fatal(err)
			}
			srcs, lookups = append(srcs, s), append(lookups, s)
		}
	}
	reg, err := txt.New(cfg.Provider, txt.Config{OwnerID: cfg.Owner})
	if err != nil {
		t.Fatal(err)
	}
	p.hook = &applyCounter{}
	p.Ctl = &controller.Controller{
		Source:               srcs,
		Registry:             reg,
		Policy:               plan.PolicySync,
		ManagedTypes:         []string{"A", "AAAA", "CNAME"},
		Interval:             cfg.Interval,
		MinEventSyncInterval: cfg.MinEventSyncInterval,
		Log:                  log,
		Metrics:              metrics,
		Health:               controller.NewHealth(3),
		// Wired as internal/cli wires it.
		Reporter: reporter,
		Observer: controller.Observers{kr, p.hook},
	}
	cluster.Start(ctx)
	return p
}

// start runs the controller (and status writer) until the test ends, and
// returns once the first reconcile is done: its caches have synced, so what
// a test measures next is event latency, not start-up.
func (p *pipeline) start(t *testing.T, ctx context.Context) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = p.Ctl.Run(ctx) })
	if p.Status != nil {
		wg.Go(func() { p.Status.Run(ctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
	eventually(t, 30*time.Second, func() (bool, string) {
		return metricValue(t, p, "external_dns_controller_reconciles_total") >= 1, "no reconcile finished"
	})
}

// Changes counts ApplyChanges calls that carried changes.
func (p *pipeline) Changes() int64 { return p.hook.changes.Load() }

// applyCounter counts the controller's ApplyChanges calls, as an
// observer of its outcomes.
type applyCounter struct {
	calls   atomic.Int64 // every ApplyChanges: one per reconcile that got that far
	changes atomic.Int64 // those with changes
}

func (a *applyCounter) Reconciled(o controller.Outcome) {
	a.calls.Add(1)
	if o.Err == nil && o.Applied.HasChanges() {
		a.changes.Add(1)
	}
}
