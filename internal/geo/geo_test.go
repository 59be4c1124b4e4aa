package geo

import (
	"math"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	london := Point{51.5074, -0.1278}
	paris := Point{48.8566, 2.3522}
	newYork := Point{40.7128, -74.0060}
	losAngeles := Point{34.0522, -118.2437}
	tests := []struct {
		name string
		a, b Point
		want float64 // km
		tol  float64 // km
	}{
		{"same point", london, london, 0, 1e-9},
		{"London-Paris", london, paris, 344, 3},
		{"New York-Los Angeles", newYork, losAngeles, 3936, 10},
		{"across the antimeridian", Point{0, 179.5}, Point{0, -179.5}, 111.2, 0.5},
		{"pole to pole", Point{90, 0}, Point{-90, 0}, math.Pi * earthRadiusKm, 0.01},
		{"antipodes", Point{10, 20}, Point{-10, -160}, math.Pi * earthRadiusKm, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Distance(tt.a, tt.b)
			if math.Abs(got-tt.want) > tt.tol {
				t.Errorf("Distance = %.3f km, want %.1f ± %.1f", got, tt.want, tt.tol)
			}
			if back := Distance(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("not symmetric: %.6f vs %.6f", got, back)
			}
		})
	}
}

func TestBuiltinRegions(t *testing.T) {
	r := BuiltinRegions()
	for _, name := range []string{
		"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
		"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1",
		"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "af-south-1",
		"me-south-1", "il-central-1",
	} {
		if _, ok := r.Lookup(name); !ok {
			t.Errorf("region %s missing", name)
		}
	}
	for name, p := range r {
		if !p.Valid() || !validRegionName(name) {
			t.Errorf("region %s: bad entry %+v", name, p)
		}
	}
	// Spot-check placement: Ireland is nearer London than Frankfurt is,
	// and Singapore is nowhere near Europe.
	if Distance(r["eu-west-1"], r["eu-west-2"]) > Distance(r["eu-central-1"], r["eu-west-2"]) {
		t.Error("eu-west-1 should be nearer London than eu-central-1 is")
	}
	if d := Distance(r["ap-southeast-1"], r["eu-west-1"]); d < 10000 {
		t.Errorf("Singapore-Ireland %.0f km, want > 10000", d)
	}
	// A copy: changing it must not change the next one.
	r["us-east-1"] = Point{}
	if BuiltinRegions()["us-east-1"] == (Point{}) {
		t.Error("BuiltinRegions shares its map")
	}
}

func TestParseRegions(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		check   map[string]Point
		wantErr string
	}{
		{
			name:  "empty keeps built-ins",
			in:    "",
			check: map[string]Point{"eu-west-1": BuiltinRegions()["eu-west-1"]},
		},
		{
			name: "override and add, comments and blank lines",
			in: "# sites\n\n" +
				"eu-west-1 53.0 -6.0   # nearer Kildare\n" +
				"DC-Paris 48.85 2.35\n",
			check: map[string]Point{"eu-west-1": {53, -6}, "dc-paris": {48.85, 2.35}, "us-east-1": BuiltinRegions()["us-east-1"]},
		},
		{name: "too few fields", in: "x 1\n", wantErr: "line 1: want"},
		{name: "too many fields", in: "\nx 1 2 3\n", wantErr: "line 2: want"},
		{name: "latitude out of range", in: "x 91 0", wantErr: "line 1: latitude \"91\""},
		{name: "longitude out of range", in: "x 0 -181", wantErr: "longitude \"-181\""},
		{name: "NaN", in: "x NaN 0", wantErr: "latitude \"NaN\""},
		{name: "not a number", in: "x north 0", wantErr: "latitude \"north\""},
		{name: "bad name", in: "eu_west 0 0", wantErr: "not a region name"},
		{name: "duplicate", in: "x 0 0\nX 1 1\n", wantErr: "line 2: region \"x\" already set on line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRegions(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "geo: ") {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tt.check {
				if p, ok := got.Lookup(name); !ok || p != want {
					t.Errorf("%s = %+v, %v; want %+v", name, p, ok, want)
				}
			}
		})
	}
}

func TestIsContinent(t *testing.T) {
	for _, c := range []string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"} {
		if !IsContinent(c) {
			t.Errorf("%s refused", c)
		}
	}
	for _, c := range []string{"", "eu", "EUR", "XX", "*"} {
		if IsContinent(c) {
			t.Errorf("%q accepted", c)
		}
	}
}
