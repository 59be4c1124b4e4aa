package route53

import (
	"strconv"
	"strings"
)

// setKey identifies a record set within a zone, as Route 53 does: name,
// type and set identifier. Names are lower case, unescaped, without the
// trailing dot.
type setKey struct {
	name, typ, set string
}

func (k setKey) String() string {
	s := k.name + "/" + k.typ
	if k.set != "" {
		s += "/" + k.set
	}
	return s
}

// canonicalName turns a name as Route 53 returns it ("\052.example.com.")
// or as a user writes it ("*.Example.com") into the form endpoints use.
func canonicalName(name string) string {
	return strings.ToLower(strings.TrimSuffix(unescapeName(name), "."))
}

// unescapeName decodes Route 53's \ooo octal escapes. Route 53 returns
// every character other than a-z, 0-9, '-' and '_' escaped; '*' as \052.
func unescapeName(name string) string {
	if !strings.Contains(name, `\`) {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '\\' && i+4 <= len(name) {
			if v, err := strconv.ParseUint(name[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// zoneIDOf strips the "/hostedzone/" prefix Route 53 puts on zone IDs.
func zoneIDOf(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}

// parentOf returns the name without its first label.
func parentOf(name string) string {
	_, rest, _ := strings.Cut(name, ".")
	return rest
}
