package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"

	"huzhu/internal/money"
)

// chart is a go-echarts chart ready for a page: its element and its
// script, which needs the ECharts runtime loaded before it, its title
// (the figure's caption, not drawn in the canvas) and its figures as a
// table (Data), which the page gives beside the drawing: a screen reader,
// a reader who cannot tell its colours apart and a printout in grey read
// the same figures there.
type chart struct {
	ID, Title string
	Element   template.HTML
	Script    template.HTML
	Data      chartData
}

// chartData is a chart's figures: a header and rows of text, the first
// cell of a row naming it (a month, an operator, a flow).
type chartData struct {
	Cols []string
	Rows [][]string
}

func snippet(id, title string, r render.Renderer, data chartData) chart {
	s := r.RenderSnippet()
	return chart{ID: id, Title: title, Element: template.HTML(s.Element), Script: template.HTML(s.Script), Data: data}
}

// seriesData tabulates series over categories: a row a category (axis
// names its column), a column a series; an empty value shows "—".
func seriesData(axis string, x []string, ss []series) chartData {
	d := chartData{Cols: []string{axis}}
	for _, s := range ss {
		d.Cols = append(d.Cols, s.Name)
	}
	for i, c := range x {
		r := []string{c}
		for _, s := range ss {
			v := "—"
			if i < len(s.Values) {
				switch t := s.Values[i].(type) {
				case json.Number:
					v = t.String()
				case string:
					if t != "-" {
						v = t
					}
				case nil:
				default:
					v = fmt.Sprint(t)
				}
			}
			r = append(r, v)
		}
		d.Rows = append(d.Rows, r)
	}
	return d
}

// jsMoney puts an amount into a chart as its exact decimal (no float).
func jsMoney(c money.Cents) json.Number { return json.Number(c.String()) }

// jsFloat puts a ratio into a chart, rounded for reading.
func jsFloat(f *float64) any {
	if f == nil {
		return "-" // ECharts' empty value
	}
	return json.Number(strconv.FormatFloat(*f, 'f', 4, 64))
}

func globals(id, height string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: height, AssetsHost: "../assets/", Renderer: "canvas"}),
		charts.WithAnimation(false),
		charts.WithColorsOpts(opts.Colors{"#1f5fa8", "#1f7a3a", "#b3261e", "#9a7000", "#6a3d9a", "#5b6675"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Top: "44px", Left: "90px", Right: "24px", Bottom: "32px"}),
	}
}

type series struct {
	Name   string
	Values []any
	Line   string // the line's type: "" (solid), "dashed" or "dotted"
	Color  string
}

// lineChart draws series over categories (axis names them in the data
// table).
func lineChart(id, title, axis string, x []string, ss []series) chart {
	c := charts.NewLine()
	c.SetGlobalOptions(globals(id, "340px")...)
	c.SetXAxis(x)
	for _, s := range ss {
		data := make([]opts.LineData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.LineData{Value: v}
		}
		var o []charts.SeriesOpts
		style := opts.LineStyle{Width: 2, Type: s.Line}
		if s.Color != "" {
			style.Color = s.Color
			o = append(o, charts.WithItemStyleOpts(opts.ItemStyle{Color: s.Color}))
		}
		o = append(o, charts.WithLineStyleOpts(style))
		c.AddSeries(s.Name, data, o...)
	}
	return snippet(id, title, c, seriesData(axis, x, ss))
}

// stackedBar draws series stacked over categories.
func stackedBar(id, title, axis string, x []string, ss []series) chart {
	c := charts.NewBar()
	c.SetGlobalOptions(globals(id, "360px")...)
	c.SetXAxis(x)
	for _, s := range ss {
		data := make([]opts.BarData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.BarData{Value: v}
		}
		o := []charts.SeriesOpts{charts.WithBarChartOpts(opts.BarChart{Stack: "total"})}
		if s.Color != "" {
			o = append(o, charts.WithItemStyleOpts(opts.ItemStyle{Color: s.Color}))
		}
		c.AddSeries(s.Name, data, o...)
	}
	return snippet(id, title, c, seriesData(axis, x, ss))
}

// sankeyLink is opts.SankeyLink with an exact decimal value (go-echarts'
// own holds a float32, which cannot carry cents of millions).
type sankeyLink struct {
	Source string      `json:"source"`
	Target string      `json:"target"`
	Value  json.Number `json:"value"`
}

// sankeyChart draws the flows; links must be positive.
func sankeyChart(id, title string, nodes []string, links []sankeyLink) chart {
	c := charts.NewSankey()
	// Tall enough that the labels of the busier side do not overlap: a
	// year of the organisation level has a dozen small expense flows.
	sources, targets := map[string]bool{}, map[string]bool{}
	for _, l := range links {
		sources[l.Source], targets[l.Target] = true, true
	}
	height := 380
	for _, side := range []map[string]bool{sources, targets} {
		height = max(height, 36*len(side))
	}
	g := globals(id, strconv.Itoa(height)+"px")
	// One series: a legend would only cover the flows.
	g = append(g, charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	c.SetGlobalOptions(g...)
	ns := make([]opts.SankeyNode, len(nodes))
	for i, n := range nodes {
		ns[i] = opts.SankeyNode{Name: n}
	}
	c.AddSeries("资金流向", ns, nil, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	c.MultiSeries[0].Links = links
	c.MultiSeries[0].NodeGap = opts.Int(14)
	d := chartData{Cols: []string{"来源", "去向", "金额（元）"}}
	for _, l := range links {
		d.Rows = append(d.Rows, []string{l.Source, l.Target, l.Value.String()})
	}
	return snippet(id, title, c, d)
}
