//go:build integration

package dnsdiff

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// question is one query of the set.
type question struct {
	name  string
	qtype uint16
	size  uint16 // EDNS buffer; 0 is no EDNS
	proto string
	// option, if set, is one EDNS option sent as raw bytes, named in
	// String (for allowed.txt) by optName.
	option  *dns.EDNS0_LOCAL
	optName string
}

func (q question) String() string {
	e := "noedns"
	if q.size > 0 {
		e = fmt.Sprintf("edns%d", q.size)
	}
	if q.option != nil {
		e += "+" + q.optName
	}
	return fmt.Sprintf("%s %s %s %s", q.name, dns.TypeToString[q.qtype], e, q.proto)
}

func (q question) ask(t *testing.T, addr string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(q.name, q.qtype)
	m.RecursionDesired = false
	if q.size > 0 {
		m.SetEdns0(q.size, false)
		if q.option != nil {
			m.IsEdns0().Option = []dns.EDNS0{q.option}
		}
	}
	c := &dns.Client{Net: q.proto, Timeout: 3 * time.Second, UDPSize: 65535}
	r, _, err := c.Exchange(m, addr)
	if err != nil && r == nil {
		t.Fatalf("%s to %s: %v", q, addr, err)
	}
	return r
}

// view is the part of a response both servers must agree on: rcode, flags,
// question, and each section as a sorted list of records (an RRset has no
// order, RFC 2181 section 5, and servers rotate them), with the OPT
// record's version, size and DO bit. Names in records are compared in
// lower case: exodns answers with the client's spelling of the question
// name (0x20 checks, RFC 4343), and may compress other names onto it,
// where BIND uses the zone's; the question itself must match exactly.
type view struct {
	Header, Answer, Authority, Additional string
}

func viewOf(m *dns.Msg) view {
	h := fmt.Sprintf("rcode=%s qr=%v aa=%v tc=%v rd=%v ra=%v ad=%v cd=%v q=%v",
		dns.RcodeToString[m.Rcode], m.Response, m.Authoritative, m.Truncated, m.RecursionDesired,
		m.RecursionAvailable, m.AuthenticatedData, m.CheckingDisabled, m.Question)
	if o := m.IsEdns0(); o != nil {
		// Options are left out: each server's cookie is its own.
		h += fmt.Sprintf(" edns=v%d/%d/do=%v", o.Version(), o.UDPSize(), o.Do())
	}
	sec := func(rrs []dns.RR) string {
		var out []string
		for _, rr := range rrs {
			if rr.Header().Rrtype != dns.TypeOPT {
				out = append(out, strings.ToLower(rr.String()))
			}
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	return view{h, sec(m.Answer), sec(m.Ns), sec(m.Extra)}
}

// diffs names the parts that differ.
func diffs(a, b view) []string {
	var out []string
	if a.Header != b.Header {
		out = append(out, "header")
	}
	if a.Answer != b.Answer {
		out = append(out, "answer")
	}
	if a.Authority != b.Authority {
		out = append(out, "authority")
	}
	if a.Additional != b.Additional {
		out = append(out, "additional")
	}
	return out
}

// compare asks both servers and reports whether they agree; a difference
// is an error unless a rule of allowed.txt covers it.
func compare(t *testing.T, q question, exo, bind string, allowed []*rule) bool {
	t.Helper()
	e, b := viewOf(q.ask(t, exo)), viewOf(q.ask(t, bind))
	d := diffs(e, b)
	if len(d) == 0 {
		return true
	}
	for _, r := range allowed {
		if r.matches(q, d) {
			r.hits++
			return false
		}
	}
	t.Errorf("%s: %s differ\n--- exodns\n%s\n--- BIND\n%s", q, strings.Join(d, ", "), render(e), render(b))
	return false
}

func render(v view) string {
	return fmt.Sprintf("%s\nANSWER:\n%s\nAUTHORITY:\n%s\nADDITIONAL:\n%s", v.Header, v.Answer, v.Authority, v.Additional)
}

// rule is one line of allowed.txt:
//
//	NAME-GLOB  QTYPE|*  EDNS|*  PROTO|*  PARTS  REASON...
//
// PARTS is a comma-separated list of the parts allowed to differ (header,
// answer, authority, additional). NAME-GLOB matches without regard to case.
type rule struct {
	line                     int
	name, qtype, edns, proto string
	parts                    []string
	reason                   string
	hits                     int
}

func (r *rule) matches(q question, d []string) bool {
	if ok, _ := path.Match(strings.ToLower(r.name), strings.ToLower(q.name)); !ok {
		return false
	}
	f := strings.Fields(q.String())
	if (r.qtype != "*" && r.qtype != f[1]) || (r.edns != "*" && r.edns != f[2]) || (r.proto != "*" && r.proto != f[3]) {
		return false
	}
	for _, p := range d {
		if !slices.Contains(r.parts, p) {
			return false
		}
	}
	return true
}

func loadAllowed(file string) ([]*rule, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*rule
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) < 6 {
			return nil, fmt.Errorf("%s:%d: want NAME QTYPE EDNS PROTO PARTS REASON", file, n)
		}
		out = append(out, &rule{line: n, name: fs[0], qtype: fs[1], edns: fs[2], proto: fs[3],
			parts: strings.Split(fs[4], ","), reason: strings.Join(fs[5:], " ")})
	}
	return out, sc.Err()
}
