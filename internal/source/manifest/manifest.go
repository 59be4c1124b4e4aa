// Package manifest is a source that reads Kubernetes objects from YAML or
// JSON files instead of a cluster: for a machine with no cluster, and for
// GitOps users who keep DNS in a repository. It converts objects with the
// same functions the Kubernetes sources use, so a manifest means exactly
// what it would mean applied to a cluster.
package manifest

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

// DefaultSettle is how long a changed file must be left alone before it is
// trusted (--manifest-settle-time).
const DefaultSettle = 500 * time.Millisecond

// manifestKind names a file in reports; a file is not a Kubernetes object.
const manifestKind = "Manifest"

// Source reads manifests from files and folders.
type Source struct {
	paths    []string
	opts     source.Options
	reporter source.Reporter
	log      *slog.Logger
	settle   time.Duration
	now      func() time.Time

	mu       sync.Mutex
	started  bool
	files    map[string]*fileState
	notify   func()      // the event handler, once registered
	wake     *time.Timer // calls notify when a file will have settled
	wakeTime time.Time
}

// New returns a source reading the given files and folders (--manifest-path).
// Problems with single documents or objects go to reporter; they never stop
// the other objects. A changed file is used once it has been left alone
// for settle (DefaultSettle when zero).
func New(paths []string, opts source.Options, reporter source.Reporter, log *slog.Logger, settle time.Duration) *Source {
	if reporter == nil {
		reporter = source.ReporterFunc(func(source.Problem) {})
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if settle <= 0 {
		settle = DefaultSettle
	}
	return &Source{paths: paths, opts: opts, reporter: reporter, log: log, settle: settle, now: time.Now,
		files: map[string]*fileState{}}
}

// Endpoints reads every manifest and converts its objects. A file that
// does not parse holds the names of its last good parse; a file being
// written is used once it settles. When a file has never parsed, the
// error is a *source.IncompleteError: the endpoints are good, but nothing
// may be deleted.
func (s *Source) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	files, err := s.listFiles()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		// At start a file being written is waited for (at most the settle
		// time): the first plan must see every file, or it deletes what
		// the missing one asked for. Later, a new file being written is
		// only picked up once it settled.
		s.started = true
		s.awaitSettled(ctx, files)
	}
	now := s.now()
	var docs, heldDocs []fileDoc
	var incomplete []error
	var wake time.Time
	use := func(f string, v fileView) {
		if !v.wake.IsZero() && (wake.IsZero() || v.wake.Before(wake)) {
			wake = v.wake
		}
		switch {
		case v.writing:
		case v.incomplete != nil:
			incomplete = append(incomplete, v.incomplete)
			s.reporter.Report(source.Problem{Object: fileRef(f, -1), Err: v.incomplete})
		case v.hold != nil:
			s.reporter.Report(source.Problem{Object: fileRef(f, -1),
				Err: fmt.Errorf("%w; the %d objects of its last good version keep their records until it is fixed", v.hold, len(v.docs))})
			for _, d := range v.docs {
				heldDocs = append(heldDocs, fileDoc{file: f, doc: d})
			}
		default:
			for _, d := range v.docs {
				docs = append(docs, fileDoc{file: f, doc: d})
			}
		}
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		seen[f] = true
		st := s.files[f]
		if st == nil {
			st = &fileState{}
			s.files[f] = st
		}
		use(f, s.view(f, st, now))
	}
	for f, st := range s.files {
		if seen[f] {
			continue
		}
		if v, keep := s.gone(st, now); keep {
			use(f, v)
			continue
		}
		delete(s.files, f)
	}
	s.scheduleWake(wake)
	res := convert(docs, s.opts)
	for _, p := range res.Problems {
		s.reporter.Report(p)
	}
	out := res.Endpoints
	if len(heldDocs) > 0 {
		for _, e := range convert(heldDocs, s.opts).Endpoints {
			if !e.Held() {
				e = e.WithLabel(endpoint.HoldLabel, "its manifest file does not parse")
			}
			out = append(out, e)
		}
	}
	if len(incomplete) > 0 {
		return out, &source.IncompleteError{Errs: incomplete}
	}
	return out, nil
}

// awaitSettled waits until no file is new and still being written.
func (s *Source) awaitSettled(ctx context.Context, files []string) {
	for range 3 { // bounded: a file rewritten without pause is not waited for
		var until time.Time
		for _, f := range files {
			st := s.files[f]
			if st == nil {
				st = &fileState{}
				s.files[f] = st
			}
			if v := s.view(f, st, s.now()); v.writing && v.wake.After(until) {
				until = v.wake
			}
		}
		if until.IsZero() {
			return
		}
		t := time.NewTimer(until.Sub(s.now()) + time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// scheduleWake makes sure the event handler runs at t, when a file being written
// will have settled, so its change is applied without waiting for a resync.
func (s *Source) scheduleWake(t time.Time) {
	if t.IsZero() || s.notify == nil {
		return
	}
	if s.wake != nil && !s.wakeTime.IsZero() && !t.Before(s.wakeTime) && s.wakeTime.After(s.now()) {
		return // an earlier wake-up is already set
	}
	if s.wake != nil {
		s.wake.Stop()
	}
	s.wakeTime = t
	s.wake = time.AfterFunc(time.Until(t)+time.Millisecond, s.notify)
}

// listFiles expands folders (recursively) into their manifest files, in a
// stable order so results do not depend on the file system's.
func (s *Source) listFiles() ([]string, error) {
	var out []string
	for _, p := range s.paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if isManifest(d.Name()) {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("manifest: %w", err)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func isManifest(name string) bool {
	if strings.HasPrefix(name, ".") {
		return false // editor swap and backup files
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// fileRef names a file, or one document of it, in reports.
func fileRef(path string, index int) source.ObjectRef {
	if index < 0 {
		return source.ObjectRef{Kind: manifestKind, Name: path}
	}
	return source.ObjectRef{Kind: manifestKind, Name: fmt.Sprintf("%s#%d", path, index)}
}
