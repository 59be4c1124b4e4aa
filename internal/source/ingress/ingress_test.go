package ingress

import (
	"reflect"
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/endpoint/endpointtest"
	"github.com/exodns/exodns/internal/source"
)

const pre = "external-dns.alpha.kubernetes.io/"

type ingOpt func(*networkingv1.Ingress)

func newIngress(opts ...ingOpt) *networkingv1.Ingress {
	i := &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "web", Annotations: map[string]string{}}}
	for _, o := range opts {
		o(i)
	}
	return i
}

func ann(kv ...string) ingOpt {
	return func(i *networkingv1.Ingress) {
		for n := 0; n+1 < len(kv); n += 2 {
			i.Annotations[kv[n]] = kv[n+1]
		}
	}
}

func rules(hosts ...string) ingOpt {
	return func(i *networkingv1.Ingress) {
		for _, h := range hosts {
			i.Spec.Rules = append(i.Spec.Rules, networkingv1.IngressRule{Host: h})
		}
	}
}

func tls(hosts ...string) ingOpt {
	return func(i *networkingv1.Ingress) {
		i.Spec.TLS = append(i.Spec.TLS, networkingv1.IngressTLS{Hosts: hosts})
	}
}

func status(ips ...string) ingOpt {
	return func(i *networkingv1.Ingress) {
		for _, v := range ips {
			in := networkingv1.IngressLoadBalancerIngress{IP: v}
			if endpoint.TargetType(v) == endpoint.RecordTypeCNAME {
				in = networkingv1.IngressLoadBalancerIngress{Hostname: v}
			}
			i.Status.LoadBalancer.Ingress = append(i.Status.LoadBalancer.Ingress, in)
		}
	}
}

func class(name string) ingOpt {
	return func(i *networkingv1.Ingress) { i.Spec.IngressClassName = &name }
}

func render(eps []*endpoint.Endpoint) []string { return endpointtest.Render(eps) }

func TestEndpoints(t *testing.T) {
	tmpl, err := source.ParseFQDNTemplate(`{{.Name}}.{{.Namespace}}.example.com{{if hasKey .Labels "extra"}},{{index .Labels "extra"}}.example.com{{end}}`)
	if err != nil {
		t.Fatal(err)
	}
	lbIP := status("1.2.3.4")
	tests := []struct {
		name     string
		ing      *networkingv1.Ingress
		opts     source.Options
		want     []string
		problems []string
	}{
		{name: "rule host to status IP", ing: newIngress(rules("web.example.com"), lbIP), want: []string{"web.example.com A 1.2.3.4"}},
		{name: "status hostname to CNAME", ing: newIngress(rules("web.example.com"), status("elb.amazonaws.com")),
			want: []string{"web.example.com CNAME elb.amazonaws.com"}},
		{name: "status IP and hostname in one entry", ing: newIngress(rules("web.example.com"), func(i *networkingv1.Ingress) {
			i.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4", Hostname: "lb.example.net"}}
		}), want: []string{"web.example.com A 1.2.3.4", "web.example.com CNAME lb.example.net"}},
		{name: "rules, TLS and annotation hosts, duplicates merged", ing: newIngress(
			rules("a.example.com", "", "b.example.com"), tls("b.example.com", "c.example.com"), ann(pre+"hostname", "d.example.com."), status("1.2.3.4", "2001:db8::1")),
			want: []string{"a.example.com A 1.2.3.4", "a.example.com AAAA 2001:db8::1", "b.example.com A 1.2.3.4", "b.example.com AAAA 2001:db8::1",
				"c.example.com A 1.2.3.4", "c.example.com AAAA 2001:db8::1", "d.example.com A 1.2.3.4", "d.example.com AAAA 2001:db8::1"}},
		{name: "wildcard rule host", ing: newIngress(rules("*.example.com"), lbIP), want: []string{"*.example.com A 1.2.3.4"}},
		{name: "no targets yields nothing, and says why", ing: newIngress(rules("web.example.com")),
			problems: []string{"nothing published for web.example.com: status.loadBalancer.ingress is empty"}},
		{name: "target annotation overrides status", ing: newIngress(rules("web.example.com"), lbIP, ann(pre+"target", "12.34.56.78,90.12.34.56")),
			want: []string{"web.example.com A 12.34.56.78,90.12.34.56"}},
		{name: "target annotation without status", ing: newIngress(rules("web.example.com"), ann(pre+"target", "test.anotherdomain.com")),
			want: []string{"web.example.com CNAME test.anotherdomain.com"}},
		{name: "ignore rules spec", ing: newIngress(rules("a.example.com"), tls("b.example.com"), lbIP),
			opts: source.Options{IgnoreIngressRulesSpec: true}, want: []string{"b.example.com A 1.2.3.4"}},
		{name: "ignore TLS spec", ing: newIngress(rules("a.example.com"), tls("b.example.com"), lbIP),
			opts: source.Options{IgnoreIngressTLSSpec: true}, want: []string{"a.example.com A 1.2.3.4"}},
		{name: "ignore hostname annotation", ing: newIngress(rules("a.example.com"), ann(pre+"hostname", "b.example.com"), lbIP),
			opts: source.Options{IgnoreHostnameAnnotation: true}, want: []string{"a.example.com A 1.2.3.4"}},
		{name: "annotation-only", ing: newIngress(rules("a.example.com"), ann(pre+"hostname", "b.example.com", pre+"ingress-hostname-source", "annotation-only"), lbIP),
			want: []string{"b.example.com A 1.2.3.4"}},
		{name: "defined-hosts-only", ing: newIngress(rules("a.example.com"), ann(pre+"hostname", "b.example.com", pre+"ingress-hostname-source", "defined-hosts-only"), lbIP),
			want: []string{"a.example.com A 1.2.3.4"}},
		{name: "bad hostname source reported, names held", ing: newIngress(rules("a.example.com"), ann(pre+"hostname", "b.example.com", pre+"ingress-hostname-source", "all"), lbIP),
			want: []string{"a.example.com HOLD", "b.example.com HOLD"}, problems: []string{pre + "ingress-hostname-source"}},
		{name: "annotations apply to every record", ing: newIngress(rules("a.example.com"), tls("b.example.com"), lbIP, ann(
			pre+"ttl", "60", pre+"set-identifier", "glb-rke2", pre+"aws-region", "ap-east-1", pre+"aws-health-check-id", "0b79")),
			want: []string{"a.example.com A 1.2.3.4 ttl=60 set=glb-rke2 aws/health-check-id=0b79 aws/region=ap-east-1",
				"b.example.com A 1.2.3.4 ttl=60 set=glb-rke2 aws/health-check-id=0b79 aws/region=ap-east-1"}},
		{name: "invalid host reported, others kept", ing: newIngress(rules("bad..example.com", "ok.example.com"), tls("bad..example.com"), lbIP),
			want: []string{"ok.example.com A 1.2.3.4"}, problems: []string{"bad..example.com"}},
		{name: "foreign controller", ing: newIngress(rules("a.example.com"), lbIP, ann(pre+"controller", "someone-else"))},
		{name: "fqdn template when no host", ing: newIngress(lbIP, func(i *networkingv1.Ingress) { i.Labels = map[string]string{"extra": "x"} }),
			opts: source.Options{FQDNTemplate: tmpl}, want: []string{"web.default.example.com A 1.2.3.4", "x.example.com A 1.2.3.4"}},
		{name: "fqdn template when hosts filtered away", ing: newIngress(rules("a.example.com"), ann(pre+"ingress-hostname-source", "annotation-only"), lbIP),
			opts: source.Options{FQDNTemplate: tmpl}, want: []string{"web.default.example.com A 1.2.3.4"}},
		{name: "fqdn template not used with hosts", ing: newIngress(rules("a.example.com"), lbIP),
			opts: source.Options{FQDNTemplate: tmpl}, want: []string{"a.example.com A 1.2.3.4"}},
		{name: "fqdn template combined", ing: newIngress(rules("a.example.com"), lbIP),
			opts: source.Options{FQDNTemplate: tmpl, CombineFQDNAnnotation: true}, want: []string{"a.example.com A 1.2.3.4", "web.default.example.com A 1.2.3.4"}},
		{name: "forced default targets", ing: newIngress(rules("a.example.com"), lbIP),
			opts: source.Options{DefaultTargets: []string{"lb.example.net"}, ForceDefaultTargets: true}, want: []string{"a.example.com CNAME lb.example.net"}},
		{name: "unforced default targets keep status", ing: newIngress(rules("a.example.com"), lbIP),
			opts: source.Options{DefaultTargets: []string{"lb.example.net"}}, want: []string{"a.example.com A 1.2.3.4"}},
		{name: "ingress class by spec", ing: newIngress(rules("a.example.com"), lbIP, class("nginx")),
			opts: source.Options{IngressClassNames: []string{"traefik", "nginx"}}, want: []string{"a.example.com A 1.2.3.4"}},
		{name: "ingress class by spec excluded", ing: newIngress(rules("a.example.com"), lbIP, class("nginx"), ann(ClassAnnotation, "traefik")),
			opts: source.Options{IngressClassNames: []string{"traefik"}}},
		{name: "ingress class by annotation", ing: newIngress(rules("a.example.com"), lbIP, ann(ClassAnnotation, "traefik")),
			opts: source.Options{IngressClassNames: []string{"traefik"}}, want: []string{"a.example.com A 1.2.3.4"}},
		{name: "ingress without class excluded by class filter", ing: newIngress(rules("a.example.com"), lbIP),
			opts: source.Options{IngressClassNames: []string{"traefik"}}},
		{name: "nil ingress", ing: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before string
			if tt.ing != nil {
				before = tt.ing.String()
			}
			r := Endpoints(tt.ing, tt.opts)
			if got := render(r.Endpoints); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("endpoints\n got  %q\n want %q", got, tt.want)
			}
			if len(r.Problems) != len(tt.problems) {
				t.Fatalf("problems %v, want %d matching %q", r.Problems, len(tt.problems), tt.problems)
			}
			for i, p := range r.Problems {
				if !strings.Contains(p.Error(), tt.problems[i]) {
					t.Errorf("problem %q does not mention %q", p.Error(), tt.problems[i])
				}
				if p.Object.Kind != "Ingress" || p.Object.Name != "web" {
					t.Errorf("problem object %+v", p.Object)
				}
			}
			for _, e := range r.Endpoints {
				if e.Labels.Get(endpoint.ResourceLabel) != "ingress/default/web" {
					t.Errorf("resource label %q", e.Labels.Get(endpoint.ResourceLabel))
				}
			}
			if tt.ing != nil && tt.ing.String() != before {
				t.Error("the Ingress was modified")
			}
		})
	}
}
