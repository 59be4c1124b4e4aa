//go:build integration

package e2e

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/test/harness"
)

const (
	gitopsFiles    = 30
	gitopsPerFile  = 10
	gitopsSwitches = 20
)

// gitopsManifests writes 300 LoadBalancer Services in 30 files; variant B
// gives one of them another address.
func gitopsManifests(t *testing.T, dir string, variantB bool) {
	t.Helper()
	for f := range gitopsFiles {
		var b strings.Builder
		for i := range gitopsPerFile {
			n := f*gitopsPerFile + i
			ip := fmt.Sprintf("10.1.%d.%d", n/250, n%250+1)
			if variantB && n == 137 {
				ip = "10.9.9.9"
			}
			fmt.Fprintf(&b, `---
apiVersion: v1
kind: Service
metadata:
  name: svc-%03d
  namespace: shop
  annotations:
    external-dns.alpha.kubernetes.io/hostname: svc-%03d.example.com
spec:
  type: LoadBalancer
status:
  loadBalancer:
    ingress: [{ip: %s}]
`, n, n, ip)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("apps-%02d.yaml", f)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestGitOpsSwitchesNeverDelete is the GitOps soak: a 300-object manifest
// folder is switched between two commits 20 times with `git checkout` in
// place, while a client queries every name without pause. Every switch is
// applied as one update; nothing is deleted, and no query is answered
// NXDOMAIN or empty.
func TestGitOpsSwitchesNeverDelete(t *testing.T) {
	harness.Need(t, "git")
	bin := harness.BuildExodns(t)
	repo := t.TempDir()
	manifests := filepath.Join(repo, "dns")
	if err := os.Mkdir(manifests, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "init", "-q")
	gitopsManifests(t, manifests, false)
	git(t, repo, "add", ".")
	git(t, repo, "commit", "-qm", "A")
	commitA := git(t, repo, "rev-parse", "HEAD")
	gitopsManifests(t, manifests, true)
	git(t, repo, "commit", "-qam", "B")
	commitB := git(t, repo, "rev-parse", "HEAD")
	git(t, repo, "checkout", "-q", commitA)

	dnsPort, metricsPort := harness.FreePort(t), harness.FreePort(t)
	dnsAddr := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	start(t, bin, "--source=manifest", "--manifest-path="+manifests, "--provider=embedded", "--embedded-zone=example.com",
		"--embedded-listen="+dnsAddr, "--embedded-db="+filepath.Join(t.TempDir(), "db"), "--txt-owner-id=gitops",
		fmt.Sprintf("--metrics-address=127.0.0.1:%d", metricsPort), "--min-event-sync-interval=100ms", "--interval=1h",
		// The querier asks each name over and over from one address: response
		// rate limiting would (rightly) slip and drop its answers.
		"--embedded-rrl-responses-per-second=0")

	names := make([]string, gitopsFiles*gitopsPerFile)
	for i := range names {
		names[i] = fmt.Sprintf("svc-%03d.example.com.", i)
	}
	client := &dns.Client{Timeout: 2 * time.Second}
	ask := func(name string) (*dns.Msg, error) {
		m := new(dns.Msg)
		m.SetQuestion(name, dns.TypeA)
		r, _, err := client.Exchange(m, dnsAddr)
		return r, err
	}
	addressOf := func(name string) string {
		r, err := ask(name)
		if err != nil || r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
			return ""
		}
		return r.Answer[0].(*dns.A).A.String()
	}
	eventually(t, 30*time.Second, "all 300 names answer", func() bool {
		for _, n := range names {
			if addressOf(n) == "" {
				return false
			}
		}
		return true
	})

	// The querier: every name, round and round, until the switches end.
	var queries, nxdomain, empty, failed atomic.Int64
	var firstBad atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for round := 0; ; round++ {
			for _, n := range names {
				select {
				case <-stop:
					return
				default:
				}
				r, err := ask(n)
				queries.Add(1)
				switch {
				case err != nil:
					failed.Add(1)
				case r.Rcode == dns.RcodeNameError:
					nxdomain.Add(1)
					firstBad.CompareAndSwap(nil, fmt.Sprintf("NXDOMAIN for %s in round %d", n, round))
				case len(r.Answer) == 0:
					empty.Add(1)
					firstBad.CompareAndSwap(nil, fmt.Sprintf("no answer for %s in round %d: %v", n, round, r))
				}
			}
		}
	})

	changed := names[137]
	took := make([]time.Duration, 0, gitopsSwitches)
	for i := range gitopsSwitches {
		commit, want := commitB, "10.9.9.9"
		if i%2 == 1 {
			commit, want = commitA, "10.1.0.138"
		}
		git(t, repo, "checkout", "-q", commit)
		took = append(took, eventually(t, 20*time.Second, fmt.Sprintf("switch %d answers %s", i+1, want), func() bool {
			return addressOf(changed) == want
		}))
	}

	close(stop)
	wg.Wait()

	updates, deletes := changeCount(t, metricsPort, "update"), changeCount(t, metricsPort, "delete")
	t.Logf("%d switches: %d updates, %d deletes; %d queries, %d NXDOMAIN, %d empty, %d failed; switch applied after %v",
		gitopsSwitches, updates, deletes, queries.Load(), nxdomain.Load(), empty.Load(), failed.Load(), took)
	if deletes != 0 || updates != gitopsSwitches {
		t.Errorf("%d updates and %d deletes, want exactly %d updates and none", updates, deletes, gitopsSwitches)
	}
	if nxdomain.Load() != 0 || empty.Load() != 0 {
		t.Errorf("%d NXDOMAIN and %d empty answers during the switches; first: %v", nxdomain.Load(), empty.Load(), firstBad.Load())
	}
	if queries.Load() < int64(len(names)) {
		t.Errorf("only %d queries: the querier did not cover every name", queries.Load())
	}
}

// changeCount reads external_dns_controller_changes_total for an action.
func changeCount(t *testing.T, port int, action string) int {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	prefix := `external_dns_controller_changes_total{action="` + action + `"} `
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), prefix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return int(f)
		}
	}
	return 0
}
