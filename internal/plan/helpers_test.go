package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

const me = "me"

type eps = []*endpoint.Endpoint

func rec(name, typ string, targets ...string) *endpoint.Endpoint {
	return endpoint.New(name, typ, targets...)
}

func a(name string, targets ...string) *endpoint.Endpoint { return rec(name, "A", targets...) }

func cname(name, target string) *endpoint.Endpoint { return rec(name, "CNAME", target) }

// by marks a desired record as coming from resource res.
func by(e *endpoint.Endpoint, res string) *endpoint.Endpoint {
	return e.WithLabel(endpoint.ResourceLabel, res)
}

// ours marks a current record as owned by this instance for resource res.
func ours(e *endpoint.Endpoint, res string) *endpoint.Endpoint {
	return by(e, res).WithLabel(endpoint.OwnerLabel, me)
}

// owned marks a current record as owned by someone else.
func owned(e *endpoint.Endpoint, owner string) *endpoint.Endpoint {
	return e.WithLabel(endpoint.OwnerLabel, owner)
}

// planCase is one row of the table tests: inputs, tweaks, and the expected
// operations ("+key" create, "~key" update, "-key" delete) and conflicts
// ("key winner>loser,loser: reason"). nil expectations mean "none".
type planCase struct {
	name      string
	desired   eps
	current   eps
	opts      func(*Input)
	ops       []string
	conflicts []string
}

func (c planCase) input() Input {
	in := Input{Desired: c.desired, Current: c.current, OwnerID: me, Policy: PolicySync}
	if c.opts != nil {
		c.opts(&in)
	}
	return in
}

func runCases(t *testing.T, cases []planCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Calculate(c.input())
			if got := ops(r.Changes); !equal(got, c.ops) {
				t.Errorf("ops:\n got %q\nwant %q", got, c.ops)
			}
			if got := conflicts(r.Conflicts); !equal(got, c.conflicts) {
				t.Errorf("conflicts:\n got %q\nwant %q", got, c.conflicts)
			}
		})
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n") && len(a) == len(b)
}

func ops(c *Changes) []string {
	var out []string
	for _, e := range c.Create {
		out = append(out, "+"+e.Key().String())
	}
	for i, e := range c.UpdateOld {
		if c.UpdateNew[i].Key() != e.Key() {
			out = append(out, "!pair "+e.Key().String()+" "+c.UpdateNew[i].Key().String())
		}
		out = append(out, "~"+e.Key().String())
	}
	for _, e := range c.Delete {
		out = append(out, "-"+e.Key().String())
	}
	return out
}

func conflicts(cs []Conflict) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %s>%s: %s", c.Key, c.Winner, strings.Join(c.Losers, ","), c.Reason))
	}
	return out
}

// only is a shorthand for one-element string lists in tables.
func only(s ...string) []string { return s }
