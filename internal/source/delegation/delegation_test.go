package delegation

import (
	"context"
	"slices"
	"testing"
)

func TestDelegation(t *testing.T) {
	var servers []Server
	for _, s := range []string{"ns1.cluster-a.example.com=192.0.2.10", "ns1.cluster-b.example.com=192.0.2.11", "NS1.cluster-b.example.com.=2001:db8::11"} {
		sv, err := ParseServer(s)
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, sv)
	}
	eps, err := (&Source{Zone: "GSLB.example.com.", Servers: servers, TTL: 300}).Endpoints(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range eps {
		got = append(got, e.String()+" "+e.Resource())
	}
	want := []string{
		"gslb.example.com 300 IN NS ns1.cluster-a.example.com,ns1.cluster-b.example.com gslb-delegation/default/gslb.example.com",
		"ns1.cluster-a.example.com 300 IN A 192.0.2.10 gslb-delegation/default/gslb.example.com",
		"ns1.cluster-b.example.com 300 IN A 192.0.2.11 gslb-delegation/default/gslb.example.com",
		"ns1.cluster-b.example.com 300 IN AAAA 2001:db8::11 gslb-delegation/default/gslb.example.com",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	for _, bad := range []string{"ns1.example.com", "ns1.example.com=not-an-ip", "-x.example.com=192.0.2.1"} {
		if _, err := ParseServer(bad); err == nil {
			t.Errorf("ParseServer(%q) accepted", bad)
		}
	}
	if _, err := (&Source{Zone: "gslb.example.com"}).Endpoints(context.Background()); err == nil {
		t.Error("a delegation without servers accepted")
	}
}
