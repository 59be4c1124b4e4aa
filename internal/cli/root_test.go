package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := NewRootCommand(BuildInfo{Version: "test", Commit: "abc"})
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// changes returns "action name type" for each logged record change.
func changes(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "record changed" {
			continue
		}
		out = append(out, rec["action"].(string)+" "+rec["name"].(string)+" "+rec["type"].(string))
	}
	slices.Sort(out)
	return out
}

func TestOnceWithExamples(t *testing.T) {
	t.Setenv("EXTERNAL_DNS_TXT_OWNER_ID", "env-owner")
	out, err := run(t, "--source=manifest", "--manifest-path=../../examples", "--provider=inmemory",
		"--inmemory-zone=example.com", "--once", "--log-format=json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{"create api.example.com A", "create app.example.com A", "create docs.example.com CNAME",
		"create secure.example.com A", "create www.example.com A"}
	if got := changes(t, out); !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q\n%s", got, want, out)
	}
	if !strings.Contains(out, `"owner":"env-owner"`) {
		t.Errorf("EXTERNAL_DNS_TXT_OWNER_ID not applied:\n%s", out)
	}
}

func TestDryRunAndFilters(t *testing.T) {
	out, err := run(t, "--source=manifest", "--manifest-path=../../examples", "--inmemory-zone=example.com",
		"--once", "--dry-run", "--log-format=json", "--exclude-domains=api.example.com", "--managed-record-types=A")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := changes(t, out)
	if slices.Contains(got, "create api.example.com A") || slices.Contains(got, "create docs.example.com CNAME") {
		t.Errorf("filters not applied: %q", got)
	}
	if !strings.Contains(out, "dry-run: would change record") {
		t.Errorf("dry run did not log its plan:\n%s", out)
	}
}

func TestInvalidConfigIsReported(t *testing.T) {
	out, err := run(t, "--source=manifest", "--manifest-path=x", "--inmemory-zone=example.com", "--txt-prefix=a", "--txt-suffix=b", "--policy=nope")
	if err == nil || !strings.Contains(err.Error(), "mutually exclusive") || !strings.Contains(err.Error(), "--policy") {
		t.Fatalf("err = %v\n%s", err, out)
	}
}

func TestVersion(t *testing.T) {
	out, err := run(t, "version")
	if err != nil || !strings.Contains(out, "exodns test (commit abc)") {
		t.Fatalf("%q %v", out, err)
	}
}

// TestOnceEmbeddedNameOutsideZones: one name outside every --embedded-zone
// used to fail the whole batch, forever (--once exited 1). It is reported
// and skipped; the rest is published and the run succeeds.
func TestOnceEmbeddedNameOutsideZones(t *testing.T) {
	dir := t.TempDir()
	manifest := `apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: mixed, namespace: default}
spec:
  endpoints:
  - {dnsName: app.example.com, recordType: A, targets: [192.0.2.1]}
  - {dnsName: ok.example.org, recordType: A, targets: [192.0.2.2]}
`
	if err := os.WriteFile(filepath.Join(dir, "m.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "--source=manifest", "--manifest-path="+dir, "--provider=embedded", "--embedded-zone=example.org",
		"--embedded-db="+filepath.Join(dir, "db"), "--embedded-listen=127.0.0.1:0", "--txt-owner-id=t", "--once", "--log-format=json")
	if err != nil {
		t.Fatalf("--once failed: %v\n%s", err, out)
	}
	if got := changes(t, out); !slices.Contains(got, "create ok.example.org A") || slices.Contains(got, "create app.example.com A") {
		t.Errorf("changes %q\n%s", got, out)
	}
	if !strings.Contains(out, "record refused by the provider") || !strings.Contains(out, "app.example.com") || !strings.Contains(out, "--embedded-zone") {
		t.Errorf("the stray name is not reported with its reason:\n%s", out)
	}
}

// TestOnceDelegation: --source=gslb-delegation writes the GSLB zone's NS
// and glue into the parent zone's provider.
func TestOnceDelegation(t *testing.T) {
	out, err := run(t, "--source=gslb-delegation", "--gslb-delegation-zone=gslb.example.com",
		"--gslb-delegation-nameserver=ns1.cluster-a.example.com=192.0.2.10", "--gslb-delegation-nameserver=ns1.cluster-b.example.com=192.0.2.11",
		"--provider=inmemory", "--inmemory-zone=example.com", "--managed-record-types=A,NS", "--txt-owner-id=t", "--once", "--log-format=json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{"create gslb.example.com NS", "create ns1.cluster-a.example.com A", "create ns1.cluster-b.example.com A"}
	if got := changes(t, out); !slices.Equal(got, want) {
		t.Errorf("changes %q, want %q\n%s", got, want, out)
	}
}
