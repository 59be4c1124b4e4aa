//go:build integration

// Package aws2 drives the exodns command end to end against the other AWS
// ownership stores: the DynamoDB registry on dynalite (a real DynamoDB
// implementation, see hack/dynalite.sh), AWS Cloud Map through
// test/cloudmapfake, and the TXT registry's migration and cache flags on
// the Route 53 fake.
package aws2

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/cli"
	"github.com/exodns/exodns/test/route53fake"
)

// awsEnv points the AWS SDK's credential chain at static test credentials
// and away from any file on the machine.
func awsEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXODNSTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

type r53 struct {
	fake   *route53fake.Fake
	url    string
	zoneID string
}

func newRoute53(t *testing.T, opts route53fake.Options) *r53 {
	t.Helper()
	awsEnv(t)
	fake := route53fake.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &r53{fake: fake, url: srv.URL, zoneID: fake.AddZone("example.com", false, nil)}
}

// sets renders the zone's record sets as "name type value..." lines.
func (e *r53) sets(types ...string) []string {
	var out []string
	for _, rr := range e.fake.RecordSets(e.zoneID) {
		if !slices.Contains(types, string(rr.Type)) {
			continue
		}
		s := strings.TrimSuffix(*rr.Name, ".") + " " + string(rr.Type)
		for _, v := range rr.ResourceRecords {
			s += " " + *v.Value
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// manifests writes Services, one per name=ip pair, into a folder.
func manifests(t *testing.T, pairs ...string) string {
	t.Helper()
	dir := t.TempDir()
	for i, p := range pairs {
		name, ip, _ := strings.Cut(p, "=")
		host, _, _ := strings.Cut(name, ".")
		m := fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata:\n  name: %s\n  namespace: default\n  annotations:\n"+
			"    external-dns.alpha.kubernetes.io/hostname: %s\nspec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress: [{ip: %s}]\n",
			host, name, ip)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.yaml", i)), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// exodns runs one reconcile (--once) and returns its log.
func exodns(t *testing.T, args ...string) string {
	t.Helper()
	out, err := tryExodns(t, args...)
	if err != nil {
		t.Fatalf("exodns %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func tryExodns(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := cli.NewRootCommand(cli.BuildInfo{Version: "test"})
	var log strings.Builder
	cmd.SetOut(&log)
	cmd.SetErr(&log)
	cmd.SetArgs(append([]string{"--once", "--metrics-address="}, args...))
	err := cmd.ExecuteContext(context.Background())
	return log.String(), err
}

func expect(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s\n got  %q\n want %q", what, got, want)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func cutSpace(s string) (string, string, bool) { return strings.Cut(s, " ") }
func splitFields(s string) []string            { return strings.Fields(s) }
func cutPrefix(s, p string) (string, bool)     { return strings.CutPrefix(s, p) }

// newServer serves h on loopback for the test and returns its URL.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
