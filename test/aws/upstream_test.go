package aws

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

const (
	elbHost = "k8s-web-1234.eu-west-1.elb.amazonaws.com"
	elbZone = "Z32O12XQLNTSW2"
)

// lbService writes a LoadBalancer Service whose status is a load balancer
// host name, as on EKS.
func lbService(name, host string, ann map[string]string) string {
	s := service(name, "192.0.2.1", ann)
	return strings.Replace(s, "ingress: [{ip: 192.0.2.1}]", "ingress: [{hostname: "+host+"}]", 1)
}

func owner(resource string) string {
	return `"heritage=external-dns,external-dns/owner=k3s-cluster,external-dns/resource=` + resource + `"`
}

// upstreamSets are the sets upstream external-dns v0.22 writes for the
// manifests of TestSwitchWithUpstream: records, and ownership records that
// copy their record's set identifier, routing and health check, with TTL
// 300, named after the record's own type (aliases included).
func upstreamSets(hc string) []types.ResourceRecordSet {
	rr := func(v string) []types.ResourceRecord { return []types.ResourceRecord{{Value: aws.String(v)}} }
	alias := &types.AliasTarget{DNSName: aws.String(elbHost + "."), HostedZoneId: aws.String(elbZone), EvaluateTargetHealth: true}
	return []types.ResourceRecordSet{
		{Name: aws.String("app.example.com."), Type: types.RRTypeA, SetIdentifier: aws.String("rke2"), Weight: aws.Int64(80), TTL: aws.Int64(60), ResourceRecords: rr("203.0.113.10")},
		{Name: aws.String("a-app.example.com."), Type: types.RRTypeTxt, SetIdentifier: aws.String("rke2"), Weight: aws.Int64(80), TTL: aws.Int64(300), ResourceRecords: rr(owner("service/default/app"))},
		{Name: aws.String("blog.example.com."), Type: types.RRTypeA, SetIdentifier: aws.String("primary-site"), Failover: types.ResourceRecordSetFailoverPrimary, HealthCheckId: aws.String(hc), TTL: aws.Int64(300), ResourceRecords: rr("203.0.113.3")},
		{Name: aws.String("a-blog.example.com."), Type: types.RRTypeTxt, SetIdentifier: aws.String("primary-site"), Failover: types.ResourceRecordSetFailoverPrimary, HealthCheckId: aws.String(hc), TTL: aws.Int64(300), ResourceRecords: rr(owner("service/default/primary"))},
		{Name: aws.String("web.example.com."), Type: types.RRTypeA, AliasTarget: alias},
		{Name: aws.String("web.example.com."), Type: types.RRTypeAaaa, AliasTarget: alias},
		{Name: aws.String("a-web.example.com."), Type: types.RRTypeTxt, TTL: aws.Int64(300), ResourceRecords: rr(owner("service/default/web"))},
		{Name: aws.String("aaaa-web.example.com."), Type: types.RRTypeTxt, TTL: aws.Int64(300), ResourceRecords: rr(owner("service/default/web"))},
	}
}

func manifests(hc string) []string {
	return []string{
		service("app", "203.0.113.10", map[string]string{"hostname": "app.example.com", "set-identifier": "rke2", "aws-weight": "80", "ttl": "60"}),
		service("primary", "203.0.113.3", map[string]string{"hostname": "blog.example.com", "set-identifier": "primary-site",
			"aws-failover": "PRIMARY", "aws-health-check-id": hc}),
		lbService("web", elbHost, map[string]string{"hostname": "web.example.com"}),
	}
}

// rendered prints every set of the zone (SOA and NS aside) with every
// field Route 53 compares on a delete.
func (e *env) rendered() []string {
	var out []string
	for _, s := range e.fake.RecordSets(e.zoneID) {
		if s.Type == types.RRTypeSoa || s.Type == types.RRTypeNs {
			continue
		}
		line := fmt.Sprintf("%s %s set=%s ttl=%s weight=%s region=%s failover=%s hc=%s", deref(s.Name), s.Type, deref(s.SetIdentifier),
			num(s.TTL), num(s.Weight), s.Region, s.Failover, deref(s.HealthCheckId))
		if g := s.GeoLocation; g != nil {
			line += " geo=" + deref(g.ContinentCode) + "/" + deref(g.CountryCode) + "/" + deref(g.SubdivisionCode)
		}
		if s.MultiValueAnswer != nil {
			line += fmt.Sprintf(" multivalue=%t", *s.MultiValueAnswer)
		}
		if at := s.AliasTarget; at != nil {
			line += fmt.Sprintf(" alias=%s/%s/%t", deref(at.DNSName), deref(at.HostedZoneId), at.EvaluateTargetHealth)
		}
		for _, r := range s.ResourceRecords {
			line += " " + deref(r.Value)
		}
		out = append(out, line)
	}
	return out
}

func num(p *int64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// TestSwitchWithUpstream switches a zone between upstream external-dns and
// exodns (same owner, no prefix) both ways: upstream's zone is taken over
// with no change and cleaned up by exodns when a Service goes; what exodns
// writes is exactly what upstream writes, so upstream's own deletes (which
// Route 53 accepts only for exact matches) succeed.
func TestSwitchWithUpstream(t *testing.T) {
	t.Run("upstream to exodns", func(t *testing.T) {
		e := newEnv(t)
		hc := e.healthCheck(t, "203.0.113.3")
		if err := e.fake.PutRecordSets(e.zoneID, upstreamSets(hc)...); err != nil {
			t.Fatal(err)
		}
		before := e.rendered()
		e.fake.ResetCalls()
		e.run(t, "k3s-cluster", "", manifests(hc)...)
		if n := e.fake.Calls("ChangeResourceRecordSets"); n != 0 {
			t.Errorf("taking over upstream's zone made %d change requests", n)
		}
		if after := e.rendered(); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Errorf("zone changed:\n%s\n---\n%s", strings.Join(before, "\n"), strings.Join(after, "\n"))
		}
		// The load balancer Service goes: its aliases and both ownership
		// records go with it.
		e.run(t, "k3s-cluster", "", manifests(hc)[:2]...)
		for _, name := range []string{"web.example.com", "a-web.example.com", "aaaa-web.example.com"} {
			if got := append(e.sets(name, "A"), append(e.sets(name, "AAAA"), e.sets(name, "TXT")...)...); len(got) != 0 {
				t.Errorf("%s left behind: %v", name, got)
			}
		}
	})
	t.Run("exodns to upstream", func(t *testing.T) {
		e := newEnv(t)
		hc := e.healthCheck(t, "203.0.113.3")
		e.run(t, "k3s-cluster", "", manifests(hc)...)
		// Upstream deletes each set as it would write it.
		var changes []types.Change
		for _, s := range upstreamSets(hc) {
			s := s
			changes = append(changes, types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: &s})
		}
		cfg, err := awsconfig.LoadDefaultConfig(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		client := route53.NewFromConfig(cfg, func(o *route53.Options) { o.BaseEndpoint = aws.String(e.url) })
		if _, err := client.ChangeResourceRecordSets(context.Background(), &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String(e.zoneID), ChangeBatch: &types.ChangeBatch{Changes: changes}}); err != nil {
			t.Fatalf("upstream's deletes refused: %v\nzone:\n%s", err, strings.Join(e.rendered(), "\n"))
		}
		if left := e.rendered(); len(left) != 0 {
			t.Errorf("left after upstream's deletes:\n%s", strings.Join(left, "\n"))
		}
	})
}
