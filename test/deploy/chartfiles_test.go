//go:build integration

package deploy

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/exodns/exodns/internal/config"
)

var update = flag.Bool("update", false, "rewrite the chart's files/*.txt and deploy/manifests from the current code")

// TestChartKnowsTheBinary keeps the lists the chart validates values
// against (deploy/chart/exodns/files/*.txt) equal to what the exodns binary
// accepts: a flag, source, provider or registry added to the command must
// reach the chart, or users could not set it; one removed must fail the
// install, not the pod.
func TestChartKnowsTheBinary(t *testing.T) {
	fs := pflag.NewFlagSet("exodns", pflag.ContinueOnError)
	cfg := config.Default()
	config.BindFlags(fs, &cfg)
	var flags []string
	fs.VisitAll(func(f *pflag.Flag) { flags = append(flags, f.Name) })
	slices.Sort(flags)

	choices := func(flagName string) []string {
		f := fs.Lookup(flagName)
		if f == nil {
			t.Fatalf("no --%s flag", flagName)
		}
		// The usage ends with "...: name (what), name (what), ...".
		_, list, ok := strings.Cut(f.Usage, ": ")
		if !ok {
			t.Fatalf("--%s usage names no choices: %q", flagName, f.Usage)
		}
		var out []string
		for _, m := range regexp.MustCompile(`(?:^|, )([a-z0-9-]+) \(`).FindAllStringSubmatch(list, -1) {
			out = append(out, m[1])
		}
		if len(out) == 0 {
			t.Fatalf("--%s: no choices found in %q", flagName, f.Usage)
		}
		return out
	}
	want := map[string][]string{
		"flags.txt":      flags,
		"sources.txt":    choices("source"),
		"providers.txt":  choices("provider"),
		"registries.txt": choices("registry"),
	}
	for name, lines := range want {
		path := filepath.Join(chartDir, "files", name)
		content := strings.Join(lines, "\n") + "\n"
		if *update {
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Errorf("%s differs from the binary's; run: go test -tags integration ./test/deploy -run TestChartKnowsTheBinary -update\nwant:\n%s", path, content)
		}
	}
}
