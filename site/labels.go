package site

import "huzhu/contract"

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
	instrumentZh = contract.InstrumentNames
	flagZh       = map[string]string{"ok": "正常", "over": "超出进度", "short": "低于进度", "no_budget": "无预算支出"}
	levelZh      = map[string]string{"national": "全国", "provincial": "省级统筹", "city": "市级统筹"}
	statusZh     = map[string]string{"active": "正常", "closed": "已停办", "suspended": "暂停"}
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
