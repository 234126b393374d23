package reports

import "strconv"

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
	p.Sections = append(p.Sections, drillNote("下列投资持仓均被合规检查列为问题对象（第十二条：互助资金只能存入银行或购买国债，不得购买股票、基金、债券、期货、理财等金融产品）。",
		"投资持仓", len(order) == 0, all))
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
	return p
}
