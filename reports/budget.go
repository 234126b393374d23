package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"huzhu/internal/money"
)

// activityName is "本级（组织层面）" for the organisation-level lines.
func (o *operator) activityName(code string) string {
	if code == "" {
		return "本级（组织层面）"
	}
	if n, ok := o.Activities[code]; ok {
		return n + "（" + code + "）"
	}
	return code
}

// projection is the year-end estimate of a line: its actual so far scaled
// to twelve months (the actual itself once the year is complete).
func projection(b budgetLine) money.Cents {
	if b.MonthNo >= 12 || b.MonthNo <= 0 {
		return b.Actual
	}
	return money.MulRatio(b.Actual, 12, int64(b.MonthNo))
}

func ratio(a, b money.Cents) *float64 {
	if b == 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}

// budgetPage is the budget-execution review (预算执行情况审查) of one
// operator, a section per year.
func budgetPage(d *data, o *operator, lines []budgetLine, monthly []budgetMonth) *page {
	p := &page{Title: o.Name + " · 预算执行情况审查", Subtitle: "运营方 " + o.Code + " · 统筹 " + o.Pool,
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "budget.xlsx", Nav: operatorNav()}
	years := yearsOf(lines, func(b budgetLine) int { return b.Year })
	intro := &section{Heading: "说明", Paras: []string{
		"按年度列示各预算科目的预算数、累计实际数、执行率与应执行率（已过月份占全年的比例），标出超出进度、低于进度的科目和无预算支出（年末的进度即全年预算）；累计曲线对照预算进度；全年预计按当前进度线性外推。",
	}}
	for _, y := range years {
		intro.Links = append(intro.Links, navLink{strconv.Itoa(y) + "年度", "#y" + strconv.Itoa(y)})
	}
	p.Sections = append(p.Sections, intro)
	for _, y := range years {
		var ls []budgetLine
		for _, b := range lines {
			if b.Year == y {
				ls = append(ls, b)
			}
		}
		ys := strconv.Itoa(y)
		sec := &section{ID: "y" + ys, Heading: ys + "年度预算执行（截至" + dateZH(ls[0].AsOf) + "，应执行率 " + percent(ls[0].ExpectedRate) + "）"}
		sec.Items = budgetSummary(o, ls)
		sec.Charts = append(sec.Charts, cumulativeChart("cum_"+ys, ys+"年累计收支与预算进度（元）", y, monthly))
		t := &table{ID: "t-budget-" + ys, Sheet: "预算执行" + ys, Title: ys + "年度预算执行明细（截至" + dateZH(ls[0].AsOf) + "）",
			Cols: []column{{"项目", text}, {"科目代码", text}, {"科目名称", text}, {"类别", text},
				{"原预算", amount}, {"调整后预算", amount}, {"累计实际", amount}, {"执行率", rate}, {"应执行率", rate},
				{"差异", amount}, {"全年预计", amount}, {"预计执行率", rate}, {"标记", text}}}
		for _, b := range ls {
			class := ""
			if b.Flag != "ok" && b.Flag != "" {
				class = "flag"
			}
			proj := projection(b)
			var projRate *float64
			if bf := b.budgetInForce(); bf != nil {
				projRate = ratio(proj, *bf)
			}
			t.add(class, "l-"+ys+"-"+orgKey(b.Activity)+"-"+b.Line,
				txt(o.activityName(b.Activity)), txt(b.Line), txt(b.Name), txt(zh(classZH, b.Class)),
				optAmt(b.Original), optAmt(b.Adjusted), amt(b.Actual), optFlt(b.ExecRate), flt(b.ExpectedRate),
				amt(b.Variance), amt(proj), optFlt(projRate), txt(zh(flagZH, b.Flag)))
		}
		sec.Tables = append(sec.Tables, t)
		p.Sections = append(p.Sections, sec)
	}
	if len(years) == 0 {
		p.Sections = append(p.Sections, &section{Heading: "无预算数据", Paras: []string{"本运营方在集市中没有预算执行记录。"}})
	}
	return p
}

// orgKey names the organisation level in anchors.
func orgKey(activity string) string {
	if activity == "" {
		return "ORG"
	}
	return activity
}

func yearsOf[T any](rows []T, year func(T) int) []int {
	var ys []int
	for _, r := range rows {
		if y := year(r); !slices.Contains(ys, y) {
			ys = append(ys, y)
		}
	}
	slices.Sort(ys)
	return ys
}

// budgetSummary writes the review's short text from the figures: totals
// against budget, the largest variances, lines over budget, income
// shortfalls and the year-end projection.
func budgetSummary(o *operator, ls []budgetLine) []string {
	var out []string
	var inB, inA, exB, exA, inP, exP money.Cents
	for _, b := range ls {
		bf := b.budgetInForce()
		switch b.Class {
		case "income":
			inA += b.Actual
			inP += projection(b)
			if bf != nil {
				inB += *bf
			}
		case "expense":
			exA += b.Actual
			exP += projection(b)
			if bf != nil {
				exB += *bf
			}
		}
	}
	rateText := func(a, b money.Cents) string {
		if r := ratio(a, b); r != nil {
			return "，为预算 " + yuan(b) + " 的 " + percent(*r)
		}
		return "（无预算）"
	}
	out = append(out, "收入累计 "+yuan(inA)+rateText(inA, inB)+"；支出累计 "+yuan(exA)+rateText(exA, exB)+"。")
	if ls[0].MonthNo < 12 {
		out = append(out, "按当前进度预计全年收入 "+yuan(inP)+rateText(inP, inB)+"；全年支出 "+yuan(exP)+rateText(exP, exB)+"。")
	}
	big := slices.Clone(ls)
	slices.SortStableFunc(big, func(a, b budgetLine) int { return cmp.Compare(abs(b.Variance), abs(a.Variance)) })
	var parts []string
	for _, b := range big[:min(3, len(big))] {
		if b.Variance == 0 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s %s 差异 %s", o.activityName(b.Activity), b.Line, b.Name, yuan(b.Variance)))
	}
	if len(parts) > 0 {
		out = append(out, "差异最大的科目："+join(parts)+"。")
	}
	var over, short []string
	for _, b := range ls {
		switch b.Flag {
		case "over":
			r := ""
			if b.ExecRate != nil {
				r = "，执行率 " + percent(*b.ExecRate)
			}
			over = append(over, fmt.Sprintf("%s %s %s（实际 %s%s）", o.activityName(b.Activity), b.Line, b.Name, yuan(b.Actual), r))
		case "no_budget":
			over = append(over, fmt.Sprintf("%s %s %s（无预算支出 %s）", o.activityName(b.Activity), b.Line, b.Name, yuan(b.Actual)))
		case "short":
			short = append(short, fmt.Sprintf("%s %s %s（实际 %s，差异 %s）", o.activityName(b.Activity), b.Line, b.Name, yuan(b.Actual), yuan(b.Variance)))
		}
	}
	if len(over) > 0 {
		out = append(out, fmt.Sprintf("支出超出预算进度或无预算 %d 项：%s。", len(over), join(over)))
	} else {
		out = append(out, "无超出预算进度的支出。")
	}
	if len(short) > 0 {
		out = append(out, fmt.Sprintf("收入低于预算进度 %d 项：%s。", len(short), join(short)))
	} else {
		out = append(out, "无低于预算进度的收入。")
	}
	return out
}

func abs(c money.Cents) money.Cents {
	if c < 0 {
		return -c
	}
	return c
}

func join(parts []string) string {
	s := ""
	for i, p := range parts {
		if i > 0 {
			s += "；"
		}
		s += p
	}
	return s
}

// cumulativeChart draws the year-to-date income and expense against the
// budget's pro-rata progress, month by month.
func cumulativeChart(id, title string, year int, monthly []budgetMonth) chart {
	var x []string
	var inA, inB, exA, exB []any
	for _, m := range monthly {
		if m.Year != year {
			continue
		}
		label := strconv.Itoa(m.MonthNo) + "月"
		if !slices.Contains(x, label) {
			x = append(x, label)
			inA, inB, exA, exB = append(inA, "-"), append(inB, "-"), append(exA, "-"), append(exB, "-")
		}
		i := len(x) - 1
		progress := jsMoney(money.MulRatio(m.Budget, int64(m.MonthNo), 12))
		if m.Class == "income" {
			inA[i], inB[i] = jsMoney(m.Actual), progress
		} else {
			exA[i], exB[i] = jsMoney(m.Actual), progress
		}
	}
	return lineChart(id, title, "月份", x, []series{
		{Name: "收入累计实际", Values: inA, Color: "#1f7a3a"},
		{Name: "收入预算进度", Values: inB, Line: "dashed", Color: "#1f7a3a"},
		{Name: "支出累计实际", Values: exA, Color: "#b3261e"},
		{Name: "支出预算进度", Values: exB, Line: "dashed", Color: "#b3261e"},
	})
}

func operatorNav() []navLink {
	return []navLink{{"辖区目录", "../index.html"}, {"运营方对比", "../compare.html"},
		{"预算执行", "budget.html"}, {"资金流向", "flow.html"}, {"合规与风险", "compliance.html"}, {"凭证明细", "vouchers.html"}, {"理赔明细", "claims.html"}, {"持仓明细", "holdings.html"},
		{"帮扶明细", "assistance.html"}, {"审计情况", "audits.html"}, {"活动登记", "activities.html"}}
}
