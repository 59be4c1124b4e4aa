package dnsendpoint

import (
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

// FuzzDecode feeds arbitrary documents: decoding never panics, and whatever
// decodes converts into valid, normal endpoints and problems naming the
// object.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(upstreamYAML))
	f.Add([]byte(nginxYAML))
	f.Add([]byte(`{"metadata":{"name":"x"},"spec":{"endpoints":[{"dnsName":"a","targets":["1.1.1.1","::1","b"]},{"recordType":"MX","targets":["x"]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err != nil {
			return
		}
		for _, opts := range []source.Options{{}, {DefaultTargets: []string{"lb.example.net"}, ForceDefaultTargets: true}} {
			r := Endpoints(d, opts)
			for _, e := range r.Endpoints {
				if e.Held() {
					if _, err := endpoint.NormalizeName(e.DNSName); err != nil || len(e.Targets) > 0 {
						t.Fatalf("held endpoint %v invalid", e)
					}
					continue
				}
				c := e.DeepCopy()
				if err := c.Normalize(); err != nil || c.String() != e.String() {
					t.Fatalf("endpoint %v not normal: %v", e, err)
				}
				if e.Resource() != ResourceLabel(d.Namespace, d.Name) {
					t.Fatalf("resource label %q", e.Resource())
				}
			}
			for _, p := range r.Problems {
				if p.Err == nil || !endpoint.IsValidationError(p.Err) {
					t.Fatalf("problem %v", p)
				}
			}
		}
	})
}
