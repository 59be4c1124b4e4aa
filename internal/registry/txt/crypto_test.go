package txt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func TestEncryptionVectors(t *testing.T) {
	for _, v := range loadVectors(t).Encryption {
		t.Run(v.ID, func(t *testing.T) {
			for _, key := range []string{v.KeyRaw, v.KeyBase64} {
				raw, err := ParseAESKey([]byte(key))
				if err != nil {
					t.Fatal(err)
				}
				if string(raw) != v.KeyRaw {
					t.Fatalf("ParseAESKey(%q) = %q, want %q", key, raw, v.KeyRaw)
				}
				s, err := newSealer(raw)
				if err != nil {
					t.Fatal(err)
				}

				text, nonce, err := s.open(v.TXTValue)
				if err != nil {
					t.Fatal(err)
				}
				if text != v.DecryptedPlaintext {
					t.Errorf("decrypted %q, want %q", text, v.DecryptedPlaintext)
				}
				if got := base64.StdEncoding.EncodeToString(nonce); got != v.DecryptedNonceBase64 {
					t.Errorf("nonce %q, want %q", got, v.DecryptedNonceBase64)
				}
				labels, err := ParseLabels(text)
				if err != nil {
					t.Fatal(err)
				}
				labels.Set(endpoint.NonceLabel, base64.StdEncoding.EncodeToString(nonce))
				if !labels.Equal(endpoint.LabelsFromMap(v.ParsedLabels)) {
					t.Errorf("labels %v, want %v", labels, v.ParsedLabels)
				}

				// Re-encrypting what was read reproduces the value
				// byte for byte, which is what keeps providers from
				// seeing a change on every sync.
				sealed, err := s.seal(text, nonce)
				if err != nil {
					t.Fatal(err)
				}
				if sealed != v.Ciphertext || quote(sealed) != v.TXTValue {
					t.Errorf("re-encrypted %q, want %q", sealed, v.Ciphertext)
				}

				fixed, err := base64.StdEncoding.DecodeString(v.NonceBase64)
				if err != nil {
					t.Fatal(err)
				}
				plain := v.Plaintext
				if v.Labels != nil {
					plain = SerializeLabels(endpoint.LabelsFromMap(v.Labels))
					if plain != v.Plaintext {
						t.Errorf("serialized %q, want %q", plain, v.Plaintext)
					}
				}
				if sealed, err := s.seal(plain, fixed); err != nil || sealed != v.Ciphertext {
					t.Errorf("encrypted %q, %v; want %q", sealed, err, v.Ciphertext)
				}
			}
		})
	}
}

// TestCompressedForm checks the gzip layer alone against the vectors, so a
// mismatch says whether compression or encryption drifted.
func TestCompressedForm(t *testing.T) {
	for _, v := range loadVectors(t).Encryption {
		s, err := newSealer([]byte(v.KeyRaw))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(v.Ciphertext)
		compressed, err := s.aead.Open(nil, raw[:nonceSize], raw[nonceSize:], nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(compressed); got != v.CompressedHex {
			t.Errorf("%s: compressed %s, want %s", v.ID, got, v.CompressedHex)
		}
	}
}

func TestSealRoundTrip(t *testing.T) {
	s, err := newSealer(bytes.Repeat([]byte{7}, keySize))
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"", "heritage=external-dns", strings.Repeat("x=y,", 2000)} {
		nonce, err := newNonce()
		if err != nil {
			t.Fatal(err)
		}
		sealed, err := s.seal(text, nonce)
		if err != nil {
			t.Fatal(err)
		}
		got, gotNonce, err := s.open(quote(sealed))
		if err != nil || got != text || !bytes.Equal(gotNonce, nonce) {
			t.Fatalf("round trip of %d bytes: %v", len(text), err)
		}
	}
}

func TestSealRejectsBadNonce(t *testing.T) {
	s, _ := newSealer(bytes.Repeat([]byte{7}, keySize))
	if _, err := s.seal("x", []byte("short")); err == nil {
		t.Fatal("a short nonce was accepted")
	}
}

func TestOpenRejects(t *testing.T) {
	s, _ := newSealer(bytes.Repeat([]byte{7}, keySize))
	other, _ := newSealer(bytes.Repeat([]byte{8}, keySize))
	nonce := make([]byte, nonceSize)
	sealed, _ := other.seal("heritage=external-dns", nonce)
	for _, in := range []string{
		"",
		`"heritage=external-dns,external-dns/owner=x"`,
		base64.StdEncoding.EncodeToString([]byte("too short")),
		sealed, // another key
	} {
		if _, _, err := s.open(in); err == nil {
			t.Errorf("open(%q) succeeded", in)
		}
	}
}

func TestParseAESKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{strings.Repeat("k", 32), true},
		{base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)), true},
		{strings.Repeat("k", 31), false},
		{base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 16)), false},
		{"not base64 at all!", false},
	}
	for _, tc := range tests {
		if _, err := ParseAESKey([]byte(tc.key)); (err == nil) != tc.ok {
			t.Errorf("ParseAESKey(%q): err %v, want ok %v", tc.key, err, tc.ok)
		}
	}
}

// TestOpenBoundsInflation: a small value that inflates past any real TXT
// record is refused rather than read into memory.
func TestOpenBoundsInflation(t *testing.T) {
	s, _ := newSealer(bytes.Repeat([]byte{7}, keySize))
	nonce := make([]byte, nonceSize)
	for _, size := range []int{maxPlaintext, maxPlaintext + 1, 16 << 20} {
		sealed, err := s.seal(strings.Repeat("a", size), nonce)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.open(sealed)
		if (err == nil) != (size <= maxPlaintext) {
			t.Errorf("%d bytes: err %v", size, err)
		}
	}
}
