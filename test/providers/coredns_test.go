//go:build integration

package providers

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exodns/exodns/test/harness"
)

type etcdServer struct {
	*daemon
	url   string
	ready func() error
}

func startEtcd(t *testing.T) *etcdServer {
	t.Helper()
	harness.Need(t, "etcd")
	harness.Need(t, "etcdctl")
	port, peer := harness.FreePort(t), harness.FreePort(t)
	s := &etcdServer{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	s.ready = func() error {
		resp, err := http.Get(s.url + "/health")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health: %s", resp.Status)
		}
		return nil
	}
	s.daemon = newDaemon(t, "etcd", s.ready, fmt.Sprintf("ETCD_PORT=%d", port), fmt.Sprintf("ETCD_PEER_PORT=%d", peer))
	return s
}

func (s *etcdServer) put(t *testing.T, key, value string) {
	t.Helper()
	if out, err := run(t, 10*time.Second, "etcdctl", "--endpoints="+s.url, "put", key, value); err != nil {
		t.Fatalf("etcdctl put: %v\n%s", err, out)
	}
}

// zone reads every key of the zone with etcdctl and writes each SkyDNS
// service as "name TTL TYPE value".
func (s *etcdServer) zone(t *testing.T) []string {
	t.Helper()
	out, err := run(t, 10*time.Second, "etcdctl", "--endpoints="+s.url, "get", "--prefix", "/skydns/test/example/", "-w", "json")
	if err != nil {
		t.Fatalf("etcdctl get: %v\n%s", err, out)
	}
	var resp struct {
		KVs []struct{ Key, Value string } `json:"kvs"`
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("etcdctl output: %v\n%s", err, out)
	}
	var lines []string
	for _, kv := range resp.KVs {
		k, _ := base64.StdEncoding.DecodeString(kv.Key)
		v, _ := base64.StdEncoding.DecodeString(kv.Value)
		var svc struct {
			Host        string
			Text        string
			TTL         uint32
			TargetStrip int
			Group       string
		}
		if err := json.Unmarshal(v, &svc); err != nil {
			t.Fatalf("%s = %q: %v", k, v, err)
		}
		labels := strings.Split(strings.TrimPrefix(string(k), "/skydns/"), "/")
		slices.Reverse(labels)
		name := strings.Join(labels[svc.TargetStrip:], ".")
		switch ip := net.ParseIP(svc.Host); {
		case svc.Text != "":
			lines = append(lines, fmt.Sprintf(`%s %d TXT "%s"`, name, svc.TTL, svc.Text))
		case ip != nil && ip.To4() != nil:
			lines = append(lines, fmt.Sprintf("%s %d A %s", name, svc.TTL, svc.Host))
		case ip != nil:
			lines = append(lines, fmt.Sprintf("%s %d AAAA %s", name, svc.TTL, svc.Host))
		default:
			lines = append(lines, fmt.Sprintf("%s %d CNAME %s", name, svc.TTL, svc.Host))
		}
		if svc.Group != "" {
			lines[len(lines)-1] += " group=" + svc.Group
		}
	}
	slices.Sort(lines)
	return lines
}

// startCoreDNS runs the slim CoreDNS (hack/coredns.sh) serving
// example.test from etcd, with the foreign records in place.
func startCoreDNS(t *testing.T) (*etcdServer, int) {
	t.Helper()
	bin := os.Getenv("COREDNS_BIN")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("COREDNS_BIN is not set; hack/test.sh sets it from hack/coredns.sh")
		}
		t.Skip("COREDNS_BIN is not set (hack/coredns.sh builds CoreDNS)")
	}
	harness.Need(t, "dig")
	e := startEtcd(t)
	e.put(t, "/skydns/test/example/foreign", `{"host":"192.0.2.99","ttl":300}`)
	e.put(t, "/skydns/test/example/other", `{"host":"192.0.2.98","ttl":300}`)
	e.put(t, "/skydns/test/example/a-other", `{"text":"heritage=external-dns,external-dns/owner=someone-else,external-dns/resource=service/default/other","ttl":300}`)
	port := harness.FreePort(t)
	newDaemon(t, "coredns", func() error { return soaReady(port) },
		"COREDNS_BIN="+bin, fmt.Sprintf("PORT=%d", port), "ETCD_URL="+e.url)
	return e, port
}

func (s *etcdServer) backend(port int) backend {
	return backend{
		args:    []string{"--provider=coredns", "--etcd-endpoints=" + s.url},
		dnsPort: port,
		zone:    s.zone,
	}
}

func TestCoreDNS(t *testing.T) {
	e, port := startCoreDNS(t)
	testLifecycle(t, e.backend(port))
}

// TestCoreDNSGroup: the coredns-group annotation reaches the SkyDNS group.
func TestCoreDNSGroup(t *testing.T) {
	e, port := startCoreDNS(t)
	manifests := t.TempDir()
	writeManifest(t, manifests, `apiVersion: v1
kind: Service
metadata:
  name: grouped
  namespace: default
  annotations:
    external-dns.alpha.kubernetes.io/hostname: grouped.example.test
    external-dns.alpha.kubernetes.io/coredns-group: blue
spec:
  type: LoadBalancer
status:
  loadBalancer:
    ingress:
      - ip: 192.0.2.50
`)
	once(t, append(pipelineArgs(manifests), e.backend(port).args...)...)
	if got := e.zone(t); !slices.Contains(got, "grouped.example.test 300 A 192.0.2.50 group=blue") {
		t.Errorf("zone: %q", got)
	}
	if got := digShort(t, port, "grouped.example.test", "A"); !slices.Equal(got, []string{"192.0.2.50"}) {
		t.Errorf("dig: %q", got)
	}
	// Upstream's ETCD_URLS works in place of the flag.
	t.Setenv("ETCD_URLS", e.url)
	if log := once(t, append(pipelineArgs(manifests), "--provider=coredns")...); !strings.Contains(log, "changes=0") {
		t.Errorf("with ETCD_URLS: %s", tail(log, 20))
	}
}

func TestCoreDNSFault(t *testing.T) {
	e, port := startCoreDNS(t)
	testFault(t, e.backend(port), e.daemon, e.ready, 300)
}
