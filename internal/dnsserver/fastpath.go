package dnsserver

import (
	"encoding/binary"
	"hash/maphash"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"

	"github.com/miekg/dns"
)

// The UDP fast path answers the common query, a plain question with at most
// an OPT record, by copying a packed response out of a per-snapshot cache:
// no parsing into a dns.Msg, no allocation, no packing. The response is the
// handler's own, packed once on the first miss, so both paths answer alike.
//
// A cached response differs between clients only in the ID, the RD and CD
// bits it echoes, and the spelling of the question name. The first two are
// patched into the header; the name is copied over the question, and since
// the response is compressed, every owner name equal to the question is a
// pointer to it and follows the client's spelling too.

// maxCached is the largest response cached: one that fits any client's
// buffer, so it never needs truncating.
const maxCached = dns.MinMsgSize

// fastQuery is what the fast path reads from a query.
type fastQuery struct {
	qend  int    // offset just past the question
	key   []byte // lowercase question name, type, class, then EDNS flags
	flags uint16 // the query's header flags
	// cookie is the data of the query's COOKIE option, its only EDNS
	// option if any; nil without one. The answer is the cached one with
	// the client's cookie and our server cookie added (cookie.go).
	cookie []byte
	// udpSize is the client's EDNS buffer size, 0 without EDNS.
	udpSize uint16
}

const (
	flagQR     = 1 << 15
	flagOpcode = 0xF << 11
	flagRD     = 1 << 8
	flagCD     = 1 << 4
	keyEDNS    = 1
	keyDO      = 2
)

// parseFast reads a query the fast path can answer, appending the cache key
// to key[:0]. Anything unusual, even if valid, is left to the full path.
func parseFast(p []byte, key []byte) (fastQuery, bool) {
	if len(p) < 12+5 {
		return fastQuery{}, false
	}
	q := fastQuery{flags: binary.BigEndian.Uint16(p[2:])}
	if q.flags&(flagQR|flagOpcode) != 0 || binary.BigEndian.Uint16(p[4:]) != 1 ||
		binary.BigEndian.Uint16(p[6:]) != 0 || binary.BigEndian.Uint16(p[8:]) != 0 {
		return fastQuery{}, false
	}
	arcount := binary.BigEndian.Uint16(p[10:])
	off := 12
	key = key[:0]
	for {
		if off >= len(p) {
			return fastQuery{}, false
		}
		l := int(p[off])
		if l == 0 {
			break
		}
		if l > 63 || off+1+l > len(p) || off+1+l-12 > 254 { // no pointers, RFC 1035 lengths
			return fastQuery{}, false
		}
		key = append(key, byte(l))
		for _, c := range p[off+1 : off+1+l] {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			key = append(key, c)
		}
		off += 1 + l
	}
	off++
	if off+4 > len(p) {
		return fastQuery{}, false
	}
	qtype, qclass := binary.BigEndian.Uint16(p[off:]), binary.BigEndian.Uint16(p[off+2:])
	if qclass != dns.ClassINET || qtype == dns.TypeOPT || (isMetaType(qtype) || isTransfer(qtype)) {
		return fastQuery{}, false
	}
	key = append(key, 0, p[off], p[off+1], p[off+2], p[off+3])
	off += 4
	q.qend = off
	var ednsFlags byte
	switch arcount {
	case 0:
	case 1:
		// The OPT record: root name, type, size, ext-rcode, version, flags,
		// and either no options or one well-formed cookie. Other options
		// (client subnet, anything malformed) take the full path, which
		// checks them.
		if off+11 > len(p) || p[off] != 0 || binary.BigEndian.Uint16(p[off+1:]) != dns.TypeOPT || p[off+6] != 0 {
			return fastQuery{}, false
		}
		q.udpSize = binary.BigEndian.Uint16(p[off+3:])
		rdlen := int(binary.BigEndian.Uint16(p[off+9:]))
		if rdlen != 0 {
			if rdlen < 4 || off+11+rdlen > len(p) || binary.BigEndian.Uint16(p[off+11:]) != dns.EDNS0COOKIE {
				return fastQuery{}, false
			}
			n := int(binary.BigEndian.Uint16(p[off+13:]))
			if 4+n != rdlen || !validCookieLen(n) {
				return fastQuery{}, false
			}
			q.cookie = p[off+15 : off+15+n]
		}
		ednsFlags = keyEDNS
		if p[off+7]&0x80 != 0 {
			ednsFlags |= keyDO
		}
		off += 11 + rdlen
	default:
		return fastQuery{}, false
	}
	if off != len(p) {
		return fastQuery{}, false
	}
	q.key = append(key, ednsFlags)
	return q, true
}

// answerCache is a fixed-size table of packed responses. Its size is
// fixed when the snapshot is built, so a flood of random names only churns
// it, and readers use atomic loads: no lock, no waiting.
//
// The table is 4-way set associative: an answer lives in one of the four
// slots of its set, its home slot (the one its hash names) first, then the
// next ones in turn. A set holds four answers before the newest evicts
// one; with one slot per answer, two answers in the same slot would evict
// each other on every other query (a tenth of dnsperf's queries went to
// the full path that way). Slots are never emptied, so a lookup stops at
// the first empty slot of its order.
//
// Only complete responses are cached: nothing dropped to fit a buffer, so
// the same bytes are right for every client, whatever its buffer size.
// An answer with an RRset to rotate has one variant per rotation, each
// filled on its first miss.
type answerCache struct {
	seed  maphash.Seed
	slots []atomic.Pointer[cachedAnswer]
}

// cacheWays is the number of slots a set has.
const cacheWays = 4

// cachedAnswer is one question's answer. Its bytes, the key and, for an
// answer with one variant, the response, follow it in the same allocation
// (newCachedAnswer), so a hit reads two places in memory: the slot, and
// this block, of two or three adjacent cache lines. Separate allocations
// for the key and the response made five, and their cache misses were
// most of a hit's time.
type cachedAnswer struct {
	hash  uint64
	rrlID uint64     // the response's identity for RRL
	rot   *rotations // nil: one variant, after the key
	n     uint16     // bytes after the struct
	klen  uint16     // of which the key
	rcode uint16
}

// rotations are the responses of an answer with an RRset to rotate, one
// per rotation, each filled on its first miss.
type rotations struct {
	turn     atomic.Uint64 // OrderCyclic's step for this answer
	variants []atomic.Pointer[[]byte]
}

// sizedAnswer is a cachedAnswer with room for its bytes.
type sizedAnswer[B any] struct {
	cachedAnswer
	b B
}

// answerHeader is where a cachedAnswer's bytes start. The byte arrays
// of sizedAnswer follow cachedAnswer with no padding, its size being a
// multiple of its alignment (TestCachedAnswerLayout).
const answerHeader = unsafe.Sizeof(cachedAnswer{})

// newCachedAnswer allocates an answer with room for n bytes. The sizes
// make whole allocation size classes: 112, 160, 224, 320, 512 and 896
// bytes; the largest holds the longest key and a maxCached response.
func newCachedAnswer(n int) *cachedAnswer {
	var a *cachedAnswer
	switch {
	case n <= 80:
		a = &new(sizedAnswer[[80]byte]).cachedAnswer
	case n <= 128:
		a = &new(sizedAnswer[[128]byte]).cachedAnswer
	case n <= 192:
		a = &new(sizedAnswer[[192]byte]).cachedAnswer
	case n <= 288:
		a = &new(sizedAnswer[[288]byte]).cachedAnswer
	case n <= 480:
		a = &new(sizedAnswer[[480]byte]).cachedAnswer
	case n <= 864:
		a = &new(sizedAnswer[[864]byte]).cachedAnswer
	default:
		return nil
	}
	a.n = uint16(n)
	return a
}

// bytes returns the key, then the response of a single variant.
func (a *cachedAnswer) bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(a), answerHeader)), a.n)
}

// is reports whether a is the answer to key, whose hash is h.
func (a *cachedAnswer) is(key []byte, h uint64) bool {
	return a.hash == h && int(a.klen) == len(key) && string(a.bytes()[:a.klen]) == string(key)
}

func newAnswerCache(names int) *answerCache {
	n := 1024
	for n < 4*names && n < 1<<18 {
		n <<= 1
	}
	return &answerCache{seed: maphash.MakeSeed(), slots: make([]atomic.Pointer[cachedAnswer], n)}
}

// slotAt is the i-th slot, from 0, in the probe order of hash h.
func (c *answerCache) slotAt(h uint64, i int) *atomic.Pointer[cachedAnswer] {
	home := h & uint64(len(c.slots)-1)
	return &c.slots[home&^(cacheWays-1)|(home+uint64(i))&(cacheWays-1)]
}

// find returns the answer cached for key, whose hash is h, or nil.
func (c *answerCache) find(key []byte, h uint64) *cachedAnswer {
	for i := range cacheWays {
		a := c.slotAt(h, i).Load()
		if a == nil {
			return nil
		}
		if a.is(key, h) {
			return a
		}
	}
	return nil
}

// cacheHit is what get found.
type cacheHit struct {
	rcode int
	rrlID uint64
	// rot is the rotation to serve; on a miss of a known answer, the one
	// the slow path should build and put. -1 on a miss of the answer.
	rot int
}

// hash is the hash of a cache key, for get.
func (c *answerCache) hash(key []byte) uint64 { return maphash.Bytes(c.seed, key) }

// home is the answer in the first slot of h's set, likely the one asked
// for: touch reads it.
func (c *answerCache) home(h uint64) *cachedAnswer { return c.slotAt(h, 0).Load() }

// touch reads the first and last cache lines of a, so that their cache
// misses, most of a hit's time, are taken while it is not yet waited for:
// a batch loads the home slots of all its queries, then touches their
// answers, then answers each, and the misses of a batch overlap instead
// of coming one after another. It returns a byte to keep the loads.
func (a *cachedAnswer) touch() byte {
	if a == nil {
		return 0
	}
	return a.bytes()[a.n-1] ^ byte(a.hash)
}

// get writes the cached response for q into out and returns it. A nil
// response is a miss.
func (c *answerCache) get(p []byte, q fastQuery, out []byte, order RRsetOrder) ([]byte, cacheHit) {
	return c.getHashed(p, q, c.hash(q.key), out, order)
}

// getHashed is get for a key whose hash h is known.
func (c *answerCache) getHashed(p []byte, q fastQuery, h uint64, out []byte, order RRsetOrder) ([]byte, cacheHit) {
	a := c.find(q.key, h)
	if a == nil {
		return nil, cacheHit{rot: -1}
	}
	hit := cacheHit{rcode: int(a.rcode), rrlID: a.rrlID}
	w := a.bytes()[a.klen:]
	if r := a.rot; r != nil {
		n := len(r.variants)
		if order == OrderRandom {
			hit.rot = rand.IntN(n)
		} else {
			hit.rot = int(r.turn.Add(1) % uint64(n))
		}
		wp := r.variants[hit.rot].Load()
		if wp == nil {
			return nil, hit
		}
		w = *wp
	}
	out = append(out[:0], w...)
	copy(out[0:2], p[0:2])
	binary.BigEndian.PutUint16(out[2:], binary.BigEndian.Uint16(out[2:])|q.flags&(flagRD|flagCD))
	copy(out[12:q.qend], p[12:q.qend])
	return out, hit
}

// put caches rotation rot (of nrot) of a packed response to q.
func (c *answerCache) put(q fastQuery, wire []byte, hit cacheHit, rot, nrot int) {
	if len(wire) > maxCached || len(wire) < q.qend || rot < 0 || rot >= nrot {
		return
	}
	h := maphash.Bytes(c.seed, q.key)
	// The slot: the answer's own if cached, else the first empty one of
	// its set, else one of the set chosen by the hash.
	s := c.slotAt(h, int(h>>32)%cacheWays)
	for i := range cacheWays {
		t := c.slotAt(h, i)
		if a := t.Load(); a == nil || a.is(q.key, h) {
			s = t
			break
		}
	}
	if nrot == 1 {
		a := newCachedAnswer(len(q.key) + len(wire))
		a.hash, a.rrlID, a.klen, a.rcode = h, hit.rrlID, uint16(len(q.key)), uint16(hit.rcode)
		b := a.bytes()
		copy(b[copy(b, q.key):], wire)
		clearQuery(b[len(q.key):])
		s.Store(a)
		return
	}
	w := append([]byte(nil), wire...)
	clearQuery(w)
	a := s.Load()
	if a == nil || !a.is(q.key, h) || a.rot == nil || len(a.rot.variants) != nrot || int(a.rcode) != hit.rcode {
		a = newCachedAnswer(len(q.key))
		a.hash, a.rrlID, a.klen, a.rcode = h, hit.rrlID, uint16(len(q.key)), uint16(hit.rcode)
		copy(a.bytes(), q.key)
		a.rot = &rotations{variants: make([]atomic.Pointer[[]byte], nrot)}
		a.rot.turn.Store(uint64(rot)) // the next hit serves the rotation after this one
		a.rot.variants[rot].Store(&w)
		s.Store(a)
		return
	}
	a.rot.variants[rot].Store(&w)
}

// clearQuery zeroes what a cached response takes from each query: the ID
// and the RD and CD bits.
func clearQuery(w []byte) {
	w[0], w[1] = 0, 0
	binary.BigEndian.PutUint16(w[2:], binary.BigEndian.Uint16(w[2:])&^(flagRD|flagCD))
}

// answers returns the snapshot's cache, making it on first use.
func (s *Snapshot) answers() *answerCache {
	if c := s.cache.Load(); c != nil {
		return c
	}
	names := 0
	for _, z := range s.zones {
		names += len(z.nodes)
	}
	s.cache.CompareAndSwap(nil, newAnswerCache(names))
	return s.cache.Load()
}
