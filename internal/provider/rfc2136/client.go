package rfc2136

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Client is what the provider needs of an RFC 2136 server; tests hand in
// a fake.
type Client interface {
	// Transfer returns every record of the zone (AXFR).
	Transfer(ctx context.Context, zone string) ([]dns.RR, error)
	// Update sends one UPDATE message; a response other than NOERROR is
	// an *RcodeError.
	Update(ctx context.Context, m *dns.Msg) error
	// Serial returns the serial of the zone's SOA record.
	Serial(ctx context.Context, zone string) (uint32, error)
}

// RcodeError is a server's answer other than NOERROR.
type RcodeError struct {
	Op    string // "update" or "transfer"
	Rcode int
}

func (e *RcodeError) Error() string {
	return fmt.Sprintf("%s answered %s", e.Op, dns.RcodeToString[e.Rcode])
}

// dnsClient talks to the server over TCP, signing with the TSIG key.
type dnsClient struct {
	addr     string
	keyName  string // FQDN; empty for unsigned
	alg      string
	secret   map[string]string
	signAXFR bool
	timeout  time.Duration
}

func newClient(c Config) *dnsClient {
	cl := &dnsClient{addr: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), timeout: c.Timeout, signAXFR: c.TSIGAXFR}
	if !c.Insecure && c.TSIGKeyName != "" {
		cl.keyName = dns.Fqdn(strings.ToLower(c.TSIGKeyName))
		cl.alg, _ = algorithm(c.TSIGSecretAlg)
		cl.secret = map[string]string{cl.keyName: c.TSIGSecret.Reveal()}
	}
	return cl
}

func (c *dnsClient) sign(m *dns.Msg) {
	m.SetTsig(c.keyName, c.alg, 300, time.Now().Unix())
}

// Transfer reads the zone by AXFR over TCP.
func (c *dnsClient) Transfer(ctx context.Context, zone string) ([]dns.RR, error) {
	m := new(dns.Msg)
	m.SetAxfr(dns.Fqdn(zone))
	t := &dns.Transfer{DialTimeout: c.timeout, ReadTimeout: c.timeout, WriteTimeout: c.timeout}
	if c.signAXFR && c.keyName != "" {
		c.sign(m)
		t.TsigSecret = c.secret
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch, err := t.In(m, c.addr)
	if err != nil {
		return nil, fmt.Errorf("transfer %s from %s: %w", zone, c.addr, err)
	}
	var rrs []dns.RR
	var first error
	for env := range ch { // drained to the end, so the connection closes
		if env.Error != nil && first == nil {
			first = env.Error
		}
		rrs = append(rrs, env.RR...)
	}
	if first != nil {
		if strings.Contains(first.Error(), "bad xfr rcode") {
			return nil, fmt.Errorf("transfer %s from %s: %w (is the transfer allowed, and signed when it must be? --rfc2136-tsig-axfr)", zone, c.addr, first)
		}
		return nil, fmt.Errorf("transfer %s from %s: %w", zone, c.addr, first)
	}
	return rrs, nil
}

// Serial asks the server for the zone's SOA record over TCP, signed as
// updates are, and returns its serial.
func (c *dnsClient) Serial(ctx context.Context, zone string) (uint32, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(zone), dns.TypeSOA)
	in, err := c.exchange(ctx, m)
	if err != nil {
		return 0, fmt.Errorf("SOA of %s at %s: %w", zone, c.addr, err)
	}
	if in.Rcode != dns.RcodeSuccess {
		return 0, &RcodeError{Op: "soa", Rcode: in.Rcode}
	}
	for _, rr := range in.Answer {
		if soa, ok := rr.(*dns.SOA); ok && strings.EqualFold(soa.Hdr.Name, dns.Fqdn(zone)) {
			return soa.Serial, nil
		}
	}
	return 0, fmt.Errorf("SOA of %s at %s: not in the answer (is the server authoritative for it?)", zone, c.addr)
}

// exchange sends m over TCP, signed when a key is set, and returns the
// answer, whose signature the client checks.
func (c *dnsClient) exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	cl := &dns.Client{Net: "tcp", Timeout: c.timeout}
	if c.keyName != "" {
		c.sign(m)
		cl.TsigSecret = c.secret
	}
	in, _, err := cl.ExchangeContext(ctx, m, c.addr)
	return in, err
}

// Update sends m over TCP, signed, and checks the signed answer.
func (c *dnsClient) Update(ctx context.Context, m *dns.Msg) error {
	in, err := c.exchange(ctx, m)
	if err != nil {
		return fmt.Errorf("update %s at %s: %w", m.Question[0].Name, c.addr, err)
	}
	if in.Rcode != dns.RcodeSuccess {
		return &RcodeError{Op: "update", Rcode: in.Rcode}
	}
	return nil
}
