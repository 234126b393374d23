package site

import "huzhu/internal/money"

// Data is everything the site shows, loaded once from the warehouse (load)
// or made up by a benchmark. Every slice is sorted by its codes.
type Data struct {
	AsOf       string // the latest month end the marts reach, YYYY-MM-DD
	Pools      []Pool
	Operators  []Operator
	Activities []Activity
	Years      []ActivityYear // by operator, activity, year
	OpYears    []OperatorYear // by operator, year
	Breakdown  []BreakdownCell
	Mix        []Holding // each operator's latest month end
	Budget     []BudgetLine
	Scores     []Score
	Findings   []FindingCount
	// StaffIDs feed the privacy gate's deny list only; nothing renders them.
	StaffIDs []string
}

// Pool is a pooling region (统筹地区): Name is the region's (苏州市,
// 浙江省), Federation the union federation that runs it.
type Pool struct {
	Code, Level, Region, Name, Federation string
}

// Operator is a mutual-aid organisation (运营方).
type Operator struct {
	Code, Name, Pool, Region, Status string
}

// Activity is one mutual-aid activity of an operator with its terms.
type Activity struct {
	Operator, Code, Name, Category string
	Start, End                     string
	Contribution                   money.Cents
	PeriodMonths                   int
	BenefitCap                     money.Cents
	Status                         string
}

// ActivityYear is a row of mart.disclosure_activity_year. Pointers are nil
// where the mart suppressed the figure (or has none).
type ActivityYear struct {
	Year               int
	Operator, Activity string
	Members            *int64
	Contributions      *money.Cents
	Claims             *int64
	Benefits           *money.Cents
	PayoutRatio        *float64
	MgmtFeeRatio       *float64
	MedianDays         *float64
	FundBalance        *money.Cents
	Reserve            *money.Cents
	Suppressed         bool
}

// OperatorYear is a row of mart.disclosure_operator_year: an operator's
// totals of a year over all its activities, hidden ones included (nil
// where the mart suppressed them: a year of one suppressed activity).
type OperatorYear struct {
	Year                         int
	Operator                     string
	Contributions, Fund, Reserve *money.Cents
	MgmtFee                      *float64
	Suppressed                   bool
}

// BreakdownCell is a row of mart.disclosure_breakdown.
type BreakdownCell struct {
	Year                          int
	Operator, Activity, Dimension string
	Bucket                        string
	Claims                        *int64
	Benefits                      *money.Cents
	Suppressed                    bool
}

// Holding is one instrument type in an operator's investment mix.
type Holding struct {
	Operator, Month, Instrument string
	Value                       money.Cents
	Share                       *float64
	Allowed                     bool
	Review                      bool // not allowed, but for review (R01's minor finding), not forbidden
}

// BudgetLine is budget against actual at the year's last month end;
// Activity is "" at organisation level.
type BudgetLine struct {
	Year                      int
	Month, Operator, Activity string
	Line, LineName, Class     string
	Budget                    *money.Cents
	Actual                    money.Cents
	Rate                      *float64
	Flag                      string
}

// Score is a row of mart.scorecard.
type Score struct {
	Year                                  int
	Operator                              string
	Score, Budget, Compliance, Timeliness float64
	Audit                                 *float64 // nil: the year's audit is not yet due
	Rank                                  int
}

// FindingCount is the number of open findings of one rule and severity for
// an operator, activity ("" = operator level) and year (0 = none).
type FindingCount struct {
	Operator, Activity string
	Year               int
	Rule, Severity     string
	N                  int
}
