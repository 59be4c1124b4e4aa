package gateway

import "testing"

// FuzzIntersect: the intersection does not depend on which side is the
// listener, and of two valid hostnames it is a valid hostname that both
// match.
func FuzzIntersect(f *testing.F) {
	for _, s := range [][2]string{{"", "a.example.com"}, {"*.example.com", "a.b.example.com"},
		{"*.a.example.com", "*.example.com"}, {"example.com", "*.example.com"}, {"A.example.com.", "a.example.com"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, okAB := Intersect(a, b)
		ba, okBA := Intersect(b, a)
		if ab != ba || okAB != okBA {
			t.Fatalf("Intersect(%q, %q) = %q, %v but reversed %q, %v", a, b, ab, okAB, ba, okBA)
		}
		if !okAB || !validHost(a) || !validHost(b) {
			return
		}
		if !validHost(ab) {
			t.Fatalf("Intersect(%q, %q) = %q, not a valid hostname", a, b, ab)
		}
		for _, in := range []string{a, b} {
			if got, ok := Intersect(in, ab); !ok || got != ab {
				t.Fatalf("Intersect(%q, %q) = %q, which %q does not match (%q, %v)", a, b, ab, in, got, ok)
			}
		}
	})
}
