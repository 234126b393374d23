package site

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"huzhu/internal/codes"
	"huzhu/internal/money"
	"huzhu/internal/privacy"
	"huzhu/internal/sqlmodel"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

// each runs sql/<name>.sql and calls scan for every row.
func each(ctx context.Context, db *sql.DB, name string, scan func(*sql.Rows) error) error {
	if err := sqlmodel.Each(ctx, db, sqlFiles, "sql/"+name+".sql", scan); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	return nil
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func floatPtr(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

// Load reads what the site shows from the warehouse: the aggregate marts
// and the names of pools, operators and activities, nothing else (plus the
// staff ids for the privacy gate's deny list).
func Load(ctx context.Context, db *sql.DB) (*Data, error) {
	d := &Data{}
	err := each(ctx, db, "as_of", func(r *sql.Rows) error { return r.Scan(&d.AsOf) })
	if err == nil {
		err = each(ctx, db, "pools", func(r *sql.Rows) error {
			var p Pool
			if err := r.Scan(&p.Code, &p.Level, &p.Region, &p.Federation); err != nil {
				return err
			}
			p.Name = p.Federation
			if n, ok := codes.Region(p.Region); ok {
				p.Name = n
			}
			d.Pools = append(d.Pools, p)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "operators", func(r *sql.Rows) error {
			var o Operator
			if err := r.Scan(&o.Code, &o.Name, &o.Pool, &o.Region, &o.Status); err != nil {
				return err
			}
			d.Operators = append(d.Operators, o)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "activities", func(r *sql.Rows) error {
			var a Activity
			var contrib, cap string
			if err := r.Scan(&a.Operator, &a.Code, &a.Name, &a.Category, &a.Start, &a.End, &contrib, &a.PeriodMonths, &cap, &a.Status); err != nil {
				return err
			}
			var err error
			if a.Contribution, err = money.Parse(contrib); err != nil {
				return err
			}
			if a.BenefitCap, err = money.Parse(cap); err != nil {
				return err
			}
			d.Activities = append(d.Activities, a)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "activity_years", func(r *sql.Rows) error {
			var y ActivityYear
			var members, claims sql.NullInt64
			var contrib, benefits, fund, reserve sql.NullString
			var payout, fee, days sql.NullFloat64
			if err := r.Scan(&y.Year, &y.Operator, &y.Activity, &members, &contrib, &claims, &benefits,
				&payout, &fee, &days, &fund, &reserve, &y.Suppressed); err != nil {
				return err
			}
			y.Members, y.Claims = intPtr(members), intPtr(claims)
			y.PayoutRatio, y.MgmtFeeRatio, y.MedianDays = floatPtr(payout), floatPtr(fee), floatPtr(days)
			if err := money.ParseNulls([]sql.NullString{contrib, benefits, fund, reserve}, &y.Contributions, &y.Benefits, &y.FundBalance, &y.Reserve); err != nil {
				return err
			}
			d.Years = append(d.Years, y)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "operator_years", func(r *sql.Rows) error {
			var y OperatorYear
			var contrib, fund, reserve sql.NullString
			var fee sql.NullFloat64
			if err := r.Scan(&y.Year, &y.Operator, &contrib, &fund, &reserve, &fee, &y.Suppressed); err != nil {
				return err
			}
			y.MgmtFee = floatPtr(fee)
			if err := money.ParseNulls([]sql.NullString{contrib, fund, reserve}, &y.Contributions, &y.Fund, &y.Reserve); err != nil {
				return err
			}
			d.OpYears = append(d.OpYears, y)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "breakdown", func(r *sql.Rows) error {
			var c BreakdownCell
			var claims sql.NullInt64
			var benefits sql.NullString
			if err := r.Scan(&c.Year, &c.Operator, &c.Activity, &c.Dimension, &c.Bucket, &claims, &benefits, &c.Suppressed); err != nil {
				return err
			}
			var err error
			c.Claims = intPtr(claims)
			if c.Benefits, err = money.ParseNull(benefits); err != nil {
				return err
			}
			d.Breakdown = append(d.Breakdown, c)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "investment_mix", func(r *sql.Rows) error {
			var h Holding
			var value string
			var share sql.NullFloat64
			if err := r.Scan(&h.Operator, &h.Month, &h.Instrument, &value, &share, &h.Allowed, &h.Review); err != nil {
				return err
			}
			var err error
			h.Share = floatPtr(share)
			h.Value, err = money.Parse(value)
			d.Mix = append(d.Mix, h)
			return err
		})
	}
	if err == nil {
		err = each(ctx, db, "budget", func(r *sql.Rows) error {
			var b BudgetLine
			var budget sql.NullString
			var actual string
			var rate sql.NullFloat64
			if err := r.Scan(&b.Year, &b.Month, &b.Operator, &b.Activity, &b.Line, &b.LineName, &b.Class, &budget, &actual, &rate, &b.Flag); err != nil {
				return err
			}
			var err error
			b.Rate = floatPtr(rate)
			if b.Budget, err = money.ParseNull(budget); err != nil {
				return err
			}
			b.Actual, err = money.Parse(actual)
			d.Budget = append(d.Budget, b)
			return err
		})
	}
	if err == nil {
		err = each(ctx, db, "scorecard", func(r *sql.Rows) error {
			var s Score
			var audit sql.NullFloat64
			if err := r.Scan(&s.Year, &s.Operator, &s.Score, &s.Budget, &s.Compliance, &s.Timeliness, &audit, &s.Rank); err != nil {
				return err
			}
			if audit.Valid {
				s.Audit = &audit.Float64
			}
			d.Scores = append(d.Scores, s)
			return nil
		})
	}
	if err == nil {
		err = each(ctx, db, "findings", func(r *sql.Rows) error {
			var f FindingCount
			if err := r.Scan(&f.Operator, &f.Activity, &f.Year, &f.Rule, &f.Severity, &f.N); err != nil {
				return err
			}
			d.Findings = append(d.Findings, f)
			return nil
		})
	}
	if err == nil {
		d.StaffIDs, err = privacy.StaffIDs(ctx, db)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}
