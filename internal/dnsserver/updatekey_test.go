package dnsserver

import (
	"strings"
	"testing"
)

func TestParseUpdateKey(t *testing.T) {
	tests := []struct {
		in       string
		name     string
		alg      string
		subtrees string
		wantErr  string
	}{
		{"acme:c2VjcmV0:_acme-challenge.example.com", "acme.", "hmac-sha256.", "_acme-challenge.example.com.", ""},
		{"Acme.:hmac-sha512:c2VjcmV0:*.Example.com,dyn.example.org.", "acme.", "hmac-sha512.", "*.example.com.,dyn.example.org.", ""},
		{"acme:c2VjcmV0", "", "", "", "want name"},
		{"acme:hmac-md5:c2VjcmV0:example.com", "", "", "", "unsupported algorithm"},
		{"acme:not base64!:example.com", "", "", "", "not base64"},
		{"acme:c2VjcmV0:a..b", "", "", "", "bad subtree"},
		{"acme:c2VjcmV0:*.*.example.com", "", "", "", "bad subtree"},
		{"acme:c2VjcmV0:.", "", "", "", "bad subtree"},
	}
	for _, tt := range tests {
		k, err := ParseUpdateKey(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "c2VjcmV0") {
				t.Errorf("%q: the error shows the secret", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if k.Name != tt.name || k.Algorithm != tt.alg || strings.Join(k.Subtrees, ",") != tt.subtrees {
			t.Errorf("%q: %+v", tt.in, k)
		}
	}
}

func TestUpdateKeyAllows(t *testing.T) {
	k, err := ParseUpdateKey("k:c2VjcmV0:_acme-challenge.example.com,*.dyn.example.com")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"_acme-challenge.example.com.":      true,
		"x._acme-challenge.example.com.":    true,
		"example.com.":                      false,
		"app.example.com.":                  false,
		"dyn.example.com.":                  false, // *. covers only what is below
		"a.dyn.example.com.":                true,
		"b.a.dyn.example.com.":              true,
		"x_acme-challenge.example.com.":     false,
		"_acme-challenge.example.com.evil.": false,
	} {
		if got := k.Allows(name); got != want {
			t.Errorf("Allows(%s) = %v, want %v", name, got, want)
		}
	}
}
