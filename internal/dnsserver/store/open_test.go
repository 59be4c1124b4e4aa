package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

// writeDB makes a closed bbolt file holding enough records to span many
// pages, and returns its path.
func writeDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "embedded.db")
	s, err := Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var recs []*endpoint.Endpoint
	for i := range 400 {
		recs = append(recs, ep(fmt.Sprintf("host%d.example.com", i), "A", fmt.Sprintf("192.0.2.%d", i%250+1)))
	}
	if _, err := s.Apply(&plan.Changes{Create: recs}); err != nil {
		t.Fatal(err)
	}
	// A second batch frees pages, so the freelist is not empty.
	if _, err := s.Apply(&plan.Changes{Delete: recs[:100]}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// newestMeta returns the meta page (past its 16-byte page header) with the
// higher transaction id, the one bbolt opens.
func newestMeta(b []byte, pageSize int) []byte {
	m0, m1 := b[16:], b[pageSize+16:]
	// txid sits after magic, version, page size, flags (4 each), root (16),
	// freelist (8) and high-water mark (8).
	if binary.LittleEndian.Uint64(m1[48:]) > binary.LittleEndian.Uint64(m0[48:]) {
		return m1
	}
	return m0
}

// corruptions damage a file in the ways disks and crashes do.
var corruptions = []struct {
	name string
	do   func(b []byte, r *rand.Rand) []byte
}{
	{"truncated", func(b []byte, _ *rand.Rand) []byte { return b[:len(b)/3] }},
	{"truncated inside the meta pages", func(b []byte, _ *rand.Rand) []byte { return b[:100] }},
	{"zeroed meta pages", func(b []byte, _ *rand.Rand) []byte {
		clear(b[:2*4096])
		return b
	}},
	{"garbage freelist", func(b []byte, r *rand.Rand) []byte {
		free := int(binary.LittleEndian.Uint64(newestMeta(b, 4096)[32:]))
		for i := free * 4096; i < (free+1)*4096; i++ {
			b[i] = byte(r.Uint32())
		}
		return b
	}},
	{"freelist page claims another id", func(b []byte, _ *rand.Rand) []byte {
		free := int(binary.LittleEndian.Uint64(newestMeta(b, 4096)[32:]))
		binary.LittleEndian.PutUint64(b[free*4096:], 4)
		return b
	}},
	{"random bytes", func(b []byte, r *rand.Rand) []byte {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}},
	// A wild length in one element sends a reader far outside the
	// mapping: bbolt's checker, in a goroutine of its own, faulted on it.
	{"wild key length in branch pages", func(b []byte, _ *rand.Rand) []byte {
		return everyPage(b, 0x01, func(el []byte) { binary.LittleEndian.PutUint32(el[4:], 0x30000) })
	}},
	{"wild value length in leaf pages", func(b []byte, _ *rand.Rand) []byte {
		return everyPage(b, 0x02, func(el []byte) { binary.LittleEndian.PutUint32(el[12:], 0x30000) })
	}},
	{"wild element offset in leaf pages", func(b []byte, _ *rand.Rand) []byte {
		return everyPage(b, 0x02, func(el []byte) { binary.LittleEndian.PutUint32(el[4:], 0x30000) })
	}},
	{"garbage data pages", func(b []byte, r *rand.Rand) []byte {
		for i := 2 * 4096; i < len(b); i += 97 {
			b[i] = byte(r.Uint32())
		}
		return b
	}},
}

// everyPage applies f to the last element of every page with these flags.
func everyPage(b []byte, flags uint16, f func(el []byte)) []byte {
	const ps = 4096
	for off := 2 * ps; off+ps <= len(b); off += ps {
		p := b[off : off+ps]
		count := int(binary.LittleEndian.Uint16(p[10:]))
		if binary.LittleEndian.Uint16(p[8:]) != flags || count == 0 || 16+count*16 > ps {
			continue
		}
		f(p[16+(count-1)*16:])
	}
	return b
}

func damage(t *testing.T, path string, do func([]byte, *rand.Rand) []byte, seed uint64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, do(b, rand.New(rand.NewPCG(seed, 1))), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestStoreCorruptFileNoPanic damages a real file in several ways. Open
// must never panic: by default it moves the file aside, logs it, and opens
// an empty store that works; with Fail it returns an error naming the file
// and the way out.
func TestStoreCorruptFileNoPanic(t *testing.T) {
	stamp := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for _, c := range corruptions {
		t.Run(c.name, func(t *testing.T) {
			path := writeDB(t)
			damage(t, path, c.do, 7)
			orig, _ := os.ReadFile(path)

			_, err := OpenWith(path, []string{"example.com"}, Options{OnCorrupt: Fail})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Fail: err = %v, want ErrCorrupt", err)

			}
			for _, want := range []string{path + " is corrupt", "mv " + path, "--embedded-db-on-corrupt=move-aside"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
				t.Error("Fail changed the file")
			}

			var log bytes.Buffer
			s, err := OpenWith(path, []string{"example.com"}, Options{
				Logger: slog.New(slog.NewTextHandler(&log, nil)), Now: func() time.Time { return stamp },
			})
			if err != nil {
				t.Fatalf("move-aside: %v", err)
			}
			defer s.Close()
			aside := path + ".corrupt-20260304T050607Z"
			if moved, err := os.ReadFile(aside); err != nil || !bytes.Equal(moved, orig) {
				t.Errorf("corrupt file not kept at %s: %v", aside, err)
			}
			if !strings.Contains(log.String(), "level=ERROR") || !strings.Contains(log.String(), aside) {
				t.Errorf("move not logged loudly: %s", log.String())
			}
			if n := len(s.Records()); n != 0 {
				t.Errorf("%d records in the fresh store", n)
			}
			if _, err := s.Apply(&plan.Changes{Create: []*endpoint.Endpoint{ep("a.example.com", "A", "192.0.2.1")}}); err != nil {
				t.Errorf("fresh store does not take writes: %v", err)
			}
		})
	}
}

// TestStoreRandomDamageNoPanic flips bytes at random over many files: no
// outcome may be a panic or a fault.
func TestStoreRandomDamageNoPanic(t *testing.T) {
	path := writeDB(t)
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	runs := 300
	if testing.Short() {
		runs = 10
	}
	for i := range runs {
		r := rand.New(rand.NewPCG(uint64(i), 2))
		b := bytes.Clone(clean)
		for range 1 + r.IntN(40) {
			b[r.IntN(len(b))] = byte(r.Uint32())
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenWith(path, []string{"example.com"}, Options{OnCorrupt: Fail})
		if err == nil {
			_ = s.Close()
		} else if !errors.Is(err, ErrCorrupt) {
			t.Errorf("run %d: %v is not ErrCorrupt", i, err)
		}
	}
}

// TestStoreLockedFileNamed opens a file another handle holds: the error
// says the file is locked by another process and names it.
func TestStoreLockedFileNamed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "embedded.db")
	s, err := Open(path, []string{"example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = OpenWith(path, []string{"example.com"}, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), path+" is locked by another process") {
		t.Errorf("error %q does not name the file and the lock", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a locked file must never be moved aside: %v", err)
	}
}

func TestParseOnCorrupt(t *testing.T) {
	for in, want := range map[string]OnCorrupt{"": MoveAside, "move-aside": MoveAside, "fail": Fail} {
		if got, err := ParseOnCorrupt(in); err != nil || got != want {
			t.Errorf("ParseOnCorrupt(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseOnCorrupt("delete"); err == nil {
		t.Error("ParseOnCorrupt(delete) accepted")
	}
}
