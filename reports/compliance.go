package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"huzhu/contract"
	"huzhu/marts"
	"huzhu/warehouse"
)

// findingState is a finding's place between the run that built it and
// the previous one: resolved by that run, resolved before, new in it, or
// open since before. (In a national roll-up each row is its pool's run's.)
func findingState(f finding) (label, class string) {
	switch {
	case f.Status == "resolved" && f.ResolvedRun != "" && f.ResolvedRun == f.Run:
		return "本次已解决", "resolved"
	case f.Status == "resolved":
		return "已解决", "resolved"
	case f.FirstSeen == f.Run:
		return "新增", "new"
	}
	return "持续", ""
}

// previousRun is the run whose findings those of fs (one operator's) were
// compared with, which every row of one build names. An operator without
// findings takes it from the others when one build made them all (not a
// national roll-up, whose pools' runs differ).
func previousRun(d *data, fs []finding) string {
	for _, f := range fs {
		if f.PreviousRun != "" {
			return f.PreviousRun
		}
	}
	if len(fs) > 0 {
		return ""
	}
	var prev string
	for i, f := range d.Findings {
		if f.Run != d.Findings[0].Run {
			return ""
		}
		if i == 0 || prev == "" {
			prev = f.PreviousRun
		}
	}
	return prev
}

// subjectLabel is a finding's subject as a supervisor reads it: a budget
// line as its activity, year and line; a role by its title and start, not
// the person's staff id; claims joined by 、; any other by its key.
func subjectLabel(o *operator, f finding) string {
	p := strings.Split(f.SubjectRef, "|")
	switch {
	case f.SubjectKind == "budget_line" && len(p) == 3:
		return o.activityName(p[0]) + " " + p[1] + "年 " + p[2]
	case f.SubjectKind == "staff_role" && len(p) == 3:
		return zh(roleZH, p[1]) + "（" + dateZH(p[2]) + "任职）"
	case f.SubjectKind == "claims":
		return strings.Join(p, "、")
	}
	return f.SubjectRef
}

// subjectLink drills down from a finding to the report showing its subject;
// flowYears are the years the operator's flow page has a section for.
func subjectLink(f finding, flowYears map[int]bool) string {
	if f.Rule == "R03" && f.Year != nil {
		// investment income: the holdings of its year (an activity's, or
		// the operator's), not the activity
		return "holdings.html#r-" + f.ID
	}
	switch f.SubjectKind {
	case "budget_line":
		// subject_ref is activity|year|line
		p := strings.Split(f.SubjectRef, "|")
		if len(p) == 3 {
			return "budget.html#l-" + p[1] + "-" + orgKey(p[0]) + "-" + p[2]
		}
	case "holding":
		return "holdings.html#" + holdingAnchor(f.SubjectRef)
	case "activity":
		if f.Rule == "R06" {
			return "activities.html#b-" + f.ID
		}
		if activityRegister(f.Rule) {
			return "activities.html#a-" + f.SubjectRef
		}
		if f.Year != nil && flowYears[*f.Year] {
			return "flow.html#y" + strconv.Itoa(*f.Year)
		}
		return "flow.html"
	case "operator":
		if f.Year != nil {
			return "budget.html#y" + strconv.Itoa(*f.Year)
		}
	case "fiscal_year": // R16: a year without an annual audit
		if f.Year != nil {
			return "audits.html#y" + strconv.Itoa(*f.Year)
		}
	case "staff_role": // R16: a leader's departure
		return "audits.html#d-" + f.ID
	case "assistance":
		return "assistance.html#a-" + f.ID
	case "bank_account": // R06: an account several activities use
		return "activities.html#b-" + f.ID
	case "voucher":
		return "vouchers.html#" + voucherAnchor(f.SubjectRef)
	case "claim", "claims":
		return "claims.html#c-" + f.ID
	}
	return ""
}

// compliancePage is the compliance and risk warnings (合规与风险预警) of
// one operator: findings by rule and severity with the clause, what is new
// and resolved since the previous run, each finding's subject, and the
// risk indicators with their levels and trend.
func compliancePage(d *data, o *operator, fs []finding, rs []risk) *page {
	p := &page{Title: o.Name + " · 合规与风险预警", Subtitle: "运营方 " + o.Code + " · 统筹 " + o.Pool,
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "compliance.xlsx", Nav: operatorNav()}
	var open, newN, resolvedNow int
	for _, f := range fs {
		label, _ := findingState(f)
		if f.Status == "open" {
			open++
		}
		switch label {
		case "新增":
			newN++
		case "本次已解决":
			resolvedNow++
		}
	}
	prev := "（无上次运行记录）"
	if r := previousRun(d, fs); r != "" {
		prev = "（上次运行 " + runTime(r) + "，" + r + "）"
	}
	p.Sections = append(p.Sections, &section{Heading: "概况", Items: []string{
		fmt.Sprintf("未整改问题 %d 项，其中本次新增 %d 项；自上次运行以来已解决 %d 项%s。本次运行 %s。", open, newN, resolvedNow, prev, d.RunID),
		"每条问题引用所违反的《意见》条款原文；点击对象可查看对应报表中的明细。",
	}, Links: []navLink{{"按规则与严重程度汇总", "#by-rule"}, {"问题明细", "#findings"}, {"风险指标", "#risk"}}})

	// By rule and severity, with the clause's own words.
	byRule := &table{ID: "t-by-rule", Sheet: "按规则汇总", Title: "按规则与严重程度汇总",
		Cols: []column{{"规则", text}, {"名称", label}, {"条款", code}, {"条款原文", text}, {"检查内容", text},
			{marts.SeverityNames[marts.Critical], integer}, {marts.SeverityNames[marts.Major], integer},
			{marts.SeverityNames[marts.Minor], integer}, {marts.SeverityNames[marts.Info], integer},
			{"未整改", integer}, {"本次新增", integer}, {"本次已解决", integer}}}
	for _, rule := range marts.Catalogue() {
		counts := map[string]int{}
		var found, openN, nw, res int // found: findings of the rule, open or not
		for _, f := range fs {
			if f.Rule != rule.ID {
				continue
			}
			found++
			label, _ := findingState(f)
			if f.Status == "open" {
				counts[f.Severity]++
				openN++
			}
			if label == "新增" {
				nw++
			}
			if label == "本次已解决" {
				res++
			}
		}
		class := ""
		if openN > 0 {
			class = "open"
		}
		ruleCell := txt(rule.ID) // a rule without a finding has no row below to go to
		if found > 0 {
			ruleCell = link(rule.ID, "#rule-"+rule.ID)
		}
		byRule.add(class, "", ruleCell, txt(rule.Name), txt("第"+rule.Clause+"条"), txt("“"+rule.ClauseText+"”"), txt(rule.CheckZH),
			num(counts["critical"]), num(counts["major"]), num(counts["minor"]), num(counts["info"]), num(openN), num(nw), num(res))
	}
	p.Sections = append(p.Sections, &section{ID: "by-rule", Heading: "按规则与严重程度汇总", Tables: []*table{byRule}})

	det := &table{ID: "t-findings", Sheet: "问题明细", Title: "问题明细（严重程度从高到低）",
		Cols: []column{{"状态", code}, {"严重程度", code}, {"规则", label}, {"条款", code}, {"年度", integer},
			{"项目", text}, {"对象类型", code}, {"对象", text}, {"金额", amount}, {"说明", text}, {"阈值", text},
			{"首次发现", text}, {"最近发现", text}, {"编号", text}}}
	// The clause by its number: its words are in the table by rule above,
	// once a rule rather than once a finding.
	clauses := map[string]string{}
	for _, r := range marts.Catalogue() {
		clauses[r.ID] = "第" + r.Clause + "条"
	}
	flowYears := map[int]bool{} // flow.html has a section a year of the operator's flows
	for _, e := range d.Flows {
		if e.Operator == o.Code {
			flowYears[e.Year] = true
		}
	}
	seenRule := map[string]bool{}
	for _, f := range fs {
		label, class := findingState(f)
		year := null()
		if f.Year != nil {
			year = num(*f.Year)
		}
		act := ""
		if f.Activity != "" {
			act = o.activityName(f.Activity)
		}
		subj := txt(subjectLabel(o, f))
		if l := subjectLink(f, flowYears); l != "" {
			subj = link(subjectLabel(o, f), l)
		}
		clause := clauses[f.Rule]
		if clause == "" {
			clause = f.Clause
		}
		id := "f-" + f.ID
		if !seenRule[f.Rule] {
			// The first finding of each rule carries the rule's anchor instead.
			seenRule[f.Rule] = true
			id = "rule-" + f.Rule
		}
		det.add(class, id, txt(label), txt(zh(marts.SeverityNames, f.Severity)), txt(ruleLabel(f.Rule)), txt(clause), year, txt(act),
			txt(zh(subjectZH, f.SubjectKind)), subj, optAmt(f.Amount), txt(f.Detail), txt(f.Threshold), txt(runTime(f.FirstSeen)), txt(runTime(f.LastSeen)), txt(f.ID))
	}
	fsec := &section{ID: "findings", Heading: "问题明细", Tables: []*table{det}}
	if len(fs) == 0 {
		fsec.Paras = []string{"未发现问题。"}
	}
	p.Sections = append(p.Sections, fsec)
	p.Sections = append(p.Sections, riskSection(o, rs))
	return p
}

// operatorWhole names the scope of an operator's own risk rows: all its
// activities and its organisation level together.
const operatorWhole = "运营方整体"

// riskSection shows each indicator's latest level per scope with its
// trend, and the operator's indicators month by month against the bands.
func riskSection(o *operator, rs []risk) *section {
	sec := &section{ID: "risk", Heading: "风险指标（第十条：风险排查、监测预警）", Paras: []string{
		"绿：正常；黄：关注；红：预警；无数据：当月无从计算（如未发生给付、历史不足六个月），不作评定。“运营方整体”含各互助项目与组织本级。趋势比较最新月份与三个月前的数值。",
		indicatorUnits,
	}}
	t := &table{ID: "t-risk", Sheet: "风险指标", Title: "风险指标最新等级与趋势",
		Cols: append([]column{{"范围", text}}, riskCols...)}
	type key struct{ act, ind string }
	var keys []key
	bykey := map[key][]risk{}
	for _, r := range rs {
		k := key{r.Activity, r.Indicator}
		if _, ok := bykey[k]; !ok {
			keys = append(keys, k)
		}
		bykey[k] = append(bykey[k], r)
	}
	order := func(ind string) int { return slices.Index(indicatorOrder, ind) }
	slices.SortStableFunc(keys, func(a, b key) int {
		if a.act != b.act {
			return strings.Compare(a.act, b.act)
		}
		return order(a.ind) - order(b.ind)
	})
	for _, k := range keys {
		// The rows without an activity are the operator's whole (scope
		// operator: its activities and its organisation-level lines), not
		// the organisation level alone that activityName("") names.
		scope := operatorWhole
		if k.act != "" {
			scope = o.activityName(k.act)
		}
		t.add(bykey[k][len(bykey[k])-1].Level, "", append([]cell{txt(scope)}, trendCells(bykey[k])...)...)
	}
	// Operator-level trends, one chart per indicator.
	for _, ind := range indicatorOrder {
		if s := bykey[key{"", ind}]; len(s) > 0 {
			sec.Charts = append(sec.Charts, riskChart("risk_"+ind, zh(indicatorZH, ind)+"（"+operatorWhole+"）", s))
		}
	}
	sec.Tables = append(sec.Tables, t)
	return sec
}

// runTime is when a run started, read from its id (20261129T221834.581Z-
// d6ec0e, UTC) as Beijing time with the id's own last part, 2026-11-30
// 06:18:34 · d6ec0e: as unique as the id, which two runs of one second
// never share. An id of another form stays as it is.
func runTime(runID string) string {
	t, ok := warehouse.RunStart(runID)
	if !ok {
		return runID
	}
	_, tail, _ := strings.Cut(runID, "-")
	return t.In(contract.Beijing).Format("2006-01-02 15:04:05") + " · " + tail
}
