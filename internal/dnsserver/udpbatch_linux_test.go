//go:build linux

package dnsserver

import (
	"context"
	"net"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// TestBatchConnFamilies: IPv4, IPv6 and dual-stack sockets all get a
// batch conn, and its answers go back to where the queries came from
// (TestUDPBatchOverLoopback checks the same through the server).
func TestBatchConnFamilies(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "[::]:0"} {
		c, err := listenUDP(context.Background(), addr, 1)
		if err != nil {
			t.Logf("%s: %v", addr, err)
			continue
		}
		if _, ok := newBatchConn(c[0]).(*rawBatch); !ok {
			t.Errorf("%s: no batch conn", addr)
		}
		_ = c[0].Close()
	}
}

// TestRawBatchEcho reads a burst with the batch conn and writes each
// datagram back to its source through the addresses the read made, over
// IPv4 and over a dual-stack socket asked over IPv4: what the loop does.
func TestRawBatchEcho(t *testing.T) {
	for _, tc := range []struct{ listen, dial string }{{"127.0.0.1:0", "127.0.0.1"}, {"[::]:0", "127.0.0.1"}} {
		s, err := listenUDP(context.Background(), tc.listen, 1)
		if err != nil {
			t.Logf("%s: %v", tc.listen, err)
			continue
		}
		defer s[0].Close()
		_, port, _ := net.SplitHostPort(s[0].LocalAddr().String())
		c, err := net.Dial("udp", net.JoinHostPort(tc.dial, port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		const burst = 50
		for i := range burst {
			if _, err := c.Write([]byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		bc := newBatchConn(s[0])
		st := newUDPBatchState(udpBatch)
		got := 0
		for got < burst {
			n, err := bc.ReadBatch(st.rms, 0)
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				w := &st.wms[i]
				w.Buffers[0], w.Addr = st.in[i][:st.rms[i].N], st.rms[i].Addr
			}
			if m, err := bc.WriteBatch(st.wms[:n], 0); m != n || err != nil {
				t.Fatalf("wrote %d of %d: %v", m, n, err)
			}
			got += n
		}
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		buf := make([]byte, 8)
		for i := range burst {
			n, err := c.Read(buf)
			if err != nil || n != 1 || buf[0] != byte(i) {
				t.Fatalf("echo %d: %q, %v", i, buf[:n], err)
			}
		}
	}
}

// TestWriteBatchSkipsRefused: the kernel refuses one message of a batch
// (port 0); the messages after it are still sent.
func TestWriteBatchSkipsRefused(t *testing.T) {
	s, err := listenUDP(context.Background(), "127.0.0.1:0", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s[0].Close()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := c.LocalAddr().(*net.UDPAddr)
	bad := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 0}
	u := &udpServer{batch: newBatchConn(s[0])}
	var ms []ipv4.Message
	for _, m := range []struct {
		to  *net.UDPAddr
		msg string
	}{{to, "one"}, {bad, "refused"}, {bad, "refused too"}, {to, "two"}} {
		ms = append(ms, ipv4.Message{Buffers: [][]byte{[]byte(m.msg)}, Addr: m.to})
	}
	u.writeBatch(ms)
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 64)
	for _, want := range []string{"one", "two"} {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("waiting for %q: %v", want, err)
		}
		if string(buf[:n]) != want {
			t.Fatalf("got %q, want %q", buf[:n], want)
		}
	}
}

// TestRawBatchAllocatesNothing: reading a datagram with recvmmsg and
// sending it back with sendmmsg allocates nothing; the source address is
// made in place (x/net allocated one per datagram).
func TestRawBatchAllocatesNothing(t *testing.T) {
	s, err := listenUDP(context.Background(), "127.0.0.1:0", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s[0].Close()
	c, err := net.Dial("udp", s[0].LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const runs = 100
	for i := range runs + 1 { // AllocsPerRun runs once more, to warm up
		if _, err := c.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	bc := newBatchConn(s[0])
	st := newUDPBatchState(udpBatch)
	echoed := 0
	allocs := testing.AllocsPerRun(runs, func() {
		n, err := bc.ReadBatch(st.rms[:1], 0)
		if err != nil || n != 1 {
			t.Fatalf("read %d: %v", n, err)
		}
		w := &st.wms[0]
		w.Buffers[0], w.Addr = st.in[0][:st.rms[0].N], st.rms[0].Addr
		if m, err := bc.WriteBatch(st.wms[:1], 0); m != 1 || err != nil {
			t.Fatalf("wrote %d: %v", m, err)
		}
		echoed++
	})
	if allocs != 0 {
		t.Errorf("%v allocations per datagram read and written", allocs)
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 8)
	for i := range echoed {
		if n, err := c.Read(buf); err != nil || n != 1 || buf[0] != byte(i) {
			t.Fatalf("echo %d: %q, %v", i, buf[:n], err)
		}
	}
}
