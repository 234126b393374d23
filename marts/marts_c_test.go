package marts

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	"huzhu/internal/config"
)

// wantColumns fails unless table has every column of marts.md and run_id.
func wantColumns(t *testing.T, db *sql.DB, table string, cols ...string) {
	t.Helper()
	have := map[string]bool{}
	rows, err := db.Query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'mart' AND table_name = ?", table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		rows.Scan(&c)
		have[c] = true
	}
	for _, c := range append(cols, "run_id") {
		if !have[c] {
			t.Errorf("mart.%s has no column %s", table, c)
		}
	}
	var other int
	db.QueryRow("SELECT count(*) FROM mart." + table + " WHERE run_id IS DISTINCT FROM 'run-1'").Scan(&other)
	if other != 0 {
		t.Errorf("mart.%s: %d rows not of run-1", table, other)
	}
}

// count runs a query returning one integer.
func count(t *testing.T, db *sql.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// differing counts the rows of queries a and b that the other lacks
// (as multisets: a row twice in one and once in the other counts once).
func differing(t *testing.T, db *sql.DB, a, b string) int {
	t.Helper()
	return count(t, db, "SELECT count(*) FROM (("+a+" EXCEPT ALL "+b+") UNION ALL ("+b+" EXCEPT ALL "+a+"))")
}

// TestFundFlow: the edges balance exactly per activity and year, every
// activity-year with contribution income has its 4101 and 5101 edges, and
// the balance carried forward of the last year is the net assets excluding
// the reserve that the ledger gives directly.
func TestFundFlow(t *testing.T) {
	wdb, _ := build(t, 2500)
	db := wdb.SQL()
	wantColumns(t, db, "fund_flow", "fiscal_year", "pool_code", "operator_code", "activity_code", "source_node", "target_node", "amount")
	groups := count(t, db, "SELECT count(DISTINCT (operator_code, activity_code, fiscal_year)) FROM mart.fund_flow")
	if groups < 20 {
		t.Errorf("only %d activity-years", groups)
	}
	if n := count(t, db, `SELECT count(*) FROM (
		SELECT operator_code, activity_code, fiscal_year,
			coalesce(sum(amount) FILTER (WHERE target_node = 'fund'), 0) AS into_fund,
			coalesce(sum(amount) FILTER (WHERE source_node = 'fund'), 0) AS out_of_fund
		FROM mart.fund_flow GROUP BY ALL)
		WHERE into_fund <> out_of_fund`); n != 0 {
		t.Errorf("%d activity-years whose edges do not balance", n)
	}
	if n := count(t, db, "SELECT count(*) FROM mart.fund_flow WHERE (source_node = 'fund') = (target_node = 'fund')"); n != 0 {
		t.Errorf("%d edges not into or out of 'fund'", n)
	}
	missing := count(t, db, `SELECT count(*) FROM (
		SELECT DISTINCT operator_code, activity_code, year(posted_on) AS fiscal_year
		FROM core.fact_ledger_line WHERE account_code = '4101' AND credit > 0) AS c
		WHERE NOT EXISTS (SELECT 1 FROM mart.fund_flow AS f WHERE f.operator_code = c.operator_code
			AND f.activity_code = c.activity_code AND f.fiscal_year = c.fiscal_year
			AND f.source_node = '4101 互助金收入' AND f.target_node = 'fund')
		OR NOT EXISTS (SELECT 1 FROM mart.fund_flow AS f WHERE f.operator_code = c.operator_code
			AND f.activity_code = c.activity_code AND f.fiscal_year = c.fiscal_year
			AND f.source_node = 'fund' AND f.target_node = '5101 互助金给付')`)
	if missing != 0 {
		t.Errorf("%d activity-years with contribution income lack a 4101 or 5101 edge", missing)
	}
	rows, err := db.Query(`WITH direct AS (
		SELECT operator_code, activity_code,
			sum(credit - debit) FILTER (WHERE left(account_code, 1) IN ('3', '4', '5'))
				- coalesce(sum(credit - debit) FILTER (WHERE account_code = '3102'), 0) AS net_assets_ex_reserve
		FROM core.fact_ledger_line WHERE activity_code IS NOT NULL GROUP BY ALL
	), last AS (
		SELECT operator_code, activity_code, amount FROM mart.fund_flow
		WHERE target_node = 'balance carried forward' AND activity_code IS NOT NULL
		QUALIFY fiscal_year = max(fiscal_year) OVER (PARTITION BY operator_code, activity_code)
	)
	SELECT d.operator_code, d.activity_code, CAST(d.net_assets_ex_reserve AS VARCHAR), coalesce(CAST(l.amount AS VARCHAR), 'none')
	FROM direct AS d LEFT JOIN last AS l USING (operator_code, activity_code)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var op, act, want, got string
		rows.Scan(&op, &act, &want, &got)
		if want != got {
			t.Errorf("%s %s: balance carried forward %s, the ledger says %s", op, act, got, want)
		}
		n++
	}
	if n < 10 {
		t.Errorf("only %d activities", n)
	}
	t.Logf("%d activity-years, %d activities, %d edges", groups, n, count(t, db, "SELECT count(*) FROM mart.fund_flow"))
}

// TestRiskIndicators: the contract's columns, levels and scopes, and one
// activity-month's loss ratio recomputed from the ledger.
func TestRiskIndicators(t *testing.T) {
	wdb, _ := build(t, 2500)
	db := wdb.SQL()
	wantColumns(t, db, "risk_indicators", "month", "scope", "pool_code", "operator_code", "activity_code",
		"indicator", "value", "threshold_yellow", "threshold_red", "level")
	if n := count(t, db, "SELECT count(*) FROM mart.risk_indicators WHERE level IS NULL OR level NOT IN ('green', 'yellow', 'red', 'none')"); n != 0 {
		t.Errorf("%d rows with another level", n)
	}
	// A value that could not be had is not judged, never green.
	if n := count(t, db, "SELECT count(*) FROM mart.risk_indicators WHERE (value IS NULL) <> (level = 'none')"); n != 0 {
		t.Errorf("%d rows whose level 'none' does not go with a missing value", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mart.risk_indicators WHERE scope IS NULL OR scope NOT IN ('activity', 'operator', 'pool')
		OR (scope = 'activity') <> (activity_code IS NOT NULL) OR (scope = 'pool') <> (operator_code IS NULL)
		OR month <> last_day(month)`); n != 0 {
		t.Errorf("%d rows with a wrong scope, subject or month", n)
	}
	if n := count(t, db, `SELECT count(DISTINCT (scope, indicator)) FROM mart.risk_indicators`); n != 21 {
		t.Errorf("%d scope × indicator combinations, want 3 × 7", n)
	}
	if n := count(t, db, `SELECT count(*) FROM (SELECT month, scope, pool_code, operator_code, activity_code, indicator
		FROM mart.risk_indicators GROUP BY ALL HAVING count(*) > 1)`); n != 0 {
		t.Errorf("%d duplicate rows at the grain", n)
	}
	// The activity-month with the largest trailing benefits among months a
	// year after the ledger starts.
	var op, act string
	var month time.Time
	var got float64
	if err := db.QueryRow(`SELECT operator_code, activity_code, month, value FROM mart.risk_indicators
		WHERE scope = 'activity' AND indicator = 'loss_ratio' AND value IS NOT NULL
			AND month >= (SELECT last_day(min(posted_on) + INTERVAL 12 MONTH) FROM core.fact_ledger_line)
		ORDER BY value DESC, operator_code, activity_code, month LIMIT 1`).Scan(&op, &act, &month, &got); err != nil {
		t.Fatal(err)
	}
	var benefits, income float64
	if err := db.QueryRow(`SELECT CAST(sum(debit) FILTER (WHERE account_code = '5101') AS DOUBLE), CAST(sum(credit) FILTER (WHERE account_code = '4101') AS DOUBLE)
		FROM core.fact_ledger_line WHERE operator_code = ? AND activity_code = ?
			AND posted_on <= CAST(? AS DATE) AND posted_on > last_day(CAST(? AS DATE) - INTERVAL 12 MONTH)`,
		op, act, month.Format(time.DateOnly), month.Format(time.DateOnly)).Scan(&benefits, &income); err != nil {
		t.Fatal(err)
	}
	if want := benefits / income; math.Abs(got-want) > 1e-9*math.Max(1, want) {
		t.Errorf("loss_ratio %s %s %s = %v, the ledger says %v / %v = %v", op, act, month.Format(time.DateOnly), got, benefits, income, want)
	}
	t.Logf("%d rows; loss_ratio %s %s %s = %.4f", count(t, db, "SELECT count(*) FROM mart.risk_indicators"), op, act, month.Format(time.DateOnly), got)
}

// TestRiskBandsFromConfig: the bands of [rules.risk] decide the levels and
// are the thresholds the rows carry: with solvency's bands above any value
// every solvency value is red, with days to pay banded at 0 every month
// that pays later than its decisions is red, and the other indicators keep
// the defaults.
func TestRiskBandsFromConfig(t *testing.T) {
	wdb, _ := build(t, 1200)
	db := wdb.SQL()
	rules := config.DefaultRules()
	rules.Risk.SolvencyYellow, rules.Risk.SolvencyRed = 1e12, 1e11
	rules.Risk.PaymentDaysYellow, rules.Risk.PaymentDaysRed = 0, 0
	if _, err := Run(context.Background(), db, "run-1", rules); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM mart.risk_indicators WHERE indicator = 'solvency' AND value IS NOT NULL"); n < 10 {
		t.Fatalf("%d solvency values: the test would prove little", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mart.risk_indicators WHERE indicator = 'solvency'
		AND (threshold_yellow <> 1e12 OR threshold_red <> 1e11 OR (value IS NOT NULL AND level <> 'red'))`); n != 0 {
		t.Errorf("%d solvency rows not red under the configured bands", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mart.risk_indicators WHERE indicator = 'payment_timeliness'
		AND (threshold_red <> 0 OR (value > 0 AND level <> 'red'))`); n != 0 {
		t.Errorf("%d payment_timeliness rows not red under bands of 0 days", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mart.risk_indicators WHERE indicator = 'loss_ratio'
		AND (threshold_yellow <> 0.9 OR threshold_red <> 1.1)`); n != 0 {
		t.Errorf("%d loss_ratio rows without the default bands", n)
	}
}

// TestScorecard: the contract's columns, parts within 0–25 adding up to
// the score (the first three × 4/3 while the audit is not yet due, and
// only then is the audit part NULL), and ranks by score within pool and
// year.
func TestScorecard(t *testing.T) {
	wdb, _ := build(t, 2500)
	db := wdb.SQL()
	wantColumns(t, db, "scorecard", "fiscal_year", "pool_code", "operator_code", "score",
		"budget_part", "compliance_part", "timeliness_part", "audit_part", "rank_in_pool")
	rows, err := db.Query(`SELECT fiscal_year, pool_code, operator_code, score, budget_part, compliance_part, timeliness_part, audit_part, rank_in_pool,
		1 + count(*) FILTER (WHERE true) OVER (PARTITION BY pool_code, fiscal_year ORDER BY score DESC RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
			- count(*) OVER (PARTITION BY pool_code, fiscal_year, score) AS want_rank,
		make_date(fiscal_year + 1, 6, 30) > (SELECT max(posted_on) FROM core.fact_ledger_line AS l WHERE l.operator_code = s.operator_code) AS not_due
		FROM mart.scorecard AS s`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, notDueYears := 0, 0
	for rows.Next() {
		var year, rank, wantRank int
		var pool, op string
		var score float64
		var notDue bool
		parts := make([]sql.NullFloat64, 4)
		if err := rows.Scan(&year, &pool, &op, &score, &parts[0], &parts[1], &parts[2], &parts[3], &rank, &wantRank, &notDue); err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for i, p := range parts {
			if !p.Valid && i < 3 {
				t.Errorf("%d %s: part %d NULL", year, op, i)
			}
			if p.Float64 < 0 || p.Float64 > 25 {
				t.Errorf("%d %s: part %v outside 0–25", year, op, p.Float64)
			}
			sum += p.Float64
		}
		if !parts[3].Valid {
			notDueYears++
			if !notDue {
				t.Errorf("%d %s: audit part NULL though the audit is due", year, op)
			}
			sum = math.Round(sum*4/3*100) / 100
		}
		if math.Abs(sum-score) > 1e-6 || score < 0 || score > 100 {
			t.Errorf("%d %s: score %v, parts %v", year, op, score, parts)
		}
		if rank != wantRank {
			t.Errorf("%d %s %s: rank %d, want %d", year, pool, op, rank, wantRank)
		}
		n++
	}
	if n < 3 {
		t.Errorf("only %d operator-years", n)
	}
	if notDueYears == 0 {
		t.Error("no operator-year whose audit is not yet due: the test world should end before the June after its last year")
	}
	if m := count(t, db, `SELECT count(*) FROM mart.scorecard AS s WHERE audit_part IS NULL AND EXISTS (SELECT 1 FROM core.fact_audit AS a
		WHERE a.operator_code = s.operator_code AND a.audit_type = 'annual'
			AND a.period_start <= make_date(s.fiscal_year, 12, 31) AND a.period_end >= make_date(s.fiscal_year, 1, 1))`); m != 0 {
		t.Errorf("%d operator-years without an audit part though their annual audit is reported", m)
	}
	if m := count(t, db, "SELECT count(*) FROM (SELECT pool_code, fiscal_year FROM mart.scorecard GROUP BY ALL HAVING min(rank_in_pool) <> 1 OR max(rank_in_pool) > count(*))"); m != 0 {
		t.Errorf("%d pool-years whose ranks are not within 1..n", m)
	}
	if m := count(t, db, "SELECT count(*) FROM (SELECT fiscal_year, operator_code FROM mart.scorecard GROUP BY ALL HAVING count(*) > 1)"); m != 0 {
		t.Errorf("%d operator-years twice", m)
	}
}

// TestFindingVoucherLines: the mart holds every kept line of each voucher
// a finding names, and nothing else: as many lines, the same debits and
// credits as core, no other voucher; its columns say nothing of a person
// (no staff id, counterparty, bank account or summary).
func TestFindingVoucherLines(t *testing.T) {
	wdb, _, _ := buildWorld(t, 1200, 0.02) // the planted breaches name vouchers
	db := wdb.SQL()
	wantColumns(t, db, "finding_voucher_lines", "pool_code", "operator_code", "voucher_no", "line_no", "fiscal_year",
		"posted_on", "activity_code", "account_code", "account_name", "debit", "credit", "decision_ref",
		"same_preparer_approver", "same_approver_payer")
	if n := count(t, db, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mart'
		AND table_name = 'finding_voucher_lines'
		AND column_name IN ('prepared_by', 'approved_by', 'paid_by', 'counterparty', 'bank_account_no', 'summary')`); n != 0 {
		t.Errorf("mart.finding_voucher_lines has %d columns of a person or free text", n)
	}
	vouchers := count(t, db, "SELECT count(DISTINCT (operator_code, subject_ref)) FROM mart.compliance_findings WHERE subject_kind = 'voucher'")
	if vouchers < 5 {
		t.Fatalf("%d vouchers named by findings: the test would prove little", vouchers)
	}
	// Line by line against core, both ways.
	if n := differing(t, db,
		"SELECT operator_code, voucher_no, line_no, debit, credit, account_code, decision_ref FROM mart.finding_voucher_lines",
		`SELECT operator_code, voucher_no, line_no, debit, credit, account_code, decision_ref FROM core.fact_ledger_line
		 WHERE (operator_code, voucher_no) IN (SELECT operator_code, subject_ref FROM mart.compliance_findings WHERE subject_kind = 'voucher')`); n != 0 {
		t.Errorf("%d lines differ between the mart and core", n)
	}
	// R08's vouchers carry the flag that says why.
	if n := count(t, db, `SELECT count(*) FROM mart.compliance_findings AS f
		WHERE f.rule_id = 'R08' AND f.subject_kind = 'voucher' AND NOT EXISTS (
			SELECT 1 FROM mart.finding_voucher_lines AS l
			WHERE l.operator_code = f.operator_code AND l.voucher_no = f.subject_ref
			  AND (l.same_preparer_approver OR l.same_approver_payer))`); n != 0 {
		t.Errorf("%d R08 vouchers without a same-person flag", n)
	}
	t.Logf("%d vouchers, %d lines", vouchers, count(t, db, "SELECT count(*) FROM mart.finding_voucher_lines"))
}

// TestFindingClaims: the mart holds a row for each claim each finding
// about claims names (R17's one, R18's several), with core's amounts and
// dates, and no column of a person or their health.
func TestFindingClaims(t *testing.T) {
	wdb, _, _ := buildWorld(t, 6000, 0.02) // the planted breaches name claims
	db := wdb.SQL()
	wantColumns(t, db, "finding_claims", "finding_id", "rule_id", "pool_code", "operator_code", "claim_no",
		"activity_code", "fiscal_year", "event_date", "filed_on", "decided_on", "paid_on", "status", "medical_total",
		"insurance_paid", "claimed_amount", "approved_amount", "paid_amount", "benefit_cap", "payment_voucher_no")
	if n := count(t, db, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mart'
		AND table_name = 'finding_claims' AND column_name IN ('member_ref', 'diagnosis_group', 'hospital_level')`); n != 0 {
		t.Errorf("mart.finding_claims has %d columns of a person or their health", n)
	}
	named := count(t, db, `SELECT count(*) FROM (SELECT unnest(string_split(subject_ref, '|'))
		FROM mart.compliance_findings WHERE subject_kind IN ('claim', 'claims'))`)
	if named < 5 || count(t, db, "SELECT count(*) FROM mart.compliance_findings WHERE rule_id = 'R18'") == 0 {
		t.Fatalf("%d claims named by findings, R18 among them or not: the test would prove little", named)
	}
	if n := count(t, db, "SELECT count(*) FROM mart.finding_claims"); n != named {
		t.Errorf("%d rows for %d claims named", n, named)
	}
	// Each row as core has the claim.
	if n := count(t, db, `SELECT count(*) FROM mart.finding_claims AS f
		JOIN core.fact_claim AS c ON c.operator_code = f.operator_code AND c.claim_no = f.claim_no
		WHERE f.paid_amount IS DISTINCT FROM c.paid_amount OR f.medical_total IS DISTINCT FROM c.medical_total
		   OR f.insurance_paid IS DISTINCT FROM c.insurance_paid OR f.event_date IS DISTINCT FROM c.event_date
		   OR f.status IS DISTINCT FROM c.status OR f.paid_on IS DISTINCT FROM beijing_day(c.paid_at)`); n != 0 {
		t.Errorf("%d rows differ from core", n)
	}
	// An R18 finding's claims are paid the same amount for the same event.
	if n := count(t, db, `SELECT count(*) FROM (SELECT finding_id FROM mart.finding_claims WHERE rule_id = 'R18'
		GROUP BY finding_id HAVING count(*) < 2 OR count(DISTINCT paid_amount) > 1 OR count(DISTINCT event_date) > 1)`); n != 0 {
		t.Errorf("%d R18 findings whose claims are not repeats", n)
	}
}

// TestFindingHoldings: the mart holds every month-end state core has of
// each holding a finding names, and of each holding in a year an R03
// finding is about, with core's figures, and no other month-end; the
// realised income of an R03 finding's activity adds up to what it says.
func TestFindingHoldings(t *testing.T) {
	wdb, _, _ := buildWorld(t, 1200, 0.02) // the planted breaches name holdings
	db := wdb.SQL()
	wantColumns(t, db, "finding_holdings", "pool_code", "operator_code", "holding_id", "month", "fiscal_year",
		"activity_code", "instrument_type", "instrument_name", "issuer", "start_date", "maturity_date", "rate_pct",
		"principal", "market_value", "accrued_income", "realized_income")
	holdings := count(t, db, "SELECT count(DISTINCT (operator_code, subject_ref)) FROM mart.compliance_findings WHERE subject_kind = 'holding'")
	if holdings < 3 {
		t.Fatalf("%d holdings named by findings: the test would prove little", holdings)
	}
	if n := differing(t, db,
		"SELECT operator_code, holding_id, month, market_value, principal, instrument_type FROM mart.finding_holdings",
		`SELECT operator_code, holding_id, as_of, market_value, principal, instrument_type FROM core.fact_holding
		 WHERE (operator_code, holding_id) IN (SELECT operator_code, subject_ref FROM mart.compliance_findings WHERE subject_kind = 'holding')
		    OR (operator_code, year(as_of)) IN (SELECT operator_code, fiscal_year FROM mart.compliance_findings WHERE rule_id = 'R03')`); n != 0 {
		t.Errorf("%d month-end states differ between the mart and core", n)
	}
	r03 := count(t, db, "SELECT count(*) FROM mart.compliance_findings WHERE rule_id = 'R03' AND subject_kind = 'activity'")
	if r03 == 0 {
		t.Fatal("no R03 finding about an activity: the test would prove little")
	}
	if n := count(t, db, `SELECT count(*) FROM mart.compliance_findings AS f
		WHERE f.rule_id = 'R03' AND f.subject_kind = 'activity'
		  AND NOT contains(f.detail, '投资实现收益 ' || (SELECT coalesce(sum(h.realized_income), 0) FROM mart.finding_holdings AS h
			WHERE h.operator_code = f.operator_code AND h.fiscal_year = f.fiscal_year
			  AND coalesce(h.activity_code, '') = f.subject_ref) || '，')`); n != 0 {
		t.Errorf("%d of %d R03 findings whose realised income is not the sum of their holdings' in the mart", n, r03)
	}
}

// TestFindingAssistance: the mart holds a row for each finding about an
// assistance item, with core's figures, no free text, and says what the
// finding says is missing: no approval reference, no publication, no
// voucher on 5301/5302.
func TestFindingAssistance(t *testing.T) {
	wdb, _, _ := buildWorld(t, 1200, 0.02) // the planted breaches name assistance items
	db := wdb.SQL()
	wantColumns(t, db, "finding_assistance", "finding_id", "pool_code", "operator_code", "item_id", "activity_code",
		"fiscal_year", "kind", "amount", "approved_ref", "publicized_on", "voucher_no", "voucher_posted_on", "voucher_debit")
	if n := count(t, db, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mart'
		AND table_name = 'finding_assistance' AND column_name = 'description'`); n != 0 {
		t.Error("mart.finding_assistance has the items' free text")
	}
	findings := count(t, db, "SELECT count(*) FROM mart.compliance_findings WHERE subject_kind = 'assistance'")
	if findings < 2 {
		t.Fatalf("%d findings about assistance items: the test would prove little", findings)
	}
	if n := count(t, db, "SELECT count(*) FROM mart.finding_assistance"); n != findings {
		t.Errorf("%d rows for %d findings", n, findings)
	}
	if n := differing(t, db,
		"SELECT operator_code, item_id, amount, approved_ref, publicized_on, voucher_no FROM mart.finding_assistance",
		`SELECT operator_code, item_id, amount, approved_ref, publicized_on, voucher_no FROM core.fact_assistance
		 WHERE (operator_code, item_id) IN (SELECT operator_code, subject_ref FROM mart.compliance_findings WHERE subject_kind = 'assistance')`); n != 0 {
		t.Errorf("%d items differ between the mart and core", n)
	}
	// Each of the finding's words has its empty column, and each empty
	// column its word.
	if n := count(t, db, `SELECT count(*) FROM mart.finding_assistance AS a JOIN mart.compliance_findings AS f USING (finding_id)
		WHERE (a.approved_ref IS NULL) <> contains(f.detail, '无审批文号')
		   OR (a.publicized_on IS NULL) <> contains(f.detail, '未公示')
		   OR (a.voucher_posted_on IS NULL) <> contains(f.detail, '无 5301/5302')
		   OR (a.voucher_posted_on IS NULL) <> (a.voucher_debit IS NULL)`); n != 0 {
		t.Errorf("%d rows disagree with their finding's words", n)
	}
}

// TestFindingDepartures: a row for each finding about a leader's
// departure, with the role's end from core, and never an audit in time:
// none, or one reported after the day it was due.
func TestFindingDepartures(t *testing.T) {
	wdb, _, _ := buildWorld(t, 1200, 0.02) // operator 0's leader leaves without an audit
	db := wdb.SQL()
	wantColumns(t, db, "finding_departures", "finding_id", "pool_code", "operator_code", "fiscal_year", "role",
		"start_date", "end_date", "audit_due_by", "audit_id", "audit_report_date", "audit_days_after_end")
	findings := count(t, db, "SELECT count(*) FROM mart.compliance_findings WHERE subject_kind = 'staff_role'")
	if findings == 0 {
		t.Fatal("no finding about a departure: the test would prove little")
	}
	if n := count(t, db, "SELECT count(*) FROM mart.finding_departures"); n != findings {
		t.Errorf("%d rows for %d findings", n, findings)
	}
	if n := count(t, db, `SELECT count(*) FROM mart.finding_departures
		WHERE role <> 'leader' OR end_date IS NULL OR audit_due_by <> end_date + 180
		   OR audit_report_date <= audit_due_by OR audit_days_after_end <> audit_report_date - end_date`); n != 0 {
		t.Errorf("%d rows with no end, another due day, or an audit in time", n)
	}
	if n := count(t, db, `SELECT count(*) FROM mart.finding_departures AS d
		JOIN core.dim_staff AS s ON s.operator_code = d.operator_code AND s.role = d.role AND s.start_date = d.start_date AND s.is_current
		WHERE s.end_date IS DISTINCT FROM d.end_date`); n != 0 {
		t.Errorf("%d rows whose end differs from core", n)
	}
}

// TestAudits: every audit core has, once, with the role of the person an
// audit of a person audits but no staff id; no year a finding says lacks
// an annual audit has one in the mart.
func TestAudits(t *testing.T) {
	wdb, _, _ := buildWorld(t, 1200, 0.02) // operator 0 misses an annual audit
	db := wdb.SQL()
	wantColumns(t, db, "audits", "pool_code", "operator_code", "audit_id", "audit_type", "subject_roles",
		"period_start", "period_end", "fiscal_year", "report_date", "opinion", "findings")
	if n := count(t, db, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'mart'
		AND table_name = 'audits' AND column_name IN ('subject_staff', 'staff_id', 'name')`); n != 0 {
		t.Error("mart.audits names a person")
	}
	if n := differing(t, db,
		"SELECT operator_code, audit_id, audit_type, period_start, period_end, report_date, opinion, findings FROM mart.audits",
		"SELECT operator_code, audit_id, audit_type, period_start, period_end, report_date, opinion, findings FROM core.fact_audit"); n != 0 {
		t.Errorf("%d audits differ between the mart and core", n)
	}
	missing := count(t, db, "SELECT count(*) FROM mart.compliance_findings WHERE rule_id = 'R16' AND subject_kind = 'fiscal_year'")
	if missing == 0 {
		t.Fatal("no year without an annual audit: the test would prove little")
	}
	if n := count(t, db, `SELECT count(*) FROM mart.compliance_findings AS f JOIN mart.audits AS a
		ON a.operator_code = f.operator_code AND a.audit_type = 'annual'
		AND a.period_start <= make_date(f.fiscal_year, 12, 31) AND a.period_end >= make_date(f.fiscal_year, 1, 1)
		WHERE f.rule_id = 'R16' AND f.subject_kind = 'fiscal_year'`); n != 0 {
		t.Errorf("%d years found without an annual audit have one in mart.audits", n)
	}
	if n := count(t, db, "SELECT count(*) FROM mart.audits WHERE subject_roles IS NULL AND audit_type IN ('tenure', 'departure')"); n != 0 {
		t.Errorf("%d audits of a person without the person's role", n)
	}
}

// TestScorecardParts: a line spent on without a budget counts the full
// error; the compliance part weighs the year's open findings as
// 25 × 25 ÷ (25 + w), and the latest year also the earlier years' findings
// still open and those of no year; a resolved finding weighs nothing.
func TestScorecardParts(t *testing.T) {
	ctx := context.Background()
	conn := modelConn(t, config.DefaultRules(),
		ledger(`('OP', 'V1', 'A', '2024-03-15', '5101', 100, 0), ('OP', 'V2', 'A', '2025-03-15', '5101', 100, 0)`),
		`CREATE SCHEMA IF NOT EXISTS mart`,
		`CREATE TABLE mart.budget_execution AS SELECT * FROM (VALUES
			('OP', 'P1', 2024, DATE '2024-12-31', 1.0, 1.0, 'ok'),
			('OP', 'P1', 2024, DATE '2024-12-31', NULL, 1.0, 'no_budget'),
			('OP', 'P1', 2025, DATE '2025-03-31', 0.25, 0.25, 'ok'))
			AS t(operator_code, pool_code, fiscal_year, as_of_month, execution_rate, expected_rate, flag)`,
		`CREATE TABLE mart.compliance_findings AS SELECT * FROM (VALUES
			('OP', 2024, 'critical', 'open'), ('OP', 2024, 'major', 'resolved'), ('OP', NULL, 'major', 'open'))
			AS t(operator_code, fiscal_year, severity, status)`,
		`CREATE TABLE core.fact_claim (operator_code VARCHAR, paid_at TIMESTAMPTZ, decided_at TIMESTAMPTZ)`,
		`CREATE TABLE core.fact_audit (operator_code VARCHAR, audit_type VARCHAR, period_start DATE, period_end DATE, report_date DATE, opinion VARCHAR)`)
	if !runModel(t, conn, "scorecard.sql") {
		t.Fatal("no model scorecard.sql")
	}
	rows, err := conn.QueryContext(ctx, "SELECT fiscal_year, budget_part, compliance_part FROM mart.scorecard ORDER BY fiscal_year")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int][2]float64{}
	for rows.Next() {
		var y int
		var b, c float64
		if err := rows.Scan(&y, &b, &c); err != nil {
			t.Fatal(err)
		}
		got[y] = [2]float64{b, c}
	}
	want := map[int][2]float64{
		2024: {12.5, 20.83}, // (0 + 1) / 2 error; w = 5
		2025: {25, 19.53},   // w = 5 still open from 2024 + 2 of no year
	}
	for y, w := range want {
		if got[y] != w {
			t.Errorf("%d: budget, compliance parts %v, want %v", y, got[y], w)
		}
	}
}
