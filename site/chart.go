package site

import (
	"html/template"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is a go-echarts chart rendered to its option JSON, drawn by the
// page's script into a div with a fixed id; its numbers are also in a
// table beside it.
type Chart struct {
	ID     string
	Label  string      // the accessible name of the chart's element
	Option template.JS // the ECharts option
}

// series is one named series of a bar chart; a "-" value is a gap
// (suppressed or missing).
type series struct {
	Name   string
	Values []any // json.Number, or gap
}

// chartColors are the series' colours, each at 3:1 or more against the
// page (ECharts' own second and third, light green and yellow, are under
// 2:1), so that a bar stands out from the white around it.
var chartColors = opts.Colors{"#0b4f9c", "#1f7a3a", "#b3261e", "#9a7000", "#6a3d9a", "#5b6675"}

// gap is how a suppressed or missing value reaches ECharts.
const gap = "-"

// barChart builds a bar chart of the series over the categories.
func barChart(id, label string, categories []string, ss []series) *Chart {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: "300px"}),
		charts.WithAnimation(false),
		charts.WithColorsOpts(chartColors),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "3%", Right: "3%", Bottom: "3%", ContainLabel: opts.Bool(true)}),
	)
	bar.SetXAxis(categories)
	for _, s := range ss {
		data := make([]opts.BarData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.BarData{Value: v}
		}
		bar.AddSeries(s.Name, data)
	}
	// The option alone (what RenderSnippet's Option holds), without
	// rendering the element and script templates the page does not use.
	bar.Validate()
	return &Chart{ID: id, Label: label, Option: safeOption(string(bar.JSONNotEscaped()))}
}

// safeOption keeps the option JSON from closing the script element it is
// embedded in.
func safeOption(s string) template.JS {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ";")
	return template.JS(strings.ReplaceAll(s, "</", `<\/`))
}
