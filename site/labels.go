package site

// Words for codes, as members read them.
var (
	categoryZh = map[string]string{
		"inpatient": "住院津贴", "critical_illness": "重大疾病", "accident": "意外伤害",
		"female_special": "女职工特殊疾病", "retiree": "退休职工", "other": "其他",
	}
	dimensionZh = map[string]string{
		"age_band": "年龄段", "gender": "性别", "diagnosis_group": "疾病类别",
		"hospital_level": "医院等级", "month": "给付月份",
	}
	bucketZh = map[string]string{
		"M": "男", "F": "女", "unknown": "未知", "other": "其他",
		"primary": "一级医院", "secondary": "二级医院", "tertiary": "三级医院",
	}
	instrumentZh = map[string]string{
		"demand_deposit": "活期存款", "time_deposit": "定期存款", "treasury_bond": "国债",
		"policy_bank_bond": "政策性银行债券", "local_gov_bond": "地方政府债券", "stock": "股票",
		"fund": "基金", "wealth_product": "理财产品", "futures": "期货", "corporate_bond": "企业债券",
	}
	severityZh = map[string]string{"critical": "严重", "major": "重要", "minor": "一般", "info": "提示"}
	flagZh     = map[string]string{"ok": "正常", "over": "超出进度", "short": "低于进度", "no_budget": "无预算支出"}
	levelZh    = map[string]string{"national": "全国", "provincial": "省级统筹", "city": "市级统筹"}
	statusZh   = map[string]string{"active": "正常", "closed": "已停办", "suspended": "暂停"}
)

func zh(m map[string]string, code string) string {
	if s, ok := m[code]; ok {
		return s
	}
	return code
}

// auditOpinion reads the audit part of mart.scorecard back as the annual
// audit's opinion (scorecard.sql: 25 unqualified, 15 qualified, 5 adverse
// or disclaimer, 0 none).
func auditOpinion(part float64) string {
	switch {
	case part >= 25:
		return "无保留意见"
	case part >= 15:
		return "保留意见"
	case part >= 5:
		return "否定意见或无法表示意见"
	}
	return "未见年度审计报告"
}

var severityOrder = map[string]int{"critical": 0, "major": 1, "minor": 2, "info": 3}

// ruleZh names each rule of marts.Catalogue() for members; the catalogue's
// own check text is the supervisors' (English) description.
var ruleZh = map[string]string{
	"R01": "违规投资（资金只能存银行、买国债）",
	"R02": "用互助资金兴建、改建办公场所",
	"R03": "资金增值未全部纳入互助资金收入",
	"R04": "管理费比例超标",
	"R05": "帮扶与会员活动支出未审批或未公示",
	"R06": "未按活动设立独立账户、分账核算",
	"R07": "大额资金使用未经集体决策",
	"R08": "不相容岗位未分离",
	"R09": "预算执行偏差",
	"R10": "会计凭证借贷不平",
	"R11": "风险准备金不足",
	"R12": "给付率超出适度补偿区间",
	"R13": "活动未经审批或未备案",
	"R14": "参加人数过少（大数法则）",
	"R15": "资金结余过多或过少",
	"R16": "负责人离任审计或年度审计缺失",
	"R17": "超额或不符合条件的给付",
	"R18": "重复给付",
	"R19": "收支未分开（收支两条线）",
}
