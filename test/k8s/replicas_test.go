//go:build integration

package k8s

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/exodns/exodns/test/harness"
)

const (
	replicaNames   = 40
	replicaChanges = 1000
)

// replica is one exodns process of a Deployment with three replicas.
type replica struct {
	t        *testing.T
	bin      string
	args     []string
	db       string
	dnsAddr  string
	metrics  string
	cmd      *exec.Cmd
	log      *bytes.Buffer
	stopped  bool
	stopOnce sync.Once
}

func (r *replica) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, append(r.args, "--embedded-db="+r.db)...)
	r.log = &bytes.Buffer{}
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.stopped = false
}

// kill ends the process with SIGKILL (a crashed or evicted pod) or SIGTERM.
func (r *replica) kill(sig syscall.Signal) {
	_ = r.cmd.Process.Signal(sig)
	_ = r.cmd.Wait() // also waits for the log to be copied
	r.stopped = true
}

func (r *replica) get(path string) (int, string) {
	resp, err := http.Get("http://" + r.metrics + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func (r *replica) ready() bool { code, _ := r.get("/readyz"); return code == http.StatusOK }

func (r *replica) leading() bool {
	_, body := r.get("/metrics")
	return strings.Contains(body, "\nexternal_dns_controller_is_leader 1\n")
}

// answer is the A record a replica gives for name, or "" for none.
func (r *replica) answer(c *dns.Client, name string) string {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	resp, _, err := c.Exchange(m, r.dnsAddr)
	if err != nil || resp.Rcode != dns.RcodeSuccess || len(resp.Answer) == 0 {
		return ""
	}
	if a, ok := resp.Answer[0].(*dns.A); ok {
		return a.A.String()
	}
	return ""
}

func (r *replica) serial(c *dns.Client) uint32 {
	m := new(dns.Msg)
	m.SetQuestion("example.com.", dns.TypeSOA)
	resp, _, err := c.Exchange(m, r.dnsAddr)
	if err != nil || len(resp.Answer) == 0 {
		return 0
	}
	return resp.Answer[0].(*dns.SOA).Serial
}

// freeAddr returns a loopback address whose port is free for both UDP and
// TCP (the DNS server takes both), below the ephemeral range (see
// harness.FreePort), and not handed out before in this test binary, so
// replicas started together never collide.
func freeAddr(t *testing.T) string {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 50 {
		addr := fmt.Sprintf("127.0.0.1:%d", harness.FreePort(t))
		if !portsGiven[addr] {
			portsGiven[addr] = true
			return addr
		}
	}
	t.Fatal("no free port")
	return ""
}

var (
	portsMu    sync.Mutex
	portsGiven = map[string]bool{}
)

// sighting is when a replica first answered a value for a name.
type sighting struct {
	name, value string
	replica     int
	at          time.Time
}

// TestReplicasAnswerAlike runs three replicas of the embedded server with
// leader election, as a Deployment does, and churns Services: every
// replica answers every change, whichever leads; killing the leader
// changes no answer; a replica restarted with an empty store is not ready
// until it answers everything; Events are written by the leader alone.
func TestReplicasAnswerAlike(t *testing.T) {
	ctx := t.Context()
	c, _ := clients(t)
	ns := newNamespace(t, c)
	bin := harness.BuildExodns(t)
	kubeconfig := userKubeconfig(t, "exodns-replicas")
	dir := t.TempDir()

	reps := make([]*replica, 3)
	for i := range reps {
		r := &replica{t: t, bin: bin, db: filepath.Join(dir, fmt.Sprintf("r%d", i), "db"),
			dnsAddr: freeAddr(t), metrics: freeAddr(t)}
		r.args = []string{"--source=service", "--kubeconfig=" + kubeconfig, "--namespace=" + ns,
			"--provider=embedded", "--embedded-zone=example.com", "--embedded-listen=" + r.dnsAddr,
			"--metrics-address=" + r.metrics, "--txt-owner-id=replicas", "--leader-elect",
			"--leader-election-namespace=" + ns, "--leader-election-lease-duration=2s",
			"--leader-election-renew-deadline=1s", "--leader-election-retry-period=200ms", "--interval=1h",
			"--embedded-rrl-responses-per-second=0"} // the queriers ask without pause from one address
		r.start()
		reps[i] = r
	}
	t.Cleanup(func() {
		for i, r := range reps {
			if !r.stopped {
				r.kill(syscall.SIGTERM)
			}
			if t.Failed() {
				t.Logf("replica %d log:\n%s", i, r.log)
			}
		}
	})
	eventually(t, 60*time.Second, func() (bool, string) {
		for i, r := range reps {
			if !r.ready() {
				return false, fmt.Sprintf("replica %d not ready", i)
			}
		}
		return true, ""
	})

	names := make([]string, replicaNames)
	current := map[string]string{}
	for i := range names {
		names[i] = fmt.Sprintf("svc-%02d.example.com.", i)
		svc := loadBalancer(ns, fmt.Sprintf("svc-%02d", i), map[string]string{pfx + "hostname": strings.TrimSuffix(names[i], ".")})
		if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		current[names[i]] = fmt.Sprintf("10.3.0.%d", i+1)
		setLoadBalancerIP(t, c, ns, fmt.Sprintf("svc-%02d", i), current[names[i]])
	}
	client := &dns.Client{Timeout: time.Second}
	allAnswer := func(r *replica) (bool, string) {
		for _, n := range names {
			if got := r.answer(client, n); got != current[n] {
				return false, fmt.Sprintf("%s answers %q, want %q", n, got, current[n])
			}
		}
		return true, ""
	}
	for i, r := range reps {
		eventually(t, 10*time.Second, func() (bool, string) { ok, why := allAnswer(r); return ok, fmt.Sprintf("replica %d: %s", i, why) })
	}

	// Events: one RecordCreated per record, from the leader alone.
	eventually(t, 10*time.Second, func() (bool, string) {
		n := countEvents(t, c, ns, "svc-00", "RecordCreated")
		return n >= 1, fmt.Sprintf("%d RecordCreated events on svc-00", n)
	})

	// The churn: queriers sample every replica without pause while the
	// Services change; each sighting of a new value is timed.
	var mu sync.Mutex
	var sightings []sighting
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range reps {
		wg.Go(func() {
			seen := map[string]string{}
			qc := &dns.Client{Timeout: time.Second}
			for {
				for _, n := range names {
					select {
					case <-stop:
						return
					default:
					}
					v := r.answer(qc, n)
					if v != seen[n] {
						seen[n] = v
						mu.Lock()
						sightings = append(sightings, sighting{name: n, value: v, replica: i, at: time.Now()})
						mu.Unlock()
					}
				}
			}
		})
	}
	type change struct {
		name, value string
		at          time.Time
	}
	changes := make([]change, 0, replicaChanges)
	pace := time.NewTicker(40 * time.Millisecond)
	for k := range replicaChanges {
		<-pace.C
		i := k % replicaNames
		v := fmt.Sprintf("10.4.%d.%d", k/250, k%250+1)
		setLoadBalancerIP(t, c, ns, fmt.Sprintf("svc-%02d", i), v)
		// The change is made when the API server has accepted it; its
		// answer is when the test knows that.
		changes = append(changes, change{name: names[i], value: v, at: time.Now()})
		current[names[i]] = v
	}
	pace.Stop()
	for i, r := range reps {
		eventually(t, 10*time.Second, func() (bool, string) { ok, why := allAnswer(r); return ok, fmt.Sprintf("replica %d: %s", i, why) })
	}
	close(stop)
	wg.Wait()

	// For each change: when did each replica first answer it?
	first := map[[3]string]time.Time{} // name, value, replica
	for _, s := range sightings {
		k := [3]string{s.name, s.value, strconv.Itoa(s.replica)}
		if _, ok := first[k]; !ok {
			first[k] = s.at
		}
	}
	var spreads, lags []time.Duration
	late, missed := 0, 0
	for _, ch := range changes {
		var times []time.Time
		for i := range reps {
			if at, ok := first[[3]string{ch.name, ch.value, strconv.Itoa(i)}]; ok {
				times = append(times, at)
			}
		}
		if len(times) < len(reps) {
			missed++ // a replica never answered this value before the next change of the name
			late++
			continue
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		spreads = append(spreads, times[len(times)-1].Sub(times[0]))
		lag := times[len(times)-1].Sub(ch.at)
		lags = append(lags, lag)
		if lag > 500*time.Millisecond {
			late++
		}
	}
	pct := func(d []time.Duration, p float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		s := slices.Clone(d)
		slices.Sort(s)
		return s[min(len(s)-1, int(p*float64(len(s))))]
	}
	t.Logf("%d changes: spread first→last replica p50 %v p99 %v max %v; change→last replica p50 %v p99 %v max %v; %d late (>500ms or missed), %d missed",
		len(changes), pct(spreads, .5), pct(spreads, .99), pct(spreads, 1), pct(lags, .5), pct(lags, .99), pct(lags, 1), late, missed)
	// The promise is that replicas answer alike: the spread between the
	// first and the last replica to answer a change is held to 500 ms at
	// p99. The time from the API server to the answers also counts the
	// machine (go test runs a kubelet cluster in parallel on 2 cores), so
	// it is held at the median, and only a change some replica never
	// answered before the name changed again fails outright (above 1 %).
	if p99 := pct(spreads, .99); p99 > 500*time.Millisecond {
		t.Errorf("spread first→last replica p99 %v, want ≤ 500ms", p99)
	}
	if p50 := pct(lags, .5); p50 > 500*time.Millisecond {
		t.Errorf("change→last replica p50 %v, want ≤ 500ms", p50)
	}
	if missed > len(changes)/100 {
		t.Errorf("%d of %d changes were never answered by every replica before the name changed again", missed, len(changes))
	}
	// One zone, one serial.
	eventually(t, 10*time.Second, func() (bool, string) {
		s0, s1, s2 := reps[0].serial(client), reps[1].serial(client), reps[2].serial(client)
		return s0 != 0 && s0 == s1 && s1 == s2, fmt.Sprintf("SOA serials %d %d %d", s0, s1, s2)
	})

	// Kill the leader: no answer changes on the others.
	leader := -1
	for i, r := range reps {
		if r.leading() {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatal("no replica reports leading")
	}
	stopQ := make(chan struct{})
	var wrong []string
	var qwg sync.WaitGroup
	for i, r := range reps {
		if i == leader {
			continue
		}
		qwg.Go(func() {
			qc := &dns.Client{Timeout: time.Second}
			for {
				for _, n := range names {
					select {
					case <-stopQ:
						return
					default:
					}
					if got := r.answer(qc, n); got != current[n] {
						mu.Lock()
						wrong = append(wrong, fmt.Sprintf("replica %d: %s %q", i, n, got))
						mu.Unlock()
					}
				}
			}
		})
	}
	reps[leader].kill(syscall.SIGKILL)
	eventually(t, 10*time.Second, func() (bool, string) {
		for i, r := range reps {
			if i != leader && r.leading() {
				return true, ""
			}
		}
		return false, "no replica took over"
	})
	close(stopQ)
	qwg.Wait()
	if len(wrong) > 0 {
		t.Errorf("answers changed after the leader was killed: %v", wrong[:min(5, len(wrong))])
	}

	// A replica restarted with its store deleted is not ready until it
	// answers everything.
	r := reps[leader]
	if err := os.RemoveAll(filepath.Dir(r.db)); err != nil {
		t.Fatal(err)
	}
	r.start()
	notReadyButAsked := 0
	var readyAt time.Time
	eventually(t, 30*time.Second, func() (bool, string) {
		if r.ready() {
			readyAt = time.Now()
			return true, ""
		}
		notReadyButAsked++
		return false, "restarted replica never became ready"
	})
	took := eventually(t, time.Second, func() (bool, string) { return allAnswer(r) })
	t.Logf("restarted replica with an empty store: ready after %d polls; answered every name %v after ready", notReadyButAsked, took)
	_ = readyAt
	// Rebuilt from nothing, it counted its own serials; it takes the
	// leader's for the same records.
	eventually(t, 10*time.Second, func() (bool, string) {
		var s []uint32
		for _, r := range reps {
			s = append(s, r.serial(client))
		}
		return s[0] != 0 && s[0] == s[1] && s[1] == s[2], fmt.Sprintf("SOA serials %v", s)
	})

	// Events: still one RecordUpdated per change on a Service, not three.
	svc := "svc-01"
	before := countEvents(t, c, ns, svc, "RecordUpdated")
	setLoadBalancerIP(t, c, ns, svc, "10.5.0.1")
	current[names[1]] = "10.5.0.1"
	eventually(t, 10*time.Second, func() (bool, string) {
		n := countEvents(t, c, ns, svc, "RecordUpdated")
		return n > before, fmt.Sprintf("%d RecordUpdated events", n)
	})
	for i, r := range reps {
		eventually(t, 5*time.Second, func() (bool, string) { ok, why := allAnswer(r); return ok, fmt.Sprintf("replica %d: %s", i, why) })
	}
	// Every replica has applied the change: any Event a follower wrote
	// would be there by now.
	if n := countEvents(t, c, ns, svc, "RecordUpdated"); n != before+1 {
		t.Errorf("%d RecordUpdated events for one change, want 1 (leader only)", n-before)
	}
}

// countEvents counts Events (with their repeat counts) of a reason on a
// Service whose message names the current change.
func countEvents(t *testing.T, c kubernetes.Interface, ns, name, reason string) int {
	t.Helper()
	list, err := c.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The Event names the Service by UID too (read from the informer's
	// compact object), so kubectl describe finds it.
	svc, err := c.CoreV1().Services(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range list.Items {
		if e.InvolvedObject.Name == name && e.InvolvedObject.Kind == "Service" && e.InvolvedObject.UID == svc.UID &&
			e.Reason == reason && e.Type == corev1.EventTypeNormal {
			n += max(int(e.Count), 1)
		}
	}
	return n
}
