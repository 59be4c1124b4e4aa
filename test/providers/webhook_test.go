//go:build integration

package providers

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/test/harness"
)

// startWebhookServer runs `exodns webhook` serving PowerDNS s, with the
// protocol's layout: the API and, apart, /healthz and /metrics.
func startWebhookServer(t *testing.T, s *pdnsServer, extra ...string) (*daemon, string, func() error) {
	t.Helper()
	api, health := harness.FreePort(t), harness.FreePort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d", api)
	ready := func() error {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", health))
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	argv := append([]string{exodnsBin, "webhook", "--domain-filter=example.test", "--log-level=debug",
		fmt.Sprintf("--webhook-server-listen=127.0.0.1:%d", api), fmt.Sprintf("--webhook-server-health-listen=127.0.0.1:%d", health)},
		s.backend().args...)
	d := newProcess(t, "exodns-webhook", ready, s.backend().env, append(argv, extra...)...)
	return d, url, ready
}

func webhookBackend(s *pdnsServer, url string) backend {
	return backend{args: []string{"--provider=webhook", "--webhook-provider-url=" + url}, dnsPort: s.port, zone: s.zone}
}

// TestWebhookRoundTrip: exodns with --provider=webhook, through `exodns
// webhook` to PowerDNS, leaves the same zone as exodns writing to
// PowerDNS directly, at every step; both are exactly what the step wants.
func TestWebhookRoundTrip(t *testing.T) {
	through, direct := startPDNS(t), startPDNS(t)
	_, url, _ := startWebhookServer(t, through)
	viaWebhook, straight := webhookBackend(through, url), direct.backend()
	t.Setenv("EXTERNAL_DNS_PDNS_API_KEY", pdnsKey)
	manifests := t.TempDir()
	for _, s := range lifecycle {
		writeManifest(t, manifests, s.manifest)
		once(t, append(pipelineArgs(manifests), viaWebhook.args...)...)
		once(t, append(pipelineArgs(manifests), straight.args...)...)
		a, b := through.zone(t), direct.zone(t)
		if !slices.Equal(a, b) {
			t.Fatalf("%s: through the webhook\n%s\ndirect\n%s", s.name, strings.Join(a, "\n"), strings.Join(b, "\n"))
		}
		for _, r := range s.want {
			if !slices.Contains(a, r) {
				t.Fatalf("%s: %q missing from\n%s", s.name, r, strings.Join(a, "\n"))
			}
		}
		t.Logf("%s: %d records, identical", s.name, len(a))
	}
}

// TestWebhookLifecycle is the full lifecycle through the webhook, checked
// like every provider's.
func TestWebhookLifecycle(t *testing.T) {
	s := startPDNS(t)
	_, url, _ := startWebhookServer(t, s)
	testLifecycle(t, webhookBackend(s, url))
}

// TestWebhookFault stops the webhook server in the middle of a sync.
func TestWebhookFault(t *testing.T) {
	s := startPDNS(t)
	srv, url, ready := startWebhookServer(t, s, "--pdns-batch-change-size=2")
	testFault(t, webhookBackend(s, url), srv, ready, 400)
}
