package probe

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Colours of the pictures, fixed so that two runs draw alike. The
// downtime shade is the one translucent colour.
var (
	upColor       = drawing.Color{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	failColor     = drawing.Color{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	downtimeColor = drawing.Color{R: 0xef, G: 0x9a, B: 0x9a, A: 0x80}
	barColor      = drawing.Color{R: 0x15, G: 0x65, B: 0xc0, A: 0xff}
	gridColor     = drawing.Color{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
)

// CheckPlotPath says whether Plot can write path: the extension picks the
// format, SVG or PNG. Check it before a long run rather than after.
func CheckPlotPath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg", ".png":
		return nil
	}
	return fmt.Errorf("probe: plot %q: the file must end in .svg or .png", path)
}

// savePlot renders c to path as SVG or PNG, chosen by the extension.
func savePlot(c chart.Chart, path string) error {
	if err := CheckPlotPath(path); err != nil {
		return err
	}
	provider := chart.PNG
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		provider = escapedSVG
	}
	var buf bytes.Buffer
	if err := c.Render(provider, &buf); err != nil {
		return fmt.Errorf("probe: plot: %w", err)
	}
	return writeFile(path, func(f *os.File) error {
		if _, err := f.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("probe: plot: %w", err)
		}
		return nil
	})
}

// escapedSVG is go-chart's SVG renderer with its text escaped: go-chart
// writes text into the XML as it is, so a URL with & or a target name
// with < would make the file unreadable.
func escapedSVG(w, h int) (chart.Renderer, error) {
	r, err := chart.SVG(w, h)
	if err != nil {
		return nil, err
	}
	return escapingRenderer{r}, nil
}

type escapingRenderer struct{ chart.Renderer }

func (e escapingRenderer) Text(body string, x, y int) {
	e.Renderer.Text(html.EscapeString(body), x, y)
}

// legendEntry is one line of a legend: a sample drawn by draw, centred
// on (x, y), and its label.
type legendEntry struct {
	label string
	draw  func(r chart.Renderer, x, y int)
}

// legend draws the entries in a framed box at the top right of the
// plotting area, as the pictures always had it: go-chart's own legends
// sit at the top left and sample every series as a line.
func legend(entries []legendEntry) chart.Renderable {
	return func(r chart.Renderer, box chart.Box, defaults chart.Style) {
		if len(entries) == 0 {
			return
		}
		const pad, sample, gap = 5, 14, 5
		style := chart.Style{FontSize: 8, FontColor: chart.DefaultTextColor}.InheritFrom(defaults)
		style.GetTextOptions().WriteToRenderer(r)
		width, lineHeight := 0, 0
		for _, e := range entries {
			tb := r.MeasureText(e.label)
			width, lineHeight = max(width, tb.Width()), max(lineHeight, tb.Height())
		}
		lineHeight += 4
		frame := chart.Box{Right: box.Right - pad, Top: box.Top + pad}
		frame.Left = frame.Right - (pad + sample + gap + width + pad)
		frame.Bottom = frame.Top + pad + len(entries)*lineHeight + pad
		chart.Draw.Box(r, frame, chart.Style{FillColor: drawing.ColorWhite, StrokeColor: chart.DefaultAxisColor, StrokeWidth: 1})
		for i, e := range entries {
			mid := frame.Top + pad + i*lineHeight + lineHeight/2
			e.draw(r, frame.Left+pad+sample/2, mid)
			style.GetTextOptions().WriteToRenderer(r)
			tb := r.MeasureText(e.label)
			r.Text(e.label, frame.Left+pad+sample+gap, mid+tb.Height()/2)
		}
	}
}

// fillRect fills the rectangle between two corners in colour c.
func fillRect(r chart.Renderer, x0, y0, x1, y1 int, c drawing.Color) {
	r.ResetStyle()
	r.SetFillColor(c)
	r.SetStrokeWidth(0)
	r.MoveTo(x0, y0)
	r.LineTo(x1, y0)
	r.LineTo(x1, y1)
	r.LineTo(x0, y1)
	r.Close()
	r.Fill()
}

// dot draws a filled circle of radius px.
func dot(r chart.Renderer, x, y int, px float64, c drawing.Color) {
	r.ResetStyle()
	r.SetFillColor(c)
	r.SetStrokeColor(c)
	r.SetStrokeWidth(1)
	r.Circle(px, x, y)
	r.FillStroke()
}

// cross draws an x of half-size px.
func cross(r chart.Renderer, x, y, px int, c drawing.Color) {
	r.ResetStyle()
	r.SetStrokeColor(c)
	r.SetStrokeWidth(1.5)
	r.MoveTo(x-px, y-px)
	r.LineTo(x+px, y+px)
	r.Stroke()
	r.MoveTo(x-px, y+px)
	r.LineTo(x+px, y-px)
	r.Stroke()
}

// drawn is a go-chart series that draws itself with a function, for what
// go-chart has no series of: shaded spans, crosses, labelled bars. Its
// points are in data units; at maps them to the canvas. defaults carry
// the chart's font, which text drawn on a PNG needs.
type drawn struct {
	name string
	axis chart.YAxisType
	draw func(r chart.Renderer, defaults chart.Style, at func(x, y float64) (int, int))
}

var _ chart.Series = drawn{}

func (d drawn) GetName() string           { return d.name }
func (d drawn) GetYAxis() chart.YAxisType { return d.axis }
func (d drawn) GetStyle() chart.Style     { return chart.Style{} }
func (d drawn) Validate() error           { return nil }
func (d drawn) Render(r chart.Renderer, box chart.Box, xr, yr chart.Range, defaults chart.Style) {
	d.draw(r, defaults, func(x, y float64) (int, int) {
		return box.Left + xr.Translate(x), box.Bottom - yr.Translate(y)
	})
}

// scaleTicks labels an axis from lo to hi with about n round values (steps
// of 1, 2 or 5 times a power of ten). go-chart takes an axis's bounds from
// its ticks, so lo and hi are ticks too, without labels, and its own
// ticks for such a range are just the two ends.
func scaleTicks(lo, hi float64, n int) []chart.Tick {
	ticks := []chart.Tick{{Value: lo}}
	raw := (hi - lo) / float64(n)
	if raw <= 0 || math.IsInf(raw, 0) || math.IsNaN(raw) {
		return append(ticks, chart.Tick{Value: hi})
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step := pow
	for _, m := range []float64{2, 5, 10} {
		if step >= raw {
			break
		}
		step = m * pow
	}
	decimals := max(0, -int(math.Floor(math.Log10(step))))
	for i := math.Ceil(lo / step); i*step <= hi; i++ {
		v := i * step
		if v == 0 {
			v = 0 // not -0
		}
		ticks = append(ticks, chart.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return append(ticks, chart.Tick{Value: hi})
}
