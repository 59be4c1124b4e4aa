package manifest

import (
	"testing"

	"github.com/exodns/exodns/internal/source"
)

// FuzzParseDocuments feeds arbitrary bytes as a manifest file: parsing and
// conversion must never panic, and every problem names its document.
func FuzzParseDocuments(f *testing.F) {
	for _, s := range []string{svcYAML, ingressYAML, dnsEndpointYAML, svcYAML + "---\n" + nginxYAML,
		"apiVersion: v1\nkind: List\nitems: [{kind: Service, apiVersion: v1}]", "---\n---\n", "{\"kind\":", "\x00\xff", "a: &a [*a, *a]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, errs := parseDocuments(data)
		for _, e := range errs {
			if e.Err == nil || e.Index < 0 {
				t.Fatalf("bad error %+v", e)
			}
		}
		fds := make([]fileDoc, len(docs))
		for i, d := range docs {
			if d.Kind == "" || d.APIVersion == "" {
				t.Fatalf("document %d without kind/apiVersion", i)
			}
			fds[i] = fileDoc{file: "f.yaml", doc: d}
		}
		res := convert(fds, source.Options{})
		for _, p := range res.Problems {
			if p.Err == nil {
				t.Fatal("problem without error")
			}
		}
	})
}
