package kube

import (
	"reflect"
	"testing"
)

func TestParseZoneVersions(t *testing.T) {
	got := ParseZoneVersions(map[string]string{
		"example.com":  "42 0123abcd",
		"example.org":  "4294967295 ff",
		"bad-serial":   "x 00",
		"too-big":      "4294967296 00",
		"no-digest":    "7",
		"empty-digest": "7 ",
	})
	want := map[string]ZoneVersion{
		"example.com": {Serial: 42, Digest: "0123abcd"},
		"example.org": {Serial: 4294967295, Digest: "ff"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
