package marts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/internal/money"
)

// Severity of a finding (rules.md).
const (
	Critical = "critical" // funds at risk or a prohibited act
	Major    = "major"    // a control missing
	Minor    = "minor"    // a deviation to explain
	Info     = "info"
)

// SeverityNames names each severity in Chinese, one word for the reports
// and the site alike. "Major" is 重要 as in the internal-control grading
// (重大/重要/一般缺陷): 重大 beside 严重 would read as the graver of the two.
var SeverityNames = map[string]string{Critical: "严重", Major: "重要", Minor: "一般", Info: "提示"}

// SeverityRank orders the severities from the gravest (0) down.
var SeverityRank = map[string]int{Critical: 0, Major: 1, Minor: 2, Info: 3}

// Rule is one row of the compliance rule catalogue.
type Rule struct {
	ID         string `json:"id"`
	Name       string `json:"name"`        // what it finds, in a few plain Chinese words
	Clause     string `json:"clause"`      // the clause's number, e.g. 十二
	ClauseText string `json:"clause_text"` // the clause's own words
	Check      string `json:"check"`       // what it checks, in rules.md's (English) words
	CheckZH    string `json:"check_zh"`    // the same in Chinese, for the reports and the site
	Severity   string `json:"severity"`
	// Evidence is what a finding of the rule names and carries
	// (rules.md): its subject (subject_kind and the key in subject_ref)
	// and what its amount is.
	Evidence string `json:"evidence"`
	// threshold renders the threshold in force from the config's rules.
	threshold func(r config.Rules) string
}

// Threshold is the rule's threshold with the values of r in force.
func (rule Rule) Threshold(r config.Rules) string {
	if rule.threshold == nil {
		return "—"
	}
	return rule.threshold(r)
}

func pct(v float64) string      { return strconv.FormatFloat(v*100, 'f', -1, 64) + "%" }
func num(v float64) string      { return strconv.FormatFloat(v, 'f', -1, 64) }
func yuan(v config.Yuan) string { return money.FormatCNY(v.Cents()) }

// catalogue is the one place rules are listed; a rule's model is
// marts/sql/rules/<id>.sql when the marts stage lands.
var catalogue = []Rule{
	{"R01", "违规投资（资金只能存银行、买国债）", "十二", "不得购买股票、基金、债券、期货、理财等金融产品",
		"a holding whose instrument is not an allowed one, or any debit to 1109; policy-bank and local-government bonds are minor review findings", "持有不在允许范围内的投资品种，或借记 1109（其他投资）；政策性银行债券和地方政府债券列为一般问题，待复核", Critical, "holding (holding_id) with its largest market value; voucher (voucher_no) with its debits to 1109",
		func(r config.Rules) string {
			var allowed, review []string
			for _, in := range contract.AllowedInstruments {
				allowed = append(allowed, contract.InstrumentNames[in])
			}
			for _, in := range contract.ReviewInstruments {
				if slices.Contains(r.AllowedInstruments, in) {
					allowed = append(allowed, contract.InstrumentNames[in]+"（经复核）")
				} else {
					review = append(review, contract.InstrumentNames[in])
				}
			}
			s := "允许：" + strings.Join(allowed, "、")
			if len(review) > 0 {
				s += "；待复核：" + strings.Join(review, "、")
			}
			return s
		}},
	{"R02", "用互助资金兴建、改建办公场所", "十二", "不得用于兴建、改建办公场所", "any debit to 5401 or 1502", "借记 5401（办公场所建设改造）或 1502", Critical, "voucher (voucher_no) with its debits to 5401/1502",
		func(config.Rules) string { return "任何金额" }},
	{"R03", "资金增值未全部纳入互助资金收入", "十二", "资金增值部分要全部纳入互助资金收入管理",
		"realised income of holdings in a year vs credits to 4201/4202 of the same activity; interest credited to 4901 or to organisation level", "某年度投资实现收益与同一活动贷记 4201/4202 的金额相比；利息计入 4901 或组织层面", Major, "activity (activity_code, '' for organisation level) or operator, per year, with |realised − booked| income",
		func(r config.Rules) string {
			return "差额 > " + pct(r.IncomeGapRatio) + " 或 > " + yuan(r.IncomeGapYuan) + " 元"
		}},
	{"R04", "管理费比例超标", "十二", "规范…管理费提取工作，严格控制比例",
		"management expenses (5201, with the organisation-level share allocated by contribution income) ÷ contribution income (4101), per operator and year", "管理费用（5201，组织层面部分按互助金收入分摊）÷ 互助金收入（4101），按运营方和年度计算", Major, "operator, per year, with its management expenses",
		func(r config.Rules) string { return "> " + num(r.MgmtFeeRatioMax) }},
	{"R05", "帮扶与会员活动支出未审批或未公示", "十二", "建立相应的资金管理制度，严格审批…并在一定范围内向会员公示",
		"an assistance item without approved_ref, without publicized_on, or not matched to a posted voucher of 5301/5302", "帮扶事项没有审批文号、没有公示，或找不到 5301/5302 的记账凭证", Major, "assistance item (item_id) with its amount", nil},
	{"R06", "未按活动设立独立账户、分账核算", "十三", "原则上要设立独立账户，各项保障活动分别建账，分账核算",
		"an activity with enrollments but no open bank account of its own; one bank account used by ledger lines of two or more activities", "有缴费的活动没有本活动在用的独立银行账户；一个银行账户被两个及以上活动的分录使用", Major, "activity (activity_code) with its receipts; bank account (account number) with its debits", nil},
	{"R07", "大额资金使用未经集体决策", "十三", "大额资金使用必须集体决策并保留记录",
		"a voucher paying out (credit to 1002/1003) at or above the threshold without decision_ref, or whose decision is missing, lacks quorum, post-dates the voucher or has an amount_limit below it", "支付（贷记 1002/1003）达到阈值的凭证没有决策文号，或其决策不存在、未达法定人数、晚于凭证，或限额低于支付金额", Critical, "voucher (voucher_no) with the amount it pays out",
		func(r config.Rules) string { return yuan(r.LargePaymentYuan) + " 元" }},
	{"R08", "不相容岗位未分离", "十三", "分离不相容岗位", "a voucher whose prepared_by = approved_by, or approved_by = paid_by", "凭证的制单人与审核人为同一人，或审核人与支付人为同一人", Major, "voucher (voucher_no) with its debits", nil},
	{"R09", "预算执行偏差", "十三", "积极推行全面预算管理…年度预算执行情况要纳入考核体系",
		"per budget line and year: expense actual above the adjusted budget, income actual below it, spending on a line with no budget (major above 2×)", "按预算科目和年度：支出超过调整后预算、收入低于预算、无预算的支出（超过预算 2 倍为重大问题）", Minor, "budget line (activity|year|line_code) with its actual",
		func(r config.Rules) string {
			return "偏离预算 > " + pct(r.BudgetOverrunMax) + "（支出超支或收入短收）"
		}},
	{"R10", "会计凭证借贷不平", "十三", "加强财务基础工作", "a voucher whose debits ≠ credits; a line with both or neither of debit and credit", "凭证借方合计不等于贷方合计；或一行同时有借贷、或都没有", Critical, "voucher (voucher_no) with |debits − credits|",
		func(r config.Rules) string { return "借贷差额 > " + yuan(r.VoucherImbalanceYuan) + " 元" }},
	{"R11", "风险准备金不足", "十", "建立风险准备金制度", "per activity and year: reserve at year end ÷ that year's contribution income", "按活动和年度：年末风险准备金 ÷ 当年互助金收入", Major, "activity or operator, per year, with the reserve at year end",
		func(r config.Rules) string { return "< " + num(r.ReserveRatioMin) + "，或没有准备金" }},
	{"R12", "给付率超出适度补偿区间", "三", "坚持适度补偿原则…防止出现保障不足或过度补偿",
		"benefits paid ÷ contribution income per activity and year outside the band", "按活动和年度：给付 ÷ 互助金收入超出适度补偿区间", Minor, "activity or operator, per year, with the benefits paid",
		func(r config.Rules) string {
			return fmt.Sprintf("区间 [%s, %s] 之外", num(r.PayoutBandLow), num(r.PayoutBandHigh))
		}},
	{"R13", "活动未经审批或未备案", "四、五", "举办或停办…须经本级工会审批；业务备案",
		"an activity with enrollments and no approval_ref, or no filing_ref", "有缴费的活动没有审批文号（approval_ref）或备案号（filing_ref）", Major, "activity (activity_code); no amount", nil},
	{"R14", "参加人数过少（大数法则）", "二", "遵循大数法则", "active enrolled members of an activity in a period", "一个期间内活动的有效参加人数（缴费未发生退费者；公示的参加人数另含部分退费者）", Info, "activity (activity_code), per year; no amount",
		func(r config.Rules) string { return "< " + strconv.Itoa(r.MinMembers) }},
	{"R15", "资金结余过多或过少", "十三", "控制资金合理结余", "per activity and year: net assets at year end ÷ the year's benefits paid (5101)", "按活动和年度：年末净资产 ÷ 当年给付（5101）", Minor, "activity or operator, per year, with the net assets at year end",
		func(r config.Rules) string {
			return fmt.Sprintf("> %s 年或 < %s 年", num(r.BalanceYearsMax), num(r.BalanceYearsMin))
		}},
	{"R16", "负责人离任审计或年度审计缺失", "十七、十四", "对互助保障组织负责人任期内、离任时进行审计",
		"a leader whose role ended without a departure audit within the limit; a fiscal year without an annual audit", "负责人离任后未在期限内进行离任审计；某会计年度没有年度审计", Major, "staff role (staff_id|leader|start_date) or fiscal year; no amount",
		func(r config.Rules) string { return strconv.Itoa(r.DepartureAuditDays) + " 天" }},
	{"R17", "超额或不符合条件的给付", "八", "业务管理",
		"a paid claim that takes the member's benefits in the enrolment period above the activity's benefit_cap (per member per period), for a member not enrolled on event_date, or paying more than medical_total − insurance_paid", "已给付的理赔使会员本保障期内累计给付超过活动的给付上限（每人每期）、会员在出险日未参加该活动，或给付超过医疗总费用减医保报销", Major, "claim (claim_no) with the amount paid", nil},
	{"R18", "重复给付", "十二", "专款专用", "payments to the same member for the same event_date and amount more than once", "对同一会员、同一出险日、同一金额多次给付", Major, "claims (their numbers joined by |) with the amount paid more than once", nil},
	{"R19", "收支未分开（收支两条线）", "十三", "收支两条线", "a voucher that nets income against expense (a 4xxx line and a 5xxx line in one voucher)", "一张凭证内收入与支出相抵（同时有 4xxx 和 5xxx 分录）", Minor, "voucher (voucher_no) with the smaller of its income and expense sides", nil},
}

// Catalogue returns the rules in id order. The slice is shared; do not
// modify it.
func Catalogue() []Rule { return catalogue }
