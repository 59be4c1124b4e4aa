package store

import (
	"os"
	"testing"
)

// FuzzCheckPages: any bytes at all give nil or an error, never a panic;
// checkPages is what stands between a damaged file and bbolt's checker.
func FuzzCheckPages(f *testing.F) {
	b, err := os.ReadFile(writeDB(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte{})
	f.Add(make([]byte, 3*4096))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = checkPageBytes(b)
	})
}
