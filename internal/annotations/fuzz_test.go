package annotations

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

// FuzzParse feeds arbitrary annotation maps: keys are built from a chosen
// prefix and a fuzzed name so that the known keys are reached often.
func FuzzParse(f *testing.F) {
	f.Add(uint8(0), "hostname", "a.example.com, b.example.com.", uint8(1), "ttl", "1m", "custom.io/")
	f.Add(uint8(1), "aws-weight", "10", uint8(0), "aws-weight", "20", "")
	f.Add(uint8(2), "access", "private", uint8(1), "cloudflare-proxied", "true", "")
	f.Add(uint8(0), "ttl", "-1", uint8(1), "record-type", "ptr", "x")
	f.Add(uint8(1), "webhook-", "", uint8(0), "ingress-hostname-source", "annotation-only", "")
	f.Fuzz(func(t *testing.T, p1 uint8, k1, v1 string, p2 uint8, k2, v2, custom string) {
		prefixes := []string{PrefixAlpha, PrefixStable, "", custom}
		ann := map[string]string{
			prefixes[int(p1)%len(prefixes)] + k1: v1,
			prefixes[int(p2)%len(prefixes)] + k2: v2,
		}
		for _, parser := range []Parser{NewParser(""), NewParser(custom)} {
			v, errs := parser.Parse(ann)
			for _, err := range errs {
				var ve *endpoint.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("error %T %v is not a ValidationError", err, err)
				}
				if _, ok := ann[ve.Field]; !ok {
					t.Fatalf("error names key %q, which is not in the input", ve.Field)
				}
			}
			if v.TTL != 0 && (v.TTL < 1 || v.TTL > endpoint.MaxTTL) {
				t.Fatalf("TTL %d out of range", v.TTL)
			}
			for _, list := range [][]string{v.Hostnames, v.InternalHostnames, v.Targets} {
				for _, h := range list {
					if h == "" || strings.ContainsAny(h, ", \t\n") || strings.HasSuffix(h, ".") {
						t.Fatalf("list item %q not cleaned", h)
					}
				}
			}
			if !sort.SliceIsSorted(v.ProviderSpecific, func(i, j int) bool {
				return v.ProviderSpecific[i].Name < v.ProviderSpecific[j].Name
			}) {
				t.Fatalf("provider-specific not sorted: %v", v.ProviderSpecific)
			}
		}
	})
}
