//go:build integration

// Package gslb runs two "clusters" on loopback, each an exodns with its own
// manifest source and embedded server, replicating to each other, in front
// of two HTTP backends, and measures what users measured on Route 53 with
// the operator's probes: the weighted split, the downtime of a failover,
// the nearest region by client subnet, and a whole cluster going away.
// The probes' pictures go to $EXODNS_ARTIFACTS/gslb (else a temp dir).
package gslb

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/exodns/exodns/internal/probe"

	"github.com/exodns/exodns/test/harness"
)

const (
	zone    = "gslb.example.com"
	tsigKey = "peers:hmac-sha256:c2VjcmV0LXNoYXJlZC1ieS1ldmVyeS1jbHVzdGVy"
	geoip   = "198.51.100.0/24 EU IE 53.3 -6.2\n203.0.113.0/24 AS SG 1.35 103.8\n"
)

// backend is one cluster's application: an HTTP server naming its cluster,
// which the test stops and starts like a crashing pod.
type backend struct {
	name, addr string
	mu         sync.Mutex
	srv        *http.Server
}

func (b *backend) start(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var l net.Listener
	var err error
	for range 50 { // the port may linger a moment after a stop
		if l, err = net.Listen("tcp", b.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	b.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "<html><body><p>This application is currently running on: <b>%s</b></p></body></html>", b.name)
	}), ReadHeaderTimeout: time.Second}
	go func() { _ = b.srv.Serve(l) }()
}

func (b *backend) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srv != nil {
		_ = b.srv.Close()
		b.srv = nil
	}
}

// cluster is one exodns process.
type cluster struct {
	name, dns, metrics string
	cmd                *exec.Cmd
	log                *strings.Builder
}

func need(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s: %v", what, err)
		}
		t.Skipf("%s: %v", what, err)
	}
}

func service(name, host, ip string, port int, ann map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: shop\n  annotations:\n", name)
	fmt.Fprintf(&b, "    external-dns.alpha.kubernetes.io/hostname: %s\n", host)
	all := map[string]string{"gslb-health-check": "http", "gslb-health-check-port": fmt.Sprint(port),
		"gslb-health-check-interval": "500ms", "gslb-health-check-timeout": "400ms", "gslb-health-check-fall": "2", "gslb-health-check-rise": "2"}
	for k, v := range ann {
		all[k] = v
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    external-dns.alpha.kubernetes.io/%s: %q\n", k, all[k])
	}
	fmt.Fprintf(&b, "spec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress: [{ip: %s}]\n", ip)
	return b.String()
}

func startCluster(t *testing.T, bin, name, dnsIP string, dnsPort int, peer string, manifest string) *cluster {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "apps.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	table := filepath.Join(dir, "geoip.txt")
	if err := os.WriteFile(table, []byte(geoip), 0o644); err != nil {
		t.Fatal(err)
	}
	metrics := fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t))
	c := &cluster{name: name, dns: fmt.Sprintf("%s:%d", dnsIP, dnsPort), metrics: metrics, log: &strings.Builder{}}
	c.cmd = exec.Command(bin, "--source=manifest", "--manifest-path="+dir, "--manifest-settle-time=50ms",
		"--provider=embedded", "--embedded-zone="+zone, "--embedded-db=:memory:", "--embedded-listen="+c.dns,
		"--embedded-tsig-key="+tsigKey, "--embedded-rrl-responses-per-second=0", "--gslb-peer="+peer, "--gslb-peer-refresh=1s",
		"--geoip-table="+table, "--txt-owner-id="+name, "--metrics-address="+metrics, "--interval=1h")
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("%s log:\n%s", name, c.log)
		}
	})
	return c
}

func (c *cluster) stop() {
	if c.cmd.ProcessState == nil {
		_ = c.cmd.Process.Kill()
		_ = c.cmd.Wait()
	}
}

// ask returns the A answers of name at server, with an optional client
// subnet.
func ask(server, name, subnet string) []string {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), dns.TypeA)
	if subnet != "" {
		_, n, _ := net.ParseCIDR(subnet)
		bits, _ := n.Mask.Size()
		m.SetEdns0(1232, false)
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(bits), Address: n.IP})
	}
	r, err := dns.Exchange(m, server)
	if err != nil {
		return []string{"error"}
	}
	var out []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	slices.Sort(out)
	return out
}

func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	begin := time.Now()
	for !cond() {
		if time.Since(begin) > within {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(begin)
}

func artifacts(t *testing.T) string {
	dir := os.Getenv("EXODNS_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, "gslb")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestTwoClusters(t *testing.T) {
	bin := harness.BuildExodns(t)
	webPort := harness.FreePort(t, "127.0.0.2", "127.0.0.3")
	dnsPort := harness.FreePort(t, "127.0.0.10", "127.0.0.11")
	a := &backend{name: "cluster-a", addr: fmt.Sprintf("127.0.0.2:%d", webPort)}
	b := &backend{name: "cluster-b", addr: fmt.Sprintf("127.0.0.3:%d", webPort)}
	a.start(t)
	b.start(t)
	t.Cleanup(a.stop)
	t.Cleanup(b.stop)

	side := func(ip, cluster, weight, role, region string) string {
		return service("app", "app."+zone, ip, webPort, map[string]string{"set-identifier": cluster, "aws-weight": weight}) +
			service("failover", "failover."+zone, ip, webPort, map[string]string{"set-identifier": cluster, "aws-failover": role}) +
			service("latency", "latency."+zone, ip, webPort, map[string]string{"set-identifier": cluster, "aws-region": region})
	}
	ca := startCluster(t, bin, "cluster-a", "127.0.0.10", dnsPort, fmt.Sprintf("cluster-b=127.0.0.11:%d", dnsPort),
		side("127.0.0.2", "cluster-a", "80", "PRIMARY", "eu-west-1"))
	cb := startCluster(t, bin, "cluster-b", "127.0.0.11", dnsPort, fmt.Sprintf("cluster-a=127.0.0.10:%d", dnsPort),
		side("127.0.0.3", "cluster-b", "20", "SECONDARY", "ap-southeast-1"))
	servers := []string{ca.dns, cb.dns}

	// Every server answers for both clusters.
	for _, s := range servers {
		eventually(t, 30*time.Second, "both clusters' sets at "+s, func() bool {
			return slices.Equal(ask(s, "failover."+zone, ""), []string{"127.0.0.2"}) &&
				slices.Equal(ask(s, "latency."+zone, "203.0.113.0/24"), []string{"127.0.0.3"})
		})
	}
	out := artifacts(t)

	t.Run("weighted 80/20 from either server", func(t *testing.T) {
		for i, s := range servers {
			res := routing(t, s, fmt.Sprintf("http://app.%s:%d/", zone, webPort), 1000)
			share := shareOf(res.Summary.Clusters, "cluster-a")
			t.Logf("asking %s: cluster-a %.1f%%, errors %d; DNS p50 %.2f ms, HTTP p50 %.2f ms", s, share,
				res.Summary.Errors, res.Summary.DNS.P50MS, res.Summary.HTTP.P50MS)
			if share < 75 || share > 85 || res.Summary.Errors != 0 {
				t.Errorf("asking %s: cluster-a answered %.1f%% (want 80±5), %d errors", s, share, res.Summary.Errors)
			}
			if err := res.Plot(filepath.Join(out, fmt.Sprintf("routing-%d.svg", i))); err != nil {
				t.Error(err)
			}
			_ = res.WriteJSONFile(filepath.Join(out, fmt.Sprintf("routing-%d.json", i)))
		}
	})

	t.Run("failover downtime over 5 kill/restore cycles", func(t *testing.T) {
		res, cycles := failover(t, ca.dns, fmt.Sprintf("http://failover.%s:%d/", zone, webPort), a, 5)
		t.Logf("%d cycles: %d downtimes, average %.0f ms, max %.0f ms", cycles, res.Summary.Events,
			res.Summary.AvgDowntimeMS, res.Summary.MaxDowntimeMS)
		if res.Summary.Events < 5 || res.Summary.AvgDowntimeMS > 3000 {
			t.Errorf("%d downtime events averaging %.0f ms; want 5 or more, averaging at most 3000 ms",
				res.Summary.Events, res.Summary.AvgDowntimeMS)
		}
		if err := res.Plot(filepath.Join(out, "failover.svg")); err != nil {
			t.Error(err)
		}
		_ = res.WriteJSONFile(filepath.Join(out, "failover.json"))
	})

	t.Run("nearest healthy region by client subnet", func(t *testing.T) {
		for _, s := range servers {
			if got := ask(s, "latency."+zone, "198.51.100.0/24"); !slices.Equal(got, []string{"127.0.0.2"}) {
				t.Errorf("%s: EU client got %v, want cluster-a", s, got)
			}
			if got := ask(s, "latency."+zone, "203.0.113.0/24"); !slices.Equal(got, []string{"127.0.0.3"}) {
				t.Errorf("%s: Asian client got %v, want cluster-b", s, got)
			}
		}
		a.stop()
		took := eventually(t, 10*time.Second, "EU client moved to the next nearest region", func() bool {
			return slices.Equal(ask(ca.dns, "latency."+zone, "198.51.100.0/24"), []string{"127.0.0.3"}) &&
				slices.Equal(ask(cb.dns, "latency."+zone, "198.51.100.0/24"), []string{"127.0.0.3"})
		})
		t.Logf("EU clients moved to ap-southeast-1 %v after cluster-a's backend stopped", took)
		a.start(t)
		eventually(t, 10*time.Second, "EU client back to cluster-a", func() bool {
			return slices.Equal(ask(ca.dns, "latency."+zone, "198.51.100.0/24"), []string{"127.0.0.2"})
		})
	})

	t.Run("a whole cluster stops", func(t *testing.T) {
		cb.stop()
		b.stop()
		took := eventually(t, 10*time.Second, "every answer at cluster-a moved to cluster-a", func() bool {
			for range 20 {
				if !slices.Equal(ask(ca.dns, "app."+zone, ""), []string{"127.0.0.2"}) {
					return false
				}
			}
			return slices.Equal(ask(ca.dns, "latency."+zone, "203.0.113.0/24"), []string{"127.0.0.2"})
		})
		t.Logf("answers left cluster-b %v after it stopped (health threshold: fall 2 x 500 ms)", took)
	})
}

func routing(t *testing.T, server, url string, n int) probe.RoutingResult {
	t.Helper()
	r, err := probe.NewDNSResolver(server)
	if err != nil {
		t.Fatal(err)
	}
	res, err := probe.Routing(context.Background(), probe.RoutingConfig{Common: probe.Common{URL: url, Resolver: r,
		Timeout: 2 * time.Second}, Requests: n})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// failover probes url while the test kills and restores backend b; it
// returns when every cycle is done.
func failover(t *testing.T, server, url string, b *backend, cycles int) (probe.FailoverResult, int) {
	t.Helper()
	r, err := probe.NewDNSResolver(server)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type check struct {
		up     bool
		target string
	}
	checks := make(chan check, 1024)
	done := make(chan probe.FailoverResult, 1)
	go func() {
		res, _ := probe.Failover(ctx, probe.FailoverConfig{Common: probe.Common{URL: url, Resolver: r,
			Interval: 100 * time.Millisecond, Timeout: 500 * time.Millisecond},
			OnCheck: func(c probe.Check) {
				select {
				case checks <- check{up: c.Up, target: c.Target()}:
				default:
				}
			}})
		done <- res
	}()
	// waitTarget waits until the probe is up on target.
	waitTarget := func(target string) {
		deadline := time.After(20 * time.Second)
		for {
			select {
			case c := <-checks:
				if c.up && c.target == target {
					return
				}
			case <-deadline:
				t.Fatalf("the probe never got %s", target)
			}
		}
	}
	waitTarget("cluster-a")
	for range cycles {
		b.stop()
		waitTarget("cluster-b") // failed over
		b.start(t)
		waitTarget("cluster-a") // failed back (rise 2 x 500 ms)
	}
	cancel()
	return <-done, cycles
}

func shareOf(shares []probe.Share, name string) float64 {
	for _, s := range shares {
		if s.Name == name {
			return s.Percent
		}
	}
	return 0
}
