package txt

import (
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// The ownership text is "heritage=external-dns,external-dns/<key>=<value>,...".
// The heritage value stays "external-dns" so that upstream and exodns
// recognise each other's records.
const (
	heritageKey    = "heritage"
	heritageValue  = "external-dns"
	labelKeyPrefix = "external-dns/"
)

// Error is the type of this package's sentinel errors; being a string type,
// they are constants and cannot be reassigned.
type Error string

func (e Error) Error() string { return string(e) }

// ErrInvalidHeritage means a TXT value is not an ownership record: it has no
// heritage, or another one. Upstream uses the same wording.
const ErrInvalidHeritage Error = "heritage is unknown or not found"

// ParseLabels reads the labels of an ownership TXT value, quoted or not.
//
// It accepts what upstream accepts, quirks included, because disagreeing
// on what counts as an ownership record would make the two controllers
// disagree on who owns what: one quote is dropped at each end (so trailing
// whitespace keeps the closing quote in the last value), tokens without "="
// are skipped, keys are compared exactly (no trimming), keys under
// "external-dns/" lose that prefix, other keys starting with "external-dns"
// are kept as they are, all other keys are dropped, and the last of
// duplicate keys wins. A heritage token with any other value, or no heritage
// token, gives ErrInvalidHeritage.
func ParseLabels(text string) (endpoint.Labels, error) {
	text = strings.TrimPrefix(text, `"`)
	text = strings.TrimSuffix(text, `"`)
	var buf [4]endpoint.Label // ownership records carry two or three labels
	pairs := buf[:0]
	found := false
	for rest, more := text, true; more; {
		var token string
		token, rest, more = strings.Cut(rest, ",")
		key, value, ok := strings.Cut(token, "=")
		if !ok {
			continue
		}
		if key == heritageKey {
			if value != heritageValue {
				return endpoint.Labels{}, ErrInvalidHeritage
			}
			found = true
			continue
		}
		if !strings.HasPrefix(key, heritageValue) {
			continue
		}
		pairs = append(pairs, endpoint.Label{Key: strings.TrimPrefix(key, labelKeyPrefix), Value: value})
	}
	if !found {
		return endpoint.Labels{}, ErrInvalidHeritage
	}
	return endpoint.LabelsOf(pairs), nil
}

// SerializeLabels writes labels in the ownership format, keys sorted so the
// value is stable, without the surrounding quotes. The encryption nonce is
// bookkeeping, not ownership, and is never written.
func SerializeLabels(labels endpoint.Labels) string {
	size := len(heritageKey) + 1 + len(heritageValue)
	for k, v := range labels.All() {
		if k != endpoint.NonceLabel {
			size += 1 + len(labelKeyPrefix) + len(k) + 1 + len(v)
		}
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(heritageKey)
	b.WriteByte('=')
	b.WriteString(heritageValue)
	for k, v := range labels.All() { // in key order
		if k == endpoint.NonceLabel {
			continue
		}
		b.WriteByte(',')
		b.WriteString(labelKeyPrefix)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

// quote wraps a TXT value in the quotes upstream writes around it.
func quote(s string) string { return `"` + s + `"` }
