package plan

import "testing"

func TestCNAMEExclusivity(t *testing.T) {
	const x = "x.example.com"
	const lb = "lb.example.net"
	upsert := func(in *Input) { in.Policy = PolicyUpsertOnly }
	runCases(t, []planCase{
		{
			name:      "desired mix without history: other types win",
			desired:   eps{by(cname(x, lb), "ingress/ns/a"), by(a(x, "1.1.1.1"), "service/ns/b"), by(rec(x, "AAAA", "::1"), "service/ns/c")},
			ops:       only("+x.example.com/A", "+x.example.com/AAAA"),
			conflicts: only("x.example.com/CNAME service/ns/b>ingress/ns/a: " + ReasonCNAMEExclusive),
		},
		{
			name:      "desired mix: our current CNAME stays",
			desired:   eps{by(cname(x, lb), "ingress/ns/a"), by(a(x, "1.1.1.1"), "service/ns/b")},
			current:   eps{ours(cname(x, lb), "ingress/ns/a")},
			conflicts: only("x.example.com/A ingress/ns/a>service/ns/b: " + ReasonCNAMEExclusive),
		},
		{
			name:      "desired mix: our current A stays",
			desired:   eps{by(cname(x, lb), "ingress/ns/a"), by(a(x, "1.1.1.1"), "service/ns/b")},
			current:   eps{ours(a(x, "1.1.1.1"), "service/ns/b")},
			conflicts: only("x.example.com/CNAME service/ns/b>ingress/ns/a: " + ReasonCNAMEExclusive),
		},
		{
			name:      "desired mix: a broken current mix of ours is repaired towards the other types",
			desired:   eps{by(cname(x, lb), "ingress/ns/a"), by(a(x, "1.1.1.1"), "service/ns/b")},
			current:   eps{ours(cname(x, lb), "ingress/ns/a"), ours(a(x, "1.1.1.1"), "service/ns/b")},
			ops:       only("-x.example.com/CNAME"),
			conflicts: only("x.example.com/CNAME service/ns/b>ingress/ns/a: " + ReasonCNAMEExclusive),
		},
		{
			name:      "our CNAME that this plan deletes is no incumbent",
			desired:   eps{by(cname(x, lb).WithSetIdentifier("one"), "ingress/ns/a"), by(a(x, "1.1.1.1"), "service/ns/b")},
			current:   eps{ours(cname(x, lb), "ingress/ns/a")},
			ops:       only("+x.example.com/A", "-x.example.com/CNAME"),
			conflicts: only("x.example.com/CNAME/one service/ns/b>ingress/ns/a: " + ReasonCNAMEExclusive),
		},
		{
			name:      "foreign A blocks a desired CNAME",
			desired:   eps{by(cname(x, lb), "ingress/ns/a")},
			current:   eps{owned(by(a(x, "1.1.1.1"), "service/far/z"), "them")},
			conflicts: only("x.example.com/CNAME service/far/z>ingress/ns/a: cannot create CNAME beside the existing A record (owned by them)"),
		},
		{
			name:      "unmanaged TXT blocks a desired CNAME",
			desired:   eps{by(cname(x, lb), "ingress/ns/a")},
			current:   eps{ours(rec(x, "TXT", "v=spf1"), "service/ns/t")},
			conflicts: only("x.example.com/CNAME service/ns/t>ingress/ns/a: cannot create CNAME beside the existing TXT record (ours)"),
		},
		{
			name:      "record of an unmanaged type still blocks",
			desired:   eps{by(cname(x, lb), "ingress/ns/a")},
			current:   eps{owned(rec(x, "MX", "10 mail.example.com"), "them")},
			opts:      func(in *Input) { in.ManagedTypes = []string{"CNAME"} },
			conflicts: only("x.example.com/CNAME >ingress/ns/a: cannot create CNAME beside the existing MX record (owned by them)"),
		},
		{
			name:      "foreign CNAME blocks desired A",
			desired:   eps{by(a(x, "1.1.1.1"), "service/ns/a")},
			current:   eps{owned(cname(x, lb), "them")},
			conflicts: only("x.example.com/A >service/ns/a: cannot create A beside the existing CNAME record (owned by them)"),
		},
		{
			name:    "our CNAME replaced by an A in the same plan",
			desired: eps{by(a(x, "1.1.1.1"), "service/ns/a")},
			current: eps{ours(cname(x, lb), "service/ns/a")},
			ops:     only("+x.example.com/A", "-x.example.com/CNAME"),
		},
		{
			name:    "our A replaced by a CNAME in the same plan",
			desired: eps{by(cname(x, lb), "service/ns/a")},
			current: eps{ours(a(x, "1.1.1.1"), "service/ns/a")},
			ops:     only("+x.example.com/CNAME", "-x.example.com/A"),
		},
		{
			name:      "without deletes our CNAME keeps blocking",
			desired:   eps{by(a(x, "1.1.1.1"), "service/ns/a")},
			current:   eps{ours(cname(x, lb), "service/ns/a")},
			opts:      upsert,
			conflicts: only("x.example.com/A service/ns/a>service/ns/a: cannot create A beside the existing CNAME record (ours)"),
		},
		{
			name: "weighted CNAMEs beside a current CNAME are fine",
			desired: eps{
				by(cname(x, "blue.example.net").WithSetIdentifier("blue"), "ingress/ns/blue"),
				by(cname(x, "green.example.net").WithSetIdentifier("green"), "ingress/ns/green"),
			},
			current: eps{ours(cname(x, "blue.example.net").WithSetIdentifier("blue"), "ingress/ns/blue")},
			ops:     only("+x.example.com/CNAME/green"),
		},
		{
			name:    "other names are unaffected",
			desired: eps{by(cname(x, lb), "ingress/ns/a")},
			current: eps{owned(a("y.example.com", "1.1.1.1"), "them"), owned(a("sub."+x, "1.1.1.1"), "them")},
			ops:     only("+x.example.com/CNAME"),
		},
	})
}
