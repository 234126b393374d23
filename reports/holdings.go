package reports

import (
	"strconv"
	"strings"

	"huzhu/internal/money"
)

// holdingAnchor is the fragment of a holding's section on holdings.html.
func holdingAnchor(id string) string { return anchorOf("h-", id) }

// holdingsPage is the drill-down from an operator's findings to the
// holdings they name (投资持仓明细, R01): for each such holding, its
// findings, what it is (type, name, issuer, activity, start, maturity,
// rate) and its month-end principal, market value and income, from
// mart.finding_holdings.
func holdingsPage(d *data, o *operator, fs []finding, months []holdingMonth) *page {
	p := &page{Title: o.Name + " · 投资持仓明细", Subtitle: "运营方 " + o.Code + " · 问题所涉投资持仓",
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "holdings.xlsx", Nav: operatorNav()}
	order, byHolding := findingsBySubject(fs, "holding")
	monthsOf := map[string][]holdingMonth{}
	for _, m := range months {
		monthsOf[m.Holding] = append(monthsOf[m.Holding], m)
	}
	monthCols := []column{{"月末", text}, {"本金", amount}, {"市值", amount}, {"应计收益", amount}, {"已实现收益", amount}}
	all := &table{ID: "t-holding-months", Sheet: "持仓明细", Title: "问题所涉持仓的各月末状态", WorkbookOnly: true,
		Cols: append([]column{{"持仓编号", text}, {"品种", text}, {"名称", text}, {"发行人", text}}, monthCols...)}
	income := incomeSections(d, o, fs, months)
	p.Sections = append(p.Sections, drillNote("下列投资持仓均被合规检查列为问题对象（第十二条：互助资金只能存入银行或购买国债，不得购买股票、基金、债券、期货、理财等金融产品；资金增值部分要全部纳入互助资金收入）。",
		"投资持仓", len(order) == 0 && len(income) == 0, all))
	for _, id := range order {
		ms := monthsOf[id]
		sec := &section{ID: holdingAnchor(id), Heading: "持仓 " + id, Sub: true}
		for _, f := range byHolding[id] {
			sec.Items = append(sec.Items, findingItem(d, f))
		}
		if len(ms) == 0 {
			sec.Paras = append(sec.Paras, "没有该持仓的月末记录。")
			p.Sections = append(p.Sections, sec)
			continue
		}
		last := ms[len(ms)-1]
		about := "品种：" + zh(instrumentZH, last.Instrument) + "；名称：" + last.Name + "；发行人：" + last.Issuer
		if last.Activity != "" {
			about += "；项目：" + o.activityName(last.Activity)
		}
		if last.Start != "" {
			about += "；起始：" + dateZH(last.Start)
		}
		if last.Maturity != "" {
			about += "；到期：" + dateZH(last.Maturity)
		}
		if last.Rate != nil {
			about += "；利率：" + strconv.FormatFloat(*last.Rate, 'f', -1, 64) + "%"
		}
		sec.Paras = append(sec.Paras, about+"。")
		t := &table{ID: "t-" + holdingAnchor(id), Sheet: "持仓明细", Title: "持仓 " + id + " 的各月末状态", PageOnly: true, Cols: monthCols}
		for _, m := range ms {
			cells := []cell{txt(dateZH(m.Month)), optAmt(m.Principal), optAmt(m.Value), optAmt(m.Accrued), optAmt(m.Realized)}
			t.add("", "", cells...)
			all.add("", "", append([]cell{txt(id), txt(zh(instrumentZH, m.Instrument)), txt(m.Name), txt(m.Issuer)}, cells...)...)
		}
		sec.Tables = []*table{t}
		p.Sections = append(p.Sections, sec)
	}
	p.Sections = append(p.Sections, income...)
	return p
}

// incomeSections are the evidence of the operator's R03 findings
// (investment income not all booked as the fund's income, clause 十二): for
// each, a section (r-<finding id>) with the holdings of its activity (or
// of the whole operator) in its year and the income each realised then,
// whose total is the finding's realised income, beside what the finding
// says was booked to 4201/4202.
func incomeSections(d *data, o *operator, fs []finding, months []holdingMonth) []*section {
	var out []*section
	book := &table{ID: "t-income", Sheet: "投资收益", Title: "问题所涉年度与范围内各持仓的已实现收益", WorkbookOnly: true,
		Cols: []column{{"年度", integer}, {"范围", text}, {"持仓编号", text}, {"品种", text}, {"名称", text}, {"项目", text}, {"年内已实现收益", amount}}}
	for _, f := range fs {
		if f.Rule != "R03" || f.Year == nil {
			continue
		}
		year := strconv.Itoa(*f.Year)
		label, _ := findingState(f)
		sec := &section{ID: "r-" + f.ID, Heading: ruleLabel(f.Rule) + "：" + year + "年 " + incomeScope(o, f), Sub: true,
			Items: []string{label + "：" + f.Detail}}
		t := &table{ID: "t-r-" + f.ID, Sheet: "投资收益", Title: year + "年 " + incomeScope(o, f) + "各持仓已实现收益", PageOnly: true,
			Cols: []column{{"持仓编号", text}, {"品种", text}, {"名称", text}, {"项目", text}, {"年内已实现收益", amount}}}
		var ids []string
		sum := map[string]money.Cents{}
		last := map[string]holdingMonth{}
		for _, m := range months {
			if !strings.HasPrefix(m.Month, year+"-") || f.SubjectKind == "activity" && m.Activity != f.SubjectRef {
				continue
			}
			if _, ok := last[m.Holding]; !ok {
				ids = append(ids, m.Holding)
			}
			if m.Realized != nil {
				sum[m.Holding] += *m.Realized
			}
			last[m.Holding] = m
		}
		var total money.Cents
		for _, id := range ids {
			m := last[id]
			act := "组织本级"
			if m.Activity != "" {
				act = o.activityName(m.Activity)
			}
			t.add("", "", txt(id), txt(zh(instrumentZH, m.Instrument)), txt(m.Name), txt(act), amt(sum[id]))
			book.add("", "", num(*f.Year), txt(incomeScope(o, f)), txt(id), txt(zh(instrumentZH, m.Instrument)), txt(m.Name), txt(act), amt(sum[id]))
			total += sum[id]
		}
		t.add("total", "", txt("合计"), txt(""), txt(""), txt(""), amt(total))
		sec.Tables = []*table{t}
		out = append(out, sec)
	}
	if len(out) > 0 {
		out = append([]*section{{ID: "income", Heading: "投资收益是否全部纳入互助资金收入（第十二条，R03）",
			Paras:  []string{"下列各节列出合规问题所涉年度与范围内每项持仓的已实现收益，其合计即问题说明中的“投资实现收益”，可与计入 4201/4202 的金额对照。"},
			Tables: []*table{book}}}, out...)
	}
	return out
}

// incomeScope names what an R03 finding is about: an activity, the
// organisation level, or the operator's sums.
func incomeScope(o *operator, f finding) string {
	switch {
	case f.SubjectKind == "operator":
		return "运营方合计"
	case f.SubjectRef == "":
		return "组织本级"
	}
	return o.activityName(f.SubjectRef)
}
