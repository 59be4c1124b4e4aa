package txt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func FuzzParseLabels(f *testing.F) {
	for _, v := range loadVectors(f).Labels {
		f.Add(v.Input)
		f.Add(v.TXTValue)
	}
	f.Fuzz(func(t *testing.T, text string) {
		labels, err := ParseLabels(text)
		if err != nil {
			if labels.Len() != 0 {
				t.Fatal("labels returned with an error")
			}
			return
		}
		// Everything but the nonce survives a write and a read, in the
		// quoted form the registry writes. (Unquoted, a last value ending
		// in '"' would lose that quote: the format cannot tell them apart.)
		want := labels
		want.Delete(endpoint.NonceLabel)
		s := quote(SerializeLabels(labels))
		back, err := ParseLabels(s)
		if err != nil || !back.Equal(want) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", text, labels, s, back, err)
		}
	})
}

// fuzzAffixes are the affix styles of the vectors. Arbitrary affixes are not
// invertible (a prefix "a" is indistinguishable from the type "a"), so the
// round trip is only promised for styles users actually configure.
var fuzzAffixes = [][2]string{
	{"", ""}, {"k3s", ""}, {"k3s-", ""}, {"k3s.", ""}, {"%{record_type}-k3s.", ""},
	{"txt-%{record_type}.", ""}, {"", "-k3s"}, {"", ".k3s"}, {"", "-%{record_type}"},
}

func FuzzTXTNameRoundTrip(f *testing.F) {
	for _, v := range loadVectors(f).TXTNames {
		f.Add(v.Input.Name, v.Input.RecordType, uint8(0), v.Input.WildcardReplacement)
	}
	f.Fuzz(func(t *testing.T, name, recordType string, style uint8, wildcard string) {
		affix := fuzzAffixes[int(style)%len(fuzzAffixes)]
		m, err := NewNameMapper(affix[0], affix[1], wildcard)
		if err != nil {
			t.Fatal(err)
		}
		txtName := m.ToTXTName(name, recordType)
		gotName, gotType := m.ToEndpointName(txtName)
		lookup := m.LookupName(name)

		wantType := strings.ToUpper(recordType)
		if !plausibleName(name) || !endpoint.IsKnownRecordType(wantType) || (wildcard != "" && !plausibleName(wildcard)) || strings.Contains(wildcard, ".") {
			return
		}
		if gotType != wantType || gotName != lookup {
			t.Fatalf("%q %q (affixes %q, wildcard %q) via %q: got %q %q, want %q %q", name, recordType, affix, wildcard, txtName, gotName, gotType, lookup, wantType)
		}
	})
}

// plausibleName accepts names of non-empty labels of letters, digits, '-'
// and '_', with an optional leading "*" label.
func plausibleName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for i, label := range strings.Split(name, ".") {
		if label == "" {
			return false
		}
		if label == "*" && i == 0 {
			continue
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func FuzzDecrypt(f *testing.F) {
	for _, v := range loadVectors(f).Encryption {
		f.Add([]byte(v.TXTValue))
		raw, _ := base64.StdEncoding.DecodeString(v.Ciphertext)
		f.Add(raw)
		compressed, _ := hex.DecodeString(v.CompressedHex)
		f.Add(compressed)
	}
	f.Add([]byte(`"heritage=external-dns,external-dns/owner=x"`))
	s, err := newSealer([]byte(testKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Random bytes never pass GCM authentication, so also seal them
		// as if they were the compressed text: that reaches the gzip
		// reader and its size limit with arbitrary input.
		nonce := make([]byte, nonceSize)
		forged := base64.StdEncoding.EncodeToString(s.aead.Seal(nonce[:nonceSize:nonceSize], nonce, data, nil))
		for _, in := range []string{string(data), base64.StdEncoding.EncodeToString(data), forged} {
			text, nonce, err := s.open(in)
			if err != nil {
				continue
			}
			// Whatever opens must seal back to itself.
			sealed, err := s.seal(text, nonce)
			if err != nil {
				t.Fatal(err)
			}
			if again, n2, err := s.open(sealed); err != nil || again != text || !bytes.Equal(n2, nonce) {
				t.Fatalf("re-open of %q: %v", text, err)
			}
		}
	})
}
