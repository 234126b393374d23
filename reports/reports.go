package reports

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"huzhu/internal/money"
	"huzhu/internal/privacy"
	"huzhu/internal/webassets"
)

// Options tune Write.
type Options struct {
	// Parallel is how many operators' pages are rendered at once; 0 means
	// one per CPU.
	Parallel int
}

// Result says what Write wrote.
type Result struct {
	Dir           string         `json:"dir"`
	RunID         string         `json:"marts_run_id"` // the run that built the marts
	AsOf          string         `json:"as_of"`        // the data's last month end, YYYY-MM-DD
	Jurisdictions []Jurisdiction `json:"jurisdictions"`
	Files         int            `json:"files"`
	Bytes         int64          `json:"bytes"`
	QuerySeconds  float64        `json:"query_seconds"` // reading the marts
	Seconds       float64        `json:"seconds"`       // everything
}

// Jurisdiction is one supervising federation's folder.
type Jurisdiction struct {
	Folder    string   `json:"folder"` // national, province-440000, pool-C440100
	Title     string   `json:"title"`
	Level     string   `json:"level"` // national, province, pool
	Operators []string `json:"operators"`
	Index     string   `json:"index"` // the index page's path
	Files     int      `json:"files"`
	Bytes     int64    `json:"bytes"`
}

// jurisdiction is a Jurisdiction with its operators.
type jurisdiction struct {
	Jurisdiction
	ops []*operator
}

// provinceOf is the province of a pool or region code: its first two
// digits and "0000" (C440100 → 440000).
func provinceOf(o *operator) string {
	digits := strings.TrimLeft(o.Pool, "NPCnpc")
	if len(digits) < 2 {
		digits = o.Region
	}
	if len(digits) < 2 {
		return "000000"
	}
	return digits[:2] + "0000"
}

// jurisdictions lists the national folder, one per province and one per
// city pool, each with the operators it supervises.
func jurisdictions(d *data) []*jurisdiction {
	fedName := func(match func(federation) bool, fallback string) string {
		for _, f := range d.Federations {
			if match(f) {
				return f.Name
			}
		}
		return fallback
	}
	nat := &jurisdiction{Jurisdiction: Jurisdiction{Folder: "national", Level: "national",
		Title: fedName(func(f federation) bool { return strings.HasPrefix(f.Pool, "N") }, "全国")}}
	var out []*jurisdiction
	byFolder := map[string]*jurisdiction{}
	for _, o := range d.Operators {
		nat.ops = append(nat.ops, o)
		prov := provinceOf(o)
		folders := []string{"province-" + prov}
		if strings.HasPrefix(o.Pool, "C") {
			folders = append(folders, "pool-"+o.Pool)
		}
		for _, f := range folders {
			j := byFolder[f]
			if j == nil {
				j = &jurisdiction{Jurisdiction: Jurisdiction{Folder: f}}
				if strings.HasPrefix(f, "province-") {
					j.Level = "province"
					j.Title = fedName(func(f federation) bool { return f.Region == prov && !strings.HasPrefix(f.Pool, "C") }, "省级 "+prov)
				} else {
					j.Level = "pool"
					pool := o.Pool
					j.Title = fedName(func(f federation) bool { return f.Pool == pool && f.Region == pool[1:] }, "统筹 "+pool) + "（" + pool + " 统筹）"
				}
				byFolder[f] = j
				out = append(out, j)
			}
			j.ops = append(j.ops, o)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Folder < out[b].Folder })
	out = append([]*jurisdiction{nat}, out...)
	for _, j := range out {
		for _, o := range j.ops {
			j.Operators = append(j.Operators, o.Code)
		}
	}
	return out
}

// operatorFiles are one operator's pages and workbooks, keyed by their
// path relative to a jurisdiction folder; every jurisdiction that
// supervises the operator gets the same bytes.
type operatorFiles map[string][]byte

// ofOperator returns the rows of one operator, in their order.
func ofOperator[T any](rows []T, code string, operatorOf func(T) string) []T {
	var out []T
	for _, r := range rows {
		if operatorOf(r) == code {
			out = append(out, r)
		}
	}
	return out
}

func renderOperator(d *data, o *operator) (operatorFiles, error) {
	files := operatorFiles{}
	lines := ofOperator(d.Budget, o.Code, func(b budgetLine) string { return b.Operator })
	monthly := ofOperator(d.Monthly, o.Code, func(m budgetMonth) string { return m.Operator })
	flows := ofOperator(d.Flows, o.Code, func(e flowEdge) string { return e.Operator })
	hold := ofOperator(d.Holdings, o.Code, func(h holding) string { return h.Operator })
	fs := ofOperator(d.Findings, o.Code, func(f finding) string { return f.Operator })
	rs := ofOperator(d.Risks, o.Code, func(r risk) string { return r.Operator })
	vl := ofOperator(d.Vouchers, o.Code, func(v voucherLine) string { return v.Operator })
	cl := ofOperator(d.Claims, o.Code, func(c findingClaim) string { return c.Operator })
	hm := ofOperator(d.HoldingMonths, o.Code, func(h holdingMonth) string { return h.Operator })
	as := ofOperator(d.Assistance, o.Code, func(a findingAssistance) string { return a.Operator })
	dp := ofOperator(d.Departures, o.Code, func(x departure) string { return x.Operator })
	au := ofOperator(d.Audits, o.Code, func(a audit) string { return a.Operator })
	pages := []struct {
		name string
		p    *page
	}{
		{"budget", budgetPage(d, o, lines, monthly)},
		{"flow", flowPage(d, o, flows, hold)},
		{"compliance", compliancePage(d, o, fs, rs)},
		{"vouchers", vouchersPage(d, o, fs, vl)},
		{"claims", claimsPage(d, o, fs, cl)},
		{"holdings", holdingsPage(d, o, fs, hm)},
		{"assistance", assistancePage(d, o, fs, as)},
		{"audits", auditsPage(d, o, fs, dp, au)},
		{"activities", activitiesPage(d, o, fs)},
	}
	for _, pg := range pages {
		pg.p.Self = pg.name + ".html"
		html, xlsx, err := pg.p.render(pg.p.Title)
		if err != nil {
			return nil, fmt.Errorf("reports: %s %s: %w", o.Code, pg.name, err)
		}
		files[o.Code+"/"+pg.name+".html"] = html
		if xlsx != nil {
			files[o.Code+"/"+pg.name+".xlsx"] = xlsx
		}
	}
	return files, nil
}

// Write reads the marts from db and writes the supervisor reports of
// every jurisdiction under dir, which it removes and recreates first: a
// folder per jurisdiction (national, province-<code>, pool-<code>), each
// holding index.html, compare and risk pages and workbooks, assets/ (the
// ECharts runtime and the stylesheet) and a folder per operator it
// supervises with budget, flow, compliance, vouchers, claims and holdings
// pages and workbooks. A file the same in several folders is one file
// hard-linked into each where the file system allows. Nothing outside dir
// is written. Two calls on the same warehouse write the same bytes.
func Write(ctx context.Context, db *sql.DB, dir string, opt Options) (*Result, error) {
	start := time.Now()
	echarts, err := webassets.Read(webassets.EChartsFile)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	d, err := load(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	res := &Result{Dir: dir, RunID: d.RunID, AsOf: d.AsOf, QuerySeconds: time.Since(start).Seconds()}

	// Each operator's pages once, then each jurisdiction's own pages, in
	// parallel; then the files, jurisdiction by jurisdiction.
	par := opt.Parallel
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	rendered := make([]operatorFiles, len(d.Operators))
	if err := parallel(ctx, len(d.Operators), par, func(i int) (err error) {
		rendered[i], err = renderOperator(d, d.Operators[i])
		return err
	}); err != nil {
		return nil, err
	}
	byCode := map[string]operatorFiles{}
	for i, o := range d.Operators {
		byCode[o.Code] = rendered[i]
	}
	js := jurisdictions(d)
	own := make([]map[string][]byte, len(js))
	if err := parallel(ctx, len(js), par, func(i int) error {
		own[i] = map[string][]byte{}
		return renderJurisdiction(d, js[i], own[i])
	}); err != nil {
		return nil, err
	}

	// Nothing is written that the privacy gate refuses (internal/privacy,
	// as for the site): a person's data an operator put where a name
	// belongs (an activity named with a phone) stops the reports.
	allowed := slices.Clone(d.OrgCodes)
	for _, f := range d.Findings {
		allowed = append(allowed, f.ID) // 16 hex digits, which can hold 11 in a row
	}
	gate := privacy.New("reports", allowed, d.StaffIDs)
	for i := range rendered {
		if err := checkFiles(gate, rendered[i]); err != nil {
			return nil, err
		}
	}
	for i := range own {
		if err := checkFiles(gate, own[i]); err != nil {
			return nil, err
		}
	}

	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	css := stylesheet()
	written := map[string]string{} // a shared file's name → where it was first written
	for i, j := range js {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		root := filepath.Join(dir, j.Folder)
		files := map[string][]byte{"assets/echarts.min.js": echarts, "assets/report.css": css}
		for _, o := range j.ops {
			for name, b := range byCode[o.Code] {
				files[name] = b
			}
		}
		maps.Copy(files, own[i])
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if err := os.MkdirAll(filepath.Join(root, filepath.Dir(filepath.FromSlash(n))), 0o755); err != nil {
				return nil, fmt.Errorf("reports: %w", err)
			}
			j.Files++
			j.Bytes += int64(len(files[n]))
		}
		// A file that is the same in every folder that has it (the
		// assets, an operator's pages) is written once and linked from the
		// other folders; several at once: creating a file waits on the
		// file system, not on a core.
		ownFiles := own[i]
		if err := parallel(ctx, len(names), 8, func(k int) error {
			n := names[k]
			p := filepath.Join(root, filepath.FromSlash(n))
			if _, ownPage := ownFiles[n]; !ownPage {
				if first, ok := written[n]; ok && os.Link(first, p) == nil {
					return nil
				}
			}
			return os.WriteFile(p, files[n], 0o644)
		}); err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		for _, n := range names {
			if _, ok := written[n]; !ok {
				written[n] = filepath.Join(root, filepath.FromSlash(n))
			}
		}
		j.Index = filepath.Join(root, "index.html")
		res.Jurisdictions = append(res.Jurisdictions, j.Jurisdiction)
		res.Files += j.Files
		res.Bytes += j.Bytes
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// renderJurisdiction renders a jurisdiction's own pages (its index, the
// comparison of its operators and its pools' risk warnings) into files.
func renderJurisdiction(d *data, j *jurisdiction, files map[string][]byte) error {
	for _, pg := range []struct {
		name  string
		p     *page
		title string
	}{
		{"index", indexPage(d, j), j.Title},
		{"compare", comparePage(d, j), j.Title + " 运营方对比"},
		{"risk", riskPage(d, j), j.Title + " 统筹风险预警"},
	} {
		pg.p.Self = pg.name + ".html"
		r, err := pg.p.renderPage(pg.title)
		if err != nil {
			return fmt.Errorf("reports: %s %s: %w", j.Folder, pg.name, err)
		}
		files[pg.name+".html"] = r.html
		if pg.name != "index" {
			files[pg.name+".xlsx"] = r.xlsx
		}
	}
	return nil
}

// parallel runs f(0) … f(n-1), at most par at once, and returns the first
// error by index (or the context's, once it is done).
func parallel(ctx context.Context, n, par int, f func(i int) error) error {
	errs := make([]error, n)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

type renderedPage struct{ html, xlsx []byte }

func (p *page) renderPage(title string) (renderedPage, error) {
	h, x, err := p.render(title)
	return renderedPage{h, x}, err
}

func levelZHOf(level string) string {
	switch level {
	case "national":
		return "全国"
	case "province":
		return "省级"
	}
	return "城市统筹"
}

// indexPage links every report of the jurisdiction.
func indexPage(d *data, j *jurisdiction) *page {
	p := &page{Title: j.Title + " · 职工互助保障监管报告", Subtitle: levelZHOf(j.Level) + "辖区，运营方 " + strconv.Itoa(len(j.ops)) + " 家",
		AsOf: dateZH(d.AsOf), Nav: jurisdictionNav()}
	p.Sections = append(p.Sections, &section{Heading: "本辖区", Paras: []string{
		"依据《意见》第五条（各级工会对下一级进行监管）和第十条（按照管理权限为各级管理者提供相关数据和风险预警信息），本文件夹只包含本辖区运营方的数据。集市运行 " + d.RunID + "。",
	}, Links: []navLink{{"运营方对比（评分卡与排名）", "compare.html"}, {"运营方对比表格（Excel）", "compare.xlsx"},
		{"统筹风险预警（各统筹基金整体）", "risk.html"}, {"统筹风险预警表格（Excel）", "risk.xlsx"}}})
	for _, o := range j.ops {
		var open int
		for _, f := range d.Findings {
			if f.Operator == o.Code && f.Status == "open" {
				open++
			}
		}
		p.Sections = append(p.Sections, &section{ID: "op-" + o.Code, Heading: o.Name, Sub: true,
			Paras: []string{"运营方代码 " + o.Code + "，统筹 " + o.Pool + "，未整改问题 " + strconv.Itoa(open) + " 项。"},
			Links: []navLink{
				{"预算执行情况审查", o.Code + "/budget.html"}, {"资金流向分析", o.Code + "/flow.html"}, {"合规与风险预警", o.Code + "/compliance.html"},
				{"凭证明细", o.Code + "/vouchers.html"}, {"理赔明细", o.Code + "/claims.html"}, {"投资持仓明细", o.Code + "/holdings.html"},
				{"帮扶事项明细", o.Code + "/assistance.html"}, {"审计情况", o.Code + "/audits.html"},
				{"预算执行（Excel）", o.Code + "/budget.xlsx"}, {"资金流向（Excel）", o.Code + "/flow.xlsx"}, {"合规与风险（Excel）", o.Code + "/compliance.xlsx"},
				{"凭证明细（Excel）", o.Code + "/vouchers.xlsx"}, {"理赔明细（Excel）", o.Code + "/claims.xlsx"},
				{"投资持仓明细（Excel）", o.Code + "/holdings.xlsx"}, {"帮扶事项明细（Excel）", o.Code + "/assistance.xlsx"},
				{"审计情况（Excel）", o.Code + "/audits.xlsx"},
			}})
	}
	return p
}

// comparePage sets the jurisdiction's operators side by side: the
// scorecard with its parts and ranks, budget totals and open findings.
func comparePage(d *data, j *jurisdiction) *page {
	p := &page{Title: j.Title + " · 运营方对比", Subtitle: "评分卡（第十三条：预算执行情况纳入考核体系）、预算执行与合规情况",
		AsOf: dateZH(d.AsOf), Workbook: "compare.xlsx", Nav: jurisdictionNav()}
	in := map[string]*operator{}
	for _, o := range j.ops {
		in[o.Code] = o
	}
	var scores []score
	latest := map[string]int{} // each operator's latest scored year
	for _, s := range d.Scores {
		if in[s.Operator] != nil {
			scores = append(scores, s)
			latest[s.Operator] = max(latest[s.Operator], s.Year)
		}
	}
	p.Sections = append(p.Sections, &section{ID: "how", Heading: "评分方法", Paras: []string{scoreMethod}})
	for _, y := range yearsOf(scores, func(s score) int { return s.Year }) {
		ys := strconv.Itoa(y)
		var sy []score
		for _, s := range scores {
			if s.Year == y {
				sy = append(sy, s)
			}
		}
		slices.SortStableFunc(sy, func(a, b score) int {
			if c := cmp.Compare(b.Score, a.Score); c != 0 {
				return c
			}
			return strings.Compare(a.Operator, b.Operator)
		})
		t := &table{ID: "t-score-" + ys, Sheet: "评分卡" + ys, Title: ys + "年度评分卡与排名",
			Cols: []column{{"辖区排名", integer}, {"运营方", text}, {"运营方代码", text}, {"统筹", text}, {"总分", number},
				{"预算执行", number}, {"合规", number}, {"给付时效", number}, {"审计", number}, {"统筹内排名", integer},
				{"收入预算", amount}, {"收入实际", amount}, {"收入执行率", rate}, {"支出预算", amount}, {"支出实际", amount},
				{"支出执行率", rate}, {"标记科目", integer}, {"计入合规的未整改问题", integer}}}
		var names []string
		var parts [4][]any
		notDue := false
		rank := 0
		for i, s := range sy {
			if i == 0 || s.Score != sy[i-1].Score {
				rank = i + 1
			}
			o := in[s.Operator]
			// inAB: the income of the lines with a budget, which the income
			// rate reads (interest nobody budgeted would read as income
			// above plan); spending without a budget stays in the expense
			// rate, where it is spending beyond the plan.
			var inB, inA, inAB, exB, exA money.Cents
			var flagged, open int
			for _, b := range d.Budget {
				if b.Operator != s.Operator || b.Year != y {
					continue
				}
				bf := b.budgetInForce()
				if b.Class == "income" {
					inA += b.Actual
					if bf != nil {
						inB += *bf
						inAB += b.Actual
					}
				} else if b.Class == "expense" {
					exA += b.Actual
					if bf != nil {
						exB += *bf
					}
				}
				if b.Flag != "ok" && b.Flag != "" {
					flagged++
				}
			}
			// The open findings the compliance part weighs: the year's, and
			// in the latest year also those still open from before and
			// those of no year (mart.scorecard).
			for _, f := range d.Findings {
				if f.Operator != s.Operator || f.Status != "open" {
					continue
				}
				if f.Year != nil && *f.Year == y || y == latest[s.Operator] && (f.Year == nil || *f.Year < y) {
					open++
				}
			}
			t.add("", "", num(rank), link(o.Name, o.Code+"/budget.html#y"+ys), txt(o.Code), txt(s.Pool), flt(s.Score),
				flt(s.Budget), flt(s.Compliance), flt(s.Time), optFlt(s.Audit), num(s.RankInPool),
				amt(inB), amt(inA), optFlt(ratio(inAB, inB)), amt(exB), amt(exA), optFlt(ratio(exA, exB)), num(flagged), num(open))
			names = append(names, o.Name)
			for k, v := range []*float64{&s.Budget, &s.Compliance, &s.Time, s.Audit} {
				parts[k] = append(parts[k], jsFloat(v))
			}
			if s.Audit == nil {
				notDue = true
			}
		}
		sec := &section{ID: "y" + ys, Heading: ys + "年度"}
		if notDue {
			sec.Paras = append(sec.Paras, "审计一栏为“—”的运营方，本年度审计尚未到期（次年6月30日前完成），总分按其余三项折算为百分制（三项之和 × 4/3）。")
		}
		sec.Charts = append(sec.Charts, stackedBar("score_"+ys, ys+"年度评分构成", "运营方", names, []series{
			{Name: "预算执行", Values: parts[0]}, {Name: "合规", Values: parts[1]},
			{Name: "给付时效", Values: parts[2]}, {Name: "审计", Values: parts[3]},
		}))
		sec.Tables = append(sec.Tables, t)
		p.Sections = append(p.Sections, sec)
	}
	return p
}

// scoreMethod says how mart.scorecard makes the score, for the compare page.
const scoreMethod = "总分 0–100，为四项各 25 分之和：预算执行（各科目执行率与时间进度之差的平均，每科目最多计 1，无预算而有支出的科目按 1 计）；" +
	"合规（未整改问题按严重程度加权，严重 5、重大 2、一般 1、提示 0，得分 = 25 × 25 ÷ (25 + 加权数)：没有问题得 25，加权 25 得 12.5，问题越多越低但不为 0，以便问题多的运营方之间仍可比较；" +
	"最近一年还计入以前年度仍未整改的问题和不分年度的问题）；给付时效（审批到付款天数中位数 15 天以内 25 分，45 天以上 0 分，其间按比例）；" +
	"年度审计（无保留意见 25、保留意见 15、否定或无法表示意见 5、到期未审 0）。"

// checkFiles runs the privacy gate over rendered files: a page as it is, a
// workbook part by part (its XML, unzipped).
func checkFiles(g *privacy.Gate, files map[string][]byte) error {
	names := slices.Sorted(maps.Keys(files))
	for _, n := range names {
		b := files[n]
		if !strings.HasSuffix(n, ".xlsx") {
			if err := g.Check(n, b); err != nil {
				return err
			}
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return fmt.Errorf("reports: %s: %w", n, err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				return fmt.Errorf("reports: %s: %w", n, err)
			}
			part, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return fmt.Errorf("reports: %s: %w", n, err)
			}
			if err := g.Check(n+"!"+f.Name, part); err != nil {
				return err
			}
		}
	}
	return nil
}
