package reports

import (
	"slices"
	"strconv"
	"strings"
)

// Audit types, opinions and key roles of contract-v1 in Chinese.
var (
	auditTypeZH = map[string]string{"annual": "年度审计", "special": "专项审计", "tenure": "任期经济责任审计", "departure": "离任审计"}
	opinionZH   = map[string]string{"unqualified": "无保留意见", "qualified": "保留意见", "adverse": "否定意见", "disclaimer": "无法表示意见"}
	roleZH      = map[string]string{"leader": "负责人", "finance_head": "财务负责人", "cashier": "出纳", "accountant": "会计",
		"claims_officer": "理赔经办", "other": "其他岗位"}
)

// auditsPage is the drill-down from an operator's findings about audits
// (R16: a leader who left without a departure audit in time, a year
// without an annual audit) to what the operator reported (审计情况), from
// mart.finding_departures and mart.audits:
//   - departures: a row a finding, its words beside the role, the day it
//     ended, the day its audit was due and the audit reported, if any, with
//     the days after the end (anchor d-<finding id>);
//   - annual audits: a row a year, of the years with an annual audit or a
//     finding that one is missing (anchor y<year>);
//   - every audit the operator reported.
//
// No person: an audit of a person shows the role(s) the person held.
func auditsPage(d *data, o *operator, fs []finding, deps []departure, audits []audit) *page {
	p := &page{Title: o.Name + " · 审计情况", Subtitle: "运营方 " + o.Code + " · 年度审计与离任审计",
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "audits.xlsx", Nav: operatorNav()}
	p.Sections = append(p.Sections, &section{Heading: "说明", Paras: []string{
		"第十四条：互助保障活动应接受审计监督，每个会计年度进行年度审计；第十七条：负责人离任应进行离任审计（期限见合规规则 R16）。" +
			"审计对象为个人时，只显示其岗位。",
	}})

	byFinding := map[string]departure{}
	for _, x := range deps {
		byFinding[x.Finding] = x
	}
	dt := &table{ID: "t-departures", Sheet: "离任审计", Title: "负责人离任与离任审计（每行一个问题）",
		Cols: []column{{"规则", text}, {"状态", text}, {"问题说明", text}, {"岗位", text}, {"任职起始", text},
			{"离任日期", text}, {"审计应完成日期", text}, {"离任审计编号", text}, {"审计报告日期", text}, {"离任后天数", integer}}}
	for _, f := range fs {
		x, ok := byFinding[f.ID]
		if !ok {
			continue
		}
		label, class := findingState(f)
		days := null()
		if x.DaysAfter != nil {
			days = num(*x.DaysAfter)
		}
		dt.add(class, "d-"+f.ID, txt(ruleLabel(f.Rule)), txt(label), txt(f.Detail), txt(zh(roleZH, x.Role)),
			txt(dateZH(x.Start)), txt(dateZH(x.End)), txt(dateZH(x.Due)), orMissing(x.Audit, "未审计"),
			txt(dateZH(x.Reported)), days)
	}
	dep := &section{ID: "departures", Heading: "离任审计", Tables: []*table{dt}}
	if len(dt.Rows) == 0 {
		dep.Paras = append(dep.Paras, "本运营方没有负责人离任未按期审计的问题。")
	}
	p.Sections = append(p.Sections, dep)

	// Annual audits by the year their period ends in; the years a
	// finding says lack one.
	annual := map[int][]audit{}
	missing := map[int]finding{}
	var years []int
	for _, a := range audits {
		if a.Type == "annual" {
			if _, ok := annual[a.Year]; !ok {
				years = append(years, a.Year)
			}
			annual[a.Year] = append(annual[a.Year], a)
		}
	}
	for _, f := range fs {
		if f.SubjectKind != "fiscal_year" || f.Year == nil {
			continue
		}
		if _, ok := missing[*f.Year]; !ok {
			missing[*f.Year] = f
			if _, ok := annual[*f.Year]; !ok {
				years = append(years, *f.Year)
			}
		}
	}
	slices.Sort(years)
	at := &table{ID: "t-annual", Sheet: "年度审计", Title: "各会计年度的年度审计",
		Cols: []column{{"会计年度", text}, {"年度审计编号", text}, {"审计期间", text}, {"报告日期", text},
			{"审计意见", text}, {"发现问题数", integer}, {"问题", text}}}
	for _, y := range years {
		id := "y" + strconv.Itoa(y)
		f, lacking := missing[y]
		note, class := "", ""
		if lacking {
			label, c := findingState(f)
			note, class = label+"："+f.Detail, c
			if class == "" {
				class = "bad"
			}
		}
		as := annual[y]
		if len(as) == 0 {
			at.add(class, id, txt(strconv.Itoa(y)), txt("无"), null(), null(), null(), null(), txt(note))
			continue
		}
		for i, a := range as {
			if i > 0 {
				id = ""
			}
			at.add(class, id, txt(strconv.Itoa(y)), txt(a.ID), txt(dateZH(a.Start)+"至"+dateZH(a.End)), txt(dateZH(a.Reported)),
				txt(zh(opinionZH, a.Opinion)), optNum(a.Findings), txt(note))
		}
	}
	ann := &section{ID: "annual", Heading: "年度审计", Tables: []*table{at}}
	if len(years) == 0 {
		ann.Paras = append(ann.Paras, "本运营方没有报送年度审计。")
	}
	p.Sections = append(p.Sections, ann)

	all := &table{ID: "t-audits", Sheet: "全部审计", Title: "运营方报送的全部审计",
		Cols: []column{{"审计编号", text}, {"类型", text}, {"审计对象岗位", text}, {"审计期间", text}, {"报告日期", text},
			{"审计意见", text}, {"发现问题数", integer}}}
	for _, a := range audits {
		var roles []string
		for _, r := range strings.Split(a.Roles, ",") {
			if r != "" {
				roles = append(roles, zh(roleZH, r))
			}
		}
		all.add("", "", txt(a.ID), txt(zh(auditTypeZH, a.Type)), txt(strings.Join(roles, "、")),
			txt(dateZH(a.Start)+"至"+dateZH(a.End)), txt(dateZH(a.Reported)), txt(zh(opinionZH, a.Opinion)), optNum(a.Findings))
	}
	p.Sections = append(p.Sections, &section{ID: "all", Heading: "全部审计", Tables: []*table{all}})
	return p
}

func optNum(n *int) cell {
	if n == nil {
		return null()
	}
	return num(*n)
}
