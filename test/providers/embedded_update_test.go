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

const (
	acmeSecret = "YWNtZS1rZXktc2VjcmV0LWZvci1leG9kbnMtdGVzdHM="
	dynSecret  = "ZHluLWtleS1zZWNyZXQtZm9yLWV4b2Rucy10ZXN0cyE="
)

// embedded runs exodns with its own server, taking RFC 2136 updates from
// two keys: acme (cert-manager's challenges) and dyn (which may also
// transfer the zone, as an RFC 2136 provider needs).
func startEmbedded(t *testing.T, manifests, db string) (*controller, int) {
	t.Helper()
	port := harness.FreePort(t)
	args := append(pipelineArgs(manifests),
		"--provider=embedded", "--embedded-zone=example.test", fmt.Sprintf("--embedded-listen=127.0.0.1:%d", port),
		"--embedded-db="+db, "--embedded-rrl-responses-per-second=0", "--interval=1s",
		"--embedded-tsig-key=dyn:hmac-sha256:"+dynSecret,
		"--embedded-update-key=acme:hmac-sha256:"+acmeSecret+":_acme-challenge.example.test,_acme-challenge.www.example.test",
		"--embedded-update-key=dyn:hmac-sha256:"+dynSecret+":*.dyn.example.test")
	c := startController(t, nil, args...)
	eventually(t, 30*time.Second, "the embedded server answering app.example.test", func() string {
		got, err := digTry(t, port, "app.example.test", "A")
		if err == nil && slices.Equal(got, []string{"192.0.2.10"}) {
			return ""
		}
		return fmt.Sprint(got, err)
	})
	return c, port
}

const embeddedManifest = `apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata:
  name: web
  namespace: default
spec:
  endpoints:
    - {dnsName: app.example.test, recordType: A, targets: [192.0.2.10]}
    - {dnsName: www.example.test, recordType: CNAME, targets: [app.example.test]}
`

// nsupdate runs BIND's nsupdate with a key and script, and returns its
// output and whether it succeeded.
func nsupdate(t *testing.T, port int, key, script string) (string, bool) {
	t.Helper()
	in := fmt.Sprintf("server 127.0.0.1 %d\nzone example.test\n%s\nsend\n", port, script)
	f := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(f, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, 20*time.Second, "nsupdate", "-t", "5", "-y", key, f)
	return out, err == nil
}

func TestEmbeddedNsupdate(t *testing.T) {
	harness.Need(t, "nsupdate")
	harness.Need(t, "dig")
	manifests, db := t.TempDir(), filepath.Join(t.TempDir(), "embedded.db")
	writeManifest(t, manifests, embeddedManifest)
	_, port := startEmbedded(t, manifests, db)
	acme := "hmac-sha256:acme:" + acmeSecret
	tests := []struct {
		name    string
		key     string
		script  string
		ok      bool
		outHas  string
		digName string
		want    []string
	}{
		{"allowed", acme, `update add _acme-challenge.example.test 60 TXT "token-1"`, true, "", "_acme-challenge.example.test", []string{`"token-1"`}},
		{"refused by subtree", acme, `update add other.example.test 60 TXT "x"`, false, "REFUSED", "other.example.test", nil},
		{"refused for an exodns-owned name", acme, `update add app.example.test 60 TXT "x"`, false, "REFUSED", "app.example.test", nil},
		{"refused for an ownership record", "hmac-sha256:dyn:" + dynSecret, `update delete a-app.example.test TXT`, false, "REFUSED", "", nil},
		{"bad TSIG", "hmac-sha256:acme:YmFkLXNlY3JldC1iYWQtc2VjcmV0", `update add _acme-challenge.example.test 60 TXT "forged"`, false, "", "_acme-challenge.example.test", []string{`"token-1"`}},
		{"unsigned", "", `update add _acme-challenge.example.test 60 TXT "unsigned"`, false, "REFUSED", "_acme-challenge.example.test", []string{`"token-1"`}},
		{"remove", acme, `update delete _acme-challenge.example.test TXT "token-1"`, true, "", "_acme-challenge.example.test", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out string
			var ok bool
			if tt.key == "" {
				in := fmt.Sprintf("server 127.0.0.1 %d\nzone example.test\n%s\nsend\n", port, tt.script)
				f := filepath.Join(t.TempDir(), "s")
				_ = os.WriteFile(f, []byte(in), 0o600)
				o, err := run(t, 20*time.Second, "nsupdate", "-t", "5", f)
				out, ok = o, err == nil
			} else {
				out, ok = nsupdate(t, port, tt.key, tt.script)
			}
			if ok != tt.ok || !strings.Contains(out, tt.outHas) {
				t.Fatalf("nsupdate ok=%v, want %v; output:\n%s", ok, tt.ok, out)
			}
			if tt.name == "bad TSIG" && !strings.Contains(strings.ToLower(out), "tsig") && !strings.Contains(out, "NOTAUTH") {
				t.Errorf("a bad TSIG is not reported as such:\n%s", out)
			}
			if tt.digName != "" {
				if got := digShort(t, port, tt.digName, "TXT"); !slices.Equal(got, tt.want) {
					t.Errorf("dig %s TXT = %q, want %q", tt.digName, got, tt.want)
				}
			}
		})
	}
	// exodns's own records are as they were.
	if got := digShort(t, port, "app.example.test", "A"); !slices.Equal(got, []string{"192.0.2.10"}) {
		t.Errorf("app.example.test = %q", got)
	}
	if got := digShort(t, port, "a-app.example.test", "TXT"); len(got) != 1 || !strings.Contains(got[0], "owner=ci") {
		t.Errorf("a-app.example.test = %q", got)
	}
}

// TestEmbeddedCertManagerDNS01 runs the steps of cert-manager's rfc2136
// DNS-01 solver (the same miekg/dns calls: find the zone by SOA, insert
// the challenge TXT with TSIG over UDP, check it resolves at the
// authoritative server, remove it), then shows the challenge survives a
// reconcile and a restart while it is up, and is gone once removed.
func TestEmbeddedCertManagerDNS01(t *testing.T) {
	harness.Need(t, "dig")
	manifests, db := t.TempDir(), filepath.Join(t.TempDir(), "embedded.db")
	writeManifest(t, manifests, embeddedManifest)
	ctl, port := startEmbedded(t, manifests, db)
	server := fmt.Sprintf("127.0.0.1:%d", port)
	fqdn, value := "_acme-challenge.www.example.test.", "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"

	// cert-manager finds the zone: the SOA of the closest enclosing zone.
	soa := new(dns.Msg)
	soa.SetQuestion(fqdn, dns.TypeSOA)
	in, err := dns.Exchange(soa, server)
	if err != nil {
		t.Fatal(err)
	}
	zone := ""
	for _, rr := range append(in.Answer, in.Ns...) {
		if s, ok := rr.(*dns.SOA); ok {
			zone = s.Hdr.Name
		}
	}
	if zone != "example.test." {
		t.Fatalf("zone found for %s: %q\n%v", fqdn, zone, in)
	}
	change := func(action string) {
		t.Helper()
		rr := &dns.TXT{Hdr: dns.RR_Header{Name: fqdn, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: []string{value}}
		m := new(dns.Msg)
		m.SetUpdate(zone)
		if action == "INSERT" {
			m.Insert([]dns.RR{rr})
		} else {
			m.Remove([]dns.RR{rr})
		}
		c := new(dns.Client)
		c.SingleInflight = true
		m.SetTsig("acme.", dns.HmacSHA256, 300, time.Now().Unix())
		c.TsigSecret = map[string]string{"acme.": acmeSecret}
		reply, _, err := c.Exchange(m, server)
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if reply.Rcode != dns.RcodeSuccess {
			t.Fatalf("%s: DNS update failed: server replied: %s", action, dns.RcodeToString[reply.Rcode])
		}
	}
	change("INSERT")
	if got := digShort(t, port, fqdn, "TXT"); !slices.Equal(got, []string{`"` + value + `"`}) {
		t.Fatalf("the challenge does not resolve: %q", got)
	}
	// The controller reconciles (the manifest changes) and keeps it.
	writeManifest(t, manifests, strings.Replace(embeddedManifest, "192.0.2.10", "192.0.2.11", 1))
	eventually(t, 30*time.Second, "the reconcile", func() string {
		if got := digShort(t, port, "app.example.test", "A"); slices.Equal(got, []string{"192.0.2.11"}) {
			return ""
		}
		return "not yet"
	})
	if got := digShort(t, port, fqdn, "TXT"); len(got) != 1 {
		t.Fatalf("the reconcile removed the challenge: %q", got)
	}
	_ = ctl
	change("REMOVE")
	if got := digShort(t, port, fqdn, "TXT"); len(got) != 0 {
		t.Fatalf("the challenge is still answered: %q", got)
	}
}

// TestEmbeddedUpdatesAreDurable: a record an update wrote survives a
// restart of exodns from its --embedded-db.
func TestEmbeddedUpdatesAreDurable(t *testing.T) {
	harness.Need(t, "nsupdate")
	manifests, db := t.TempDir(), filepath.Join(t.TempDir(), "embedded.db")
	writeManifest(t, manifests, embeddedManifest)
	ctl, port := startEmbedded(t, manifests, db)
	if out, ok := nsupdate(t, port, "hmac-sha256:dyn:"+dynSecret, "update add host.dyn.example.test 300 A 192.0.2.77"); !ok {
		t.Fatalf("nsupdate: %s", out)
	}
	_ = ctl.cmd.Process.Kill()
	<-ctl.done
	_, port = startEmbedded(t, manifests, db)
	if got := digShort(t, port, "host.dyn.example.test", "A"); !slices.Equal(got, []string{"192.0.2.77"}) {
		t.Errorf("after a restart: %q", got)
	}
}

// TestEmbeddedAsRFC2136Server: another exodns, with --provider=rfc2136,
// writes to the embedded server through its whole pipeline, as upstream
// external-dns's rfc2136 provider would; neither touches the other's
// records.
func TestEmbeddedAsRFC2136Server(t *testing.T) {
	harness.Need(t, "dig")
	manifests, db := t.TempDir(), filepath.Join(t.TempDir(), "embedded.db")
	writeManifest(t, manifests, embeddedManifest)
	_, port := startEmbedded(t, manifests, db)
	other := t.TempDir()
	writeManifest(t, other, `apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata:
  name: edge
  namespace: default
spec:
  endpoints:
    - {dnsName: edge.dyn.example.test, recordType: A, recordTTL: 60, targets: [192.0.2.90, 192.0.2.91]}
    - {dnsName: alias.dyn.example.test, recordType: CNAME, targets: [edge.dyn.example.test]}
    - {dnsName: app.example.test, recordType: A, targets: [192.0.2.66]}
`)
	args := []string{"--source=manifest", "--manifest-path=" + other, "--manifest-settle-time=100ms", "--registry=txt",
		"--txt-owner-id=second", "--policy=sync", "--domain-filter=example.test", "--log-level=debug",
		"--provider=rfc2136", "--rfc2136-host=127.0.0.1", fmt.Sprintf("--rfc2136-port=%d", port), "--rfc2136-zone=example.test",
		"--rfc2136-tsig-keyname=dyn", "--rfc2136-tsig-secret=" + dynSecret, "--rfc2136-tsig-axfr"}
	log := once(t, args...)
	if got := digShort(t, port, "edge.dyn.example.test", "A"); !slices.Equal(got, []string{"192.0.2.90", "192.0.2.91"}) {
		t.Errorf("edge.dyn = %q\n%s", got, tail(log, 40))
	}
	if got := digShort(t, port, "alias.dyn.example.test", "CNAME"); !slices.Equal(got, []string{"edge.dyn.example.test."}) {
		t.Errorf("alias.dyn = %q", got)
	}
	if got := digShort(t, port, "app.example.test", "A"); !slices.Equal(got, []string{"192.0.2.10"}) {
		t.Errorf("the second exodns changed app.example.test: %q", got)
	}
	if log := once(t, args...); !strings.Contains(log, "changes=0") {
		t.Errorf("a second run changed records again:\n%s", tail(log, 40))
	}
	// It removes its own records again, and only those.
	writeManifest(t, other, dnsEndpoint())
	once(t, args...)
	if got := digShort(t, port, "edge.dyn.example.test", "A"); len(got) != 0 {
		t.Errorf("edge.dyn after delete = %q", got)
	}
	if got := digShort(t, port, "app.example.test", "A"); !slices.Equal(got, []string{"192.0.2.10"}) {
		t.Errorf("app.example.test = %q", got)
	}
}
