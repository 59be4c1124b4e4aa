package dnsserver

import (
	"encoding/binary"
	"errors"
	"net"
	"time"

	"github.com/miekg/dns"
)

func (w *tcpWriter) LocalAddr() net.Addr        { return w.conn.LocalAddr() }
func (w *tcpWriter) RemoteAddr() net.Addr       { return w.conn.RemoteAddr() }
func (w *tcpWriter) TsigStatus() error          { return w.status }
func (w *tcpWriter) TsigTimersOnly(timers bool) { w.timersOnly = timers }
func (w *tcpWriter) Hijack()                    {}
func (w *tcpWriter) Close() error               { return w.conn.Close() }

// WriteMsg packs m, signing it when it carries a TSIG record; each signed
// message of a transfer chains on the MAC of the one before (RFC 8945
// section 5.3.1).
func (w *tcpWriter) WriteMsg(m *dns.Msg) error {
	var b []byte
	var err error
	if m.IsTsig() != nil {
		var mac string
		if b, mac, err = signMsg(m, w.key, w.mac, w.timersOnly); err == nil {
			w.mac = mac
		}
	} else {
		b, err = m.PackBuffer(w.buf)
	}
	if err != nil {
		return err
	}
	return w.write(b)
}

func (w *tcpWriter) Write(b []byte) (int, error) {
	if err := w.write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// write sends one message with its length prefix, in one write.
func (w *tcpWriter) write(b []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(b) > dns.MaxMsgSize {
		return errors.New("dnsserver: tcp message over 64 KiB")
	}
	out := binary.BigEndian.AppendUint16(w.out[:0], uint16(len(b)))
	out = append(out, b...)
	w.out = out[:0]
	_ = w.conn.SetWriteDeadline(time.Now().Add(w.timeout))
	if _, err := w.conn.Write(out); err != nil {
		w.err = err
		return err
	}
	return nil
}
