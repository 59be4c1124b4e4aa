package rfc2136

import (
	"context"
	"net"
	"testing"

	"github.com/miekg/dns"
)

// TestSerialAnswers: Serial takes the serial only from the zone's own SOA
// in a NOERROR answer. A server that answers with another zone's SOA,
// none, or an error gives an error, not a serial that would stand still
// while the zone changes; and the version is then new at every call.
func TestSerialAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(r *dns.Msg) *dns.Msg
		want    uint32
		wantErr bool
	}{
		{"the zone's SOA", func(r *dns.Msg) *dns.Msg { return soaAnswer(r, "example.test.", 42) }, 42, false},
		{"another zone's SOA", func(r *dns.Msg) *dns.Msg { return soaAnswer(r, "other.test.", 42) }, 0, true},
		{"no SOA", func(r *dns.Msg) *dns.Msg { m := new(dns.Msg); m.SetReply(r); return m }, 0, true},
		{"refused", func(r *dns.Msg) *dns.Msg { m := new(dns.Msg); m.SetRcode(r, dns.RcodeRefused); return m }, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &dns.Server{Listener: l, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) { _ = w.WriteMsg(tt.answer(r)) })}
			go func() { _ = srv.ActivateAndServe() }()
			defer func() { _ = srv.Shutdown() }()
			cfg := DefaultConfig()
			a := l.Addr().(*net.TCPAddr)
			cfg.Host, cfg.Port, cfg.Zones, cfg.Insecure = a.IP.String(), a.Port, []string{"example.test"}, true
			p, err := New(cfg, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.client.Serial(context.Background(), "example.test")
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Serial = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
			if tt.wantErr {
				if a, b := p.ZoneVersion(), p.ZoneVersion(); a == b {
					t.Error("with no serial to read, the version must be new at every call")
				}
			}
		})
	}
}

func soaAnswer(r *dns.Msg, zone string, serial uint32) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Answer = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
		Ns: "ns." + zone, Mbox: "admin." + zone, Serial: serial, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 60}}
	return m
}
