package annotations

import (
	"reflect"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestProviderSpecificMapping(t *testing.T) {
	tests := []struct {
		key  string
		want string // "" means not provider-specific
	}{
		{a + "aws-weight", "aws/weight"},
		{a + "aws-geolocation-country-code", "aws/geolocation-country-code"},
		{a + "aws-health-check-id", "aws/health-check-id"},
		{s + "aws-region", "aws/region"},
		{a + "webhook-anything-goes", "webhook/anything-goes"},
		{a + "coredns-group", "coredns/group"},
		{a + "scw-something", "scw/something"},
		{a + "azure-tags", "azure/tags"},
		{a + "azure-other", ""},
		{a + "ibmcloud-proxied", "ibmcloud-proxied"},
		{a + "cloudflare-proxied", PrefixAlpha + "cloudflare-proxied"},
		{s + "cloudflare-region-key", PrefixAlpha + "cloudflare-region-key"},
		{a + "cloudflare-record-comment", PrefixAlpha + "cloudflare-record-comment"},
		{a + "cloudflare-custom-hostname", PrefixAlpha + "cloudflare-custom-hostname"},
		{a + "cloudflare-tags", PrefixAlpha + "cloudflare-tags"},
		{a + "gslb-weight", "gslb/weight"},
		{a + "exodns-health-check", "exodns/health-check"},
		{a + "ingress", ""},
		{a + "unknown-key", ""},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			v, errs := NewParser("").Parse(map[string]string{tt.key: "v"})
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			var want endpoint.ProviderSpecific
			if tt.want != "" {
				want = endpoint.ProviderSpecific{{Name: tt.want, Value: "v"}}
			}
			if !reflect.DeepEqual(v.ProviderSpecific, want) {
				t.Errorf("got %v, want %v", v.ProviderSpecific, want)
			}
		})
	}
}

func TestProviderSpecificSortedAndPrioritised(t *testing.T) {
	ann := map[string]string{
		a + "webhook-z":          "1",
		a + "aws-weight":         "10",
		s + "aws-weight":         "20",
		a + "cloudflare-proxied": "true",
		a + "alias":              "true",
		a + "set-identifier":     "x",
	}
	v, errs := NewParser("").Parse(ann)
	if len(errs) != 1 {
		t.Fatalf("want the aws-weight conflict reported, got %v", errs)
	}
	want := endpoint.ProviderSpecific{
		{Name: "alias", Value: "true"},
		{Name: "aws/weight", Value: "20"},
		{Name: PrefixAlpha + "cloudflare-proxied", Value: "true"},
		{Name: "webhook/z", Value: "1"},
	}
	if !reflect.DeepEqual(v.ProviderSpecific, want) {
		t.Errorf("got %v\nwant %v", v.ProviderSpecific, want)
	}
}
