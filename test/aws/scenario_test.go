// Package aws drives the exodns command end to end against the Route 53
// fake: manifests in, record sets in the fake out, through the unmodified
// aws-sdk-go-v2 client. The scenarios are the ones users publish.
package aws

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/exodns/exodns/internal/cli"
	"github.com/exodns/exodns/test/route53fake"
)

type env struct {
	fake   *route53fake.Fake
	url    string
	zoneID string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := route53fake.New(route53fake.Options{})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXODNSTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return &env{fake: fake, url: srv.URL, zoneID: fake.AddZone("example.com", false, nil)}
}

// service writes a LoadBalancer Service manifest with the given annotations.
func service(name, ip string, ann map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: default\n  annotations:\n", name)
	keys := make([]string, 0, len(ann))
	for k := range ann {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    external-dns.alpha.kubernetes.io/%s: %q\n", k, ann[k])
	}
	fmt.Fprintf(&b, "spec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress: [{ip: %s}]\n", ip)
	return b.String()
}

// run is one exodns reconcile (--once) of one cluster's manifests.
func (e *env) run(t *testing.T, owner, prefix string, manifests ...string) {
	t.Helper()
	dir := t.TempDir()
	for i, m := range manifests {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%d.yaml", i)), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := cli.NewRootCommand(cli.BuildInfo{Version: "test"})
	var log strings.Builder
	cmd.SetOut(io.Discard)
	cmd.SetErr(&log)
	cmd.SetArgs([]string{"--source=manifest", "--manifest-path=" + dir, "--provider=aws", "--aws-endpoint=" + e.url,
		"--domain-filter=example.com", "--txt-owner-id=" + owner, "--txt-prefix=" + prefix, "--once", "--aws-batch-change-interval=0s"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("exodns: %v\n%s", err, log.String())
	}
}

// sets renders the fake's record sets of one name and type, one line each:
// set identifier, TTL, routing, values.
func (e *env) sets(name, rtype string) []string {
	var out []string
	for _, rr := range e.fake.RecordSets(e.zoneID) {
		if strings.TrimSuffix(*rr.Name, ".") != name || string(rr.Type) != rtype {
			continue
		}
		s := deref(rr.SetIdentifier)
		if rr.TTL != nil {
			s += fmt.Sprintf(" ttl=%d", *rr.TTL)
		}
		if rr.Weight != nil {
			s += fmt.Sprintf(" weight=%d", *rr.Weight)
		}
		if rr.Region != "" {
			s += " region=" + string(rr.Region)
		}
		if rr.Failover != "" {
			s += " failover=" + string(rr.Failover)
		}
		if rr.GeoLocation != nil {
			s += " geo=" + deref(rr.GeoLocation.ContinentCode) + deref(rr.GeoLocation.CountryCode)
		}
		if rr.MultiValueAnswer != nil && *rr.MultiValueAnswer {
			s += " multivalue"
		}
		if rr.HealthCheckId != nil {
			s += " hc=" + *rr.HealthCheckId
		}
		for _, v := range rr.ResourceRecords {
			s += " " + deref(v.Value)
		}
		out = append(out, strings.TrimSpace(s))
	}
	slices.Sort(out)
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func expect(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("record sets\n got  %q\n want %q", got, want)
	}
}

// healthCheck creates a health check in the fake through the SDK, as an
// operator would before annotating; Route 53 refuses unknown ids.
func (e *env) healthCheck(t *testing.T, ip string) string {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	client := route53.NewFromConfig(cfg, func(o *route53.Options) { o.BaseEndpoint = aws.String(e.url) })
	out, err := client.CreateHealthCheck(context.Background(), &route53.CreateHealthCheckInput{
		CallerReference: aws.String("exodns-" + ip),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String(ip),
			Port: aws.Int32(80), ResourcePath: aws.String("/healthz")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return *out.HealthCheck.Id
}

func TestTwoClustersWeighted(t *testing.T) {
	e := newEnv(t)
	rke2 := service("app", "203.0.113.10", map[string]string{"hostname": "app.example.com", "set-identifier": "rke2", "aws-weight": "80", "ttl": "60"})
	k3s := service("app", "203.0.113.20", map[string]string{"hostname": "app.example.com", "set-identifier": "k3s", "aws-weight": "20", "ttl": "60"})
	e.run(t, "rke2-cluster", "rke2", rke2)
	e.run(t, "k3s-cluster", "k3s", k3s)
	// Converged: another round of both clusters changes nothing, so
	// neither rewrites the other's records.
	e.fake.ResetCalls()
	e.run(t, "rke2-cluster", "rke2", rke2)
	e.run(t, "k3s-cluster", "k3s", k3s)
	if n := e.fake.Calls("ChangeResourceRecordSets"); n != 0 {
		t.Errorf("converged clusters made %d change calls", n)
	}
	expect(t, e.sets("app.example.com", "A"), "k3s ttl=60 weight=20 203.0.113.20", "rke2 ttl=60 weight=80 203.0.113.10")
	for owner, name := range map[string]string{"rke2-cluster": "rke2a-app.example.com", "k3s-cluster": "k3sa-app.example.com"} {
		got := e.sets(name, "TXT")
		if len(got) != 1 || !strings.Contains(got[0], "external-dns/owner="+owner) {
			t.Errorf("ownership TXT %s = %q", name, got)
		}
	}
	// One cluster leaving removes only its own set.
	e.run(t, "k3s-cluster", "k3s")
	expect(t, e.sets("app.example.com", "A"), "rke2 ttl=60 weight=80 203.0.113.10")
	if got := e.sets("k3sa-app.example.com", "TXT"); len(got) != 0 {
		t.Errorf("k3s ownership TXT left: %q", got)
	}
}

func TestRoutingPolicies(t *testing.T) {
	e := newEnv(t)
	hk, sg, primary := e.healthCheck(t, "203.0.113.1"), e.healthCheck(t, "203.0.113.2"), e.healthCheck(t, "203.0.113.3")
	manifests := []string{
		service("hk", "203.0.113.1", map[string]string{"hostname": "latency.example.com", "set-identifier": "glb-rke2-latency",
			"aws-region": "ap-east-1", "aws-health-check-id": hk}),
		service("sg", "203.0.113.2", map[string]string{"hostname": "latency.example.com", "set-identifier": "glb-k3s-latency",
			"aws-region": "ap-southeast-1", "aws-health-check-id": sg}),
		service("primary", "203.0.113.3", map[string]string{"hostname": "blog.example.com", "set-identifier": "primary-site",
			"aws-failover": "PRIMARY", "aws-health-check-id": primary}),
		service("secondary", "203.0.113.4", map[string]string{"hostname": "blog.example.com", "set-identifier": "secondary-site",
			"aws-failover": "SECONDARY"}),
		service("eu", "203.0.113.5", map[string]string{"hostname": "geo.example.com", "set-identifier": "eu", "aws-geolocation-continent-code": "EU"}),
		service("rest", "203.0.113.6", map[string]string{"hostname": "geo.example.com", "set-identifier": "default", "aws-geolocation-country-code": "*"}),
		service("mv1", "203.0.113.7", map[string]string{"hostname": "mv.example.com", "set-identifier": "mv1", "aws-multi-value-answer": "true"}),
		service("mv2", "203.0.113.8", map[string]string{"hostname": "mv.example.com", "set-identifier": "mv2", "aws-multi-value-answer": "true"}),
	}
	e.run(t, "rke2-cluster", "rke2", manifests...)
	e.fake.ResetCalls()
	e.run(t, "rke2-cluster", "rke2", manifests...)
	if n := e.fake.Calls("ChangeResourceRecordSets"); n != 0 {
		t.Errorf("a converged run made %d change calls", n)
	}
	expect(t, e.sets("latency.example.com", "A"),
		"glb-k3s-latency ttl=300 region=ap-southeast-1 hc="+sg+" 203.0.113.2",
		"glb-rke2-latency ttl=300 region=ap-east-1 hc="+hk+" 203.0.113.1")
	expect(t, e.sets("blog.example.com", "A"),
		"primary-site ttl=300 failover=PRIMARY hc="+primary+" 203.0.113.3",
		"secondary-site ttl=300 failover=SECONDARY 203.0.113.4")
	expect(t, e.sets("geo.example.com", "A"), "default ttl=300 geo=* 203.0.113.6", "eu ttl=300 geo=EU 203.0.113.5")
	expect(t, e.sets("mv.example.com", "A"), "mv1 ttl=300 multivalue 203.0.113.7", "mv2 ttl=300 multivalue 203.0.113.8")
}
