package controller

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/plan"
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

// explainState is what the last reconcile saw, kept by reference (the
// slices are not modified after a run), plus the last change per name.
type explainState struct {
	mu        sync.Mutex
	at        time.Time
	desired   []*endpoint.Endpoint
	held      []*endpoint.Endpoint
	current   []*endpoint.Endpoint
	conflicts []plan.Conflict
	refused   []refused
	contested []contest
	last      map[string]ChangeRecord // by canonical name; bounded by the names that changed
	// landed is what the run applied, folded into current when the run
	// ends, so "live" is what is live after the run, not before it.
	landed *plan.Changes
	owner  string
}

func (s *explainState) seen(at time.Time, desired, held, current []*endpoint.Endpoint, conflicts []plan.Conflict, rf []refused, ct []contest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at, s.desired, s.held, s.current, s.conflicts, s.refused, s.contested = at, desired, held, current, conflicts, rf, ct
	if s.landed != nil {
		s.current = afterChanges(current, s.landed, s.owner)
		s.landed = nil
	}
}

// afterChanges is current with ch applied; the records we wrote carry
// our owner, as the registry will report them.
func afterChanges(current []*endpoint.Endpoint, ch *plan.Changes, owner string) []*endpoint.Endpoint {
	gone := map[endpoint.Key]bool{}
	for _, list := range [][]*endpoint.Endpoint{ch.Delete, ch.UpdateOld} {
		for _, e := range list {
			gone[e.Key()] = true
		}
	}
	out := make([]*endpoint.Endpoint, 0, len(current)+len(ch.Create))
	for _, e := range current {
		if !gone[e.Key()] {
			out = append(out, e)
		}
	}
	for _, list := range [][]*endpoint.Endpoint{ch.Create, ch.UpdateNew} {
		for _, e := range list {
			if owner != "" {
				e = e.DeepCopy().WithLabel(endpoint.OwnerLabel, owner)
			}
			out = append(out, e)
		}
	}
	return out
}

func (s *explainState) applied(ch *plan.Changes, owner string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch.HasChanges() {
		s.landed, s.owner = ch, owner
	}
	if s.last == nil {
		s.last = map[string]ChangeRecord{}
	}
	note := func(action string, eps []*endpoint.Endpoint) {
		for _, e := range eps {
			s.last[canon(e.DNSName)] = ChangeRecord{Action: action, Type: e.RecordType, Targets: slices.Clone([]string(e.Targets)), At: at}
		}
	}
	note("create", ch.Create)
	note("update", ch.UpdateNew)
	note("delete", ch.Delete)
}

// Explain tells what the last reconcile knew about name (and, when given,
// only records of type typ). It is cheap enough for an operator's request:
// one pass over the last run's records.
func (c *Controller) Explain(name, typ string) Explanation {
	name, typ = canon(name), strings.ToUpper(typ)
	s := &c.explain
	s.mu.Lock()
	defer s.mu.Unlock()
	x := Explanation{Name: name, Type: typ, Reconciled: s.at, Desired: []Record{}, Live: []Record{}}
	match := func(e *endpoint.Endpoint) bool {
		return canon(e.DNSName) == name && (typ == "" || e.RecordType == typ)
	}
	resources := map[string]bool{}
	for _, e := range s.desired {
		if match(e) {
			x.Desired = append(x.Desired, record(e))
			resources[e.Resource()] = true
		}
	}
	for _, e := range s.held {
		if canon(e.DNSName) == name {
			x.Held = append(x.Held, e.Labels[endpoint.HoldLabel]+" ("+e.Resource()+")")
			resources[e.Resource()] = true
		}
	}
	owner := c.Registry.OwnerID()
	for _, e := range s.current {
		if !match(e) {
			continue
		}
		r := record(e)
		r.Owner = e.Labels[endpoint.OwnerLabel]
		x.Live = append(x.Live, r)
		if r.Owner != "" {
			x.Owner = r.Owner
			x.OwnedByUs = r.Owner == owner
		}
	}
	for _, cf := range s.conflicts {
		if canon(cf.Key.DNSName) == name {
			x.Conflicts = append(x.Conflicts, cf.Key.String()+": "+orOther(cf.Winner)+" holds it; not published for "+strings.Join(cf.Losers, ", ")+" ("+cf.Reason+")")
			for _, l := range cf.Losers {
				resources[l] = true
			}
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
	if lc, ok := s.last[name]; ok {
		x.LastChange = &lc
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
	c.explain.mu.Lock()
	defer c.explain.mu.Unlock()
	for _, e := range c.explain.desired {
		if canon(e.DNSName) == name && e.SetIdentifier == setID {
			return e.Resource()
		}
	}
	return ""
}
