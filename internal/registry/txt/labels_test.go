package txt

import (
	"errors"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestLabelVectors(t *testing.T) {
	for _, v := range loadVectors(t).Labels {
		t.Run(v.ID, func(t *testing.T) {
			switch v.Kind {
			case "serialize":
				if got := SerializeLabels(endpoint.LabelsFromMap(v.Labels)); got != v.SerializedPlain {
					t.Errorf("SerializeLabels = %q, want %q", got, v.SerializedPlain)
				}
				if got := quote(SerializeLabels(endpoint.LabelsFromMap(v.Labels))); got != v.TXTValue {
					t.Errorf("TXT value = %q, want %q", got, v.TXTValue)
				}
				back, err := ParseLabels(v.TXTValue)
				if err != nil || !back.Equal(endpoint.LabelsFromMap(v.ParsedBack)) {
					t.Errorf("ParseLabels(%q) = %v, %v; want %v", v.TXTValue, back, err, v.ParsedBack)
				}
			case "parse":
				got, err := ParseLabels(v.Input)
				if v.Error != nil {
					if err == nil || err.Error() != *v.Error || !errors.Is(err, ErrInvalidHeritage) || got.Len() != 0 {
						t.Errorf("ParseLabels(%q) = %v, %v; want error %q", v.Input, got, err, *v.Error)
					}
					return
				}
				if err != nil || !got.Equal(endpoint.LabelsFromMap(v.Result)) {
					t.Errorf("ParseLabels(%q) = %v, %v; want %v", v.Input, got, err, v.Result)
				}
			default:
				t.Fatalf("unknown kind %q", v.Kind)
			}
		})
	}
}

func TestSerializeIssueValue(t *testing.T) {
	got := quote(SerializeLabels(endpoint.NewLabels(
		endpoint.OwnerLabel, "k3s-cluster",
		endpoint.ResourceLabel, "ingress/default/app",
		endpoint.NonceLabel, "AAECAwQFBgcICQoL",
	)))
	want := `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestParseLabelsOddInputs(t *testing.T) {
	tests := []struct {
		in   string
		want endpoint.Labels
		err  bool
	}{
		{`"`, endpoint.Labels{}, true},
		{`""heritage=external-dns""`, endpoint.Labels{}, true}, // one quote dropped at each end only
		{`heritage=external-dns`, endpoint.Labels{}, false},
		{`heritage=external-dns,external-dns/=x`, endpoint.NewLabels("", "x"), false},
		{`heritage=external-dns,external-dns=x`, endpoint.NewLabels("external-dns", "x"), false},
		{`heritage=external-dns,heritage=external-dns`, endpoint.Labels{}, false},
		{`heritage=`, endpoint.Labels{}, true},
		{`=,heritage=external-dns`, endpoint.Labels{}, false},
		{`v=spf1 include:_spf.example.com ~all`, endpoint.Labels{}, true},
	}
	for _, tc := range tests {
		got, err := ParseLabels(tc.in)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("ParseLabels(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func BenchmarkParseLabels(b *testing.B) {
	const v = `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app"`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLabels(v); err != nil {
			b.Fatal(err)
		}
	}
}
