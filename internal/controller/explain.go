package controller

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/source"
)

// Explanation is everything the controller knows about one name: what the
// sources ask for and which objects ask, who owns it, what is live, what
// was last done to it and why it may not be published. It answers an
// operator's question "why does this name answer this, or nothing?".
type Explanation struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	// Reconciled is when the data below was gathered.
	Reconciled time.Time `json:"reconciled"`

	Desired    []Record      `json:"desired"`
	Live       []Record      `json:"live"`
	Owner      string        `json:"owner,omitempty"`
	OwnedByUs  bool          `json:"ownedByUs"`
	Held       []string      `json:"held,omitempty"`      // why the name is frozen
	Conflicts  []string      `json:"conflicts,omitempty"` // who lost the name, and why
	Refused    []string      `json:"refused,omitempty"`   // what the provider would not take
	Contested  []string      `json:"contested,omitempty"` // changed under us by someone else
	Reports    []string      `json:"reports,omitempty"`   // standing reports on the objects involved
	LastChange *ChangeRecord `json:"lastChange,omitempty"`
	// Sets is filled by the DNS server for routed names: each set and the
	// health of its targets.
	Sets []SetHealth `json:"sets,omitempty"`
}

// Record is one record set as desired or live.
type Record struct {
	Type          string            `json:"type"`
	SetIdentifier string            `json:"setIdentifier,omitempty"`
	TTL           int64             `json:"ttl,omitempty"`
	Targets       []string          `json:"targets"`
	Properties    map[string]string `json:"properties,omitempty"`
	Resource      string            `json:"resource,omitempty"` // the object that asks, or owns it
	Owner         string            `json:"owner,omitempty"`
}

// ChangeRecord is the last change applied at a name.
type ChangeRecord struct {
	Action  string    `json:"action"`
	Type    string    `json:"type"`
	Targets []string  `json:"targets,omitempty"`
	At      time.Time `json:"at"`
}

// SetHealth is one routed set and the health of its targets.
type SetHealth struct {
	SetIdentifier string            `json:"setIdentifier"`
	Policy        string            `json:"policy"`
	Targets       map[string]string `json:"targets"` // target -> healthy, unhealthy, unknown
}

// Explain tells what the last reconcile knew about name (and, when given,
// only records of type typ). It is cheap enough for an operator's request:
// one pass over the last run's records.
func (c *Controller) Explain(name, typ string) Explanation {
	name, typ = canon(name), strings.ToUpper(typ)
	s := &c.ix
	s.mu.Lock()
	defer s.mu.Unlock()
	x := Explanation{Name: name, Type: typ, Reconciled: s.at, Desired: []Record{}, Live: []Record{}}
	match := func(e *endpoint.Endpoint) bool {
		return canon(e.DNSName) == name && (typ == "" || e.RecordType == typ)
	}
	var ent nameEntry
	if e := s.names[name]; e != nil {
		ent = *e
	}
	held := s.adjHeld[name]
	resources := map[string]bool{}
	for _, e := range ent.desired {
		switch {
		case e.Held():
			x.Held = append(x.Held, e.Labels.Get(endpoint.HoldLabel)+" ("+e.Resource()+")")
			resources[e.Resource()] = true
		case match(e):
			r := record(e)
			// The registry's hold (a record the provider would refuse)
			// is shown on the record it holds.
			if i := slices.IndexFunc(held, func(h *endpoint.Endpoint) bool { return h.Key() == e.Key() && h.Resource() == e.Resource() }); i >= 0 {
				r = record(held[i])
			}
			x.Desired = append(x.Desired, r)
			resources[e.Resource()] = true
		}
	}
	owner := c.Registry.OwnerID()
	for _, e := range ent.current {
		if !match(e) {
			continue
		}
		r := record(e)
		r.Owner = e.Labels.Get(endpoint.OwnerLabel)
		x.Live = append(x.Live, r)
		if r.Owner != "" {
			x.Owner = r.Owner
			x.OwnedByUs = r.Owner == owner
		}
	}
	for _, cf := range s.conflicts[name] {
		x.Conflicts = append(x.Conflicts, cf.Key.String()+": "+orOther(cf.Winner)+" holds it; not published for "+strings.Join(cf.Losers, ", ")+" ("+cf.Reason+")")
		for _, l := range cf.Losers {
			resources[l] = true
		}
	}
	for _, r := range s.refused {
		if r.name == name {
			x.Refused = append(x.Refused, r.err.Error())
		}
	}
	for _, ct := range s.contested {
		if strings.Contains(ct.err.Error(), "record "+name+"/") {
			x.Contested = append(x.Contested, ct.err.Error())
		}
	}
	// The index keeps records in the order they came; show them sorted.
	byRecord := func(a, b Record) int {
		return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.SetIdentifier, b.SetIdentifier),
			strings.Compare(a.Resource, b.Resource), slices.Compare(a.Targets, b.Targets))
	}
	slices.SortFunc(x.Desired, byRecord)
	slices.SortFunc(x.Live, byRecord)
	slices.Sort(x.Held)
	if lc, ok := s.last[name]; ok {
		x.LastChange = lc.record()
	}
	if rep, ok := c.Reporter.(*Reporter); ok {
		for res := range resources {
			x.Reports = append(x.Reports, rep.standingFor(c.objectOf(res))...)
		}
		slices.Sort(x.Reports)
	}
	return x
}

func record(e *endpoint.Endpoint) Record {
	r := Record{Type: e.RecordType, SetIdentifier: e.SetIdentifier, TTL: int64(e.RecordTTL),
		Targets: slices.Clone([]string(e.Targets)), Resource: e.Resource()}
	for _, p := range e.ProviderSpecific {
		if r.Properties == nil {
			r.Properties = map[string]string{}
		}
		r.Properties[p.Name] = p.Value
	}
	return r
}

func orOther(winner string) string {
	if winner == "" {
		return "a record exodns does not own"
	}
	return winner
}

// standingFor returns the reports standing on obj, as "Reason: message".
func (r *Reporter) standingFor(obj source.ObjectRef) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, st := range r.last {
		if !strings.EqualFold(st.obj.Kind, obj.Kind) || st.obj.Namespace != obj.Namespace || st.obj.Name != obj.Name {
			continue
		}
		for _, p := range st.items {
			out = append(out, p.Kind.String()+": "+p.Err.Error())
		}
	}
	return out
}

// ResourceOf names the object that asks for the set setID at name in the
// last reconcile, or "" (a peer's record, or one no longer wanted).
func (c *Controller) ResourceOf(name, setID string) string {
	name = canon(name)
	c.ix.mu.Lock()
	defer c.ix.mu.Unlock()
	var desired []*endpoint.Endpoint
	if e := c.ix.names[name]; e != nil {
		desired = e.desired
	}
	for _, e := range desired {
		if !e.Held() && e.SetIdentifier == setID {
			return e.Resource()
		}
	}
	return ""
}
