package reports

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"huzhu/internal/money"
	"huzhu/internal/privacy"
	"huzhu/internal/sqlmodel"
)

//go:embed sql/*.sql
var queries embed.FS

// operator is one operator the marts cover.
type operator struct {
	Code, Pool, Name, Region string
	Activities               map[string]string // activity code → name
}

type federation struct{ Code, Name, Region, Pool string }

// findingAccount is a row of mart.finding_bank_accounts: an account behind
// an R06 finding and, for an account several activities use, one of them
// (Used: the row says which, ” the organisation level) with its lines.
type findingAccount struct {
	Finding, Operator, Account, Bank, Activity, Purpose, Opened, Closed string
	Used                                                                bool
	UsedBy                                                              string
	Lines                                                               *int
	Debits, Credits                                                     *money.Cents
}

// activityTerms is an activity's current registration and terms
// (activity_terms.sql).
type activityTerms struct {
	Operator, Code, Name, Category, Approval, Filing, Start, End string
	Contribution, Cap                                            *money.Cents
	PeriodMonths                                                 *int
	Status                                                       string
}

// budgetLine is a row of mart.budget_execution at its year's last month.
type budgetLine struct {
	Operator          string
	Year              int
	AsOf              string // YYYY-MM-DD
	MonthNo           int
	Activity          string // "" = organisation level
	Line, Name, Class string
	Original          *money.Cents
	Adjusted          *money.Cents
	Actual            money.Cents
	ExecRate          *float64
	ExpectedRate      float64
	Variance          money.Cents
	Flag              string
}

// budgetInForce is the adjusted budget, else the original.
func (b budgetLine) budgetInForce() *money.Cents {
	if b.Adjusted != nil {
		return b.Adjusted
	}
	return b.Original
}

type budgetMonth struct {
	Operator      string
	Year, MonthNo int
	Class         string
	Actual        money.Cents
	Budget        money.Cents
}

type score struct {
	Year                            int
	Pool, Operator                  string
	Score, Budget, Compliance, Time float64
	Audit                           *float64 // nil: the year's audit is not yet due
	RankInPool                      int
}

// trialBalance is an operator's trial balance at a year's last month end
// (trial_balance.sql): the fund's sources (net assets) beside its uses
// (assets less liabilities).
type trialBalance struct {
	Operator      string
	Year          int
	Month         string
	Sources, Uses money.Cents
}

type flowEdge struct {
	Operator       string
	Year           int
	Activity       string
	Source, Target string
	Amount         money.Cents
}

type holding struct {
	Operator, Month, Instrument string
	Value                       money.Cents
	Share                       *float64
	Allowed                     bool
	Review                      bool // not allowed, but for review (R01's minor finding)
}

type finding struct {
	ID, Rule, Clause, Severity, Operator, Activity string
	Year                                           *int
	SubjectKind, SubjectRef                        string
	Amount                                         *money.Cents
	Detail, Threshold, FirstSeen, LastSeen, Status string
	// Run built the row (in a national roll-up, its pool's run);
	// ResolvedRun found it resolved ("" while open); PreviousRun is the run
	// whose findings Run's were compared with ("" at first).
	Run, ResolvedRun, PreviousRun string
}

// voucherLine is a line of a voucher a finding names
// (mart.finding_voucher_lines): nothing of a person.
type voucherLine struct {
	Operator, Voucher, PostedOn, Activity, Account, AccountName string
	Line                                                        int
	Debit, Credit                                               *money.Cents
	Decision                                                    string
	SamePreparerApprover, SameApproverPayer                     bool
}

// findingClaim is a claim a finding names (mart.finding_claims): no
// member, diagnosis or hospital.
type findingClaim struct {
	Finding, Operator, Claim, Activity         string
	Event, Filed, Decided, Paid, Status        string
	Medical, Insurance, Claimed, Approved, Cap *money.Cents
	PaidAmount                                 *money.Cents
	Voucher                                    string
}

// holdingMonth is a month-end state of a holding a finding names
// (mart.finding_holdings).
type holdingMonth struct {
	Operator, Holding, Month, Activity        string
	Instrument, Name, Issuer, Start, Maturity string
	Rate                                      *float64
	Principal, Value, Accrued, Realized       *money.Cents
}

// findingAssistance is an assistance item a finding names
// (mart.finding_assistance): not its description, which is free text.
type findingAssistance struct {
	Finding, Operator, Item, Activity, Kind string
	Amount, VoucherDebit                    *money.Cents
	Approved, Publicized, Voucher, Posted   string
}

// departure is a leader's role a finding about its departure audit names
// (mart.finding_departures): the role, not the person.
type departure struct {
	Finding, Operator, Role, Start, End, Due string
	Audit, Reported                          string
	DaysAfter                                *int
}

// audit is an audit an operator reported (mart.audits).
type audit struct {
	Operator, ID, Type, Roles, Start, End string
	Year                                  int
	Reported, Opinion                     string
	Findings                              *int
}

type risk struct {
	Pool, Operator, Activity, Month, Indicator string
	Value                                      *float64
	Yellow, Red                                float64
	Level                                      string
}

// data is everything the reports show, for all operators; each
// jurisdiction takes the rows of its own operators.
type data struct {
	RunID, AsOf   string
	Operators     []*operator
	Federations   []federation
	Budget        []budgetLine
	Monthly       []budgetMonth
	Scores        []score
	Flows         []flowEdge
	Trial         []trialBalance
	Terms         []activityTerms
	OrgCodes      []string // every organisation code, which the privacy gate lets through
	StaffIDs      []string // every staff id, which it refuses
	Accounts      []findingAccount
	Holdings      []holding
	Findings      []finding
	Risks         []risk // of operators and activities
	PoolRisks     []risk // of pools (统筹): Pool set, Operator and Activity empty
	Vouchers      []voucherLine
	Claims        []findingClaim
	HoldingMonths []holdingMonth // the holdings findings name, month by month
	Assistance    []findingAssistance
	Departures    []departure
	Audits        []audit
}

// query runs the embedded file sql/<name> and calls scan for each row.
func query(ctx context.Context, db *sql.DB, name string, scan func(*sql.Rows) error) error {
	if err := sqlmodel.Each(ctx, db, queries, "sql/"+name, scan); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

func optInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

func optFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

// load reads the marts and the non-personal dimensions.
func load(ctx context.Context, db *sql.DB) (*data, error) {
	d := &data{}
	byCode := map[string]*operator{}
	steps := []struct {
		file string
		scan func(*sql.Rows) error
	}{
		{"as_of.sql", func(r *sql.Rows) error { return r.Scan(&d.RunID, &d.AsOf) }},
		{"operators.sql", func(r *sql.Rows) error {
			o := &operator{Activities: map[string]string{}}
			if err := r.Scan(&o.Code, &o.Pool, &o.Name, &o.Region); err != nil {
				return err
			}
			d.Operators = append(d.Operators, o)
			byCode[o.Code] = o
			return nil
		}},
		{"federations.sql", func(r *sql.Rows) error {
			var f federation
			if err := r.Scan(&f.Code, &f.Name, &f.Region, &f.Pool); err != nil {
				return err
			}
			d.Federations = append(d.Federations, f)
			return nil
		}},
		{"activities.sql", func(r *sql.Rows) error {
			var op, code, name string
			if err := r.Scan(&op, &code, &name); err != nil {
				return err
			}
			if o := byCode[op]; o != nil {
				o.Activities[code] = name
			}
			return nil
		}},
		{"finding_bank_accounts.sql", func(r *sql.Rows) error {
			var a findingAccount
			var lines sql.NullInt64
			var debits, credits sql.NullString
			if err := r.Scan(&a.Finding, &a.Operator, &a.Account, &a.Bank, &a.Activity, &a.Purpose, &a.Opened, &a.Closed,
				&a.Used, &a.UsedBy, &lines, &debits, &credits); err != nil {
				return err
			}
			var err1, err2 error
			a.Lines = optInt(lines)
			a.Debits, err1 = money.ParseNull(debits)
			a.Credits, err2 = money.ParseNull(credits)
			d.Accounts = append(d.Accounts, a)
			return errors.Join(err1, err2)
		}},
		{"org_codes.sql", func(r *sql.Rows) error {
			var c string
			if err := r.Scan(&c); err != nil {
				return err
			}
			d.OrgCodes = append(d.OrgCodes, c)
			return nil
		}},
		{"activity_terms.sql", func(r *sql.Rows) error {
			var a activityTerms
			var contrib, cap sql.NullString
			var months sql.NullInt64
			if err := r.Scan(&a.Operator, &a.Code, &a.Name, &a.Category, &a.Approval, &a.Filing, &a.Start, &a.End,
				&contrib, &months, &cap, &a.Status); err != nil {
				return err
			}
			var err1, err2 error
			a.Contribution, err1 = money.ParseNull(contrib)
			a.Cap, err2 = money.ParseNull(cap)
			a.PeriodMonths = optInt(months)
			d.Terms = append(d.Terms, a)
			return errors.Join(err1, err2)
		}},
		{"budget_lines.sql", func(r *sql.Rows) error {
			var b budgetLine
			var orig, adj sql.NullString
			var actual, variance string
			var exec sql.NullFloat64
			if err := r.Scan(&b.Operator, &b.Year, &b.AsOf, &b.MonthNo, &b.Activity, &b.Line, &b.Name, &b.Class,
				&orig, &adj, &actual, &exec, &b.ExpectedRate, &variance, &b.Flag); err != nil {
				return err
			}
			var err error
			if b.Original, err = money.ParseNull(orig); err != nil {
				return err
			}
			if b.Adjusted, err = money.ParseNull(adj); err != nil {
				return err
			}
			if b.Actual, err = money.Parse(actual); err != nil {
				return err
			}
			if b.Variance, err = money.Parse(variance); err != nil {
				return err
			}
			b.ExecRate = optFloat(exec)
			d.Budget = append(d.Budget, b)
			return nil
		}},
		{"budget_monthly.sql", func(r *sql.Rows) error {
			var m budgetMonth
			var actual, budget string
			if err := r.Scan(&m.Operator, &m.Year, &m.MonthNo, &m.Class, &actual, &budget); err != nil {
				return err
			}
			var err error
			if m.Actual, err = money.Parse(actual); err != nil {
				return err
			}
			if m.Budget, err = money.Parse(budget); err != nil {
				return err
			}
			d.Monthly = append(d.Monthly, m)
			return nil
		}},
		{"scorecard.sql", func(r *sql.Rows) error {
			var s score
			var rank sql.NullInt64
			var sc, bp, cp, tp, ap sql.NullFloat64
			if err := r.Scan(&s.Year, &s.Pool, &s.Operator, &sc, &bp, &cp, &tp, &ap, &rank); err != nil {
				return err
			}
			s.Score, s.Budget, s.Compliance, s.Time = sc.Float64, bp.Float64, cp.Float64, tp.Float64
			if ap.Valid {
				s.Audit = &ap.Float64
			}
			s.RankInPool = int(rank.Int64)
			d.Scores = append(d.Scores, s)
			return nil
		}},
		{"fund_flow.sql", func(r *sql.Rows) error {
			var e flowEdge
			var amount string
			if err := r.Scan(&e.Operator, &e.Year, &e.Activity, &e.Source, &e.Target, &amount); err != nil {
				return err
			}
			var err error
			e.Amount, err = money.Parse(amount)
			d.Flows = append(d.Flows, e)
			return err
		}},
		{"trial_balance.sql", func(r *sql.Rows) error {
			var b trialBalance
			var sources, uses string
			if err := r.Scan(&b.Operator, &b.Year, &b.Month, &sources, &uses); err != nil {
				return err
			}
			var err1, err2 error
			b.Sources, err1 = money.Parse(sources)
			b.Uses, err2 = money.Parse(uses)
			d.Trial = append(d.Trial, b)
			return errors.Join(err1, err2)
		}},
		{"investment_mix.sql", func(r *sql.Rows) error {
			var h holding
			var v string
			var share sql.NullFloat64
			var allowed, review sql.NullBool
			if err := r.Scan(&h.Operator, &h.Month, &h.Instrument, &v, &share, &allowed, &review); err != nil {
				return err
			}
			var err error
			h.Value, err = money.Parse(v)
			h.Share, h.Allowed, h.Review = optFloat(share), allowed.Bool, review.Bool
			d.Holdings = append(d.Holdings, h)
			return err
		}},
		{"findings.sql", func(r *sql.Rows) error {
			var f finding
			var year sql.NullInt64
			var amount sql.NullString
			if err := r.Scan(&f.ID, &f.Rule, &f.Clause, &f.Severity, &f.Operator, &f.Activity, &year,
				&f.SubjectKind, &f.SubjectRef, &amount, &f.Detail, &f.Threshold, &f.FirstSeen, &f.LastSeen, &f.Status,
				&f.ResolvedRun, &f.PreviousRun, &f.Run); err != nil {
				return err
			}
			if year.Valid {
				y := int(year.Int64)
				f.Year = &y
			}
			var err error
			f.Amount, err = money.ParseNull(amount)
			d.Findings = append(d.Findings, f)
			return err
		}},
		{"risk.sql", func(r *sql.Rows) error {
			var k risk
			var v sql.NullFloat64
			if err := r.Scan(&k.Pool, &k.Operator, &k.Activity, &k.Month, &k.Indicator, &v, &k.Yellow, &k.Red, &k.Level); err != nil {
				return err
			}
			k.Value = optFloat(v)
			if k.Operator == "" {
				d.PoolRisks = append(d.PoolRisks, k)
			} else {
				d.Risks = append(d.Risks, k)
			}
			return nil
		}},
		{"voucher_lines.sql", func(r *sql.Rows) error {
			var v voucherLine
			var m [2]sql.NullString
			if err := r.Scan(&v.Operator, &v.Voucher, &v.Line, &v.PostedOn, &v.Activity, &v.Account, &v.AccountName,
				&m[0], &m[1], &v.Decision, &v.SamePreparerApprover, &v.SameApproverPayer); err != nil {
				return err
			}
			if err := money.ParseNulls(m[:], &v.Debit, &v.Credit); err != nil {
				return err
			}
			d.Vouchers = append(d.Vouchers, v)
			return nil
		}},
		{"finding_holdings.sql", func(r *sql.Rows) error {
			var h holdingMonth
			var rate sql.NullFloat64
			var m [4]sql.NullString
			if err := r.Scan(&h.Operator, &h.Holding, &h.Month, &h.Activity, &h.Instrument, &h.Name, &h.Issuer,
				&h.Start, &h.Maturity, &rate, &m[0], &m[1], &m[2], &m[3]); err != nil {
				return err
			}
			h.Rate = optFloat(rate)
			if err := money.ParseNulls(m[:], &h.Principal, &h.Value, &h.Accrued, &h.Realized); err != nil {
				return err
			}
			d.HoldingMonths = append(d.HoldingMonths, h)
			return nil
		}},
		{"finding_claims.sql", func(r *sql.Rows) error {
			var c findingClaim
			var m [6]sql.NullString
			if err := r.Scan(&c.Finding, &c.Operator, &c.Claim, &c.Activity, &c.Event, &c.Filed, &c.Decided, &c.Paid,
				&c.Status, &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &c.Voucher); err != nil {
				return err
			}
			if err := money.ParseNulls(m[:], &c.Medical, &c.Insurance, &c.Claimed, &c.Approved, &c.PaidAmount, &c.Cap); err != nil {
				return err
			}
			d.Claims = append(d.Claims, c)
			return nil
		}},
		{"finding_assistance.sql", func(r *sql.Rows) error {
			var a findingAssistance
			var m [2]sql.NullString
			if err := r.Scan(&a.Finding, &a.Operator, &a.Item, &a.Activity, &a.Kind, &m[0], &a.Approved, &a.Publicized,
				&a.Voucher, &a.Posted, &m[1]); err != nil {
				return err
			}
			if err := money.ParseNulls(m[:], &a.Amount, &a.VoucherDebit); err != nil {
				return err
			}
			d.Assistance = append(d.Assistance, a)
			return nil
		}},
		{"finding_departures.sql", func(r *sql.Rows) error {
			var x departure
			var days sql.NullInt64
			if err := r.Scan(&x.Finding, &x.Operator, &x.Role, &x.Start, &x.End, &x.Due, &x.Audit, &x.Reported, &days); err != nil {
				return err
			}
			x.DaysAfter = optInt(days)
			d.Departures = append(d.Departures, x)
			return nil
		}},
		{"audits.sql", func(r *sql.Rows) error {
			var a audit
			var n sql.NullInt64
			if err := r.Scan(&a.Operator, &a.ID, &a.Type, &a.Roles, &a.Start, &a.End, &a.Year, &a.Reported, &a.Opinion, &n); err != nil {
				return err
			}
			a.Findings = optInt(n)
			d.Audits = append(d.Audits, a)
			return nil
		}},
	}
	for _, s := range steps {
		if err := query(ctx, db, s.file, s.scan); err != nil {
			return nil, err
		}
	}
	staff, err := privacy.StaffIDs(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	d.StaffIDs = staff
	return d, nil
}
