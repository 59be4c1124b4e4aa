package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
)

// TestLastChange: Explain tells the last change applied at each name, what
// it was, its type, its targets and when, through the compact form the
// index keeps it in.
func TestLastChange(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	at := time.Date(2026, 12, 3, 17, 0, 0, 123456789, time.UTC)
	w.ctl.Now = func() time.Time { return at }
	set := func(name, ip string) {
		res := "service/ns/" + name
		var eps []*endpoint.Endpoint
		if ip != "" {
			eps = []*endpoint.Endpoint{endpoint.New(name+".example.com", "A", ip).WithLabel(endpoint.ResourceLabel, res)}
		}
		w.src.set(res, &fakeObject{eps: eps})
	}
	set("a", "192.0.2.1")
	set("b", "192.0.2.2")
	if err := w.ctl.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	at = at.Add(time.Minute)
	set("a", "192.0.2.9")
	set("b", "")
	if err := w.ctl.run(ctx, runEvent); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		want    *ChangeRecord
		wantNil bool
	}{
		{name: "a.example.com", want: &ChangeRecord{Action: "update", Type: "A", Targets: []string{"192.0.2.9"}, At: at}},
		{name: "b.example.com", want: &ChangeRecord{Action: "delete", Type: "A", Targets: []string{"192.0.2.2"}, At: at}},
		{name: "c.example.com", wantNil: true},
	} {
		got := w.ctl.Explain(tt.name, "").LastChange
		switch {
		case tt.wantNil:
			if got != nil {
				t.Errorf("%s: last change %+v, want none", tt.name, got)
			}
		case got == nil:
			t.Errorf("%s: no last change, want %+v", tt.name, tt.want)
		case got.Action != tt.want.Action || got.Type != tt.want.Type || !slices.Equal(got.Targets, tt.want.Targets) || !got.At.Equal(tt.want.At):
			t.Errorf("%s: last change %+v, want %+v", tt.name, got, tt.want)
		}
	}
	for a := changeCreate; a <= changeDelete; a++ {
		if r := (lastChange{action: a}).record(); r.Action != []string{"create", "update", "delete"}[a] {
			t.Errorf("action %d is %q", a, r.Action)
		}
	}
}
