package txt

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/exodns/exodns/internal/endpoint"
)

// A record with no ownership record reads as "owned by nobody". When an
// ownership record for it does exist but cannot be used, that is wrong and
// sends users looking in the wrong place, so the registry says what it
// found in the record's endpoint.OwnershipNoteLabel: an ownership record
// under another --txt-prefix or --txt-suffix, or one it could not decrypt.

// noteUnreadable remembers a TXT record at an ownership name whose value
// is not ownership text but looks encrypted: with a key, one it does not
// open; without one, any.
func (r *Registry) noteUnreadable(snap *snapshot, rec *endpoint.Endpoint) {
	if len(rec.Targets) == 0 || !looksEncrypted(rec.Targets[0]) {
		return
	}
	name, recordType := r.mapper.ToEndpointName(rec.DNSName)
	if name == "" || recordType == "" {
		return
	}
	msg := fmt.Sprintf("ownership record %s is encrypted; set --txt-encrypt-aes-key to read it", rec.DNSName)
	if r.sealer != nil {
		msg = fmt.Sprintf("ownership record %s could not be decrypted with --txt-encrypt-aes-key (another key?)", rec.DNSName)
	}
	if snap.undecryptable == nil {
		snap.undecryptable = map[endpoint.Key]string{}
	}
	snap.undecryptable[endpoint.Key{DNSName: name, RecordType: recordType, SetIdentifier: rec.SetIdentifier}] = msg
}

// looksEncrypted reports a value shaped like upstream's encryption: base64
// of a nonce, a GCM tag and some ciphertext, quoted or not.
func looksEncrypted(v string) bool {
	v = strings.Trim(v, `"`)
	if len(v) < 40 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) > nonceSize+16
}

// explainUnowned labels each unowned record with what was found instead
// of its ownership record, if anything. foreign are ownership records the
// mapper places nowhere; with the ownership records no record used, they
// are the candidates for one written under another affix. The index is
// built only when both sides exist, so a zone where everything is owned
// pays nothing.
func (r *Registry) explainUnowned(snap *snapshot, unowned []*endpoint.Endpoint, foreign []*ownership) {
	if len(unowned) == 0 {
		return
	}
	var index map[endpoint.Key]*ownership
	for _, c := range unowned {
		key := r.lookupKey(c)
		note := snap.undecryptable[key]
		if note == "" {
			if index == nil {
				index = r.affixIndex(snap, foreign)
			}
			if o := index[key]; o != nil {
				note = fmt.Sprintf("ownership record found at %s under another --txt-prefix/--txt-suffix (owner %q)", o.txt.DNSName, o.owner)
			}
		}
		if note != "" {
			c.Labels.Set(endpoint.OwnershipNoteLabel, note)
		}
	}
}

// affixIndex files every unused ownership record under each record key it
// could belong to with some other affix: its name minus one affix holding
// a type, with the type as the key's. "k3s-a-app.example.com" is filed
// under app.example.com A, "a-k3s.app.example.com" too, and
// "app-cname.example.com" under app.example.com CNAME.
func (r *Registry) affixIndex(snap *snapshot, foreign []*ownership) map[endpoint.Key]*ownership {
	index := map[endpoint.Key]*ownership{}
	add := func(o *ownership) {
		if o.used {
			return
		}
		name := strings.ToLower(o.txt.DNSName)
		for head, rest := range headSplits(name) {
			for label, types := range labelCuts(head) {
				for _, t := range types {
					k := endpoint.Key{DNSName: label + "." + rest, RecordType: t, SetIdentifier: o.txt.SetIdentifier}
					if index[k] == nil {
						index[k] = o
					}
				}
			}
		}
	}
	for _, o := range foreign {
		add(o)
	}
	for _, o := range snap.typed.all() {
		add(o)
	}
	for _, o := range snap.legacy {
		add(o)
	}
	return index
}

// headSplits yields the ways to cut name into a head of one to three labels
// (the first label with an affix that may add labels) and the rest.
func headSplits(name string) func(yield func(head, rest string) bool) {
	return func(yield func(string, string) bool) {
		i := 0
		for range 3 {
			j := strings.IndexByte(name[i:], '.')
			if j < 0 {
				return
			}
			i += j
			if !yield(name[:i], name[i+1:]) {
				return
			}
			i++
		}
	}
}

// labelCuts yields each part of head between separators ('-', '.', '_')
// that could be the record's first label, with the record types named in
// what is left around it (the affix), which must name at least one.
func labelCuts(head string) func(yield func(label string, types []string) bool) {
	var bounds []int // starts and ends of parts
	bounds = append(bounds, 0)
	for i := 0; i < len(head); i++ {
		if isSeparator(head[i]) {
			bounds = append(bounds, i, i+1)
		}
	}
	bounds = append(bounds, len(head))
	return func(yield func(string, []string) bool) {
		for a := 0; a < len(bounds); a += 2 {
			for b := a + 1; b < len(bounds); b += 2 {
				start, end := bounds[a], bounds[b]
				if start >= end || (start == 0 && end == len(head)) {
					continue
				}
				if types := typeTokens(head[:start] + " " + head[end:]); len(types) > 0 {
					if !yield(head[start:end], types) {
						return
					}
				}
			}
		}
	}
}

func isSeparator(c byte) bool { return c == '-' || c == '.' || c == '_' || c == ' ' }

// typeTokens returns the record types among the separator-delimited tokens
// of affix.
func typeTokens(affix string) []string {
	var out []string
	for tok := range strings.FieldsFuncSeq(affix, func(r rune) bool { return r < 128 && isSeparator(byte(r)) }) {
		if t := typeFromLower(tok); t != "" {
			out = append(out, t)
		}
	}
	return out
}
