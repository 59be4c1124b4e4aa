//go:build integration

package deploy

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Size budgets, in decimal megabytes as issue 9 states them: the image a
// node pulls (one platform's compressed layers and config), and the binary
// in it. Both fail the test above them. linux/amd64 was 32.9 MB (image
// 11.5 MB) when the limit was met: the Kubernetes code reads and writes
// objects as JSON through client-go's REST client, since its typed clients,
// discovery, leader election and event recorder each link every API
// group's types (internal/kube, internal/kubereport); cmd/exodns's
// TestBinarySize checks the same limit in every test run.
const (
	maxImageCompressed = 25_000_000
	maxBinary          = 40_000_000
)

// builtImage is one build of hack/image/build.sh into a folder of its own.
type builtImage struct {
	done   bool
	dir    string // OUT
	digest string // of the index
	err    error
}

var (
	imageBuilds   [2]builtImage
	imageBuildsMu sync.Mutex
)

// buildImage runs hack/image/build.sh into a temporary folder; n picks one
// of two independent builds (for the reproducibility check). Builds are
// shared by the tests of one run.
func buildImage(t testing.TB, n int) builtImage {
	t.Helper()
	imageBuildsMu.Lock()
	defer imageBuildsMu.Unlock()
	b := &imageBuilds[n]
	if !b.done {
		b.done = true
		dir, err := os.MkdirTemp("", "exodns-image-")
		if err != nil {
			t.Fatal(err)
		}
		b.dir = dir
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := []string{"env", "OUT=" + dir, filepath.Join(repoRoot, "hack", "image", "build.sh")}
		if _, err := run(ctx, repoRoot, cmd[0], cmd[1:]...); err != nil {
			b.err = err
		} else {
			d, err := os.ReadFile(filepath.Join(dir, "image-digest"))
			b.digest, b.err = strings.TrimSpace(string(d)), err
		}
	}
	if b.err != nil {
		t.Fatalf("hack/image/build.sh: %v", b.err)
	}
	return *b
}

func removeImageBuilds() {
	for _, b := range imageBuilds {
		if b.dir != "" {
			_ = os.RemoveAll(b.dir)
		}
	}
}

// TestImageReproducible builds the image twice from the same commit, in two
// folders, and expects the same index digest: fixed timestamps, sorted
// entries and deterministic Go builds.
func TestImageReproducible(t *testing.T) {
	a, b := buildImage(t, 0), buildImage(t, 1)
	if a.digest == "" || a.digest != b.digest {
		t.Fatalf("two builds of one commit gave %s and %s", a.digest, b.digest)
	}
	ta, err := os.ReadFile(filepath.Join(a.dir, "exodns.oci.tar"))
	if err != nil {
		t.Fatal(err)
	}
	tb, err := os.ReadFile(filepath.Join(b.dir, "exodns.oci.tar"))
	if err != nil {
		t.Fatal(err)
	}
	if string(ta) != string(tb) {
		t.Fatal("the two OCI tars differ byte for byte")
	}
	t.Logf("index %s, reproduced", a.digest)
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
	Platform    *struct {
		OS           string `json:"os"`
		Architecture string `json:"architecture"`
	} `json:"platform"`
}

type ociIndex struct {
	MediaType string          `json:"mediaType"`
	Manifests []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	MediaType string          `json:"mediaType"`
	Config    ociDescriptor   `json:"config"`
	Layers    []ociDescriptor `json:"layers"`
}

type ociConfig struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		User       string   `json:"User"`
		Entrypoint []string `json:"Entrypoint"`
		Env        []string `json:"Env"`
	} `json:"config"`
	Created string `json:"created"`
}

func readBlob(t testing.TB, layout, digest string, v any) []byte {
	t.Helper()
	algo, hex, _ := strings.Cut(digest, ":")
	data, err := os.ReadFile(filepath.Join(layout, "blobs", algo, hex))
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", digest, err)
		}
	}
	return data
}

// TestImageContents opens the OCI layout as a runtime would: one index with
// amd64 and arm64, each an empty base with the static binary, run as 65532,
// with a CA bundle and no shell; and each within the size budget.
func TestImageContents(t *testing.T) {
	img := buildImage(t, 0)
	layout := filepath.Join(img.dir, "oci")
	var top ociIndex
	data, err := os.ReadFile(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	if len(top.Manifests) != 1 || top.Manifests[0].MediaType != "application/vnd.oci.image.index.v1+json" {
		t.Fatalf("index.json should name one image index: %+v", top)
	}
	ref := top.Manifests[0]
	if name := ref.Annotations["io.containerd.image.name"]; !strings.HasPrefix(name, "exodns.local/exodns:") {
		t.Errorf("containerd image name %q", name)
	}
	var idx ociIndex
	readBlob(t, layout, ref.Digest, &idx)
	var plats []string
	for _, m := range idx.Manifests {
		plat := m.Platform.OS + "/" + m.Platform.Architecture
		plats = append(plats, plat)
		t.Run(plat, func(t *testing.T) {
			var man ociManifest
			readBlob(t, layout, m.Digest, &man)
			var cfg ociConfig
			readBlob(t, layout, man.Config.Digest, &cfg)
			if cfg.OS+"/"+cfg.Architecture != plat {
				t.Errorf("config says %s/%s", cfg.OS, cfg.Architecture)
			}
			if cfg.Config.User != "65532:65532" {
				t.Errorf("user %q, want 65532:65532", cfg.Config.User)
			}
			if !slices.Equal(cfg.Config.Entrypoint, []string{"/exodns"}) {
				t.Errorf("entrypoint %v", cfg.Config.Entrypoint)
			}
			compressed := man.Config.Size
			files := map[string]*tar.Header{}
			var binSize int64
			var caPEM []byte
			for _, l := range man.Layers {
				compressed += l.Size
				if l.MediaType != "application/vnd.oci.image.layer.v1.tar+gzip" {
					t.Errorf("layer media type %s", l.MediaType)
				}
				algo, hex, _ := strings.Cut(l.Digest, ":")
				f, err := os.Open(filepath.Join(layout, "blobs", algo, hex))
				if err != nil {
					t.Fatal(err)
				}
				zr, err := gzip.NewReader(f)
				if err != nil {
					t.Fatal(err)
				}
				tr := tar.NewReader(zr)
				for {
					h, err := tr.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					files[h.Name] = h
					switch h.Name {
					case "exodns":
						binSize = h.Size
					case "etc/ssl/certs/ca-certificates.crt":
						caPEM, _ = io.ReadAll(tr)
					}
				}
				f.Close()
			}
			created, err := time.Parse(time.RFC3339, cfg.Created)
			if err != nil {
				t.Fatalf("created %q: %v", cfg.Created, err)
			}
			for name, h := range files {
				if h.Uid != 0 || h.Gid != 0 {
					t.Errorf("%s: owner %d:%d, want root", name, h.Uid, h.Gid)
				}
				if !h.ModTime.Equal(created) {
					t.Errorf("%s: time %s, want the image's %s (fixed, for reproducible layers)", name, h.ModTime, created)
				}
				if strings.HasPrefix(name, "bin/") || strings.HasSuffix(name, "/sh") || name == "sh" {
					t.Errorf("%s: the image has no shell", name)
				}
			}
			if h := files["exodns"]; h == nil || h.Mode&0o111 == 0 {
				t.Errorf("no executable /exodns: %+v", h)
			}
			if h := files["tmp/"]; h == nil || h.Mode&0o1777 != 0o1777 {
				t.Errorf("/tmp missing or not 1777: %+v", h)
			}
			roots := 0
			for rest := caPEM; ; {
				var b *pem.Block
				b, rest = pem.Decode(rest)
				if b == nil {
					break
				}
				if _, err := x509.ParseCertificate(b.Bytes); err != nil {
					t.Errorf("CA bundle: %v", err)
				}
				roots++
			}
			if roots < 100 || !strings.Contains(string(caPEM), "BEGIN CERTIFICATE") {
				t.Errorf("CA bundle has %d roots", roots)
			}
			t.Logf("%s: compressed image %.1f MB (budget %.0f MB), binary %.1f MB (budget %.0f MB), %d CA roots",
				plat, float64(compressed)/1e6, maxImageCompressed/1e6, float64(binSize)/1e6, maxBinary/1e6, roots)
			if compressed > maxImageCompressed {
				t.Errorf("compressed image %d bytes, budget %d", compressed, maxImageCompressed)
			}
			if binSize == 0 || binSize > maxBinary {
				t.Errorf("binary %d bytes, budget %d", binSize, maxBinary)
			}
		})
	}
	slices.Sort(plats)
	if !slices.Equal(plats, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms %v, want linux/amd64 and linux/arm64", plats)
	}
}
