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

// Source reads manifests from files and folders.
type Source struct {
	paths    []string
	opts     source.Options
	reporter source.Reporter
	log      *slog.Logger

	mu    sync.Mutex
	files map[string]*fileState
}

// fileState caches a file's parsed documents; a file is parsed again only
// when its size or modification time changes.
type fileState struct {
	modTime time.Time
	size    int64
	docs    []document
	errs    []docError
}

// New returns a source reading the given files and folders (--manifest-path).
// Problems with single documents or objects go to reporter; they never stop
// the other objects.
func New(paths []string, opts source.Options, reporter source.Reporter, log *slog.Logger) *Source {
	if reporter == nil {
		reporter = source.ReporterFunc(func(source.Problem) {})
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{paths: paths, opts: opts, reporter: reporter, log: log, files: map[string]*fileState{}}
}

// Endpoints reads every manifest and converts its objects.
func (s *Source) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	files, err := s.listFiles()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var docs []fileDoc
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		seen[f] = true
		st := s.load(f)
		for _, de := range st.errs {
			s.reporter.Report(source.Problem{Object: fileRef(f, de.Index), Err: de})
		}
		for _, d := range st.docs {
			docs = append(docs, fileDoc{file: f, doc: d})
		}
	}
	for f := range s.files {
		if !seen[f] {
			delete(s.files, f)
		}
	}
	res := convert(docs, s.opts)
	for _, p := range res.Problems {
		s.reporter.Report(p)
	}
	return res.Endpoints, nil
}

// load returns the parsed file, from the cache when unchanged.
func (s *Source) load(path string) *fileState {
	info, err := os.Stat(path)
	if err != nil {
		return &fileState{errs: []docError{{Index: 0, Err: err}}}
	}
	if st, ok := s.files[path]; ok && st.modTime.Equal(info.ModTime()) && st.size == info.Size() {
		return st
	}
	st := &fileState{modTime: info.ModTime(), size: info.Size()}
	data, err := os.ReadFile(path)
	if err != nil {
		st.errs = []docError{{Index: 0, Err: err}}
		return st
	}
	st.docs, st.errs = parseDocuments(data)
	s.files[path] = st
	return st
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

func fileRef(path string, index int) source.ObjectRef {
	return source.ObjectRef{Kind: "Manifest", Name: fmt.Sprintf("%s#%d", path, index)}
}
