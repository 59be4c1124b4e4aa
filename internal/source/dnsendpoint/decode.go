package dnsendpoint

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/exodns/exodns/internal/source"
)

// Decode reads one DNSEndpoint from YAML or JSON, whatever its apiVersion
// and kind; use Matches to check them. Unknown fields are ignored, since
// other publishers of the shape may add their own.
func Decode(data []byte) (*DNSEndpoint, error) {
	var d DNSEndpoint
	if err := yaml.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dnsendpoint: decode: %w", err)
	}
	return &d, nil
}

// FromUnstructured converts an object read through a dynamic client or
// informer, whatever its apiVersion and kind.
func FromUnstructured(obj map[string]any) (*DNSEndpoint, error) {
	if obj == nil {
		return nil, errors.New("dnsendpoint: from unstructured: nil object")
	}
	var d DNSEndpoint
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj, &d); err != nil {
		return nil, fmt.Errorf("dnsendpoint: from unstructured: %w", err)
	}
	return &d, nil
}

// APIVersionKind returns the apiVersion and kind this controller reads as
// DNSEndpoints (--crd-source-apiversion, --crd-source-kind).
func APIVersionKind(opts source.Options) (apiVersion, kind string) {
	apiVersion, kind = opts.CRDAPIVersion, opts.CRDKind
	if apiVersion == "" {
		apiVersion = DefaultAPIVersion
	}
	if kind == "" {
		kind = DefaultKind
	}
	return apiVersion, kind
}

// Matches reports whether an object of this apiVersion and kind is one this
// controller reads as a DNSEndpoint.
func Matches(apiVersion, kind string, opts source.Options) bool {
	wantVersion, wantKind := APIVersionKind(opts)
	return apiVersion == wantVersion && kind == wantKind
}
