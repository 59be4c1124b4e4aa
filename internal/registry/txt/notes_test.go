package txt

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func sealedWith(t *testing.T, key, text string) string {
	t.Helper()
	s, err := newSealer([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.seal(text, []byte("0123456789ab"))
	if err != nil {
		t.Fatal(err)
	}
	return quote(v)
}

// TestUnownedRecordSaysWhatWasFound: a record whose ownership record
// exists under another --txt-prefix/--txt-suffix, or cannot be decrypted,
// is still not ours, but the conflict says what was found instead of
// "owned by nobody".
func TestUnownedRecordSaysWhatWasFound(t *testing.T) {
	const otherKey = "another-32-byte-key-for-the-test"
	text := "heritage=external-dns,external-dns/owner=k3s-cluster"
	cases := []struct {
		name string
		cfg  Config
		txt  *endpoint.Endpoint
		want []string // in the conflict reason
	}{
		{"prefix instead of none", Config{},
			endpoint.New("k3s-a-app.example.com", "TXT", quote(text)),
			[]string{"k3s-a-app.example.com", "another --txt-prefix/--txt-suffix", `owner "k3s-cluster"`}},
		{"none instead of a templated prefix", Config{Prefix: "%{record_type}-own."},
			endpoint.New("a-app.example.com", "TXT", quote(text)),
			[]string{"found at a-app.example.com", "another --txt-prefix/--txt-suffix"}},
		{"templated prefix instead of a suffix", Config{Suffix: "-k3s"},
			endpoint.New("a-own.app.example.com", "TXT", quote(text)),
			[]string{"found at a-own.app.example.com"}},
		{"suffix instead of a prefix", Config{Prefix: "k3s."},
			endpoint.New("a-app-k3s.example.com", "TXT", quote(text)),
			[]string{"found at a-app-k3s.example.com"}},
		{"another key", Config{EncryptKey: []byte(testKey)},
			endpoint.New("a-app.example.com", "TXT", sealedWith(t, otherKey, text)),
			[]string{"ownership record a-app.example.com could not be decrypted with --txt-encrypt-aes-key"}},
		{"no key", Config{},
			endpoint.New("a-app.example.com", "TXT", sealedWith(t, otherKey, text)),
			[]string{"ownership record a-app.example.com is encrypted; set --txt-encrypt-aes-key"}},
		{"nothing at all", Config{},
			endpoint.New("unrelated.example.com", "TXT", `"v=spf1 -all"`),
			[]string{"owned by nobody: the record exists without an owner"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newFakeProvider(endpoint.New("app.example.com", "A", "192.0.2.1"), tc.txt,
				// A record of ours, to show the lookup leaves it alone.
				endpoint.New("ok.example.com", "A", "192.0.2.2"))
			r := newRegistry(t, p, tc.cfg)
			if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{}}); err != nil {
				t.Fatal(err)
			}
			cur, err := r.Records(ctx)
			if err != nil {
				t.Fatal(err)
			}
			res := plan.Calculate(plan.Input{Desired: []*endpoint.Endpoint{app("app.example.com", "A", "192.0.2.9")},
				Current: cur, OwnerID: owner, Policy: plan.PolicySync})
			if len(res.Conflicts) != 1 {
				t.Fatalf("conflicts %+v", res.Conflicts)
			}
			reason := res.Conflicts[0].Reason
			t.Log(reason)
			for _, w := range tc.want {
				if !strings.Contains(reason, w) {
					t.Errorf("reason %q does not say %q", reason, w)
				}
			}
			if res.Changes.HasChanges() {
				t.Errorf("the record was taken over: %+v", res.Changes)
			}
		})
	}
}
