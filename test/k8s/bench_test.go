//go:build integration

package k8s

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/exodns/exodns/internal/kube"

	"github.com/exodns/exodns/internal/registry/txt"
	"github.com/exodns/exodns/test/harness"
)

// TestScale creates EXODNS_SCALE Services and as many Ingresses (5,000 each
// with EXODNS_SCALE=1) in the API server, then runs the exodns binary, as
// its own process, with the service and ingress sources and the in-memory
// provider, and measures how long it takes to publish them all, one
// change, and its memory once converged: RSS and heap from its /metrics.
// A second process of the same binary then runs with every resync a full
// one, and its memory is measured after three have read the zone back. A
// third runs with README's default provider, the embedded server, and
// reports what ten idle resyncs cost it (scaleIdleEmbedded).
// It is gated because creating the objects takes minutes on a small
// machine.
//
//	EXODNS_SCALE=1 go test -tags integration ./test/k8s/ -run TestScale -v -timeout 30m
//
// EXODNS_BINARY runs that binary instead of building one (to measure
// another version); EXODNS_HEAP_PROFILE=file saves the process's heap
// profile at convergence (through --enable-pprof).
func TestScale(t *testing.T) {
	n := scaleCount(t)
	ctx := t.Context()
	rc := *apiServer
	kube.Tune(&rc, kube.Config{QPS: 2000, Burst: 4000})
	c, err := kubernetes.NewForConfig(&rc)
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t, c)

	start := time.Now()
	created := parallel(t, n, 16, func(i int) error { return createService(ctx, c, ns, i) })
	t.Logf("created %d LoadBalancer Services with addresses in %v", created, time.Since(start))
	start = time.Now()
	created = parallel(t, n, 16, func(i int) error { return createIngress(ctx, c, ns, i) })
	t.Logf("created %d Ingresses with addresses in %v", created, time.Since(start))

	var bins []string
	if env := os.Getenv("EXODNS_BINARY"); env != "" {
		bins = strings.Split(env, ",")
	}
	this := -1 // the index of this tree's build in bins
	if len(bins) == 0 || os.Getenv("EXODNS_BINARY_AND_THIS") != "" {
		bins = append(bins, harness.BuildExodns(t))
		this = len(bins) - 1
	}
	kubeconfig := userKubeconfig(t, "exodns-scale")
	for i, bin := range bins {
		t.Run(fmt.Sprint("exodns-", i), func(t *testing.T) {
			scaleProcess(t, c, ns, n, bin, kubeconfig, fmt.Sprintf("10.200.0.%d", 7+i))
		})
		t.Run(fmt.Sprint("exodns-", i, "-resynced"), func(t *testing.T) {
			scaleResynced(t, n, bin, kubeconfig, ns)
		})
		t.Run(fmt.Sprint("exodns-", i, "-idle-embedded"), func(t *testing.T) {
			scaleIdleEmbedded(t, n, bin, kubeconfig, ns, i == this)
		})
	}
}

// startExodns starts bin with args and extra environment variables, and
// stops it with an interrupt when the test ends, showing its stderr if
// the test failed.
func startExodns(t *testing.T, bin string, args, env []string) *exec.Cmd {
	dropFromPageCache(t, bin)
	cmd := exec.CommandContext(t.Context(), bin, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("exodns stderr:\n%s", stderr.String())
		}
	})
	return cmd
}

// dropFromPageCache evicts bin's pages from the page cache, so the process
// reads its binary from disk as a freshly started container does. A file
// just written by the linker sits in the page cache in large folios, and
// the kernel (6.18 here) maps a whole folio on a fault: the same binary
// then showed 3 to 4 MiB more resident (26.3 against 22.7 MiB in the
// README's demo), which made RSS comparisons between two builds unfair.
func dropFromPageCache(t *testing.T, bin string) {
	f, err := os.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Logf("%s stays in the page cache: %v", bin, err)
	}
}

// scaleArgs are the flags of every exodns process TestScale runs: the
// service and ingress sources over ns, the in-memory provider, metrics on
// addr.
func scaleArgs(kubeconfig, ns, addr string) []string {
	return []string{"--source=service", "--source=ingress", "--kubeconfig=" + kubeconfig, "--namespace=" + ns,
		"--provider=inmemory", "--inmemory-zone=example.com", "--txt-owner-id=scale",
		"--metrics-address=" + addr, "--min-event-sync-interval=1s", "--log-level=warn"}
}

// scaleProcess runs one exodns binary over the n Services and n Ingresses
// of ns until it converged, then changes one Service and measures.
func scaleProcess(t *testing.T, c kubernetes.Interface, ns string, n int, bin, kubeconfig, newIP string) {
	ctx := t.Context()
	addr := freeAddr(t)
	profile := os.Getenv("EXODNS_HEAP_PROFILE")
	args := scaleArgs(kubeconfig, ns, addr)
	if help, _ := exec.CommandContext(ctx, bin, "--help").CombinedOutput(); profile != "" && strings.Contains(string(help), "--enable-pprof") {
		args = append(args, "--enable-pprof")
	}
	start := time.Now()
	cmd := startExodns(t, bin, args, nil)
	t.Logf("%s", bin)

	want := float64(2 * n)
	var m map[string]float64
	eventually(t, 10*time.Minute, func() (bool, string) {
		m = scrape(addr)
		got := m[`external_dns_registry_records{record_type="A"}`]
		return got == want, fmt.Sprintf("%v of %v A records", got, want)
	})
	t.Logf("converged: %d A records (+ ownership TXT) %v after exodns started", 2*n, time.Since(start))

	// One record changes among 2n: the time a user waits for it.
	updates := m[`external_dns_controller_changes_total{action="update"}`]
	start = time.Now()
	if err := setServiceIP(ctx, c, ns, 7, newIP); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, func() (bool, string) {
		m = scrape(addr)
		got := m[`external_dns_controller_changes_total{action="update"}`]
		return got > updates, fmt.Sprintf("%v updates", got)
	})
	t.Logf("one changed Service among %d objects published in %v (the event debounce is 1s)", 2*n, time.Since(start))

	time.Sleep(3 * time.Second) // let the last run finish
	m = scrape(addr)
	t.Logf("runs: %v full, %v incremental; reconcile time %.3fs over %v runs", m[`external_dns_controller_reconcile_runs_total{kind="full"}`],
		m[`external_dns_controller_reconcile_runs_total{kind="incremental"}`],
		m["external_dns_controller_reconcile_duration_seconds_sum"], m["external_dns_controller_reconcile_duration_seconds_count"])
	if profile != "" {
		saveHeapProfile(t, addr, fmt.Sprintf("%s.%s", profile, filepath.Base(filepath.Dir(bin))))
		m = scrape(addr) // after the GC the profile forced
	}
	// The peak (VmHWM) is there because RSS at rest can be cut by giving
	// memory back between bursts, which leaves the peak, and so the
	// container limit a user must set, as it was.
	logMemory(t, "at convergence", cmd.Process.Pid, m)
	// Once more after a quiet half minute: the binary pages given back
	// after the first run and the garbage collected after the last one
	// (heapReturner) must not come back by themselves.
	time.Sleep(30 * time.Second)
	logMemory(t, "30 s later", cmd.Process.Pid, scrape(addr))
}

// scaleResynced runs bin over the same objects with every periodic resync
// a full one (--full-resync-interval equal to --interval), and measures
// its memory between two full runs, 20 s apart, once three have read the
// zone back. That is the state a process lives in with a provider that
// keeps no zone version (PowerDNS, webhook, Cloud Map: each resync is a
// full run), with sources whose every event is a full run (manifest,
// Gateway routes), or past its hourly safety-net resync; the converged
// measurement, right after its own writes, does not show it.
func scaleResynced(t *testing.T, n int, bin, kubeconfig, ns string) {
	ctx := t.Context()
	if help, _ := exec.CommandContext(ctx, bin, "--help").CombinedOutput(); !strings.Contains(string(help), "--full-resync-interval") {
		t.Skip(bin, " has no --full-resync-interval")
	}
	addr := freeAddr(t)
	// Reads further apart than txt.DefaultSpareFor, as with a provider
	// that keeps no zone version at the default one-minute --interval:
	// the registry keeps no spare snapshot between them.
	const interval = 20 * time.Second
	args := append(scaleArgs(kubeconfig, ns, addr), "--interval="+interval.String(), "--full-resync-interval="+interval.String())
	cmd := startExodns(t, bin, args, nil)
	fulls := `external_dns_controller_reconcile_runs_total{kind="full"}`
	var m map[string]float64
	eventually(t, 10*time.Minute, func() (bool, string) {
		m = scrape(addr)
		got := m[`external_dns_registry_records{record_type="A"}`]
		return got == float64(2*n) && m[fulls] >= 3, fmt.Sprintf("%v of %v A records, %v full runs", got, 2*n, m[fulls])
	})
	// Between two full runs: one has just ended (its heap returned to the
	// kernel after it), the next starts a resync interval after it began;
	// measured once the spare snapshot's time has passed.
	done := m[fulls]
	eventually(t, time.Minute, func() (bool, string) {
		m = scrape(addr)
		return m[fulls] > done, fmt.Sprintf("%v full runs", m[fulls])
	})
	time.Sleep(txt.DefaultSpareFor + 2*time.Second)
	m = scrape(addr)
	if m[`external_dns_registry_records{record_type="A"}`] != float64(2*n) {
		t.Fatalf("%v A records after full resyncs, want %d", m[`external_dns_registry_records{record_type="A"}`], 2*n)
	}
	logMemory(t, fmt.Sprintf("after %v full runs (every resync full)", m[fulls]), cmd.Process.Pid, m)
}

// scaleIdleEmbedded runs bin over the same objects with README's default
// provider, the embedded DNS server, and a 2-second --interval, and once
// it converged, measures what ten idle resyncs cost the process: CPU,
// allocation, and how many were full runs. Since the server's store keeps
// a zone version, they should be none (the hourly safety net aside);
// before, every one was. thisBuild says bin is this tree's build, of
// which that is required.
func scaleIdleEmbedded(t *testing.T, n int, bin, kubeconfig, ns string, thisBuild bool) {
	addr, dns := freeAddr(t), freeAddr(t)
	const interval, resyncs = 2 * time.Second, 10
	args := []string{"--source=service", "--source=ingress", "--kubeconfig=" + kubeconfig, "--namespace=" + ns,
		"--provider=embedded", "--embedded-zone=example.com", "--embedded-db=:memory:", "--embedded-listen=" + dns,
		"--txt-owner-id=scale", "--metrics-address=" + addr, "--min-event-sync-interval=1s", "--log-level=warn",
		"--interval=" + interval.String()}
	profile := os.Getenv("EXODNS_HEAP_PROFILE")
	if help, _ := exec.CommandContext(t.Context(), bin, "--help").CombinedOutput(); profile != "" && strings.Contains(string(help), "--enable-pprof") {
		args = append(args, "--enable-pprof")
	}
	cmd := startExodns(t, bin, args, nil)
	runs := func(m map[string]float64) (float64, float64) {
		return m[`external_dns_controller_reconcile_runs_total{kind="full"}`], m[`external_dns_controller_reconcile_runs_total{kind="incremental"}`]
	}
	eventually(t, 10*time.Minute, func() (bool, string) {
		m := scrape(addr)
		got := m[`external_dns_registry_records{record_type="A"}`]
		f, i := runs(m)
		return got == float64(2*n) && f+i >= 3, fmt.Sprintf("%v of %v A records, %v runs", got, 2*n, f+i)
	})
	// Let the work of convergence (Events, the first runs' garbage) pass,
	// then measure over the resyncs with two scrapes only: each scrape of
	// /metrics costs the process CPU and allocation of its own.
	time.Sleep(5 * interval)
	m0 := scrape(addr)
	f0, i0 := runs(m0)
	time.Sleep(resyncs*interval + interval/2)
	m1 := scrape(addr)
	f1, i1 := runs(m1)
	k := (f1 + i1) - (f0 + i0)
	if k < resyncs/2 {
		t.Fatalf("%v resyncs in %v, want about %d", k, resyncs*interval, resyncs)
	}
	t.Logf("idle over the embedded server, %d objects: %v resyncs, %v full and %v incremental; per resync %.1f ms CPU, %.2f MiB allocated (process totals: %.2fs CPU, reconcile time %.3fs)",
		2*n, k, f1-f0, i1-i0, 1000*(m1["process_cpu_seconds_total"]-m0["process_cpu_seconds_total"])/k,
		(m1["go_memstats_alloc_bytes_total"]-m0["go_memstats_alloc_bytes_total"])/k/(1<<20),
		m1["process_cpu_seconds_total"], m1["external_dns_controller_reconcile_duration_seconds_sum"]-m0["external_dns_controller_reconcile_duration_seconds_sum"])
	logMemory(t, "idle over the embedded server", cmd.Process.Pid, m1)
	if profile != "" {
		saveHeapProfile(t, addr, fmt.Sprintf("%s.embedded.%s", profile, filepath.Base(filepath.Dir(bin))))
	}
	if thisBuild && f1 > f0 {
		t.Errorf("%v of %v idle resyncs over the embedded server were full runs: its zone version should spare them the read", f1-f0, k)
	}
}

// saveHeapProfile saves the heap profile of the exodns process serving
// /debug/pprof on addr (run with --enable-pprof) to path.
func saveHeapProfile(t *testing.T, addr, path string) {
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?gc=1")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Logf("no heap profile: %v", err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("heap profile of the process in %s (go tool pprof -top -sample_index=inuse_space %s)", path, path)
}

// logMemory reports a process's RSS, heap and runtime figures from its
// /metrics (m) and /proc.
func logMemory(t *testing.T, when string, pid int, m map[string]float64) {
	t.Helper()
	t.Logf("exodns process %s: RSS %.1f MiB (VmRSS %.1f MiB, peak VmHWM %.1f MiB), heap in use %.1f MiB, heap objects %.1f MiB, Go runtime total %.1f MiB",
		when, m["process_resident_memory_bytes"]/(1<<20), mib(rssOf(t, pid)), mib(procStatus(t, pid, "VmHWM:")), m["go_memstats_heap_inuse_bytes"]/(1<<20),
		m["go_memstats_heap_alloc_bytes"]/(1<<20), m["go_memstats_sys_bytes"]/(1<<20))
	// Where the RSS is: the heap's pages kept from the kernel (in use, or
	// free but not yet returned: the GC's headroom), stacks, the runtime's
	// own structures, and the binary's pages (file-backed mappings).
	t.Logf("RSS by kind: %s; heap: sys %.1f MiB, released %.1f MiB, idle kept %.1f MiB; stacks %.1f MiB; other runtime %.1f MiB; GC pauses %.2fs, process CPU %.2fs",
		smapsBreakdown(pid), m["go_memstats_heap_sys_bytes"]/(1<<20), m["go_memstats_heap_released_bytes"]/(1<<20),
		(m["go_memstats_heap_idle_bytes"]-m["go_memstats_heap_released_bytes"])/(1<<20), m["go_memstats_stack_sys_bytes"]/(1<<20),
		(m["go_memstats_sys_bytes"]-m["go_memstats_heap_sys_bytes"]-m["go_memstats_stack_sys_bytes"])/(1<<20),
		m["go_gc_duration_seconds_sum"], m["process_cpu_seconds_total"])
	t.Logf("GC cycles %.0f, allocated %.0f MiB in all", m["go_gc_duration_seconds_count"], m["go_memstats_alloc_bytes_total"]/(1<<20))
}

// smapsBreakdown sums a process's resident pages by mapping: its binary's
// (text and data read from the file), anonymous (heap, stacks, runtime)
// and the rest.
func smapsBreakdown(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return err.Error()
	}
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	var text, rodata, data, anon, other uint64
	current := &other
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "Rss:":
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			*current += kb << 10
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			// A mapping's header: range, perms, offset, device, inode
			// and, unless anonymous, a path.
			switch {
			case len(f) == 5:
				current = &anon
			case f[5] == exe && f[1] == "r-xp":
				current = &text
			case f[5] == exe && f[1] == "r--p":
				current = &rodata // read-only data and the function tables
			case f[5] == exe:
				current = &data
			default:
				current = &other
			}
		}
	}
	return fmt.Sprintf("anonymous %.1f MiB, binary %.1f MiB (text %.1f, rodata %.1f, data %.1f), other %.1f MiB",
		mib(anon), mib(text+rodata+data), mib(text), mib(rodata), mib(data), mib(other))
}

// userKubeconfig writes a kubeconfig of a new admin user of the test API
// server.
func userKubeconfig(t *testing.T, name string) string {
	user, err := testEnv.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// scrape reads a Prometheus text page into series -> value; nil on error.
func scrape(addr string) map[string]float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

func scaleCount(t *testing.T) int {
	v := os.Getenv("EXODNS_SCALE")
	if v == "" {
		t.Skip("set EXODNS_SCALE=1 for 5,000 Services and 5,000 Ingresses (or a number of each)")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("EXODNS_SCALE=%q: want a positive number", v)
	}
	if n == 1 {
		n = 5000
	}
	return n
}

func createService(ctx context.Context, c kubernetes.Interface, ns string, i int) error {
	svc := loadBalancer(ns, fmt.Sprintf("svc-%d", i), map[string]string{pfx + "hostname": fmt.Sprintf("svc-%d.example.com", i)})
	// Node ports run out after 2,768 Services; a load balancer that
	// sends traffic to pods directly needs none.
	svc.Spec.AllocateLoadBalancerNodePorts = ptr.To(false)
	if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
		return err
	}
	return setServiceIP(ctx, c, ns, i, ip(i))
}

func setServiceIP(ctx context.Context, c kubernetes.Interface, ns string, i int, addr string) error {
	svc, err := c.CoreV1().Services(ns).Get(ctx, fmt.Sprintf("svc-%d", i), metav1.GetOptions{})
	if err != nil {
		return err
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: addr}}
	_, err = c.CoreV1().Services(ns).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
	return err
}

func createIngress(ctx context.Context, c kubernetes.Interface, ns string, i int) error {
	ing := &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("ing-%d", i),
			// What kubectl apply leaves on every object; the informer
			// transform drops it.
			Annotations: map[string]string{kube.LastAppliedAnnotation: strings.Repeat("x", 512)}},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: fmt.Sprintf("ing-%d.example.com", i)}}},
	}
	created, err := c.NetworkingV1().Ingresses(ns).Create(ctx, ing, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	created.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: ip(n2(i))}}
	_, err = c.NetworkingV1().Ingresses(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{})
	return err
}

func n2(i int) int { return i + 100000 }

func ip(i int) string { return fmt.Sprintf("10.%d.%d.%d", 100+i/65536, i/256%256, i%256) }

// parallel runs f for 0..n-1 on workers goroutines and fails on the first
// error.
func parallel(t *testing.T, n, workers int, f func(i int) error) int {
	t.Helper()
	var next, done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	return int(done.Load())
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rssOf reads VmRSS of a process.
func rssOf(t *testing.T, pid int) uint64 { return procStatus(t, pid, "VmRSS:") }

// procStatus reads one size field of /proc/PID/status (0: this process).
func procStatus(t *testing.T, pid int, field string) uint64 {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("no /proc/self/status: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
