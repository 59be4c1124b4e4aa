//go:build integration

package deploy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// TestHelmLint runs `helm lint --strict` over every value set.
func TestHelmLint(t *testing.T) {
	h := helm(t)
	for _, c := range valueCases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			out, err := run(ctx, repoRoot, h, append([]string{"lint", "--strict", chartDir, "--namespace", c.namespace}, c.args()...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}

func TestTemplateDefaults(t *testing.T) {
	objs := mustTemplate(t, valueCases[0])
	args := containerArgs(t, objs)
	for _, want := range []string{"--provider=aws", "--policy=upsert-only", "--registry=txt", "--source=service",
		"--source=ingress", "--interval=1m", "--log-level=info", "--log-format=text", "--metrics-address=:7979"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "--leader-elect") || strings.HasPrefix(a, "--embedded") || strings.HasPrefix(a, "--txt-owner-id") {
			t.Errorf("unexpected %s in %v", a, args)
		}
	}
	c := container(t, objs)
	probe := func(name string) (string, string) {
		p, _, _ := unstructured.NestedMap(c, name, "httpGet")
		return fmt.Sprint(p["path"]), fmt.Sprint(p["port"])
	}
	if path, port := probe("readinessProbe"); path != "/readyz" || port != "http" {
		t.Errorf("readiness probe %s on %s, want /readyz on http", path, port)
	}
	if path, port := probe("livenessProbe"); path != "/healthz" || port != "http" {
		t.Errorf("liveness probe %s on %s, want /healthz on http", path, port)
	}
	sc := c["securityContext"].(map[string]any)
	if sc["readOnlyRootFilesystem"] != true || sc["runAsNonRoot"] != true || fmt.Sprint(sc["runAsUser"]) != "65532" {
		t.Errorf("securityContext %v", sc)
	}
	d := mustFind(t, objs, "Deployment", "exodns")
	if r, _, _ := unstructured.NestedFieldNoCopy(d.Object, "spec", "replicas"); fmt.Sprint(r) != "1" {
		t.Errorf("replicas %v", r)
	}
	for _, kind := range []string{"PodDisruptionBudget", "Role", "PersistentVolumeClaim", "ServiceMonitor"} {
		if o := find(objs, kind, ""); o != nil {
			t.Errorf("unexpected %s %s with one aws replica", kind, o.GetName())
		}
	}
	if s := find(objs, "Service", "exodns-dns"); s != nil {
		t.Error("a DNS Service without the embedded provider")
	}
	rules := clusterRules(t, objs, "exodns")
	for _, want := range []string{"/services", "/pods", "/nodes", "networking.k8s.io/ingresses", "/events"} {
		if !hasRule(rules, want) {
			t.Errorf("ClusterRole lacks %s: %v", want, rules)
		}
	}
	for _, not := range []string{"externaldns.k8s.io/dnsendpoints", "gateway.networking.k8s.io/httproutes", "/namespaces", "/secrets", "/configmaps"} {
		if hasRule(rules, not) {
			t.Errorf("ClusterRole grants %s, which no enabled source reads", not)
		}
	}
	if crds := find(objs, "CustomResourceDefinition", ""); crds != nil {
		t.Error("CRDs belong in crds/, installed by helm before the templates, not in templates/")
	}
}

// The seeds' two clusters, their values unchanged: the same credentials,
// mounted the same way, and each its own owner and prefix.
func TestTemplateTwoClustersFromSeeds(t *testing.T) {
	for _, c := range []struct {
		vc            valueCase
		owner, prefix string
	}{{valueCases[1], "rke2-cluster", "rke2"}, {valueCases[2], "k3s-cluster", "k3s"}} {
		t.Run(c.vc.name, func(t *testing.T) {
			objs := mustTemplate(t, c.vc)
			args := containerArgs(t, objs)
			for _, want := range []string{"--provider=aws", "--txt-owner-id=" + c.owner, "--txt-prefix=" + c.prefix, "--registry=txt", "--policy=upsert-only"} {
				if !slices.Contains(args, want) {
					t.Errorf("args %v lack %s", args, want)
				}
			}
			ctr := container(t, objs)
			wantEnv := []any{
				map[string]any{"name": "AWS_DEFAULT_REGION", "value": "us-east-1"},
				map[string]any{"name": "AWS_SHARED_CREDENTIALS_FILE", "value": "/etc/aws/credentials/poc_credentials"},
			}
			if !equalYAML(ctr["env"], wantEnv) {
				t.Errorf("env %v, want the seed's %v", ctr["env"], wantEnv)
			}
			wantMounts := []any{map[string]any{"name": "aws-credentials", "mountPath": "/etc/aws/credentials", "readOnly": true}}
			if !equalYAML(ctr["volumeMounts"], wantMounts) {
				t.Errorf("volumeMounts %v, want the seed's %v", ctr["volumeMounts"], wantMounts)
			}
			d := mustFind(t, objs, "Deployment", "external-dns-exodns")
			vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
			wantVols := []any{map[string]any{"name": "aws-credentials", "secret": map[string]any{"secretName": "external-dns"}}}
			if !equalYAML(vols, wantVols) {
				t.Errorf("volumes %v, want the seed's %v", vols, wantVols)
			}
			if d.GetNamespace() != "external-dns" {
				t.Errorf("namespace %q", d.GetNamespace())
			}
		})
	}
}

func TestTemplateEmbeddedTwoReplicas(t *testing.T) {
	objs := mustTemplate(t, valueCases[3])
	d := mustFind(t, objs, "Deployment", "exodns")
	if r, _, _ := unstructured.NestedFieldNoCopy(d.Object, "spec", "replicas"); fmt.Sprint(r) != "2" {
		t.Errorf("replicas %v, want 2", r)
	}
	args := containerArgs(t, objs)
	for _, want := range []string{"--provider=embedded", "--leader-elect", "--leader-election-id=exodns-leader-exodns",
		"--embedded-zone=example.com", "--embedded-listen=:5353", "--embedded-db=/var/lib/exodns/embedded.db", "--policy=sync", "--source=crd"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	pdb := mustFind(t, objs, "PodDisruptionBudget", "exodns")
	if v, _, _ := unstructured.NestedFieldNoCopy(pdb.Object, "spec", "minAvailable"); fmt.Sprint(v) != "1" {
		t.Errorf("PDB minAvailable %v", v)
	}
	svc := mustFind(t, objs, "Service", "exodns-dns")
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	got := map[string]string{}
	for _, p := range ports {
		m := p.(map[string]any)
		got[fmt.Sprint(m["protocol"])] = fmt.Sprintf("%v->%v", m["port"], m["targetPort"])
	}
	if got["UDP"] != "53->dns-udp" || got["TCP"] != "53->dns-tcp" {
		t.Errorf("DNS Service ports %v", got)
	}
	cports := map[string]string{}
	for _, p := range container(t, objs)["ports"].([]any) {
		m := p.(map[string]any)
		cports[fmt.Sprint(m["name"])] = fmt.Sprintf("%v/%v", m["containerPort"], m["protocol"])
	}
	if cports["dns-udp"] != "5353/UDP" || cports["dns-tcp"] != "5353/TCP" || cports["http"] != "7979/TCP" {
		t.Errorf("container ports %v", cports)
	}
	vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
	if len(vols) != 1 || vols[0].(map[string]any)["emptyDir"] == nil {
		t.Errorf("volumes %v, want one emptyDir for the store", vols)
	}
	role := mustFind(t, objs, "Role", "exodns-leader-election")
	rules := ruleSet(t, role)
	for _, want := range []string{"coordination.k8s.io/leases:create", "coordination.k8s.io/leases[exodns-leader-exodns]:get,update",
		"/configmaps:create", "/configmaps[exodns-leader-exodns-zones]:get,list,watch,update"} {
		if !slices.Contains(rules, want) {
			t.Errorf("leader Role lacks %s: %v", want, rules)
		}
	}
	cr := clusterRules(t, objs, "exodns")
	for _, want := range []string{"externaldns.k8s.io/dnsendpoints", "externaldns.k8s.io/dnsendpoints/status", "externaldns.nginx.org/dnsendpoints"} {
		if !hasRule(cr, want) {
			t.Errorf("ClusterRole lacks %s", want)
		}
	}
}

func TestTemplateUpstreamSurface(t *testing.T) {
	objs := mustTemplate(t, valueCases[4])
	args := containerArgs(t, objs)
	for _, want := range []string{"--provider=aws", "--policy=sync", "--txt-owner-id=prod-east", "--txt-suffix=-%{record_type}",
		"--events", "--log-level=warn", "--log-format=json", "--domain-filter=example.com", "--domain-filter=example.org",
		"--exclude-domains=internal.example.com", "--label-filter=team=dns", "--managed-record-types=TXT",
		"--aws-zone-type=public", "--aws-zone-tags=team=dns", "--aws-zone-tags=env=prod", "--aws-prefer-cname",
		"--interval=3m", "--source=gateway-httproute"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	if slices.Contains(args, "--interval=2m") {
		t.Error("extraArgs map key interval should override the interval value")
	}
	sa := mustFind(t, objs, "ServiceAccount", "external-dns")
	if sa.GetAnnotations()["eks.amazonaws.com/role-arn"] == "" {
		t.Error("IRSA annotation lost")
	}
	sm := mustFind(t, objs, "ServiceMonitor", "external-dns-exodns")
	if sm.GetLabels()["release"] != "prometheus" {
		t.Errorf("ServiceMonitor labels %v", sm.GetLabels())
	}
	cr := clusterRules(t, objs, "external-dns-exodns")
	for _, want := range []string{"gateway.networking.k8s.io/httproutes", "gateway.networking.k8s.io/gateways", "/namespaces", "/configmaps"} {
		if !hasRule(cr, want) {
			t.Errorf("ClusterRole lacks %s", want)
		}
	}
	if hasRule(cr, "gateway.networking.k8s.io/grpcroutes") {
		t.Error("grpcroutes granted without the gateway-grpcroute source")
	}
	d := mustFind(t, objs, "Deployment", "")
	spec, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
	for _, k := range []string{"nodeSelector", "tolerations", "affinity", "securityContext"} {
		if spec[k] == nil {
			t.Errorf("pod spec lacks %s", k)
		}
	}
	labels, _, _ := unstructured.NestedStringMap(d.Object, "spec", "template", "metadata", "labels")
	if labels["team"] != "dns" {
		t.Errorf("pod labels %v", labels)
	}

	// The list form of extraArgs, as the older charts have it.
	list := valueCases[0]
	list.set = []string{"extraArgs={--aws-zone-type=private,--aws-zone-match-parent}"}
	args = containerArgs(t, mustTemplate(t, list))
	if !slices.Contains(args, "--aws-zone-type=private") || !slices.Contains(args, "--aws-zone-match-parent") {
		t.Errorf("list extraArgs lost: %v", args)
	}
}

// Values the chart cannot honour fail the install with a message naming
// them; so does a key that is not a value at all.
func TestTemplateRefuses(t *testing.T) {
	for _, c := range []struct {
		name string
		set  []string
		want string
	}{
		{"typo at the top", []string{"txtOwnerID=x"}, "txtOwnerID"},
		{"typo nested", []string{"provider.name=embedded", "embedded.zone=example.com"}, "zone"},
		{"typo in serviceAccount", []string{"serviceAccount.anotations.a=b"}, "anotations"},
		{"provider without exodns support", []string{"provider.name=cloudflare"}, "provider.name=cloudflare: exodns has no such provider"},
		{"webhook sidecar", []string{"provider.name=webhook", "provider.webhook.image.repository=ghcr.io/example/webhook"}, "provider.webhook.image"},
		{"string provider without support", []string{"provider=google"}, "provider.name=google"},
		{"crd registry", []string{"registry=crd"}, "registry=crd: exodns has no such registry"},
		{"fatal log level", []string{"logLevel=fatal"}, "logLevel=fatal"},
		{"prefix and suffix", []string{"txtPrefix=a", "txtSuffix=b"}, "txtPrefix and txtSuffix"},
		{"unknown source", []string{"sources={service,istio-gateway}"}, `"istio-gateway" is not an exodns source`},
		{"unknown extra flag", []string{"extraArgs={--cloudflare-proxied}"}, "--cloudflare-proxied is not an exodns flag"},
		{"unknown extra flag in a map", []string{"extraArgs.google-project=p"}, "--google-project is not an exodns flag"},
		{"flag the chart owns", []string{"extraArgs={--metrics-address=:9090}"}, "--metrics-address is set by the chart"},
		{"embedded without zones", []string{"provider.name=embedded"}, "needs embedded.zones"},
		{"one volume for two replicas", []string{"provider.name=embedded", "embedded.zones={example.com}", "replicas=2",
			"embedded.storage.type=persistentVolumeClaim"}, "with replicas > 1 use emptyDir"},
		{"replicas without leader election", []string{"replicas=2", "leaderElection.enabled=false"}, "every replica would write"},
		{"replicas and replicaCount disagree", []string{"replicas=2", "replicaCount=3"}, "disagree"},
		{"manifest without a path", []string{"sources={manifest}"}, "--manifest-path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			vc := valueCases[0]
			vc.set = c.set
			_, err := helmTemplate(t, vc)
			if err == nil {
				t.Fatalf("helm template accepted %v", c.set)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error does not say %q:\n%v", c.want, err)
			}
		})
	}
}

// clusterRules lists the ClusterRole's rules as "group/resource" strings.
func clusterRules(t testing.TB, objs []*unstructured.Unstructured, name string) []string {
	t.Helper()
	return ruleSet(t, mustFind(t, objs, "ClusterRole", name))
}

// ruleSet flattens a role's rules into "group/resource[names]:verbs"
// strings, one per resource.
func ruleSet(t testing.TB, role *unstructured.Unstructured) []string {
	t.Helper()
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	var out []string
	for _, r := range rules {
		m := r.(map[string]any)
		verbs := strings.Join(toStrings(m["verbs"]), ",")
		names := ""
		if n := toStrings(m["resourceNames"]); len(n) > 0 {
			names = "[" + strings.Join(n, ",") + "]"
		}
		for _, g := range toStrings(m["apiGroups"]) {
			for _, res := range toStrings(m["resources"]) {
				out = append(out, g+"/"+res+names+":"+verbs)
			}
		}
	}
	return out
}

func hasRule(rules []string, groupResource string) bool {
	for _, r := range rules {
		if strings.HasPrefix(r, groupResource+":") {
			return true
		}
	}
	return false
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

func equalYAML(a, b any) bool {
	ja, err1 := yaml.Marshal(a)
	jb, err2 := yaml.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// The rest of the surface, one value at a time.
func TestTemplateMore(t *testing.T) {
	base := valueCases[0]
	with := func(set ...string) []*unstructured.Unstructured {
		c := base
		c.set = set
		return mustTemplate(t, c)
	}

	t.Run("namespaced", func(t *testing.T) {
		objs := with("namespaced=true")
		if !slices.Contains(containerArgs(t, objs), "--namespace=exodns") {
			t.Errorf("args %v lack --namespace=exodns", containerArgs(t, objs))
		}
		role := ruleSet(t, mustFind(t, objs, "Role", "exodns"))
		if !hasRule(role, "/services") || !hasRule(role, "networking.k8s.io/ingresses") || hasRule(role, "/nodes") {
			t.Errorf("Role %v", role)
		}
		// Nodes are cluster-scoped: only a ClusterRole can grant them.
		cr := ruleSet(t, mustFind(t, objs, "ClusterRole", "exodns-exodns"))
		if len(cr) != 1 || !hasRule(cr, "/nodes") {
			t.Errorf("ClusterRole %v, want nodes only", cr)
		}
	})

	t.Run("secretConfiguration", func(t *testing.T) {
		objs := with("secretConfiguration.enabled=true", "secretConfiguration.mountPath=/etc/exodns",
			"secretConfiguration.data.token=abc")
		sec := mustFind(t, objs, "Secret", "exodns")
		if v, _, _ := unstructured.NestedString(sec.Object, "data", "token"); v != "YWJj" {
			t.Errorf("secret data %q", v)
		}
		mounts := fmt.Sprint(container(t, objs)["volumeMounts"])
		if !strings.Contains(mounts, "/etc/exodns") {
			t.Errorf("mounts %s", mounts)
		}
	})

	t.Run("persistent store", func(t *testing.T) {
		objs := with("provider.name=embedded", "embedded.zones={example.com}", "embedded.storage.type=persistentVolumeClaim",
			"embedded.storage.persistentVolumeClaim.size=2Gi")
		pvc := mustFind(t, objs, "PersistentVolumeClaim", "exodns-store")
		if v, _, _ := unstructured.NestedString(pvc.Object, "spec", "resources", "requests", "storage"); v != "2Gi" {
			t.Errorf("claim size %q", v)
		}
		d := mustFind(t, objs, "Deployment", "exodns")
		vols, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "volumes")
		if !strings.Contains(fmt.Sprint(vols), "claimName:exodns-store") {
			t.Errorf("volumes %v", vols)
		}
		if s, _, _ := unstructured.NestedString(d.Object, "spec", "strategy", "type"); s != "Recreate" {
			t.Errorf("strategy %q with a claim", s)
		}
	})

	t.Run("tsig key from a secret", func(t *testing.T) {
		objs := with("provider.name=embedded", "embedded.zones={example.com}", "embedded.tsigKeySecret.name=axfr",
			"embedded.tsigKeySecret.key=key")
		env := fmt.Sprint(container(t, objs)["env"])
		if !strings.Contains(env, "EXTERNAL_DNS_EMBEDDED_TSIG_KEY") || !strings.Contains(env, "axfr") {
			t.Errorf("env %s", env)
		}
		for _, a := range containerArgs(t, objs) {
			if strings.Contains(a, "tsig") {
				t.Errorf("a key in args: %s", a)
			}
		}
	})

	t.Run("replicaCount", func(t *testing.T) {
		objs := with("replicaCount=3")
		d := mustFind(t, objs, "Deployment", "exodns")
		if r, _, _ := unstructured.NestedFieldNoCopy(d.Object, "spec", "replicas"); fmt.Sprint(r) != "3" {
			t.Errorf("replicas %v", r)
		}
		if !slices.Contains(containerArgs(t, objs), "--leader-elect") || find(objs, "PodDisruptionBudget", "") == nil {
			t.Error("three replicas without leader election or a PodDisruptionBudget")
		}
	})
}
