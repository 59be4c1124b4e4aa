package source

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"
	"text/template"
)

// ParseFQDNTemplate parses --fqdn-template. An empty text yields nil (no
// template). The functions are the ones upstream offers, with the same
// names and argument order, so existing templates keep working.
func ParseFQDNTemplate(text string) (*template.Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	t, err := template.New("fqdn-template").Funcs(fqdnFuncs()).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("source: --fqdn-template %q: %w", text, err)
	}
	return t, nil
}

func fqdnFuncs() template.FuncMap {
	return template.FuncMap{
		"contains":   strings.Contains,
		"trimPrefix": strings.TrimPrefix,
		"trimSuffix": strings.TrimSuffix,
		"trim":       strings.TrimSpace,
		"toLower":    strings.ToLower,
		// replace takes the string last, so that it can end a pipeline.
		"replace": func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"isIPv4":  func(s string) bool { a, err := netip.ParseAddr(s); return err == nil && a.Is4() },
		"isIPv6":  func(s string) bool { a, err := netip.ParseAddr(s); return err == nil && a.Is6() },
		// hasKey tells a missing key from an empty value, which index cannot.
		"hasKey": func(m map[string]string, k string) bool { _, ok := m[k]; return ok },
	}
}

// ExecFQDNTemplate runs the template on obj and splits the output into
// hostnames: comma-separated, spaces and trailing dots removed, empty
// entries dropped. obj should have its TypeMeta set, since templates may
// use .Kind.
func ExecFQDNTemplate(t *template.Template, obj any) ([]string, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, obj); err != nil {
		return nil, fmt.Errorf("source: --fqdn-template: %w", err)
	}
	var out []string
	for _, h := range strings.Split(buf.String(), ",") {
		h = strings.TrimSuffix(strings.TrimSpace(h), ".")
		if h != "" {
			out = append(out, h)
		}
	}
	return out, nil
}

// TemplateHostnames returns the hostnames --fqdn-template gives obj: when
// the object named none itself, or always with --combine-fqdn-annotation.
// A failing template is reported and yields none.
func (b *Builder) TemplateHostnames(opts Options, obj any, named bool) []string {
	if opts.FQDNTemplate == nil || (named && !opts.CombineFQDNAnnotation) {
		return nil
	}
	hosts, err := ExecFQDNTemplate(opts.FQDNTemplate, obj)
	if err != nil {
		b.Report(err)
		return nil
	}
	return hosts
}
