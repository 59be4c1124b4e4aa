//go:build integration

package deploy

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/exodns/exodns/test/route53fake"
)

// TestPodRunsOnKubelet installs the chart on a one-node cluster whose pods
// a real kubelet runs from the image built by hack/image, and checks what a
// user would: the pods turn Ready (their in-cluster config and
// service-account token reach the API server through the kubernetes
// Service), a LoadBalancer Service's name is answered through the chart's
// DNS Service (embedded provider) or lands in Route 53 (aws provider, the
// seed's values and credentials unchanged), and deleting pods changes no
// answer while leadership moves.
func TestPodRunsOnKubelet(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the cluster in -short mode")
	}
	h := helm(t)
	image := exodnsImage(t)
	c := startCluster(t)
	c.importImage(image.tar)

	t.Run("embedded", func(t *testing.T) { testEmbeddedOnKubelet(t, c, h, image) })
	t.Run("aws", func(t *testing.T) { testAWSOnKubelet(t, c, h, image) })
}

type imageRef struct {
	tar, repository, tag string
}

// exodnsImage is the OCI tar .ci/run built (EXODNS_IMAGE), or a fresh build.
func exodnsImage(t *testing.T) imageRef {
	t.Helper()
	p := os.Getenv("EXODNS_IMAGE")
	if p == "" {
		if inCI() {
			t.Fatal("EXODNS_IMAGE is not set (hack/image/build.sh makes it)")
		}
		p = filepath.Join(buildImage(t, 0).dir, "exodns.oci.tar")
	}
	name, err := imageName(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	i := strings.LastIndex(name, ":")
	return imageRef{tar: p, repository: name[:i], tag: name[i+1:]}
}

// imageName reads the reference recorded in an OCI tar's index.json.
func imageName(tarPath string) (string, error) {
	f, err := os.Open(tarPath)
	if err != nil {
		return "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", errors.New("no index.json")
		}
		if err != nil {
			return "", err
		}
		if h.Name != "index.json" {
			continue
		}
		var idx ociIndex
		if err := json.NewDecoder(tr).Decode(&idx); err != nil {
			return "", err
		}
		if len(idx.Manifests) == 0 {
			return "", errors.New("empty index")
		}
		return idx.Manifests[0].Annotations["io.containerd.image.name"], nil
	}
}

func (c *cluster) helmInstall(t *testing.T, h, release, ns string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	all := append([]string{"install", release, chartDir, "--kubeconfig", c.kubeconfig, "--namespace", ns, "--create-namespace"}, args...)
	out, err := run(ctx, repoRoot, h, all...)
	if err != nil {
		t.Fatalf("helm install: %v\n%s", err, out)
	}
	t.Logf("helm install %s: %s", release, firstLines(out, 8))
}

func firstLines(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

// podsNow lists the release's pods that are not being deleted, and which
// of them are Ready, with a line of state for each.
func (c *cluster) podsNow(ns, release string) (all, ready []corev1.Pod, states []string, err error) {
	pods, err := c.kube.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + release})
	if err != nil {
		return nil, nil, nil, err
	}
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		all = append(all, p)
		ok := false
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
				ok = true
			}
		}
		if ok {
			ready = append(ready, p)
		}
		states = append(states, fmt.Sprintf("%s %s ready=%v %s", p.Name, p.Status.Phase, ok, containerState(p)))
	}
	return all, ready, states, nil
}

// readyPods waits until the release has exactly n pods, all Ready (and, if
// set, none of them named in not), and returns them.
func (c *cluster) readyPods(t *testing.T, ns, release string, n int, not ...string) []corev1.Pod {
	t.Helper()
	var ready []corev1.Pod
	eventually(t, 3*time.Minute, fmt.Sprintf("%d Ready pods of %s", n, release), func() (bool, string) {
		all, r, states, err := c.podsNow(ns, release)
		if err != nil {
			return false, err.Error()
		}
		ready = r
		for _, p := range all {
			if slices.Contains(not, p.Name) {
				return false, p.Name + " is still there"
			}
		}
		return len(r) == n && len(all) == n, strings.Join(states, "; ") + "\n" + c.podLogs(ns)
	})
	return ready
}

func containerState(p corev1.Pod) string {
	for _, s := range p.Status.ContainerStatuses {
		switch {
		case s.State.Waiting != nil:
			return "waiting: " + s.State.Waiting.Reason + " " + s.State.Waiting.Message
		case s.State.Terminated != nil:
			return fmt.Sprintf("terminated: %s (%d)", s.State.Terminated.Reason, s.State.Terminated.ExitCode)
		}
	}
	return ""
}

// loadBalancer creates a LoadBalancer Service with a hostname annotation and
// gives it a status address, as a cloud's load-balancer controller would.
func (c *cluster) loadBalancer(t *testing.T, ns, name, hostname, ip string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	svc, err := c.kube.CoreV1().Services(ns).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: map[string]string{"external-dns.alpha.kubernetes.io/hostname": hostname}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer,
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Gone when the subtest ends: every install watches every Service.
	t.Cleanup(func() { _ = c.kube.CoreV1().Services(ns).Delete(context.Background(), name, metav1.DeleteOptions{}) })
	c.setLoadBalancerIP(t, svc.Namespace, svc.Name, ip)
}

func (c *cluster) setLoadBalancerIP(t *testing.T, ns, name, ip string) {
	t.Helper()
	ctx := context.Background()
	svc, err := c.kube.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: ip}}
	if _, err := c.kube.CoreV1().Services(ns).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// dig asks server:port for name's records of type typ.
func dig(server string, port int, typ, name string) (string, error) {
	out, err := exec.Command("dig", "@"+server, "-p", fmt.Sprint(port), "+short", "+time=1", "+tries=1", typ, name).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func answers(t *testing.T, what, server string, port int, typ, name, want string) {
	t.Helper()
	eventually(t, time.Minute, what, func() (bool, string) {
		got, err := dig(server, port, typ, name)
		return err == nil && strings.Contains(got, want), fmt.Sprintf("dig @%s -p %d %s %s: %q %v", server, port, typ, name, got, err)
	})
}

// leader is the pod named by the Lease's holder ("<hostname>_<uuid>").
func (c *cluster) leader(t *testing.T, ns, lease string) string {
	t.Helper()
	l, err := c.kube.CoordinationV1().Leases(ns).Get(context.Background(), lease, metav1.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil {
		return ""
	}
	pod, _, _ := strings.Cut(*l.Spec.HolderIdentity, "_")
	return pod
}

func podNames(pods []corev1.Pod) []string {
	var n []string
	for _, p := range pods {
		n = append(n, p.Name)
	}
	return n
}

func testEmbeddedOnKubelet(t *testing.T, c *cluster, h string, img imageRef) {
	const ns, release, lease = "exodns", "exodns", "exodns-leader-exodns"
	c.helmInstall(t, h, release, ns, "-f", filepath.Join(repoRoot, "test", "deploy", "testdata", "values", "embedded-ha.yaml"),
		"--set", "image.repository="+img.repository, "--set-string", "image.tag="+img.tag, "--set", "image.pullPolicy=Never")
	pods := c.readyPods(t, ns, release, 2)
	t.Logf("Ready through the kubelet: %v", podNames(pods))

	dnsSvc, err := c.kube.CoreV1().Services(ns).Get(context.Background(), "exodns-dns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vip := dnsSvc.Spec.ClusterIP
	c.loadBalancer(t, "apps", "web", "web.example.com", "203.0.113.10")

	answers(t, "web.example.com through the chart's DNS Service", vip, 53, "A", "web.example.com", "203.0.113.10")
	answers(t, "the ownership record through the DNS Service", vip, 53, "TXT", "a-web.example.com", "external-dns/owner=exodns")
	// TCP too: the Service maps port 53 over both protocols.
	eventually(t, 30*time.Second, "an answer over TCP", func() (bool, string) {
		out, err := exec.Command("dig", "@"+vip, "-p", "53", "+tcp", "+short", "+time=1", "+tries=1", "A", "web.example.com").CombinedOutput()
		return err == nil && strings.TrimSpace(string(out)) == "203.0.113.10", string(out)
	})
	for _, p := range pods {
		answers(t, "replica "+p.Name, p.Status.PodIP, 5353, "A", "web.example.com", "203.0.113.10")
	}

	var lead string
	eventually(t, time.Minute, "a leader", func() (bool, string) {
		lead = c.leader(t, ns, lease)
		return slices.Contains(podNames(pods), lead), "holder " + lead
	})
	t.Logf("leader %s; deleting it", lead)
	if err := c.kube.CoreV1().Pods(ns).Delete(context.Background(), lead, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	var follower string
	for _, p := range pods {
		if p.Name != lead {
			follower = p.Name
		}
	}
	// The Lease goes to a live replica: the follower, or the new pod if it
	// asks first.
	eventually(t, time.Minute, "leadership handed over from "+lead, func() (bool, string) {
		l := c.leader(t, ns, lease)
		return l != "" && l != lead, "holder " + l
	})
	after := c.readyPods(t, ns, release, 2, lead)
	if l := c.leader(t, ns, lease); !slices.Contains(podNames(after), l) {
		t.Errorf("the Lease is held by %q, not one of the Ready pods %v", l, podNames(after))
	}
	t.Logf("leadership moved from %s to %s (the follower was %s)", lead, c.leader(t, ns, lease), follower)
	var fresh corev1.Pod
	for _, p := range after {
		if !slices.Contains(podNames(pods), p.Name) {
			fresh = p
		}
	}
	if fresh.Name == "" {
		t.Fatalf("no new pod among %v", podNames(after))
	}
	// The new pod starts with an empty store; Ready means it has the zone.
	if got, err := dig(fresh.Status.PodIP, 5353, "A", "web.example.com"); err != nil || got != "203.0.113.10" {
		t.Fatalf("the new pod %s, Ready, answers %q (%v)", fresh.Name, got, err)
	}
	answers(t, "web.example.com through the DNS Service after the restart", vip, 53, "A", "web.example.com", "203.0.113.10")

	// A change after the handover reaches every replica.
	c.setLoadBalancerIP(t, "apps", "web", "203.0.113.11")
	for _, p := range after {
		answers(t, "the change on "+p.Name, p.Status.PodIP, 5353, "A", "web.example.com", "203.0.113.11")
	}
}

func testAWSOnKubelet(t *testing.T, c *cluster, h string, img imageRef) {
	const ns, release, accessKey = "external-dns", "external-dns", "AKIDK3SCLUSTEREXAMPLE"
	// The fake serves on the node's address, which the pod reaches; only
	// requests signed with the key in the seed's credentials file find the
	// zone, so a record there proves the mounted file was used.
	fake := route53fake.New(route53fake.Options{StrictAccounts: true, Rate: -1})
	zoneID := fake.Account(accessKey).AddZone("example.com", false, nil)
	ln, err := net.Listen("tcp", nodeIP+":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: fake, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	// The Secret as the seed makes it: kubectl create secret generic
	// external-dns --from-file poc_credentials.
	ctx := context.Background()
	if _, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	creds := fmt.Sprintf("[default]\naws_access_key_id=%s\naws_secret_access_key=not-a-secret\n", accessKey)
	if _, err := c.kube.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "external-dns"},
		Data: map[string][]byte{"poc_credentials": []byte(creds)}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The seed's values unchanged, then what only this test needs: the
	// local image and the fake's address.
	overlay := filepath.Join(t.TempDir(), "test.yaml")
	if err := os.WriteFile(overlay, []byte(fmt.Sprintf(`image: {repository: %q, tag: %q, pullPolicy: Never}
extraArgs: ["--aws-endpoint=http://%s"]
`, img.repository, img.tag, ln.Addr())), 0o644); err != nil {
		t.Fatal(err)
	}
	// A record external-dns made before the move, in upstream's form: the
	// A record and its ownership TXT (owner k3s-cluster, prefix k3s, TTLs
	// left to Route 53's 300). Its Service is there before exodns starts.
	c.loadBalancer(t, "shop", "legacy", "legacy.example.com", "203.0.113.30")
	ttl := int64(300)
	if err := fake.PutRecordSets(zoneID,
		types.ResourceRecordSet{Name: aws.String("legacy.example.com."), Type: types.RRTypeA, TTL: &ttl,
			ResourceRecords: []types.ResourceRecord{{Value: aws.String("203.0.113.30")}}},
		types.ResourceRecordSet{Name: aws.String("k3sa-legacy.example.com."), Type: types.RRTypeTxt, TTL: &ttl,
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(`"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=service/shop/legacy"`)}}},
	); err != nil {
		t.Fatal(err)
	}
	c.helmInstall(t, h, release, ns, "-f", filepath.Join(repoRoot, "test", "deploy", "testdata", "values", "k3s.yaml"), "-f", overlay)
	pods := c.readyPods(t, ns, release, 1)
	// Ready means the first reconcile is done: it read the zone with the
	// seed's credentials and found upstream's record its own.
	if fake.Calls("ListResourceRecordSets") == 0 {
		t.Fatal("Ready before reading the zone")
	}
	if n := fake.Calls("ChangeResourceRecordSets"); n != 0 {
		t.Fatalf("the first run over external-dns's records made %d change calls; want 0\nzone now: %s\n%s", n, describeSets(fake.RecordSets(zoneID)), c.podLogs(ns))
	}

	c.loadBalancer(t, "shop", "shop", "shop.example.com", "203.0.113.20")
	var sets []types.ResourceRecordSet
	find := func(name string, typ types.RRType) *types.ResourceRecordSet {
		for i, s := range sets {
			if strings.TrimSuffix(*s.Name, ".") == name && s.Type == typ {
				return &sets[i]
			}
		}
		return nil
	}
	eventually(t, time.Minute, "shop.example.com in Route 53", func() (bool, string) {
		sets = fake.RecordSets(zoneID)
		a, txt := find("shop.example.com", types.RRTypeA), find("k3sa-shop.example.com", types.RRTypeTxt)
		if a == nil || txt == nil {
			return false, fmt.Sprintf("%d sets; calls %d\n%s", len(sets), fake.TotalCalls(), c.podLogs(ns))
		}
		return *a.ResourceRecords[0].Value == "203.0.113.20" &&
			strings.Contains(*txt.ResourceRecords[0].Value, "external-dns/owner=k3s-cluster"), *txt.ResourceRecords[0].Value
	})
	changes := fake.Calls("ChangeResourceRecordSets")
	t.Logf("records in the fake after %d change calls: A shop.example.com, TXT k3sa-shop.example.com", changes)

	// A new pod takes over the same records: Ready means it has read the
	// zone and reconciled, and there was nothing to change.
	if err := c.kube.CoreV1().Pods(ns).Delete(ctx, pods[0].Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	c.readyPods(t, ns, release, 1, pods[0].Name)
	if n := fake.Calls("ChangeResourceRecordSets"); n != changes {
		t.Errorf("the new pod made %d change calls on a zone already in step", n-changes)
	}
	sets = fake.RecordSets(zoneID)
	if find("shop.example.com", types.RRTypeA) == nil {
		t.Error("the record is gone after the restart")
	}
}

func describeSets(sets []types.ResourceRecordSet) string {
	var b strings.Builder
	for _, s := range sets {
		var vals []string
		for _, r := range s.ResourceRecords {
			vals = append(vals, aws.ToString(r.Value))
		}
		fmt.Fprintf(&b, "\n  %s %s ttl=%d %v", aws.ToString(s.Name), s.Type, aws.ToInt64(s.TTL), vals)
	}
	return b.String()
}
