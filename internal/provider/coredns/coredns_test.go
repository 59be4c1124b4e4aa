package coredns

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
	"github.com/exodns/exodns/internal/provider"
)

// fakeKV is etcd in memory: revisions, prefix reads, conditional txns.
type fakeKV struct {
	rev  int64
	data map[string]KV
	txns int
	down error
}

func newFakeKV(kvs map[string]string) *fakeKV {
	f := &fakeKV{data: map[string]KV{}}
	for k, v := range kvs {
		f.rev++
		f.data[k] = KV{Key: k, Value: []byte(v), ModRevision: f.rev}
	}
	return f
}

func (f *fakeKV) Prefix(_ context.Context, prefix string) ([]KV, error) {
	if f.down != nil {
		return nil, f.down
	}
	var out []KV
	for k, kv := range f.data {
		if strings.HasPrefix(k, prefix) {
			out = append(out, kv)
		}
	}
	slices.SortFunc(out, func(a, b KV) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

func (f *fakeKV) Txn(_ context.Context, conds []Cond, ops []Op) (bool, error) {
	if f.down != nil {
		return false, f.down
	}
	f.txns++
	for _, c := range conds {
		if f.data[c.Key].ModRevision != c.ModRevision {
			return false, nil
		}
	}
	seen := map[string]bool{}
	for _, o := range ops {
		if seen[o.Key] {
			return false, errors.New("duplicate key given in txn request")
		}
		seen[o.Key] = true
	}
	f.rev++
	for _, o := range ops {
		if o.Delete {
			delete(f.data, o.Key)
		} else {
			f.data[o.Key] = KV{Key: o.Key, Value: o.Value, ModRevision: f.rev}
		}
	}
	return true, nil
}

func (f *fakeKV) Stamp(_ context.Context, prefix string) (PrefixStamp, error) {
	if f.down != nil {
		return PrefixStamp{}, f.down
	}
	var st PrefixStamp
	for k, kv := range f.data {
		if strings.HasPrefix(k, prefix) {
			st.Count++
			st.MaxModRevision = max(st.MaxModRevision, kv.ModRevision)
		}
	}
	return st, nil
}

func newTest(t *testing.T, kvs map[string]string) (*fakeKV, *Provider) {
	f := newFakeKV(kvs)
	p, err := New(DefaultConfig(), Options{Client: f})
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

func records(t *testing.T, p *Provider) []string {
	t.Helper()
	eps, err := p.Records(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range eps {
		s := e.String()
		for _, ps := range e.ProviderSpecific {
			s += " " + ps.Name + "=" + ps.Value
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestRecordsReadsEveryLayout(t *testing.T) {
	_, p := newTest(t, map[string]string{
		// written by hand at the name itself
		"/skydns/test/example/www": `{"host":"192.0.2.40","ttl":60}`,
		// written by upstream external-dns: random label, targetstrip 1
		"/skydns/test/example/app/1a2b3c4d":   `{"host":"192.0.2.1","ttl":30,"targetstrip":1,"group":"g1"}`,
		"/skydns/test/example/app/5e6f7a8b":   `{"host":"192.0.2.2","ttl":30,"targetstrip":1,"group":"g1"}`,
		"/skydns/test/example/a-app/9c0d1e2f": `{"text":"heritage=external-dns,external-dns/owner=ci","targetstrip":1}`,
		"/skydns/test/example/alias":          `{"host":"app.example.test.","ttl":300}`,
		"/skydns/test/example/v6":             `{"host":"2001:db8::1","ttl":300}`,
		"/skydns/test/example/_sip/_tcp":      `{"host":"sip.example.test","port":5060}`, // SRV: not ours to read
		"/skydns/test/example/broken":         `{not json`,
		"/other/test/example/x":               `{"host":"192.0.2.9"}`,
	})
	want := []string{
		`a-app.example.test 0 IN TXT "heritage=external-dns,external-dns/owner=ci"`,
		"alias.example.test 300 IN CNAME app.example.test",
		"app.example.test 30 IN A 192.0.2.1,192.0.2.2 coredns/group=g1",
		"v6.example.test 300 IN AAAA 2001:db8::1",
		"www.example.test 60 IN A 192.0.2.40",
	}
	if got := records(t, p); !slices.Equal(got, want) {
		t.Errorf("Records =\n%q\nwant\n%q", got, want)
	}
}

func TestApplyChanges(t *testing.T) {
	f, p := newTest(t, map[string]string{"/skydns/test/example/keep": `{"host":"192.0.2.99"}`})
	ctx := context.Background()
	app := endpoint.New("app.example.test", "A", "192.0.2.1", "192.0.2.2").WithTTL(60).WithProviderSpecific(GroupProperty, "blue")
	own := endpoint.New("a-app.example.test", "TXT", `"heritage=external-dns,external-dns/owner=ci"`).WithLabel(endpoint.OwnedRecordLabel, "app.example.test")
	if err := p.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app, own}}); err != nil {
		t.Fatal(err)
	}
	if f.txns != 1 {
		t.Errorf("%d transactions for one record and its owner, want 1", f.txns)
	}
	var appKeys []string
	for k, kv := range f.data {
		if strings.HasPrefix(k, "/skydns/test/example/app/") {
			appKeys = append(appKeys, k)
			var s Service
			_ = json.Unmarshal(kv.Value, &s)
			if s.TargetStrip != 1 || s.Group != "blue" || s.TTL != 60 {
				t.Errorf("%s = %s", k, kv.Value)
			}
		}
	}
	if len(appKeys) != 2 {
		t.Fatalf("two targets in %d keys: %v", len(appKeys), appKeys)
	}
	want := []string{
		`a-app.example.test 300 IN TXT "heritage=external-dns,external-dns/owner=ci"`,
		"app.example.test 60 IN A 192.0.2.1,192.0.2.2 coredns/group=blue",
		"keep.example.test 0 IN A 192.0.2.99",
	}
	if got := records(t, p); !slices.Equal(got, want) {
		t.Fatalf("after create:\n%q\nwant\n%q", got, want)
	}
	// Update: one target kept (rewritten in place, with the new TTL), one
	// replaced.
	cur, _ := p.Records(ctx)
	var old *endpoint.Endpoint
	for _, e := range cur {
		if e.DNSName == "app.example.test" {
			old = e
		}
	}
	nw := endpoint.New("app.example.test", "A", "192.0.2.1", "192.0.2.3").WithTTL(90).WithProviderSpecific(GroupProperty, "blue")
	if err := p.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{old}, UpdateNew: []*endpoint.Endpoint{nw}}); err != nil {
		t.Fatal(err)
	}
	if got := records(t, p); !slices.Contains(got, "app.example.test 90 IN A 192.0.2.1,192.0.2.3 coredns/group=blue") {
		t.Fatalf("after update: %q", got)
	}
	// A delete planned on a stale read is refused, and changes nothing.
	stale := endpoint.New("app.example.test", "A", "192.0.2.1", "192.0.2.2")
	err := p.ApplyChanges(ctx, &plan.Changes{Delete: []*endpoint.Endpoint{stale}})
	if _, ok := provider.AsRefused(err); !ok || !errors.Is(err, provider.ErrMismatch) {
		t.Fatalf("stale delete: %v", err)
	}
	cur, _ = p.Records(ctx)
	var del []*endpoint.Endpoint
	for _, e := range cur {
		if e.DNSName != "keep.example.test" {
			del = append(del, e)
		}
	}
	if err := p.ApplyChanges(ctx, &plan.Changes{Delete: del}); err != nil {
		t.Fatal(err)
	}
	if got := records(t, p); !slices.Equal(got, []string{"keep.example.test 0 IN A 192.0.2.99"}) {
		t.Fatalf("after delete: %q", got)
	}
}

// TestApplyChangesRaceLoses: a key written by someone else between the
// read and the transaction makes the transaction fail, not overwrite.
func TestApplyChangesRaceLoses(t *testing.T) {
	f, p := newTest(t, nil)
	e := endpoint.New("app.example.test", "A", "192.0.2.1")
	k := targetKey(p.cfg.Prefix, e, "192.0.2.1")
	conds, ops, err := p.txn(&state{keys: nil}, &plan.Changes{Create: []*endpoint.Endpoint{e}})
	if err != nil {
		t.Fatal(err)
	}
	f.data[k] = KV{Key: k, Value: []byte(`{"host":"192.0.2.66"}`), ModRevision: 42}
	if ok, _ := f.Txn(context.Background(), conds, ops); ok {
		t.Error("a create over a key written meanwhile succeeded")
	}
}

func TestApplyChangesStopsWhenEtcdIsDown(t *testing.T) {
	f, p := newTest(t, nil)
	f.down = errors.New("connection refused")
	err := p.ApplyChanges(context.Background(), &plan.Changes{Create: []*endpoint.Endpoint{endpoint.New("a.example.test", "A", "192.0.2.1")}})
	if _, ok := provider.AsRefused(err); ok || !errors.Is(err, f.down) {
		t.Errorf("err = %v", err)
	}
}

func TestAdjustEndpoints(t *testing.T) {
	_, p := newTest(t, nil)
	out, _ := p.AdjustEndpoints([]*endpoint.Endpoint{
		endpoint.New("t.example.test", "TXT", "hello").WithProviderSpecific("aws/weight", "1").WithProviderSpecific(GroupProperty, "g"),
		endpoint.New("m.example.test", "MX", "10 mail.example.test"),
		endpoint.New("w.example.test", "A", "192.0.2.1").WithSetIdentifier("eu"),
		endpoint.New("b.example.test", "A", "2001:db8::1"),
	})
	if out[0].Held() || out[0].Targets[0] != `"hello"` || len(out[0].ProviderSpecific) != 1 || out[0].ProviderSpecific[0].Name != GroupProperty {
		t.Errorf("TXT adjusted to %v %v", out[0], out[0].ProviderSpecific)
	}
	for _, e := range out[1:] {
		if !e.Held() {
			t.Errorf("%v not held", e)
		}
	}
}

func TestUpstreamEnv(t *testing.T) {
	env := map[string]string{"ETCD_URLS": "http://a:2379, http://b:2379", "ETCD_USERNAME": "u", "ETCD_PASSWORD": "pw", "ETCD_TLS_INSECURE": "true"}
	c := DefaultConfig()
	c.FromUpstreamEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Endpoints, []string{"http://a:2379", "http://b:2379"}) || c.Username != "u" || c.Password.Reveal() != "pw" || !c.TLSInsecure {
		t.Errorf("config %+v", c)
	}
	c = DefaultConfig()
	c.Endpoints = []string{"http://flag:2379"}
	c.FromUpstreamEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if c.Endpoints[0] != "http://flag:2379" {
		t.Error("the flag must win over ETCD_URLS")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"host":"192.0.2.1"}`, `{"text":"x","targetstrip":1}`, `{"host":"a.b","mail":true,"priority":10}`, `{"targetstrip":-1}`, `{"host":"::1","targetstrip":9}`} {
		f.Add("/skydns/test/example/app/x1", []byte(s))
	}
	f.Fuzz(func(t *testing.T, key string, value []byte) {
		recs, ok := decode("/skydns/", KV{Key: key, Value: value})
		if !ok {
			return
		}
		for _, r := range recs {
			if r.name == "" || r.target == "" || r.typ == "" {
				t.Fatalf("%q %q decoded to an empty field: %+v", key, value, r)
			}
			// A record read back writes back to the same service.
			if r.typ == "A" || r.typ == "AAAA" || r.typ == "TXT" {
				e := endpoint.New(r.name, r.typ, r.target)
				if _, err := encode(e, r.target, r.ttl); err != nil && r.typ != "TXT" {
					t.Fatalf("%+v does not encode: %v", r, err)
				}
			}
		}
	})
}
