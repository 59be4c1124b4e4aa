package probe

import (
	"fmt"
	"strconv"

	chart "github.com/wcharczuk/go-chart/v2"
)

// Plot draws the distribution as a bar chart, 576x384 pixels, one bar per
// cluster (and one per kind of error), in percent of all requests, with
// the count above each bar, to path (.svg or .png).
func (r RoutingResult) Plot(path string) error {
	shares := append([]Share{}, r.Summary.Clusters...)
	for _, e := range r.Summary.ErrorKinds {
		shares = append(shares, Share{Name: "error: " + e.Name, Count: e.Count, Percent: e.Percent})
	}
	// Half a slot of margin each side, so the outer bars are not on the
	// frame; go-chart bounds an axis by its ticks, so the margins are
	// ticks without labels.
	xticks := []chart.Tick{{Value: -0.6}}
	for i, s := range shares {
		xticks = append(xticks, chart.Tick{Value: float64(i), Label: s.Name})
	}
	xticks = append(xticks, chart.Tick{Value: float64(len(shares)) - 0.4})
	// Room for the count above a full bar: the axis goes to 110.
	var yticks []chart.Tick
	var grid []chart.GridLine
	for v := 0; v <= 100; v += 20 {
		yticks = append(yticks, chart.Tick{Value: float64(v), Label: strconv.Itoa(v)})
		grid = append(grid, chart.GridLine{Value: float64(v), Style: chart.Style{StrokeColor: gridColor, StrokeWidth: 1}})
	}
	yticks = append(yticks, chart.Tick{Value: 110})
	bars := drawn{name: "bars", axis: chart.YAxisPrimary, draw: func(cr chart.Renderer, defaults chart.Style, at func(x, y float64) (int, int)) {
		for i, s := range shares {
			x0, y0 := at(float64(i)-0.3, 0)
			x1, y1 := at(float64(i)+0.3, s.Percent)
			fillRect(cr, x0, y0, x1, y1, barColor)
			label := fmt.Sprintf("%d (%.1f%%)", s.Count, s.Percent)
			cr.ResetStyle()
			chart.Style{FontSize: 8, FontColor: chart.DefaultTextColor}.InheritFrom(defaults).GetTextOptions().WriteToRenderer(cr)
			tb := cr.MeasureText(label)
			cr.Text(label, (x0+x1-tb.Width())/2, y1-4) // centred over its bar
		}
	}}
	c := chart.Chart{
		Title:      fmt.Sprintf("Which cluster answered %s (%d requests)", r.URL, r.Summary.Requests),
		TitleStyle: chart.Style{FontSize: 10},
		Width:      576, Height: 384,
		Background: chart.Style{Padding: chart.Box{Top: 40, Left: 10, Right: 10, Bottom: 10}},
		XAxis:      chart.XAxis{Ticks: xticks},
		YAxis:      chart.YAxis{Name: "% of requests", Ticks: yticks, GridLines: grid},
		Series:     []chart.Series{bars},
	}
	return savePlot(c, path)
}
