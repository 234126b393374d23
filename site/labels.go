package site

import (
	"strconv"
	"strings"

	"huzhu/contract"
)

// Words for codes, as members read them.
var (
	categoryZh  = contract.CategoryNames
	dimensionZh = map[string]string{
		"age_band": "年龄段", "gender": "性别", "diagnosis_group": "疾病类别",
		"hospital_level": "医院等级", "month": "给付月份",
	}
	// bucketZh names the buckets of the breakdown's dimensions, each
	// dimension its own words: a diagnosis group "M" is no man.
	bucketZh = map[string]map[string]string{
		"gender":         {"M": "男", "F": "女", "unknown": "未知"},
		"hospital_level": {"primary": "一级医院", "secondary": "二级医院", "tertiary": "三级医院", "other": "其他", "unknown": "未知"},
	}
	// icdChapterZh are the chapters of ICD-10 (疾病分类与代码) by the letter
	// a diagnosis group starts with; D and H hold two chapters each, told
	// apart by the number when the group has one.
	icdChapterZh = map[string]string{
		"A": "传染病和寄生虫病", "B": "传染病和寄生虫病", "C": "肿瘤", "D": "肿瘤或血液疾病",
		"E": "内分泌、营养和代谢疾病", "F": "精神和行为障碍", "G": "神经系统疾病", "H": "眼、耳疾病",
		"I": "循环系统疾病", "J": "呼吸系统疾病", "K": "消化系统疾病", "L": "皮肤和皮下组织疾病",
		"M": "肌肉骨骼系统和结缔组织疾病", "N": "泌尿生殖系统疾病", "O": "妊娠、分娩和产褥期", "P": "围生期疾病",
		"Q": "先天性畸形和染色体异常", "R": "症状、体征和异常所见", "S": "损伤和中毒", "T": "损伤和中毒",
		"U": "特殊目的编码", "V": "外因", "W": "外因", "X": "外因", "Y": "外因", "Z": "健康相关因素",
	}
	instrumentZh = contract.InstrumentNames
	flagZh       = map[string]string{"ok": "正常", "over": "超出进度", "short": "低于进度", "no_budget": "无预算支出"}
	levelZh      = map[string]string{"national": "全国", "provincial": "省级统筹", "city": "市级统筹"}
	statusZh     = contract.ActivityStatusNames
)

func zh(m map[string]string, code string) string {
	if s, ok := m[code]; ok {
		return s
	}
	return code
}

// auditOpinion reads the audit part of mart.scorecard back as the annual
// audit's opinion (scorecard.sql: 25 unqualified, 15 qualified, 5 adverse
// or disclaimer, 0 none once due, NULL while not yet due).
func auditOpinion(part *float64) string {
	switch {
	case part == nil:
		return "未到期（次年6月30日前完成）"
	case *part >= 25:
		return "无保留意见"
	case *part >= 15:
		return "保留意见"
	case *part >= 5:
		return "否定意见或无法表示意见"
	}
	return "未见年度审计报告"
}

// wholeMarginText stands for the groups of a suppressed year, which are not
// named: which groups its few claims fall in would be their profile.
const wholeMarginText = "各组合计（不公布分组）"

// bucketLabel is how a member reads a bucket of a breakdown dimension:
// 男/女, the hospital's grade, the ICD-10 chapter of a diagnosis group
// (with the group's code), an age band in years, a month as 2025年1月;
// the whole margin of a suppressed year (no bucket) as not named.
func bucketLabel(dimension, bucket string) string {
	if bucket == "" {
		return wholeMarginText
	}
	switch dimension {
	case "diagnosis_group":
		switch bucket {
		case "other":
			return "其他"
		case "unknown":
			return "未知"
		}
		name, ok := icdChapterZh[bucket[:1]]
		if !ok {
			return bucket
		}
		if len(bucket) == 3 {
			n, err := strconv.Atoi(bucket[1:])
			switch {
			case err != nil:
			case bucket[0] == 'D' && n < 50:
				name = "肿瘤"
			case bucket[0] == 'D':
				name = "血液及造血器官疾病"
			case bucket[0] == 'H' && n < 60:
				name = "眼和附器疾病"
			case bucket[0] == 'H':
				name = "耳和乳突疾病"
			}
		}
		return name + "（" + bucket + "）"
	case "age_band":
		switch {
		case strings.HasPrefix(bucket, "<"):
			return bucket[1:] + "岁以下"
		case strings.HasSuffix(bucket, "+"):
			return strings.TrimSuffix(bucket, "+") + "岁及以上"
		case bucket == "unknown":
			return "未知"
		}
		return strings.Replace(bucket, "-", "–", 1) + "岁"
	case "month":
		return monthLabel(bucket)
	}
	return zh(bucketZh[dimension], bucket)
}

// monthLabel writes YYYY-MM as 2025年1月.
func monthLabel(ym string) string {
	y, m, ok := strings.Cut(ym, "-")
	n, err := strconv.Atoi(m)
	if !ok || err != nil {
		return ym
	}
	return y + "年" + strconv.Itoa(n) + "月"
}
