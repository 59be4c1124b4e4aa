package txt

import (
	"bytes"
	"compress/gzip"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Sizes of the upstream-compatible encryption: AES-256 in GCM mode with the
// standard 12-byte nonce.
const (
	keySize   = 32
	nonceSize = 12
	// maxPlaintext bounds what a decrypted value may inflate to. A TXT
	// record holds at most 64 KiB, and ownership text is far smaller, so
	// anything larger is hostile or broken.
	maxPlaintext = 64 << 10
)

// ParseAESKey accepts the --txt-encrypt-aes-key forms upstream accepts: 32
// raw bytes, or the standard base64 encoding of 32 bytes.
func ParseAESKey(key []byte) ([]byte, error) {
	if len(key) == keySize {
		return key, nil
	}
	decoded, err := base64.StdEncoding.DecodeString(string(key))
	if err != nil || len(decoded) != keySize {
		return nil, errors.New("the AES key must be 32 bytes, raw or base64-encoded")
	}
	return decoded, nil
}

// sealer encrypts and decrypts ownership values as
// base64(nonce ‖ AES-256-GCM(gzip(text))), without quotes and without
// additional data. The gzip stream must match Go's compress/gzip at best
// compression with a Flush before Close byte for byte, since that is what
// upstream writes and an unchanged record must re-encrypt to the same value.
type sealer struct {
	aead cipher.AEAD
	// The gzip writer and reader own large buffers; pooling them keeps a
	// migration of many records, or a Records pass over many encrypted
	// values, from allocating one per record.
	writers sync.Pool
	readers sync.Pool
}

func newSealer(key []byte) (*sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// newNonce draws a fresh random nonce, used for every plaintext that has not
// been encrypted before under the record's existing nonce.
func newNonce() ([]byte, error) {
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return nonce, nil
}

// seal encrypts text under the given nonce.
func (s *sealer) seal(text string, nonce []byte) (string, error) {
	if len(nonce) != nonceSize {
		return "", fmt.Errorf("nonce must be %d bytes, got %d", nonceSize, len(nonce))
	}
	var buf bytes.Buffer
	zw, _ := s.writers.Get().(*gzip.Writer)
	if zw == nil {
		// The level is valid, so the error cannot happen.
		zw, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	} else {
		zw.Reset(&buf)
	}
	_, err := io.WriteString(zw, text)
	if err == nil {
		err = zw.Flush()
	}
	if err == nil {
		err = zw.Close()
	}
	s.writers.Put(zw)
	if err != nil {
		return "", err
	}

	out := make([]byte, nonceSize, nonceSize+buf.Len()+s.aead.Overhead())
	copy(out, nonce)
	out = s.aead.Seal(out, nonce, buf.Bytes(), nil)
	return base64.StdEncoding.EncodeToString(out), nil
}

// open decrypts a value written by seal, with or without its quotes. It
// returns the text and the nonce it was encrypted under. Any error means
// "not an encrypted value"; callers then read the value as plain text, as
// upstream does, so that plaintext records stay readable after encryption
// is switched on.
func (s *sealer) open(value string) (text string, nonce []byte, err error) {
	value = strings.TrimPrefix(value, `"`)
	value = strings.TrimSuffix(value, `"`)
	raw, err := base64.StdEncoding.DecodeString(value)
	if err != nil {
		return "", nil, err
	}
	if len(raw) < nonceSize+s.aead.Overhead() {
		return "", nil, errors.New("encrypted value too short")
	}
	nonce, sealed := raw[:nonceSize:nonceSize], raw[nonceSize:]
	compressed, err := s.aead.Open(sealed[:0], nonce, sealed, nil)
	if err != nil {
		return "", nil, err
	}

	zr, _ := s.readers.Get().(*gzip.Reader)
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(compressed))
	} else {
		err = zr.Reset(bytes.NewReader(compressed))
	}
	if err != nil {
		return "", nil, err
	}
	defer s.readers.Put(zr)
	var out bytes.Buffer
	if _, err := out.ReadFrom(io.LimitReader(zr, maxPlaintext+1)); err != nil {
		return "", nil, err
	}
	if out.Len() > maxPlaintext {
		return "", nil, errors.New("decrypted value too large")
	}
	return out.String(), nonce, nil
}
