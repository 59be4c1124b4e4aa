package txt

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/spf13/pflag"
)

func ownershipTXT(name, value string) *endpoint.Endpoint {
	return endpoint.New(name, endpoint.RecordTypeTXT, value)
}

func plainValue(owner, resource string) string {
	return `"heritage=external-dns,external-dns/owner=` + owner + `,external-dns/resource=` + resource + `"`
}

// TestMigrateFromTXTOwner: with --migrate-from-txt-owner=old, records of
// "old" read as ours and get their ownership records rewritten with our
// owner on the next ApplyChanges, even with no record change; records of
// any other owner are left alone. Without the flag nothing moves.
func TestMigrateFromTXTOwner(t *testing.T) {
	zone := func() *fakeProvider {
		return newFakeProvider(
			endpoint.New("a.example.com", "A", "192.0.2.1"),
			ownershipTXT("a-a.example.com", plainValue("old", "service/default/a")),
			endpoint.New("b.example.com", "A", "192.0.2.2"),
			ownershipTXT("b.example.com", plainValue("old", "service/default/b")), // legacy, type-less
			endpoint.New("c.example.com", "A", "192.0.2.3"),
			ownershipTXT("a-c.example.com", plainValue("team-c", "service/default/c")),
		)
	}
	tests := []struct {
		name      string
		old       string
		wantOwner map[string]string // record -> owner Records reports
		wantTXT   map[string]string // ownership record -> value after ApplyChanges
	}{
		{
			name:      "migrating",
			old:       "old",
			wantOwner: map[string]string{"a.example.com": owner, "b.example.com": owner, "c.example.com": "team-c"},
			wantTXT: map[string]string{
				"a-a.example.com": plainValue(owner, "service/default/a"),
				"a-b.example.com": plainValue(owner, "service/default/b"),
				"a-c.example.com": plainValue("team-c", "service/default/c"),
			},
		},
		{
			name:      "not migrating",
			old:       "",
			wantOwner: map[string]string{"a.example.com": "old", "b.example.com": "old", "c.example.com": "team-c"},
			wantTXT: map[string]string{
				"a-a.example.com": plainValue("old", "service/default/a"),
				"a-c.example.com": plainValue("team-c", "service/default/c"),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := zone()
			r := newRegistry(t, p, Config{OldOwnerID: tc.old})
			got := records(t, r)
			for name, want := range tc.wantOwner {
				if o := got[name+"/A"].Labels.Get(endpoint.OwnerLabel); o != want {
					t.Errorf("%s: owner %q, want %q", name, o, want)
				}
			}
			if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.wantTXT {
				rec := p.get(name, "TXT")
				if rec == nil || rec.Targets[0] != want {
					t.Errorf("%s = %v, want %s", name, rec, want)
				}
			}
			if tc.old == "" && len(p.calls) != 0 {
				t.Errorf("provider called without migration: %v", p.calls)
			}
			// Migrated records are ours from now on: a second pass
			// changes nothing.
			records(t, r)
			before := len(p.calls)
			if err := r.ApplyChanges(ctx, &plan.Changes{}); err != nil || len(p.calls) != before {
				t.Errorf("second pass: err %v, calls %d -> %d", err, before, len(p.calls))
			}
		})
	}
}

// TestMigratedRecordCanBeDeleted: a record taken over from the old owner is
// deleted with its ownership record, as any record of ours.
func TestMigratedRecordCanBeDeleted(t *testing.T) {
	p := newFakeProvider(
		endpoint.New("a.example.com", "A", "192.0.2.1"),
		ownershipTXT("a-a.example.com", plainValue("old", "service/default/a")),
	)
	r := newRegistry(t, p, Config{OldOwnerID: "old"})
	cur := records(t, r)["a.example.com/A"]
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{cur}}); err != nil {
		t.Fatal(err)
	}
	if p.get("a.example.com", "A") != nil || p.get("a-a.example.com", "TXT") != nil {
		t.Errorf("record or ownership left: %v", p.zone)
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// TestCacheInterval: with --txt-cache-interval the provider is read once per
// interval; our own changes are in the cached answer at once; a failed
// apply drops the cache; 0 reads on every call.
func TestCacheInterval(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	p := newFakeProvider(endpoint.New("a.example.com", "A", "192.0.2.1"))
	r := newRegistry(t, p, Config{CacheInterval: time.Minute, Now: clock.now})

	records(t, r)
	records(t, r)
	if p.readsN != 1 {
		t.Fatalf("provider read %d times within the interval, want 1", p.readsN)
	}
	create := app("b.example.com", "A", "192.0.2.2")
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{create}}); err != nil {
		t.Fatal(err)
	}
	got := records(t, r)
	if p.readsN != 1 || got["b.example.com/A"] == nil || got["b.example.com/A"].Labels.Get(endpoint.OwnerLabel) != owner {
		t.Errorf("after our create: reads %d, records %v", p.readsN, keys(got))
	}
	// The created record's ownership record is cached too: deleting it
	// finds and removes both.
	if err := r.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{got["b.example.com/A"]}}); err != nil {
		t.Fatal(err)
	}
	if p.get("a-b.example.com", "TXT") != nil {
		t.Error("ownership record of the deleted record left behind")
	}
	if got := records(t, r); got["b.example.com/A"] != nil || p.readsN != 1 {
		t.Errorf("after our delete: reads %d, records %v", p.readsN, keys(got))
	}

	// Someone else's change is seen once the interval is over.
	p.zone[endpoint.Key{DNSName: "c.example.com", RecordType: "A"}] = endpoint.New("c.example.com", "A", "192.0.2.3")
	if got := records(t, r); got["c.example.com/A"] != nil {
		t.Error("a foreign change was seen within the interval")
	}
	clock.t = clock.t.Add(time.Minute)
	if got := records(t, r); got["c.example.com/A"] == nil || p.readsN != 2 {
		t.Errorf("after the interval: reads %d, records %v", p.readsN, keys(got))
	}

	// A failed apply drops the cache.
	p.applyFn = func(*plan.Changes) error { return errors.New("boom") }
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("d.example.com", "A", "192.0.2.4")}}); err == nil {
		t.Fatal("apply did not fail")
	}
	records(t, r)
	if p.readsN != 3 {
		t.Errorf("after a failed apply: reads %d, want 3", p.readsN)
	}
}

func TestNoCacheReadsEveryTime(t *testing.T) {
	p := newFakeProvider(endpoint.New("a.example.com", "A", "192.0.2.1"))
	r := newRegistry(t, p, Config{})
	for range 3 {
		records(t, r)
	}
	if p.readsN != 3 {
		t.Errorf("reads %d, want 3", p.readsN)
	}
}

// TestFlags: upstream's TXT flag names and the alias parse into Flags.
func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		want Flags
	}{
		{nil, DefaultFlags()},
		{[]string{"--txt-new-format-only"}, Flags{NewFormatOnly: true}},
		{[]string{"--txt-new-format-only=false"}, Flags{}},
		{[]string{"--migrate-from-txt-owner=old"}, Flags{OldOwnerID: "old"}},
		{[]string{"--txt-owner-old=old"}, Flags{OldOwnerID: "old"}},
		{[]string{"--txt-cache-interval=2m"}, Flags{CacheInterval: 2 * time.Minute}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			f := DefaultFlags()
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			f.BindFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if f != tc.want {
				t.Errorf("got %+v, want %+v", f, tc.want)
			}
		})
	}
}

func keys(m map[string]*endpoint.Endpoint) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
