package manifest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// AddEventHandler calls handler once a manifest file changed and was then
// left alone for the settle time: a file being written is not worth a
// reconcile, and the controller's debounce would otherwise push the
// reconcile that uses it seconds later. Folders are watched rather than
// files, because editors and `git checkout` replace files by renaming,
// which a watch on the file itself would lose.
func (s *Source) AddEventHandler(ctx context.Context, handler func()) {
	s.mu.Lock()
	s.notify = handler
	s.mu.Unlock()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		s.log.Warn("manifest: cannot watch files; changes are picked up at the next resync", "err", err)
		return
	}
	watched := map[string]bool{}
	add := func(dir string) {
		if watched[dir] {
			return
		}
		if err := w.Add(dir); err != nil {
			s.log.Warn("manifest: cannot watch folder", "path", dir, "err", err)
			return
		}
		watched[dir] = true
	}
	for _, p := range s.paths {
		info, err := os.Stat(p)
		switch {
		case err != nil:
			add(filepath.Dir(p))
		case info.IsDir():
			_ = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					if path != p && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					add(path)
				}
				return nil
			})
		default:
			add(filepath.Dir(p))
		}
	}
	go func() {
		defer w.Close()
		// A trailing debounce: each change pushes the call back by the
		// settle time, but a file written without pause is looked at
		// after maxWait anyway.
		maxWait := 10 * s.settle
		quiet := time.NewTimer(time.Hour)
		quiet.Stop()
		defer quiet.Stop()
		var first time.Time
		changed := func() {
			now := time.Now()
			if first.IsZero() {
				first = now
			}
			if now.Sub(first) < maxWait {
				quiet.Reset(s.settle)
			}
		}
		for {
			select {
			case <-ctx.Done():
				return
			case <-quiet.C:
				first = time.Time{}
				handler()
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Has(fsnotify.Create) {
					if info, err := os.Stat(ev.Name); err == nil && info.IsDir() {
						add(ev.Name) // a new sub-folder
						changed()
						continue
					}
				}
				if isManifest(filepath.Base(ev.Name)) && s.relevant(ev.Name) {
					changed()
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				s.log.Warn("manifest: file watch error", "err", err)
				changed() // events may have been lost; reconcile to be safe
			}
		}
	}()
}

// relevant reports whether a changed file is one of ours: inside a watched
// folder path, or one of the files named explicitly.
func (s *Source) relevant(name string) bool {
	for _, p := range s.paths {
		if name == p || filepath.Clean(name) == filepath.Clean(p) {
			return true
		}
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			if rel, err := filepath.Rel(p, name); err == nil && !strings.HasPrefix(rel, "..") {
				return true
			}
		}
	}
	return false
}
