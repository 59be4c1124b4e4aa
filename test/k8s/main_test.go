//go:build integration

// Package k8s runs exodns's Kubernetes sources, status writer, events and
// leader election against a real API server and etcd (envtest), with the
// rest of the pipeline (TXT registry, controller) as the binary builds it.
// KUBEBUILDER_ASSETS names the folder with kube-apiserver and etcd; see
// hack/k8s-test-bins.sh. Without it the tests skip, except under CI=true.
package k8s

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// apiServer is the one API server every test shares; each test works in a
// namespace of its own. Starting one costs seconds, so once per run.
var apiServer *rest.Config

// testEnv is the running envtest, for tests that need a kubeconfig file.
var testEnv *envtest.Environment

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "KUBEBUILDER_ASSETS is not set; run hack/k8s-test-bins.sh and export the folder it prints")
			return 1
		}
		fmt.Fprintln(os.Stderr, "skipping: KUBEBUILDER_ASSETS is not set (see hack/k8s-test-bins.sh)")
		return 0
	}
	_, file, _, _ := runtime.Caller(0)
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{
			filepath.Join(filepath.Dir(file), "..", "..", "deploy", "chart", "exodns", "crds"),
			filepath.Join(filepath.Dir(file), "testdata", "crds"),
		},
		ErrorIfCRDPathMissing: true,
	}
	// The default /24 holds 254 Services; the scale test needs thousands.
	env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.96.0.0/16")
	cfg, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	apiServer, testEnv = cfg, env
	return m.Run()
}
