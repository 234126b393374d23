package site

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"

	"huzhu/internal/money"
)

// The whole published data set as a Frictionless data package
// (https://specs.frictionlessdata.io/data-package/): data/package/
// datapackage.json and one CSV per table. Suppressed figures are empty,
// with a suppressed column saying so; money is exact decimal yuan.

type pkgField struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

type pkgResource struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	Title     string `json:"title"`
	Format    string `json:"format"`
	MediaType string `json:"mediatype"`
	Encoding  string `json:"encoding"`
	Schema    struct {
		Fields []pkgField `json:"fields"`
	} `json:"schema"`
}

type pkgTable struct {
	name, title string
	fields      []pkgField
	rows        [][]string
}

func f(name, typ string) pkgField { return pkgField{Name: name, Type: typ} }

func cstr(c money.Cents) string { return c.String() }

func optCents(c *money.Cents) string {
	if c == nil {
		return ""
	}
	return c.String()
}

func optInt(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func optFloat(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

func (x *index) dataPackage() ([]file, error) {
	d := x.d
	var ts []pkgTable
	t := pkgTable{name: "pools", title: "统筹地区", fields: []pkgField{f("pool_code", "string"), f("pool_level", "string"), f("region_code", "string"), f("name", "string"), f("federation", "string")}}
	for _, p := range d.Pools {
		t.rows = append(t.rows, []string{p.Code, p.Level, p.Region, p.Name, p.Federation})
	}
	ts = append(ts, t)
	t = pkgTable{name: "operators", title: "运营方", fields: []pkgField{f("operator_code", "string"), f("name", "string"), f("pool_code", "string"), f("region_code", "string"), f("status", "string")}}
	for _, o := range d.Operators {
		t.rows = append(t.rows, []string{o.Code, o.Name, o.Pool, o.Region, o.Status})
	}
	ts = append(ts, t)
	t = pkgTable{name: "activities", title: "互助保障活动", fields: []pkgField{f("operator_code", "string"), f("activity_code", "string"), f("name", "string"), f("category", "string"),
		f("start_date", "date"), f("end_date", "date"), f("contribution_per_member", "number"), f("period_months", "integer"), f("benefit_cap", "number"), f("status", "string")}}
	for _, a := range d.Activities {
		t.rows = append(t.rows, []string{a.Operator, a.Code, a.Name, a.Category, a.Start, a.End, cstr(a.Contribution), strconv.Itoa(a.PeriodMonths), cstr(a.BenefitCap), a.Status})
	}
	ts = append(ts, t)
	t = pkgTable{name: "activity_year", title: "活动年度公开数据", fields: []pkgField{f("fiscal_year", "integer"), f("operator_code", "string"), f("activity_code", "string"),
		f("members_enrolled", "integer"), f("contributions", "number"), f("claims_paid", "integer"), f("benefits_paid", "number"), f("payout_ratio", "number"),
		f("mgmt_fee_ratio", "number"), f("median_days_to_pay", "number"), f("fund_balance", "number"), f("reserve_balance", "number"), f("suppressed", "boolean")}}
	for _, y := range d.Years {
		t.rows = append(t.rows, []string{strconv.Itoa(y.Year), y.Operator, y.Activity, optInt(y.Members), optCents(y.Contributions), optInt(y.Claims), optCents(y.Benefits),
			optFloat(y.PayoutRatio, 4), optFloat(y.MgmtFeeRatio, 4), optFloat(y.MedianDays, 1), optCents(y.FundBalance), optCents(y.Reserve), strconv.FormatBool(y.Suppressed)})
	}
	ts = append(ts, t)
	t = pkgTable{name: "operator_year", title: "运营方年度合计（各活动之和）", fields: []pkgField{f("fiscal_year", "integer"), f("operator_code", "string"),
		f("contributions", "number"), f("fund_balance", "number"), f("reserve_balance", "number"), f("mgmt_fee_ratio", "number"), f("suppressed", "boolean")}}
	for _, y := range d.OpYears {
		t.rows = append(t.rows, []string{strconv.Itoa(y.Year), y.Operator, optCents(y.Contributions), optCents(y.Fund), optCents(y.Reserve),
			optFloat(y.MgmtFee, 4), strconv.FormatBool(y.Suppressed)})
	}
	ts = append(ts, t)
	t = pkgTable{name: "breakdown", title: "给付分布", fields: []pkgField{f("fiscal_year", "integer"), f("operator_code", "string"), f("activity_code", "string"),
		f("dimension", "string"), f("bucket", "string"), f("claims_paid", "integer"), f("benefits_paid", "number"), f("suppressed", "boolean")}}
	for _, c := range d.Breakdown {
		t.rows = append(t.rows, []string{strconv.Itoa(c.Year), c.Operator, c.Activity, c.Dimension, c.Bucket, optInt(c.Claims), optCents(c.Benefits), strconv.FormatBool(c.Suppressed)})
	}
	ts = append(ts, t)
	t = pkgTable{name: "investment_mix", title: "资金存放（最近月末）", fields: []pkgField{f("operator_code", "string"), f("month", "date"), f("instrument_type", "string"),
		f("market_value", "number"), f("share", "number"), f("allowed", "boolean"), f("review", "boolean")}}
	for _, h := range d.Mix {
		t.rows = append(t.rows, []string{h.Operator, h.Month, h.Instrument, cstr(h.Value), optFloat(h.Share, 4), strconv.FormatBool(h.Allowed), strconv.FormatBool(h.Review)})
	}
	ts = append(ts, t)
	t = pkgTable{name: "budget", title: "预算执行（各年最后月末）", fields: []pkgField{f("fiscal_year", "integer"), f("as_of_month", "date"), f("operator_code", "string"),
		f("activity_code", "string"), f("line_code", "string"), f("line_name", "string"), f("line_class", "string"), f("budget", "number"), f("actual_ytd", "number"),
		f("execution_rate", "number"), f("flag", "string"), f("suppressed", "boolean")}}
	for _, b := range d.Budget {
		budget, actual, rate, flag, sup := optCents(b.Budget), cstr(b.Actual), optFloat(b.Rate, 4), b.Flag, false
		if x.yearSup[yearKey(b.Operator, b.Activity, b.Year)] {
			// the flag too: "over" or "short" says which side of the budget
			// the hidden actual lies; and the budget, which a plan close to
			// the outcome makes a proxy of it (activityPage)
			budget, actual, rate, flag, sup = "", "", "", "", true
		}
		t.rows = append(t.rows, []string{strconv.Itoa(b.Year), b.Month, b.Operator, b.Activity, b.Line, b.LineName, b.Class, budget, actual, rate, flag, strconv.FormatBool(sup)})
	}
	ts = append(ts, t)
	t = pkgTable{name: "scorecard", title: "监督评分与审计意见", fields: []pkgField{f("fiscal_year", "integer"), f("operator_code", "string"), f("score", "number"),
		f("budget_part", "number"), f("compliance_part", "number"), f("timeliness_part", "number"), f("audit_part", "number"), f("audit_opinion", "string"), f("rank_in_pool", "integer")}}
	for _, s := range d.Scores {
		ff := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
		t.rows = append(t.rows, []string{strconv.Itoa(s.Year), s.Operator, ff(s.Score), ff(s.Budget), ff(s.Compliance), ff(s.Timeliness), optFloat(s.Audit, 2), auditOpinion(s.Audit), strconv.Itoa(s.Rank)})
	}
	ts = append(ts, t)
	t = pkgTable{name: "findings_open", title: "未整改合规问题件数", fields: []pkgField{f("operator_code", "string"), f("activity_code", "string"), f("fiscal_year", "integer"),
		f("rule_id", "string"), f("severity", "string"), f("open_findings", "integer")}}
	for _, c := range d.Findings {
		year := ""
		if c.Year != 0 {
			year = strconv.Itoa(c.Year)
		}
		t.rows = append(t.rows, []string{c.Operator, c.Activity, year, c.Rule, c.Severity, strconv.Itoa(c.N)})
	}
	ts = append(ts, t)

	pkg := struct {
		Profile     string        `json:"profile"`
		Name        string        `json:"name"`
		Title       string        `json:"title"`
		Description string        `json:"description"`
		Version     string        `json:"version"`
		Licenses    []any         `json:"licenses,omitempty"`
		Resources   []pkgResource `json:"resources"`
	}{Profile: "tabular-data-package", Name: "huzhu-disclosure", Title: x.site, Version: x.d.AsOf,
		Description: "职工互助保障信息公开数据，截至 " + x.d.AsOf + "。少于 " + strconv.Itoa(x.f.k) + " 的格为空值（suppressed = true）；金额单位为元。"}
	var out []file
	for _, t := range ts {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		hdr := make([]string, len(t.fields))
		for i, fl := range t.fields {
			hdr[i] = fl.Name
		}
		w.Write(hdr)
		w.WriteAll(t.rows)
		r := pkgResource{Name: t.name, Path: t.name + ".csv", Title: t.title, Format: "csv", MediaType: "text/csv", Encoding: "utf-8"}
		r.Schema.Fields = t.fields
		pkg.Resources = append(pkg.Resources, r)
		out = append(out, file{path: "data/package/" + t.name + ".csv", body: b.Bytes(), gate: true})
	}
	body, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, err
	}
	out = append(out, file{path: "data/package/datapackage.json", body: append(body, '\n'), gate: true})
	return out, nil
}
