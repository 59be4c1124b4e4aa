package probe

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours of the pictures, fixed so that two runs draw alike (NRGBA:
// not premultiplied, so the translucent shade stays pink).
var (
	upColor       = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}
	failColor     = color.NRGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	downtimeColor = color.NRGBA{R: 0xef, G: 0x9a, B: 0x9a, A: 0x80}
	barColor      = color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff}
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

// savePlot writes p to path as SVG or PNG, chosen by the extension.
func savePlot(p *plot.Plot, w, h vg.Length, path string) error {
	if err := CheckPlotPath(path); err != nil {
		return err
	}
	// The two backends are named here rather than found through plot's
	// registry, so a release built with -tags minimal (which leaves out
	// plot's PDF, EPS and TeX backends) still draws both.
	var c vg.CanvasWriterTo
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		c = vgsvg.New(w, h)
	} else {
		c = vgimg.PngCanvas{Canvas: vgimg.New(w, h)}
	}
	p.Draw(draw.New(c))
	return writeFile(path, func(f *os.File) error {
		if _, err := c.WriteTo(f); err != nil {
			return fmt.Errorf("probe: plot: %w", err)
		}
		return nil
	})
}
