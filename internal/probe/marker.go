package probe

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// DefaultMarkerRegexp finds the cluster name on the seed's nginx page,
// "This application is currently running on: <b>RKE2 Cluster</b>".
const DefaultMarkerRegexp = `(?i)running on:?\s*<b>\s*([^<]*?)\s*</b>`

// Marker tells which cluster answered: the value of a response header when
// Header is set, else the first capture group of Regexp in the body. The
// zero Marker uses DefaultMarkerRegexp.
type Marker struct {
	Header string
	Regexp *regexp.Regexp
}

// NewMarker builds a Marker from the command's flags; at most one may be set.
func NewMarker(header, expr string) (Marker, error) {
	if header != "" && expr != "" {
		return Marker{}, errors.New("probe: give a marker header or a marker regexp, not both")
	}
	if header != "" {
		return Marker{Header: header}, nil
	}
	if expr == "" {
		expr = DefaultMarkerRegexp
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return Marker{}, fmt.Errorf("probe: marker regexp: %w", err)
	}
	if re.NumSubexp() < 1 {
		return Marker{}, fmt.Errorf("probe: marker regexp %q needs a capture group for the cluster name", expr)
	}
	return Marker{Regexp: re}, nil
}

func (m Marker) orDefault() Marker {
	if m.Header == "" && m.Regexp == nil {
		m.Regexp = regexp.MustCompile(DefaultMarkerRegexp)
	}
	return m
}

// Find returns the cluster named by the response, or "" when it names none.
func (m Marker) Find(h http.Header, body []byte) string {
	if m.Header != "" {
		return strings.TrimSpace(h.Get(m.Header))
	}
	if m.Regexp == nil {
		return ""
	}
	sub := m.Regexp.FindSubmatch(body)
	if len(sub) < 2 {
		return ""
	}
	// The first non-empty group, so alternatives like (a)|(b) work.
	for _, g := range sub[1:] {
		if s := strings.TrimSpace(string(g)); s != "" {
			return s
		}
	}
	return ""
}
