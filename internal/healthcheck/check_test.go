package healthcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/gslb"
)

func TestTracker(t *testing.T) {
	t0 := time.Unix(1000, 0)
	type step struct {
		ok      bool
		health  gslb.Health
		changed bool
	}
	tests := []struct {
		name       string
		rise, fall int
		steps      []step
	}{
		{
			name: "unknown until rise successes", rise: 2, fall: 2,
			steps: []step{{true, gslb.HealthUnknown, false}, {true, gslb.Healthy, true}, {true, gslb.Healthy, false}},
		},
		{
			name: "unknown until fall failures", rise: 2, fall: 3,
			steps: []step{{false, gslb.HealthUnknown, false}, {false, gslb.HealthUnknown, false}, {false, gslb.Unhealthy, true}},
		},
		{
			name: "a success breaks a run of failures", rise: 2, fall: 2,
			steps: []step{
				{true, gslb.HealthUnknown, false}, {true, gslb.Healthy, true},
				{false, gslb.Healthy, false}, {true, gslb.Healthy, false}, {false, gslb.Healthy, false},
				{false, gslb.Unhealthy, true}, {true, gslb.Unhealthy, false}, {false, gslb.Unhealthy, false},
				{true, gslb.Unhealthy, false}, {true, gslb.Healthy, true},
			},
		},
		{
			name: "rise and fall 1 follow every result", rise: 1, fall: 1,
			steps: []step{{false, gslb.Unhealthy, true}, {true, gslb.Healthy, true}, {false, gslb.Unhealthy, true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTracker(tt.rise, tt.fall, t0)
			for i, s := range tt.steps {
				now := t0.Add(time.Duration(i+1) * time.Second)
				reason := ""
				if !s.ok {
					reason = "boom"
				}
				from, to, changed := tr.observe(s.ok, reason, now)
				if to.Health != s.health || changed != s.changed {
					t.Fatalf("step %d (ok=%v): %s changed=%v, want %s changed=%v", i, s.ok, to.Health, changed, s.health, s.changed)
				}
				if changed && (to.Since != now || from.Health == to.Health) {
					t.Errorf("step %d: Since %v, from %s", i, to.Since, from.Health)
				}
				if !changed && to.Since != from.Since {
					t.Errorf("step %d: Since moved without a change", i)
				}
				if to.LastCheck != now {
					t.Errorf("step %d: LastCheck %v", i, to.LastCheck)
				}
			}
		})
	}
	t.Run("last error survives a success; reset keeps health", func(t *testing.T) {
		tr := newTracker(1, 1, t0)
		tr.observe(false, "refused", t0)
		_, st, _ := tr.observe(true, "", t0)
		if st.LastError != "refused" || st.Health != gslb.Healthy {
			t.Errorf("status %+v", st)
		}
		tr.reset(3, 3)
		if tr.status.Health != gslb.Healthy || tr.status.Successes != 0 || tr.rise != 3 {
			t.Errorf("after reset %+v", tr)
		}
	})
}

func routedSet(t *testing.T, name, id string, targets []string, kv ...string) gslb.Set {
	t.Helper()
	e := endpoint.New(name, endpoint.RecordTypeA, targets...).WithSetIdentifier(id).WithProviderSpecific(gslb.PropWeight, "1")
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		e.ProviderSpecific.Set(k, v)
	}
	s, err := gslb.SetFrom(e, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFromSet(t *testing.T) {
	tests := []struct {
		name   string
		set    gslb.Set
		target string
		want   Check
		ok     bool
	}{
		{
			name: "http defaults: Host is the record name", set: routedSet(t, "App.Example.com", "a", nil, "gslb/health-check=http"), target: "192.0.2.1",
			want: Check{Kind: "http", Address: "192.0.2.1:80", Host: "app.example.com", Path: "/", Interval: gslb.DefaultInterval, Timeout: gslb.DefaultTimeout, Rise: 2, Fall: 2}, ok: true,
		},
		{
			name: "https with host, port and IPv6 target", set: routedSet(t, "app.example.com", "a", nil, "gslb/health-check=https", "gslb/health-check-host=lb.example.net", "gslb/health-check-port=8443", "gslb/health-check-path=/hz"),
			target: "2001:db8::1",
			want:   Check{Kind: "https", Address: "[2001:db8::1]:8443", Host: "lb.example.net", Path: "/hz", Interval: gslb.DefaultInterval, Timeout: gslb.DefaultTimeout, Rise: 2, Fall: 2}, ok: true,
		},
		{
			name: "tcp sends no Host; a CNAME target loses its dot", set: routedSet(t, "app.example.com", "a", nil, "gslb/health-check=tcp", "gslb/health-check-port=5432"),
			target: "db.example.net.",
			want:   Check{Kind: "tcp", Address: "db.example.net:5432", Interval: gslb.DefaultInterval, Timeout: gslb.DefaultTimeout, Rise: 2, Fall: 2}, ok: true,
		},
		{name: "no check", set: routedSet(t, "app.example.com", "a", nil), target: "192.0.2.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FromSet(tt.set, tt.target)
			if ok != tt.ok || !got.equal(tt.want) {
				t.Errorf("FromSet = %+v, %v\nwant      %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCheckIDAndChecksFor(t *testing.T) {
	a := routedSet(t, "app.example.com", "a", []string{"192.0.2.1", "192.0.2.2"}, "gslb/health-check=http", "gslb/health-check-path=/hz")
	// Another name with the same backend and settings shares its checks.
	other := routedSet(t, "app.example.com", "b", []string{"192.0.2.1"}, "gslb/health-check=http", "gslb/health-check-path=/hz")
	none := routedSet(t, "app.example.com", "c", []string{"192.0.2.9"})
	checks := ChecksFor([]gslb.Set{a, other, none})
	if len(checks) != 2 {
		t.Fatalf("ChecksFor = %d checks, want 2: %v", len(checks), checks)
	}
	c, _ := FromSet(a, "192.0.2.1")
	if id := c.ID(); !strings.HasPrefix(id, "http://app.example.com@192.0.2.1:80/hz#") {
		t.Errorf("ID = %s", id)
	}
	if _, ok := checks[c.ID()]; !ok {
		t.Errorf("ChecksFor lacks %s", c.ID())
	}
	// Every setting is part of the identity.
	mutations := []func(*Check){
		func(c *Check) { c.Kind = "https" }, func(c *Check) { c.Address = "192.0.2.1:81" },
		func(c *Check) { c.Host = "x.example.com" }, func(c *Check) { c.Path = "/" },
		func(c *Check) { c.Statuses = []gslb.StatusRange{{Min: 200, Max: 200}} }, func(c *Check) { c.Body = "ok" },
		func(c *Check) { c.Interval = 2 * time.Second }, func(c *Check) { c.Timeout = time.Millisecond },
		func(c *Check) { c.Rise = 5 }, func(c *Check) { c.Fall = 5 },
	}
	for i, m := range mutations {
		d := c
		m(&d)
		if d.ID() == c.ID() || d.equal(c) {
			t.Errorf("mutation %d: same ID or equal", i)
		}
	}
}

func TestCheckValidate(t *testing.T) {
	good := Check{Kind: "tcp", Address: "127.0.0.1:1", Interval: time.Second, Timeout: time.Second, Rise: 1, Fall: 1}
	if err := good.validate(); err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]func(*Check){
		"kind":     func(c *Check) { c.Kind = "icmp" },
		"address":  func(c *Check) { c.Address = "" },
		"no port":  func(c *Check) { c.Address = "127.0.0.1" },
		"interval": func(c *Check) { c.Interval = 0 },
		"timeout":  func(c *Check) { c.Timeout = -1 },
		"rise":     func(c *Check) { c.Rise = 0 },
	} {
		c := good
		m(&c)
		if c.validate() == nil {
			t.Errorf("%s: accepted %+v", name, c)
		}
	}
}
