package source

import (
	"strings"
	"testing"

	"github.com/exodns/exodns/internal/annotations"
)

func TestParseFilters(t *testing.T) {
	if sel, err := ParseLabelFilter("  "); sel != nil || err != nil {
		t.Errorf("empty filter = %v, %v", sel, err)
	}
	sel, err := ParseAnnotationFilter("kubernetes.io/ingress.class in (nginx, traefik),!skip")
	if err != nil {
		t.Fatal(err)
	}
	o := Options{AnnotationFilter: sel}
	if !o.Selects(nil, map[string]string{"kubernetes.io/ingress.class": "nginx"}) {
		t.Error("matching annotations rejected")
	}
	if o.Selects(nil, map[string]string{"kubernetes.io/ingress.class": "nginx", "skip": ""}) {
		t.Error("excluded annotations accepted")
	}
	for _, bad := range []string{"a in (", "=x", "a==b==c"} {
		_, err := ParseLabelFilter(bad)
		if err == nil || !strings.Contains(err.Error(), "--label-filter") {
			t.Errorf("ParseLabelFilter(%q) error = %v", bad, err)
		}
	}
	lf, _ := ParseLabelFilter("env=prod")
	o = Options{LabelFilter: lf}
	if o.Selects(map[string]string{"env": "dev"}, nil) || !o.Selects(map[string]string{"env": "prod"}, nil) {
		t.Error("label filter")
	}
	if !(Options{}).Selects(nil, nil) {
		t.Error("nil filters must select everything")
	}
}

func TestOwns(t *testing.T) {
	tests := []struct {
		controller string
		v          annotations.Values
		want       bool
	}{
		{"", annotations.Values{}, true},
		{"", annotations.Values{Controller: "dns-controller", HasController: true}, true},
		{"", annotations.Values{Controller: "other", HasController: true}, false},
		{"", annotations.Values{HasController: true}, false},
		{"exodns", annotations.Values{Controller: "exodns", HasController: true}, true},
		{"exodns", annotations.Values{Controller: "dns-controller", HasController: true}, false},
	}
	for _, tt := range tests {
		if got := (Options{Controller: tt.controller}).Owns(tt.v); got != tt.want {
			t.Errorf("Owns(%q, %+v) = %v", tt.controller, tt.v, got)
		}
	}
}
