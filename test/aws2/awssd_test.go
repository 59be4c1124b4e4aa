//go:build integration

package aws2

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/exodns/exodns/test/cloudmapfake"
)

// The scenarios of upstream's aws-sd tutorial: namespace
// external-dns-test.my-org.com, a LoadBalancer Service nginx, owner
// my-identifier.
const sdNamespace = "external-dns-test.my-org.com"

type cloudMap struct {
	fake *cloudmapfake.Fake
	url  string
	ns   string
}

func newCloudMap(t *testing.T, opts cloudmapfake.Options) *cloudMap {
	t.Helper()
	awsEnv(t)
	f := cloudmapfake.New(opts)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &cloudMap{fake: f, url: srv.URL, ns: f.AddNamespace(sdNamespace, false)}
}

// services renders the namespace: "name policy type/ttl desc=... [tags] instance=attr=value ...".
func (c *cloudMap) services() []string {
	var out []string
	for name, s := range c.fake.Services(c.ns) {
		line := name + " " + s.RoutingPolicy
		for _, r := range s.Records {
			line += fmt.Sprintf(" %s/%d", r.Type, *r.TTL)
		}
		line += " desc=" + s.Description
		var tags []string
		for k, v := range s.Tags {
			tags = append(tags, k+"="+v)
		}
		sort.Strings(tags)
		if len(tags) > 0 {
			line += " tags=" + strings.Join(tags, ",")
		}
		var insts []string
		for id, attrs := range s.Instances {
			for k, v := range attrs {
				insts = append(insts, id+":"+k+"="+v)
			}
		}
		sort.Strings(insts)
		for _, i := range insts {
			line += " " + i
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// sdService writes a Service manifest; ann are annotation name=value pairs.
func sdService(t *testing.T, dir, name, lb string, ann ...string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: default\n  annotations:\n", name)
	fmt.Fprintf(&b, "    external-dns.alpha.kubernetes.io/hostname: %s.%s\n", name, sdNamespace)
	for _, a := range ann {
		k, v, _ := strings.Cut(a, "=")
		fmt.Fprintf(&b, "    external-dns.alpha.kubernetes.io/%s: %q\n", k, v)
	}
	ingress := "{ip: " + lb + "}"
	if strings.ContainsAny(lb, "abcdefghijklmnopqrstuvwxyz") && !strings.Contains(lb, ":") {
		ingress = "{hostname: " + lb + "}"
	}
	fmt.Fprintf(&b, "spec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress: [%s]\n", ingress)
	writeFile(t, filepath.Join(dir, name+".yaml"), b.String())
}

func (c *cloudMap) args(dir string, extra ...string) []string {
	return append([]string{"--source=manifest", "--manifest-path=" + dir, "--provider=aws-sd", "--aws-sd-endpoint=" + c.url,
		"--domain-filter=" + sdNamespace, "--aws-zone-type=public", "--txt-owner-id=my-identifier", "--policy=sync"}, extra...)
}

const nginxDesc = "desc=heritage=external-dns,external-dns/owner=my-identifier,external-dns/resource=service/default/nginx"

// TestAWSSDTutorial walks upstream's tutorial: the Service becomes a
// service with a MULTIVALUE A record (TTL 300) and an instance per
// address, owned through its description; the ttl annotation changes the
// TTL in place; deleting the Service deregisters its instance and, with
// --aws-sd-service-cleanup, deletes the service.
func TestAWSSDTutorial(t *testing.T) {
	c := newCloudMap(t, cloudmapfake.Options{})
	dir := t.TempDir()
	sdService(t, dir, "nginx", "192.0.2.10")
	log := exodns(t, c.args(dir)...)
	if !strings.Contains(log, "using --registry=aws-sd") {
		t.Errorf("the default TXT registry was not switched to aws-sd, as upstream does:\n%s", log)
	}
	expect(t, "after create", c.services(),
		"nginx MULTIVALUE A/300 "+nginxDesc+" 192.0.2.10:AWS_INSTANCE_IPV4=192.0.2.10")

	sdService(t, dir, "nginx", "192.0.2.11", "ttl=60")
	exodns(t, c.args(dir)...)
	expect(t, "after a new address and TTL", c.services(),
		"nginx MULTIVALUE A/60 "+nginxDesc+" 192.0.2.11:AWS_INSTANCE_IPV4=192.0.2.11")

	c.fake.ResetCalls()
	exodns(t, c.args(dir)...)
	for _, op := range []string{"CreateService", "UpdateService", "RegisterInstance", "DeregisterInstance", "DeleteService"} {
		if n := c.fake.Calls(op); n != 0 {
			t.Errorf("converged run called %s %d times", op, n)
		}
	}

	if err := os.Remove(filepath.Join(dir, "nginx.yaml")); err != nil {
		t.Fatal(err)
	}
	sdService(t, dir, "keep", "192.0.2.20")
	exodns(t, c.args(dir)...)
	expect(t, "without cleanup the empty service stays", c.services(),
		"keep MULTIVALUE A/300 desc=heritage=external-dns,external-dns/owner=my-identifier,external-dns/resource=service/default/keep 192.0.2.20:AWS_INSTANCE_IPV4=192.0.2.20",
		"nginx MULTIVALUE A/60 "+nginxDesc)
	exodns(t, c.args(dir, "--aws-sd-service-cleanup")...)
	expect(t, "with cleanup", c.services(),
		"keep MULTIVALUE A/300 desc=heritage=external-dns,external-dns/owner=my-identifier,external-dns/resource=service/default/keep 192.0.2.20:AWS_INSTANCE_IPV4=192.0.2.20")
}

// TestAWSSDTargets: IPv6 is an AAAA service; a hostname a CNAME service
// (WEIGHTED); an AWS load balancer an alias in an A service (WEIGHTED);
// --aws-sd-create-tag tags what exodns creates.
func TestAWSSDTargets(t *testing.T) {
	c := newCloudMap(t, cloudmapfake.Options{})
	dir := t.TempDir()
	sdService(t, dir, "v6", "2001:db8::1")
	sdService(t, dir, "web", "web.example.org")
	sdService(t, dir, "lb", "my-lb-1234.us-east-1.elb.amazonaws.com")
	exodns(t, c.args(dir, "--aws-sd-create-tag=team=dns", "--aws-sd-create-tag=env=prod")...)
	desc := func(n string) string {
		return "desc=heritage=external-dns,external-dns/owner=my-identifier,external-dns/resource=service/default/" + n + " tags=env=prod,team=dns"
	}
	expect(t, "services", c.services(),
		"lb WEIGHTED A/300 "+desc("lb")+" my-lb-1234.us-east-1.elb.amazonaws.com:AWS_ALIAS_DNS_NAME=my-lb-1234.us-east-1.elb.amazonaws.com",
		"v6 MULTIVALUE AAAA/300 "+desc("v6")+" 2001:db8::1:AWS_INSTANCE_IPV6=2001:db8::1",
		"web WEIGHTED CNAME/300 "+desc("web")+" web.example.org:AWS_INSTANCE_CNAME=web.example.org")
	// Read back: nothing more to do.
	c.fake.ResetCalls()
	exodns(t, c.args(dir)...)
	if n := c.fake.Calls("RegisterInstance") + c.fake.Calls("CreateService") + c.fake.Calls("UpdateService"); n != 0 {
		t.Errorf("converged run made %d writes", n)
	}
}

// TestAWSSDOtherOwner: a service owned by another controller is neither
// changed nor deleted, and our wish for its name is refused with the owner
// named; a namespace outside --domain-filter or of the other type is not
// touched.
func TestAWSSDOtherOwner(t *testing.T) {
	c := newCloudMap(t, cloudmapfake.Options{})
	private := c.fake.AddNamespace("corp.internal", true)
	dir := t.TempDir()
	sdService(t, dir, "shared", "192.0.2.1")
	exodns(t, c.args(dir, "--txt-owner-id=team-b")...)
	sdService(t, dir, "shared", "192.0.2.2")
	log := exodns(t, c.args(dir)...)
	expect(t, "services", c.services(),
		"shared MULTIVALUE A/300 desc=heritage=external-dns,external-dns/owner=team-b,external-dns/resource=service/default/shared 192.0.2.1:AWS_INSTANCE_IPV4=192.0.2.1")
	if !strings.Contains(log, "shared."+sdNamespace) {
		t.Errorf("the other owner's name is not reported:\n%s", log)
	}
	if len(c.fake.Services(private)) != 0 {
		t.Error("wrote into a private namespace with --aws-zone-type=public")
	}
}

// TestAWSSDAsyncCleanup: Cloud Map deregisters asynchronously, so the empty
// service is still in use right after; the next run deletes it.
func TestAWSSDAsyncCleanup(t *testing.T) {
	c := newCloudMap(t, cloudmapfake.Options{SettleAfter: 3})
	dir := t.TempDir()
	sdService(t, dir, "nginx", "192.0.2.10")
	exodns(t, c.args(dir, "--aws-sd-service-cleanup")...)
	exodns(t, c.args(dir, "--aws-sd-service-cleanup")...) // settles the registration
	if err := os.Remove(filepath.Join(dir, "nginx.yaml")); err != nil {
		t.Fatal(err)
	}
	exodns(t, c.args(dir, "--aws-sd-service-cleanup")...)
	if !slices.ContainsFunc(c.services(), func(s string) bool { return strings.HasPrefix(s, "nginx ") }) {
		t.Fatal("the service went before its instance settled; the fake should have refused")
	}
	for range 3 {
		exodns(t, c.args(dir, "--aws-sd-service-cleanup")...)
	}
	expect(t, "after the deregistration settled", c.services())
}

// TestAWSSDDryRun writes nothing.
func TestAWSSDDryRun(t *testing.T) {
	c := newCloudMap(t, cloudmapfake.Options{})
	dir := t.TempDir()
	sdService(t, dir, "nginx", "192.0.2.10")
	exodns(t, c.args(dir, "--dry-run")...)
	if got := c.services(); len(got) != 0 {
		t.Errorf("dry run wrote %v", got)
	}
}

// TestAWSSDRegistryNeedsProvider: --registry=aws-sd alone is refused.
func TestAWSSDRegistryNeedsProvider(t *testing.T) {
	out, err := tryExodns(t, "--source=manifest", "--manifest-path=.", "--provider=inmemory", "--inmemory-zone=example.com", "--registry=aws-sd")
	if err == nil || !strings.Contains(err.Error(), "--provider=aws-sd") {
		t.Errorf("err %v\n%s", err, out)
	}
}
