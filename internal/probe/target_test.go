package probe

import "testing"

func TestParseTarget(t *testing.T) {
	for _, c := range []struct {
		in, host string
		port     uint16
		url      string
	}{
		{"http://app.example.com/", "app.example.com", 80, "http://app.example.com/"},
		{"https://app.example.com/x?y=1", "app.example.com", 443, "https://app.example.com/x?y=1"},
		{"app.example.com", "app.example.com", 80, "http://app.example.com"},
		{"http://app.example.com:8080/health", "app.example.com", 8080, "http://app.example.com:8080/health"},
		{"http://127.0.0.2:34567", "127.0.0.2", 34567, "http://127.0.0.2:34567"},
		{"https://[::1]:8443/", "::1", 8443, "https://[::1]:8443/"},
	} {
		got, err := ParseTarget(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got.Host != c.host || got.Port != c.port || got.URL.String() != c.url {
			t.Errorf("%s: host %q port %d url %q", c.in, got.Host, got.Port, got.URL)
		}
	}
	for _, bad := range []string{"ftp://x/", "http://", "http://x:0/", "http://x:70000/", "http://x:y/"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
