package dnsserver

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
)

// batchConn reads and writes many datagrams per system call: on Linux,
// golang.org/x/net's ipv4 and ipv6 PacketConn, through recvmmsg and
// sendmmsg (udpbatch_linux.go). Elsewhere there is none and the loop reads
// one datagram at a time (udp.go). ipv6.Message is the same type as
// ipv4.Message, so one interface fits both.
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

// udpBatch is how many datagrams one system call reads or writes at most.
// A read returns what is queued, so a batch is only as full as the load
// makes it: one query alone is answered at once.
const udpBatch = 32

// udpBatchMin is the fewest datagrams a read asks for. x/net prepares
// every message it is given on each call, so a read asks for twice what
// the last one found, between this and udpBatch: a quiet server does not
// prepare 32 messages to read one (it did, and used 70 % more
// instructions per query than reading one at a time).
const udpBatchMin = 4

// udpBatchState is a batch loop's messages and their buffers, all made
// once: slot i reads into in[i] and answers from the cache into out[i].
type udpBatchState struct {
	rms, wms []ipv4.Message
	in, out  [][]byte
	// Slot i's query as parsed, its cache key, the key's hash, and
	// (between the passes of serveOnce) the answer in its home slot.
	q    []fastQuery
	fast []bool
	keys [][]byte
	hash []uint64
	home []*cachedAnswer
	// touched keeps the touches' loads from being left out; never read.
	touched byte
}

// maxKey is the longest cache key: a name, type, class and EDNS flags.
const maxKey = 255 + 4 + 1

func newUDPBatchState(n int) *udpBatchState {
	b := &udpBatchState{rms: make([]ipv4.Message, n), wms: make([]ipv4.Message, n), in: make([][]byte, n), out: make([][]byte, n),
		q: make([]fastQuery, n), fast: make([]bool, n), keys: make([][]byte, n), hash: make([]uint64, n), home: make([]*cachedAnswer, n)}
	in, out, keys := make([]byte, n*udpReadBuffer), make([]byte, n*maxHit), make([]byte, n*maxKey)
	bufs := make([][]byte, 2*n)
	for i := range n {
		b.in[i] = in[i*udpReadBuffer : (i+1)*udpReadBuffer : (i+1)*udpReadBuffer]
		b.out[i] = out[i*maxHit : i*maxHit : (i+1)*maxHit]
		b.keys[i] = keys[i*maxKey : i*maxKey : (i+1)*maxKey]
		bufs[2*i] = b.in[i]
		b.rms[i].Buffers = bufs[2*i : 2*i+1 : 2*i+1]
		b.wms[i].Buffers = bufs[2*i+1 : 2*i+2 : 2*i+2]
	}
	return b
}

// serveBatch is serve with batches: read what is queued, up to udpBatch
// datagrams, answer each, and send the answers from the cache together.
// The full path sends its own answers as it goes (udpWriter); it is the
// rare one once the cache is warm.
func (u *udpServer) serveBatch() {
	st, b := u.newBatchLoop()
	want := udpBatchMin
	for {
		n, err := u.serveOnce(st, b, want)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(readErrorPause)
			continue
		}
		want = min(max(2*n, udpBatchMin), udpBatch)
	}
}

// newBatchLoop is a batch loop's state. The full path's answers, sent
// one at a time, go out through the batch conn too.
func (u *udpServer) newBatchLoop() (*udpState, *udpBatchState) {
	st := u.newState()
	st.w.conn = &batchWriter{packetConn: u.conn, batch: u.batch}
	return st, newUDPBatchState(udpBatch)
}

// batchWriter is the packetConn of a batch loop's full path: it sends
// through the batch conn, whose system calls on Linux are made with
// RawSyscall. The net package's WriteTo enters the scheduler
// (entersyscall), which wakes the runtime's sysmon when all Ps were idle,
// and sysmon then polls every 20 us for a while: under dnsperf, 350 full
// path answers a second (cache misses) kept sysmon at 1,300 nanosleeps a
// second, 3-4 % of the server's CPU.
type batchWriter struct {
	packetConn
	batch batchConn
	msg   [1]ipv4.Message
	buf   [1][]byte
}

func (w *batchWriter) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	w.buf[0] = b
	w.msg[0] = ipv4.Message{Buffers: w.buf[:], Addr: net.UDPAddrFromAddrPort(addr)}
	n, err := w.batch.WriteBatch(w.msg[:], 0)
	w.buf[0] = nil
	if err != nil {
		return 0, err
	}
	if n != 1 {
		return 0, errors.New("dnsserver: datagram not sent")
	}
	return len(b), nil
}

// serveOnce reads one batch of at most want datagrams, answers it and
// sends the answers: the loop's work, apart so that a test can hold it to
// no allocation per batch.
func (u *udpServer) serveOnce(st *udpState, b *udpBatchState, want int) (int, error) {
	n, err := u.batch.ReadBatch(b.rms[:want], 0)
	if err != nil {
		return 0, err
	}
	// Three passes: parse every query and load its home slot, touch the
	// answers found there, then answer. A hit's time is mostly two cache
	// misses (the slot, the answer); taken one query after another they
	// add up, here the misses of the batch overlap. The snapshot is read
	// after the datagrams: a change applied before they came is in it.
	c := u.h.auth.Snapshot().answers()
	for i := range n {
		q, fast := parseFast(b.in[i][:b.rms[i].N], b.keys[i])
		b.q[i], b.fast[i], b.home[i] = q, fast, nil
		if fast {
			b.hash[i] = c.hash(q.key)
			b.home[i] = c.home(b.hash[i])
		}
	}
	var touched byte
	for _, a := range b.home[:n] {
		touched ^= a.touch()
	}
	b.touched ^= touched
	k := 0
	for i := range n {
		m := &b.rms[i]
		from, ok := m.Addr.(*net.UDPAddr)
		if !ok {
			continue
		}
		cc := c
		if !b.fast[i] {
			cc = nil // the full path parses it
		}
		if resp := u.answerParsed(st, b.out[i][:0], b.in[i][:m.N], b.q[i], cc, b.hash[i], from.AddrPort()); resp != nil {
			w := &b.wms[k]
			w.Buffers[0], w.Addr = resp, from
			k++
		}
	}
	u.writeBatch(b.wms[:k])
	u.flushMetrics(st)
	return n, nil
}

// writeBatch sends ms, as few system calls as the kernel allows. A
// message the kernel refuses (a destination it cannot send to) is skipped,
// as a single write's error would be ignored.
func (u *udpServer) writeBatch(ms []ipv4.Message) {
	for len(ms) > 0 {
		n, err := u.batch.WriteBatch(ms, 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			n = max(n, 0) + 1 // sendmmsg reports the first message it could not send
		}
		ms = ms[min(max(n, 1), len(ms)):]
	}
}
