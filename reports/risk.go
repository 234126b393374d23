package reports

import (
	"slices"
	"strconv"
	"strings"
)

// riskCols are the columns of a table of indicators' latest levels, after
// the column that says whose indicator a row is (trendCells).
var riskCols = []column{{"指标", text}, {"月份", text}, {"数值", number}, {"黄色阈值", number},
	{"红色阈值", number}, {"等级", text}, {"三个月前", number}, {"三个月前等级", text}, {"趋势", text}}

// trendCells are the riskCols cells of one indicator's series (by month,
// one subject): its latest month, value, bands and level, and the value
// and level three months before with the trend between the two.
func trendCells(s []risk) []cell {
	last := s[len(s)-1]
	before := null()
	beforeLevel, trend := "—", "—"
	if len(s) > 3 {
		b := s[len(s)-4]
		before, beforeLevel = optFlt(b.Value), zh(levelZH, b.Level)
		if b.Value != nil && last.Value != nil {
			switch {
			case *last.Value > *b.Value:
				trend = "↑ 上升"
			case *last.Value < *b.Value:
				trend = "↓ 下降"
			default:
				trend = "→ 持平"
			}
		}
	}
	return []cell{txt(zh(indicatorZH, last.Indicator)), txt(monthZH(last.Month)), optFlt(last.Value),
		flt(last.Yellow), flt(last.Red), txt(zh(levelZH, last.Level)), before, txt(beforeLevel), txt(trend)}
}

// riskChart draws one indicator's series month by month against its
// yellow and red bands.
func riskChart(id, title string, s []risk) chart {
	var x []string
	var v, y, r []any
	for _, p := range s {
		x = append(x, p.Month[:7])
		v = append(v, jsFloat(p.Value))
		yv, rv := p.Yellow, p.Red
		y, r = append(y, jsFloat(&yv)), append(r, jsFloat(&rv))
	}
	return lineChart(id, title, "月份", x, []series{
		{Name: "数值", Values: v, Color: "#1f5fa8"},
		yellowLine(y), redLine(r),
	})
}

// poolLabel names a pool (统筹) for a reader: its kind and code, and the
// federation over it when core.dim_org has one (a city federation for a
// city pool, a provincial one for a provincial pool).
func poolLabel(d *data, pool string) string {
	kind := "统筹"
	switch {
	case strings.HasPrefix(pool, "C"):
		kind = "城市统筹"
	case strings.HasPrefix(pool, "P"):
		kind = "省级统筹"
	case strings.HasPrefix(pool, "N"):
		kind = "全国统筹"
	}
	label := kind + " " + pool
	for _, f := range d.Federations {
		if f.Pool == pool && len(pool) > 1 && f.Region == pool[1:] {
			return label + "（" + f.Name + "）"
		}
	}
	return label
}

// maxPoolLines is how many pools one trend chart of riskPage draws at
// most: the worst at the latest month first (red, yellow, green, then by
// code); the table lists every pool.
const maxPoolLines = 12

// riskPage is a jurisdiction's pool-level risk warnings (统筹风险预警,
// clause 十): for each pool of its operators, the pool fund's indicators
// (mart.risk_indicators at scope pool: every operator of the pool taken
// together, which a pool's risk is shared by) with their latest level and
// trend, the pools with a red or yellow indicator named first, and one
// chart an indicator with a line a pool against the bands (the bands are
// the configured ones, the same for every pool). A pool's operators all
// belong to the jurisdictions that hold the pool, so the page holds
// nothing of another jurisdiction's operators.
func riskPage(d *data, j *jurisdiction) *page {
	p := &page{Title: j.Title + " · 统筹风险预警", Subtitle: "第十条：风险排查、监测预警；统筹基金整体（统筹内全部运营方合计）",
		AsOf: dateZH(d.AsOf), Workbook: "risk.xlsx", Nav: jurisdictionNav()}
	var pools []string
	for _, o := range j.ops {
		if o.Pool != "" && !slices.Contains(pools, o.Pool) {
			pools = append(pools, o.Pool)
		}
	}
	slices.Sort(pools)
	byPool := map[[2]string][]risk{} // (pool, indicator) → its months
	for _, r := range d.PoolRisks {
		if slices.Contains(pools, r.Pool) {
			k := [2]string{r.Pool, r.Indicator}
			byPool[k] = append(byPool[k], r)
		}
	}
	t := &table{ID: "t-pool-risk", Sheet: "统筹风险", Title: "各统筹风险指标最新等级与趋势",
		Cols: append([]column{{"统筹", text}}, riskCols...)}
	var warnings []string
	worst := map[string]int{} // pool → 2 red, 1 yellow, 0 green at the latest month
	for _, pool := range pools {
		label := poolLabel(d, pool)
		var reds, yellows []string
		for _, ind := range indicatorOrder {
			s := byPool[[2]string{pool, ind}]
			if len(s) == 0 {
				continue
			}
			last := s[len(s)-1]
			t.add(last.Level, "r-"+pool+"-"+ind, append([]cell{txt(label)}, trendCells(s)...)...)
			switch last.Level {
			case "red":
				reds = append(reds, zh(indicatorZH, ind))
				worst[pool] = 2
			case "yellow":
				yellows = append(yellows, zh(indicatorZH, ind))
				worst[pool] = max(worst[pool], 1)
			}
		}
		if len(reds) > 0 {
			warnings = append(warnings, "红色预警 · "+label+"："+strings.Join(reds, "、"))
		}
		if len(yellows) > 0 {
			warnings = append(warnings, "黄色关注 · "+label+"："+strings.Join(yellows, "、"))
		}
	}
	head := &section{ID: "summary", Heading: "预警概要", Paras: []string{
		"统筹是互助保障资金共担风险的单位。下列指标以统筹内全部运营方合计计算，按月评定：绿：正常；黄：关注；红：预警；无数据：当月无从计算，不作评定。趋势比较最新月份与三个月前的数值。",
		indicatorUnits,
	}, Items: warnings, Tables: []*table{t}}
	switch {
	case len(pools) == 0:
		head.Paras = append(head.Paras, "本辖区没有统筹。")
	case len(warnings) == 0:
		head.Paras = append(head.Paras, "本辖区各统筹最新月份的指标均为绿色。")
	default:
		head.Paras = append(head.Paras, "最新月份的预警（红）与关注（黄）：")
	}
	p.Sections = append(p.Sections, head)

	drawn := slices.Clone(pools)
	slices.SortStableFunc(drawn, func(a, b string) int { return worst[b] - worst[a] })
	trends := &section{ID: "trends", Heading: "指标走势"}
	if len(drawn) > maxPoolLines {
		trends.Paras = []string{"图中只画出最新月份等级最差的 " + strconv.Itoa(maxPoolLines) + " 个统筹；全部统筹见上表。"}
		drawn = drawn[:maxPoolLines]
	}
	slices.Sort(drawn)
	for _, ind := range indicatorOrder {
		if c, ok := poolTrendChart(ind, drawn, byPool); ok {
			trends.Charts = append(trends.Charts, c)
		}
	}
	if len(trends.Charts) > 0 {
		p.Sections = append(p.Sections, trends)
	}
	return p
}

// poolTrendChart draws one indicator of the pools month by month, a line a
// pool, with the yellow and red bands; false when no pool has the
// indicator.
func poolTrendChart(ind string, pools []string, byPool map[[2]string][]risk) (chart, bool) {
	var months []string
	yellow, red := map[string]float64{}, map[string]float64{}
	for _, pool := range pools {
		for _, r := range byPool[[2]string{pool, ind}] {
			if _, ok := yellow[r.Month]; !ok {
				months = append(months, r.Month)
			}
			yellow[r.Month], red[r.Month] = r.Yellow, r.Red
		}
	}
	if len(months) == 0 {
		return chart{}, false
	}
	slices.Sort(months)
	x := make([]string, len(months))
	var y, r []any
	for i, m := range months {
		x[i] = m[:7]
		yv, rv := yellow[m], red[m]
		y, r = append(y, jsFloat(&yv)), append(r, jsFloat(&rv))
	}
	var ss []series
	for i, pool := range pools {
		at := map[string]*float64{}
		for _, p := range byPool[[2]string{pool, ind}] {
			at[p.Month] = p.Value
		}
		if len(at) == 0 {
			continue
		}
		v := make([]any, len(months))
		for k, m := range months {
			v[k] = jsFloat(at[m])
		}
		ss = append(ss, series{Name: pool, Values: v, Color: poolColors[i%len(poolColors)]})
	}
	ss = append(ss, yellowLine(y), redLine(r))
	return lineChart("pools_"+ind, zh(indicatorZH, ind)+"（各统筹）", "月份", x, ss), true
}

// yellowLine and redLine are an indicator's thresholds in a chart: told
// apart by their lines (dashed, dotted) as well as their colours, both at
// 3:1 or more against the page.
func yellowLine(v []any) series {
	return series{Name: "黄色阈值", Values: v, Line: "dashed", Color: "#9a7000"}
}
func redLine(v []any) series {
	return series{Name: "红色阈值", Values: v, Line: "dotted", Color: "#b3261e"}
}

// poolColors tell the pools' lines apart; none is the bands' yellow or red.
var poolColors = []string{"#1f5fa8", "#2e8b57", "#6a3d9a", "#008b8b", "#8b4513", "#4b0082",
	"#2f4f4f", "#1e90ff", "#556b2f", "#8b008b", "#00688b", "#5f5f5f"}

// jurisdictionNav links a jurisdiction's own pages, from one of them.
func jurisdictionNav() []navLink {
	return []navLink{{"目录", "index.html"}, {"运营方对比", "compare.html"}, {"统筹风险预警", "risk.html"}}
}
