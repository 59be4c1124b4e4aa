//go:build integration

package k8s

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/exodns/exodns/internal/kube"
)

// TestScale creates EXODNS_SCALE Services and as many Ingresses (5,000 each
// with EXODNS_SCALE=1) in the API server, then measures how long exodns
// takes to publish them all, and its memory once converged. It is gated
// because creating the objects takes minutes on a small machine.
//
//	EXODNS_SCALE=1 go test -tags integration ./test/k8s/ -run TestScale -v -timeout 30m
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

	base := heap()
	baseRSS := rss(t)
	start = time.Now()
	p := newPipeline(t, ctx, pipelineConfig{Namespace: ns, Sources: []string{"service", "ingress"},
		QPS: 50, Burst: 100})
	eps, err := p.Ctl.Source.Endpoints(ctx) // waits for the caches
	if err != nil {
		t.Fatal(err)
	}
	synced := time.Since(start)
	t.Logf("informers listed both kinds in %v: %d desired endpoints", synced, len(eps))
	eps = nil
	inCaches := heap()

	start = time.Now()
	p.start(t, ctx)
	want := 2 * n
	eventually(t, 10*time.Minute, func() (bool, string) {
		got := 0
		for _, e := range mustRecords(t, p.Provider) {
			if e.RecordType == "A" {
				got++
			}
		}
		return got == want, fmt.Sprintf("%d of %d A records", got, want)
	})
	converged := time.Since(start)
	total := heap()
	t.Logf("converged: %d A records (+ ownership TXT) %v after the controller started, %v after the pipeline was built",
		want, converged, synced+converged)

	// One record changes among 2n: the time a user waits for it.
	start = time.Now()
	if err := setServiceIP(ctx, c, ns, 7, "10.200.0.7"); err != nil {
		t.Fatal(err)
	}
	hasRecord(t, p.Provider, time.Minute, "svc-7.example.com", "svc-7.example.com A 10.200.0.7")
	t.Logf("one changed Service among %d objects published in %v", 2*n, time.Since(start))

	start = time.Now()
	const runs = 3
	for range runs {
		if err := p.Ctl.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("steady-state reconcile (no changes): %v", time.Since(start)/runs)

	if path := os.Getenv("EXODNS_HEAP_PROFILE"); path != "" {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			t.Fatal(err)
		}
		_ = f.Close()
		t.Logf("heap profile in %s (go tool pprof -top -sample_index=inuse_space)", path)
	}
	t.Logf("change events left out by the budget: %d", p.Events.Dropped())
	debug.FreeOSMemory()
	t.Logf("heap after GC: %.1f MiB before the pipeline; informer caches +%.1f MiB; provider, registry and controller +%.1f MiB; total %.1f MiB",
		mib(base), mib(inCaches-base), mib(total-inCaches), mib(total))
	t.Logf("RSS (VmRSS): %.1f MiB before the pipeline, %.1f MiB converged", mib(baseRSS), mib(rss(t)))
	runtime.KeepAlive(p)
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

func rss(t *testing.T) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Logf("no /proc/self/status: %v", err)
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
