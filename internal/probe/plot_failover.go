package probe

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// NoAnswer is the timeline row of failed checks that reached no one (DNS
// failures, refused connections, time-outs).
const NoAnswer = "(no answer)"

// Plot draws the timeline to path (.svg or .png): one row per target that
// answered, a dot per up check, a cross per failed check, and each
// downtime shaded.
func (r FailoverResult) Plot(path string) error {
	rows, index := r.rows()
	n := float64(len(rows))
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Failover timeline of %s: %d downtimes, average %.3fs, max %.3fs",
		r.URL, r.Summary.Events, r.Summary.AvgDowntimeMS/1000, r.Summary.MaxDowntimeMS/1000)
	p.X.Label.Text = "seconds since start"
	span := max(r.Ended.Sub(r.Started).Seconds(), 1e-3)
	p.X.Min, p.X.Max = -0.02*span, 1.02*span // a margin so the first and last dots are whole
	// Headroom above the rows keeps the legend off the dots.
	p.Y.Min, p.Y.Max = -0.5, n-0.5+max(0.6, 0.25*n)
	ticks := make([]plot.Tick, len(rows))
	for i, name := range rows {
		ticks[i] = plot.Tick{Value: float64(i), Label: name}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Legend.Top = true

	for i, d := range r.Downtimes {
		x0, x1 := d.Start.Sub(r.Started).Seconds(), d.End.Sub(r.Started).Seconds()
		box, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: -0.5}, {X: x1, Y: -0.5}, {X: x1, Y: n - 0.5}, {X: x0, Y: n - 0.5}})
		if err != nil {
			return fmt.Errorf("probe: plot: %w", err)
		}
		box.Color, box.LineStyle.Width = downtimeColor, 0
		p.Add(box)
		if i == 0 {
			p.Legend.Add("downtime", box)
		}
	}
	var up, failed plotter.XYs
	for _, c := range r.Checks {
		xy := plotter.XY{X: c.Time.Sub(r.Started).Seconds(), Y: float64(index[rowOf(c)])}
		if c.Up {
			up = append(up, xy)
		} else {
			failed = append(failed, xy)
		}
	}
	for _, s := range []struct {
		name  string
		xys   plotter.XYs
		shape draw.GlyphDrawer
		color color.Color
	}{{"up check", up, draw.CircleGlyph{}, upColor}, {"failed check", failed, draw.CrossGlyph{}, failColor}} {
		if len(s.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(s.xys)
		if err != nil {
			return fmt.Errorf("probe: plot: %w", err)
		}
		sc.GlyphStyle.Shape, sc.GlyphStyle.Radius, sc.GlyphStyle.Color = s.shape, vg.Points(3), s.color
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	return savePlot(p, 10*vg.Inch, 4*vg.Inch, path)
}

// rows lists the timeline's rows bottom up: targets in the order they
// first answered, then NoAnswer if any check reached no one.
func (r FailoverResult) rows() ([]string, map[string]int) {
	var rows []string
	index := map[string]int{}
	for _, c := range r.Checks {
		if t := rowOf(c); t != NoAnswer {
			if _, ok := index[t]; !ok {
				index[t] = len(rows)
				rows = append(rows, t)
			}
		}
	}
	for _, c := range r.Checks {
		if rowOf(c) == NoAnswer {
			index[NoAnswer] = len(rows)
			rows = append(rows, NoAnswer)
			break
		}
	}
	return rows, index
}

func rowOf(c Check) string {
	if t := c.Target(); t != "" {
		return t
	}
	return NoAnswer
}
