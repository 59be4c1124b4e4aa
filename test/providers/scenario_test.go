//go:build integration

package providers

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// backend is one real DNS server behind one exodns provider.
type backend struct {
	// args are exodns's provider flags.
	args []string
	// env is exodns's environment (secrets go there, never in argv).
	env []string
	// dnsPort answers queries (dig).
	dnsPort int
	// zone reads the whole zone through the server's own interface (AXFR
	// or API): one "name TTL TYPE value" line per record, sorted, without
	// the SOA and DNSSEC records.
	zone func(t *testing.T) []string
}

// Records the tests put in every zone before exodns runs: one owned by
// nobody, one owned by another exodns. Neither may ever change.
const (
	foreignA   = "foreign.example.test 300 A 192.0.2.99"
	otherA     = "other.example.test 300 A 192.0.2.98"
	otherOwner = `a-other.example.test 300 TXT "heritage=external-dns,external-dns/owner=someone-else,external-dns/resource=service/default/other"`
)

var foreignRecords = []string{foreignA, otherA, otherOwner}

// owner is the value of the ownership records exodns writes here.
const owner = `"heritage=external-dns,external-dns/owner=ci,external-dns/resource=crd/default/web"`

// step is one state of the manifest and the records it must produce.
type step struct {
	name     string
	manifest string
	want     []string            // our records in the zone, besides the base
	dig      map[string][]string // "name TYPE" -> dig +short answers, sorted
}

func dnsEndpoint(endpoints ...string) string {
	return "apiVersion: externaldns.k8s.io/v1alpha1\nkind: DNSEndpoint\nmetadata:\n  name: web\n  namespace: default\nspec:\n  endpoints:" +
		func() string {
			if len(endpoints) == 0 {
				return " []\n"
			}
			return "\n    - " + strings.Join(endpoints, "\n    - ") + "\n"
		}()
}

// claims exodns must lose: the names exist, and are not ours.
const (
	claimForeign = "{dnsName: foreign.example.test, recordType: A, targets: [192.0.2.66]}"
	claimOther   = "{dnsName: other.example.test, recordType: A, targets: [192.0.2.67]}"
)

var lifecycle = []step{
	{
		name: "create",
		manifest: dnsEndpoint(
			"{dnsName: app.example.test, recordType: A, recordTTL: 60, targets: [192.0.2.10, 192.0.2.11]}",
			"{dnsName: www.example.test, recordType: CNAME, recordTTL: 120, targets: [app.example.test]}",
			`{dnsName: note.example.test, recordType: TXT, recordTTL: 90, targets: ["hello world"]}`,
			claimForeign, claimOther),
		want: []string{
			"app.example.test 60 A 192.0.2.10", "app.example.test 60 A 192.0.2.11", "a-app.example.test 300 TXT " + owner,
			"www.example.test 120 CNAME app.example.test", "cname-www.example.test 300 TXT " + owner,
			`note.example.test 90 TXT "hello world"`, "txt-note.example.test 300 TXT " + owner,
		},
		dig: map[string][]string{"app.example.test A": {"192.0.2.10", "192.0.2.11"}, "www.example.test CNAME": {"app.example.test."},
			"note.example.test TXT": {`"hello world"`}, "foreign.example.test A": {"192.0.2.99"}, "other.example.test A": {"192.0.2.98"}},
	},
	{
		name: "update",
		manifest: dnsEndpoint(
			"{dnsName: app.example.test, recordType: A, recordTTL: 60, targets: [192.0.2.12]}",
			"{dnsName: www.example.test, recordType: CNAME, recordTTL: 120, targets: [lb.example.net]}",
			`{dnsName: note.example.test, recordType: TXT, recordTTL: 95, targets: ["hello world"]}`,
			claimForeign, claimOther),
		want: []string{
			"app.example.test 60 A 192.0.2.12", "a-app.example.test 300 TXT " + owner,
			"www.example.test 120 CNAME lb.example.net", "cname-www.example.test 300 TXT " + owner,
			`note.example.test 95 TXT "hello world"`, "txt-note.example.test 300 TXT " + owner,
		},
		dig: map[string][]string{"app.example.test A": {"192.0.2.12"}, "www.example.test CNAME": {"lb.example.net."},
			"foreign.example.test A": {"192.0.2.99"}, "other.example.test A": {"192.0.2.98"}},
	},
	{
		name:     "delete",
		manifest: dnsEndpoint(claimForeign, claimOther),
		dig: map[string][]string{"app.example.test A": nil, "www.example.test CNAME": nil, "note.example.test TXT": nil,
			"foreign.example.test A": {"192.0.2.99"}, "other.example.test A": {"192.0.2.98"}},
	},
}

// testLifecycle creates, updates and deletes records through the whole
// pipeline, one exodns --once per step, and checks each step with dig and
// with the whole zone; the records of others never change.
func testLifecycle(t *testing.T, b backend) {
	base := b.zone(t)
	for _, r := range foreignRecords {
		if !slices.Contains(base, r) {
			t.Fatalf("the zone lacks the foreign record %q: %q", r, base)
		}
	}
	manifests := t.TempDir()
	for _, s := range lifecycle {
		writeManifest(t, manifests, s.manifest)
		log := once(t, append(pipelineArgs(manifests), b.args...)...)
		want := append(slices.Clone(base), s.want...)
		slices.Sort(want)
		if got := b.zone(t); !slices.Equal(got, want) {
			t.Fatalf("%s: zone\n%s\nwant\n%s\nexodns log:\n%s", s.name, strings.Join(got, "\n"), strings.Join(want, "\n"), tail(log, 60))
		}
		for q, want := range s.dig {
			name, typ, _ := strings.Cut(q, " ")
			if got := digShort(t, b.dnsPort, name, typ); !slices.Equal(got, want) {
				t.Errorf("%s: dig %s %s = %q, want %q", s.name, name, typ, got, want)
			}
		}
		// A second run changes nothing: the provider reports back what it
		// was asked to write.
		if log := once(t, append(pipelineArgs(manifests), b.args...)...); !strings.Contains(log, "changes=0") {
			t.Errorf("%s: a second run changed records again:\n%s", s.name, tail(log, 40))
		}
	}
}

// faultRecords is how many names the fault test publishes: enough that a
// sync takes many requests, so the server can be stopped in its middle.
func bulkManifest(n int) (string, []string) {
	var eps, want []string
	for i := range n {
		name := fmt.Sprintf("n%03d.example.test", i)
		ip := fmt.Sprintf("198.51.100.%d", i%250+1)
		eps = append(eps, fmt.Sprintf("{dnsName: %s, recordType: A, recordTTL: 60, targets: [%s]}", name, ip))
		want = append(want, fmt.Sprintf("%s 60 A %s", name, ip), fmt.Sprintf("a-%s 300 TXT %s", name, owner))
	}
	return dnsEndpoint(eps...), want
}

// testFault stops the server in the middle of a sync (some records
// written, not all): exodns reports the errors, keeps running, and once
// the server is back converges to exactly the wanted zone, nothing lost
// and nothing twice.
func testFault(t *testing.T, b backend, srv *daemon, ready func() error, n int, extra ...string) {
	base := b.zone(t)
	manifests := t.TempDir()
	m, ours := bulkManifest(n)
	writeManifest(t, manifests, m)
	args := append(append(pipelineArgs(manifests), b.args...), "--interval=2s", "--min-event-sync-interval=100ms")
	ctl := startController(t, b.env, append(args, extra...)...)
	written := 0
	eventually(t, 60*time.Second, "the first records", func() string {
		written = len(b.zone(t)) - len(base)
		if written > 0 {
			return ""
		}
		return "none yet"
	})
	srv.kill()
	t.Logf("server killed with %d of %d records written", written, 2*n)
	if written >= 2*n {
		t.Fatalf("the sync ended before the server was stopped; raise n")
	}
	eventually(t, 30*time.Second, "errors reported", func() string {
		if ctl.metric("external_dns_controller_consecutive_soft_errors") >= 1 {
			return ""
		}
		return "no failed reconcile counted"
	})
	if !ctl.alive() {
		t.Fatal("exodns exited when the server went away")
	}
	srv.start(ready)
	want := append(slices.Clone(base), ours...)
	slices.Sort(want)
	took := eventually(t, 90*time.Second, "convergence after the restart", func() string {
		got := b.zone(t)
		if slices.Equal(got, want) {
			return ""
		}
		return fmt.Sprintf("%d records, want %d; first difference: %s", len(got), len(want), firstDiff(got, want))
	})
	t.Logf("converged %s after the restart", took.Round(time.Millisecond))
	eventually(t, 30*time.Second, "a clean reconcile", func() string {
		if ctl.metric("external_dns_controller_consecutive_soft_errors") == 0 {
			return ""
		}
		return "still failing"
	})
	if !ctl.alive() {
		t.Fatal("exodns is not running")
	}
	if !strings.Contains(ctl.log.String(), "level=ERROR") && !strings.Contains(ctl.log.String(), "level=WARN") {
		t.Errorf("the outage was not logged")
	}
}

func firstDiff(got, want []string) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("got %q, want %q", got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("extra %q", got[len(want)])
	}
	if len(want) > len(got) {
		return fmt.Sprintf("missing %q", want[len(got)])
	}
	return "none"
}

// digShort asks the server with dig and returns the sorted answers.
func digShort(t *testing.T, port int, name, typ string) []string {
	t.Helper()
	lines, err := digTry(t, port, name, typ)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// digTry is digShort that returns dig's failure, for polling.
func digTry(t *testing.T, port int, name, typ string) ([]string, error) {
	t.Helper()
	out, err := run(t, 10*time.Second, "dig", "@127.0.0.1", "-p", fmt.Sprint(port), "+time=2", "+tries=2", "+short", name, typ)
	if err != nil {
		return nil, fmt.Errorf("dig %s %s: %v\n%s", name, typ, err, out)
	}
	var lines []string
	for l := range strings.SplitSeq(strings.TrimSpace(out), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines, nil
}
