//go:build integration

package aws

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/exodns/exodns/internal/cli"
	"github.com/exodns/exodns/test/gatewayapi"
)

// upstreamRecord is a record set as upstream external-dns writes it for a
// Gateway API route: the address record (TTL 300, Route 53's default) and
// its ownership TXT record naming the route as <kind>/<namespace>/<name>.
type upstreamRecord struct {
	name, rtype string
	targets     []string
	resource    string
}

// upstreamZone is what upstream external-dns publishes for the objects of
// gatewayObjects (gateway_handoff_objects_test.go), case by case.
func upstreamZone() []upstreamRecord {
	a := func(name, resource string, targets ...string) upstreamRecord {
		return upstreamRecord{name, "A", targets, resource}
	}
	return []upstreamRecord{
		// Listener intersection: a.elsewhere.example.com matches no listener.
		a("a.w.example.com", "httproute/web/narrow", "198.51.100.1"),
		// sectionName and port pick one listener each.
		a("api.example.com", "httproute/web/section", "198.51.100.1"),
		a("alt.example.com", "httproute/web/port", "198.51.100.1"),
		// allowedRoutes: Same, All, Selector (team=web), per listener.
		a("infra.same.example.com", "httproute/infra/r", "198.51.100.1"),
		a("infra.w.example.com", "httproute/infra/r", "198.51.100.1"),
		a("web.sel.example.com", "httproute/web/r", "198.51.100.1"),
		a("web.w.example.com", "httproute/web/r", "198.51.100.1"),
		a("db.w.example.com", "httproute/db/r", "198.51.100.1"),
		// The Gateway's target annotation; the route's is ignored.
		{"cdn-app.example.com", "CNAME", []string{"edge.cdn.example.net"}, "httproute/web/cdn"},
		// No spec hostnames: the listener's wildcard beside the annotation.
		a("*.w.example.com", "httproute/web/combo", "198.51.100.1"),
		a("combo.w.example.com", "httproute/web/combo", "198.51.100.1"),
		// One hostname, two routes, two Gateways: both addresses. Upstream
		// labels the record with whichever route it listed first; both
		// labels are adopted as they are.
		a("s1.example.com", "httproute/web/shared-a", "198.51.100.4", "198.51.100.5"),
		a("s2.example.com", "httproute/web/shared-b", "198.51.100.4", "198.51.100.5"),
		// u_s.example.com is dropped; ok.example.com stays.
		a("ok.example.com", "httproute/web/bad", "198.51.100.5"),
		// Every route kind, and a ListenerSet.
		a("rpc.g.example.com", "grpcroute/web/rpc", "198.51.100.1"),
		a("sni.t.example.com", "tlsroute/web/sni", "198.51.100.1"),
		a("db.example.com", "tcproute/web/db", "198.51.100.1"),
		a("dns.example.com", "udproute/web/dns", "198.51.100.1"),
		a("app.ls.example.com", "httproute/web/viaset", "198.51.100.1"),
	}
}

// TestGatewayHandoff: a zone upstream external-dns keeps for Gateway API
// routes is taken over by exodns with the same owner ID without a single
// change, and exodns alone on an empty zone writes the same records.
func TestGatewayHandoff(t *testing.T) {
	kubeconfig := startAPIServer(t)

	seeded := newEnv(t)
	var sets []types.ResourceRecordSet
	for _, r := range upstreamZone() {
		sets = append(sets, r.recordSets("handoff")...)
	}
	if err := seeded.fake.PutRecordSets(seeded.zoneID, sets...); err != nil {
		t.Fatal(err)
	}
	before := seeded.zone()
	seeded.fake.ResetCalls()
	seeded.runGateway(t, kubeconfig, "handoff")
	if n := seeded.fake.Calls("ChangeResourceRecordSets"); n != 0 {
		t.Errorf("exodns made %d change calls on upstream's zone\n before %q\n after  %q", n, before, seeded.zone())
	}

	// The same objects on an empty zone give upstream's records, except
	// for the one ownership label upstream chose arbitrarily: exodns labels
	// a shared record with the smallest route name.
	fresh := newEnv(t)
	fresh.runGateway(t, kubeconfig, "handoff")
	want := strings.ReplaceAll(strings.Join(before, "\n"),
		`s2.example.com. TXT 300 "heritage=external-dns,external-dns/owner=handoff,external-dns/resource=httproute/web/shared-b"`,
		`s2.example.com. TXT 300 "heritage=external-dns,external-dns/owner=handoff,external-dns/resource=httproute/web/shared-a"`)
	if got := strings.Join(fresh.zone(), "\n"); got != want {
		t.Errorf("exodns on an empty zone\n got  %s\n want %s", got, want)
	}
}

// recordSets are the address set and its ownership TXT set.
func (r upstreamRecord) recordSets(owner string) []types.ResourceRecordSet {
	rr := func(vs ...string) []types.ResourceRecord {
		var out []types.ResourceRecord
		for _, v := range vs {
			out = append(out, types.ResourceRecord{Value: aws.String(v)})
		}
		return out
	}
	txt := fmt.Sprintf(`"heritage=external-dns,external-dns/owner=%s,external-dns/resource=%s"`, owner, r.resource)
	return []types.ResourceRecordSet{
		{Name: aws.String(r.name), Type: types.RRType(r.rtype), TTL: aws.Int64(300), ResourceRecords: rr(r.targets...)},
		{Name: aws.String(strings.ToLower(r.rtype) + "-" + r.name), Type: types.RRTypeTxt, TTL: aws.Int64(300), ResourceRecords: rr(txt)},
	}
}

// zone renders every record set but the apex SOA and NS, one line each.
func (e *env) zone() []string {
	var out []string
	for _, s := range e.fake.RecordSets(e.zoneID) {
		if s.Type == types.RRTypeSoa || s.Type == types.RRTypeNs {
			continue
		}
		var vs []string
		for _, v := range s.ResourceRecords {
			vs = append(vs, deref(v.Value))
		}
		slices.Sort(vs)
		out = append(out, fmt.Sprintf("%s %s %d %s", deref(s.Name), s.Type, aws.ToInt64(s.TTL), strings.Join(vs, ",")))
	}
	slices.Sort(out)
	return out
}

// runGateway is one exodns reconcile (--once) of the Gateway API sources.
func (e *env) runGateway(t *testing.T, kubeconfig, owner string) {
	t.Helper()
	cmd := cli.NewRootCommand(cli.BuildInfo{Version: "test"})
	var log strings.Builder
	cmd.SetOut(io.Discard)
	cmd.SetErr(&log)
	cmd.SetArgs([]string{"--kubeconfig=" + kubeconfig, "--source=gateway-httproute", "--source=gateway-grpcroute",
		"--source=gateway-tlsroute", "--source=gateway-tcproute", "--source=gateway-udproute", "--gateway-listener-sets",
		"--provider=aws", "--aws-endpoint=" + e.url, "--domain-filter=example.com", "--txt-owner-id=" + owner,
		"--once", "--aws-batch-change-interval=0s", "--metrics-address="})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("exodns: %v\n%s", err, log.String())
	}
}

// startAPIServer runs a kube-apiserver with the real Gateway API CRDs,
// creates the objects of gatewayObjects with the status their controllers
// would write, and returns a kubeconfig for it.
func startAPIServer(t *testing.T) string {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("KUBEBUILDER_ASSETS is not set; run hack/k8s-test-bins.sh and export the folder it prints")
		}
		t.Skip("KUBEBUILDER_ASSETS is not set (see hack/k8s-test-bins.sh)")
	}
	paths, err := gatewayapi.CRDPaths()
	if err != nil {
		t.Fatal(err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets,
		CRDInstallOptions: envtest.CRDInstallOptions{Paths: paths, ErrorIfPathMissing: true}}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	createGatewayObjects(t, cfg)
	user, err := env.AddUser(envtest.User{Name: "exodns", Groups: []string{"system:masters"}}, nil)
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
