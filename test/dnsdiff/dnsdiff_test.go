//go:build integration

// Package dnsdiff compares exodns's embedded DNS server with BIND 9, the
// reference implementation, on the same zone data and the same questions.
// Every response must match in rcode, flags and sections, except for the
// differences listed, each with its reason, in allowed.txt.
package dnsdiff

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/dnsserver"
	"github.com/exodns/exodns/internal/dnsserver/store"
	"github.com/exodns/exodns/internal/plan"

	"github.com/exodns/exodns/test/harness"
)

const tsigSecret = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"

// startExodns serves the fixture from the embedded server, as the
// controller would have written it.
func startExodns(t *testing.T, order dnsserver.RRsetOrder) (string, *dnsserver.TSIGKey) {
	t.Helper()
	a, err := dnsserver.NewAuthority(store.NewMemory(zones), dnsserver.ZoneOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Apply(context.Background(), &plan.Changes{Create: records()}); err != nil {
		t.Fatal(err)
	}
	key, err := dnsserver.ParseTSIGKey("xfr:hmac-sha256:" + tsigSecret)
	if err != nil {
		t.Fatal(err)
	}
	// No RRL (the zero Config has none): the test asks the same questions
	// many times.
	s, err := dnsserver.New(a, dnsserver.Config{Listen: "127.0.0.1:0", TSIG: &key, RRsetOrder: order}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	return s.Addr(), &key
}

// zoneFile writes the zone, as exodns transfers it, in zone-file form.
func zoneFile(t *testing.T, addr string, key *dnsserver.TSIGKey, zone, path string) {
	t.Helper()
	m := new(dns.Msg)
	m.SetAxfr(dns.Fqdn(zone))
	m.SetTsig(key.Name, key.Algorithm, 300, time.Now().Unix())
	tr := &dns.Transfer{TsigSecret: map[string]string{key.Name: key.Secret}}
	ch, err := tr.In(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	n := 0
	for env := range ch {
		if env.Error != nil {
			t.Fatal(env.Error)
		}
		for _, rr := range env.RR {
			if n > 0 && rr.Header().Rrtype == dns.TypeSOA {
				continue // the closing SOA
			}
			b.WriteString(rr.String() + "\n")
			n++
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// startBIND runs named on the zone files through hack/bind-diff.sh.
func startBIND(t *testing.T, files map[string]string) string {
	t.Helper()
	harness.Need(t, "named")
	harness.Need(t, "named-checkconf")
	harness.Need(t, "dig")
	script, err := filepath.Abs("../../hack/bind-diff.sh")
	if err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	port := harness.FreePort(t)
	args := []string{"start", run, fmt.Sprint(port)}
	for zone, f := range files {
		args = append(args, zone+"="+f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, script, args...).CombinedOutput(); err != nil {
		t.Fatalf("starting BIND: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command(script, "stop", run).CombinedOutput(); err != nil {
			t.Errorf("stopping BIND: %v\n%s", err, out)
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(run, "named.log"))
			t.Logf("named.log:\n%s", log)
		}
	})
	return fmt.Sprintf("127.0.0.1:%d", port)
}

// qtypes are asked of every name.
var qtypes = []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeCNAME, dns.TypeMX, dns.TypeSRV, dns.TypeTXT, dns.TypeNS, dns.TypeSOA, dns.TypeANY}

// ednsSizes is the order each question is asked in: without EDNS, then
// with buffers of 1232, 512 and 1232 bytes, so an answer cut for the
// 512-byte client and wrongly reused shows up in the last one.
var ednsSizes = []uint16{0, 1232, 512, 1232}

// TestBINDDifferential runs the question set against two exodns servers,
// one with fixed RRset order, where a cached answer is reused most often
// (an answer cut for one client would reach the next), and one with the
// default rotation, which caches one variant per rotation.
func TestBINDDifferential(t *testing.T) {
	fixed, key := startExodns(t, dnsserver.OrderFixed)
	cyclic, _ := startExodns(t, dnsserver.DefaultRRsetOrder)
	dir := t.TempDir()
	files := map[string]string{}
	for _, z := range zones {
		files[z] = filepath.Join(dir, z+".zone")
		zoneFile(t, fixed, key, z, files[z])
	}
	bind := startBIND(t, files)
	allowed, err := loadAllowed("allowed.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, exo := range []string{fixed, cyclic} {
		askAll(t, exo, bind, allowed)
	}
	for _, r := range allowed {
		if r.hits == 0 {
			t.Errorf("allowed.txt line %d (%s) matched no difference: the difference is gone, remove the line", r.line, r.reason)
		}
	}
}

// askAll asks every question of the set of exo and bind.
func askAll(t *testing.T, exo, bind string, allowed []*rule) {
	asked, same := 0, 0
	for _, name := range names() {
		for _, qtype := range qtypes {
			for _, size := range ednsSizes {
				q := question{name: name, qtype: qtype, size: size, proto: "udp"}
				asked++
				if compare(t, q, exo, bind, allowed) {
					same++
				}
			}
		}
	}
	// Over TCP, nothing is truncated: the cut answers in full.
	for _, name := range []string{"big.example.com.", "bigmx.example.com.", "www.sub.example.com.", "sub.example.com."} {
		for _, qtype := range []uint16{dns.TypeA, dns.TypeMX, dns.TypeNS} {
			asked++
			if compare(t, question{name: name, qtype: qtype, size: 1232, proto: "tcp"}, exo, bind, allowed) {
				same++
			}
		}
	}
	// EDNS options, well-formed and not: both must agree on FORMERR (RFC
	// 7871 section 7.1.1, RFC 7873 section 5.2.2) and on the answer.
	for _, o := range ednsOptions() {
		asked++
		q := question{name: "www.example.com.", qtype: dns.TypeA, size: 1232, proto: "udp", option: o.opt, optName: o.name}
		if compare(t, q, exo, bind, allowed) {
			same++
		}
	}
	t.Logf("%d questions: %d identical, %d allowed differences", asked, same, asked-same)
}

type namedOption struct {
	name string
	opt  *dns.EDNS0_LOCAL
}

// ednsOptions are cookies of every length class and client-subnet options
// right and wrong.
func ednsOptions() []namedOption {
	opt := func(code uint16, data ...byte) *dns.EDNS0_LOCAL { return &dns.EDNS0_LOCAL{Code: code, Data: data} }
	var out []namedOption
	for _, n := range []int{1, 7, 8, 9, 15, 16, 24, 40, 41} {
		out = append(out, namedOption{fmt.Sprintf("cookie%d", n), opt(dns.EDNS0COOKIE, make([]byte, n)...)})
	}
	return append(out,
		namedOption{"ecs-v4-24", opt(dns.EDNS0SUBNET, 0, 1, 24, 0, 192, 0, 2)},
		namedOption{"ecs-v6-56", opt(dns.EDNS0SUBNET, 0, 2, 56, 0, 0x20, 1, 0xd, 0xb8, 0, 0, 0)},
		namedOption{"ecs-short", opt(dns.EDNS0SUBNET, 0, 1, 24)},
		namedOption{"ecs-v4-33", opt(dns.EDNS0SUBNET, 0, 1, 33, 0, 1, 2, 3, 4, 5)},
		namedOption{"ecs-extra-bytes", opt(dns.EDNS0SUBNET, 0, 1, 16, 0, 192, 0, 2)},
		namedOption{"ecs-bits-past-prefix", opt(dns.EDNS0SUBNET, 0, 1, 20, 0, 192, 0, 0x2f)},
		namedOption{"ecs-scope-in-query", opt(dns.EDNS0SUBNET, 0, 1, 24, 24, 192, 0, 2)},
	)
}
