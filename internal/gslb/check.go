package gslb

import (
	"errors"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Bounds of the health check settings. A check more often than every
// 100 ms is load, not information; one that takes longer than its interval
// would overlap itself.
const (
	minInterval = 100 * time.Millisecond
	maxInterval = time.Hour
	minTimeout  = 10 * time.Millisecond
	maxRiseFall = 10
	// Route 53's limits on the same fields, so a check that works here
	// also works as a Route 53 health check.
	maxPathLen = 255
	maxHostLen = 253
	maxBodyLen = 255
)

var httpOnlyProps = []string{PropCheckPath, PropCheckHost, PropCheckStatus, PropCheckBody}

// check reads the gslb/health-check* properties.
func (p *parser) check() {
	kind, ok := p.get(PropCheck)
	kind = strings.ToLower(kind)
	if kind == "none" {
		kind = ""
	}
	switch CheckKind(kind) {
	case CheckNone:
		for _, kv := range p.ps {
			if strings.HasPrefix(kv.Name, PropCheck+"-") {
				p.fail(kv.Name, kv.Value, "needs "+PropCheck+" (http, https or tcp) to take effect")
			}
		}
		return
	case CheckHTTP, CheckHTTPS, CheckTCP:
	default:
		if ok {
			p.fail(PropCheck, kind, "must be http, https or tcp (or empty for no check)")
		}
		return
	}
	h := HealthCheck{
		Kind: CheckKind(kind), Interval: DefaultInterval, Timeout: DefaultTimeout,
		Rise: DefaultRise, Fall: DefaultFall,
	}
	switch h.Kind {
	case CheckHTTP:
		h.Port, h.Path = 80, "/"
	case CheckHTTPS:
		h.Port, h.Path = 443, "/"
	case CheckTCP:
		for _, prop := range httpOnlyProps {
			if v, ok := p.get(prop); ok {
				p.fail(prop, v, "only for http and https checks")
			}
		}
	}
	if v, ok := p.get(PropCheckPort); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			p.fail(PropCheckPort, v, "must be a port number from 1 to 65535")
		}
		h.Port = n
	} else if h.Kind == CheckTCP {
		p.fail(PropCheckPort, "", "a tcp check needs a port")
	}
	if v, ok := p.get(PropCheckPath); ok && h.Kind != CheckTCP {
		if !strings.HasPrefix(v, "/") || len(v) > maxPathLen || strings.IndexFunc(v, badPathRune) >= 0 {
			p.fail(PropCheckPath, v, "must start with / and be at most 255 printable characters without spaces")
		}
		h.Path = v
	}
	if v, ok := p.get(PropCheckHost); ok && h.Kind != CheckTCP {
		h.Host = strings.ToLower(strings.TrimSuffix(v, "."))
		if !validHost(h.Host) {
			p.fail(PropCheckHost, v, "must be a host name or an IP address")
		}
	}
	if v, ok := p.get(PropCheckStatus); ok && h.Kind != CheckTCP {
		r, err := parseStatuses(v)
		if err != nil {
			p.fail(PropCheckStatus, v, err.Error())
		}
		h.Statuses = r
	}
	if v, ok := p.ps.Get(PropCheckBody); ok && h.Kind != CheckTCP {
		// Not trimmed: spaces can be part of what to look for.
		if v == "" || len(v) > maxBodyLen {
			p.fail(PropCheckBody, v, "must be 1 to 255 characters to look for in the response body")
		}
		h.Body = v
	}
	if v, ok := p.get(PropCheckInterval); ok {
		d, err := parseDuration(v)
		if err != nil || d < minInterval || d > maxInterval {
			p.fail(PropCheckInterval, v, "must be a duration from 100ms to 1h (plain numbers are seconds)")
		} else {
			h.Interval = d
		}
	}
	if v, ok := p.get(PropCheckTimeout); ok {
		d, err := parseDuration(v)
		if err != nil || d < minTimeout {
			p.fail(PropCheckTimeout, v, "must be a duration of at least 10ms (plain numbers are seconds)")
		} else {
			h.Timeout = d
		}
	}
	if h.Timeout > h.Interval {
		// A check still running when the next one is due would overlap
		// itself; say so rather than stretch the interval silently.
		p.fail(PropCheckTimeout, h.Timeout.String(), "must not be longer than the interval ("+h.Interval.String()+")")
	}
	h.Rise = p.count(PropCheckRise, h.Rise)
	h.Fall = p.count(PropCheckFall, h.Fall)
	p.s.Check = h
}

func (p *parser) count(prop string, def int) int {
	v, ok := p.get(prop)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxRiseFall {
		p.fail(prop, v, "must be a whole number from 1 to 10")
		return def
	}
	return n
}

func badPathRune(r rune) bool { return r <= ' ' || r == 0x7f }

// validHost accepts an IP address or a DNS name of letters, digits, '-',
// '_' and dots.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if h == "" || len(h) > maxHostLen {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// parseStatuses reads "200-299,301": codes and inclusive ranges of codes
// from 100 to 599, in any order.
func parseStatuses(s string) ([]StatusRange, error) {
	var out []StatusRange
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		lo, hi, isRange := strings.Cut(item, "-")
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		b, errB := a, errA
		if isRange {
			b, errB = strconv.Atoi(strings.TrimSpace(hi))
		}
		switch {
		case errA != nil || errB != nil:
			return nil, errors.New("must be status codes or ranges such as 200-299,301")
		case a < 100 || b > 599:
			return nil, errors.New("status codes run from 100 to 599")
		case a > b:
			return nil, errors.New("range " + item + " runs backwards")
		}
		out = append(out, StatusRange{Min: a, Max: b})
	}
	slices.SortFunc(out, func(x, y StatusRange) int { return x.Min - y.Min })
	return out, nil
}

// parseDuration reads a Go duration ("500ms", "2s") or plain seconds
// ("5", "1.5"), the form annotations usually carry.
func parseDuration(s string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if !(f >= 0 && f <= math.MaxInt64/float64(time.Second)) { // also refuses NaN
			return 0, errors.New("out of range")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}

// parseSeconds reads a whole number of seconds, as a number or a duration.
func parseSeconds(s string) (int64, error) {
	d, err := parseDuration(s)
	if err != nil {
		return 0, err
	}
	if d%time.Second != 0 {
		return 0, errors.New("not whole seconds")
	}
	return int64(d / time.Second), nil
}
