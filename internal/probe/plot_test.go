package probe

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// svgTexts checks that path is well-formed SVG and returns its text
// elements.
func svgTexts(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	var root string
	inText := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = v.Name.Local
			}
			inText = v.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(v))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if root != "svg" {
		t.Fatalf("%s: root element %q, want svg", path, root)
	}
	return texts
}

func checkPNG(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s is %dx%d, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
}

func containsAll(t *testing.T, what string, texts []string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, s := range texts {
			found = found || s == w
		}
		if !found {
			t.Errorf("%s lacks the label %q; it has %q", what, w, texts)
		}
	}
}

func TestFailoverPlot(t *testing.T) {
	s := newScript(t, upAt(ipA, "a"), dnsFailure(), refusedAt(ipA), codeAt(ipA, "a", 503), upAt(ipB, "b"),
		refusedAt(ipB), upAt(ipB, "b"))
	res, err := Failover(context.Background(), FailoverConfig{Common: s.common(time.Second), Checks: 7})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	svg := filepath.Join(dir, "failover.svg")
	if err := res.Plot(svg); err != nil {
		t.Fatal(err)
	}
	texts := svgTexts(t, svg)
	containsAll(t, "timeline", texts, "a", "b", NoAnswer, "downtime", "up check", "failed check",
		"Failover timeline of http://app.example.com:8080/: 2 downtimes, average 2.000s, max 3.000s")
	data, _ := os.ReadFile(svg)
	// One shaded box per downtime, and the legend's sample.
	if n := strings.Count(string(data), "fill:"+downtimeColor.String()); n != 2+1 {
		t.Errorf("%d shaded boxes (legend included), want 3:\n%s", n, data)
	}
	pngPath := filepath.Join(dir, "failover.png")
	if err := res.Plot(pngPath); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, pngPath, 960, 384)

	// The same result draws the same SVG: pictures can be compared across runs.
	again := filepath.Join(dir, "again.svg")
	if err := res.Plot(again); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(again); !bytes.Equal(b, data) {
		t.Error("two drawings of one result differ")
	}
}

func TestRoutingPlot(t *testing.T) {
	var steps []step
	for range 8 {
		steps = append(steps, upAt(ipA, "RKE2 Cluster"))
	}
	steps = append(steps, upAt(ipB, "K3s Cluster"), timeoutAt(ipB, time.Second))
	s := newScript(t, steps...)
	res, err := Routing(context.Background(), RoutingConfig{Common: s.common(0), Requests: 10})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	svg := filepath.Join(dir, "routing.svg")
	if err := res.Plot(svg); err != nil {
		t.Fatal(err)
	}
	containsAll(t, "bar chart", svgTexts(t, svg), "RKE2 Cluster", "K3s Cluster", "error: timeout",
		"8 (80.0%)", "1 (10.0%)", "% of requests")
	pngPath := filepath.Join(dir, "routing.png")
	if err := res.Plot(pngPath); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, pngPath, 576, 384)
}

func TestPlotEdgeCases(t *testing.T) {
	dir := t.TempDir()
	if err := (RoutingResult{}).Plot(filepath.Join(dir, "r.pdf")); err == nil {
		t.Error("a .pdf was accepted; only .svg and .png are")
	}
	// Nothing measured (Ctrl-C before the first answer) still draws.
	if err := (RoutingResult{}).Plot(filepath.Join(dir, "empty.svg")); err != nil {
		t.Errorf("empty routing: %v", err)
	}
	if err := (FailoverResult{}).Plot(filepath.Join(dir, "empty.png")); err != nil {
		t.Errorf("empty failover: %v", err)
	}
}

// TestPlotEscapesText: go-chart writes text into the SVG as it is; a URL
// with a query must still leave a readable file that says it.
func TestPlotEscapesText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.svg")
	res := RoutingResult{URL: "http://a.example.com/?x=1&y=<2>"}
	if err := res.Plot(path); err != nil {
		t.Fatal(err)
	}
	containsAll(t, "bar chart", svgTexts(t, path), "Which cluster answered http://a.example.com/?x=1&y=<2> (0 requests)")
}
