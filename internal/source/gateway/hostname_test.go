package gateway

import "testing"

func TestIntersect(t *testing.T) {
	tests := []struct {
		listener, route, want string
		ok                    bool
	}{
		{"", "a.example.com", "a.example.com", true},
		{"a.example.com", "", "a.example.com", true},
		{"", "", "", true},
		{"a.example.com", "A.Example.com.", "a.example.com", true},
		{"a.example.com", "b.example.com", "", false},
		{"*.example.com", "a.example.com", "a.example.com", true},
		{"*.example.com", "a.b.example.com", "a.b.example.com", true},
		{"*.example.com", "example.com", "", false},
		{"*.example.com", "a.example.org", "", false},
		{"a.example.com", "*.example.com", "a.example.com", true},
		{"example.com", "*.example.com", "", false},
		{"*.example.com", "*.a.example.com", "*.a.example.com", true},
		{"*.a.example.com", "*.example.com", "*.a.example.com", true},
		{"*.example.com", "*.example.com", "*.example.com", true},
		{"*.example.com", "*.example.org", "", false},
	}
	for _, tt := range tests {
		got, ok := Intersect(tt.listener, tt.route)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Intersect(%q, %q) = %q, %v; want %q, %v", tt.listener, tt.route, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidHost(t *testing.T) {
	for h, want := range map[string]bool{
		"":                    true,
		"a.example.com":       true,
		"A-1.Example.com.":    true,
		"*.example.com":       true,
		"localhost":           true,
		"u_s.example.com":     false,
		"-a.example.com":      false,
		"a-.example.com":      false,
		"a..example.com":      false,
		"a.*.example.com":     false,
		"*":                   false,
		"192.0.2.1":           false,
		"2001:db8::1":         false,
		"bücher.example.com":  false,
		"a b.example.com":     false,
		"x" + long(64) + ".a": false,
	} {
		if got := validHost(h); got != want {
			t.Errorf("validHost(%q) = %v, want %v", h, got, want)
		}
	}
}

func long(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	return string(b)
}
