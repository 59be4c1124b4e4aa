package gslb

import (
	"slices"
	"testing"
)

func TestSelectLatency(t *testing.T) {
	sets := group(t,
		ep("eu", "192.0.2.1", "aws/region=eu-west-1"),
		ep("uk", "192.0.2.2", "aws/region=eu-west-2"),
		ep("us", "192.0.2.3", "aws/region=us-east-1"),
	)
	dublin, boston := clientAt(53.3, -6.3), clientAt(42.4, -71.1)
	tests := []struct {
		name     string
		client   Client
		health   HealthFunc
		want     []string
		scope    int
		failOpen bool
	}{
		{name: "nearest region", client: dublin, health: down(), want: []string{"192.0.2.1"}, scope: 24},
		{name: "across the Atlantic", client: boston, health: down(), want: []string{"192.0.2.3"}, scope: 24},
		{name: "nearest unhealthy: next nearest", client: dublin, health: down("192.0.2.1"), want: []string{"192.0.2.2"}, scope: 24},
		{name: "all down: nearest, failing open", client: dublin, health: down("192.0.2.1", "192.0.2.2", "192.0.2.3"), want: []string{"192.0.2.1"}, scope: 24, failOpen: true},
		{name: "unknown client: every healthy set", client: unknownClient, health: down("192.0.2.2"), want: []string{"192.0.2.1", "192.0.2.3"}, scope: 32},
		{name: "client with codes but no coordinates: every healthy set", client: clientIn("EU", "IE", ""), health: down(), want: []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, scope: 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Select(sets, tt.health, tt.client, nil)
			if !slices.Equal(a.Targets, tt.want) || a.Scope != tt.scope || a.FailOpen != tt.failOpen {
				t.Errorf("Select = %+v, want targets %v scope %d failOpen %v", a, tt.want, tt.scope, tt.failOpen)
			}
		})
	}
}

func TestSelectFailoverLatency(t *testing.T) {
	// Three regions, one annotation: the sets come from three clusters.
	sets := group(t,
		ep("1-us", "192.0.2.1", "aws/region=us-east-1", "gslb/routing-policy=failover-latency"),
		ep("2-eu", "192.0.2.2", "aws/region=eu-central-1", "gslb/routing-policy=failover-latency"),
		ep("3-ap", "192.0.2.3", "aws/region=ap-southeast-1", "gslb/routing-policy=failover-latency"),
	)
	frankfurt := clientAt(50.1, 8.7)
	tests := []struct {
		name     string
		client   Client
		down     []string
		want     string
		failOpen bool
	}{
		{name: "nearest region", client: frankfurt, want: "192.0.2.2"},
		{name: "then the next nearest", client: frankfurt, down: []string{"192.0.2.2"}, want: "192.0.2.1"},
		{name: "then the farthest", client: frankfurt, down: []string{"192.0.2.2", "192.0.2.1"}, want: "192.0.2.3"},
		{name: "all down: nearest, failing open", client: frankfurt, down: []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, want: "192.0.2.2", failOpen: true},
		{name: "Singapore client", client: clientAt(1.3, 103.8), want: "192.0.2.3"},
		{name: "unknown client: first set identifier", client: unknownClient, want: "192.0.2.1"},
		{name: "unknown client, first down: the next in order", client: unknownClient, down: []string{"192.0.2.1"}, want: "192.0.2.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Select(sets, down(tt.down...), tt.client, nil)
			if len(a.Targets) != 1 || a.Targets[0] != tt.want || a.FailOpen != tt.failOpen || a.Scope != tt.client.ScopeBits() {
				t.Errorf("Select = %+v, want %s failOpen %v scope %d", a, tt.want, tt.failOpen, tt.client.ScopeBits())
			}
		})
	}
}

func TestSelectGeolocation(t *testing.T) {
	full := group(t,
		ep("ca", "192.0.2.1", "aws/geolocation-country-code=US", "aws/geolocation-subdivision-code=CA"),
		ep("us", "192.0.2.2", "aws/geolocation-country-code=US"),
		ep("na", "192.0.2.3", "aws/geolocation-continent-code=NA"),
		ep("eu", "192.0.2.4", "aws/geolocation-continent-code=EU"),
		ep("default", "192.0.2.9", "aws/geolocation-country-code=*"),
	)
	noDefault := group(t,
		ep("us", "192.0.2.2", "aws/geolocation-country-code=US"),
		ep("eu", "192.0.2.4", "aws/geolocation-continent-code=EU"),
	)
	california, texas, mexico, germany, japan := clientIn("NA", "US", "CA"), clientIn("NA", "US", "TX"), clientIn("NA", "MX", "CMX"), clientIn("EU", "DE", "BE"), clientIn("AS", "JP", "13")
	tests := []struct {
		name     string
		sets     []Set
		client   Client
		down     []string
		want     []string
		failOpen bool
	}{
		{name: "subdivision", sets: full, client: california, want: []string{"192.0.2.1"}},
		{name: "country", sets: full, client: texas, want: []string{"192.0.2.2"}},
		{name: "continent", sets: full, client: mexico, want: []string{"192.0.2.3"}},
		{name: "continent for another", sets: full, client: germany, want: []string{"192.0.2.4"}},
		{name: "default", sets: full, client: japan, want: []string{"192.0.2.9"}},
		{name: "unknown client: default", sets: full, client: unknownClient, want: []string{"192.0.2.9"}},
		{name: "subdivision down: country", sets: full, client: california, down: []string{"192.0.2.1"}, want: []string{"192.0.2.2"}},
		{name: "subdivision and country down: continent", sets: full, client: california, down: []string{"192.0.2.1", "192.0.2.2"}, want: []string{"192.0.2.3"}},
		{name: "every match but the default down: default", sets: full, client: california, down: []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, want: []string{"192.0.2.9"}},
		{name: "every match down: most specific, failing open", sets: full, client: california, down: []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.9"}, want: []string{"192.0.2.1"}, failOpen: true},
		{name: "no match and no default: no answer", sets: noDefault, client: japan, want: nil},
		{name: "no match, every set down: still no answer", sets: noDefault, client: japan, down: []string{"192.0.2.2", "192.0.2.4"}, want: nil},
		{name: "unknown client, no default: no answer", sets: noDefault, client: unknownClient, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Select(tt.sets, down(tt.down...), tt.client, nil)
			if !slices.Equal(a.Targets, tt.want) || a.FailOpen != tt.failOpen || a.Scope != tt.client.ScopeBits() {
				t.Errorf("Select = %+v, want %v failOpen %v scope %d", a, tt.want, tt.failOpen, tt.client.ScopeBits())
			}
			if tt.want == nil && (len(a.Sets) != 0 || a.TTL != 0) {
				t.Errorf("NODATA answer has sets or a TTL: %+v", a)
			}
		})
	}
}

func TestSelectGeoproximity(t *testing.T) {
	mk := func(biasA, biasB string) []Set {
		a := []string{"aws/geoproximity-coordinates=0,0"}
		b := []string{"aws/geoproximity-coordinates=0,10"}
		if biasA != "" {
			a = append(a, "aws/geoproximity-bias="+biasA)
		}
		if biasB != "" {
			b = append(b, "aws/geoproximity-bias="+biasB)
		}
		return group(t, ep("a", "192.0.2.1", a...), ep("b", "192.0.2.2", b...))
	}
	at4 := clientAt(0, 4) // 4° from a, 6° from b
	tests := []struct {
		name   string
		sets   []Set
		client Client
		want   []string
	}{
		{name: "nearest without bias", sets: mk("", ""), client: at4, want: []string{"192.0.2.1"}},
		{name: "positive bias grows b's area", sets: mk("", "50"), client: at4, want: []string{"192.0.2.2"}},
		{name: "small positive bias is not enough", sets: mk("", "20"), client: at4, want: []string{"192.0.2.1"}},
		{name: "negative bias shrinks a's area", sets: mk("-50", ""), client: at4, want: []string{"192.0.2.2"}},
		{name: "small negative bias is not enough", sets: mk("-20", ""), client: at4, want: []string{"192.0.2.1"}},
		{name: "unknown client: every healthy set", sets: mk("", ""), client: unknownClient, want: []string{"192.0.2.1", "192.0.2.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Select(tt.sets, nil, tt.client, nil)
			if !slices.Equal(a.Targets, tt.want) || a.Scope != tt.client.ScopeBits() {
				t.Errorf("Select = %+v, want %v scope %d", a, tt.want, tt.client.ScopeBits())
			}
		})
	}
}

func TestBiasedDistance(t *testing.T) {
	for _, tt := range []struct {
		bias int
		want float64
	}{{0, 1000}, {50, 500}, {99, 10}, {-50, 2000}, {-99, 100000}, {25, 750}} {
		if got := biasedDistance(1000, tt.bias); got < tt.want-1e-6 || got > tt.want+1e-6 {
			t.Errorf("bias %d: %.3f, want %.3f", tt.bias, got, tt.want)
		}
	}
}
