package route53

import (
	"regexp"
	"strings"
)

// Route 53 names the record sets it refuses in its messages, in a few
// shapes (see shared/recipes/route53-rules.md §3):
//
//	Tried to create resource record set [name='a.example.com.', type='A'] but it already exists
//	RRSet of type CNAME with DNS name x.example.com. is not permitted ...
//	RRSet with DNS name e.example.internal., type A, SetIdentifier s cannot be created ...
//	Invalid request: ... in Change with [Action=CREATE, Name=x.example.com, Type=A, SetIdentifier=null]
var suspectPatterns = []struct {
	re            *regexp.Regexp
	name, typeIdx int
}{
	{regexp.MustCompile(`name='([^']+)', type='([A-Z]+)'`), 1, 2},
	{regexp.MustCompile(`RRSet of type ([A-Z]+) with DNS name (\S+?)\.? `), 2, 1},
	{regexp.MustCompile(`RRSet with DNS name (\S+?)\.?, type ([A-Z]+)`), 1, 2},
	{regexp.MustCompile(`Name=([^,\]]+), Type=([A-Z]+)`), 1, 2},
}

// suspects returns the groups holding a change the error names, so the
// batch can be resent without them at once.
func suspects(err error, groups []Group[change]) []int {
	msg := err.Error()
	named := map[setKey]bool{} // set left empty: any set identifier
	for _, p := range suspectPatterns {
		for _, m := range p.re.FindAllStringSubmatch(msg, -1) {
			named[setKey{name: canonicalName(m[p.name]), typ: strings.ToUpper(m[p.typeIdx])}] = true
		}
	}
	if len(named) == 0 {
		return nil
	}
	var out []int
	for gi, g := range groups {
		for _, it := range g.Items {
			k := keyOf(it.ResourceRecordSet)
			if named[setKey{name: k.name, typ: k.typ}] {
				out = append(out, gi)
				break
			}
		}
	}
	return out
}
