package manifest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"time"
)

// A file is trusted only once it is complete. Editors, `cat >`, `cp` and
// `git checkout` all expose a file that is empty, missing or half written
// for a moment; planning from that moment deletes live records and puts
// them back a moment later. So:
//
//   - a changed file is used only after it has been left alone for the
//     settle time (judged by its change time, which no writer can set
//     back), and until then its last good parse stands;
//   - a file that does not parse holds every name of its last good parse;
//   - a file that disappears keeps its last good parse for the settle time
//     too, since `git checkout` removes a file before writing it again.

// fileState is what is known about one manifest file.
type fileState struct {
	// stat of the content last read, to skip reading an unchanged file.
	size    int64
	modTime time.Time
	changed time.Time // the later of the modification and change times
	sum     [sha256.Size]byte
	read    bool
	// pending is content not parsed yet, waiting to settle.
	pending []byte

	// good is the last complete parse; nil until the file first parses.
	good    []document
	goodSum [sha256.Size]byte
	// broken is the error of the current content when it does not parse.
	broken error
	// goneSince is when the file was first found missing.
	goneSince time.Time
}

// fileView is what one file contributes to a read.
type fileView struct {
	docs []document // the documents to publish
	// hold is set when the file's current content cannot be trusted: docs
	// are its last good parse, published only as held names.
	hold error
	// incomplete is set when there is no good parse to fall back on.
	incomplete error
	// writing: the file is new and still being written; nothing is known
	// of it yet.
	writing bool
	// wake, when not zero, is when the file will have settled.
	wake time.Time
}

// view decides what the file at path contributes now.
func (s *Source) view(path string, st *fileState, now time.Time) fileView {
	info, err := os.Stat(path)
	if err != nil {
		return s.missing(path, st, now, err)
	}
	st.goneSince = time.Time{}
	changed := changeTime(info)
	if !st.read || info.Size() != st.size || !info.ModTime().Equal(st.modTime) || !changed.Equal(st.changed) {
		data, err := os.ReadFile(path)
		if err != nil {
			return s.missing(path, st, now, err)
		}
		st.size, st.modTime, st.changed, st.read = info.Size(), info.ModTime(), changed, true
		if sum := sha256.Sum256(data); sum != st.sum {
			st.sum, st.broken = sum, nil
		}
		st.pending = nil
		if (st.sum != st.goodSum || st.good == nil) && st.broken == nil {
			st.pending = data
		}
	}
	if st.sum == st.goodSum && st.good != nil {
		return fileView{docs: st.good}
	}
	if settleAt := st.changed.Add(s.settle); now.Before(settleAt) {
		// Being written: keep what was there, look again once it settled.
		if st.good == nil {
			return fileView{writing: true, wake: settleAt}
		}
		return fileView{docs: st.good, wake: settleAt}
	}
	if st.pending != nil {
		docs, err := s.parseFile(path, st.pending)
		st.pending = nil
		if err == nil {
			st.good, st.goodSum = docs, st.sum
			return fileView{docs: docs}
		}
		st.broken = err
	}
	if st.good == nil {
		return fileView{incomplete: fmt.Errorf("%s: %w", path, st.broken)}
	}
	return fileView{docs: st.good, hold: st.broken}
}

// missing handles a file that cannot be read: it was listed a moment ago.
func (s *Source) missing(path string, st *fileState, now time.Time, err error) fileView {
	if st.good == nil {
		return fileView{incomplete: fmt.Errorf("reading %s: %w", path, err)}
	}
	if st.goneSince.IsZero() {
		st.goneSince = now
	}
	st.read = false
	if wake := st.goneSince.Add(s.settle); now.Before(wake) {
		return fileView{docs: st.good, wake: wake}
	}
	return fileView{docs: st.good, hold: fmt.Errorf("cannot be read: %w", err)}
}

// parseFile parses a file and checks that each object it reads decodes
// into its typed form, so a file counts as good only when all of it does.
func (s *Source) parseFile(path string, data []byte) ([]document, error) {
	docs, errs := parseDocuments(data)
	if len(errs) > 0 {
		all := make([]error, len(errs))
		for i, e := range errs {
			all[i] = e
		}
		return nil, fmt.Errorf("does not parse: %w", errors.Join(all...))
	}
	fds := make([]fileDoc, len(docs))
	for i, d := range docs {
		fds[i] = fileDoc{file: path, doc: d}
	}
	var bad []error
	for _, p := range convert(fds, s.opts).Problems {
		if p.Object.Kind == manifestKind {
			bad = append(bad, fmt.Errorf("%s: %w", p.Object.Name, p.Err))
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("does not decode: %w", errors.Join(bad...))
	}
	return docs, nil
}

// gone handles a file no longer listed (deleted or renamed away): its
// records stay for the settle time, then go.
func (s *Source) gone(st *fileState, now time.Time) (fileView, bool) {
	if st.good == nil {
		return fileView{}, false
	}
	if st.goneSince.IsZero() {
		st.goneSince = now
	}
	if wake := st.goneSince.Add(s.settle); now.Before(wake) {
		return fileView{docs: st.good, wake: wake}, true
	}
	return fileView{}, false
}
