package service

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/exodns/exodns/internal/source"
)

func TestEndpoints(t *testing.T) {
	LB, CIP, NP, EN := corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeExternalName
	host := ann(pre+"hostname", "app.example.com")
	ip := lb(corev1.LoadBalancerIngress{IP: "1.2.3.4"})
	nodes := []*corev1.Node{
		node("n1", "ExternalIP=5.5.5.1", "InternalIP=10.1.0.1", "InternalIP=2001:db8::1"),
		node("n2", "InternalIP=10.1.0.2"),
	}
	internalOnly := []*corev1.Node{node("n1", "InternalIP=10.1.0.1"), node("n2", "InternalIP=2001:db8::2")}
	tmpl, err := source.ParseFQDNTemplate("{{.Name}}.{{.Namespace}}.example.com, {{.Kind | toLower}}.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		svc      *corev1.Service
		nodes    []*corev1.Node
		opts     source.Options
		want     []string
		problems []string // substrings, one per problem
	}{
		{name: "load balancer IP", svc: newService(LB, host, ip), want: []string{"app.example.com A 1.2.3.4"}},
		{name: "load balancer hostname", svc: newService(LB, host, lb(corev1.LoadBalancerIngress{Hostname: "LB.aws.example.net."})),
			want: []string{"app.example.com CNAME lb.aws.example.net"}},
		{name: "load balancer IP and hostname both", svc: newService(LB, host, lb(corev1.LoadBalancerIngress{IP: "1.2.3.4", Hostname: "lb.example.net"})),
			want: []string{"app.example.com A 1.2.3.4", "app.example.com CNAME lb.example.net"}},
		{name: "load balancer IPv4 and IPv6 merged and sorted", svc: newService(LB, host, lb(
			corev1.LoadBalancerIngress{IP: "9.9.9.9"}, corev1.LoadBalancerIngress{IP: "2001:db8::a"}, corev1.LoadBalancerIngress{IP: "1.2.3.4"})),
			want: []string{"app.example.com A 1.2.3.4,9.9.9.9", "app.example.com AAAA 2001:db8::a"}},
		{name: "load balancer external IPs win over status", svc: newService(LB, host, ip, func(s *corev1.Service) { s.Spec.ExternalIPs = []string{"7.7.7.7"} }),
			want: []string{"app.example.com A 7.7.7.7"}},
		{name: "pending load balancer yields nothing, and says why", svc: newService(LB, host),
			problems: []string{"nothing published for app.example.com: status.loadBalancer.ingress is empty"}},
		{name: "several hostnames, spaces, dots, case", svc: newService(LB, ip, ann(pre+"hostname", " A.example.com., b.example.com ,a.example.com")),
			want: []string{"a.example.com A 1.2.3.4", "b.example.com A 1.2.3.4"}},
		{name: "target annotation overrides status", svc: newService(LB, host, ip, ann(pre+"target", "8.8.8.8, edge.example.net.")),
			want: []string{"app.example.com A 8.8.8.8", "app.example.com CNAME edge.example.net"}},
		{name: "target annotation on ClusterIP service", svc: newService(CIP, host, ann(pre+"target", "8.8.8.8")),
			want: []string{"app.example.com A 8.8.8.8"}},
		{name: "ClusterIP not published by default", svc: newService(CIP, host), problems: []string{"--publish-internal-services"}},
		{name: "empty type is ClusterIP", svc: newService("", host), opts: source.Options{PublishInternal: true},
			want: []string{"app.example.com A 10.0.0.1"}},
		{name: "ClusterIP with --publish-internal-services", svc: newService(CIP, host), opts: source.Options{PublishInternal: true},
			want: []string{"app.example.com A 10.0.0.1"}},
		{name: "headless skipped", svc: newService(CIP, host, func(s *corev1.Service) { s.Spec.ClusterIP = "None" }),
			opts: source.Options{PublishInternal: true}, problems: []string{"headless"}},
		{name: "internal hostname uses ClusterIP on load balancer", svc: newService(LB, host, ip, ann(pre+"internal-hostname", "app.internal.example.com")),
			want: []string{"app.example.com A 1.2.3.4", "app.internal.example.com A 10.0.0.1"}},
		{name: "internal hostname on ClusterIP service", svc: newService(CIP, ann(pre+"internal-hostname", "app.internal.example.com")),
			want: []string{"app.internal.example.com A 10.0.0.1"}},
		{name: "node port: external IPs and IPv6 internal, SRV per port", svc: newService(NP, host, ports(30080, 30053)), nodes: nodes,
			want: []string{"_app._tcp.app.example.com SRV 0 50 30080 app.example.com", "_app._udp.app.example.com SRV 0 50 30053 app.example.com",
				"app.example.com A 5.5.5.1", "app.example.com AAAA 2001:db8::1"}},
		{name: "node port: no external IP anywhere falls back to internal", svc: newService(NP, host), nodes: internalOnly,
			want: []string{"app.example.com A 10.1.0.1", "app.example.com AAAA 2001:db8::2"}},
		{name: "node port: access private", svc: newService(NP, host, ann(pre+"access", "private")), nodes: nodes,
			want: []string{"app.example.com A 10.1.0.1,10.1.0.2", "app.example.com AAAA 2001:db8::1"}},
		{name: "node port: access public without external IPs", svc: newService(NP, host, ann(pre+"access", "public")), nodes: internalOnly,
			want: []string{"app.example.com AAAA 2001:db8::2"}},
		{name: "node port: bad access reported, name held", svc: newService(NP, host, ann(pre+"access", "internal")), nodes: nodes,
			want: []string{"app.example.com HOLD"}, problems: []string{pre + "access"}},
		{name: "node port: wildcard host gets no SRV", svc: newService(NP, ann(pre+"hostname", "*.example.com"), ports(30080)), nodes: nodes[:1],
			want: []string{"*.example.com A 5.5.5.1", "*.example.com AAAA 2001:db8::1"}},
		{name: "node port: target annotation drops SRV", svc: newService(NP, host, ports(30080), ann(pre+"target", "1.1.1.1")), nodes: nodes,
			want: []string{"app.example.com A 1.1.1.1"}},
		{name: "external name", svc: newService(EN, host, func(s *corev1.Service) { s.Spec.ExternalName = "db.example.org." }),
			want: []string{"app.example.com CNAME db.example.org"}},
		{name: "external name with external IPs", svc: newService(EN, host, func(s *corev1.Service) {
			s.Spec.ExternalName = "db.example.org"
			s.Spec.ExternalIPs = []string{"4.4.4.4"}
		}), want: []string{"app.example.com A 4.4.4.4"}},
		{name: "ttl, set identifier and provider-specific on every record", svc: newService(LB, ip, ann(
			pre+"hostname", "a.example.com,b.example.com", pre+"ttl", "1m", pre+"set-identifier", "eu", pre+"aws-weight", "10")),
			want: []string{"a.example.com A 1.2.3.4 ttl=60 set=eu aws/weight=10", "b.example.com A 1.2.3.4 ttl=60 set=eu aws/weight=10"}},
		{name: "bad ttl reported, name held", svc: newService(LB, host, ip, ann(pre+"ttl", "forever")),
			want: []string{"app.example.com HOLD"}, problems: []string{`invalid ` + pre + `ttl "forever"`}},
		{name: "invalid hostname skipped, others kept", svc: newService(LB, ip, ann(pre+"hostname", "bad_host!.example.com,good.example.com")),
			want: []string{"good.example.com A 1.2.3.4"}, problems: []string{"bad_host!.example.com"}},
		{name: "two CNAME targets rejected, name held", svc: newService(LB, host, lb(corev1.LoadBalancerIngress{Hostname: "a.lb.net"}, corev1.LoadBalancerIngress{Hostname: "b.lb.net"})),
			want: []string{"app.example.com HOLD"}, problems: []string{"exactly one target"}},
		{name: "stable prefix", svc: newService(LB, ip, ann("external-dns.kubernetes.io/hostname", "new.example.com")),
			want: []string{"new.example.com A 1.2.3.4"}},
		{name: "custom prefix only", svc: newService(LB, ip, host, ann("custom.io/hostname", "c.example.com")),
			opts: source.Options{Annotations: newParser("custom.io/")}, want: []string{"c.example.com A 1.2.3.4"}},
		{name: "foreign controller skipped silently", svc: newService(LB, host, ip, ann(pre+"controller", "other", pre+"ttl", "bad"))},
		{name: "empty controller skipped", svc: newService(LB, host, ip, ann(pre+"controller", ""))},
		{name: "dns-controller accepted", svc: newService(LB, host, ip, ann(pre+"controller", "dns-controller")),
			want: []string{"app.example.com A 1.2.3.4"}},
		{name: "own controller value", svc: newService(LB, host, ip, ann(pre+"controller", "exodns")),
			opts: source.Options{Controller: "exodns"}, want: []string{"app.example.com A 1.2.3.4"}},
		{name: "dns-controller is foreign when another value is set", svc: newService(LB, host, ip, ann(pre+"controller", "dns-controller")),
			opts: source.Options{Controller: "exodns"}},
		{name: "ignore hostname annotation", svc: newService(LB, host, ip, ann(pre+"internal-hostname", "i.example.com")),
			opts: source.Options{IgnoreHostnameAnnotation: true}},
		{name: "fqdn template when no hostname", svc: newService(LB, ip), opts: source.Options{FQDNTemplate: tmpl},
			want: []string{"app.default.example.com A 1.2.3.4", "service.example.com A 1.2.3.4"}},
		{name: "fqdn template not used with hostname", svc: newService(LB, host, ip), opts: source.Options{FQDNTemplate: tmpl},
			want: []string{"app.example.com A 1.2.3.4"}},
		{name: "fqdn template combined", svc: newService(LB, host, ip), opts: source.Options{FQDNTemplate: tmpl, CombineFQDNAnnotation: true},
			want: []string{"app.default.example.com A 1.2.3.4", "app.example.com A 1.2.3.4", "service.example.com A 1.2.3.4"}},
		{name: "fqdn template with ignored hostname annotation", svc: newService(LB, host, ip),
			opts: source.Options{FQDNTemplate: tmpl, IgnoreHostnameAnnotation: true},
			want: []string{"app.default.example.com A 1.2.3.4", "service.example.com A 1.2.3.4"}},
		{name: "fqdn template failure reported", svc: newService(LB, ip),
			opts:     source.Options{FQDNTemplate: mustTemplate(t, "{{.Spec.NoSuchField}}")},
			problems: []string{"fqdn-template"}},
		{name: "default targets unforced change nothing", svc: newService(LB, host, ip), opts: source.Options{DefaultTargets: []string{"edge.example.net"}},
			want: []string{"app.example.com A 1.2.3.4"}},
		{name: "default targets unforced do not fill a pending service", svc: newService(LB, host), opts: source.Options{DefaultTargets: []string{"6.6.6.6"}},
			problems: []string{"status.loadBalancer.ingress is empty"}},
		{name: "forced default targets replace status", svc: newService(LB, host, ip),
			opts: source.Options{DefaultTargets: []string{"edge.example.net"}, ForceDefaultTargets: true},
			want: []string{"app.example.com CNAME edge.example.net"}},
		{name: "forced default targets replace annotation", svc: newService(LB, host, ip, ann(pre+"target", "8.8.8.8")),
			opts: source.Options{DefaultTargets: []string{"6.6.6.6"}, ForceDefaultTargets: true},
			want: []string{"app.example.com A 6.6.6.6"}},
		{name: "forced default targets do not fill a pending service", svc: newService(LB, host),
			opts: source.Options{DefaultTargets: []string{"6.6.6.6"}, ForceDefaultTargets: true}, problems: []string{"status.loadBalancer.ingress is empty"}},
		{name: "label filter excludes", svc: newService(LB, host, ip), opts: source.Options{LabelFilter: mustSelector(t, source.ParseLabelFilter, "team=a")}},
		{name: "label filter includes", svc: newService(LB, host, ip, func(s *corev1.Service) { s.Labels = map[string]string{"team": "a"} }),
			opts: source.Options{LabelFilter: mustSelector(t, source.ParseLabelFilter, "team=a")}, want: []string{"app.example.com A 1.2.3.4"}},
		{name: "annotation filter", svc: newService(LB, host, ip, ann("dns", "public")),
			opts: source.Options{AnnotationFilter: mustSelector(t, source.ParseAnnotationFilter, "dns in (public)")}, want: []string{"app.example.com A 1.2.3.4"}},
		{name: "annotation filter excludes", svc: newService(LB, host, ip),
			opts: source.Options{AnnotationFilter: mustSelector(t, source.ParseAnnotationFilter, "dns in (public)")}},
		{name: "service type filter excludes", svc: newService(LB, host, ip), opts: source.Options{ServiceTypeFilter: []string{"NodePort"}}},
		{name: "service type filter includes", svc: newService(LB, host, ip), opts: source.Options{ServiceTypeFilter: []string{"NodePort", "LoadBalancer"}},
			want: []string{"app.example.com A 1.2.3.4"}},
		{name: "nil service", svc: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before string
			if tt.svc != nil {
				before = tt.svc.String()
			}
			r := Endpoints(tt.svc, tt.nodes, tt.opts)
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
			}
			checkInvariants(t, r, "service/default/app")
			if tt.svc != nil && tt.svc.String() != before {
				t.Error("the Service was modified")
			}
		})
	}
}

func TestProblemNamesObject(t *testing.T) {
	r := Endpoints(newService(corev1.ServiceTypeLoadBalancer, ann(pre+"hostname", "a.example.com", pre+"ttl", "0")), nil, source.Options{})
	if len(r.Problems) != 2 || r.Problems[1].Kind != source.NoRecords {
		t.Fatalf("problems %v", r.Problems)
	}
	want := source.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "default", Name: "app", UID: "uid-1"}
	if r.Problems[0].Object != want {
		t.Errorf("object %+v, want %+v", r.Problems[0].Object, want)
	}
}
