package site

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"huzhu/internal/config"
	"huzhu/internal/money"
	"huzhu/marts"
)

// page is what the template renders.
type page struct {
	Path     string // from the site root
	Root     string // "" or "../": relative links work from file://
	Site     string
	Title    string
	Lead     string
	AsOf     string
	K        int
	Crumbs   []link
	Sections []*section
	Search   bool
	Charts   []*Chart
}

type section struct {
	ID, Title, Note string
	Chart           *Chart
	Tables          []*Table
	Pager           *pager // when the section's table is one page of a listing
	List            []link
	Terms           []term
}

type link struct{ Text, Href, Note string }

type term struct{ Term, Def string }

// index holds the loaded data keyed the way the pages ask for it.
type index struct {
	d        *Data
	f        fmtr
	rules    config.Rules
	site     string
	pools    map[string]*Pool
	ops      map[string]*Operator
	opsOf    map[string][]*Operator // by pool
	actsOf   map[string][]*Activity // by operator
	years    map[string][]ActivityYear
	yearSup  map[string]bool // op/act/year → the activity-year is suppressed
	opYears  map[string][]OperatorYear
	cells    map[string][]BreakdownCell
	mix      map[string][]Holding
	budget   map[string][]BudgetLine
	scores   map[string][]Score
	findings map[string][]FindingCount
	ruleText map[string]marts.Rule
	mixMemo  sync.Map // operator code → mixMemo

	// national is set when there are more than homeListMax operators or
	// pools: the home page sums by province and each province has its own
	// listing of pools (paging.go).
	national   bool
	provinces  []*province // by code
	provOf     map[string]*province
	totalsOnce sync.Once
	poolSum    map[string]map[int]hidable // pool → year → contributions
	sumYears   []int
}

func actKey(op, act string) string { return op + "/" + act }

func yearKey(op, act string, y int) string { return op + "/" + act + "/" + strconv.Itoa(y) }

func newIndex(d *Data, k int, rules config.Rules, site string) *index {
	x := &index{d: d, f: fmtr{k: k}, rules: rules, site: site,
		pools: map[string]*Pool{}, ops: map[string]*Operator{}, opsOf: map[string][]*Operator{},
		actsOf: map[string][]*Activity{}, years: map[string][]ActivityYear{}, yearSup: map[string]bool{}, opYears: map[string][]OperatorYear{},
		cells: map[string][]BreakdownCell{}, mix: map[string][]Holding{}, budget: map[string][]BudgetLine{},
		scores: map[string][]Score{}, findings: map[string][]FindingCount{}, ruleText: map[string]marts.Rule{}}
	for i := range d.Pools {
		x.pools[d.Pools[i].Code] = &d.Pools[i]
	}
	for i := range d.Operators {
		o := &d.Operators[i]
		x.ops[o.Code] = o
		x.opsOf[o.Pool] = append(x.opsOf[o.Pool], o)
	}
	for i := range d.Activities {
		a := &d.Activities[i]
		x.actsOf[a.Operator] = append(x.actsOf[a.Operator], a)
	}
	for _, y := range d.Years {
		x.years[actKey(y.Operator, y.Activity)] = append(x.years[actKey(y.Operator, y.Activity)], y)
		x.yearSup[yearKey(y.Operator, y.Activity, y.Year)] = y.Suppressed
	}
	for _, y := range d.OpYears {
		x.opYears[y.Operator] = append(x.opYears[y.Operator], y)
	}
	for _, c := range d.Breakdown {
		k := yearKey(c.Operator, c.Activity, c.Year)
		x.cells[k] = append(x.cells[k], c)
	}
	for _, h := range d.Mix {
		x.mix[h.Operator] = append(x.mix[h.Operator], h)
	}
	for _, b := range d.Budget {
		x.budget[b.Operator] = append(x.budget[b.Operator], b)
	}
	for _, s := range d.Scores {
		x.scores[s.Operator] = append(x.scores[s.Operator], s)
	}
	for _, f := range d.Findings {
		x.findings[f.Operator] = append(x.findings[f.Operator], f)
	}
	for _, r := range marts.Catalogue() {
		x.ruleText[r.ID] = r
	}
	if len(d.Operators) > homeListMax || len(d.Pools) > homeListMax {
		x.national = true
		x.groupProvinces()
	}
	return x
}

// crumbs lead from a page one folder down to the home page, the pool's
// province (national sites) and the pool.
func (x *index) crumbs(pool string) []link {
	out := []link{{Text: "首页", Href: "../index.html"}}
	if pv := x.provOf[pool]; pv != nil {
		out = append(out, link{Text: pv.Name, Href: "../" + provincePath(pv.Code)})
	}
	if pl := x.pools[pool]; pl != nil {
		out = append(out, link{Text: pl.Name, Href: "../" + poolPath(pl.Code)})
	}
	return out
}

func (x *index) newPage(path, title string) *page {
	root := ""
	for _, c := range path {
		if c == '/' {
			root += "../"
		}
	}
	return &page{Path: path, Root: root, Site: x.site, Title: title, AsOf: x.d.AsOf, K: x.f.k}
}

// table makes a table whose downloads live at data/<dir>/<id>.
func (p *page) table(dir, id, caption string, cols, keys []string) *Table {
	return &Table{ID: id, Caption: caption, Cols: cols, Keys: keys, File: "data/" + dir + "/" + id}
}

func (p *page) add(s *section) *section {
	p.Sections = append(p.Sections, s)
	if s.Chart != nil {
		p.Charts = append(p.Charts, s.Chart)
	}
	return s
}

func poolPath(code string) string     { return "pool/" + code + ".html" }
func operatorPath(code string) string { return "operator/" + code + ".html" }
func activityPath(op, act string) string {
	return "activity/" + op + "-" + act + ".html"
}

// yuan is an amount for a chart: the exact decimal as a JSON number.
func yuan(c money.Cents) any { return json.Number(c.String()) }

// operatorYears returns an operator's totals by year
// (mart.disclosure_operator_year): sums over all its activities, hidden
// ones included, which the mart's complementary suppression makes safe to
// show; nil where the mart hid them.
func (x *index) operatorYears(op string) []OperatorYear { return x.opYears[op] }

// hidable adds up amounts of which any may be hidden (nil): the sum is
// hidden once one of them is, or a hidden amount would be the shown sum
// less the shown others.
type hidable struct {
	sum    money.Cents
	hidden bool
	rows   int // the totals added: none is no figure at all, not 0.00
}

func (h *hidable) add(c *money.Cents) {
	h.rows++
	if c == nil {
		h.hidden = true
		return
	}
	h.sum += *c
}

// plus is the sum of h and o.
func (h hidable) plus(o hidable) hidable {
	return hidable{sum: h.sum + o.sum, hidden: h.hidden || o.hidden, rows: h.rows + o.rows}
}

// value is the sum (zero of nothing), or nil when hidden.
func (h hidable) value() *money.Cents {
	if h.hidden {
		return nil
	}
	v := h.sum
	return &v
}

// yuanOr is an amount for a chart, or a gap where it is hidden or missing.
func yuanOr(c *money.Cents) any {
	if c == nil {
		return gap
	}
	return yuan(*c)
}

func (x *index) latestScore(op string) *Score {
	s := x.scores[op]
	if len(s) == 0 {
		return nil
	}
	return &s[len(s)-1]
}

// ---- home ----

func (x *index) homePage() *page {
	p := x.newPage("index.html", x.site)
	p.Lead = "本站公开各统筹地区、各互助保障组织及每项互助保障活动的收支、给付、结余、资金存放、预算执行、审计与合规情况，不含任何会员个人信息。"
	p.Search = true
	if x.national {
		x.nationalHome(p)
	} else {
		x.smallHome(p)
	}
	p.add(&section{ID: "more", Title: "口径与下载", List: []link{
		{Text: "统计口径、合规规则与名词解释", Href: "methodology.html"},
		{Text: "全部公开数据（Frictionless 数据包）", Href: "data/package/datapackage.json"},
		{Text: "搜索索引（JSON）", Href: "search.json"},
	}})
	return p
}

// smallHome lists every pool and operator and charts every pool.
func (x *index) smallHome(p *page) {
	var pools []link
	for _, pl := range x.d.Pools {
		pools = append(pools, link{Text: pl.Name, Href: poolPath(pl.Code), Note: zh(levelZh, pl.Level) + " · " + strconv.Itoa(len(x.opsOf[pl.Code])) + " 个运营方"})
	}
	p.add(&section{ID: "pools", Title: "统筹地区", List: pools})
	var ops []link
	for _, o := range x.d.Operators {
		note := ""
		if pl := x.pools[o.Pool]; pl != nil {
			note = pl.Name
		}
		ops = append(ops, link{Text: o.Name, Href: operatorPath(o.Code), Note: note})
	}
	p.add(&section{ID: "operators", Title: "互助保障组织（运营方）", List: ops})

	// Contributions by pool and year: sums of the operators' totals.
	sum, ys := x.poolTotals()
	t := p.table("home", "pool-contributions", "各统筹地区历年互助金收入（元）", []string{"统筹地区"}, []string{"pool"})
	ss := yearColumns(t, ys)
	var cats []string
	for _, pl := range x.d.Pools {
		x.yearRow(t, ss, ys, []Cell{linkCell(pl.Name, poolPath(pl.Code))}, func(y int) hidable { return sum[pl.Code][y] })
		cats = append(cats, pl.Name)
	}
	t.ChartID = "chart-pools"
	p.add(&section{ID: "by-pool", Title: "各统筹地区互助金收入",
		Chart:  barChart("chart-pools", "柱状图：各统筹地区历年互助金收入，数据见下表", cats, ss),
		Tables: []*Table{t}})
}

// nationalHome sums pools and operators by province, one row a province
// linking to the province's listing of pools, and sends a reader looking
// for one operator to the search box: the page's size depends on the
// number of provinces, not of pools or operators.
func (x *index) nationalHome(p *page) {
	sum, ys := x.poolTotals()
	t := p.table("home", "province-contributions", "各省份统筹地区数、运营方数与历年互助金收入（元）",
		[]string{"省份", "统筹地区", "运营方"}, []string{"province", "pools", "operators"})
	ss := yearColumns(t, ys)
	var cats []string
	for _, pv := range x.provinces {
		lead := []Cell{linkCell(pv.Name, provincePath(pv.Code)), x.f.count(int64(len(pv.Pools))), x.f.count(int64(pv.Ops))}
		x.yearRow(t, ss, ys, lead, func(y int) hidable {
			var c hidable
			for _, pl := range pv.Pools {
				c = c.plus(sum[pl.Code][y])
			}
			return c
		})
		cats = append(cats, pv.Name)
	}
	t.ChartID = "chart-provinces"
	p.add(&section{ID: "pools", Title: "统筹地区（按省份）",
		Note:   "共 " + groupInt(int64(len(x.d.Pools))) + " 个统筹地区、" + groupInt(int64(len(x.d.Operators))) + " 个运营方，按省份汇总。点省份查看其各统筹地区，再点统筹地区查看其运营方。",
		Chart:  barChart("chart-provinces", "柱状图：各省份历年互助金收入，数据见下表", cats, ss),
		Tables: []*Table{t}})
	p.add(&section{ID: "operators", Title: "互助保障组织（运营方）",
		Note: "运营方较多，本页不逐一列出：名单按统筹地区列在各统筹地区页面。",
		List: []link{
			{Text: "按名称查找运营方：使用页首的搜索框", Href: "#q"},
			{Text: "按省份、统筹地区浏览", Href: "#pools"},
		}})
}

// yearRow appends to t a row of the lead cells and amount(y) for each year
// of ys, and each amount to its year's series of the chart beside t.
func (x *index) yearRow(t *Table, ss []series, ys []int, lead []Cell, amount func(y int) hidable) {
	for i, y := range ys {
		h := amount(y)
		if h.rows == 0 {
			// no operator of the row reported the year: no figure, not 0.00
			lead = append(lead, nullCell())
			ss[i].Values = append(ss[i].Values, gap)
			continue
		}
		c := h.value()
		lead = append(lead, x.f.moneyOr(c, true))
		ss[i].Values = append(ss[i].Values, yuanOr(c))
	}
	t.Rows = append(t.Rows, lead)
}

// yearColumns adds a column per year to t and returns a series per year.
func yearColumns(t *Table, ys []int) []series {
	var ss []series
	for _, y := range ys {
		t.Cols = append(t.Cols, strconv.Itoa(y)+"年")
		t.Keys = append(t.Keys, "contributions_"+strconv.Itoa(y))
		ss = append(ss, series{Name: strconv.Itoa(y) + "年"})
	}
	return ss
}

func sortedYears(m map[int]bool) []int {
	ys := make([]int, 0, len(m))
	for y := range m {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// ---- province (national sites) ----

// provincePages list a province's pools, poolsPerPage to a page: level,
// operators and contributions per year, with a chart of the page's rows.
func (x *index) provincePages(pv *province) []*page {
	sum, ys := x.poolTotals()
	first := provincePath(pv.Code)
	total := pageCount(len(pv.Pools), poolsPerPage)
	var out []*page
	for n := 1; n <= total; n++ {
		p := x.newPage(pagePath(first, n), pv.Name+" · 统筹地区"+pageSuffix(n, total))
		p.Crumbs = []link{{Text: "首页", Href: "../index.html"}}
		p.Lead = pv.Name + "共有 " + groupInt(int64(len(pv.Pools))) + " 个统筹地区、" + groupInt(int64(pv.Ops)) + " 个运营方。点统筹地区查看其运营方；按名称查找运营方请用首页的搜索框。"
		t := p.table("province/"+pv.Code, pagedID("pools", n), pv.Name+"各统筹地区历年互助金收入（元）",
			[]string{"统筹地区", "级别", "运营方"}, []string{"pool", "pool_level", "operators"})
		ss := yearColumns(t, ys)
		var cats []string
		for _, pl := range chunk(pv.Pools, poolsPerPage, n) {
			lead := []Cell{linkCell(pl.Name, "../"+poolPath(pl.Code)), textCell(zh(levelZh, pl.Level)), x.f.count(int64(len(x.opsOf[pl.Code])))}
			x.yearRow(t, ss, ys, lead, func(y int) hidable { return sum[pl.Code][y] })
			cats = append(cats, pl.Name)
		}
		t.ChartID = "chart-pools"
		p.add(&section{ID: "pools", Title: "统筹地区",
			Chart:  barChart("chart-pools", "柱状图：本页各统筹地区历年互助金收入，数据见下表", cats, ss),
			Tables: []*Table{t}, Pager: newPager(first, n, total, len(pv.Pools))})
		p.add(&section{ID: "find", Title: "查找运营方", List: []link{{Text: "在首页按名称搜索", Href: "../index.html#search"}}})
		out = append(out, p)
	}
	return out
}

// ---- pool ----

// poolPages are a pool's pages: its operators, opsPerPage to a page, and on
// the first page its history.
func (x *index) poolPages(pl *Pool) []*page {
	ops := x.opsOf[pl.Code]
	first := poolPath(pl.Code)
	total := pageCount(len(ops), opsPerPage)
	dir := "pool/" + pl.Code
	var out []*page
	for n := 1; n <= total; n++ {
		p := x.newPage(pagePath(first, n), pl.Name+"（"+zh(levelZh, pl.Level)+"）"+pageSuffix(n, total))
		p.Crumbs = x.crumbs(pl.Code)
		if n == 1 {
			p.Crumbs = p.Crumbs[:len(p.Crumbs)-1] // not the page itself
		}
		p.Lead = "本统筹地区的互助保障组织及其历年收支概况。人数与给付见各组织、各活动页面。"
		if pl.Federation != "" && pl.Federation != pl.Name {
			p.Lead = "主管工会：" + pl.Federation + "。" + p.Lead
		}
		t := p.table(dir, pagedID("operators", n), "本地区各运营方最近一年概况（金额单位：元；当年数据为年初至 "+x.d.AsOf+"）", []string{"运营方", "年度", "互助金收入", "基金结余", "风险准备金", "管理费比例", "综合评分"},
			[]string{"operator", "fiscal_year", "contributions", "fund_balance", "reserve_balance", "mgmt_fee_ratio", "score"})
		for _, o := range chunk(ops, opsPerPage, n) {
			row := []Cell{linkCell(o.Name, "../"+operatorPath(o.Code))}
			if oy := x.operatorYears(o.Code); len(oy) == 0 {
				row = append(row, nullCell(), nullCell(), nullCell(), nullCell(), nullCell())
			} else {
				l := oy[len(oy)-1]
				row = append(row, textCell(strconv.Itoa(l.Year)), x.f.moneyOr(l.Contributions, l.Suppressed), x.f.moneyOr(l.Fund, l.Suppressed),
					x.f.moneyOr(l.Reserve, l.Suppressed), x.f.ratioOr(l.MgmtFee, false))
			}
			if s := x.latestScore(o.Code); s != nil {
				row = append(row, x.f.score(s.Score))
			} else {
				row = append(row, nullCell())
			}
			t.Rows = append(t.Rows, row)
		}
		// A long listing comes after the pool's totals, a short one before
		// the operators' history.
		if n == 1 && len(ops) > poolSeriesMax {
			x.poolTotalHistory(p, pl, dir)
		}
		s := p.add(&section{ID: "operators", Title: "运营方", Tables: []*Table{t}, Pager: newPager(first, n, total, len(ops))})
		if total > 1 {
			s.Note = "本地区共 " + groupInt(int64(len(ops))) + " 个运营方，每页 " + strconv.Itoa(opsPerPage) + " 个。"
		}
		if n == 1 && len(ops) <= poolSeriesMax {
			x.poolHistory(p, pl, dir)
		}
		out = append(out, p)
	}
	return out
}

// poolHistory shows each operator's contributions by year.
func (x *index) poolHistory(p *page, pl *Pool, dir string) {
	ops := x.opsOf[pl.Code]
	years := map[int]bool{}
	perOp := map[string]map[int]OperatorYear{}
	for _, o := range ops {
		perOp[o.Code] = map[int]OperatorYear{}
		for _, y := range x.operatorYears(o.Code) {
			years[y.Year] = true
			perOp[o.Code][y.Year] = y
		}
	}
	ys := sortedYears(years)
	h := p.table(dir, "history", "各运营方历年互助金收入（元）", []string{"年度"}, []string{"fiscal_year"})
	var ss []series
	for _, o := range ops {
		h.Cols = append(h.Cols, o.Name)
		h.Keys = append(h.Keys, "contributions_"+o.Code)
		ss = append(ss, series{Name: o.Name})
	}
	var cats []string
	for _, y := range ys {
		row := []Cell{textCell(strconv.Itoa(y))}
		for i, o := range ops {
			oy, ok := perOp[o.Code][y]
			if ok {
				row = append(row, x.f.moneyOr(oy.Contributions, oy.Suppressed))
				ss[i].Values = append(ss[i].Values, yuanOr(oy.Contributions))
			} else {
				row = append(row, nullCell())
				ss[i].Values = append(ss[i].Values, gap)
			}
		}
		h.Rows = append(h.Rows, row)
		cats = append(cats, strconv.Itoa(y))
	}
	h.ChartID = "chart-history"
	p.add(&section{ID: "history", Title: "历年互助金收入",
		Chart:  barChart("chart-history", "柱状图：各运营方历年互助金收入，数据见下表", cats, ss),
		Tables: []*Table{h}})
}

// poolTotalHistory shows the pool's totals by year (sums of its
// operators' totals; hidden where one of them is) where one series an
// operator would not fit.
func (x *index) poolTotalHistory(p *page, pl *Pool, dir string) {
	type totals struct{ contributions, fund, reserve hidable }
	by := map[int]*totals{}
	for _, o := range x.opsOf[pl.Code] {
		for _, y := range x.operatorYears(o.Code) {
			t := by[y.Year]
			if t == nil {
				t = &totals{}
				by[y.Year] = t
			}
			t.contributions.add(y.Contributions)
			t.fund.add(y.Fund)
			t.reserve.add(y.Reserve)
		}
	}
	years := map[int]bool{}
	for y := range by {
		years[y] = true
	}
	h := p.table(dir, "history", "本地区历年合计（各运营方之和，元）", []string{"年度", "互助金收入", "基金结余", "风险准备金"},
		[]string{"fiscal_year", "contributions", "fund_balance", "reserve_balance"})
	ss := []series{{Name: "互助金收入"}, {Name: "基金结余"}, {Name: "风险准备金"}}
	var cats []string
	for _, y := range sortedYears(years) {
		t := by[y]
		c, f, r := t.contributions.value(), t.fund.value(), t.reserve.value()
		h.Rows = append(h.Rows, []Cell{textCell(strconv.Itoa(y)), x.f.moneyOr(c, true), x.f.moneyOr(f, true), x.f.moneyOr(r, true)})
		ss[0].Values = append(ss[0].Values, yuanOr(c))
		ss[1].Values = append(ss[1].Values, yuanOr(f))
		ss[2].Values = append(ss[2].Values, yuanOr(r))
		cats = append(cats, strconv.Itoa(y))
	}
	h.ChartID = "chart-history"
	p.add(&section{ID: "history", Title: "历年互助金收入与结余（合计）",
		Note:   "本地区运营方较多，图表只画合计；各运营方的数字见下表及其页面。",
		Chart:  barChart("chart-history", "柱状图：本地区历年互助金收入、基金结余与风险准备金合计，数据见下表", cats, ss),
		Tables: []*Table{h}})
}

// ---- operator ----

// operatorTables are the operator-level tables an activity page shows too
// (linking to the operator's downloads).
func (x *index) mixTable(p *page, o *Operator) (*Table, *Chart) {
	// The same table and chart are on the operator's page and each of its
	// activity pages: build them once.
	if v, ok := x.mixMemo.Load(o.Code); ok {
		m := v.(mixMemo)
		t := *m.t
		return &t, m.c
	}
	t, c := x.buildMix(p, o)
	x.mixMemo.Store(o.Code, mixMemo{t, c})
	cp := *t
	return &cp, c
}

type mixMemo struct {
	t *Table
	c *Chart
}

func (x *index) buildMix(p *page, o *Operator) (*Table, *Chart) {
	t := p.table("operator/"+o.Code, "investment-mix", "资金存放（全会，最近月末）", []string{"品种", "月末", "市值（元）", "占比", "是否允许"},
		[]string{"instrument_type", "month", "market_value", "share", "allowed"})
	var names []string
	var vals []any
	for _, h := range x.mix[o.Code] {
		allowed := Cell{Text: "允许", Raw: "true"}
		switch {
		case h.Review:
			allowed = Cell{Text: "⚠ 待复核（第十二条）", Raw: "review"}
		case !h.Allowed:
			allowed = Cell{Text: "⚠ 不允许（第十二条）", Raw: "false"}
		}
		t.Rows = append(t.Rows, []Cell{textCell(zh(instrumentZh, h.Instrument)), textCell(h.Month), x.f.money(h.Value), x.f.ratioOr(h.Share, false), allowed})
		names = append(names, zh(instrumentZh, h.Instrument))
		vals = append(vals, yuan(h.Value))
	}
	if len(names) == 0 {
		return t, nil
	}
	t.ChartID = "chart-mix"
	return t, barChart("chart-mix", "柱状图：资金存放各品种市值，数据见下表", names, []series{{Name: "市值（元）", Values: vals}})
}

func (x *index) auditTable(p *page, o *Operator) *Table {
	t := p.table("operator/"+o.Code, "audit", "年度审计意见与监督评分（全会）", []string{"年度", "年度审计意见", "综合评分", "统筹地区内排名"},
		[]string{"fiscal_year", "audit_opinion", "score", "rank_in_pool"})
	for _, s := range x.scores[o.Code] {
		t.Rows = append(t.Rows, []Cell{textCell(strconv.Itoa(s.Year)), textCell(auditOpinion(s.Audit)), x.f.score(s.Score), x.f.count(int64(s.Rank))})
	}
	return t
}

// assistanceTable lists member-activity (5301) and assistance (5302)
// spending, which clause 十二 requires to be publicised: budget and actual
// per year at organisation level.
func (x *index) assistanceTable(p *page, o *Operator) *Table {
	t := p.table("operator/"+o.Code, "assistance", "会员活动与帮扶救助支出（全会）", []string{"年度", "科目", "截至月末", "预算（元）", "实际（元）", "执行率"},
		[]string{"fiscal_year", "line", "as_of_month", "budget", "actual", "execution_rate"})
	for _, b := range x.budget[o.Code] {
		if b.Activity != "" || (b.Line != "5301" && b.Line != "5302") {
			continue
		}
		t.Rows = append(t.Rows, []Cell{textCell(strconv.Itoa(b.Year)), textCell(b.LineName), textCell(b.Month), x.f.moneyOr(b.Budget, false), x.f.money(b.Actual), x.f.ratioOr(b.Rate, false)})
	}
	return t
}

// activityName is an activity's name as members read it, its code when
// the operator has no such activity.
func (x *index) activityName(op, code string) string {
	for _, a := range x.actsOf[op] {
		if a.Code == code {
			return a.Name
		}
	}
	return code
}

func (x *index) findingsTable(p *page, dir, id string, rows []FindingCount, withActivity bool) *Table {
	cols := []string{"年度", "严重程度", "规则", "依据条款", "未整改件数"}
	keys := []string{"fiscal_year", "severity", "rule_id", "clause", "open_findings"}
	if withActivity {
		cols = append([]string{"活动"}, cols...)
		keys = append([]string{"activity_code"}, keys...)
	}
	t := p.table(dir, id, "未整改的合规问题（按规则与严重程度计数，不含个人信息）", cols, keys)
	rows = slices.Clone(rows)
	slices.SortStableFunc(rows, func(a, b FindingCount) int {
		return cmp.Or(cmp.Compare(b.Year, a.Year), cmp.Compare(marts.SeverityRank[a.Severity], marts.SeverityRank[b.Severity]), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Activity, b.Activity))
	})
	for _, f := range rows {
		year := "—"
		if f.Year != 0 {
			year = strconv.Itoa(f.Year)
		}
		r := x.ruleText[f.Rule]
		row := []Cell{textCell(year), textCell(zh(marts.SeverityNames, f.Severity)), textCell(f.Rule + " " + r.Name), textCell("第" + r.Clause + "条：" + r.ClauseText), x.f.count(int64(f.N))}
		if withActivity {
			act := Cell{Text: "全会", Raw: ""}
			if f.Activity != "" {
				act = Cell{Text: x.activityName(f.Operator, f.Activity), Raw: f.Activity}
			}
			row = append([]Cell{act}, row...)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func severitySummary(rows []FindingCount) string {
	n := map[string]int{}
	for _, f := range rows {
		n[f.Severity] += f.N
	}
	s := "未整改合规问题："
	for i, sev := range []string{"critical", "major", "minor", "info"} {
		if i > 0 {
			s += "，"
		}
		s += zh(marts.SeverityNames, sev) + " " + strconv.Itoa(n[sev]) + " 件"
	}
	return s + "。"
}

func (x *index) operatorPage(o *Operator) *page {
	p := x.newPage(operatorPath(o.Code), o.Name)
	p.Crumbs = x.crumbs(o.Pool)
	p.Lead = "统一社会信用代码 " + o.Code + "。以下为本组织各项互助保障活动的公开数据。"
	dir := "operator/" + o.Code

	acts := p.table(dir, "activities", "各项活动最近一年情况（金额单位：元；当年数据为年初至 "+x.d.AsOf+"）", []string{"活动", "年度", "参加人数", "互助金收入", "给付件数", "给付金额", "给付率"},
		[]string{"activity", "fiscal_year", "members_enrolled", "contributions", "claims_paid", "benefits_paid", "payout_ratio"})
	for _, a := range x.actsOf[o.Code] {
		ys := x.years[actKey(o.Code, a.Code)]
		row := []Cell{linkCell(a.Name, "../"+activityPath(o.Code, a.Code))}
		if len(ys) == 0 {
			row = append(row, nullCell(), nullCell(), nullCell(), nullCell(), nullCell(), nullCell())
		} else {
			y := ys[len(ys)-1]
			row = append(row, textCell(strconv.Itoa(y.Year)), x.f.countOr(y.Members, true), x.f.moneyOr(y.Contributions, y.Suppressed),
				x.f.countOr(y.Claims, y.Suppressed), x.f.moneyOr(y.Benefits, y.Suppressed), x.f.ratioOr(y.PayoutRatio, y.Suppressed))
		}
		acts.Rows = append(acts.Rows, row)
	}
	p.add(&section{ID: "activities", Title: "互助保障活动", Tables: []*Table{acts}})

	h := p.table(dir, "history", "历年合计（各活动之和，元）", []string{"年度", "互助金收入", "基金结余", "风险准备金", "管理费比例"},
		[]string{"fiscal_year", "contributions", "fund_balance", "reserve_balance", "mgmt_fee_ratio"})
	ss := []series{{Name: "互助金收入"}, {Name: "基金结余"}, {Name: "风险准备金"}}
	var cats []string
	for _, y := range x.operatorYears(o.Code) {
		h.Rows = append(h.Rows, []Cell{textCell(strconv.Itoa(y.Year)), x.f.moneyOr(y.Contributions, y.Suppressed), x.f.moneyOr(y.Fund, y.Suppressed),
			x.f.moneyOr(y.Reserve, y.Suppressed), x.f.ratioOr(y.MgmtFee, false)})
		ss[0].Values = append(ss[0].Values, yuanOr(y.Contributions))
		ss[1].Values = append(ss[1].Values, yuanOr(y.Fund))
		ss[2].Values = append(ss[2].Values, yuanOr(y.Reserve))
		cats = append(cats, strconv.Itoa(y.Year))
	}
	h.ChartID = "chart-history"
	p.add(&section{ID: "history", Title: "历年收入与结余", Chart: barChart("chart-history", "柱状图：历年互助金收入、基金结余与风险准备金，数据见下表", cats, ss), Tables: []*Table{h}})

	mix, mixChart := x.mixTable(p, o)
	p.add(&section{ID: "mix", Title: "资金存放在哪里", Note: "按第十二条，互助资金只能存放银行或购买国债；标“不允许”的持有须整改，标“待复核”的政策性银行债券、地方政府债券由主管工会复核。", Chart: mixChart, Tables: []*Table{mix}})

	b := p.table(dir, "budget", "全会层面预算执行（各年最后月末）", []string{"年度", "科目", "截至月末", "预算（元）", "实际（元）", "执行率", "状态"},
		[]string{"fiscal_year", "line", "as_of_month", "budget", "actual", "execution_rate", "flag"})
	for _, l := range x.budget[o.Code] {
		if l.Activity != "" {
			continue
		}
		b.Rows = append(b.Rows, []Cell{textCell(strconv.Itoa(l.Year)), textCell(l.LineName), textCell(l.Month), x.f.moneyOr(l.Budget, false), x.f.money(l.Actual), x.f.ratioOr(l.Rate, false), textCell(zh(flagZh, l.Flag))})
	}
	p.add(&section{ID: "budget", Title: "预算与实际", Tables: []*Table{b}})
	p.add(&section{ID: "assistance", Title: "会员活动与帮扶救助支出", Note: "第十二条要求在一定范围内向会员公示。此处公开各年合计；逐笔明细可能涉及受助人，不在本站公开。", Tables: []*Table{x.assistanceTable(p, o)}})
	p.add(&section{ID: "audit", Title: "审计意见与监督评分", Tables: []*Table{x.auditTable(p, o)}})
	p.add(&section{ID: "findings", Title: "合规问题", Note: severitySummary(x.findings[o.Code]), Tables: []*Table{x.findingsTable(p, dir, "findings", x.findings[o.Code], true)}})
	return p
}

// ---- activity ----

func (x *index) activityPage(o *Operator, a *Activity) *page {
	// The operator in the title too: several operators run an activity of
	// one name, and a tab or bookmark shows the title alone.
	p := x.newPage(activityPath(o.Code, a.Code), a.Name+" · "+o.Name)
	p.Crumbs = append(x.crumbs(o.Pool), link{Text: o.Name, Href: "../" + operatorPath(o.Code)})
	p.Lead = o.Name + " · " + zh(categoryZh, a.Category) + "类 · 每人缴费 " + money.FormatCNY(a.Contribution) + " 元 / " +
		strconv.Itoa(a.PeriodMonths) + " 个月 · 最高给付 " + money.FormatCNY(a.BenefitCap) + " 元 · 活动状态：" + zh(statusZh, a.Status)
	dir := "activity/" + o.Code + "-" + a.Code
	ys := x.years[actKey(o.Code, a.Code)]

	if len(ys) > 0 {
		y := ys[len(ys)-1]
		key := p.table(dir, "summary", x.yearTitle(y.Year)+"概况", []string{"项目", "数值"}, []string{"item", "value"})
		add := func(label string, c Cell) { key.Rows = append(key.Rows, []Cell{textCell(label), c}) }
		add("参加人数", x.f.countOr(y.Members, true))
		add("缴入互助金（元）", x.f.moneyOr(y.Contributions, y.Suppressed))
		add("给付件数", x.f.countOr(y.Claims, y.Suppressed))
		add("给付金额（元）", x.f.moneyOr(y.Benefits, y.Suppressed))
		add("给付率（给付÷收入）", x.f.ratioOr(y.PayoutRatio, y.Suppressed))
		add("管理费比例（全会）", x.mgmtFeeCell(y.MgmtFeeRatio))
		add("给付天数中位数（审批到付款）", x.f.daysOr(y.MedianDays, y.Suppressed))
		add("基金结余（元）", x.f.moneyOr(y.FundBalance, y.Suppressed))
		add("风险准备金（元）", x.f.moneyOr(y.Reserve, y.Suppressed))
		p.add(&section{ID: "summary", Title: "一年概况", Note: "我交的钱用在哪里：下表回答参加了多少人、收了多少、赔了多少、多快赔付、还剩多少。", Tables: []*Table{key}})
	}

	h := p.table(dir, "history", "历年情况（金额单位：元；天数：审批到付款）", []string{"年度", "参加人数", "互助金收入", "给付件数", "给付金额", "给付率", "管理费比例", "给付天数中位数", "基金结余", "风险准备金"},
		[]string{"fiscal_year", "members_enrolled", "contributions", "claims_paid", "benefits_paid", "payout_ratio", "mgmt_fee_ratio", "median_days_to_pay", "fund_balance", "reserve_balance"})
	ss := []series{{Name: "互助金收入"}, {Name: "给付金额"}}
	var cats []string
	for _, y := range ys {
		h.Rows = append(h.Rows, []Cell{textCell(strconv.Itoa(y.Year)), x.f.countOr(y.Members, true), x.f.moneyOr(y.Contributions, y.Suppressed),
			x.f.countOr(y.Claims, y.Suppressed), x.f.moneyOr(y.Benefits, y.Suppressed), x.f.ratioOr(y.PayoutRatio, y.Suppressed),
			x.mgmtFeeCell(y.MgmtFeeRatio), x.f.daysOr(y.MedianDays, y.Suppressed), x.f.moneyOr(y.FundBalance, y.Suppressed), x.f.moneyOr(y.Reserve, y.Suppressed)})
		ss[0].Values = append(ss[0].Values, yuanOr(y.Contributions))
		if y.Benefits != nil {
			ss[1].Values = append(ss[1].Values, yuan(*y.Benefits))
		} else {
			ss[1].Values = append(ss[1].Values, gap)
		}
		cats = append(cats, strconv.Itoa(y.Year))
	}
	h.ChartID = "chart-history"
	p.add(&section{ID: "history", Title: "历年收入与给付",
		Chart:  barChart("chart-history", "柱状图：历年互助金收入与给付金额，数据见下表", cats, ss),
		Tables: []*Table{h}})

	if len(ys) > 0 {
		y := ys[len(ys)-1]
		bt := p.table(dir, "breakdown", strconv.Itoa(y.Year)+"年给付分布", []string{"维度", "分组", "给付件数", "给付金额（元）"},
			[]string{"dimension", "bucket", "claims_paid", "benefits_paid"})
		for _, c := range x.cells[yearKey(o.Code, a.Code, y.Year)] {
			bt.Rows = append(bt.Rows, []Cell{{Text: zh(dimensionZh, c.Dimension), Raw: c.Dimension}, {Text: bucketLabel(c.Dimension, c.Bucket), Raw: c.Bucket},
				x.f.countOr(c.Claims, c.Suppressed), x.f.moneyOr(c.Benefits, c.Suppressed)})
		}
		note := "按年龄段、性别、疾病类别、医院等级与月份分别统计；不足 " + strconv.Itoa(x.f.k) + " 件的格及其补充隐去格，件数显示为“" + x.f.supText() + "”，金额显示为“" + hiddenText + "”。"
		if len(bt.Rows) == 0 {
			note = "本年度（截至数据日期）没有已付款的理赔，因此没有分布可列。"
		} else if y.Suppressed {
			note = "本年度给付不足 " + strconv.Itoa(x.f.k) + " 件，不公布分组：哪些分组有给付，本身就会透露少数受益会员的年龄、性别、病种与就医情况。"
		}
		p.add(&section{ID: "breakdown", Title: "给付分布", Note: note, Tables: []*Table{bt}})
	}

	bt := p.table(dir, "budget", "本活动预算执行（各年最后月末）", []string{"年度", "科目", "截至月末", "预算（元）", "实际（元）", "执行率", "状态"},
		[]string{"fiscal_year", "line", "as_of_month", "budget", "actual", "execution_rate", "flag"})
	for _, l := range x.budget[o.Code] {
		if l.Activity != a.Code {
			continue
		}
		budget, actual, rate, flag := x.f.moneyOr(l.Budget, false), x.f.money(l.Actual), x.f.ratioOr(l.Rate, false), textCell(zh(flagZh, l.Flag))
		// The actuals of a suppressed year would give its hidden figures
		// back (the benefits line its benefits, the income line its
		// contributions, and with them the change of the fund): hide them
		// as the disclosure mart hides the year's money. The budget too: a
		// budget drawn up close to the outcome, divided by a fixed benefit,
		// is the count of claims.
		if x.yearSup[yearKey(o.Code, a.Code, l.Year)] {
			budget, actual, rate, flag = x.f.hidden(), x.f.hidden(), x.f.hidden(), x.f.hidden()
		}
		bt.Rows = append(bt.Rows, []Cell{textCell(strconv.Itoa(l.Year)), textCell(l.LineName), textCell(l.Month), budget, actual, rate, flag})
	}
	p.add(&section{ID: "budget", Title: "预算与实际", Tables: []*Table{bt}})

	mix, mixChart := x.mixTable(p, o)
	mix.Shared = true
	p.add(&section{ID: "mix", Title: "资金存放在哪里（全会）", Note: "资金由运营方统一存放；按第十二条只能存银行或购买国债，标“不允许”的持有须整改，标“待复核”的由主管工会复核。", Chart: mixChart, Tables: []*Table{mix}})
	as := x.assistanceTable(p, o)
	as.Shared = true
	p.add(&section{ID: "assistance", Title: "会员活动与帮扶救助支出（全会）", Note: "第十二条要求公示；此处为各年合计。", Tables: []*Table{as}})
	au := x.auditTable(p, o)
	au.Shared = true
	p.add(&section{ID: "audit", Title: "审计意见", Tables: []*Table{au}})

	var fs []FindingCount
	for _, f := range x.findings[o.Code] {
		if f.Activity == a.Code || f.Activity == "" {
			fs = append(fs, f)
		}
	}
	p.add(&section{ID: "findings", Title: "合规问题", Note: "本活动及全会层面的" + severitySummary(fs), Tables: []*Table{x.findingsTable(p, dir, "findings", fs, true)}})
	return p
}

// ---- methodology ----

func (x *index) methodologyPage() *page {
	p := x.newPage("methodology.html", "口径、规则与名词解释")
	p.Crumbs = []link{{Text: "首页", Href: "index.html"}}
	p.Lead = "本站数据来自各运营方业务系统的每晚抽取，经统一清洗后按全国总工会《关于加强职工互助保障活动规范管理的意见》（总工发〔2018〕28号）的要求汇总公开。"
	t := p.table("methodology", "rules", "合规规则目录", []string{"规则", "名称", "依据条款", "条款原文", "检查方法", "严重程度", "阈值"},
		[]string{"rule_id", "name", "clause", "clause_text", "check", "severity", "threshold"})
	for _, r := range marts.Catalogue() {
		t.Rows = append(t.Rows, []Cell{textCell(r.ID), textCell(r.Name), textCell("第" + r.Clause + "条"), textCell(r.ClauseText), textCell(r.CheckZH), textCell(zh(marts.SeverityNames, r.Severity)), textCell(r.Threshold(x.rules))})
	}
	p.add(&section{ID: "rules", Title: "合规规则与所依据的条款", Tables: []*Table{t}})
	p.add(&section{ID: "glossary", Title: "名词解释", Terms: []term{
		{"参加人数", "当年保障期内有有效缴费（未全额退费）的会员人数。"},
		{"互助金收入", "当年计入该活动“互助金收入”科目（4101）的净额（已扣除退费）。"},
		{"给付件数、给付金额", "当年（北京时间）已付款的理赔件数与金额，按理赔案件统计；“预算与实际”中的给付实际数按会计记账（5101）统计，记账日期与付款日期可能跨月、跨年，两者因此可能略有差异。"},
		{"给付率", "给付金额 ÷ 互助金收入。第三条要求适度补偿，过高或过低都会提示。互助金收入按收款记账的年度计算，而团体缴费常在上一年年末预收：某一年的收入可能含下一年的保障费、又缺当年已预收的部分，单一年度的给付率因此可能明显偏高或偏低（结余也会随之波动），请结合历年数据看。"},
		{"管理费比例", "运营方当年管理费用（5201）÷ 当年互助金收入贷方合计（未扣除退费，与合规规则 R04 同一口径），全会同一数值。第十二条要求严格控制。"},
		{"给付天数中位数", "从审批到付款的天数的中位数。"},
		{"基金结余", "活动资产减负债再减风险准备金，截至年末（当年为数据截止日）。"},
		{"风险准备金", "第十条要求建立的风险准备金（3102）余额。"},
		{"统筹地区", "第四条：省级统筹，或省级管理、市级统筹。"},
		{"综合评分", "主管工会对运营方的年度监督评分，0–100 分，由预算执行、合规、给付时效、年度审计四项各 25 分相加：未整改的合规问题越多、越严重，合规一项越低；当年的年度审计尚未到期（次年6月30日前完成）时，按其余三项折算为百分制，因此当年与往年的分数不完全可比。"},
		{"统筹地区内排名", "同一统筹地区内各运营方当年综合评分的名次，1 为最好；统筹地区内只有一家运营方时总是第 1。"},
		{"“" + x.f.supText() + "”", "人数或件数少于 " + strconv.Itoa(x.f.k) + " 的格及其金额不公开；为防止用合计倒推，同一合计下至少再隐去一格。"},
		{"“" + hiddenText + "”", "隐去格的金额、比例与天数：这样的活动年度，其缴费、给付、结余与预算及实际数一并不公开，否则可由结余的变动或预算倒推出给付。"},
		{"“—”", "没有这项数据：该年度运营方没有报送，没有编制预算，比率无从计算（如当年没有收入），或这一项不分年度。"},
	}})
	p.add(&section{ID: "limits", Title: "已知局限", List: []link{
		{Text: "数据截至 " + x.d.AsOf + "；当年数据为年初至今，不是全年。"},
		{Text: "少于 " + strconv.Itoa(x.f.k) + " 人（件）的格已隐去，合计不一定等于所示各格之和。"},
		{Text: "资金存放、管理费、审计意见和会员活动与帮扶救助支出以运营方（全会）为单位，不分活动。"},
		{Text: "会员活动与帮扶救助支出只公开年度合计，不公开逐笔明细。"},
		{Text: "审计意见由监督评分中的审计得分推出：无保留、保留、否定或无法表示意见、未见报告。"},
		{Text: "合规问题只公开按规则与严重程度的件数，不公开涉及的凭证、人员或金额。"},
		{Text: "多年期活动的缴费在收到当年计入收入。"},
	}})
	return p
}

// mgmtFeeCell is an operator's management-fee ratio, marked when it is
// above R04's ceiling ([rules] mgmt_fee_ratio_max): clause 十二 asks that
// it be held down, and a member should not have to know the limit.
func (x *index) mgmtFeeCell(r *float64) Cell {
	c := x.f.ratioOr(r, false)
	if r != nil && *r > x.rules.MgmtFeeRatioMax {
		c.Text += "（超过 " + strconv.FormatFloat(x.rules.MgmtFeeRatioMax*100, 'f', -1, 64) + "% 上限）"
	}
	return c
}

// yearTitle is a fiscal year as a heading: the year the data ends in,
// unless the data reaches its 31 December, is the year so far.
func (x *index) yearTitle(y int) string {
	t := strconv.Itoa(y) + "年"
	if as, err := time.Parse(time.DateOnly, x.d.AsOf); err == nil && as.Year() == y && !(as.Month() == 12 && as.Day() == 31) {
		t += "（1月1日至" + strconv.Itoa(int(as.Month())) + "月" + strconv.Itoa(as.Day()) + "日）"
	}
	return t
}
