package gateway

import "strings"

// Intersect returns the hostname a route hostname and a listener hostname
// both match, following the Gateway API rules: an empty hostname matches
// anything; "*.example.com" matches any name below example.com (not
// example.com itself); of two overlapping wildcards the narrower one wins.
// ok is false when they share no name. Names are compared without case or
// a trailing dot.
func Intersect(listener, route string) (string, bool) {
	l, r := canon(listener), canon(route)
	switch {
	case l == "":
		return r, true
	case r == "":
		return l, true
	}
	lWild, rWild := strings.HasPrefix(l, "*."), strings.HasPrefix(r, "*.")
	switch {
	case lWild && rWild:
		if strings.HasSuffix(r[1:], l[1:]) {
			return r, true
		}
		if strings.HasSuffix(l[1:], r[1:]) {
			return l, true
		}
	case lWild:
		if below(r, l[1:]) {
			return r, true
		}
	case rWild:
		if below(l, r[1:]) {
			return l, true
		}
	case l == r:
		return r, true
	}
	return "", false
}

// below reports whether name ends in suffix (".example.com") with at
// least one label before it.
func below(name, suffix string) bool {
	return len(name) > len(suffix) && strings.HasSuffix(name, suffix)
}

func canon(h string) string {
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
}
