package geo

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Table is a Locator built from a CIDR table: the small, hand-written
// alternative to an MMDB file, for private address plans and tests.
type Table struct {
	entries map[netip.Prefix]Location
	// lens4 and lens6 are the prefix lengths present, longest first, so a
	// lookup tries only lengths that can match.
	lens4, lens6 []int
}

// maxTableLine bounds one line, so a file without newlines cannot make the
// scanner buffer grow without limit.
const maxTableLine = 64 * 1024

// ParseTable reads a CIDR table. Each line is
//
//	CIDR continent country [subdivision] [latitude longitude]
//
// for example
//
//	198.51.100.0/24  EU DE              # Germany, no coordinates
//	203.0.113.0/25   NA US CA 37.4 -122.1
//	2001:db8::/32    OC AU NSW
//	192.0.2.0/24     -  -  -  51.5 -0.1 # coordinates only
//
// "-" leaves a code unknown. Codes are case-insensitive and kept in upper
// case. Blank lines and everything after "#" are ignored. The longest
// prefix holding an address wins, so a /24 can refine a /8. Errors name
// the line.
func ParseTable(r io.Reader) (*Table, error) {
	t := &Table{entries: make(map[netip.Prefix]Location)}
	lines := make(map[netip.Prefix]int)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxTableLine)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		p, loc, err := parseTableLine(f)
		if err != nil {
			return nil, fmt.Errorf("geo: table line %d: %w", n, err)
		}
		if prev, dup := lines[p]; dup {
			return nil, fmt.Errorf("geo: table line %d: %s is already on line %d", n, p, prev)
		}
		lines[p] = n
		t.entries[p] = loc
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("geo: table: %w", err)
	}
	for p := range t.entries {
		if p.Addr().Is4() {
			t.lens4 = append(t.lens4, p.Bits())
		} else {
			t.lens6 = append(t.lens6, p.Bits())
		}
	}
	for _, l := range []*[]int{&t.lens4, &t.lens6} {
		slices.Sort(*l)
		*l = slices.Compact(*l)
		slices.Reverse(*l)
	}
	return t, nil
}

func parseTableLine(f []string) (netip.Prefix, Location, error) {
	var loc Location
	if len(f) < 3 || len(f) > 6 {
		return netip.Prefix{}, loc, fmt.Errorf("want \"CIDR continent country [subdivision] [latitude longitude]\", got %d fields", len(f))
	}
	p, err := parseCIDR(f[0])
	if err != nil {
		return p, loc, err
	}
	loc.Continent, err = code(f[1], "continent", IsContinent)
	if err != nil {
		return p, loc, err
	}
	loc.Country, err = code(f[2], "country", func(s string) bool { return len(s) == 2 && isAlpha(s) })
	if err != nil {
		return p, loc, err
	}
	rest := f[3:]
	if len(rest) == 1 || len(rest) == 3 {
		loc.Subdivision, err = code(rest[0], "subdivision", func(s string) bool { return len(s) <= 3 && isAlnum(s) })
		if err != nil {
			return p, loc, err
		}
		rest = rest[1:]
	}
	if len(rest) == 2 {
		if _, ferr := strconv.ParseFloat(rest[0], 64); ferr != nil && len(f) == 5 {
			return p, loc, fmt.Errorf("%q %q: after the country come either a subdivision, or latitude longitude, or all three", rest[0], rest[1])
		}
		loc.Point, err = parsePoint(rest[0], rest[1])
		if err != nil {
			return p, loc, err
		}
		loc.HasPoint = true
	}
	return p, loc, nil
}

// parseCIDR accepts IPv4 and IPv6 prefixes, folds IPv4-mapped IPv6
// prefixes to IPv4 (lookups unmap addresses the same way) and refuses host
// bits, which are most often a typo for a different network.
func parseCIDR(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("%q is not a CIDR prefix such as 192.0.2.0/24", s)
	}
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	if m := p.Masked(); m != p {
		return p, fmt.Errorf("%s has bits set after the first %d; the network is %s", s, p.Bits(), m)
	}
	return p, nil
}

// code upper-cases and checks a location code; "-" means unknown.
func code(s, what string, ok func(string) bool) (string, error) {
	if s == "-" {
		return "", nil
	}
	u := strings.ToUpper(s)
	if !ok(u) {
		switch what {
		case "continent":
			return "", fmt.Errorf("continent %q is not one of AF AN AS EU NA OC SA (or -)", s)
		case "country":
			return "", fmt.Errorf("country %q is not a two-letter ISO 3166 code (or -)", s)
		default:
			return "", fmt.Errorf("subdivision %q is not 1 to 3 letters or digits (or -)", s)
		}
	}
	return u, nil
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return s != ""
}

// Len is the number of prefixes in the table.
func (t *Table) Len() int { return len(t.entries) }

// Locate returns the entry of the longest prefix holding ip. A miss
// returns an invalid prefix: the table cannot name a "no data" network.
func (t *Table) Locate(ip netip.Addr) (Location, netip.Prefix, bool) {
	ip = ip.Unmap().WithZone("")
	lens := t.lens6
	if ip.Is4() {
		lens = t.lens4
	}
	for _, l := range lens {
		p, err := ip.Prefix(l)
		if err != nil {
			continue
		}
		if loc, ok := t.entries[p]; ok {
			return loc, p, true
		}
	}
	return Location{}, netip.Prefix{}, false
}
