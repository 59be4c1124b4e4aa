//go:build integration

package deploy

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
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

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/exodns/exodns/test/harness"
)

// A single-node Kubernetes cluster from real parts, for the tests that need
// a pod to really run: etcd and kube-apiserver (hack/k8s-test-bins.sh),
// kube-controller-manager, kube-scheduler, kubelet and kube-proxy
// (hack/cluster/k8s-node-bins.sh), containerd, runc and the CNI plugins from
// Debian. Everything lives in one folder and is removed afterwards: the
// processes, mounts, cgroups, iptables rules, links and sysctls it changed.
//
// Addresses never leave the machine: the node's address is on a link of its
// own; pods sit on a bridge of their own; the Service range is routed to
// the node's link, so a packet to a Service nobody serves dies here instead
// of following the default route; pods cannot be forwarded anywhere.
const (
	nodeName    = "exodns-node"
	nodeIP      = "10.250.0.1"
	nodeLink    = "exodns0"
	bridgeLink  = "exodnsbr0"
	podCIDR     = "10.244.0.0/24"
	clusterCIDR = "10.244.0.0/16"
	serviceCIDR = "10.96.0.0/16"
	apiVIP      = "10.96.0.1"
)

// sysctls the kubelet and kube-proxy may change, restored afterwards.
var touchedSysctls = []string{
	"kernel/panic", "kernel/panic_on_oops", "vm/overcommit_memory", "vm/panic_on_oom",
	"net/ipv4/conf/all/route_localnet", "net/bridge/bridge-nf-call-iptables", "net/ipv4/ip_forward",
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

type cluster struct {
	t          testing.TB
	dir        string
	bins       string // cluster binaries
	assets     string // kube-apiserver, etcd
	apiPort    int
	apiURL     string
	kubeconfig string // admin, for helm
	cfg        *rest.Config
	kube       kubernetes.Interface
	sock       string // containerd
	cgroupRoot string
	procs      []*proc
	sysctls    map[string]string
	chains     map[string]bool // iptables chains that existed before, "iptables nat KUBE-X"
	kubeProxy  []string        // its command line, for --cleanup
	mu         sync.Mutex
}

// kubeletPrereqs are the binaries from Debian packages the cluster needs.
var kubeletPrereqs = []string{"containerd", "containerd-shim-runc-v2", "runc", "ctr", "iptables", "conntrack", "ip", "mount", "dig"}

// startCluster brings the node up and returns once it is Ready; everything
// is torn down when the test ends.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	assets := need(t, "KUBEBUILDER_ASSETS", "hack/k8s-test-bins.sh")
	bins := need(t, "EXODNS_CLUSTER_BINS", "hack/cluster/k8s-node-bins.sh")
	for _, b := range kubeletPrereqs {
		if _, err := exec.LookPath(b); err != nil {
			if inCI() {
				t.Fatalf("%s is missing (.ci/run installs containerd, runc, containernetworking-plugins, iptables, conntrack)", b)
			}
			t.Skipf("skipping: %s is missing", b)
		}
	}
	if _, err := os.Stat("/usr/lib/cni/bridge"); err != nil {
		if inCI() {
			t.Fatal("no CNI plugins in /usr/lib/cni (Debian containernetworking-plugins)")
		}
		t.Skip("skipping: no CNI plugins in /usr/lib/cni")
	}
	if os.Geteuid() != 0 {
		if inCI() {
			t.Fatal("a kubelet needs root")
		}
		t.Skip("skipping: a kubelet needs root")
	}
	dir, err := os.MkdirTemp("", "exodns-cluster-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, dir: dir, bins: bins, assets: assets, sock: filepath.Join(dir, "containerd", "containerd.sock"),
		cgroupRoot: fmt.Sprintf("/exodns-test-%d", os.Getpid()), sysctls: map[string]string{}}
	t.Cleanup(c.teardown)
	for _, s := range touchedSysctls {
		if v, err := os.ReadFile("/proc/sys/" + s); err == nil {
			c.sysctls[s] = strings.TrimSpace(string(v))
		}
	}
	c.chains = kubeChains()
	c.network()
	c.pki()
	c.startControlPlane()
	c.startNode()
	return c
}

func (c *cluster) path(p ...string) string { return filepath.Join(append([]string{c.dir}, p...)...) }

func (c *cluster) must(err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
}

func (c *cluster) write(name, content string) string {
	c.t.Helper()
	p := c.path(name)
	c.must(os.MkdirAll(filepath.Dir(p), 0o755))
	c.must(os.WriteFile(p, []byte(content), 0o600))
	return p
}

func (c *cluster) sh(name string, args ...string) {
	c.t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// network: the node's address on a link of its own, and the pod and Service
// ranges routed there unless something more specific (the pod bridge)
// takes them.
func (c *cluster) network() {
	_ = exec.Command("ip", "link", "del", nodeLink).Run() // a leftover of a killed run
	_ = exec.Command("ip", "link", "del", bridgeLink).Run()
	// A bridge without ports: it holds the address and drops what is routed
	// to it (the dummy driver is not in every kernel).
	c.sh("ip", "link", "add", nodeLink, "type", "bridge")
	c.sh("ip", "addr", "add", nodeIP+"/32", "dev", nodeLink)
	c.sh("ip", "link", "set", nodeLink, "up")
	c.sh("ip", "route", "add", serviceCIDR, "dev", nodeLink)
	c.sh("ip", "route", "add", clusterCIDR, "dev", nodeLink)
	// Bridged pod traffic must pass iptables for Services to reach pods.
	_ = os.WriteFile("/proc/sys/net/bridge/bridge-nf-call-iptables", []byte("1"), 0o644)
}

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func (c *cluster) writeKeyPair(name string, kp keyPair) {
	c.write(name+".crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kp.cert.Raw})))
	der, err := x509.MarshalECPrivateKey(kp.key)
	c.must(err)
	c.write(name+".key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})))
}

func newKeyPair(t testing.TB, tmpl *x509.Certificate, parent *keyPair) keyPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{cert, key}
}

// tokens are the static bearer tokens of the cluster's own components and
// of the admin (the tests and helm): simpler than client certificates, and
// as real to the API server's authorizers.
var tokens = map[string][2]string{ // name -> user, groups
	"admin":      {"admin", "system:masters"},
	"controller": {"system:kube-controller-manager", ""},
	"scheduler":  {"system:kube-scheduler", ""},
	"kubelet":    {"system:node:" + nodeName, "system:nodes"},
	"proxy":      {"system:kube-proxy", ""},
}

func (c *cluster) pki() {
	ca := newKeyPair(c.t, &x509.Certificate{Subject: pkix.Name{CommonName: "exodns-test-ca"}, IsCA: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true}, nil)
	c.writeKeyPair("pki/ca", ca)
	serving := newKeyPair(c.t, &x509.Certificate{Subject: pkix.Name{CommonName: "kube-apiserver"},
		DNSNames:    []string{"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"},
		IPAddresses: []net.IP{net.ParseIP(nodeIP), net.ParseIP(apiVIP), net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, &ca)
	c.writeKeyPair("pki/apiserver", serving)
	kubelet := newKeyPair(c.t, &x509.Certificate{Subject: pkix.Name{CommonName: nodeName},
		IPAddresses: []net.IP{net.ParseIP(nodeIP)}, DNSNames: []string{nodeName},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, &ca)
	c.writeKeyPair("pki/kubelet", kubelet)
	sa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c.must(err)
	der, err := x509.MarshalECPrivateKey(sa)
	c.must(err)
	c.write("pki/sa.key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})))
	pub, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	c.must(err)
	c.write("pki/sa.pub", string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))

	var csv strings.Builder
	for name, u := range tokens {
		fmt.Fprintf(&csv, "%s-token-%d,%s,%s", name, os.Getpid(), u[0], u[0])
		if u[1] != "" {
			fmt.Fprintf(&csv, ",%q", u[1])
		}
		csv.WriteString("\n")
	}
	c.write("pki/tokens.csv", csv.String())
}

func (c *cluster) token(name string) string { return fmt.Sprintf("%s-token-%d", name, os.Getpid()) }

// kubeconfigFor writes a kubeconfig with the named component's token.
func (c *cluster) kubeconfigFor(name string) string {
	return c.write("kubeconfig/"+name, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: %s
  user:
    token: %s
contexts:
- name: test
  context: {cluster: test, user: %s}
current-context: test
`, c.apiURL, c.path("pki/ca.crt"), name, c.token(name), name))
}

// start runs a component with its output in logs/NAME.log.
func (c *cluster) start(name, bin string, args ...string) *proc {
	c.t.Helper()
	logPath := c.path("logs", name+".log")
	c.must(os.MkdirAll(filepath.Dir(logPath), 0o755))
	f, err := os.Create(logPath)
	c.must(err)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	// If the test binary dies (a timeout panics past the cleanups), the
	// components die with it instead of holding ports and addresses.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	c.must(cmd.Start())
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); f.Close(); close(p.done) }()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p
}

// alive fails the test with the component's log when it has exited.
func (c *cluster) alive(p *proc) (bool, string) {
	select {
	case <-p.done:
		c.t.Fatalf("%s exited: %v\n%s", p.name, p.err, tail(p.log, 40))
	default:
	}
	return false, ""
}

func tail(path string, n int) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (c *cluster) startControlPlane() {
	etcdPort, peerPort := harness.FreePort(c.t), harness.FreePort(c.t)
	etcd := c.start("etcd", filepath.Join(c.assets, "etcd"), "--data-dir", c.path("etcd"),
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peerPort),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peerPort),
		"--initial-cluster", fmt.Sprintf("default=http://127.0.0.1:%d", peerPort),
		"--unsafe-no-fsync")
	c.apiPort = harness.FreePort(c.t)
	c.apiURL = fmt.Sprintf("https://%s:%d", nodeIP, c.apiPort)
	api := c.start("kube-apiserver", filepath.Join(c.assets, "kube-apiserver"),
		"--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--bind-address", nodeIP, "--advertise-address", nodeIP, "--secure-port", strconv.Itoa(c.apiPort),
		"--tls-cert-file", c.path("pki/apiserver.crt"), "--tls-private-key-file", c.path("pki/apiserver.key"),
		"--client-ca-file", c.path("pki/ca.crt"), "--token-auth-file", c.path("pki/tokens.csv"),
		"--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file", c.path("pki/sa.pub"), "--service-account-signing-key-file", c.path("pki/sa.key"),
		"--service-cluster-ip-range", serviceCIDR, "--authorization-mode", "Node,RBAC",
		"--kubelet-preferred-address-types", "InternalIP", "--kubelet-certificate-authority", c.path("pki/ca.crt"),
		"--kubelet-client-certificate", c.path("pki/apiserver.crt"), "--kubelet-client-key", c.path("pki/apiserver.key"),
		"--allow-privileged=false", "--profiling=false")
	_ = etcd
	c.kubeconfig = c.kubeconfigFor("admin")
	c.cfg = &rest.Config{Host: c.apiURL, BearerToken: c.token("admin"),
		TLSClientConfig: rest.TLSClientConfig{CAFile: c.path("pki/ca.crt")}, QPS: 50, Burst: 100}
	kube, err := kubernetes.NewForConfig(c.cfg)
	c.must(err)
	c.kube = kube
	eventually(c.t, 2*time.Minute, "kube-apiserver ready", func() (bool, string) {
		c.alive(api)
		body, err := kube.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(context.Background())
		return err == nil && string(body) == "ok", fmt.Sprint(err)
	})
	c.start("kube-controller-manager", filepath.Join(c.bins, "kube-controller-manager"),
		"--kubeconfig", c.kubeconfigFor("controller"), "--authentication-kubeconfig", c.kubeconfigFor("controller"),
		"--authorization-kubeconfig", c.kubeconfigFor("controller"),
		"--service-account-private-key-file", c.path("pki/sa.key"), "--root-ca-file", c.path("pki/ca.crt"),
		"--use-service-account-credentials", "--leader-elect=false", "--secure-port=0",
		"--controllers=*,-nodeipam,-cloud-node-lifecycle,-service,-route")
	c.start("kube-scheduler", filepath.Join(c.bins, "kube-scheduler"),
		"--kubeconfig", c.kubeconfigFor("scheduler"), "--authentication-kubeconfig", c.kubeconfigFor("scheduler"),
		"--authorization-kubeconfig", c.kubeconfigFor("scheduler"), "--leader-elect=false", "--secure-port=0")
}

func (c *cluster) startNode() {
	// containerd: its own root, state and socket; pods on our bridge.
	c.write("cni/10-exodns.conflist", fmt.Sprintf(`{
  "cniVersion": "0.4.0",
  "name": "exodns-test",
  "plugins": [
    {"type": "bridge", "bridge": %q, "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": %q}]], "routes": [{"dst": "0.0.0.0/0"}], "dataDir": %q}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, bridgeLink, podCIDR, c.path("cni-ipam")))
	cfg := c.write("containerd/config.toml", fmt.Sprintf(`version = 2
root = %q
state = %q
[grpc]
  address = %q
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "exodns.local/pause:test"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # This machine withholds CAP_SYS_RESOURCE, without which runc cannot lower
  # a process's oom_score_adj (the kubelet asks -998 for sandboxes): keep
  # it no lower than containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = %q
`, c.path("containerd/root"), c.path("containerd/state"), c.sock, c.path("cni")))
	ctrd := c.start("containerd", "containerd", "--config", cfg)
	eventually(c.t, time.Minute, "containerd serving", func() (bool, string) {
		c.alive(ctrd)
		out, err := exec.Command("ctr", "--address", c.sock, "version").CombinedOutput()
		return err == nil, string(out)
	})

	kubeletPort, healthzPort := harness.FreePort(c.t), harness.FreePort(c.t)
	kcfg := c.write("kubelet/config.yaml", fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %s
port: %d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %d
tlsCertFile: %s
tlsPrivateKeyFile: %s
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: %s}
authorization: {mode: Webhook}
cgroupDriver: cgroupfs
cgroupRoot: %s
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://%s
podLogsDir: %s
volumePluginDir: %s
resolvConf: /etc/resolv.conf
serializeImagePulls: false
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "50Mi", nodefs.available: "1%%", nodefs.inodesFree: "1%%", imagefs.available: "1%%"}
registerNode: true
`, nodeIP, kubeletPort, healthzPort, c.path("pki/kubelet.crt"), c.path("pki/kubelet.key"), c.path("pki/ca.crt"),
		c.cgroupRoot, c.sock, c.path("pod-logs"), c.path("kubelet/volume-plugins")))
	c.importImage(c.pauseImage())
	c.makeCgroupRoot()
	kubelet := c.start("kubelet", filepath.Join(c.bins, "kubelet"), "--config", kcfg,
		"--kubeconfig", c.kubeconfigFor("kubelet"), "--root-dir", c.path("kubelet/root"),
		"--cert-dir", c.path("kubelet/pki"), "--hostname-override", nodeName, "--node-ip", nodeIP,
		"--pod-infra-container-image", "exodns.local/pause:test", "--v=2")

	pcfg := c.write("kube-proxy/config.yaml", fmt.Sprintf(`apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: %s
hostnameOverride: %s
bindAddress: %s
healthzBindAddress: 127.0.0.1:%d
metricsBindAddress: 127.0.0.1:%d
clientConnection:
  kubeconfig: %s
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  localhostNodePorts: false
`, clusterCIDR, nodeName, nodeIP, harness.FreePort(c.t), harness.FreePort(c.t), c.kubeconfigFor("proxy")))
	c.kubeProxy = []string{filepath.Join(c.bins, "kube-proxy"), "--config", pcfg}
	proxy := c.start("kube-proxy", c.kubeProxy[0], c.kubeProxy[1:]...)

	eventually(c.t, 3*time.Minute, "node Ready", func() (bool, string) {
		c.alive(kubelet)
		c.alive(proxy)
		n, err := c.kube.CoreV1().Nodes().Get(context.Background(), nodeName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error() + "\n" + tail(kubelet.log, 15)
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, cond.Reason + ": " + cond.Message
			}
		}
		return false, "no Ready condition"
	})
	// Pods need their namespace's ServiceAccount and CA ConfigMap, which
	// the controller-manager makes.
	eventually(c.t, time.Minute, "default ServiceAccount", func() (bool, string) {
		_, err := c.kube.CoreV1().ServiceAccounts("default").Get(context.Background(), "default", metav1.GetOptions{})
		return err == nil, fmt.Sprint(err)
	})
}

// pauseImage builds the sandbox image (hack/cluster/pause) with hack/image.
func (c *cluster) pauseImage() string {
	c.t.Helper()
	out := c.path("pause-image")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, err := run(ctx, repoRoot, "env", "OUT="+out, "PKG=./hack/cluster/pause", "BIN=pause",
		"IMAGE=exodns.local/pause:test", "PLATFORMS=linux/"+goarch(), filepath.Join(repoRoot, "hack", "image", "build.sh"))
	c.must(err)
	return filepath.Join(out, "pause.oci.tar")
}

func goarch() string {
	out, err := exec.Command("go", "env", "GOARCH").Output()
	if err != nil {
		return "amd64"
	}
	return strings.TrimSpace(string(out))
}

// importImage puts an OCI tar into containerd's CRI namespace, unpacked for
// the overlayfs snapshotter, as `ctr images import` does for users.
func (c *cluster) importImage(tarPath string) {
	c.t.Helper()
	out, err := exec.Command("ctr", "--address", c.sock, "-n", "k8s.io", "images", "import", tarPath).CombinedOutput()
	if err != nil {
		c.t.Fatalf("ctr images import %s: %v\n%s", tarPath, err, out)
	}
	c.t.Logf("imported %s: %s", filepath.Base(tarPath), strings.TrimSpace(string(out)))
}

// podLogs returns the logs the kubelet wrote for the pods of a namespace.
func (c *cluster) podLogs(ns string) string {
	var b strings.Builder
	dirs, _ := filepath.Glob(c.path("pod-logs", ns+"_*", "*", "*.log"))
	for _, d := range dirs {
		fmt.Fprintf(&b, "== %s\n%s\n", strings.TrimPrefix(d, c.path("pod-logs")), tail(d, 30))
	}
	return b.String()
}

// teardown removes everything the cluster made, in the reverse order.
func (c *cluster) teardown() {
	t := c.t
	if t.Failed() {
		for _, p := range c.procs {
			t.Logf("== %s log (last lines):\n%s", p.name, tail(p.log, 25))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// Let the kubelet stop the pods, so sandboxes, their network namespaces
	// and the CNI addresses are released the usual way.
	if c.kube != nil && c.running("kubelet") {
		nss, _ := c.kube.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		zero := int64(0)
		for _, ns := range nss.Items {
			_ = c.kube.CoreV1().Pods(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, metav1.ListOptions{})
			_ = c.kube.AppsV1().Deployments(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		}
		for ctx.Err() == nil {
			pods, err := c.kube.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
			if err != nil || len(pods.Items) == 0 {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		c.waitNoSandboxes(ctx)
	}
	for _, name := range []string{"kube-proxy", "kube-scheduler", "kube-controller-manager", "kubelet"} {
		c.stop(name)
	}
	c.killCgroup() // any container the kubelet left behind
	c.killShims()
	c.stop("containerd")
	if c.kubeProxy != nil {
		// Removes the KUBE-* chains kube-proxy wrote.
		_ = exec.Command(c.kubeProxy[0], append(c.kubeProxy[1:], "--cleanup")...).Run()
	}
	c.removeKubeChains()
	c.unmountAll()
	c.removeCgroups()
	c.stop("kube-apiserver")
	c.stop("etcd")
	_ = exec.Command("ip", "link", "del", bridgeLink).Run()
	_ = exec.Command("ip", "link", "del", nodeLink).Run()
	for s, v := range c.sysctls {
		_ = os.WriteFile("/proc/sys/"+s, []byte(v), 0o644)
	}
	if err := os.RemoveAll(c.dir); err != nil {
		t.Logf("removing %s: %v", c.dir, err)
	}
}

func (c *cluster) running(name string) bool {
	for _, p := range c.procs {
		if p.name == name {
			select {
			case <-p.done:
				return false
			default:
				return true
			}
		}
	}
	return false
}

// stop sends SIGTERM to one component (by its pid), then SIGKILL.
func (c *cluster) stop(name string) {
	for _, p := range c.procs {
		if p.name != name {
			continue
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

func (c *cluster) waitNoSandboxes(ctx context.Context) {
	for ctx.Err() == nil {
		out, err := exec.Command("ctr", "--address", c.sock, "-n", "k8s.io", "tasks", "ls", "-q").Output()
		if err != nil || strings.TrimSpace(string(out)) == "" {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// killCgroup kills, by pid, every process left in the pods' cgroups.
func (c *cluster) killCgroup() {
	root := filepath.Join("/sys/fs/cgroup/pids", c.cgroupRoot)
	_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.Name() != "cgroup.procs" {
			return nil
		}
		data, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		return nil
	})
}

// killShims ends the runc shims containerd started; they outlive it.
func (c *cluster) killShims() {
	files, _ := filepath.Glob(c.path("containerd", "state", "io.containerd.runtime.v2.task", "*", "*", "shim.pid"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 1 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}

var iptablesTables = []string{"filter", "nat", "mangle"}

// kubeChains lists the KUBE-* chains of iptables and ip6tables, as
// "iptables TABLE CHAIN".
func kubeChains() map[string]bool {
	out := map[string]bool{}
	for _, bin := range []string{"iptables", "ip6tables"} {
		for _, table := range iptablesTables {
			rules, err := exec.Command(bin, "-t", table, "-S").Output()
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(rules), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "-N" && strings.HasPrefix(f[1], "KUBE-") {
					out[bin+" "+table+" "+f[1]] = true
				}
			}
		}
	}
	return out
}

// removeKubeChains removes the KUBE-* chains the kubelet and kube-proxy
// added (kube-proxy --cleanup leaves the kubelet's), and the rules jumping
// to them; chains that were there before stay.
func (c *cluster) removeKubeChains() {
	for chain := range kubeChains() {
		if c.chains[chain] {
			continue
		}
		f := strings.Fields(chain)
		bin, table, name := f[0], f[1], f[2]
		rules, _ := exec.Command(bin, "-t", table, "-S").Output()
		for _, line := range strings.Split(string(rules), "\n") {
			r := strings.Fields(line)
			if len(r) > 3 && r[0] == "-A" && slices.Contains(r, "-j") && r[slices.Index(r, "-j")+1] == name {
				_ = exec.Command(bin, append([]string{"-t", table, "-D"}, r[1:]...)...).Run()
			}
		}
	}
	for chain := range kubeChains() {
		if !c.chains[chain] {
			f := strings.Fields(chain)
			_ = exec.Command(f[0], "-t", f[1], "-F", f[2]).Run()
		}
	}
	for chain := range kubeChains() {
		if !c.chains[chain] {
			f := strings.Fields(chain)
			_ = exec.Command(f[0], "-t", f[1], "-X", f[2]).Run()
		}
	}
}

// unmountAll detaches every mount under the cluster's folder, deepest first.
func (c *cluster) unmountAll() {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], c.dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	f.Close()
	slices.SortFunc(mounts, func(a, b string) int { return len(b) - len(a) })
	for _, m := range mounts {
		_ = syscall.Unmount(m, syscall.MNT_DETACH)
	}
}

// makeCgroupRoot creates the kubelet's --cgroup-root in every hierarchy (it
// must exist), with the parent's CPUs and memory nodes for cpuset.
func (c *cluster) makeCgroupRoot() {
	hier, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, h := range hier {
		if st, err := os.Stat(filepath.Join(h, "cgroup.procs")); err != nil || st.IsDir() {
			continue
		}
		d := filepath.Join(h, c.cgroupRoot)
		c.must(os.MkdirAll(d, 0o755))
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			if v, err := os.ReadFile(filepath.Join(h, f)); err == nil {
				c.must(os.WriteFile(filepath.Join(d, f), v, 0o644))
			}
		}
	}
}

// removeCgroups removes the pods' cgroups the kubelet made under its root,
// in every hierarchy, deepest first.
func (c *cluster) removeCgroups() {
	hier, _ := filepath.Glob("/sys/fs/cgroup/*")
	for _, h := range hier {
		root := filepath.Join(h, c.cgroupRoot)
		var dirs []string
		_ = filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
		slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) })
		for _, d := range dirs {
			_ = syscall.Rmdir(d)
		}
	}
}
