//go:build integration

package deploy

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestManifestsInStep re-renders deploy/manifests from the chart and
// expects the committed files, byte for byte: the plain manifests are the
// chart, for users without Helm, never a copy that drifts.
func TestManifestsInStep(t *testing.T) {
	h := helm(t)
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := run(ctx, repoRoot, "env", "HELM="+h, "OUT="+out, filepath.Join(repoRoot, "hack", "render-manifests.sh")); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join(repoRoot, "deploy", "manifests")
	rendered, err := filepath.Glob(filepath.Join(out, "*.yaml"))
	if err != nil || len(rendered) < 3 {
		t.Fatalf("rendered %v (%v)", rendered, err)
	}
	for _, r := range rendered {
		name := filepath.Base(r)
		want, _ := os.ReadFile(r)
		got, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil || string(got) != string(want) {
			t.Errorf("deploy/manifests/%s is not what the chart renders; run hack/render-manifests.sh", name)
		}
	}
	have, _ := filepath.Glob(filepath.Join(committed, "*.yaml"))
	if len(have) != len(rendered) {
		t.Errorf("deploy/manifests has %d files, the chart renders %d", len(have), len(rendered))
	}
}

// TestManifestsApply creates every object of each plain manifest on a real
// API server, as `kubectl apply -f crds.yaml -f FILE` would, and deletes
// them again before the next file.
func TestManifestsApply(t *testing.T) {
	cfg, _ := testAPIServer(t)
	dyn, mapper := clients(t, cfg)
	for _, file := range []string{"embedded.yaml", "aws.yaml"} {
		t.Run(file, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			n := 0
			for _, name := range []string{"crds.yaml", file} {
				data, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "manifests", name))
				if err != nil {
					t.Fatal(err)
				}
				objs, err := decodeObjects(data)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range objs {
					del, err := createObject(ctx, dyn, mapper, o)
					if err != nil {
						t.Errorf("%s: %s %s: %v", name, o.GetKind(), o.GetName(), err)
						continue
					}
					t.Cleanup(del)
					n++
				}
			}
			if n < 8 {
				t.Errorf("only %d objects", n)
			}
		})
	}
}
