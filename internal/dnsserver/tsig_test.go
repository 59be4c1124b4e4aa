package dnsserver

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// exchangeRaw sends p and returns the raw response, over UDP or TCP.
func exchangeRaw(t *testing.T, proto, addr string, p []byte) []byte {
	t.Helper()
	c, err := net.Dial(proto, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	if proto == "udp" {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 65535)
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return buf[:n]
	}
	if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(p))), p...)); err != nil {
		t.Fatal(err)
	}
	var l [2]byte
	if _, err := io.ReadFull(c, l[:]); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	return buf
}

// TestTSIGErrorsPerRFC8945 sends queries signed badly in each way RFC 8945
// section 5.2 names, over both transports and for both a transfer and an
// ordinary query, and checks the whole response: NOTAUTH, nothing but the
// question and a TSIG carrying the error, unsigned for BADKEY and BADSIG,
// signed (with the client's time, and ours in the other data) for
// BADTIME. Each is logged and counted.
func TestTSIGErrorsPerRFC8945(t *testing.T) {
	key := testKey(t)
	var logs bytes.Buffer
	reg := prometheus.NewPedanticRegistry()
	s, _ := startServer(t, Config{TSIG: key, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, reg)
	now := uint64(time.Now().Unix())
	cases := []struct {
		name, keyName, secret string
		signedAt              uint64
		want                  uint16
	}{
		{"unknown key", "other-key.", testSecret, now, dns.RcodeBadKey},
		{"wrong secret", key.Name, "d3Jvbmd3cm9uZ3dyb25nd3Jvbmc=", now, dns.RcodeBadSig},
		{"an hour off", key.Name, key.Secret, now - 3600, dns.RcodeBadTime},
	}
	for _, proto := range []string{"udp", "tcp"} {
		for _, qtype := range []uint16{dns.TypeAXFR, dns.TypeA} {
			if proto == "udp" && qtype == dns.TypeAXFR {
				continue
			}
			for _, tc := range cases {
				t.Run(proto+"/"+dns.TypeToString[qtype]+"/"+tc.name, func(t *testing.T) {
					q := query("example.com.", qtype)
					q.SetTsig(tc.keyName, dns.HmacSHA256, 300, int64(tc.signedAt))
					p, qmac, err := dns.TsigGenerate(q, tc.secret, "", false)
					if err != nil {
						t.Fatal(err)
					}
					raw := exchangeRaw(t, proto, s.Addr(), p)
					var r dns.Msg
					if err := r.Unpack(raw); err != nil {
						t.Fatal(err)
					}
					rt := r.IsTsig()
					if r.Rcode != dns.RcodeNotAuth || r.Authoritative || r.Truncated || r.Id != q.Id ||
						len(r.Question) != 1 || r.Question[0] != q.Question[0] || len(r.Answer)+len(r.Ns) != 0 ||
						len(r.Extra) != 1 || rt == nil {
						t.Fatalf("response:\n%v", &r)
					}
					want := dns.TSIG{Hdr: dns.RR_Header{Name: tc.keyName, Rrtype: dns.TypeTSIG, Class: dns.ClassANY, Rdlength: rt.Hdr.Rdlength},
						Algorithm: dns.HmacSHA256, Fudge: 300, OrigId: q.Id, Error: tc.want, MAC: rt.MAC, MACSize: rt.MACSize,
						OtherLen: rt.OtherLen, OtherData: rt.OtherData}
					switch tc.want {
					case dns.RcodeBadTime:
						want.TimeSigned = tc.signedAt
						if rt.MACSize != 32 || rt.OtherLen != 6 {
							t.Errorf("BADTIME: MAC size %d, other len %d; want a signed response with our time", rt.MACSize, rt.OtherLen)
						}
						if ours, _ := strconv.ParseUint(rt.OtherData, 16, 64); ours < now || ours > now+60 {
							t.Errorf("BADTIME other data %s is not the server's time (~%d)", rt.OtherData, now)
						}
						// The MAC verifies with the request's MAC; only the time is off.
						// miekg/dns will not verify a NOTAUTH message; do it here.
						if mac := tsigMAC(t, raw, rt, key.Secret, qmac); mac != rt.MAC {
							t.Errorf("BADTIME response MAC %s, want %s (RFC 8945 section 4.3.3)", rt.MAC, mac)
						}
					default:
						if rt.MACSize != 0 || rt.MAC != "" || rt.OtherLen != 0 {
							t.Errorf("%s must be unsigned: MAC %q", dns.RcodeToString[int(tc.want)], rt.MAC)
						}
					}
					if *rt != want {
						t.Errorf("TSIG:\n got %v\nwant %v", rt, &want)
					}
				})
			}
		}
	}
	for _, code := range []string{"BADKEY", "BADSIG", "BADTIME"} {
		if got := testutil.ToFloat64(s.Handler().metrics.tsig.WithLabelValues(code)); got != 3 {
			t.Errorf("tsig_errors_total{error=%s} = %v, want 3", code, got)
		}
		if n := strings.Count(logs.String(), "tsig_error="+code); n != 3 {
			t.Errorf("%d log lines for %s, want 3:\n%s", n, code, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "client=127.0.0.1") {
		t.Errorf("log lines should be warnings naming the client:\n%s", logs.String())
	}
}

// tsigMAC computes the MAC a signed response should carry (RFC 8945
// section 4.3.3): HMAC over the request MAC, the response without its TSIG
// (ID set back to the original, ARCOUNT one less), and the TSIG variables.
func tsigMAC(t *testing.T, raw []byte, rt *dns.TSIG, secret, requestMAC string) string {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(secret)
	reqMAC, _ := hex.DecodeString(requestMAC)
	msg := bytes.Clone(raw[:len(raw)-dns.Len(rt)])
	binary.BigEndian.PutUint16(msg, rt.OrigId)
	binary.BigEndian.PutUint16(msg[10:], binary.BigEndian.Uint16(msg[10:])-1)
	vars := make([]byte, 512)
	n, _ := dns.PackDomainName(strings.ToLower(rt.Hdr.Name), vars, 0, nil, false)
	vars = binary.BigEndian.AppendUint16(vars[:n], dns.ClassANY)
	vars = binary.BigEndian.AppendUint32(vars, 0)
	tail := make([]byte, 256)
	n, _ = dns.PackDomainName(strings.ToLower(rt.Algorithm), tail, 0, nil, false)
	vars = append(vars, tail[:n]...)
	vars = append(vars, byte(rt.TimeSigned>>40), byte(rt.TimeSigned>>32))
	vars = binary.BigEndian.AppendUint32(vars, uint32(rt.TimeSigned))
	vars = binary.BigEndian.AppendUint16(vars, rt.Fudge)
	vars = binary.BigEndian.AppendUint16(vars, rt.Error)
	other, _ := hex.DecodeString(rt.OtherData)
	vars = binary.BigEndian.AppendUint16(vars, uint16(len(other)))
	vars = append(vars, other...)
	h := hmac.New(sha256.New, key)
	h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(reqMAC))))
	h.Write(reqMAC)
	h.Write(msg)
	h.Write(vars)
	return hex.EncodeToString(h.Sum(nil))
}

// TestMetricsRcodeLabels: a BADVERS answer is counted as BADVERS, not as
// BADSIG (a TSIG error, which is never a header rcode).
func TestMetricsRcodeLabels(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	s, _ := startServer(t, Config{}, reg)
	m := query("www.example.com.", dns.TypeA)
	m.SetEdns0(1232, false)
	m.IsEdns0().SetVersion(1)
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	if r, _, err := c.Exchange(m, s.Addr()); err != nil || r.Rcode != dns.RcodeBadVers {
		t.Fatalf("%v %v", r, err)
	}
	waitCount(t, s.Handler().metrics.byRcode[0][dns.RcodeBadVers], 1)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "external_dns_dnsserver_responses_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "rcode" {
					labels[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	if labels["BADVERS"] != 1 {
		t.Errorf("rcode=BADVERS counted %v, want 1", labels["BADVERS"])
	}
	if _, ok := labels["BADSIG"]; ok {
		t.Error("responses_total has an rcode=BADSIG series; a TSIG error is answered NOTAUTH")
	}
}
