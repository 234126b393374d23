package contract

// Class is the class of a ledger account; it fixes the normal balance side.
type Class string

// The account classes of the chart.
const (
	Asset     Class = "asset"
	Liability Class = "liability"
	NetAssets Class = "net_assets"
	Income    Class = "income"
	Expense   Class = "expense"
)

// DebitNormal reports whether balances of the class grow with debits.
func (c Class) DebitNormal() bool { return c == Asset || c == Expense }

// Account is one row of the HZ-OPS/1 chart of accounts.
type Account struct {
	Code   string
	NameZH string
	NameEN string
	Class  Class
}

// The chart of accounts of contract-v1, in code order.
var chart = []Account{
	{"1001", "库存现金", "cash", Asset},
	{"1002", "银行存款", "demand deposits", Asset},
	{"1003", "定期存款", "time deposits", Asset},
	{"1101", "国债", "treasury bonds", Asset},
	{"1102", "其他固定收益", "other fixed income", Asset},
	{"1109", "其他投资", "other investments", Asset},
	{"1201", "应收款项", "receivables", Asset},
	{"1501", "固定资产", "fixed assets", Asset},
	{"1502", "在建工程", "construction in progress", Asset},
	{"2101", "应付互助金", "benefits payable", Liability},
	{"2201", "其他应付款", "other payables", Liability},
	{"3101", "互助保障基金", "mutual-aid fund", NetAssets},
	{"3102", "风险准备金", "risk reserve", NetAssets},
	{"4101", "互助金收入", "contribution income", Income},
	{"4201", "利息收入", "interest income", Income},
	{"4202", "投资收益", "investment income", Income},
	{"4301", "补助收入", "subsidies", Income},
	{"4901", "其他收入", "other income", Income},
	{"5101", "互助金给付", "benefits paid", Expense},
	{"5201", "管理费用", "management expenses", Expense},
	{"5301", "会员活动支出", "member activities", Expense},
	{"5302", "帮扶救助支出", "hardship assistance", Expense},
	{"5401", "办公场所建设改造", "office construction/renovation", Expense},
	{"5901", "其他支出", "other expenses", Expense},
}

// Chart returns the chart of accounts in code order. The slice is shared;
// do not modify it.
func Chart() []Account { return chart }

// AccountByCode returns the account with the code and whether it exists.
func AccountByCode(code string) (Account, bool) {
	for _, a := range chart {
		if a.Code == code {
			return a, true
		}
	}
	return Account{}, false
}
