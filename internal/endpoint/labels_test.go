package endpoint

import (
	"encoding/json"
	"maps"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
)

func TestLabelsAgainstMap(t *testing.T) {
	// Random histories of Set and Delete, against a Go map: the
	// representation changed, the meaning must not.
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []string{"owner", "resource", "ownedRecord", "a", "zz", ""}
	for h := range 300 {
		var l Labels
		var pairs []Label // what LabelsOf builds from: no deletes, last wins
		m := map[string]string{}
		for range 1 + rng.IntN(20) {
			k := keys[rng.IntN(len(keys))]
			if rng.IntN(3) == 0 {
				l.Delete(k)
				delete(m, k)
				pairs = pairs[:0]
				for k, v := range m {
					pairs = append(pairs, Label{k, v})
				}
			} else {
				v := strconv.Itoa(rng.IntN(4))
				l.Set(k, v)
				m[k] = v
				pairs = append(pairs, Label{k, v})
			}
			if of := LabelsOf(pairs); !reflect.DeepEqual(of, l) {
				t.Fatalf("history %d: LabelsOf(%v) = %v, want %v", h, pairs, of, l)
			}
			if !maps.Equal(l.Map(), m) || l.Len() != len(m) {
				t.Fatalf("history %d: labels %v, map %v", h, l, m)
			}
			for _, k := range keys {
				v, ok := l.Lookup(k)
				w, wok := m[k]
				if v != w || ok != wok || l.Has(k) != wok || l.Get(k) != w {
					t.Fatalf("history %d: Lookup(%q) = %q, %v; map has %q, %v", h, k, v, ok, w, wok)
				}
			}
			if !l.Equal(LabelsFromMap(m)) || !reflect.DeepEqual(l, LabelsFromMap(m)) {
				t.Fatalf("history %d: %v not equal to the same labels built from a map", h, l)
			}
		}
	}
}

func TestLabelsNeverChangeInPlace(t *testing.T) {
	a := NewLabels(OwnerLabel, "me", ResourceLabel, "service/a/b")
	b := a // an endpoint's shallow copy shares its labels
	b.Set(OwnerLabel, "you")
	b.Set("extra", "1")
	b.Delete(ResourceLabel)
	if a.Get(OwnerLabel) != "me" || a.Get(ResourceLabel) != "service/a/b" || a.Has("extra") || a.Len() != 2 {
		t.Fatalf("a change to a copy showed through: %v", a)
	}
	if b.Get(OwnerLabel) != "you" || b.Has(ResourceLabel) || b.Get("extra") != "1" {
		t.Fatalf("copy %v", b)
	}
	for _, k := range []string{OwnerLabel, ResourceLabel} {
		d := a // a delete from a copy that still shares a's storage
		d.Delete(k)
		if a.Get(OwnerLabel) != "me" || a.Get(ResourceLabel) != "service/a/b" || a.Len() != 2 {
			t.Fatalf("deleting %s from a copy showed through: %v", k, a)
		}
	}
	e := New("a.example.com", "A", "192.0.2.1").WithLabel(OwnerLabel, "me")
	c := *e
	c.Labels.Set(OwnerLabel, "other")
	if e.Labels.Get(OwnerLabel) != "me" {
		t.Fatal("setting a label on a struct copy changed the original")
	}
	if w := a.With(OwnerLabel, "x"); a.Get(OwnerLabel) != "me" || w.Get(OwnerLabel) != "x" {
		t.Fatalf("With changed its receiver: %v, %v", a, w)
	}
}

func TestLabelsMerge(t *testing.T) {
	tests := []struct {
		a, b, want map[string]string
	}{
		{nil, nil, nil},
		{map[string]string{"a": "1"}, nil, map[string]string{"a": "1"}},
		{nil, map[string]string{"a": "1"}, map[string]string{"a": "1"}},
		{map[string]string{"a": "1", "c": "3"}, map[string]string{"b": "2", "c": "x"}, map[string]string{"a": "1", "b": "2", "c": "x"}},
		{map[string]string{"z": "1"}, map[string]string{"a": "2"}, map[string]string{"a": "2", "z": "1"}},
	}
	for _, tc := range tests {
		a, b := LabelsFromMap(tc.a), LabelsFromMap(tc.b)
		got := a.Merge(b)
		if !got.Equal(LabelsFromMap(tc.want)) {
			t.Errorf("%v.Merge(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if !a.Equal(LabelsFromMap(tc.a)) || !b.Equal(LabelsFromMap(tc.b)) {
			t.Errorf("Merge changed its operands: %v, %v", a, b)
		}
	}
}

func TestLabelsJSON(t *testing.T) {
	// The webhook protocol carries labels as a JSON object; what a map
	// wrote is what must be written, and read.
	tests := []struct {
		name string
		e    *Endpoint
		want string
	}{
		{"none", New("a.example.com", "A", "192.0.2.1"), `{"dnsName":"a.example.com","targets":["192.0.2.1"],"recordType":"A"}`},
		{"sorted", New("a.example.com", "A").WithLabel(ResourceLabel, "service/x/y").WithLabel(OwnerLabel, "me"),
			`{"dnsName":"a.example.com","recordType":"A","labels":{"owner":"me","resource":"service/x/y"}}`},
		{"escaped", New("a.example.com", "A").WithLabel("k\"", "v<&>\n"),
			`{"dnsName":"a.example.com","recordType":"A","labels":{"k\"":"v\u003c\u0026\u003e\n"}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.e)
			if err != nil || string(b) != tc.want {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tc.want)
			}
			type asMap struct {
				Labels map[string]string `json:"labels,omitempty"`
			}
			var viaMap asMap
			if err := json.Unmarshal(b, &viaMap); err != nil || !maps.Equal(viaMap.Labels, tc.e.Labels.Map()) {
				t.Fatalf("as a map: %v, %v", viaMap.Labels, err)
			}
			var back Endpoint
			if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(&back, tc.e) {
				t.Fatalf("Unmarshal = %+v, %v", back, err)
			}
		})
	}
	for _, in := range []string{`{"labels":{"a":"1","a":"2"}}`, `{"labels":null}`, `{"labels":{}}`} {
		var e Endpoint
		if err := json.Unmarshal([]byte(in), &e); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		var m struct{ Labels map[string]string }
		_ = json.Unmarshal([]byte(in), &m)
		if !maps.Equal(e.Labels.Map(), m.Labels) && len(m.Labels) != 0 {
			t.Errorf("%s: %v, a map reads %v", in, e.Labels, m.Labels)
		}
	}
	var e Endpoint
	if err := json.Unmarshal([]byte(`{"labels":{"a":1}}`), &e); err == nil {
		t.Error("a number as a label value was accepted")
	}
}

func FuzzLabelsJSON(f *testing.F) {
	f.Add(`{"owner":"me","resource":"service/a/b"}`)
	f.Add(`{"a":"1","a":"2"}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, in string) {
		var m map[string]string
		mErr := json.Unmarshal([]byte(in), &m)
		var l Labels
		lErr := json.Unmarshal([]byte(in), &l)
		if (mErr == nil) != (lErr == nil) {
			t.Fatalf("map error %v, labels error %v", mErr, lErr)
		}
		if lErr != nil {
			return
		}
		if !maps.Equal(l.Map(), m) {
			t.Fatalf("labels %v, map %v", l, m)
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		mb, _ := json.Marshal(m)
		if m == nil {
			mb = []byte(`{}`)
		}
		if string(b) != string(mb) {
			t.Fatalf("labels write %s, a map writes %s", b, mb)
		}
	})
}

func BenchmarkLabelsBuild(b *testing.B) {
	// What a source and the registry do per record.
	for b.Loop() {
		var l Labels
		l.Set(ResourceLabel, "service/default/app")
		l.Set(OwnerLabel, "cluster-a")
		if l.Get(OwnerLabel) == "" {
			b.Fatal("lost")
		}
	}
}
