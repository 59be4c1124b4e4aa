package source

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFQDNTemplate(t *testing.T) {
	if tmpl, err := ParseFQDNTemplate(""); tmpl != nil || err != nil {
		t.Errorf("empty template = %v, %v", tmpl, err)
	}
	if _, err := ParseFQDNTemplate("{{.Name"); err == nil || !strings.Contains(err.Error(), "--fqdn-template") {
		t.Errorf("bad template error = %v", err)
	}
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "My-App", Namespace: "prod", Labels: map[string]string{"marker": ""}},
		Spec:       corev1.ServiceSpec{ClusterIP: "10.0.0.1"},
	}
	tests := []struct {
		text string
		want []string
	}{
		{"{{.Name}}.example.com", []string{"My-App.example.com"}},
		{"{{.Name | toLower}}.{{.Namespace}}.example.com., , {{.Kind | toLower}}.example.com", []string{"my-app.prod.example.com", "service.example.com"}},
		{`{{replace "-" "." .Name | toLower}}.example.com`, []string{"my.app.example.com"}},
		{`{{trimPrefix .Name "My-"}}.{{trimSuffix .Namespace "od"}}.example.com`, []string{"App.pr.example.com"}},
		{`{{if contains .Name "App"}}yes{{end}}.{{trim "  x "}}.example.com`, []string{"yes.x.example.com"}},
		{`{{if isIPv4 .Spec.ClusterIP}}v4{{end}}{{if isIPv6 .Spec.ClusterIP}}v6{{end}}.example.com`, []string{"v4.example.com"}},
		{`{{if hasKey .Labels "marker"}}m{{end}}{{if hasKey .Labels "none"}}n{{end}}.example.com`, []string{"m.example.com"}},
	}
	for _, tt := range tests {
		tmpl, err := ParseFQDNTemplate(tt.text)
		if err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		got, err := ExecFQDNTemplate(tmpl, svc)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q = %q, %v; want %q", tt.text, got, err, tt.want)
		}
	}
}
