//go:build linux

package dnsserver

import (
	"context"
	"net"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// TestBatchConnFamilies: an IPv4 socket gets x/net's ipv4 batch API, an
// IPv6 or dual-stack one its ipv6 API.
func TestBatchConnFamilies(t *testing.T) {
	for addr, want := range map[string]string{"127.0.0.1:0": "ipv4", "[::1]:0": "ipv6", "[::]:0": "ipv6"} {
		c, err := listenUDP(context.Background(), addr, 1)
		if err != nil {
			t.Logf("%s: %v", addr, err)
			continue
		}
		got := ""
		switch newBatchConn(c[0]).(type) {
		case *ipv4.PacketConn:
			got = "ipv4"
		case *ipv6.PacketConn:
			got = "ipv6"
		}
		_ = c[0].Close()
		if got != want {
			t.Errorf("%s: %q batch conn, want %s", addr, got, want)
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
