package endpoint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Label is one key of an endpoint's labels, with its value.
type Label struct {
	Key, Value string
}

// Labels are ownership metadata kept in the registry, not in DNS data.
//
// An endpoint carries two or three labels, and a controller holds several
// endpoints per record at once: the one a source wants, the one the registry
// read, the one the plan created. A Go map that small costs about 300 bytes;
// a slice kept sorted by key costs 32 bytes a label, which at 10k records is
// megabytes of heap (issue 13).
//
// A Labels value is never changed in place: Set and Delete build a new slice.
// Copies of an endpoint may therefore share their labels, and a change to one
// copy's labels is never seen through another. The zero value holds no labels.
type Labels struct {
	kv []Label // sorted by Key, keys unique; nil when empty
}

// NewLabels returns labels from key, value pairs; a later pair wins over an
// earlier one with the same key.
func NewLabels(pairs ...string) Labels {
	if len(pairs)%2 != 0 {
		panic("endpoint.NewLabels: odd number of arguments")
	}
	var l Labels
	for i := 0; i < len(pairs); i += 2 {
		l.Set(pairs[i], pairs[i+1])
	}
	return l
}

// LabelsFromMap returns the labels in m.
func LabelsFromMap(m map[string]string) Labels {
	if len(m) == 0 {
		return Labels{}
	}
	kv := make([]Label, 0, len(m))
	for k, v := range m {
		kv = append(kv, Label{k, v})
	}
	slices.SortFunc(kv, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
	return Labels{kv: kv}
}

// LabelsOf returns labels holding kv, in one allocation; of pairs with the
// same key, the last wins. kv itself is not kept (a caller may build it in
// a buffer it reuses).
func LabelsOf(kv []Label) Labels {
	if len(kv) == 0 {
		return Labels{}
	}
	out := make([]Label, 0, len(kv))
	for _, p := range kv {
		i, ok := Labels{kv: out}.find(p.Key)
		if ok {
			out[i].Value = p.Value
			continue
		}
		out = slices.Insert(out, i, p)
	}
	return Labels{kv: out}
}

// Len returns the number of labels.
func (l Labels) Len() int { return len(l.kv) }

// IsZero reports whether there are no labels (it makes `omitzero` omit them).
func (l Labels) IsZero() bool { return len(l.kv) == 0 }

func (l Labels) find(k string) (int, bool) {
	// Linear: there are rarely more than four labels, and a binary search
	// costs more than it saves at that size.
	for i, p := range l.kv {
		if c := strings.Compare(p.Key, k); c >= 0 {
			return i, c == 0
		}
	}
	return len(l.kv), false
}

// Lookup returns the value at k and whether there is one.
func (l Labels) Lookup(k string) (string, bool) {
	if i, ok := l.find(k); ok {
		return l.kv[i].Value, true
	}
	return "", false
}

// Get returns the value at k, or "" when there is none.
func (l Labels) Get(k string) string {
	v, _ := l.Lookup(k)
	return v
}

// Has reports whether there is a value at k.
func (l Labels) Has(k string) bool {
	_, ok := l.find(k)
	return ok
}

// Set sets the value at k.
func (l *Labels) Set(k, v string) {
	i, ok := l.find(k)
	if ok && l.kv[i].Value == v {
		return
	}
	n := len(l.kv)
	if !ok {
		n++
	}
	kv := make([]Label, 0, n)
	kv = append(kv, l.kv[:i]...)
	kv = append(kv, Label{k, v})
	if ok {
		i++
	}
	l.kv = append(kv, l.kv[i:]...)
}

// Delete removes the value at k, if any.
func (l *Labels) Delete(k string) {
	i, ok := l.find(k)
	if !ok {
		return
	}
	if len(l.kv) == 1 {
		l.kv = nil
		return
	}
	kv := make([]Label, 0, len(l.kv)-1)
	kv = append(kv, l.kv[:i]...)
	l.kv = append(kv, l.kv[i+1:]...)
}

// With returns a copy of l with k set to v.
func (l Labels) With(k, v string) Labels {
	l.Set(k, v)
	return l
}

// Merge returns l with every label of o set over it, in one allocation.
func (l Labels) Merge(o Labels) Labels {
	switch {
	case len(o.kv) == 0:
		return l
	case len(l.kv) == 0:
		return o
	}
	kv := make([]Label, 0, len(l.kv)+len(o.kv))
	i, j := 0, 0
	for i < len(l.kv) && j < len(o.kv) {
		switch c := strings.Compare(l.kv[i].Key, o.kv[j].Key); {
		case c < 0:
			kv = append(kv, l.kv[i])
			i++
		case c > 0:
			kv = append(kv, o.kv[j])
			j++
		default:
			kv = append(kv, o.kv[j])
			i++
			j++
		}
	}
	kv = append(kv, l.kv[i:]...)
	kv = append(kv, o.kv[j:]...)
	return Labels{kv: kv}
}

// All yields every key and value, in key order.
func (l Labels) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, p := range l.kv {
			if !yield(p.Key, p.Value) {
				return
			}
		}
	}
}

// Map returns the labels as a new map.
func (l Labels) Map() map[string]string {
	m := make(map[string]string, len(l.kv))
	for _, p := range l.kv {
		m[p.Key] = p.Value
	}
	return m
}

// Equal reports whether both hold the same keys with the same values.
func (l Labels) Equal(o Labels) bool { return slices.Equal(l.kv, o.kv) }

// String renders the labels as {k=v, ...}, for logs and test failures.
func (l Labels) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range l.kv {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Key + "=" + p.Value)
	}
	b.WriteByte('}')
	return b.String()
}

// MarshalJSON writes the labels as a JSON object with sorted keys: what a Go
// map wrote, and what upstream's webhook protocol carries.
func (l Labels) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range l.kv {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(p.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object of strings; null reads as no labels.
func (l *Labels) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("labels: %w", err)
	}
	*l = LabelsFromMap(m)
	return nil
}
