// Command soak is the churn soak: it starts a real kube-apiserver and etcd
// (envtest, from KUBEBUILDER_ASSETS), runs the exodns binary against them
// with the embedded server, creates OBJECTS LoadBalancer Services, and then
// changes them at RATE per second for DURATION, keeping about HELD of them
// invalid at any moment (a bad TTL annotation). Every minute it reports the
// exodns log lines of that minute, its RSS and goroutines, and at the end
// a summary. It stops by itself.
//
//	KUBEBUILDER_ASSETS=$(hack/k8s-test-bins.sh | tail -1) go run ./hack/soak -duration 10m
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crlog "sigs.k8s.io/controller-runtime/pkg/log"
)

func main() {
	objects := flag.Int("objects", 3000, "Services to create")
	rate := flag.Float64("rate", 20, "changes per second")
	duration := flag.Duration("duration", 10*time.Minute, "how long to churn")
	held := flag.Int("held", 10, "Services kept invalid at any moment")
	bin := flag.String("exodns", "", "exodns binary (default: build ./cmd/exodns)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *objects, *rate, *duration, *held, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, objects int, rate float64, duration time.Duration, held int, bin string) error {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return fmt.Errorf("KUBEBUILDER_ASSETS is not set: run hack/k8s-test-bins.sh and export the folder it prints")
	}
	dir, err := os.MkdirTemp("", "exodns-soak")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "exodns")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/exodns").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	// envtest logs through controller-runtime's logger; unset, it prints a
	// warning with a stack trace.
	crlog.SetLogger(logr.Discard())
	env := &envtest.Environment{}
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/16")
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting the API server: %w", err)
	}
	defer func() { _ = env.Stop() }()
	user, err := env.AddUser(envtest.User{Name: "soak", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return err
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		return err
	}
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	const ns = "soak"
	if _, err := c.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}

	metricsAddr, err := freeAddr("tcp")
	if err != nil {
		return err
	}
	dnsAddr, err := freeAddr("udp")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--source=service", "--kubeconfig="+kubeconfig, "--namespace="+ns,
		"--provider=embedded", "--embedded-zone=example.com", "--embedded-db="+filepath.Join(dir, "db"),
		"--embedded-listen="+dnsAddr, "--metrics-address="+metricsAddr, "--txt-owner-id=soak", "--interval=1m")
	logs, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var lines, warnings atomic.Int64
	go countLines(logs, &lines, &warnings)

	fmt.Printf("creating %d Services\n", objects)
	for i := range objects {
		svc := service(ns, i)
		if _, err := c.CoreV1().Services(ns).Create(ctx, svc, metav1.CreateOptions{}); err != nil {
			return err
		}
		if err := setIP(ctx, c, ns, i, fmt.Sprintf("10.%d.%d.%d", 10+i/62500, i/250%250, i%250+1)); err != nil {
			return err
		}
	}
	fmt.Printf("churning at %.0f changes/s for %v, %d Services held invalid at a time\n", rate, duration, held)
	fmt.Printf("%-8s %10s %10s %10s %12s\n", "minute", "log lines", "warnings", "RSS MiB", "goroutines")

	rng := rand.New(rand.NewPCG(1, 2))
	invalid := map[int]bool{}
	var changes atomic.Int64
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	minute := time.NewTicker(time.Minute)
	defer minute.Stop()
	end := time.After(duration)
	var lastLines, lastWarnings int64
	var mu sync.Mutex
	for m := 1; ; {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-end:
			fmt.Printf("done: %d changes; %d log lines, %d warnings in all\n", changes.Load(), lines.Load(), warnings.Load())
			return nil
		case <-minute.C:
			rss, gor := sample(metricsAddr)
			l, w := lines.Load(), warnings.Load()
			fmt.Printf("%-8d %10d %10d %10.1f %12.0f\n", m, l-lastLines, w-lastWarnings, rss/(1<<20), gor)
			lastLines, lastWarnings = l, w
			m++
		case <-tick.C:
			i := rng.IntN(objects)
			mu.Lock()
			var err error
			switch {
			case invalid[i]:
				err = setTTL(ctx, c, ns, i, "60") // fixed
				delete(invalid, i)
			case len(invalid) < held && rng.IntN(10) == 0:
				err = setTTL(ctx, c, ns, i, "soon") // a typo
				invalid[i] = true
			default:
				err = setIP(ctx, c, ns, i, fmt.Sprintf("10.200.%d.%d", rng.IntN(250), rng.IntN(250)+1))
			}
			mu.Unlock()
			if err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "change:", err)
			}
			changes.Add(1)
		}
	}
}

func service(ns string, i int) *corev1.Service {
	name := fmt.Sprintf("svc-%05d", i)
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Annotations: map[string]string{
			"external-dns.alpha.kubernetes.io/hostname": name + ".example.com",
			"external-dns.alpha.kubernetes.io/ttl":      "60",
		}},
		// No node ports: the API server's default range holds fewer than
		// the 3,000 Services, and exodns does not read them.
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": name},
			AllocateLoadBalancerNodePorts: ptr(false), Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
	}
}

func setIP(ctx context.Context, c kubernetes.Interface, ns string, i int, ip string) error {
	svc, err := c.CoreV1().Services(ns).Get(ctx, fmt.Sprintf("svc-%05d", i), metav1.GetOptions{})
	if err != nil {
		return err
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
	_, err = c.CoreV1().Services(ns).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
	return err
}

func setTTL(ctx context.Context, c kubernetes.Interface, ns string, i int, ttl string) error {
	svc, err := c.CoreV1().Services(ns).Get(ctx, fmt.Sprintf("svc-%05d", i), metav1.GetOptions{})
	if err != nil {
		return err
	}
	svc.Annotations["external-dns.alpha.kubernetes.io/ttl"] = ttl
	_, err = c.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{})
	return err
}

func countLines(r io.Reader, lines, warnings *atomic.Int64) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		lines.Add(1)
		if strings.Contains(sc.Text(), "level=WARN") {
			warnings.Add(1)
		}
	}
}

// sample reads the process's RSS and goroutines from its /metrics.
func sample(addr string) (rss, goroutines float64) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "process_resident_memory_bytes":
			rss = v
		case "go_goroutines":
			goroutines = v
		}
	}
	return rss, goroutines
}

func freeAddr(network string) (string, error) {
	if network == "udp" {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer l.Close()
		return l.LocalAddr().String(), nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func ptr[T any](v T) *T { return &v }
