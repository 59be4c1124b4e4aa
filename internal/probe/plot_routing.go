package probe

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Plot draws the distribution as a bar chart, one bar per cluster (and
// one per kind of error), in percent of all requests, to path (.svg or
// .png).
func (r RoutingResult) Plot(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Which cluster answered %s (%d requests)", r.URL, r.Summary.Requests)
	p.Y.Label.Text = "% of requests"
	p.Y.Min, p.Y.Max = 0, 110 // room for the count above a full bar
	shares := append([]Share{}, r.Summary.Clusters...)
	for _, e := range r.Summary.ErrorKinds {
		shares = append(shares, Share{Name: "error: " + e.Name, Count: e.Count, Percent: e.Percent})
	}
	if len(shares) > 0 {
		values := make(plotter.Values, len(shares))
		names := make([]string, len(shares))
		labels := plotter.XYLabels{XYs: make(plotter.XYs, len(shares)), Labels: make([]string, len(shares))}
		for i, s := range shares {
			values[i], names[i] = s.Percent, s.Name
			labels.XYs[i] = plotter.XY{X: float64(i), Y: s.Percent}
			labels.Labels[i] = fmt.Sprintf("%d (%.1f%%)", s.Count, s.Percent)
		}
		bars, err := plotter.NewBarChart(values, vg.Points(48))
		if err != nil {
			return fmt.Errorf("probe: plot: %w", err)
		}
		bars.Color = barColor
		bars.LineStyle.Width = 0
		text, err := plotter.NewLabels(labels)
		if err != nil {
			return fmt.Errorf("probe: plot: %w", err)
		}
		for i := range text.TextStyle {
			text.TextStyle[i].XAlign = -0.5 // centred over its bar
		}
		text.Offset = vg.Point{Y: vg.Points(3)}
		grid := plotter.NewGrid()
		grid.Vertical.Color = nil // categories need no vertical rules
		p.Add(grid, bars, text)
		p.NominalX(names...)
		// Half a slot of margin each side, so the outer bars are not on the frame.
		p.X.Min, p.X.Max = -0.6, float64(len(shares))-0.4
	}
	return savePlot(p, 6*vg.Inch, 4*vg.Inch, path)
}
