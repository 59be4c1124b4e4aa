//go:build integration

package providers

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/test/harness"
)

const tsigSecret = "c2VjcmV0LWNpLWtleS1mb3ItZXhvZG5zLXRlc3RzIQ=="

// startBIND starts BIND with the zone example.test, updates and transfers
// allowed only with the TSIG key ci-key, the foreign records in it.
func startBIND(t *testing.T, env ...string) (*daemon, int, func() error) {
	t.Helper()
	harness.Need(t, "named")
	harness.Need(t, "dig")
	port := harness.FreePort(t)
	extra := filepath.Join(t.TempDir(), "extra.db")
	var lines []string
	for _, r := range foreignRecords {
		f := strings.SplitN(r, " ", 4)
		lines = append(lines, f[0]+". "+f[1]+" IN "+f[2]+" "+f[3])
	}
	if err := os.WriteFile(extra, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ready := func() error { return soaReady(port) }
	d := newDaemon(t, "bind", ready, append([]string{fmt.Sprintf("PORT=%d", port), "TSIG_SECRET=" + tsigSecret, "EXTRA_RECORDS=" + extra}, env...)...)
	return d, port, ready
}

func soaReady(port int) error {
	m := new(dns.Msg)
	m.SetQuestion("example.test.", dns.TypeSOA)
	in, err := dns.Exchange(m, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	if in.Rcode != dns.RcodeSuccess || len(in.Answer) == 0 {
		return fmt.Errorf("SOA: %s", dns.RcodeToString[in.Rcode])
	}
	return nil
}

// axfr reads the whole zone with a signed transfer.
func axfr(t *testing.T, port int) []string {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr("example.test.")
	m.SetTsig("ci-key.", dns.HmacSHA256, 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{"ci-key.": tsigSecret}, DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second}
	ch, err := tr.In(m, fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("axfr: %v", err)
	}
	var out []string
	var failed error
	for env := range ch {
		if env.Error != nil {
			failed = env.Error
		}
		for _, rr := range env.RR {
			switch rr.Header().Rrtype {
			case dns.TypeSOA, dns.TypeRRSIG, dns.TypeNSEC, dns.TypeNSEC3, dns.TypeNSEC3PARAM, dns.TypeDNSKEY, dns.TypeCDS, dns.TypeCDNSKEY, 65534:
				continue
			}
			out = append(out, rrLine(rr))
		}
	}
	if failed != nil {
		t.Fatalf("axfr: %v", failed)
	}
	slices.Sort(out)
	return out
}

// rrLine writes a record as "name TTL TYPE value", names without the
// final dot.
func rrLine(rr dns.RR) string {
	h := rr.Header()
	value := strings.TrimSpace(strings.TrimPrefix(rr.String(), h.String()))
	if c, ok := rr.(*dns.CNAME); ok {
		value = strings.TrimSuffix(c.Target, ".")
	}
	return fmt.Sprintf("%s %d %s %s", strings.TrimSuffix(h.Name, "."), h.Ttl, dns.TypeToString[h.Rrtype], value)
}

func bindBackend(port int) backend {
	return backend{
		args: []string{"--provider=rfc2136", "--rfc2136-host=127.0.0.1", fmt.Sprintf("--rfc2136-port=%d", port),
			"--rfc2136-zone=example.test", "--rfc2136-tsig-keyname=ci-key", "--rfc2136-tsig-axfr"},
		env:     []string{"EXTERNAL_DNS_RFC2136_TSIG_SECRET=" + tsigSecret},
		dnsPort: port,
	}
}

func TestRFC2136BIND(t *testing.T) {
	_, port, _ := startBIND(t)
	b := bindBackend(port)
	b.zone = func(t *testing.T) []string { return axfr(t, port) }
	// The secret reaches exodns through the environment, as from a
	// Kubernetes Secret; once() passes the test's environment on.
	t.Setenv("EXTERNAL_DNS_RFC2136_TSIG_SECRET", tsigSecret)
	testLifecycle(t, b)
}

// TestRFC2136DNSSEC: in a zone BIND signs, exodns's changes are signed by
// BIND and the DNSSEC records stay: exodns neither lists nor touches them.
func TestRFC2136DNSSEC(t *testing.T) {
	_, port, _ := startBIND(t, "DNSSEC=1")
	eventually(t, 30*time.Second, "the zone signed", func() string {
		if len(digShort(t, port, "example.test", "DNSKEY")) > 0 {
			return ""
		}
		return "no DNSKEY yet"
	})
	b := bindBackend(port)
	b.zone = func(t *testing.T) []string { return axfr(t, port) }
	t.Setenv("EXTERNAL_DNS_RFC2136_TSIG_SECRET", tsigSecret)
	manifests := t.TempDir()
	writeManifest(t, manifests, lifecycle[0].manifest)
	log := once(t, append(pipelineArgs(manifests), b.args...)...)
	if got := digShort(t, port, "example.test", "DNSKEY"); len(got) == 0 {
		t.Errorf("the DNSKEY is gone")
	}
	eventually(t, 30*time.Second, "app.example.test signed", func() string {
		out, _ := run(t, 10*time.Second, "dig", "@127.0.0.1", "-p", fmt.Sprint(port), "+dnssec", "+noall", "+answer", "app.example.test", "A")
		if strings.Contains(out, "RRSIG") && strings.Contains(out, "192.0.2.10") {
			return ""
		}
		return out
	})
	if strings.Contains(strings.ToUpper(log), "RRSIG") {
		t.Errorf("exodns saw DNSSEC records:\n%s", tail(log, 40))
	}
	if log := once(t, append(pipelineArgs(manifests), b.args...)...); !strings.Contains(log, "changes=0") {
		t.Errorf("a second run changed records again:\n%s", tail(log, 40))
	}
}

func TestRFC2136BINDFault(t *testing.T) {
	srv, port, ready := startBIND(t)
	b := bindBackend(port)
	b.zone = func(t *testing.T) []string { return axfr(t, port) }
	testFault(t, b, srv, ready, 400, "--rfc2136-batch-change-size=2")
}
