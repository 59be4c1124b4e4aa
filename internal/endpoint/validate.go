package endpoint

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// ValidationError says which field of an input was wrong, with what value,
// and why. Callers report it to the user unchanged.
type ValidationError struct {
	Field  string
	Value  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s %q: %s", e.Field, e.Value, e.Reason)
}

// IsValidationError reports whether err (or anything it wraps) is a ValidationError.
func IsValidationError(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

func invalid(field, value, reason string) error {
	return &ValidationError{Field: field, Value: value, Reason: reason}
}

// Limits from RFC 1035 section 2.3.4, counted on the presentation form
// without the trailing dot.
const (
	maxLabelLen = 63
	maxNameLen  = 253
)

// idnaProfile converts Unicode names to punycode. It is lenient about
// underscores and similar, because DNS names (as opposed to host names)
// carry them in SRV and TXT owner names such as _sip._tcp.
var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false))

// NormalizeName returns the canonical form of a DNS name: lowercase, punycode,
// without a trailing dot. A wildcard is allowed only as the whole first label.
func NormalizeName(name string) (string, error) {
	orig := name
	name = strings.TrimSpace(name)
	name = strings.TrimSuffix(name, ".")
	if name == "" {
		return "", invalid("hostname", orig, "empty name")
	}
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		// The wildcard label is not IDNA-valid, so convert the rest alone.
		rest, wild := strings.CutPrefix(name, "*.")
		p, err := idnaProfile.ToASCII(rest)
		if err != nil {
			return "", invalid("hostname", orig, "not a valid internationalised name: "+err.Error())
		}
		name = p
		if wild {
			name = "*." + p
		}
	}
	name = strings.ToLower(name)
	if len(name) > maxNameLen {
		return "", invalid("hostname", orig, fmt.Sprintf("name is %d characters, the limit is %d", len(name), maxNameLen))
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		if err := checkLabel(l, i == 0); err != nil {
			return "", invalid("hostname", orig, err.Error())
		}
	}
	return name, nil
}

func checkLabel(l string, first bool) error {
	switch {
	case l == "":
		return errors.New("empty label")
	case len(l) > maxLabelLen:
		return fmt.Errorf("label %q is %d characters, the limit is %d", l, len(l), maxLabelLen)
	case l == "*":
		if !first {
			return errors.New("a wildcard is allowed only as the first label")
		}
		return nil
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case c == '-':
			if i == 0 || i == len(l)-1 {
				return fmt.Errorf("label %q starts or ends with a hyphen", l)
			}
		case c == '*':
			return fmt.Errorf("label %q: a wildcard must be a whole label", l)
		default:
			return fmt.Errorf("label %q holds character %q", l, c)
		}
	}
	return nil
}

// Normalize validates the endpoint and rewrites it into canonical form: the
// name normalised, the type upper case, hostname targets lowercase without
// a trailing dot, and duplicate targets removed.
func (e *Endpoint) Normalize() error {
	name, err := NormalizeName(e.DNSName)
	if err != nil {
		return err
	}
	e.DNSName = name
	e.RecordType = strings.ToUpper(strings.TrimSpace(e.RecordType))
	if !IsKnownRecordType(e.RecordType) {
		return invalid("recordType", e.RecordType, "unsupported record type")
	}
	if e.RecordTTL < 0 || e.RecordTTL > MaxTTL {
		return invalid("ttl", strconv.FormatInt(int64(e.RecordTTL), 10), "must be between 1 and 2147483647 seconds")
	}
	if len(e.Targets) == 0 {
		return invalid("targets", "", "a record needs at least one target")
	}
	seen := make(map[string]bool, len(e.Targets))
	out := e.Targets[:0:0]
	for _, t := range e.Targets {
		n, err := normalizeTarget(e.RecordType, t)
		if err != nil {
			return err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	e.Targets = out
	if e.RecordType == RecordTypeCNAME && len(e.Targets) > 1 {
		return invalid("targets", strings.Join(e.Targets, ","), "a CNAME holds exactly one target")
	}
	return nil
}

func normalizeTarget(recordType, t string) (string, error) {
	t = strings.TrimSpace(t)
	switch recordType {
	case RecordTypeA:
		a, err := netip.ParseAddr(t)
		if err != nil || !a.Is4() {
			return "", invalid("target", t, "an A record needs an IPv4 address")
		}
		return a.String(), nil
	case RecordTypeAAAA:
		a, err := netip.ParseAddr(t)
		if err != nil || !a.Is6() {
			return "", invalid("target", t, "an AAAA record needs an IPv6 address")
		}
		return a.String(), nil
	case RecordTypeCNAME, RecordTypeNS, RecordTypePTR:
		return normalizeHostTarget(recordType, t)
	case RecordTypeMX:
		return normalizeFields(t, "an MX target is \"preference host\"", 2, 1)
	case RecordTypeSRV:
		return normalizeFields(t, "an SRV target is \"priority weight port host\"", 4, 3)
	case RecordTypeTXT, RecordTypeNAPTR, RecordTypeCAA:
		if t == "" {
			return "", invalid("target", t, "empty value")
		}
		return t, nil
	}
	return t, nil
}

func normalizeHostTarget(recordType, t string) (string, error) {
	n, err := NormalizeName(t)
	if err != nil || strings.HasPrefix(n, "*") {
		return "", invalid("target", t, "a "+recordType+" record needs a hostname")
	}
	return n, nil
}

// normalizeFields checks "n1 n2 ... host": want fields, the last a host, the
// first numbers 16-bit unsigned integers.
func normalizeFields(t, reason string, want, numbers int) (string, error) {
	f := strings.Fields(t)
	if len(f) != want {
		return "", invalid("target", t, reason)
	}
	for i := 0; i < numbers; i++ {
		if _, err := strconv.ParseUint(f[i], 10, 16); err != nil {
			return "", invalid("target", t, reason)
		}
	}
	host := f[want-1]
	if host != "." {
		n, err := NormalizeName(host)
		if err != nil {
			return "", invalid("target", t, reason)
		}
		f[want-1] = n
	}
	return strings.Join(f, " "), nil
}

// TargetType returns A, AAAA or CNAME for a raw target, as upstream does for
// the target annotation and load balancer status.
func TargetType(t string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(t))
	switch {
	case err != nil:
		return RecordTypeCNAME
	case a.Is4():
		return RecordTypeA
	default:
		return RecordTypeAAAA
	}
}
