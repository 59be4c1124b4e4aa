//go:build integration

package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// apiServer is a real kube-apiserver and etcd (envtest), started on first
// use and stopped by TestMain.
var apiServer struct {
	once       sync.Once
	env        *envtest.Environment
	cfg        *rest.Config
	kubeconfig string
	err        error
}

func stopAPIServer() {
	if apiServer.env != nil {
		_ = apiServer.env.Stop()
	}
	if apiServer.kubeconfig != "" {
		_ = os.RemoveAll(filepath.Dir(apiServer.kubeconfig))
	}
}

// testAPIServer returns the shared API server and a kubeconfig file for it.
func testAPIServer(t testing.TB) (*rest.Config, string) {
	t.Helper()
	assets := need(t, "KUBEBUILDER_ASSETS", "hack/k8s-test-bins.sh")
	apiServer.once.Do(func() {
		env := &envtest.Environment{
			BinaryAssetsDirectory: assets,
			CRDDirectoryPaths:     []string{filepath.Join(repoRoot, "test", "deploy", "testdata", "crds")},
			ErrorIfCRDPathMissing: true,
		}
		cfg, err := env.Start()
		if err != nil {
			apiServer.err = err
			return
		}
		apiServer.env, apiServer.cfg = env, cfg
		user, err := env.AddUser(envtest.User{Name: "deploy-test", Groups: []string{"system:masters"}}, nil)
		if err != nil {
			apiServer.err = err
			return
		}
		kc, err := user.KubeConfig()
		if err != nil {
			apiServer.err = err
			return
		}
		dir, err := os.MkdirTemp("", "exodns-deploy-")
		if err != nil {
			apiServer.err = err
			return
		}
		apiServer.kubeconfig = filepath.Join(dir, "kubeconfig")
		apiServer.err = os.WriteFile(apiServer.kubeconfig, kc, 0o600)
	})
	if apiServer.err != nil {
		t.Fatalf("starting the API server: %v", apiServer.err)
	}
	return apiServer.cfg, apiServer.kubeconfig
}

// TestInstallOnAPIServer installs the chart with every value set on a real
// API server, with helm (no dry run): the CRDs, then every object helm
// renders must be created and accepted. Each object is then read back, and
// the release uninstalled so the next value set starts clean.
func TestInstallOnAPIServer(t *testing.T) {
	h := helm(t)
	cfg, kubeconfig := testAPIServer(t)
	dyn, mapper := clients(t, cfg)
	for _, c := range valueCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			args := append([]string{"install", c.release, chartDir, "--kubeconfig", kubeconfig,
				"--namespace", c.namespace, "--create-namespace"}, c.args()...)
			out, err := run(ctx, repoRoot, h, args...)
			if err != nil {
				t.Fatalf("helm install: %v\n%s", err, out)
			}
			if !strings.Contains(out, "STATUS: deployed") {
				t.Fatalf("helm install did not deploy:\n%s", out)
			}
			objs := mustTemplate(t, c, "--include-crds")
			for _, o := range objs {
				if err := getObject(ctx, dyn, mapper, o); err != nil {
					t.Errorf("%s %s/%s was not created: %v", o.GetKind(), o.GetNamespace(), o.GetName(), err)
				}
			}
			if _, err := run(ctx, repoRoot, h, "uninstall", c.release, "--kubeconfig", kubeconfig, "--namespace", c.namespace, "--wait"); err != nil {
				t.Fatalf("helm uninstall: %v", err)
			}
		})
	}

	// A value exodns cannot honour stops the install before anything exists.
	t.Run("refused", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := run(ctx, repoRoot, h, "install", "refused", chartDir, "--kubeconfig", kubeconfig,
			"--namespace", "refused", "--create-namespace", "--set", "provider.name=cloudflare")
		if err == nil || !strings.Contains(err.Error(), "provider.name=cloudflare") {
			t.Fatalf("helm install with provider.name=cloudflare: %v", err)
		}
		deps, err := dyn.Resource(deploymentsGVR).Namespace("refused").List(ctx, metav1.ListOptions{})
		if err == nil && len(deps.Items) > 0 {
			t.Fatalf("a refused install left %d Deployments", len(deps.Items))
		}
	})
}

func clients(t testing.TB, cfg *rest.Config) (dynamic.Interface, meta.RESTMapper) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return dyn, restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
}

func getObject(ctx context.Context, dyn dynamic.Interface, mapper meta.RESTMapper, o *unstructured.Unstructured) error {
	gvk := o.GroupVersionKind()
	m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("no resource for %s: %w", gvk, err)
	}
	var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = dyn.Resource(m.Resource).Namespace(o.GetNamespace())
	}
	got, err := ri.Get(ctx, o.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return err
	}
	if err != nil {
		return err
	}
	if got.GetUID() == "" {
		return fmt.Errorf("no uid")
	}
	return nil
}

var deploymentsGVR = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}

// createObject creates o on the API server (no dry run) and returns a func
// that deletes it again. A Namespace or CRD that exists already (made by an
// earlier install) is left as it is.
func createObject(ctx context.Context, dyn dynamic.Interface, mapper meta.RESTMapper, o *unstructured.Unstructured) (func(), error) {
	gvk := o.GroupVersionKind()
	var m *meta.RESTMapping
	// A CRD created a moment ago is served once discovery sees it.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		m, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		if r, ok := mapper.(interface{ Reset() }); ok {
			r.Reset()
		}
		time.Sleep(200 * time.Millisecond)
	}
	var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = dyn.Resource(m.Resource).Namespace(o.GetNamespace())
	}
	_, err := ri.Create(ctx, o, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) && (o.GetKind() == "Namespace" || o.GetKind() == "CustomResourceDefinition") {
		return func() {}, nil
	}
	if err != nil {
		return nil, err
	}
	if o.GetKind() == "Namespace" {
		// Kept: without a controller-manager a deleted namespace stays
		// Terminating and refuses everything after.
		return func() {}, nil
	}
	return func() { _ = ri.Delete(context.Background(), o.GetName(), metav1.DeleteOptions{}) }, nil
}
