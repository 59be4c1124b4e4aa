package txt

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
)

const testKey = "k3s-txt-registry-aes-key-32bytes"

func TestEncryptedRoundTrip(t *testing.T) {
	p := newFakeProvider()
	r := newRegistry(t, p, Config{EncryptKey: []byte(base64.StdEncoding.EncodeToString([]byte(testKey)))})
	if err := r.ApplyChanges(ctx, &plan.Changes{Create: []*endpoint.Endpoint{app("app.example.com", "A", "192.0.2.1").WithTTL(60)}}); err != nil {
		t.Fatal(err)
	}
	txt := p.get("a-app.example.com", "TXT")
	value := txt.Targets[0]
	if strings.Contains(value, "heritage") || !strings.HasPrefix(value, `"`) || !strings.HasSuffix(value, `"`) {
		t.Fatalf("value not encrypted: %s", value)
	}
	s, _ := newSealer([]byte(testKey))
	if text, _, err := s.open(value); err != nil || text != "heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=ingress/default/app" {
		t.Fatalf("decrypted %q, %v", text, err)
	}

	cur := records(t, r)["app.example.com/A"]
	if cur.Labels.Get(endpoint.OwnerLabel) != owner || cur.Labels.Get(endpoint.ResourceLabel) != "ingress/default/app" {
		t.Fatalf("labels %v", cur.Labels)
	}
	if _, ok := cur.Labels.Lookup(endpoint.NonceLabel); ok {
		t.Error("the nonce leaked into the record's labels")
	}

	// A TTL change leaves the ownership record alone: it has no TTL of
	// its own.
	next := app("app.example.com", "A", "192.0.2.1").WithTTL(120)
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	if c := p.lastCall(); len(c.UpdateNew) != 1 || p.get("a-app.example.com", "TXT").Targets[0] != value {
		t.Fatalf("update batch %+v", c.UpdateNew)
	}

	// A changed text gets a fresh nonce.
	cur = records(t, r)["app.example.com/A"]
	next = endpoint.New("app.example.com", "A", "192.0.2.1").WithTTL(120).WithLabel(endpoint.ResourceLabel, "ingress/default/other")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	newValue := p.get("a-app.example.com", "TXT").Targets[0]
	if newValue[1:17] == value[1:17] {
		t.Fatal("nonce reused for a different text")
	}

	// Without the key the ownership record is just a TXT record.
	plain := newRegistry(t, p, Config{})
	got := records(t, plain)
	if got["app.example.com/A"].Labels.Get(endpoint.OwnerLabel) != "" || got["a-app.example.com/TXT"] == nil {
		t.Fatalf("keyless registry read %v", got)
	}
}

// TestEncryptionVectorsInRegistry: an ownership record encrypted by
// upstream is read, and left byte-identical when nothing changes.
func TestEncryptionVectorsInRegistry(t *testing.T) {
	for _, v := range loadVectors(t).Encryption {
		t.Run(v.ID, func(t *testing.T) {
			p := newFakeProvider(
				endpoint.New("app.example.com", "A", "192.0.2.1"),
				endpoint.New("a-app.example.com", "TXT", v.TXTValue),
			)
			r, err := New(p, Config{OwnerID: v.ParsedLabels[endpoint.OwnerLabel], EncryptKey: []byte(v.KeyRaw)})
			if err != nil {
				t.Fatal(err)
			}
			cur := records(t, r)["app.example.com/A"]
			for k, want := range v.ParsedLabels {
				if k != endpoint.NonceLabel && cur.Labels.Get(k) != want {
					t.Errorf("label %s = %q, want %q", k, cur.Labels.Get(k), want)
				}
			}
			next := cur.DeepCopy()
			next.Targets = endpoint.Targets{"192.0.2.2"}
			next.RecordTTL = 300
			if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
				t.Fatal(err)
			}
			if got := p.get("a-app.example.com", "TXT").Targets[0]; got != v.TXTValue {
				t.Fatalf("value became %s, want %s", got, v.TXTValue)
			}
		})
	}
}

func TestEncryptionSwitch(t *testing.T) {
	plainValue := `"heritage=external-dns,external-dns/owner=k3s-cluster"`
	p := newFakeProvider(
		endpoint.New("app.example.com", "A", "192.0.2.1"),
		endpoint.New("a-app.example.com", "TXT", plainValue),
	)
	// Switching encryption on keeps plain records readable and encrypts
	// them when they are next written.
	r := newRegistry(t, p, Config{EncryptKey: []byte(testKey)})
	cur := records(t, r)["app.example.com/A"]
	if cur.Labels.Get(endpoint.OwnerLabel) != owner {
		t.Fatalf("plain record unreadable with a key: %v", cur.Labels)
	}
	next := endpoint.New("app.example.com", "A", "192.0.2.2")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	encrypted := p.get("a-app.example.com", "TXT").Targets[0]
	if encrypted == plainValue {
		t.Fatal("not encrypted on rewrite")
	}

	// Decrypt-only reads it and writes plain text again.
	r = newRegistry(t, p, Config{EncryptKey: []byte(testKey), DecryptOnly: true})
	cur = records(t, r)["app.example.com/A"]
	next = endpoint.New("app.example.com", "A", "192.0.2.3")
	if err := r.ApplyChanges(ctx, &plan.Changes{UpdateOld: []*endpoint.Endpoint{cur}, UpdateNew: []*endpoint.Endpoint{next}}); err != nil {
		t.Fatal(err)
	}
	c := p.lastCall()
	if !slices.Equal(c.UpdateOld[1].Targets, endpoint.Targets{encrypted}) || c.UpdateNew[1].Targets[0] != plainValue {
		t.Fatalf("decrypt-only batch %+v -> %+v", c.UpdateOld, c.UpdateNew)
	}
}
