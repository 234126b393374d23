package reports

import (
	"encoding/json"
	"html/template"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/go-echarts/go-echarts/v2/render"

	"huzhu/internal/money"
)

// chart is a go-echarts chart ready for a page: its element and its
// script, which needs the ECharts runtime loaded before it.
type chart struct {
	ID      string
	Element template.HTML
	Script  template.HTML
}

func snippet(id string, r render.Renderer) chart {
	s := r.RenderSnippet()
	return chart{ID: id, Element: template.HTML(s.Element), Script: template.HTML(s.Script)}
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

func globals(id, title string, height string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: height, AssetsHost: "../assets/", Renderer: "canvas"}),
		charts.WithTitleOpts(opts.Title{Title: title, TitleStyle: &opts.TextStyle{FontSize: 14}}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "24px"}),
		charts.WithGridOpts(opts.Grid{Top: "64px", Left: "90px", Right: "24px", Bottom: "32px"}),
	}
}

type series struct {
	Name   string
	Values []any
	Dashed bool
	Color  string
}

// lineChart draws series over categories.
func lineChart(id, title string, x []string, ss []series) chart {
	c := charts.NewLine()
	c.SetGlobalOptions(globals(id, title, "340px")...)
	c.SetXAxis(x)
	for _, s := range ss {
		data := make([]opts.LineData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.LineData{Value: v}
		}
		var o []charts.SeriesOpts
		style := opts.LineStyle{Width: 2}
		if s.Dashed {
			style.Type = "dashed"
		}
		if s.Color != "" {
			style.Color = s.Color
			o = append(o, charts.WithItemStyleOpts(opts.ItemStyle{Color: s.Color}))
		}
		o = append(o, charts.WithLineStyleOpts(style))
		c.AddSeries(s.Name, data, o...)
	}
	return snippet(id, c)
}

// stackedBar draws series stacked over categories.
func stackedBar(id, title string, x []string, ss []series) chart {
	c := charts.NewBar()
	c.SetGlobalOptions(globals(id, title, "360px")...)
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
	return snippet(id, c)
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
	g := globals(id, title, "380px")
	g = append(g, charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}))
	c.SetGlobalOptions(g...)
	ns := make([]opts.SankeyNode, len(nodes))
	for i, n := range nodes {
		ns[i] = opts.SankeyNode{Name: n}
	}
	c.AddSeries("资金流向", ns, nil, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true)}))
	c.MultiSeries[0].Links = links
	return snippet(id, c)
}
