//go:build integration

package gatewayapi

import (
	"os"
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// TestCRDPaths: the files are the pinned release's CRDs of every kind
// exodns reads, each serving v1.
func TestCRDPaths(t *testing.T) {
	paths, err := CRDPaths()
	if err != nil {
		t.Fatal(err)
	}
	version, err := Version()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if got := crd.Annotations["gateway.networking.k8s.io/bundle-version"]; got != version {
			t.Errorf("%s: bundle version %q, go.mod pins %q", p, got, version)
		}
		served := slices.ContainsFunc(crd.Spec.Versions, func(v apiextensionsv1.CustomResourceDefinitionVersion) bool {
			return v.Name == "v1" && v.Served
		})
		if !served || !strings.Contains(p, crd.Annotations["gateway.networking.k8s.io/channel"]) {
			t.Errorf("%s: v1 served %v, channel %q", p, served, crd.Annotations["gateway.networking.k8s.io/channel"])
		}
		kinds = append(kinds, crd.Spec.Names.Kind)
	}
	slices.Sort(kinds)
	want := []string{"GRPCRoute", "Gateway", "HTTPRoute", "ListenerSet", "TCPRoute", "TLSRoute", "UDPRoute"}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
}
