package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// OnCorrupt says what Open does with a file that is not a readable bbolt
// database.
type OnCorrupt string

const (
	// MoveAside renames the file to <file>.corrupt-<UTC time>, logs that at
	// error level, and starts with an empty file. Nothing is lost that the
	// controller cannot put back: every record is re-derived from the
	// sources on the first reconcile. It is the default, because a DNS
	// server that refuses to start is an outage, and the old file is kept
	// for inspection.
	MoveAside OnCorrupt = "move-aside"
	// Fail refuses to open, with an error that names the file and says how
	// to recover.
	Fail OnCorrupt = "fail"
)

// ParseOnCorrupt reads --embedded-db-on-corrupt; "" means MoveAside.
func ParseOnCorrupt(s string) (OnCorrupt, error) {
	switch OnCorrupt(s) {
	case "", MoveAside:
		return MoveAside, nil
	case Fail:
		return Fail, nil
	}
	return "", fmt.Errorf("dnsserver: store: on-corrupt policy %q: want %s or %s", s, MoveAside, Fail)
}

// Options tune Open. The zero value is usable.
type Options struct {
	// LockTimeout bounds the wait for the file lock, so a second process on
	// the same file fails instead of hanging. Default 2 s.
	LockTimeout time.Duration
	// OnCorrupt is what to do with a corrupt file; default MoveAside.
	OnCorrupt OnCorrupt
	// Logger hears about a file moved aside; nil discards.
	Logger *slog.Logger
	// Now stamps the name a corrupt file is moved to; nil is time.Now.
	Now func() time.Time
}

const defaultLockTimeout = 2 * time.Second

// ErrCorrupt is wrapped by the error Open returns for a corrupt file.
var ErrCorrupt = errors.New("database file is corrupt")

// ErrLocked is wrapped by the error Open returns when another process
// holds the file.
var ErrLocked = errors.New("database file is locked by another process")

// CorruptError reports a file that bbolt cannot read.
type CorruptError struct {
	Path  string
	Cause error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("dnsserver: store: %s is corrupt (%v). exodns re-derives every record from its sources, "+
		"so the file can be set aside: move it away (mv %s %s.corrupt) and start again, "+
		"or start with --embedded-db-on-corrupt=%s to have exodns do that", e.Path, e.Cause, e.Path, e.Path, MoveAside)
}

func (e *CorruptError) Unwrap() []error { return []error{ErrCorrupt, e.Cause} }

// Open opens (creating if needed) the bbolt file at path and loads the
// records of the given zones, with default Options.
func Open(path string, zones []string) (*Store, error) {
	return OpenWith(path, zones, Options{})
}

// OpenWith is Open with options. Records in the file for zones no longer
// configured stay on disk untouched and come back if the zone does. It
// never panics on a damaged file: bbolt asserts its invariants with
// panics, which are turned into a *CorruptError here.
func OpenWith(path string, zones []string, o Options) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("dnsserver: store: %w", err)
	}
	s, err := openFile(path, zones, o)
	var ce *CorruptError
	if !errors.As(err, &ce) || o.OnCorrupt == Fail {
		return s, err
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	aside := path + ".corrupt-" + now().UTC().Format("20060102T150405Z")
	if rerr := os.Rename(path, aside); rerr != nil {
		return nil, fmt.Errorf("%w; moving it aside failed too: %w", err, rerr)
	}
	if o.Logger != nil {
		o.Logger.Error("dnsserver: store: DATABASE FILE CORRUPT: moved it aside and starting with an empty one; "+
			"the records come back from the sources on the first reconcile",
			"file", path, "moved_to", aside, "cause", ce.Cause)
	}
	return openFile(path, zones, o)
}

// openFile opens and loads the file, classifying what goes wrong. A file
// that exists is first opened read-only and checked: bbolt panics inside a
// read-write Open on a damaged freelist, and a panic there leaves the file
// mapped, and so locked, for the rest of the process. Read-only, Open reads
// only the meta pages, and the check reads the rest where a panic is
// recovered with nothing left behind.
func openFile(path string, zones []string, o Options) (*Store, error) {
	timeout := o.LockTimeout
	if timeout <= 0 {
		timeout = defaultLockTimeout
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		if err := guard(func() error { return checkPages(path) }); err != nil && !errors.Is(err, os.ErrPermission) {
			return nil, &CorruptError{Path: path, Cause: err}
		}
		db, err := boltOpen(path, &bolt.Options{Timeout: timeout, ReadOnly: true})
		if err != nil {
			return nil, err
		}
		err = guard(func() error { return check(db) })
		if cerr := guard(db.Close); err == nil && cerr != nil {
			return nil, fmt.Errorf("dnsserver: store: close %s after checking it: %w", path, cerr)
		}
		if err != nil {
			return nil, &CorruptError{Path: path, Cause: err}
		}
	}
	db, err := boltOpen(path, &bolt.Options{Timeout: timeout})
	if err != nil {
		return nil, err
	}
	s := NewMemory(zones)
	if err := guard(func() error { return db.Update(s.load) }); err != nil {
		_ = guard(db.Close)
		return nil, &CorruptError{Path: path, Cause: err}
	}
	s.db = db
	return s, nil
}

// boltOpen opens the file and names what went wrong.
func boltOpen(path string, bo *bolt.Options) (*bolt.DB, error) {
	var db *bolt.DB
	err := guard(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, bo)
		return err
	})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("dnsserver: store: %s is locked by another process (another exodns with the same --embedded-db?): "+
			"stop it, or give each process its own file: %w", path, ErrLocked)
	case isCorruption(err):
		return nil, &CorruptError{Path: path, Cause: err}
	}
	return nil, fmt.Errorf("dnsserver: store: open %s: %w", path, err)
}

// check first reads every key and value itself, then runs bbolt's
// consistency check, which finds double-freed and lost pages that would
// otherwise surface as a panic in a later write. bbolt checks in a
// goroutine of its own, where a fault on a wild page or key pointer
// cannot be recovered and kills the process; reading everything here
// first, under guard, meets any such pointer where it can be recovered.
func check(db *bolt.DB) error {
	if err := db.View(walk); err != nil {
		return err
	}
	return db.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() { // drain: the checker is a goroutine
			if len(errs) < 3 {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}

// walk touches every byte of every key and value in every bucket.
func walk(tx *bolt.Tx) error {
	var sum byte
	var visit func(b *bolt.Bucket, depth int) error
	visit = func(b *bolt.Bucket, depth int) error {
		if depth > 16 {
			return errors.New("buckets nested too deep")
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			for _, x := range k {
				sum ^= x
			}
			if v == nil {
				sub := b.Bucket(k)
				if sub == nil {
					return fmt.Errorf("key %q has no value and is no bucket", k)
				}
				if err := visit(sub, depth+1); err != nil {
					return err
				}
				continue
			}
			for _, x := range v {
				sum ^= x
			}
		}
		return nil
	}
	err := tx.ForEach(func(name []byte, b *bolt.Bucket) error { return visit(b, 0) })
	_ = sum // read only to touch the bytes
	return err
}

// panicError is a bbolt panic (or a memory fault in the mapped file)
// turned into an error.
type panicError struct{ v any }

func (p panicError) Error() string { return fmt.Sprintf("bbolt: %v", p.v) }

// guard runs f, turning panics and faults on the mapped file into errors.
func guard(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = panicError{r}
		}
	}()
	return f()
}

// isCorruption reports errors that mean the file's contents are damaged,
// as opposed to the file being unreachable (permissions, a directory).
func isCorruption(err error) bool {
	var p panicError
	return errors.As(err, &p) || errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrChecksum) ||
		errors.Is(err, berrors.ErrVersionMismatch)
}
