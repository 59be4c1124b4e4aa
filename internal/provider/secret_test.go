package provider

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("hunter2")
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "secret", s, "struct", struct{ Key Secret }{s})
	out := fmt.Sprintf("%v %s %+v %#v %q", s, s, struct{ Key Secret }{s}, s, s) + logs.String()
	if strings.Contains(out, "hunter2") {
		t.Errorf("secret printed: %s", out)
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal")
	}
}

func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "key")
	if err := os.WriteFile(file, []byte("c2VjcmV0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value   Secret
		file    string
		want    Secret
		wantErr string
	}{
		{"flag", "", "flag", ""},
		{"", file, "c2VjcmV0", ""},
		{"flag", file, "", "both"},
		{"", filepath.Join(dir, "missing"), "", "missing"},
		{"", empty, "", "empty"},
	}
	for _, tt := range tests {
		got, err := ReadSecret(tt.value, tt.file)
		if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ReadSecret(%q, %q) = %q, %v", tt.value.Reveal(), tt.file, got.Reveal(), err)
		}
	}
}
