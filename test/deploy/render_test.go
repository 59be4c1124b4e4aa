//go:build integration

package deploy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// valueCase is one way of installing the chart.
type valueCase struct {
	name      string
	release   string
	namespace string
	files     []string // under testdata/values
	set       []string // --set a=b
}

// The value sets the evidence asks for: the chart's defaults, the seeds'
// two clusters (upstream values unchanged), the embedded provider with two
// replicas, and upstream's wider surface.
var valueCases = []valueCase{
	{name: "defaults", release: "exodns", namespace: "exodns"},
	{name: "rke2", release: "external-dns", namespace: "external-dns", files: []string{"rke2.yaml"}},
	{name: "k3s", release: "external-dns", namespace: "external-dns", files: []string{"k3s.yaml"}},
	{name: "embedded-ha", release: "exodns", namespace: "exodns", files: []string{"embedded-ha.yaml"}},
	{name: "upstream-full", release: "external-dns", namespace: "external-dns", files: []string{"upstream-full.yaml"}},
}

func (c valueCase) args() []string {
	var a []string
	for _, f := range c.files {
		a = append(a, "-f", filepath.Join(repoRoot, "test", "deploy", "testdata", "values", f))
	}
	for _, s := range c.set {
		a = append(a, "--set", s)
	}
	return a
}

// helmTemplate renders the chart as `helm template` does for an install.
func helmTemplate(t testing.TB, c valueCase, extra ...string) ([]*unstructured.Unstructured, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	args := append([]string{"template", c.release, chartDir, "--namespace", c.namespace}, c.args()...)
	out, err := run(ctx, repoRoot, helm(t), append(args, extra...)...)
	if err != nil {
		return nil, err
	}
	objs, err := decodeObjects([]byte(out))
	if err != nil {
		t.Fatalf("%s: rendered YAML does not parse: %v", c.name, err)
	}
	return objs, nil
}

func mustTemplate(t testing.TB, c valueCase, extra ...string) []*unstructured.Unstructured {
	t.Helper()
	objs, err := helmTemplate(t, c, extra...)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return objs
}

// decodeObjects splits a multi-document YAML stream into objects, skipping
// empty documents.
func decodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []*unstructured.Unstructured
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}

func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && (name == "" || o.GetName() == name) {
			return o
		}
	}
	return nil
}

func mustFind(t testing.TB, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	o := find(objs, kind, name)
	if o == nil {
		var have []string
		for _, o := range objs {
			have = append(have, o.GetKind()+"/"+o.GetName())
		}
		t.Fatalf("no %s %q rendered; have %s", kind, name, strings.Join(have, ", "))
	}
	return o
}

// container is the exodns container of the rendered Deployment.
func container(t testing.TB, objs []*unstructured.Unstructured) map[string]any {
	t.Helper()
	d := mustFind(t, objs, "Deployment", "")
	cs, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, c := range cs {
		if m := c.(map[string]any); m["name"] == "exodns" {
			return m
		}
	}
	t.Fatal("no exodns container")
	return nil
}

func containerArgs(t testing.TB, objs []*unstructured.Unstructured) []string {
	t.Helper()
	var out []string
	for _, a := range container(t, objs)["args"].([]any) {
		out = append(out, a.(string))
	}
	return out
}
