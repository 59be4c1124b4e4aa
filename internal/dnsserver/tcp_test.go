package dnsserver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// holdIdle keeps n TCP connections from the given local addresses open and
// silent, as a client starving the server would, dialling again whenever
// the server closes one, until ctx ends. It returns once all n have been
// dialled once.
func holdIdle(ctx context.Context, t *testing.T, addr string, n int, from func(i int) net.IP) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	ready := make(chan struct{}, n)
	for i := range n {
		wg.Go(func() {
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from(i)}, Timeout: time.Second}
			first := true
			for dials := 0; dials < 200 && ctx.Err() == nil; dials++ {
				c, err := d.DialContext(ctx, "tcp", addr)
				if first {
					ready <- struct{}{}
					first = false
				}
				if err != nil {
					time.Sleep(20 * time.Millisecond)
					continue
				}
				stop := context.AfterFunc(ctx, func() { c.Close() })
				_, _ = c.Read(make([]byte, 1)) // until the server (or ctx) closes it
				stop()
				c.Close()
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	for range n {
		<-ready
	}
	return &wg
}

// askTCP sends one query over a new TCP connection from local and returns
// the answer and how long it took.
func askTCP(t *testing.T, addr string, local net.IP, name string) (*dns.Msg, time.Duration, error) {
	t.Helper()
	c := &dns.Client{Net: "tcp", Timeout: time.Second, Dialer: &net.Dialer{LocalAddr: &net.TCPAddr{IP: local}, Timeout: time.Second}}
	begin := time.Now()
	r, _, err := c.Exchange(query(name, dns.TypeA), addr)
	return r, time.Since(begin), err
}

// TestTCPOneClientCannotStarveOthers holds 300 idle connections, from one
// address and then from 300, and requires another client's TCP queries to
// be answered meanwhile. Its latency is logged, and bounded only loosely
// (the client's 1 s timeout): before the per-client limit and idle eviction
// it waited about 2 s, for the server's read timeout to free a slot.
func TestTCPOneClientCannotStarveOthers(t *testing.T) {
	for _, tc := range []struct {
		name string
		from func(i int) net.IP
	}{
		{"300 connections from 127.0.0.2", func(int) net.IP { return net.IPv4(127, 0, 0, 2) }},
		{"300 connections from 300 addresses", func(i int) net.IP { return net.IPv4(127, 0, byte(1+i/200), byte(1+i%200)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := startServer(t, Config{}, nil)
			ctx, cancel := context.WithCancel(context.Background())
			attack := holdIdle(ctx, t, s.Addr(), 300, tc.from)
			defer func() { cancel(); attack.Wait() }()

			var took []time.Duration
			for i := range 20 {
				r, d, err := askTCP(t, s.Addr(), net.IPv4(127, 0, 0, 3), "www.example.com.")
				if err != nil {
					t.Fatalf("query %d from 127.0.0.3 under attack: %v", i, err)
				}
				if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 2 {
					t.Fatalf("query %d: %v", i, r)
				}
				took = append(took, d)
			}
			slices.Sort(took)
			t.Logf("TCP latency of another client under attack: median %v, max %v", took[len(took)/2], took[len(took)-1])
		})
	}
}

// TestTCPStalledMessagesAreEvicted fills every connection slot with
// clients that send the first byte of a message and stall (from many
// addresses, so the per-client limit does not apply): a new client must
// still be answered, by evicting the one stalled longest.
func TestTCPStalledMessagesAreEvicted(t *testing.T) {
	s, _ := startServer(t, Config{MaxTCPConnections: 20}, nil)
	for i := range 20 {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 3, byte(1+i))}}
		c, err := d.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte{0}); err != nil { // half a length prefix
			t.Fatal(err)
		}
	}
	// Wait until the server holds all 20 (then it reads their byte at once).
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		s.tcp.mu.Lock()
		n := len(s.tcp.conns)
		s.tcp.mu.Unlock()
		if n == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server holds %d connections, want 20", n)
		}
	}
	r, took, err := askTCP(t, s.Addr(), net.IPv4(127, 0, 0, 3), "www.example.com.")
	if err != nil || len(r.Answer) != 2 {
		t.Fatalf("query with every slot stalled: %v %v", r, err)
	}
	t.Logf("answered in %v", took)
}

// TestTCPPipelineClosesCleanly pipelines one query more than the
// per-connection limit: every query is answered, then the server closes
// with FIN (EOF here), not a reset.
func TestTCPPipelineClosesCleanly(t *testing.T) {
	s, _ := startServer(t, Config{}, nil)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = defaultMaxTCPQueries + 1
	var out []byte
	for i := range n {
		m := query(fmt.Sprintf("www%d.example.com.", i), dns.TypeA)
		m.Id = uint16(i)
		p, _ := m.Pack()
		out = binary.BigEndian.AppendUint16(out, uint16(len(p)))
		out = append(out, p...)
	}
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i := range n {
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err != nil {
			t.Fatalf("answer %d of %d: %v", i+1, n, err)
		}
		p := make([]byte, binary.BigEndian.Uint16(l[:]))
		if _, err := io.ReadFull(c, p); err != nil {
			t.Fatalf("answer %d of %d: %v", i+1, n, err)
		}
		var r dns.Msg
		if err := r.Unpack(p); err != nil || r.Id != uint16(i) || r.Rcode != dns.RcodeNameError {
			t.Fatalf("answer %d: %v %v", i+1, &r, err)
		}
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last answer: %v, want EOF (a FIN, not a reset)", err)
	}
}
