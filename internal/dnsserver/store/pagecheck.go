package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
)

// checkPages reads the file with read(2), not through the mapping, and
// proves that every page, element, key and value the newest valid meta
// page reaches lies inside its page and the file. bbolt's own Tx.Check
// runs in a goroutine of its own and dereferences element offsets
// straight from the mapping: one wild offset there is a fault no recover
// can catch, and it kills the process. After this walk no offset bbolt
// follows points outside the mapping. Offsets are bounds-checked Go slice
// indexes here, so damage is an error, never a fault.
func checkPages(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return checkPageBytes(b)
}

// checkPageBytes is checkPages on the file's bytes.
func checkPageBytes(b []byte) error {
	m, err := newestMetaPage(b)
	if err != nil {
		return err
	}
	w := pageWalk{file: b, ps: int(m.pageSize), highWater: m.highWater, seen: map[uint64]bool{}}
	if m.freelist != noFreelist {
		if err := w.freelist(m.freelist); err != nil {
			return err
		}
	}
	return w.tree(m.root, 0)
}

const (
	pageHeader    = 16
	elementSize   = 16
	branchFlag    = 0x01
	leafFlag      = 0x02
	freelistFlag  = 0x10
	bucketLeaf    = 0x01
	boltMagic     = 0xED0CDAED
	boltVersion   = 2
	noFreelist    = ^uint64(0)
	maxTreeDepth  = 64
	bucketHdrSize = 16
)

type meta struct {
	pageSize  uint32
	root      uint64
	freelist  uint64
	highWater uint64
	txid      uint64
}

// newestMetaPage picks the meta page bbolt would: the valid one with the
// higher transaction id.
func newestMetaPage(b []byte) (meta, error) {
	ps := os.Getpagesize()
	if m, err := parseMeta(b, 0); err == nil {
		ps = int(m.pageSize)
	}
	var best *meta
	var errs []error
	for _, off := range []int{0, ps} {
		m, err := parseMeta(b, off)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if best == nil || m.txid > best.txid {
			best = &m
		}
	}
	if best == nil {
		return meta{}, fmt.Errorf("no valid meta page: %w", errors.Join(errs...))
	}
	return *best, nil
}

func parseMeta(b []byte, off int) (meta, error) {
	const size = 64
	if off < 0 || off+pageHeader+size > len(b) {
		return meta{}, fmt.Errorf("meta page at %d: file is %d bytes", off, len(b))
	}
	p := b[off+pageHeader : off+pageHeader+size]
	le := binary.LittleEndian
	h := fnv.New64a()
	h.Write(p[:56])
	switch {
	case le.Uint32(p[0:]) != boltMagic:
		return meta{}, fmt.Errorf("meta page at %d: bad magic", off)
	case le.Uint32(p[4:]) != boltVersion:
		return meta{}, fmt.Errorf("meta page at %d: version %d", off, le.Uint32(p[4:]))
	case le.Uint64(p[56:]) != h.Sum64():
		return meta{}, fmt.Errorf("meta page at %d: checksum mismatch", off)
	}
	m := meta{pageSize: le.Uint32(p[8:]), root: le.Uint64(p[16:]), freelist: le.Uint64(p[32:]),
		highWater: le.Uint64(p[40:]), txid: le.Uint64(p[48:])}
	if m.pageSize < 512 || m.pageSize > 1<<20 || m.pageSize&(m.pageSize-1) != 0 {
		return meta{}, fmt.Errorf("meta page at %d: page size %d", off, m.pageSize)
	}
	return m, nil
}

type pageWalk struct {
	file      []byte
	ps        int
	highWater uint64
	seen      map[uint64]bool
}

// page returns the whole span of page id, overflow pages included.
func (w *pageWalk) page(id uint64) ([]byte, error) {
	if id < 2 || id >= w.highWater {
		return nil, fmt.Errorf("page %d: outside 2..%d", id, w.highWater)
	}
	if w.seen[id] {
		return nil, fmt.Errorf("page %d: reached twice", id)
	}
	w.seen[id] = true
	start := uint64(w.ps) * id
	if start+pageHeader > uint64(len(w.file)) {
		return nil, fmt.Errorf("page %d: past the end of the file", id)
	}
	overflow := uint64(binary.LittleEndian.Uint32(w.file[start+12:]))
	end := start + uint64(w.ps)*(1+overflow)
	if end > uint64(len(w.file)) || id+overflow >= w.highWater {
		return nil, fmt.Errorf("page %d: %d overflow pages run past the end", id, overflow)
	}
	p := w.file[start:end]
	if got := binary.LittleEndian.Uint64(p); got != id {
		return nil, fmt.Errorf("page %d: header says %d", id, got)
	}
	return p, nil
}

func (w *pageWalk) freelist(id uint64) error {
	p, err := w.page(id)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	if flags := binary.LittleEndian.Uint16(p[8:]); flags != freelistFlag {
		return fmt.Errorf("freelist page %d: flags %#x", id, flags)
	}
	count, first := uint64(binary.LittleEndian.Uint16(p[10:])), uint64(pageHeader)
	if count == 0xFFFF {
		if len(p) < pageHeader+8 {
			return fmt.Errorf("freelist page %d: too short", id)
		}
		count, first = binary.LittleEndian.Uint64(p[pageHeader:]), pageHeader+8
	}
	if count > uint64(len(p)) || first+count*8 > uint64(len(p)) {
		return fmt.Errorf("freelist page %d: %d ids do not fit", id, count)
	}
	for i := range count {
		if f := binary.LittleEndian.Uint64(p[first+i*8:]); f < 2 || f >= w.highWater {
			return fmt.Errorf("freelist page %d: free id %d outside 2..%d", id, f, w.highWater)
		}
	}
	return nil
}

func (w *pageWalk) tree(id uint64, depth int) error {
	p, err := w.page(id)
	if err != nil {
		return err
	}
	return w.node(p, fmt.Sprintf("page %d", id), depth)
}

// node checks one branch or leaf page, p being its whole span, and what it
// points to.
func (w *pageWalk) node(p []byte, name string, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("%s: tree deeper than %d", name, maxTreeDepth)
	}
	if len(p) < pageHeader {
		return fmt.Errorf("%s: %d bytes, shorter than a page header", name, len(p))
	}
	le := binary.LittleEndian
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if flags != branchFlag && flags != leafFlag {
		return fmt.Errorf("%s: flags %#x, want a branch or leaf", name, flags)
	}
	if pageHeader+count*elementSize > len(p) {
		return fmt.Errorf("%s: %d elements do not fit", name, count)
	}
	var prev []byte
	for i := range count {
		e := pageHeader + i*elementSize
		var pos, ksize, vsize uint64
		if flags == branchFlag {
			pos, ksize = uint64(le.Uint32(p[e:])), uint64(le.Uint32(p[e+4:]))
		} else {
			pos, ksize, vsize = uint64(le.Uint32(p[e+4:])), uint64(le.Uint32(p[e+8:])), uint64(le.Uint32(p[e+12:]))
		}
		start := uint64(e) + pos
		if start+ksize+vsize > uint64(len(p)) {
			return fmt.Errorf("%s: element %d runs past its page", name, i)
		}
		key := p[start : start+ksize]
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return fmt.Errorf("%s: keys out of order at element %d", name, i)
		}
		prev = key
		if flags == branchFlag {
			if err := w.tree(le.Uint64(p[e+8:]), depth+1); err != nil {
				return err
			}
			continue
		}
		if le.Uint32(p[e:])&bucketLeaf == 0 {
			continue
		}
		v := p[start+ksize : start+ksize+vsize]
		if len(v) < bucketHdrSize {
			return fmt.Errorf("%s: bucket %q header is %d bytes", name, key, len(v))
		}
		if root := le.Uint64(v); root != 0 {
			if err := w.tree(root, depth+1); err != nil {
				return err
			}
			continue
		}
		if err := w.node(v[bucketHdrSize:], fmt.Sprintf("inline bucket %q", key), depth+1); err != nil {
			return err
		}
	}
	return nil
}
