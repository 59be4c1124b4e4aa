package gslb

import (
	"math/rand/v2"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/geo"
)

// group parses endpoints like a user's manifests would produce, so the
// tests exercise the same Sets the server gets. Every set has an HTTP
// check, so health decides.
func group(t testing.TB, eps ...*endpoint.Endpoint) []Set {
	t.Helper()
	for _, e := range eps {
		e.ProviderSpecific.Set(PropCheck, "http")
	}
	sets, err := SetsFrom(eps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

// down is a health function: the listed targets are Unhealthy, the rest
// Healthy.
func down(targets ...string) HealthFunc {
	return func(_, target string) Health {
		if slices.Contains(targets, target) {
			return Unhealthy
		}
		return Healthy
	}
}

func seeded() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// clientAt is a client located at a point, in a /24 from ECS.
func clientAt(lat, lon float64) Client {
	return Client{
		Addr: netip.MustParseAddr("198.51.100.0"), ECS: true, Found: true,
		Location: geo.Location{Point: geo.Point{Lat: lat, Lon: lon}, HasPoint: true},
		Network:  netip.MustParsePrefix("198.51.100.0/24"),
	}
}

// clientIn is a client located by codes only.
func clientIn(continent, country, subdivision string) Client {
	return Client{
		Addr: netip.MustParseAddr("198.51.100.0"), ECS: true, Found: true,
		Location: geo.Location{Continent: continent, Country: country, Subdivision: subdivision},
		Network:  netip.MustParsePrefix("198.51.100.0/24"),
	}
}

var unknownClient = Client{Addr: netip.MustParseAddr("10.0.0.1"), Network: netip.MustParsePrefix("10.0.0.1/32")}

// counts runs Select n times and counts the first target answered.
func counts(sets []Set, h HealthFunc, n int) (map[string]int, bool) {
	rnd := seeded()
	c := map[string]int{}
	failOpen := false
	for range n {
		a := Select(sets, h, unknownClient, rnd)
		c[a.Targets[0]]++
		failOpen = failOpen || a.FailOpen
	}
	return c, failOpen
}

func TestSelectWeighted(t *testing.T) {
	sets := group(t,
		ep("a", "192.0.2.1", "aws/weight=3"),
		ep("b", "192.0.2.2", "aws/weight=1"),
		ep("z1", "192.0.2.8", "aws/weight=0"),
		ep("z2", "192.0.2.9", "aws/weight=0"),
	)
	tests := []struct {
		name     string
		health   HealthFunc
		want     map[string]int // expected share in percent, ±3
		failOpen bool
	}{
		{name: "weight 0 never while a weighted set is up", health: down(), want: map[string]int{"192.0.2.1": 75, "192.0.2.2": 25}},
		{name: "an unhealthy set leaves", health: down("192.0.2.1"), want: map[string]int{"192.0.2.2": 100}},
		{name: "weight 0 sets share equally once every weighted set is down", health: down("192.0.2.1", "192.0.2.2"), want: map[string]int{"192.0.2.8": 50, "192.0.2.9": 50}},
		{name: "one weight 0 set left", health: down("192.0.2.1", "192.0.2.2", "192.0.2.9"), want: map[string]int{"192.0.2.8": 100}},
		{
			name: "every set down: fail open, by weight, weight 0 still never", health: down("192.0.2.1", "192.0.2.2", "192.0.2.8", "192.0.2.9"),
			want: map[string]int{"192.0.2.1": 75, "192.0.2.2": 25}, failOpen: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 4000
			got, failOpen := counts(sets, tt.health, n)
			if failOpen != tt.failOpen {
				t.Errorf("FailOpen = %v, want %v", failOpen, tt.failOpen)
			}
			for target, c := range got {
				want, ok := tt.want[target]
				share := c * 100 / n
				if !ok || share < want-3 || share > want+3 {
					t.Errorf("%s answered %d%% of the time, want %d%% (all: %v)", target, share, want, got)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("answered %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSelectWeightedAllZero(t *testing.T) {
	sets := group(t, ep("a", "192.0.2.1", "aws/weight=0"), ep("b", "192.0.2.2", "aws/weight=0"), ep("c", "192.0.2.3", "aws/weight=0"))
	got, _ := counts(sets, down(), 3000)
	for _, target := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		if c := got[target]; c < 900 || c > 1100 {
			t.Errorf("%s answered %d of 3000, want about 1000 (%v)", target, c, got)
		}
	}
}

// TestSelectWeighted8020 is the statistical check of the 80/20
// split: deterministic with a fixed seed, and tight enough (±1.5 points
// over 20,000 answers, about 6 standard deviations) to fail if weights
// were ignored or off by one.
func TestSelectWeighted8020(t *testing.T) {
	sets := group(t, ep("cluster-a", "192.0.2.10", "aws/weight=80"), ep("cluster-b", "192.0.2.20", "aws/weight=20"))
	const n = 20000
	got, _ := counts(sets, nil, n)
	share := float64(got["192.0.2.10"]) * 100 / n
	if share < 78.5 || share > 81.5 {
		t.Errorf("cluster-a answered %.2f%%, want 80 ± 1.5 (%v)", share, got)
	}
	if got["192.0.2.10"]+got["192.0.2.20"] != n {
		t.Errorf("unexpected targets: %v", got)
	}
}

func TestSelectFailover(t *testing.T) {
	primary := ep("p", "192.0.2.1", "aws/failover=PRIMARY")
	primary.Targets = append(primary.Targets, "192.0.2.11")
	sets := group(t, primary, ep("s", "192.0.2.2", "aws/failover=SECONDARY"))
	onlySecondary := group(t, ep("s", "192.0.2.2", "aws/failover=SECONDARY"))
	tests := []struct {
		name     string
		sets     []Set
		health   HealthFunc
		want     []string
		failOpen bool
	}{
		{name: "primary while healthy", sets: sets, health: down(), want: []string{"192.0.2.1", "192.0.2.11"}},
		{name: "primary with one target down keeps the other", sets: sets, health: down("192.0.2.1"), want: []string{"192.0.2.11"}},
		{name: "secondary when primary is down", sets: sets, health: down("192.0.2.1", "192.0.2.11"), want: []string{"192.0.2.2"}},
		{name: "both down: primary, failing open", sets: sets, health: down("192.0.2.1", "192.0.2.11", "192.0.2.2"), want: []string{"192.0.2.1", "192.0.2.11"}, failOpen: true},
		{name: "primary down, secondary unknown: secondary", sets: sets, health: func(_, t string) Health {
			if t == "192.0.2.2" {
				return HealthUnknown
			}
			return Unhealthy
		}, want: []string{"192.0.2.2"}},
		{name: "only a secondary, down: it, failing open", sets: onlySecondary, health: down("192.0.2.2"), want: []string{"192.0.2.2"}, failOpen: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Select(tt.sets, tt.health, unknownClient, seeded())
			if !slices.Equal(a.Targets, tt.want) || a.FailOpen != tt.failOpen || a.Scope != 0 || a.TTL != DefaultTTL {
				t.Errorf("Select = %+v, want targets %v failOpen %v scope 0", a, tt.want, tt.failOpen)
			}
		})
	}
}

func TestSelectMultiValue(t *testing.T) {
	var eps []*endpoint.Endpoint
	var all []string
	for i := range 12 {
		ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}).String()
		all = append(all, ip)
		eps = append(eps, ep("s"+string(rune('a'+i)), ip, "aws/multi-value-answer=true"))
	}
	sets := group(t, eps...)
	small := group(t, eps[0], eps[1], eps[2])

	t.Run("up to eight, a random subset", func(t *testing.T) {
		rnd := seeded()
		seen := map[string]bool{}
		for range 50 {
			a := Select(sets, nil, unknownClient, rnd)
			if len(a.Targets) != MaxMultiValue || len(a.Sets) != MaxMultiValue {
				t.Fatalf("answered %d targets from %d sets, want 8", len(a.Targets), len(a.Sets))
			}
			uniq := slices.Clone(a.Targets)
			slices.Sort(uniq)
			if len(slices.Compact(uniq)) != MaxMultiValue {
				t.Fatalf("duplicate targets: %v", a.Targets)
			}
			for _, x := range a.Targets {
				seen[x] = true
			}
		}
		if len(seen) != 12 {
			t.Errorf("over 50 answers only %d of 12 targets appeared", len(seen))
		}
	})
	t.Run("unhealthy targets never answer", func(t *testing.T) {
		rnd := seeded()
		h := down(all[:5]...)
		for range 50 {
			a := Select(sets, h, unknownClient, rnd)
			if len(a.Targets) != 7 || a.FailOpen {
				t.Fatalf("answered %v, want the 7 healthy", a.Targets)
			}
			for _, x := range a.Targets {
				if slices.Contains(all[:5], x) {
					t.Fatalf("unhealthy %s answered", x)
				}
			}
		}
	})
	t.Run("all down: eight of them, failing open", func(t *testing.T) {
		a := Select(sets, down(all...), unknownClient, seeded())
		if len(a.Targets) != MaxMultiValue || !a.FailOpen {
			t.Errorf("Select = %+v", a)
		}
	})
	t.Run("eight or fewer: all, in order", func(t *testing.T) {
		a := Select(small, nil, unknownClient, seeded())
		if !slices.Equal(a.Targets, all[:3]) || !slices.Equal(a.Sets, []int{0, 1, 2}) {
			t.Errorf("Select = %+v", a)
		}
	})
}

func TestSelectSimple(t *testing.T) {
	e := endpoint.New("app.example.com", "A", "192.0.2.1", "192.0.2.2", "192.0.2.3")
	sets := group(t, e)
	tests := []struct {
		name     string
		health   HealthFunc
		want     []string
		failOpen bool
	}{
		{"all healthy", down(), []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, false},
		{"one unhealthy target leaves", down("192.0.2.2"), []string{"192.0.2.1", "192.0.2.3"}, false},
		{"every target unhealthy: all, failing open", down("192.0.2.1", "192.0.2.2", "192.0.2.3"), []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Select(sets, tt.health, unknownClient, nil)
			if !slices.Equal(a.Targets, tt.want) || a.FailOpen != tt.failOpen {
				t.Errorf("Select = %+v, want %v failOpen %v", a, tt.want, tt.failOpen)
			}
		})
	}
}

func TestSelectSetWithoutCheckIsHealthy(t *testing.T) {
	sets, err := SetsFrom([]*endpoint.Endpoint{
		ep("p", "192.0.2.1", "aws/failover=PRIMARY"),
		ep("s", "192.0.2.2", "aws/failover=SECONDARY"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The health function claims everything is down, but no set has a
	// check: stale state must not route traffic.
	a := Select(sets, down("192.0.2.1", "192.0.2.2"), unknownClient, nil)
	if !slices.Equal(a.Targets, []string{"192.0.2.1"}) || a.FailOpen {
		t.Errorf("Select = %+v, want the primary, not failing open", a)
	}
}

func TestSelectTTL(t *testing.T) {
	tests := []struct {
		name string
		ep   *endpoint.Endpoint
		want uint32
	}{
		{"default", ep("a", "192.0.2.1", "aws/weight=1"), DefaultTTL},
		{"gslb ttl", ep("a", "192.0.2.1", "aws/weight=1", "gslb/ttl=30"), 30},
		{"gslb ttl wins over the record TTL", ep("a", "192.0.2.1", "aws/weight=1", "gslb/ttl=30").WithTTL(300), 30},
		{"a longer record TTL does not lengthen it", ep("a", "192.0.2.1", "aws/weight=1").WithTTL(60), DefaultTTL},
		{"a shorter record TTL shortens it", ep("a", "192.0.2.1", "aws/weight=1").WithTTL(1), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := Select(group(t, tt.ep), nil, unknownClient, nil); a.TTL != tt.want {
				t.Errorf("TTL = %d, want %d", a.TTL, tt.want)
			}
		})
	}
	t.Run("several sets: the shortest", func(t *testing.T) {
		sets := group(t, ep("a", "192.0.2.1", "aws/region=eu-west-1", "gslb/ttl=30"), ep("b", "192.0.2.2", "aws/region=us-east-1", "gslb/ttl=10"))
		if a := Select(sets, nil, unknownClient, nil); a.TTL != 10 || len(a.Sets) != 2 {
			t.Errorf("Select = %+v, want both sets with TTL 10", a)
		}
	})
}

func TestSelectScope(t *testing.T) {
	weighted := group(t, ep("a", "192.0.2.1", "aws/weight=1"), ep("b", "192.0.2.2", "aws/weight=1"))
	latency := group(t, ep("a", "192.0.2.1", "aws/region=eu-west-1"), ep("b", "192.0.2.2", "aws/region=us-east-1"))
	oneLatency := group(t, ep("a", "192.0.2.1", "aws/region=eu-west-1"))
	oneGeo := group(t, ep("a", "192.0.2.1", "aws/geolocation-country-code=DE"))
	dublin := clientAt(53.3, -6.3)
	wide := dublin
	wide.Network = netip.MustParsePrefix("198.51.0.0/16") // the locator's network
	noScope := dublin
	noScope.NoScope = true
	tests := []struct {
		name   string
		sets   []Set
		client Client
		want   int
	}{
		{"weighted does not depend on the client", weighted, dublin, 0},
		{"latency depends on the client's /24", latency, dublin, 24},
		{"latency over the locator's wider network", latency, wide, 16},
		{"ECS source 0: scope 0", latency, noScope, 0},
		{"a single latency set answers everyone alike", oneLatency, dublin, 0},
		{"a single geolocation set still depends on the client", oneGeo, dublin, 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a := Select(tt.sets, nil, tt.client, seeded()); a.Scope != tt.want {
				t.Errorf("Scope = %d, want %d", a.Scope, tt.want)
			}
		})
	}
}

func TestSelectEmpty(t *testing.T) {
	if a := Select(nil, nil, unknownClient, nil); !reflect.DeepEqual(a, Answer{}) {
		t.Errorf("Select(nil) = %+v", a)
	}
}

func TestSelectManySets(t *testing.T) {
	// More sets than the stack buffer: the heap path must agree.
	var eps []*endpoint.Endpoint
	for i := range 40 {
		ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}).String()
		eps = append(eps, ep("s"+netip.AddrFrom4([4]byte{0, 0, 0, byte(i)}).String(), ip, "aws/weight=0"))
	}
	eps[39].ProviderSpecific.Set(PropWeight, "1")
	sets := group(t, eps...)
	for range 20 {
		if a := Select(sets, nil, unknownClient, nil); a.Targets[0] != "192.0.2.40" {
			t.Fatalf("Select = %+v, want the only weighted set", a)
		}
	}
}
