//go:build linux

package dnsserver

import (
	"encoding/binary"
	"net"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// rawBatch reads and writes batches with recvmmsg and sendmmsg of its own,
// made with unix.RawSyscall6 inside the socket's RawConn.Read and Write,
// which wait in the netpoller as usual when nothing can be read or
// written. It replaces x/net's ipv4/ipv6 ReadBatch and WriteBatch, which
// measured about 1 µs more CPU per query under dnsperf (7.5–8.3 µs
// against 6.3–7.1 in paired rounds):
//
//   - x/net calls syscall.Syscall6, which enters and leaves the scheduler
//     (entersyscall). Entering wakes the runtime's sysmon thread whenever
//     all Ps were idle, that is after every pause of the loop, and sysmon
//     then polls every 20 µs: 8–12 % of the server's CPU, nearly all of it
//     the context switches of its nanosleeps. The socket is non-blocking,
//     so these calls return at once (EAGAIN when there is nothing to read
//     or no room to write) and never block: RawSyscall is safe, and the
//     thread keeps its P, as for any short non-blocking call.
//   - x/net allocates a net.UDPAddr and its IP for every datagram read,
//     and prepares its headers anew on each call. Here the headers,
//     socket addresses and net.UDPAddrs are made once per slot, and an
//     answer goes to the socket address its query came from, as read.
type rawBatch struct {
	rc   syscall.RawConn
	rh   []mmsghdr
	wh   []mmsghdr
	riov []unix.Iovec
	wiov []unix.Iovec
	rsa  []unix.RawSockaddrInet6 // slot i's source address, as read
	wsa  []unix.RawSockaddrInet6 // for a destination not read here
	from []net.UDPAddr           // slot i's source address, for the loop
	ips  [][16]byte              // their IPs' bytes

	// The call in progress: its length, and what it returned.
	vlen, n int
	errno   syscall.Errno
	recv    func(uintptr) bool
	send    func(uintptr) bool
}

// mmsghdr is struct mmsghdr: a msghdr and the length received or sent.
// Go pads it as C does, to the msghdr's alignment.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
}

// newBatchConn wraps c for recvmmsg and sendmmsg; nil if it cannot.
func newBatchConn(c *net.UDPConn) batchConn {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	n := udpBatch
	r := &rawBatch{rc: rc, rh: make([]mmsghdr, n), wh: make([]mmsghdr, n), riov: make([]unix.Iovec, n), wiov: make([]unix.Iovec, n),
		rsa: make([]unix.RawSockaddrInet6, n), wsa: make([]unix.RawSockaddrInet6, n), from: make([]net.UDPAddr, n), ips: make([][16]byte, n)}
	r.recv = func(fd uintptr) bool { return r.call(unix.SYS_RECVMMSG, fd, r.rh) }
	r.send = func(fd uintptr) bool { return r.call(unix.SYS_SENDMMSG, fd, r.wh) }
	return r
}

// call makes one recvmmsg or sendmmsg of r.vlen messages; false asks
// RawConn to wait until the socket is ready and call again.
func (r *rawBatch) call(trap, fd uintptr, hs []mmsghdr) bool {
	for {
		n, _, e := unix.RawSyscall6(trap, fd, uintptr(unsafe.Pointer(&hs[0])), uintptr(r.vlen), unix.MSG_DONTWAIT, 0, 0)
		if e == unix.EINTR {
			continue
		}
		r.n, r.errno = int(n), e
		return e != unix.EAGAIN
	}
}

func (r *rawBatch) ReadBatch(ms []ipv4.Message, _ int) (int, error) {
	ms = ms[:min(len(ms), len(r.rh))]
	for i := range ms {
		b := ms[i].Buffers[0]
		r.riov[i] = unix.Iovec{Base: &b[0]}
		r.riov[i].SetLen(len(b))
		r.rh[i] = mmsghdr{hdr: unix.Msghdr{Name: (*byte)(unsafe.Pointer(&r.rsa[i])), Namelen: unix.SizeofSockaddrInet6, Iov: &r.riov[i]}}
		r.rh[i].hdr.SetIovlen(1)
	}
	r.vlen = len(ms)
	if err := r.rc.Read(r.recv); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, os.NewSyscallError("recvmmsg", r.errno)
	}
	for i := range r.n {
		ms[i].N, ms[i].Flags = int(r.rh[i].len), int(r.rh[i].hdr.Flags)
		ms[i].Addr = r.source(i)
	}
	return r.n, nil
}

// source is slot i's source address as a net.UDPAddr, made in place.
func (r *rawBatch) source(i int) *net.UDPAddr {
	a, sa := &r.from[i], &r.rsa[i]
	port := (*[2]byte)(unsafe.Pointer(&sa.Port))
	if sa.Family == unix.AF_INET {
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		a.IP = append(r.ips[i][:0], s4.Addr[:]...)
	} else {
		a.IP = append(r.ips[i][:0], sa.Addr[:]...)
	}
	a.Port, a.Zone = int(binary.BigEndian.Uint16(port[:])), ""
	if sa.Family == unix.AF_INET6 && sa.Scope_id != 0 {
		if ifi, err := net.InterfaceByIndex(int(sa.Scope_id)); err == nil {
			a.Zone = ifi.Name // link-local: rare, and allowed to allocate
		}
	}
	return a
}

func (r *rawBatch) WriteBatch(ms []ipv4.Message, _ int) (int, error) {
	ms = ms[:min(len(ms), len(r.wh))]
	for i := range ms {
		b := ms[i].Buffers[0]
		r.wiov[i] = unix.Iovec{Base: &b[0]}
		r.wiov[i].SetLen(len(b))
		name, l := r.destination(i, ms[i].Addr)
		r.wh[i] = mmsghdr{hdr: unix.Msghdr{Name: name, Namelen: l, Iov: &r.wiov[i]}}
		r.wh[i].hdr.SetIovlen(1)
	}
	r.vlen = len(ms)
	if err := r.rc.Write(r.send); err != nil {
		return 0, err
	}
	if r.errno != 0 {
		return 0, os.NewSyscallError("sendmmsg", r.errno)
	}
	return r.n, nil
}

// destination is the socket address of a, for write slot i: the one read
// for it when a is a source this rawBatch made, else a's own.
func (r *rawBatch) destination(i int, a net.Addr) (*byte, uint32) {
	ua, _ := a.(*net.UDPAddr)
	if ua == nil {
		return nil, 0
	}
	if j := (uintptr(unsafe.Pointer(ua)) - uintptr(unsafe.Pointer(&r.from[0]))) / unsafe.Sizeof(r.from[0]); j < uintptr(len(r.from)) && &r.from[j] == ua {
		sa := &r.rsa[j]
		if sa.Family == unix.AF_INET {
			return (*byte)(unsafe.Pointer(sa)), unix.SizeofSockaddrInet4
		}
		return (*byte)(unsafe.Pointer(sa)), unix.SizeofSockaddrInet6
	}
	sa := &r.wsa[i]
	*sa = unix.RawSockaddrInet6{}
	port := (*[2]byte)(unsafe.Pointer(&sa.Port))
	binary.BigEndian.PutUint16(port[:], uint16(ua.Port))
	if ip4 := ua.IP.To4(); ip4 != nil && len(ua.IP) == net.IPv4len {
		s4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		s4.Family = unix.AF_INET
		copy(s4.Addr[:], ip4)
		return (*byte)(unsafe.Pointer(sa)), unix.SizeofSockaddrInet4
	}
	sa.Family = unix.AF_INET6
	copy(sa.Addr[:], ua.IP.To16())
	if ua.Zone != "" {
		if ifi, err := net.InterfaceByName(ua.Zone); err == nil {
			sa.Scope_id = uint32(ifi.Index)
		}
	}
	return (*byte)(unsafe.Pointer(sa)), unix.SizeofSockaddrInet6
}
