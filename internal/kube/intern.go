package kube

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The decoder allocates every string of every object anew, so thousands of
// cached objects hold thousands of copies of the same namespace, the same
// label and annotation keys and the same label values. An interner hands
// out one copy of each.
const (
	// maxInterned bounds the table: label values can be unique (a pod
	// template hash), and a table that grew with them would keep strings
	// of deleted objects alive for good.
	maxInterned = 8192
	// maxInternedLen leaves long strings alone: they rarely repeat.
	maxInternedLen = 128
)

// interner is a bounded table of strings, safe for concurrent use; nil
// interns nothing.
type interner struct {
	mu sync.Mutex
	m  map[string]string
}

func newInterner() *interner { return &interner{m: make(map[string]string)} }

// str returns the table's copy of s, adding s while there is room.
func (in *interner) str(s string) string {
	if in == nil || s == "" || len(s) > maxInternedLen {
		return s
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if v, ok := in.m[s]; ok {
		return v
	}
	if len(in.m) < maxInterned {
		in.m[s] = s
	}
	return s
}

// objectMeta interns the namespace, label keys and values, and annotation
// keys of m, and drops the last-applied annotation (never read, often the
// largest part of the metadata) and an annotation map it leaves empty.
// Annotation values are kept as decoded: most are hostnames and targets,
// one of a kind.
func (in *interner) objectMeta(m *metav1.ObjectMeta) {
	m.Namespace = in.str(m.Namespace)
	m.Labels = in.labels(m.Labels)
	m.Annotations = in.annotations(m.Annotations)
}

// labels returns a copy of l with interned keys and values.
func (in *interner) labels(l map[string]string) map[string]string {
	if len(l) == 0 {
		return l
	}
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[in.str(k)] = in.str(v)
	}
	return out
}

func (in *interner) annotations(a map[string]string) map[string]string {
	n := len(a)
	if _, ok := a[LastAppliedAnnotation]; ok {
		n--
	}
	if n <= 0 {
		return nil
	}
	out := make(map[string]string, n)
	for k, v := range a {
		if k != LastAppliedAnnotation {
			out[in.str(k)] = v
		}
	}
	return out
}
