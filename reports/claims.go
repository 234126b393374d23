package reports

// claimStatusZH are the claim statuses of contract-v1 in Chinese.
var claimStatusZH = map[string]string{"filed": "已申请", "approved": "已核准", "rejected": "已拒绝", "paid": "已给付", "reversed": "已冲回"}

// claimsPage is the drill-down from an operator's findings about claims
// (R17 excessive or ineligible payments, R18 repeated payments) to the
// claims they name (理赔明细): a row a finding and claim, the finding's
// rule and words beside what the claim says — activity, event date, the
// days it was filed, decided and paid, status, medical total, insurance
// paid, amounts claimed, approved and paid, the activity's benefit cap and
// the paying voucher — from mart.finding_claims. The first row of each
// finding is its anchor (c-<finding id>). Nothing of a person: no member,
// diagnosis or hospital.
func claimsPage(d *data, o *operator, fs []finding, claims []findingClaim) *page {
	p := &page{Title: o.Name + " · 理赔明细", Subtitle: "运营方 " + o.Code + " · 问题所涉理赔案件",
		AsOf: dateZH(d.AsOf), Root: "../", Workbook: "claims.xlsx", Nav: operatorNav()}
	byFinding := map[string][]findingClaim{}
	for _, c := range claims {
		byFinding[c.Finding] = append(byFinding[c.Finding], c)
	}
	t := &table{ID: "t-claims", Sheet: "理赔明细", Title: "问题所涉理赔（每行一个问题与一件理赔）",
		Cols: []column{{"规则", text}, {"状态", text}, {"问题说明", text}, {"理赔编号", text}, {"项目", text},
			{"出险日期", text}, {"申请日期", text}, {"核定日期", text}, {"给付日期", text}, {"案件状态", text},
			{"医疗总费用", amount}, {"医保已报销", amount}, {"申请金额", amount}, {"核定金额", amount},
			{"给付金额", amount}, {"给付上限", amount}, {"给付凭证", text}}}
	n := 0
	for _, f := range fs { // most severe first (findings.sql)
		cs := byFinding[f.ID]
		if len(cs) == 0 {
			continue
		}
		n++
		label, class := findingState(f)
		for i, c := range cs {
			id := ""
			if i == 0 {
				id = "c-" + f.ID
			}
			act := ""
			if c.Activity != "" {
				act = o.activityName(c.Activity)
			}
			t.add(class, id, txt(ruleLabel(f.Rule)), txt(label), txt(f.Detail), txt(c.Claim), txt(act),
				txt(dateZH(c.Event)), txt(dateZH(c.Filed)), txt(dateZH(c.Decided)), txt(dateZH(c.Paid)),
				txt(zh(claimStatusZH, c.Status)), optAmt(c.Medical), optAmt(c.Insurance), optAmt(c.Claimed),
				optAmt(c.Approved), optAmt(c.PaidAmount), optAmt(c.Cap), txt(c.Voucher))
		}
	}
	p.Sections = append(p.Sections, drillNote("下列理赔均被合规检查列为问题对象（第八条业务管理：超过给付上限、出险时未参加活动、给付超过医疗总费用减医保报销；第十二条专款专用：同一事件重复给付）。"+
		"为保护个人信息，不显示会员、疾病类别和医院。", "理赔", n == 0, t))
	return p
}
