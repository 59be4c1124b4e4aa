//go:build integration

// Package deploy tests what a user installs: the OCI image (hack/image),
// the Helm chart (deploy/chart/exodns), the plain manifests rendered from it
// (deploy/manifests), and the pod they make, run by a real kubelet.
//
// The tools come from the environment, as hack/test.sh and .ci/run set it:
// HELM (hack/helm.sh), KUBEBUILDER_ASSETS (hack/k8s-test-bins.sh),
// EXODNS_CLUSTER_BINS (hack/cluster/k8s-node-bins.sh) and EXODNS_IMAGE (the
// OCI tar of hack/image/build.sh). A test whose tool is missing skips, except
// under CI=true, where it fails.
package deploy

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopAPIServer()
	removeImageBuilds()
	os.Exit(code)
}

// repoRoot is the checkout this file is in.
var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}()

// chartDir is the chart under test.
var chartDir = filepath.Join(repoRoot, "deploy", "chart", "exodns")

func inCI() bool { return os.Getenv("CI") == "true" }

// need returns the value of env, which names a tool or folder that made by
// the script hint. Missing, the test skips; under CI=true it fails.
func need(t testing.TB, env, hint string) string {
	t.Helper()
	v := os.Getenv(env)
	if v != "" {
		if _, err := os.Stat(v); err == nil {
			return v
		}
	}
	msg := env + " is not set or does not exist (" + hint + " makes it)"
	if inCI() {
		t.Fatal(msg)
	}
	t.Skip("skipping: " + msg)
	return ""
}

// helm is the helm binary built from the module proxy.
func helm(t testing.TB) string { return need(t, "HELM", "hack/helm.sh") }

// run runs a command and returns its standard output; stderr goes into the
// error.
func run(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), &cmdError{cmd: name + " " + strings.Join(args, " "), err: err, stderr: errb.String()}
	}
	return out.String(), nil
}

type cmdError struct {
	cmd, stderr string
	err         error
}

func (e *cmdError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + e.stderr }

// eventually polls cond until it holds or timeout passes; it is the only
// wait these tests use, never a fixed sleep.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if msg != "" {
			last = msg
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %s", what, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
