package reports

// assistanceKindZH are the assistance kinds of contract-v1 in Chinese.
var assistanceKindZH = map[string]string{"member_activity": "会员活动", "hardship_assistance": "困难帮扶"}

// assistancePage is the drill-down from an operator's findings about
// assistance items (R05: no approval, not made public, or no voucher on
// 5301/5302) to the items (帮扶事项明细): a row a finding, its rule and
// words beside what the item says — kind, activity, amount, approval
// reference, the day it was made public, its voucher — and what the
// ledger holds of that voucher on 5301/5302, from
// mart.finding_assistance. Each row is its finding's anchor
// (a-<finding id>). Not the item's description: free text, which can
// name the person helped.
func assistancePage(d *data, o *operator, fs []finding, items []findingAssistance) *page {
	p := &page{Title: o.Name + " · 帮扶事项明细", Subtitle: "运营方 " + o.Code + " · 问题所涉帮扶事项",
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "assistance.xlsx", Nav: operatorNav()}
	byFinding := map[string]findingAssistance{}
	for _, a := range items {
		byFinding[a.Finding] = a
	}
	t := &table{ID: "t-assistance", Sheet: "帮扶事项明细", Title: "问题所涉帮扶事项（每行一个问题）",
		Cols: []column{{"规则", text}, {"状态", text}, {"问题说明", text}, {"事项编号", text}, {"类别", text}, {"项目", text},
			{"金额", amount}, {"审批文号", text}, {"公示日期", text}, {"记账凭证", text},
			{"凭证记账日期（5301/5302）", text}, {"凭证借方金额（5301/5302）", amount}}}
	n := 0
	for _, f := range fs { // most severe first (findings.sql)
		a, ok := byFinding[f.ID]
		if !ok {
			continue
		}
		n++
		label, class := findingState(f)
		t.add(class, "a-"+f.ID, txt(ruleLabel(f.Rule)), txt(label), txt(f.Detail), txt(a.Item),
			txt(zh(assistanceKindZH, a.Kind)), txt(o.activityName(a.Activity)), optAmt(a.Amount), orMissing(a.Approved, "无"),
			orMissing(dateZH(a.Publicized), "未公示"), txt(a.Voucher), orMissing(dateZH(a.Posted), "无"), optAmt(a.VoucherDebit))
	}
	p.Sections = append(p.Sections, drillNote("下列帮扶事项均被合规检查列为问题对象（第十二条：会员活动和帮扶救助支出应严格审批、如实记账，并在一定范围内向会员公示）。"+
		"为保护个人信息，不显示事项的文字说明（可能含有受助人姓名）。", "帮扶事项", n == 0, t))
	return p
}

// drillNote is the 说明 section that opens a drill-down page: why its
// subjects are listed, and, when none is, a word that the operator has no
// finding about them (subject: 理赔, 帮扶事项…).
func drillNote(intro, subject string, none bool, tables ...*table) *section {
	head := &section{Heading: "说明", Paras: []string{intro}, Tables: tables}
	if none {
		head.Paras = append(head.Paras, "本运营方没有涉及"+subject+"的问题。")
	}
	return head
}

// orMissing is a text cell of s, or of the word missing when s is empty.
func orMissing(s, missing string) cell {
	if s == "" {
		return txt(missing)
	}
	return txt(s)
}
