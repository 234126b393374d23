package reports

import (
	"strconv"

	"huzhu/contract"
)

// activitiesPage is the register of an operator's activities (活动登记):
// each activity's union approval and filing (clauses 四、五, which R13
// checks), its dates and terms, and the findings about the activity itself
// (R13, R14), so that such a finding leads to what it is about. Each row
// is its activity's anchor (a-<code>).
func activitiesPage(d *data, o *operator, fs []finding) *page {
	p := &page{Title: o.Name + " · 活动登记", Subtitle: "运营方 " + o.Code + " · 互助保障活动的审批、备案与条款",
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "activities.xlsx", Nav: operatorNav()}
	about := map[string][]finding{}
	for _, f := range fs {
		if f.SubjectKind == "activity" && activityRegister(f.Rule) {
			about[f.SubjectRef] = append(about[f.SubjectRef], f)
		}
	}
	t := &table{ID: "t-activities", Sheet: "活动登记", Title: "互助保障活动（当前登记）",
		Cols: []column{{"活动", text}, {"代码", text}, {"类别", text}, {"审批文号", text}, {"备案号", text},
			{"开始", text}, {"结束", text}, {"每人缴费", amount}, {"保障期（月）", integer}, {"最高给付", amount},
			{"状态", text}, {"相关问题", text}}}
	n := 0
	for _, a := range d.Terms {
		if a.Operator != o.Code {
			continue
		}
		n++
		var issues, class string
		for _, f := range about[a.Code] {
			if issues != "" {
				issues += "；"
			}
			label, c := findingState(f)
			issues += ruleLabel(f.Rule) + "（" + label + "）：" + f.Detail
			if f.Status == "open" {
				class = c
				if class == "" {
					class = "bad"
				}
			}
		}
		months := null()
		if a.PeriodMonths != nil {
			months = num(*a.PeriodMonths)
		}
		t.add(class, "a-"+a.Code, txt(a.Name), txt(a.Code), txt(zh(contract.CategoryNames, a.Category)), orMissing(a.Approval, "无"),
			orMissing(a.Filing, "无"), txt(dateZH(a.Start)), orMissing(dateZH(a.End), "—"), optAmt(a.Contribution), months,
			optAmt(a.Cap), txt(zh(contract.ActivityStatusNames, a.Status)), orMissing(issues, "—"))
	}
	p.Sections = append(p.Sections, drillNote("第四、五条：举办互助保障活动须经本级工会审批，并报上级工会备案；第二条：遵循大数法则。"+
		"下表列出本运营方每项活动的审批文号、备案号与条款（"+strconv.Itoa(n)+" 项），以及针对活动本身的合规问题（R13 审批备案、R14 参加人数）。",
		"活动登记", len(about) == 0, t))
	p.Sections = append(p.Sections, accountsSection(d, o, fs))
	return p
}

// accountPurposeZH are the purposes of contract-v1's bank accounts.
var accountPurposeZH = map[string]string{"activity_fund": "活动资金专户", "reserve": "风险准备金", "general": "一般户", "other": "其他"}

// accountsSection lists, a row per account (and per activity using it),
// the operator's bank accounts behind its R06 findings
// (mart.finding_bank_accounts): an account several activities use, with
// each one's lines, debits and credits; an activity without an open
// account of its own, with the accounts it had. The first row of a
// finding is its anchor (b-<finding id>).
func accountsSection(d *data, o *operator, fs []finding) *section {
	t := &table{ID: "t-accounts", Sheet: "银行账户", Title: "问题所涉银行账户（第十三条：各项活动设立独立账户、分账核算）",
		Cols: []column{{"规则", text}, {"状态", text}, {"问题说明", text}, {"账号", text}, {"开户行", text}, {"登记的活动", text},
			{"用途", text}, {"开户日期", text}, {"销户日期", text}, {"使用该账户的活动", text}, {"分录数", integer}, {"借方", amount}, {"贷方", amount}}}
	rows := map[string][]findingAccount{}
	for _, a := range d.Accounts {
		if a.Operator == o.Code {
			rows[a.Finding] = append(rows[a.Finding], a)
		}
	}
	n := 0
	for _, f := range fs {
		if f.Rule != "R06" {
			continue
		}
		n++
		label, class := findingState(f)
		head := []cell{txt(ruleLabel(f.Rule)), txt(label), txt(f.Detail)}
		as := rows[f.ID]
		if len(as) == 0 {
			t.add(class, "b-"+f.ID, append(head, txt("（本活动没有登记过银行账户）"), null(), null(), null(), null(), null(), null(), null(), null(), null())...)
			continue
		}
		for i, a := range as {
			anchor := ""
			if i == 0 {
				anchor = "b-" + f.ID
			} else {
				head = []cell{txt(""), txt(""), txt("")}
			}
			used, lines := null(), null()
			if a.Used {
				used = txt(o.activityName(a.UsedBy))
				if a.Lines != nil {
					lines = num(*a.Lines)
				}
			}
			act := "—"
			if a.Activity != "" {
				act = o.activityName(a.Activity)
			}
			t.add(class, anchor, append(head, txt(a.Account), orMissing(a.Bank, "—"), txt(act), txt(zh(accountPurposeZH, a.Purpose)),
				orMissing(dateZH(a.Opened), "—"), orMissing(dateZH(a.Closed), "在用"), used, lines, optAmt(a.Debits), optAmt(a.Credits))...)
		}
	}
	sec := &section{ID: "accounts", Heading: "银行账户", Tables: []*table{t}}
	if n == 0 {
		sec.Paras = append(sec.Paras, "本运营方没有涉及银行账户（R06）的问题。")
	}
	return sec
}

// activityRegister says whether a rule's findings with subject kind
// activity are about the activity's registration or size (R13, R14),
// which the register shows, rather than about its money (flow.html).
func activityRegister(rule string) bool { return rule == "R13" || rule == "R14" }
