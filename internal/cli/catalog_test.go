package cli

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/exodns/exodns/internal/config"
	"github.com/exodns/exodns/internal/controller"
	"github.com/exodns/exodns/test/route53fake"
)

// describing is a Registerer that only records the names of what is
// registered, so every metric is found, including vectors with no series
// yet (which a scrape of /metrics would not show).
type describing struct{ names map[string]string } // name -> labels, comma-separated

var (
	fqName    = regexp.MustCompile(`fqName: "([^"]+)"`)
	varLabels = regexp.MustCompile(`variableLabels: \{([^}]*)\}`)
)

func (d *describing) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 256)
	go func() { c.Describe(ch); close(ch) }()
	for desc := range ch {
		if m := fqName.FindStringSubmatch(desc.String()); m != nil {
			labels := ""
			if l := varLabels.FindStringSubmatch(desc.String()); l != nil {
				labels = l[1]
			}
			d.names[m[1]] = labels
		}
	}
	return nil
}

func (d *describing) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = d.Register(c)
	}
}

func (d *describing) Unregister(prometheus.Collector) bool { return true }

// exportedMetrics builds every part of exodns that exports metrics, as the
// command builds them, and returns every metric name.
func exportedMetrics(t *testing.T) map[string]string {
	t.Helper()
	d := &describing{names: map[string]string{}}
	d.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	controller.NewMetrics(d)
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()

	// The embedded server with GSLB and a peer.
	cfg := config.Default()
	cfg.Sources, cfg.ManifestPaths = []string{"manifest"}, []string{"../../examples"}
	cfg.Provider, cfg.Embedded.Zone, cfg.Embedded.DB = "embedded", []string{"example.com"}, ":memory:"
	cfg.Embedded.Listen, cfg.TXTOwnerID = "127.0.0.1:0", "catalog"
	cfg.Embedded.TSIGKey, cfg.GSLB.Peers = "peers:hmac-sha256:c2VjcmV0", []string{"b=127.0.0.1:1"}
	_, emb, _, err := build(ctx, &cfg, log, &controller.Reporter{Log: log}, d, &atomic.Bool{})
	if err != nil {
		t.Fatal(err)
	}
	defer emb.close(ctx)

	// Route 53, against the fake.
	fake := httptest.NewServer(route53fake.New(route53fake.Options{}))
	defer fake.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDCATALOG")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	aws := config.Default()
	aws.Sources, aws.ManifestPaths = []string{"manifest"}, []string{"../../examples"}
	aws.Provider, aws.AWS.Endpoint, aws.TXTOwnerID, aws.DomainFilter = "aws", fake.URL, "catalog", []string{"example.com"}
	if _, _, _, err := build(ctx, &aws, log, &controller.Reporter{Log: log}, d, &atomic.Bool{}); err != nil {
		t.Fatal(err)
	}
	return d.names
}

// documented reads the metrics of the tables in docs/metrics.md: name ->
// labels, comma-separated, as the table's labels column lists them.
func documented(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "metrics.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	row := regexp.MustCompile("(?m)^\\| `([a-z_:][a-z0-9_:]*)` \\| [a-z]+ \\| ([^|]*) \\|")
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		var labels []string
		for _, l := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(m[2], -1) {
			labels = append(labels, l[1])
		}
		out[m[1]] = strings.Join(labels, ",")
	}
	return out
}

// TestMetricsAreDocumented: docs/metrics.md lists every metric exodns
// exports (its own; go_* and process_* are the client library's), and
// nothing else.
func TestMetricsAreDocumented(t *testing.T) {
	exported, docs := exportedMetrics(t), documented(t)
	for n, labels := range exported {
		doc, ok := docs[n]
		switch {
		case isRuntime(n):
		case !ok:
			t.Errorf("%s {%s} is exported but not in docs/metrics.md", n, labels)
		case doc != labels:
			t.Errorf("%s: docs/metrics.md lists labels {%s}, the metric has {%s}", n, doc, labels)
		}
	}
	for n := range docs {
		if _, ok := exported[n]; !ok {
			t.Errorf("docs/metrics.md lists %s, which nothing exports", n)
		}
	}
}

func isRuntime(n string) bool {
	return regexp.MustCompile(`^(go|process)_`).MatchString(n)
}

// TestMonitoringUsesExportedMetrics: every metric the shipped Grafana
// dashboard and PrometheusRule alerts query is one exodns exports.
func TestMonitoringUsesExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	dir := filepath.Join("..", "..", "deploy", "monitoring")
	names := regexp.MustCompile(`\b((?:external_dns|go|process)_[a-z0-9_]+)`)
	for _, f := range []string{"dashboard.json", "prometheusrule.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		used := 0
		for _, m := range names.FindAllStringSubmatch(string(b), -1) {
			n := m[1]
			if _, ok := exported[n]; !ok {
				base := regexp.MustCompile(`_(bucket|sum|count)$`).ReplaceAllString(n, "")
				if _, ok := exported[base]; !ok {
					t.Errorf("%s queries %s, which exodns does not export", f, n)
				}
			}
			used++
		}
		if used < 5 {
			t.Errorf("%s queries only %d metrics", f, used)
		}
	}
}
