package route53fake

import (
	"fmt"
	"strings"
)

// dnsName is a domain name as Route 53 keeps it: lower case, labels in
// presentation form with every byte other than a-z 0-9 - _ written as a
// three-digit octal escape (rules §2, DomainNameFormat). The root has no
// labels. Keeping the escaped form means ordering, equality and output all
// work on the same text, which is what Route 53's listing order is defined on.
type dnsName []string

// nameError carries the DNS-library style problem that Route 53 reports as
// "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with
// 'a..example.com'" (hashicorp/terraform#18482). Only DomainLabelEmpty is
// confirmed; the other codes follow the same pattern.
type nameError struct {
	code, text, input string
}

func (e *nameError) Error() string {
	return fmt.Sprintf("FATAL problem: %s (%s) encountered with '%s'", e.code, e.text, e.input)
}

// parseName accepts a name with or without the trailing dot and with \ooo
// octal or \X escapes, as the API does.
func parseName(s string) (dnsName, *nameError) {
	if s == "" || s == "." {
		return dnsName{}, nil
	}
	body := strings.TrimSuffix(s, ".")
	if strings.HasSuffix(s, `\.`) && !strings.HasSuffix(s, `\\.`) {
		body = s // the final dot was escaped, so it belongs to the label
	}
	var labels dnsName
	var cur strings.Builder
	rawLen, wire := 0, 1
	flush := func() *nameError {
		if rawLen == 0 {
			return &nameError{"DomainLabelEmpty", "Domain label is empty", s}
		}
		if rawLen > 63 {
			return &nameError{"LabelTooLong", "Domain label is too long", s}
		}
		labels = append(labels, cur.String())
		wire += rawLen + 1
		cur.Reset()
		rawLen = 0
		return nil
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '.':
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		case c == '\\':
			if i+3 < len(body) && isOctal(body[i+1]) && isOctal(body[i+2]) && isOctal(body[i+3]) {
				v := int(body[i+1]-'0')*64 + int(body[i+2]-'0')*8 + int(body[i+3]-'0')
				if v > 255 {
					return nil, &nameError{"BadEscape", "Invalid octal escape", s}
				}
				c = byte(v)
				i += 3
			} else if i+1 < len(body) {
				i++
				c = body[i]
			} else {
				return nil, &nameError{"BadEscape", "Trailing backslash", s}
			}
		}
		writeEscaped(&cur, c)
		rawLen++
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if wire > 255 {
		return nil, &nameError{"DomainNameTooLong", "Domain name is too long", s}
	}
	return labels, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func writeEscaped(b *strings.Builder, c byte) {
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' {
		b.WriteByte(c)
		return
	}
	fmt.Fprintf(b, `\%03o`, c)
}

// String is the fully qualified output form, e.g. `\052.example.com.`.
func (n dnsName) String() string {
	if len(n) == 0 {
		return "."
	}
	return strings.Join(n, ".") + "."
}

// compareNames orders names with their labels reversed (com.example.www),
// label by label, as ListResourceRecordSets and ListHostedZonesByName do.
func compareNames(a, b dnsName) int {
	for i := 1; i <= len(a) && i <= len(b); i++ {
		if c := strings.Compare(a[len(a)-i], b[len(b)-i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// within reports whether n is zone or below it.
func (n dnsName) within(zone dnsName) bool {
	if len(n) < len(zone) {
		return false
	}
	off := len(n) - len(zone)
	for i := range zone {
		if n[off+i] != zone[i] {
			return false
		}
	}
	return true
}

func (n dnsName) equal(o dnsName) bool { return len(n) == len(o) && n.within(o) }

// isWildcard reports a leftmost label of exactly "*".
func (n dnsName) isWildcard() bool { return len(n) > 0 && n[0] == `\052` }
