package reports

import (
	"slices"
	"strconv"

	"huzhu/internal/money"
)

// flowSum is a fund's flows in one year: inflows (income accounts and
// capital) = outflows (expense accounts and reserve) + change in balance
// (carried forward − brought forward), which holds by the mart's
// construction (the balance carried forward is what the flows leave). The
// check that can fail is the trial balance (trialTable).
type flowSum struct {
	Brought, Inflows, Outflows, Carried money.Cents
}

func (b flowSum) change() money.Cents { return b.Carried - b.Brought }

func sumOf(edges []flowEdge) flowSum {
	var b flowSum
	for _, e := range edges {
		switch {
		case e.Source == "balance brought forward":
			b.Brought += e.Amount
		case e.Target == "balance carried forward":
			b.Carried += e.Amount
		case e.Target == "fund":
			b.Inflows += e.Amount
		default:
			b.Outflows += e.Amount
		}
	}
	return b
}

// flowPage is the fund-flow analysis (资金流向分析) of one operator: a
// Sankey per activity and year with its balance check, the movements
// between deposits and bonds, and the investment mix over time.
func flowPage(d *data, o *operator, flows []flowEdge, hold []holding) *page {
	p := &page{Title: o.Name + " · 资金流向分析", Subtitle: "运营方 " + o.Code + " · 统筹 " + o.Pool,
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "flow.xlsx", Nav: operatorNav()}
	years := yearsOf(flows, func(e flowEdge) int { return e.Year })
	intro := &section{Heading: "说明", Paras: []string{
		"每个互助项目（及组织本级）每年一张桑基图：收入科目、上年结转和净资产投入流入互助资金，再流向给付、管理、帮扶等支出、风险准备金和结转下年（流入 = 流出 + 余额变动）。负值流量反向绘制：上年结转的赤字是一项支出（弥补上年赤字），结转下年的赤字是一项来源，收入或支出的冲回、风险准备金的动用同理，图中流入与流出总是相等；明细表保留带符号的原值。",
		"试算平衡：每年末，资金来源（净资产：净资产、收入科目余额减支出科目余额）应等于资金占用（资产减负债）。借贷相等的凭证使两边同增同减；出现差额，说明有借贷不平衡的凭证（规则 R10）或因数据缺陷被隔离、未入账的分录，须核对账簿。",
	}}
	for _, y := range years {
		intro.Links = append(intro.Links, navLink{strconv.Itoa(y) + "年度资金流向", "#y" + strconv.Itoa(y)})
	}
	intro.Links = append(intro.Links, navLink{"存款与债券之间的变动", "#movements"}, navLink{"投资结构变化", "#mix"})
	p.Sections = append(p.Sections, intro)

	sums := &table{ID: "t-flow-sums", Sheet: "流量汇总", Title: "资金流量汇总（流入 = 流出 + 余额变动）",
		Cols: []column{{"年度", integer}, {"项目", text}, {"上年结转", amount}, {"流入", amount}, {"流出", amount},
			{"结转下年", amount}, {"余额变动", amount}}}
	for _, y := range years {
		ys := strconv.Itoa(y)
		sec := &section{ID: "y" + ys, Heading: ys + "年度资金流向"}
		t := &table{ID: "t-flow-" + ys, Sheet: "资金流向" + ys, Title: ys + "年度资金流向明细",
			Cols: []column{{"项目", text}, {"来源", text}, {"去向", text}, {"金额", amount}}}
		var acts []string
		for _, e := range flows {
			if e.Year == y && !slices.Contains(acts, e.Activity) {
				acts = append(acts, e.Activity)
			}
		}
		for _, a := range acts {
			var es []flowEdge
			for _, e := range flows {
				if e.Year == y && e.Activity == a {
					es = append(es, e)
					t.add("", "", txt(o.activityName(a)), txt(nodeZH(e.Source)), txt(nodeZH(e.Target)), amt(e.Amount))
				}
			}
			b := sumOf(es)
			sums.add("", "", num(y), txt(o.activityName(a)), amt(b.Brought), amt(b.Inflows), amt(b.Outflows),
				amt(b.Carried), amt(b.change()))
			sec.Charts = append(sec.Charts, flowChart("flow_"+ys+"_"+orgKey(a), ys+"年 "+o.activityName(a), es))
			sec.Paras = append(sec.Paras, o.activityName(a)+"："+"流入 "+yuan(b.Inflows)+" = 流出 "+yuan(b.Outflows)+
				" + 余额变动 "+yuan(b.change())+"（上年结转 "+yuan(b.Brought)+"，结转下年 "+yuan(b.Carried)+"）。")
		}
		sec.Tables = append(sec.Tables, t)
		p.Sections = append(p.Sections, sec)
	}
	p.Sections = append(p.Sections, &section{ID: "checks", Heading: "试算平衡与流量汇总", Paras: trialParas(d, o),
		Tables: []*table{trialTable(d, o), sums}})
	p.Sections = append(p.Sections, movementsSection(hold), mixSection(hold))
	return p
}

// flowChart draws one activity's year as a Sankey (flowLinks).
func flowChart(id, title string, es []flowEdge) chart {
	nodes, links := flowLinks(es)
	return sankeyChart(id, title, nodes, links)
}

// flowLinks are the nodes and links of one activity's year: sources on
// the left of the fund (互助资金), uses on its right, every link positive,
// so that what flows in is what flows out, deficits too. A negative edge
// of the mart (its amounts are signed, each edge in its usual direction)
// is drawn the other way round under a name of its own: a deficit brought
// forward is a use (弥补上年赤字: the year's income covers it first), a
// deficit carried forward a source (结转下年的赤字: what the year spent
// beyond its means), a reversal of income a use, one of an expense a
// source, a release of the reserve a source. A name differs on the two
// sides of the fund (收入：/支出：), or the chart would hold a cycle, which
// a Sankey cannot draw. A year with no flow draws the fund alone.
func flowLinks(es []flowEdge) ([]string, []sankeyLink) {
	var nodes []string
	var links []sankeyLink
	for _, e := range es {
		if e.Amount == 0 {
			continue
		}
		s, t, v := flowNode(e.Source, e.Amount < 0, true), flowNode(e.Target, e.Amount < 0, false), e.Amount
		if v < 0 {
			s, t, v = t, s, -v
		}
		for _, n := range []string{s, t} {
			if !slices.Contains(nodes, n) {
				nodes = append(nodes, n)
			}
		}
		links = append(links, sankeyLink{Source: s, Target: t, Value: jsMoney(v)})
	}
	if len(nodes) == 0 {
		nodes = []string{nodeZH("fund")}
	}
	return nodes, links
}

// reversedNode names the non-account nodes of the mart when their edge is
// negative and drawn the other way round (flowLinks).
var reversedNode = map[string]string{
	"balance brought forward": "弥补上年赤字",
	"balance carried forward": "结转下年的赤字",
	"reserve":                 "动用风险准备金",
	"capital":                 "净资产减少",
}

// flowNode names one end of a mart edge in the chart: the fund as itself,
// the other end by what it is on the side of the fund it is drawn on
// (source: the edge's source; negative: drawn reversed).
func flowNode(n string, negative, source bool) string {
	if n == "fund" {
		return nodeZH(n)
	}
	if reversed, ok := reversedNode[n]; ok {
		if negative {
			return reversed
		}
		return nodeZH(n)
	}
	switch {
	case negative && source:
		return "收入冲回：" + n
	case negative:
		return "支出冲回：" + n
	case source:
		return "收入：" + n
	}
	return "支出：" + n
}

// months returns the distinct months of the holdings in order.
func months(hold []holding) []string {
	var ms []string
	for _, h := range hold {
		if !slices.Contains(ms, h.Month) {
			ms = append(ms, h.Month)
		}
	}
	slices.Sort(ms)
	return ms
}

// movementsSection shows deposits and bonds month by month and what
// moved between them.
func movementsSection(hold []holding) *section {
	sec := &section{ID: "movements", Heading: "存款与债券之间的变动"}
	t := &table{ID: "t-movements", Sheet: "存款债券变动", Title: "存款与债券月末余额及变动",
		Cols: []column{{"月末", text}, {"存款合计", amount}, {"债券合计", amount}, {"其他（不允许）", amount},
			{"存款变动", amount}, {"债券变动", amount}, {"其他变动", amount}}}
	var x []string
	var dep, bond, other []any
	var pd, pb, po money.Cents
	for i, m := range months(hold) {
		var dv, bv, ov money.Cents
		for _, h := range hold {
			if h.Month != m {
				continue
			}
			switch {
			case isDeposit(h.Instrument):
				dv += h.Value
			case isBond(h.Instrument):
				bv += h.Value
			default:
				ov += h.Value
			}
		}
		dd, db, do := cell{Null: true}, cell{Null: true}, cell{Null: true}
		if i > 0 {
			dd, db, do = amt(dv-pd), amt(bv-pb), amt(ov-po)
		}
		class := ""
		if ov != 0 {
			class = "bad"
		}
		t.add(class, "", txt(monthZH(m)), amt(dv), amt(bv), amt(ov), dd, db, do)
		x = append(x, m[:7])
		dep, bond, other = append(dep, jsMoney(dv)), append(bond, jsMoney(bv)), append(other, jsMoney(ov))
		pd, pb, po = dv, bv, ov
	}
	if len(x) == 0 {
		sec.Paras = append(sec.Paras, "本运营方没有投资持仓记录。")
		return sec
	}
	sec.Paras = append(sec.Paras, "存款为活期与定期存款之和，债券为国债、政策性金融债和地方政府债之和；其他为第十二条不允许的投资（股票、基金等），应为零。")
	sec.Charts = append(sec.Charts, lineChart("chart_movements", "存款与债券月末余额（元）", "月份", x, []series{
		{Name: "存款合计", Values: dep, Color: "#1f5fa8"},
		{Name: "债券合计", Values: bond, Color: "#1f7a3a"},
		{Name: "其他（不允许）", Values: other, Color: "#b3261e"},
	}))
	sec.Tables = append(sec.Tables, t)
	return sec
}

// badShades and reviewShades colour the holdings clause 十二 does not
// allow and those to review in the mix chart, each at 3:1 or more against
// the page.
var (
	badShades    = []string{"#b3261e", "#6e1610"}
	reviewShades = []string{"#9a7000", "#5c4300"}
)

// mixSection shows the investment mix over time, the holdings clause 十二
// does not allow highlighted.
func mixSection(hold []holding) *section {
	sec := &section{ID: "mix", Heading: "投资结构变化"}
	t := &table{ID: "t-mix", Sheet: "投资结构", Title: "投资结构（月末市值与占比；不允许的投资标红，待复核的标黄）",
		Cols: []column{{"月末", text}, {"投资品种", text}, {"市值", amount}, {"占比", rate}, {"是否允许", text}}}
	var instruments []string
	for _, h := range hold {
		if !slices.Contains(instruments, h.Instrument) {
			instruments = append(instruments, h.Instrument)
		}
	}
	slices.Sort(instruments)
	ms := months(hold)
	// The chart says of a holding what the table does: 待复核 in amber,
	// 不允许 in red, two of a kind side by side told apart by their shade.
	var ss []series
	bad, review := 0, 0
	for _, in := range instruments {
		s := series{Name: zh(instrumentZH, in)}
		for _, m := range ms {
			var v any = "-"
			for _, h := range hold {
				if h.Month == m && h.Instrument == in {
					v = jsMoney(h.Value)
					switch {
					case h.Review && s.Color == "":
						s.Name, s.Color = zh(instrumentZH, in)+"（待复核）", reviewShades[review%len(reviewShades)]
						review++
					case !h.Allowed && !h.Review && s.Color == "":
						s.Name, s.Color = zh(instrumentZH, in)+"（不允许）", badShades[bad%len(badShades)]
						bad++
					}
				}
			}
			s.Values = append(s.Values, v)
		}
		ss = append(ss, s)
	}
	for _, h := range hold {
		class, allowed := "", "允许"
		switch {
		case h.Review:
			class, allowed = "flag", "待复核"
		case !h.Allowed:
			class, allowed = "bad", "不允许"
		}
		t.add(class, "", txt(monthZH(h.Month)), txt(zh(instrumentZH, h.Instrument)), amt(h.Value), optFlt(h.Share), txt(allowed))
	}
	if len(hold) == 0 {
		sec.Paras = append(sec.Paras, "本运营方没有投资持仓记录。")
		return sec
	}
	var x []string
	for _, m := range ms {
		x = append(x, m[:7])
	}
	sec.Charts = append(sec.Charts, stackedBar("chart_mix", "投资结构：月末市值（元）", "月份", x, ss))
	sec.Tables = append(sec.Tables, t)
	return sec
}

// trialTable is the operator's trial balance at each year's end: sources
// (net assets) against uses (assets less liabilities), and the verdict.
func trialTable(d *data, o *operator) *table {
	t := &table{ID: "t-trial", Sheet: "试算平衡", Title: "试算平衡（资金来源 = 资金占用）",
		Cols: []column{{"年度", integer}, {"月末", text}, {"资金来源（净资产）", amount}, {"资金占用（资产 − 负债）", amount},
			{"差额", amount}, {"结果", text}}}
	for _, b := range d.Trial {
		if b.Operator != o.Code {
			continue
		}
		verdict, class := "平衡", ""
		if b.Sources != b.Uses {
			verdict, class = "不平衡", "bad"
		}
		t.add(class, "", num(b.Year), txt(dateZH(b.Month)), amt(b.Sources), amt(b.Uses), amt(b.Sources-b.Uses), txt(verdict))
	}
	return t
}

// trialParas says, when the books do not balance, by how much and where
// to look.
func trialParas(d *data, o *operator) []string {
	var out []string
	for _, b := range d.Trial {
		if b.Operator == o.Code && b.Sources != b.Uses {
			out = append(out, strconv.Itoa(b.Year)+"年末（"+dateZH(b.Month)+"）账不平衡：资金来源 "+yuan(b.Sources)+"，资金占用 "+yuan(b.Uses)+
				"，差额 "+yuan(b.Sources-b.Uses)+"。请核对借贷不平衡的凭证（合规问题 R10）与被隔离的分录。")
		}
	}
	return out
}
