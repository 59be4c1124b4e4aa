package source

import (
	"reflect"
	"testing"
)

func TestTargets(t *testing.T) {
	ann, disc, def := []string{"8.8.8.8"}, []string{"1.2.3.4"}, []string{"lb.example.net"}
	tests := []struct {
		name                string
		annotated, discover []string
		opts                Options
		want                []string
	}{
		{"discovered", nil, disc, Options{}, disc},
		{"annotation wins", ann, disc, Options{}, ann},
		{"unforced defaults ignored", ann, disc, Options{DefaultTargets: def}, ann},
		{"unforced defaults do not fill", nil, nil, Options{DefaultTargets: def}, nil},
		{"forced replace discovered", nil, disc, Options{DefaultTargets: def, ForceDefaultTargets: true}, def},
		{"forced replace annotation", ann, nil, Options{DefaultTargets: def, ForceDefaultTargets: true}, def},
		{"forced do not fill", nil, nil, Options{DefaultTargets: def, ForceDefaultTargets: true}, nil},
		{"force without defaults", nil, disc, Options{ForceDefaultTargets: true}, disc},
	}
	for _, tt := range tests {
		if got := tt.opts.Targets(tt.annotated, tt.discover); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
