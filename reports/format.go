package reports

import (
	"strconv"
	"strings"

	"huzhu/contract"
	"huzhu/internal/money"
)

// yuan formats an amount for people: "1,234,567.89 元".
func yuan(c money.Cents) string { return money.FormatCNY(c) + " 元" }

// percent formats a ratio as "99.1%".
func percent(r float64) string { return strconv.FormatFloat(r*100, 'f', 1, 64) + "%" }

// dateZH formats YYYY-MM-DD as "2025年6月30日".
func dateZH(iso string) string {
	p := strings.Split(iso, "-")
	if len(p) != 3 {
		return iso
	}
	y, _ := strconv.Atoi(p[0])
	m, _ := strconv.Atoi(p[1])
	d, _ := strconv.Atoi(p[2])
	return strconv.Itoa(y) + "年" + strconv.Itoa(m) + "月" + strconv.Itoa(d) + "日"
}

// monthZH formats YYYY-MM-DD as "2025年6月".
func monthZH(iso string) string {
	p := strings.Split(iso, "-")
	if len(p) != 3 {
		return iso
	}
	m, _ := strconv.Atoi(p[1])
	return p[0] + "年" + strconv.Itoa(m) + "月"
}

var classZH = map[string]string{"income": "收入", "expense": "支出"}

// flagZH names mart.budget_execution's flags as the site does: a line is
// over or under the pace of its budget (the share of the year gone), which
// at the year's end is over or under the budget itself.
var flagZH = map[string]string{"ok": "正常", "over": "超出进度", "short": "低于进度", "no_budget": "无预算支出"}

var subjectZH = map[string]string{
	"activity": "互助项目", "voucher": "记账凭证", "operator": "运营方", "assistance": "帮扶事项",
	"budget_line": "预算科目", "fiscal_year": "会计年度", "holding": "投资持仓", "staff_role": "岗位任职",
	"bank_account": "银行账户", "claim": "理赔案件", "decision": "集体决策",
}

var indicatorZH = map[string]string{
	"solvency": "偿付能力", "liquidity": "流动性", "loss_ratio": "赔付率",
	"claim_frequency_anomaly": "理赔频次异常（z值）", "payment_timeliness": "给付时效（天）",
	"concentration": "病种集中度", "collection_drop": "收缴同比变动",
}

// indicatorUnits says in what each indicator's value and thresholds are
// given (the tables hold them as plain numbers, as the mart does).
const indicatorUnits = "数值与阈值的单位：偿付能力、流动性为倍数（可用资金为相应期间给付的几倍）；" +
	"赔付率、病种集中度为比值（1.00 即 100%）；收缴同比变动为比值（−0.20 即比上年同期少收 20%）；" +
	"理赔频次异常为 z 值（本月理赔件数偏离近 12 个月中位数的程度，以稳健标准差计，绝对值越大越反常）；" +
	"给付时效为天数（从审批到支付的中位天数）。"

// indicatorOrder is the order of rules.md.
var indicatorOrder = []string{"solvency", "liquidity", "loss_ratio", "claim_frequency_anomaly", "payment_timeliness", "concentration", "collection_drop"}

var levelZH = map[string]string{"green": "绿", "yellow": "黄", "red": "红", "none": "无数据"}

var instrumentZH = contract.InstrumentNames

func zh(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// nodeZH names the special nodes of mart.fund_flow; account nodes
// ("4101 互助金收入") keep their names.
func nodeZH(n string) string {
	switch n {
	case "fund":
		return "互助资金"
	case "balance brought forward":
		return "上年结转"
	case "balance carried forward":
		return "结转下年"
	case "capital":
		return "净资产投入"
	case "reserve":
		return "提取风险准备金"
	}
	return n
}

// isDeposit and isBond group instruments for the deposits ↔ bonds movements.
func isDeposit(i string) bool { return i == "demand_deposit" || i == "time_deposit" }
func isBond(i string) bool    { return strings.HasSuffix(i, "_bond") }
