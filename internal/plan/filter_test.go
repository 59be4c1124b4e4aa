package plan

import (
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
)

func mustFilter(t *testing.T, include, exclude []string, rin, rex string) endpoint.DomainFilter {
	t.Helper()
	f, err := endpoint.NewDomainFilter(include, exclude, rin, rex)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestScope(t *testing.T) {
	// Every case has the same world: one record to create and one to
	// delete under each of two domains, plus a TXT and an AAAA.
	world := planCase{
		desired: eps{
			by(a("new.a.example.com", "1.1.1.1"), "service/ns/a"),
			by(a("new.b.example.org", "1.1.1.1"), "service/ns/b"),
			by(rec("txt.a.example.com", "TXT", "hello"), "service/ns/t"),
			by(rec("six.a.example.com", "AAAA", "::1"), "service/ns/6"),
		},
		current: eps{
			ours(a("old.a.example.com", "2.2.2.2"), "service/ns/oa"),
			ours(a("old.b.example.org", "2.2.2.2"), "service/ns/ob"),
			ours(rec("oldtxt.a.example.com", "TXT", "bye"), "service/ns/ot"),
			ours(rec("oldsix.a.example.com", "AAAA", "::2"), "service/ns/o6"),
		},
	}
	row := func(name string, opts func(*Input), ops ...string) planCase {
		c := world
		c.name, c.opts, c.ops = name, opts, ops
		return c
	}
	runCases(t, []planCase{
		row("default scope manages A, AAAA and CNAME everywhere", nil,
			"+new.a.example.com/A", "+new.b.example.org/A", "+six.a.example.com/AAAA",
			"-old.a.example.com/A", "-old.b.example.org/A", "-oldsix.a.example.com/AAAA"),
		row("domain filter", func(in *Input) { in.DomainFilter = mustFilter(t, []string{"example.org"}, nil, "", "") },
			"+new.b.example.org/A", "-old.b.example.org/A"),
		row("excluded domain", func(in *Input) {
			in.DomainFilter = mustFilter(t, []string{"example.com", "example.org"}, []string{"b.example.org"}, "", "")
		}, "+new.a.example.com/A", "+six.a.example.com/AAAA", "-old.a.example.com/A", "-oldsix.a.example.com/AAAA"),
		row("regex filter", func(in *Input) { in.DomainFilter = mustFilter(t, nil, nil, `\.example\.org$`, "") },
			"+new.b.example.org/A", "-old.b.example.org/A"),
		row("regex exclusion", func(in *Input) { in.DomainFilter = mustFilter(t, nil, nil, "", `^(new|old)\.`) },
			"+six.a.example.com/AAAA", "-oldsix.a.example.com/AAAA"),
		row("managed types include TXT", func(in *Input) { in.ManagedTypes = []string{"a", "TXT"} },
			"+new.a.example.com/A", "+new.b.example.org/A", "+txt.a.example.com/TXT",
			"-old.a.example.com/A", "-old.b.example.org/A", "-oldtxt.a.example.com/TXT"),
		row("excluded types", func(in *Input) { in.ExcludeTypes = []string{"aaaa"} },
			"+new.a.example.com/A", "+new.b.example.org/A", "-old.a.example.com/A", "-old.b.example.org/A"),
		row("everything excluded", func(in *Input) { in.ManagedTypes = []string{"A"}; in.ExcludeTypes = []string{"A"} }),
	})
}

func TestKeysAreCanonical(t *testing.T) {
	// A provider that reports names with a dot or capitals must still line
	// up with the desired record instead of causing a create.
	runCases(t, []planCase{{
		name:    "trailing dot and case",
		desired: eps{by(a("x.example.com", "1.1.1.1"), "service/ns/x")},
		current: eps{ours(rec("X.Example.com.", "a", "1.1.1.1"), "service/ns/x")},
	}})
}
