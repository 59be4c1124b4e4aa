package provider

import (
	"fmt"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

func TestGroupChanges(t *testing.T) {
	rec := func(name, ip string) *endpoint.Endpoint { return endpoint.New(name, "A", ip) }
	own := func(txtName, owned string) *endpoint.Endpoint {
		return endpoint.New(txtName, "TXT", `"heritage=external-dns"`).WithLabel(endpoint.OwnedRecordLabel, owned)
	}
	a, aTXT := rec("a.example.com", "192.0.2.1"), own("k3s-a-a.example.com", "a.example.com")
	bOld, bNew, bTXT := rec("B.example.com.", "192.0.2.2"), rec("B.example.com.", "192.0.2.3"), own("k3s-a-b.example.com", "b.example.com")
	c := rec("c.example.com", "192.0.2.4")
	ch := &plan.Changes{Create: []*endpoint.Endpoint{aTXT, a, c}, UpdateOld: []*endpoint.Endpoint{bOld}, UpdateNew: []*endpoint.Endpoint{bNew}, Delete: []*endpoint.Endpoint{bTXT}}

	gs := GroupChanges(ch)
	got := ""
	for _, g := range gs {
		got += fmt.Sprintf("[%s %s:", g.Primary().DNSName, ActionOf(ch, g.Primary()))
		for _, x := range g {
			got += " " + x.Action + " " + x.Endpoint.DNSName
		}
		got += "]"
	}
	// Deletes come first; a name's ownership record joins its record
	// whatever its own name, and the record, not its TXT, is primary.
	want := "[B.example.com. update: delete k3s-a-b.example.com update B.example.com.]" +
		"[a.example.com create: create k3s-a-a.example.com create a.example.com]" +
		"[c.example.com create: create c.example.com]"
	if got != want {
		t.Fatalf("groups\n got %s\nwant %s", got, want)
	}
	back := ChangesOf(gs...)
	if back.Len() != ch.Len() || back.UpdateOld[0] != bOld || back.UpdateNew[0] != bNew || back.Delete[0] != bTXT {
		t.Fatalf("ChangesOf does not give the batch back: %+v", back)
	}
	if only := (ChangeGroup{{Action: "create", Endpoint: aTXT}}); only.Primary() != aTXT {
		t.Fatal("a group of an ownership record alone has it as primary")
	}
}
