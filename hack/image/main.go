// Command mkimage writes a multi-arch OCI image of static binaries on an
// empty base, without a container engine and without pulling anything: the
// layers are written here, byte for byte, so the same inputs always give the
// same digests.
//
// It lives in a module of its own so that go-containerregistry and its
// dependencies never enter exodns's module graph: the product binary's
// go.mod stays what exodns itself needs, and this tool can be upgraded
// without touching it.
//
//	mkimage -binary linux/amd64=out/amd64/exodns -binary linux/arm64=out/arm64/exodns \
//	  -name exodns.local/exodns:v1 -layout out/oci -tar out/exodns.oci.tar
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The user every image runs as: distroless's "nonroot", which Kubernetes
// policies and users' securityContexts already expect.
const nonRoot = 65532

type binaries map[string]string // "linux/amd64" -> file

func (b binaries) String() string { return fmt.Sprint(map[string]string(b)) }
func (b binaries) Set(v string) error {
	plat, file, ok := strings.Cut(v, "=")
	if !ok || strings.Count(plat, "/") < 1 {
		return fmt.Errorf("want os/arch[/variant]=file, got %q", v)
	}
	b[plat] = file
	return nil
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

type options struct {
	bins      binaries
	inPath    string
	name      string
	version   string
	revision  string
	source    string
	epoch     int64
	caCerts   bool
	ports     multi
	args      multi
	layoutDir string
	tarFile   string
}

func main() {
	o := options{bins: binaries{}}
	flag.Var(o.bins, "binary", "os/arch[/variant]=file: the static binary for one platform (repeatable)")
	flag.StringVar(&o.inPath, "path", "/exodns", "where the binary is put in the image; also the entrypoint")
	flag.StringVar(&o.name, "name", "", "full image reference recorded in the layout, e.g. exodns.local/exodns:v1")
	flag.StringVar(&o.version, "version", "dev", "org.opencontainers.image.version")
	flag.StringVar(&o.revision, "revision", "", "org.opencontainers.image.revision")
	flag.StringVar(&o.source, "source", "", "org.opencontainers.image.source")
	flag.Int64Var(&o.epoch, "epoch", 0, "creation time (Unix seconds) of the image and of every file in it; fixed so builds are reproducible")
	flag.BoolVar(&o.caCerts, "ca-certs", true, "add /etc/ssl/certs/ca-certificates.crt from the pinned x509roots bundle")
	flag.Var(&o.ports, "port", "exposed port, e.g. 7979/tcp (repeatable)")
	flag.Var(&o.args, "cmd", "default argument after the entrypoint (repeatable)")
	flag.StringVar(&o.layoutDir, "layout", "", "write an OCI image layout to this folder (replaced)")
	flag.StringVar(&o.tarFile, "tar", "", "write the OCI layout as a tar file (ctr images import, podman load)")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if len(o.bins) == 0 || o.name == "" || (o.layoutDir == "" && o.tarFile == "") {
		return errors.New("need -binary, -name and -layout or -tar")
	}
	created := time.Unix(o.epoch, 0).UTC()
	base, err := baseLayer(created, o.caCerts)
	if err != nil {
		return err
	}
	plats := make([]string, 0, len(o.bins))
	for p := range o.bins {
		plats = append(plats, p)
	}
	sort.Strings(plats) // the index lists platforms in a fixed order

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range plats {
		img, plat, err := platformImage(o, p, base, created)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	idx = mutate.Annotations(idx, labels(o, created)).(v1.ImageIndex)

	dir := o.layoutDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "mkimage-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.RemoveAll(dir); err != nil {
		return err
	}
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	// containerd's importer reads io.containerd.image.name; podman and
	// other OCI tools read org.opencontainers.image.ref.name.
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"io.containerd.image.name":          o.name,
		"org.opencontainers.image.ref.name": o.name,
	})); err != nil {
		return err
	}
	d, err := idx.Digest()
	if err != nil {
		return err
	}
	if o.tarFile != "" {
		if err := tarDir(dir, o.tarFile, created); err != nil {
			return err
		}
	}
	fmt.Println(d.String())
	return nil
}

func labels(o options, created time.Time) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":    path.Base(o.inPath),
		"org.opencontainers.image.version":  o.version,
		"org.opencontainers.image.created":  created.Format(time.RFC3339),
		"org.opencontainers.image.licenses": "Apache-2.0",
	}
	if o.revision != "" {
		l["org.opencontainers.image.revision"] = o.revision
	}
	if o.source != "" {
		l["org.opencontainers.image.source"] = o.source
	}
	return l
}

func platformImage(o options, p string, base v1.Layer, created time.Time) (v1.Image, *v1.Platform, error) {
	parts := strings.Split(p, "/")
	plat := &v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) > 2 {
		plat.Variant = parts[2]
	}
	bin, err := os.ReadFile(o.bins[p])
	if err != nil {
		return nil, nil, err
	}
	binLayer, err := layerOf(created, []entry{{name: strings.TrimPrefix(o.inPath, "/"), mode: 0o755, data: bin}})
	if err != nil {
		return nil, nil, err
	}
	ports := map[string]struct{}{}
	for _, port := range o.ports {
		ports[port] = struct{}{}
	}
	cfg := &v1.ConfigFile{
		Created:      v1.Time{Time: created},
		OS:           plat.OS,
		Architecture: plat.Architecture,
		Variant:      plat.Variant,
		Config: v1.Config{
			User:         fmt.Sprintf("%d:%d", nonRoot, nonRoot),
			Entrypoint:   []string{o.inPath},
			Cmd:          o.args,
			WorkingDir:   "/",
			Env:          []string{"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
			ExposedPorts: ports,
			Labels:       labels(o, created),
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	if len(cfg.Config.ExposedPorts) == 0 {
		cfg.Config.ExposedPorts = nil
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, nil, err
	}
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "mkimage: /etc (users, CA certificates), /tmp"}},
		mutate.Addendum{Layer: binLayer, MediaType: types.OCILayer, History: v1.History{Created: v1.Time{Time: created}, CreatedBy: "mkimage: " + o.inPath}},
	)
	if err != nil {
		return nil, nil, err
	}
	return img, plat, nil
}

// entry is one file or folder of a layer.
type entry struct {
	name string
	mode int64
	dir  bool
	data []byte
}

// baseLayer is what a static binary needs around it, the same for every
// platform (so it is stored once): the nonroot user for tools that look it
// up, an /etc/nsswitch.conf so Go's resolver reads /etc/hosts first, a
// world-writable /tmp for a writable root filesystem, and the CA bundle.
func baseLayer(created time.Time, caCerts bool) (v1.Layer, error) {
	es := []entry{
		{name: "etc", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:\nnonroot:x:%d:\n", nonRoot)},
		{name: "etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: "etc/passwd", mode: 0o644, data: fmt.Appendf(nil,
			"root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", nonRoot, nonRoot)},
		{name: "home", mode: 0o755, dir: true},
		{name: "home/nonroot", mode: 0o700, dir: true},
		{name: "tmp", mode: 0o1777, dir: true},
	}
	if caCerts {
		pemData, err := caBundle()
		if err != nil {
			return nil, err
		}
		es = append(es,
			entry{name: "etc/ssl", mode: 0o755, dir: true},
			entry{name: "etc/ssl/certs", mode: 0o755, dir: true},
			entry{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: pemData})
	}
	return layerOf(created, es)
}

// caBundle is the Mozilla root set as pinned by the x509roots/fallback
// module version in go.sum, so the same build always holds the same roots
// (the build machine's own /etc/ssl would vary with its updates). Roots that
// Go trusts only with a constraint (distrusted after some date) are left
// out: a PEM file cannot carry the constraint, and trusting them without it
// would be weaker than Go itself.
func caBundle() ([]byte, error) {
	var buf bytes.Buffer
	n := 0
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		if _, err := x509.ParseCertificate(root.Certificate); err != nil {
			return nil, fmt.Errorf("CA bundle: %w", err)
		}
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			return nil, err
		}
		n++
	}
	if n < 50 {
		return nil, fmt.Errorf("CA bundle: only %d roots", n)
	}
	return buf.Bytes(), nil
}

// layerOf writes a gzipped tar with every entry sorted by name, owned by
// root, timestamped created, at best compression: the same entries always
// give the same bytes, hence the same digest.
func layerOf(created time.Time, es []entry) (v1.Layer, error) {
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(zw)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: e.mode, ModTime: created, Format: tar.FormatUSTAR, Typeflag: tar.TypeReg, Size: int64(len(e.data))}
		if e.dir {
			h.Name, h.Typeflag, h.Size = e.name+"/", tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	data := gz.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// tarDir packs an OCI layout folder into one tar file, entries sorted and
// timestamped created, so the tar is as reproducible as the layout.
func tarDir(dir, file string, created time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file + ".partial")
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for _, p := range names {
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: rel, Mode: 0o644, ModTime: created, Format: tar.FormatUSTAR, Typeflag: tar.TypeReg, Size: st.Size()}
		if st.IsDir() {
			h.Name, h.Mode, h.Typeflag, h.Size = rel+"/", 0o755, tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if !st.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(file+".partial", file)
}
