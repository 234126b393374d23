package reports

import "strconv"

// categoryZH are the activity categories of contract-v1 in Chinese.
var categoryZH = map[string]string{
	"inpatient": "住院", "critical_illness": "重大疾病", "accident": "意外伤害",
	"female_special": "女职工特殊疾病", "retiree": "退休职工", "other": "其他",
}

// activityStatusZH are an activity's statuses in Chinese.
var activityStatusZH = map[string]string{"active": "开展中", "suspended": "暂停", "closed": "已停办"}

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
		t.add(class, "a-"+a.Code, txt(a.Name), txt(a.Code), txt(zh(categoryZH, a.Category)), orMissing(a.Approval, "无"),
			orMissing(a.Filing, "无"), txt(dateZH(a.Start)), orMissing(dateZH(a.End), "—"), optAmt(a.Contribution), months,
			optAmt(a.Cap), txt(zh(activityStatusZH, a.Status)), orMissing(issues, "—"))
	}
	p.Sections = append(p.Sections, drillNote("第四、五条：举办互助保障活动须经本级工会审批，并报上级工会备案；第二条：遵循大数法则。"+
		"下表列出本运营方每项活动的审批文号、备案号与条款（"+strconv.Itoa(n)+" 项），以及针对活动本身的合规问题（R13 审批备案、R14 参加人数）。",
		"活动登记", len(about) == 0, t))
	return p
}

// activityRegister says whether a rule's findings with subject kind
// activity are about the activity's registration or size (R13, R14),
// which the register shows, rather than about its money (flow.html).
func activityRegister(rule string) bool { return rule == "R13" || rule == "R14" }
