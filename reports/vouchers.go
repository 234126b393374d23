package reports

import (
	"strings"

	"huzhu/internal/money"
	"huzhu/marts"
)

// ruleLabel is a rule's id and its name in the catalogue ("R07
// 大额资金使用未经集体决策"; the id alone for an id not in it).
func ruleLabel(id string) string {
	for _, r := range marts.Catalogue() {
		if r.ID == id {
			return id + " " + r.Name
		}
	}
	return id
}

// findingsBySubject groups the findings about subjects of one kind by
// subject, in the order of their first finding (fs is most severe first:
// findings.sql).
func findingsBySubject(fs []finding, kind string) (order []string, by map[string][]finding) {
	by = map[string][]finding{}
	for _, f := range fs {
		if f.SubjectKind != kind {
			continue
		}
		if _, ok := by[f.SubjectRef]; !ok {
			order = append(order, f.SubjectRef)
		}
		by[f.SubjectRef] = append(by[f.SubjectRef], f)
	}
	return order, by
}

// findingItem is one finding as a drill-down page lists it above its
// subject: severity, rule, whether it is new or resolved, and its words.
func findingItem(d *data, f finding) string {
	label, _ := findingState(f)
	return zh(marts.SeverityNames, f.Severity) + " · " + ruleLabel(f.Rule) + " · " + label + "：" + f.Detail
}

// anchorOf is the fragment of a subject's section on a drill-down page:
// prefix and the subject's code, any character but a letter, digit, "-"
// or "_" made "_".
func anchorOf(prefix, code string) string {
	return prefix + strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
			return r
		}
		return '_'
	}, code)
}

// voucherAnchor is the fragment of a voucher's section on vouchers.html.
func voucherAnchor(no string) string { return anchorOf("v-", no) }

// vouchersPage is the drill-down from an operator's findings to the
// vouchers they name (凭证明细): for each such voucher (first by the most
// severe finding on it), its findings and its lines as
// mart.finding_voucher_lines keeps them — date, activity, account, debit,
// credit, the decision cited, and whether one person prepared and approved
// it or approved and paid it — with its totals and their difference.
// Nothing of a person: no staff id, counterparty, bank account or summary.
func vouchersPage(d *data, o *operator, fs []finding, lines []voucherLine) *page {
	p := &page{Title: o.Name + " · 凭证明细", Subtitle: "运营方 " + o.Code + " · 问题所涉记账凭证",
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "vouchers.xlsx", Nav: operatorNav()}
	order, byVoucher := findingsBySubject(fs, "voucher")
	linesOf := map[string][]voucherLine{}
	for _, l := range lines {
		linesOf[l.Voucher] = append(linesOf[l.Voucher], l)
	}
	lineCols := []column{{"行号", integer}, {"日期", text}, {"项目", text}, {"科目", text}, {"科目名称", text},
		{"借方", amount}, {"贷方", amount}, {"决策文号", text}, {"制单与审核同一人", text}, {"审核与支付同一人", text}}
	all := &table{ID: "t-voucher-lines", Sheet: "凭证明细", Title: "问题所涉凭证的全部分录", WorkbookOnly: true,
		Cols: append([]column{{"凭证号", text}}, lineCols...)}
	head := drillNote("下列凭证均被合规检查列为问题对象（第十三条：大额资金集体决策、不相容岗位分离、加强财务基础工作、收支两条线等）。"+
		"每张凭证列出其保留的全部分录；转换时被隔离的分录不在其中，故缺行的凭证借贷不平。"+
		"为保护个人信息，不显示经办人员编号、对方单位、银行账号和摘要。", "记账凭证", len(order) == 0)
	p.Sections = append(p.Sections, head)
	yes := func(b bool) cell {
		if b {
			return txt("是")
		}
		return txt("否")
	}
	for _, no := range order {
		sec := &section{ID: voucherAnchor(no), Heading: "凭证 " + no, Sub: true}
		for _, f := range byVoucher[no] {
			sec.Items = append(sec.Items, findingItem(d, f))
		}
		ls := linesOf[no]
		if len(ls) == 0 {
			sec.Paras = append(sec.Paras, "该凭证没有保留的分录（全部被隔离或已删除）。")
			p.Sections = append(p.Sections, sec)
			continue
		}
		t := &table{ID: "t-" + voucherAnchor(no), Sheet: "凭证明细", Title: "凭证 " + no + " 的分录", PageOnly: true, Cols: lineCols}
		var debit, credit money.Cents
		for _, l := range ls {
			if l.Debit != nil {
				debit += *l.Debit
			}
			if l.Credit != nil {
				credit += *l.Credit
			}
			act := ""
			if l.Activity != "" {
				act = o.activityName(l.Activity)
			}
			cells := []cell{num(l.Line), txt(dateZH(l.PostedOn)), txt(act), txt(l.Account), txt(l.AccountName),
				optAmt(l.Debit), optAmt(l.Credit), txt(l.Decision), yes(l.SamePreparerApprover), yes(l.SameApproverPayer)}
			t.add("", "", cells...)
			all.add("", "", append([]cell{txt(no)}, cells...)...)
		}
		sec.Paras = append(sec.Paras, "借方合计 "+yuan(debit)+"，贷方合计 "+yuan(credit)+"，差额 "+yuan(debit-credit)+"。")
		sec.Tables = []*table{t}
		p.Sections = append(p.Sections, sec)
	}
	// The workbook holds every line in one sheet, of which the page shows
	// each voucher's part.
	head.Tables = []*table{all}
	return p
}
