package probe

import (
	"fmt"

	chart "github.com/wcharczuk/go-chart/v2"
)

// NoAnswer is the timeline row of failed checks that reached no one (DNS
// failures, refused connections, time-outs).
const NoAnswer = "(no answer)"

// Plot draws the timeline to path (.svg or .png), 960x384 pixels: one row
// per target that answered, a dot per up check, a cross per failed check,
// and each downtime shaded.
func (r FailoverResult) Plot(path string) error {
	rows, index := r.rows()
	n := float64(len(rows))
	span := max(r.Ended.Sub(r.Started).Seconds(), 1e-3)
	// Headroom above the rows keeps the legend off the dots. go-chart
	// takes an axis's range from its ticks when it has any, so the
	// bounds are ticks too, without labels.
	ticks := []chart.Tick{{Value: -0.5}}
	for i, name := range rows {
		ticks = append(ticks, chart.Tick{Value: float64(i), Label: name})
	}
	ticks = append(ticks, chart.Tick{Value: n - 0.5 + max(0.6, 0.25*n)})

	var up, failed [][2]float64
	for _, c := range r.Checks {
		xy := [2]float64{c.Time.Sub(r.Started).Seconds(), float64(index[rowOf(c)])}
		if c.Up {
			up = append(up, xy)
		} else {
			failed = append(failed, xy)
		}
	}
	shades := drawn{name: "downtime", axis: chart.YAxisPrimary, draw: func(cr chart.Renderer, _ chart.Style, at func(x, y float64) (int, int)) {
		for _, d := range r.Downtimes {
			x0, y0 := at(d.Start.Sub(r.Started).Seconds(), -0.5)
			x1, y1 := at(d.End.Sub(r.Started).Seconds(), n-0.5)
			fillRect(cr, x0, y0, x1, y1, downtimeColor)
		}
	}}
	checks := drawn{name: "checks", axis: chart.YAxisPrimary, draw: func(cr chart.Renderer, _ chart.Style, at func(x, y float64) (int, int)) {
		for _, p := range up {
			x, y := at(p[0], p[1])
			dot(cr, x, y, 3, upColor)
		}
		for _, p := range failed {
			x, y := at(p[0], p[1])
			cross(cr, x, y, 4, failColor)
		}
	}}
	var entries []legendEntry
	if len(r.Downtimes) > 0 {
		entries = append(entries, legendEntry{"downtime", func(cr chart.Renderer, x, y int) { fillRect(cr, x-7, y-5, x+7, y+5, downtimeColor) }})
	}
	if len(up) > 0 {
		entries = append(entries, legendEntry{"up check", func(cr chart.Renderer, x, y int) { dot(cr, x, y, 3, upColor) }})
	}
	if len(failed) > 0 {
		entries = append(entries, legendEntry{"failed check", func(cr chart.Renderer, x, y int) { cross(cr, x, y, 4, failColor) }})
	}
	c := chart.Chart{
		Title: fmt.Sprintf("Failover timeline of %s: %d downtimes, average %.3fs, max %.3fs",
			r.URL, r.Summary.Events, r.Summary.AvgDowntimeMS/1000, r.Summary.MaxDowntimeMS/1000),
		TitleStyle: chart.Style{FontSize: 10},
		Width:      960, Height: 384,
		Background: chart.Style{Padding: chart.Box{Top: 40, Left: 10, Right: 20, Bottom: 10}},
		// A margin so the first and last dots are whole.
		XAxis: chart.XAxis{Name: "seconds since start", Ticks: scaleTicks(-0.02*span, 1.02*span, 10)},
		// The rows are named on the right: go-chart's left (secondary)
		// axis takes its bounds from the right one's ticks and leaves
		// too little room for its labels.
		YAxis:  chart.YAxis{Ticks: ticks},
		Series: []chart.Series{shades, checks},
	}
	c.Elements = []chart.Renderable{legend(entries)}
	return savePlot(c, path)
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
