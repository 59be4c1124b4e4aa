package endpoint

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		in, want string
		errField string // "" means no error
	}{
		{"app.example.com", "app.example.com", ""},
		{"App.Example.COM.", "app.example.com", ""},
		{"  app.example.com  ", "app.example.com", ""},
		{"*.example.com", "*.example.com", ""},
		{"_sip._tcp.example.com", "_sip._tcp.example.com", ""},
		{"bücher.example.com", "xn--bcher-kva.example.com", ""},
		{"*.bücher.example.com", "*.xn--bcher-kva.example.com", ""},
		{"BÜCHER.example.com", "xn--bcher-kva.example.com", ""},
		{long63 + ".example.com", long63 + ".example.com", ""},
		{long63 + "a.example.com", "", "hostname"},
		{strings.Repeat("abcdefghi.", 26) + "com", "", "hostname"}, // 263 characters
		{"", "", "hostname"},
		{".", "", "hostname"},
		{"a..example.com", "", "hostname"},
		{"a.*.example.com", "", "hostname"},
		{"*a.example.com", "", "hostname"},
		{"-a.example.com", "", "hostname"},
		{"a-.example.com", "", "hostname"},
		{"a b.example.com", "", "hostname"},
		{"a/b.example.com", "", "hostname"},
	}
	for _, tt := range tests {
		got, err := NormalizeName(tt.in)
		if tt.errField != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.errField || ve.Value != tt.in {
				t.Errorf("NormalizeName(%q) error = %v; want ValidationError on %s naming the value", tt.in, err, tt.errField)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNameLimitBoundary(t *testing.T) {
	// 253 characters exactly is allowed, 254 is not.
	base := strings.Repeat(strings.Repeat("a", 62)+".", 4) // 252 chars incl. dots
	ok := base + "b"                                       // 253
	if _, err := NormalizeName(ok); err != nil {
		t.Fatalf("253-char name rejected: %v", err)
	}
	if _, err := NormalizeName(base + "bc"); err == nil {
		t.Fatal("254-char name accepted")
	}
}

func TestEndpointNormalize(t *testing.T) {
	tests := []struct {
		name     string
		ep       *Endpoint
		want     []string
		errField string
	}{
		{"a ok", New("X.example.com.", "a", "10.0.0.1", "10.0.0.1"), []string{"10.0.0.1"}, ""},
		{"a with ipv6", New("x.example.com", "A", "::1"), nil, "target"},
		{"a with name", New("x.example.com", "A", "lb.example.com"), nil, "target"},
		{"aaaa ok", New("x.example.com", "AAAA", "2001:DB8::1"), []string{"2001:db8::1"}, ""},
		{"aaaa with ipv4", New("x.example.com", "AAAA", "10.0.0.1"), nil, "target"},
		{"cname ok", New("x.example.com", "CNAME", "LB.Example.com."), []string{"lb.example.com"}, ""},
		{"cname to ip", New("x.example.com", "CNAME", "10.0.0.1"), []string{"10.0.0.1"}, ""},
		{"cname two targets", New("x.example.com", "CNAME", "a.example.com", "b.example.com"), nil, "targets"},
		{"cname bad host", New("x.example.com", "CNAME", "a b"), nil, "target"},
		{"mx ok", New("example.com", "MX", "10 Mail.example.com"), []string{"10 mail.example.com"}, ""},
		{"mx bad", New("example.com", "MX", "mail.example.com"), nil, "target"},
		{"srv ok", New("_sip._tcp.example.com", "SRV", "0 5 5060 sip.example.com"), []string{"0 5 5060 sip.example.com"}, ""},
		{"srv port too big", New("_sip._tcp.example.com", "SRV", "0 5 70000 sip.example.com"), nil, "target"},
		{"txt ok", New("x.example.com", "TXT", "v=spf1 -all"), []string{"v=spf1 -all"}, ""},
		{"unknown type", New("x.example.com", "SPF", "x"), nil, "recordType"},
		{"no targets", New("x.example.com", "A"), nil, "targets"},
		{"bad name", New("x..example.com", "A", "10.0.0.1"), nil, "hostname"},
		{"negative ttl", New("x.example.com", "A", "10.0.0.1").WithTTL(-1), nil, "ttl"},
		{"huge ttl", New("x.example.com", "A", "10.0.0.1").WithTTL(MaxTTL + 1), nil, "ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ep.Normalize()
			if tt.errField != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field != tt.errField {
					t.Fatalf("error = %v; want ValidationError on %q", err, tt.errField)
				}
				if !strings.Contains(err.Error(), tt.errField) {
					t.Errorf("message %q does not name the field", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.ep.Targets.Same(tt.want) || len(tt.ep.Targets) != len(tt.want) {
				t.Errorf("targets = %v, want %v", tt.ep.Targets, tt.want)
			}
		})
	}
}

func TestTargetType(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4": "A", "2001:db8::1": "AAAA", "lb.example.com": "CNAME", " 1.2.3.4 ": "A", "::ffff:1.2.3.4": "AAAA",
	} {
		if got := TargetType(in); got != want {
			t.Errorf("TargetType(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestDomainFilter(t *testing.T) {
	tests := []struct {
		name               string
		include, exclude   []string
		rInclude, rExclude string
		matches, rejects   []string
	}{
		{"empty matches all", nil, nil, "", "", []string{"a.example.com", "x.org"}, nil},
		{"suffix", []string{"example.com"}, nil, "", "",
			[]string{"example.com", "a.example.com", "A.EXAMPLE.COM."}, []string{"myexample.com", "example.org"}},
		{"leading dot is subdomains only", []string{".example.com"}, nil, "", "",
			[]string{"a.example.com"}, []string{"example.com"}},
		{"comma list and exclusion", []string{"example.com,example.org"}, []string{"internal.example.com"}, "", "",
			[]string{"a.example.com", "b.example.org"}, []string{"x.internal.example.com", "internal.example.com"}},
		{"regex", []string{"ignored.net"}, nil, `\.example\.com$`, `^private\.`,
			[]string{"a.example.com"}, []string{"private.example.com", "a.ignored.net"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := NewDomainFilter(tt.include, tt.exclude, tt.rInclude, tt.rExclude)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range tt.matches {
				if !f.Match(n) {
					t.Errorf("%q should match", n)
				}
			}
			for _, n := range tt.rejects {
				if f.Match(n) {
					t.Errorf("%q should not match", n)
				}
			}
		})
	}
	if _, err := NewDomainFilter(nil, nil, "(", ""); err == nil {
		t.Error("bad regex accepted")
	}
}

func TestSameAndCopy(t *testing.T) {
	if !(Targets{"B.example.com.", "a"}).Same(Targets{"a", "b.example.com"}) {
		t.Error("targets differing in order/case/dot should be the same")
	}
	if (Targets{"a"}).Same(Targets{"a", "a"}) {
		t.Error("different lengths are not the same")
	}
	var ps ProviderSpecific
	ps.Set("aws/weight", "10")
	ps.Set("aws/region", "eu-west-1")
	ps.Set("aws/weight", "20")
	if v, _ := ps.Get("aws/weight"); v != "20" || len(ps) != 2 {
		t.Errorf("Set did not replace: %v", ps)
	}
	if !ps.Same(ProviderSpecific{{"aws/region", "eu-west-1"}, {"aws/weight", "20"}}) {
		t.Error("same properties in another order should be the same")
	}
	e := New("a.example.com", "A", "1.1.1.1").WithLabel(OwnerLabel, "x").WithProviderSpecific("p", "v")
	c := e.DeepCopy()
	c.Targets[0], c.ProviderSpecific[0].Value = "2.2.2.2", "w"
	c.Labels.Set(OwnerLabel, "y")
	if e.Targets[0] != "1.1.1.1" || e.Labels.Get(OwnerLabel) != "x" || e.ProviderSpecific[0].Value != "v" {
		t.Error("DeepCopy shares state")
	}
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"app.example.com", "*.example.com", "bücher.example.com", "a..b", "-a", strings.Repeat("a", 70), "*.*.x", "\x00", "xn--bcher-kva.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := NormalizeName(in)
		if err != nil {
			if !IsValidationError(err) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(out) > maxNameLen || out != strings.ToLower(out) || strings.HasSuffix(out, ".") {
			t.Fatalf("NormalizeName(%q) = %q breaks the canonical form", in, out)
		}
		again, err := NormalizeName(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", in, out, again, err)
		}
	})
}
