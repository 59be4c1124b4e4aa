package route53

import (
	"errors"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
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

// namedSets returns the name and type of every set an error message names
// (set identifier left empty: any).
func namedSets(msg string) map[setKey]bool {
	named := map[setKey]bool{}
	for _, p := range suspectPatterns {
		for _, m := range p.re.FindAllStringSubmatch(msg, -1) {
			named[setKey{name: canonicalName(m[p.name]), typ: strings.ToUpper(m[p.typeIdx])}] = true
		}
	}
	return named
}

// names reports whether the error is about change c: it names c's set, or,
// for an unknown health check, c's health check.
func names(err error, named map[setKey]bool, c change) bool {
	k := keyOf(c.ResourceRecordSet)
	if named[setKey{name: k.name, typ: k.typ}] {
		return true
	}
	var re *refusedError
	if errors.As(err, &re) {
		return re.key == k
	}
	var ae smithy.APIError
	hc := aws.ToString(c.ResourceRecordSet.HealthCheckId)
	return hc != "" && errors.As(err, &ae) && ae.ErrorCode() == "NoSuchHealthCheck" && strings.Contains(ae.ErrorMessage(), hc)
}

// suspects returns the groups holding a change the error names, so the
// batch can be resent without them at once.
func suspects(err error, groups []Group[change]) []int {
	named := namedSets(err.Error())
	if len(named) == 0 {
		return nil
	}
	var out []int
	for gi, g := range groups {
		for _, it := range g.Items {
			if names(err, named, it) {
				out = append(out, gi)
				break
			}
		}
	}
	return out
}

// culprits returns the changes of a refused group that the error is about,
// or all of them when it names none: those are the refused ones; the
// others only went down with them.
func culprits(err error, items []change) []int {
	named := namedSets(err.Error())
	var out []int
	for i, it := range items {
		if names(err, named, it) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		out = make([]int, len(items))
		for i := range out {
			out[i] = i
		}
	}
	return out
}
