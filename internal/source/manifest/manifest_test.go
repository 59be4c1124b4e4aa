package manifest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exodns/exodns/internal/endpoint"
	"github.com/exodns/exodns/internal/endpoint/endpointtest"
	"github.com/exodns/exodns/internal/source"
)

const svcYAML = `apiVersion: v1
kind: Service
metadata:
  name: app
  annotations:
    external-dns.alpha.kubernetes.io/hostname: app.example.com
spec:
  type: LoadBalancer
status:
  loadBalancer:
    ingress: [{ip: 192.0.2.10}]
`

const ingressYAML = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules: [{host: www.example.com}]
  tls: [{hosts: [secure.example.com]}]
status:
  loadBalancer:
    ingress: [{hostname: lb.example.net}]
`

const dnsEndpointYAML = `apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: api, namespace: default}
spec:
  endpoints:
  - {dnsName: api.example.com, recordType: A, targets: [192.0.2.30]}
`

const nginxYAML = `apiVersion: externaldns.nginx.org/v1
kind: DNSEndpoint
metadata: {name: vs, namespace: default}
spec:
  endpoints:
  - {dnsName: vs.example.com, recordType: A, targets: [192.0.2.40]}
`

type collector struct {
	mu       sync.Mutex
	problems []source.Problem
}

func (c *collector) Report(p source.Problem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.problems = append(c.problems, p)
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// render is endpointtest.Render with the object each endpoint came
// from, sorted.
func render(eps []*endpoint.Endpoint) []string {
	out := endpointtest.Render(eps, endpoint.ResourceLabel)
	slices.Sort(out)
	return out
}

func TestEndpoints(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		paths    func(dir string) []string
		opts     source.Options
		want     []string
		problems []string // substrings, in order
		// incomplete: a file has never parsed, so the read says nothing
		// may be deleted.
		incomplete bool
	}{
		{
			name:  "folder with one object per file, default namespace",
			files: map[string]string{"svc.yaml": svcYAML, "ing.yml": ingressYAML, "dep.json": `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}`},
			want: []string{"app.example.com A 192.0.2.10 resource:service/default/app",
				"secure.example.com CNAME lb.example.net resource:ingress/shop/web", "www.example.com CNAME lb.example.net resource:ingress/shop/web"},
		},
		{
			name:  "multi-document file and nested folder",
			files: map[string]string{"all.yaml": svcYAML + "---\n# comment only\n---\n" + dnsEndpointYAML, "sub/dir/ing.yaml": ingressYAML},
			want: []string{"api.example.com A 192.0.2.30 resource:crd/default/api", "app.example.com A 192.0.2.10 resource:service/default/app",
				"secure.example.com CNAME lb.example.net resource:ingress/shop/web", "www.example.com CNAME lb.example.net resource:ingress/shop/web"},
		},
		{
			// A file is used whole or not at all: half a file may name a
			// record wrongly. Never parsed, it publishes nothing and the
			// read is incomplete, so nothing is deleted; other files count.
			name:       "broken document: the file is not used, the error names it and the document",
			files:      map[string]string{"all.yaml": svcYAML + "---\nkind: [unclosed\n---\n" + dnsEndpointYAML, "ing.yaml": ingressYAML},
			want:       []string{"secure.example.com CNAME lb.example.net resource:ingress/shop/web", "www.example.com CNAME lb.example.net resource:ingress/shop/web"},
			problems:   []string{"all.yaml", "document 1"},
			incomplete: true,
		},
		{
			name:       "document without kind reported",
			files:      map[string]string{"x.yaml": "foo: bar\n---\n" + svcYAML},
			problems:   []string{"x.yaml", "document 0", "apiVersion and kind are required"},
			incomplete: true,
		},
		{
			name:       "object of the wrong shape reported",
			files:      map[string]string{"x.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec: {ports: 7}\n"},
			problems:   []string{"x.yaml#0", "Service"},
			incomplete: true,
		},
		{
			name:  "List kind expanded",
			files: map[string]string{"list.yaml": "apiVersion: v1\nkind: List\nitems:\n- " + strings.ReplaceAll(strings.TrimSpace(dnsEndpointYAML), "\n", "\n  ") + "\n"},
			want:  []string{"api.example.com A 192.0.2.30 resource:crd/default/api"},
		},
		{
			name:  "nginx DNSEndpoint through --crd-source-apiversion",
			files: map[string]string{"a.yaml": dnsEndpointYAML, "b.yaml": nginxYAML},
			opts:  source.Options{CRDAPIVersion: "externaldns.nginx.org/v1", CRDKind: "DNSEndpoint"},
			want:  []string{"vs.example.com A 192.0.2.40 resource:crd/default/vs"},
		},
		{
			name:  "explicit files, repeated; hidden and non-manifest files ignored",
			files: map[string]string{"svc.yaml": svcYAML, ".hidden.yaml": dnsEndpointYAML, "notes.txt": "hello", "ing.yaml": ingressYAML},
			paths: func(dir string) []string {
				return []string{filepath.Join(dir, "svc.yaml"), dir + "/svc.yaml"}
			},
			want: []string{"app.example.com A 192.0.2.10 resource:service/default/app"},
		},
		{
			name: "invalid annotation holds the name and is reported",
			files: map[string]string{"svc.yaml": strings.Replace(svcYAML, "hostname: app.example.com",
				"hostname: app.example.com\n    external-dns.alpha.kubernetes.io/ttl: forever", 1)},
			want:     []string{"app.example.com HOLD"},
			problems: []string{`ttl "forever"`},
		},
		{
			name: "NodePort Service uses Node objects from the manifests",
			files: map[string]string{"np.yaml": strings.Replace(svcYAML, "type: LoadBalancer", "type: NodePort", 1) +
				"---\napiVersion: v1\nkind: Node\nmetadata: {name: n1}\nstatus:\n  addresses: [{type: ExternalIP, address: 198.51.100.7}]\n"},
			want: []string{"app.example.com A 198.51.100.7 resource:service/default/app"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				write(t, dir, n, c)
			}
			paths := []string{dir}
			if tt.paths != nil {
				paths = tt.paths(dir)
			}
			col := &collector{}
			eps, err := settled(New(paths, tt.opts, col, nil, 0)).Endpoints(context.Background())
			if _, inc := source.AsIncomplete(err); err != nil && !(inc && tt.incomplete) {
				t.Fatal(err)
			} else if tt.incomplete && !inc {
				t.Errorf("err = %v, want an incomplete read", err)
			}
			if got := render(eps); !slices.Equal(got, tt.want) {
				t.Errorf("endpoints\n got  %q\n want %q", got, tt.want)
			}
			if len(col.problems) != len(tt.problems) && !(len(tt.problems) > 0 && len(col.problems) >= 1) {
				t.Fatalf("problems = %v, want %q", col.problems, tt.problems)
			}
			for _, want := range tt.problems {
				found := false
				for _, p := range col.problems {
					found = found || strings.Contains(p.Error(), want)
				}
				if !found {
					t.Errorf("no problem mentions %q: %v", want, col.problems)
				}
			}
			if len(tt.problems) == 0 && len(col.problems) > 0 {
				t.Errorf("unexpected problems %v", col.problems)
			}
		})
	}
}

// settled makes s judge every file as left alone long ago.
func settled(s *Source) *Source {
	s.now = func() time.Time { return time.Now().Add(time.Hour) }
	return s
}

func TestMissingPathIsAnError(t *testing.T) {
	_, err := New([]string{filepath.Join(t.TempDir(), "nope")}, source.Options{}, nil, nil, 0).Endpoints(context.Background())
	if err == nil {
		t.Fatal("a missing --manifest-path must fail the read, not read as 'no records' and delete them")
	}
}

func TestRereadsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "svc.yaml", svcYAML)
	s := settled(New([]string{dir}, source.Options{}, nil, nil, 0))
	ctx := context.Background()
	eps, _ := s.Endpoints(ctx)
	if got := render(eps); len(got) != 1 || !strings.Contains(got[0], "192.0.2.10") {
		t.Fatalf("first read %v", got)
	}
	write(t, dir, "svc.yaml", strings.Replace(svcYAML, "192.0.2.10", "192.0.2.99", 1)+"# longer\n")
	eps, _ = s.Endpoints(ctx)
	if got := render(eps); len(got) != 1 || !strings.Contains(got[0], "192.0.2.99") {
		t.Fatalf("after edit %v", got)
	}
	_ = os.Remove(p)
	eps, _ = s.Endpoints(ctx) // gone, but not for the settle time yet
	if len(eps) != 1 {
		t.Fatalf("a file gone a moment ago dropped its records: %v", eps)
	}
	s.now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	eps, _ = s.Endpoints(ctx)
	if len(eps) != 0 || len(s.files) != 0 {
		t.Fatalf("after delete %v, cache %d", eps, len(s.files))
	}
}

func TestWatchFiresOnEdits(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "svc.yaml", svcYAML)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fired := make(chan struct{}, 100)
	New([]string{dir}, source.Options{}, nil, nil, 0).AddEventHandler(ctx, func() { fired <- struct{}{} })
	expect := func(what string) {
		t.Helper()
		select {
		case <-fired:
		case <-time.After(5 * time.Second):
			t.Fatalf("no event after %s", what)
		}
		for len(fired) > 0 { // drain the rest of the burst
			<-fired
		}
	}
	write(t, dir, "svc.yaml", svcYAML+"# edit\n")
	expect("an in-place write")
	// Editors and git replace files by rename.
	tmp := write(t, dir, ".svc.yaml.swp", svcYAML)
	if err := os.Rename(tmp, filepath.Join(dir, "svc.yaml")); err != nil {
		t.Fatal(err)
	}
	expect("a rename over the file")
	write(t, dir, "new/sub.yaml", dnsEndpointYAML)
	expect("a file in a new sub-folder")
	write(t, dir, "new/sub.yaml", dnsEndpointYAML+"# edit\n")
	expect("an edit inside the new sub-folder")
}
