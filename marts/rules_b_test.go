package marts

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"huzhu/internal/config"
)

// runRule builds an in-memory warehouse with the given core tables, runs
// the rule model sql/<file> on them with the default thresholds and returns
// its hits as "operator|subject_kind|subject_ref|fiscal_year|severity",
// sorted (a NULL year is 0, a NULL severity "-").
func runRule(t *testing.T, file string, setup ...string) []string {
	t.Helper()
	ctx := context.Background()
	conn := modelConn(t, config.DefaultRules(), setup...)
	if !runModel(t, conn, file) {
		t.Fatalf("no model %s", file)
	}
	rows, err := conn.QueryContext(ctx, "SELECT operator_code, subject_kind, subject_ref, coalesce(fiscal_year, 0), coalesce(severity, '-'), detail FROM rule_hits")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var op, kind, ref, sev string
		var detail sql.NullString
		var y int
		if err := rows.Scan(&op, &kind, &ref, &y, &sev, &detail); err != nil {
			t.Fatal(err)
		}
		if !detail.Valid || detail.String == "" {
			t.Errorf("%s hit %s without a detail", file, ref)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%d|%s", op, kind, ref, y, sev))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func wantHits(t *testing.T, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("hits\n got %q\nwant %q", got, want)
	}
}

// ledger makes core.fact_ledger_line of rows
// (operator_code, voucher_no, activity_code, posted_on, account_code, debit, credit).
func ledger(rows string) string {
	return `CREATE TABLE core.fact_ledger_line AS
		SELECT operator_code, voucher_no, 1 AS line_no, activity_code, CAST(posted_on AS DATE) AS posted_on, account_code,
			CAST(debit AS DECIMAL(18, 2)) AS debit, CAST(credit AS DECIMAL(18, 2)) AS credit, 'P1' AS pool_code
		FROM (VALUES ` + rows + `) AS t(operator_code, voucher_no, activity_code, posted_on, account_code, debit, credit)`
}

// R11: reserve exactly 5% of contribution income is clean, one cent less is
// a finding, no reserve is; the partial last year is not evaluated; the
// operator's sums are evaluated too.
func TestRuleR11Boundary(t *testing.T) {
	got := runRule(t, "rule_r11.sql", ledger(`
		('OP', 'V1', 'A', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V2', 'A', '2024-12-31', '3102', 0, 50.00),
		('OP', 'V3', 'B', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V4', 'B', '2024-12-31', '3102', 0, 49.99),
		('OP', 'V5', 'C', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V6', 'D', '2025-03-01', '4101', 0, 1000.00),
		('OQ', 'W1', 'A', '2024-03-01', '4101', 0, 1000.00),
		('OQ', 'W2', 'A', '2024-06-30', '3102', 0, 60.00),
		('OQ', 'W3', 'A', '2024-09-30', '3102', 10.00, 0),
		('OQ', 'W4', 'A', '2025-01-05', '3102', 20.00, 0)`))
	wantHits(t, got,
		"OP|activity|B|2024|-", "OP|activity|C|2024|-", "OP|operator|OP|2024|-")
}

// R12: benefits exactly 0.50 and 1.00 of contribution income are inside
// the band, one cent outside either end is a finding.
func TestRuleR12Boundary(t *testing.T) {
	got := runRule(t, "rule_r12.sql", ledger(`
		('OP', 'V1', 'A', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V2', 'A', '2024-05-01', '5101', 500.00, 0),
		('OP', 'V3', 'B', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V4', 'B', '2024-05-01', '5101', 499.99, 0),
		('OP', 'V5', 'C', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V6', 'C', '2024-05-01', '5101', 1000.00, 0),
		('OP', 'V7', 'E', '2024-03-01', '4101', 0, 1000.00),
		('OP', 'V8', 'E', '2024-05-01', '5101', 1000.01, 0),
		('OP', 'V9', 'F', '2025-03-01', '4101', 0, 1000.00)`))
	wantHits(t, got, "OP|activity|B|2024|-", "OP|activity|E|2024|-")
}

// R15: net assets exactly 2.0 and 0.25 years of benefits are clean, one
// cent past either is a finding.
func TestRuleR15Boundary(t *testing.T) {
	got := runRule(t, "rule_r15.sql", ledger(`
		('OP', 'V1', 'A', '2024-03-01', '4101', 0, 300.00),
		('OP', 'V2', 'A', '2024-05-01', '5101', 100.00, 0),
		('OP', 'V3', 'B', '2024-03-01', '4101', 0, 300.01),
		('OP', 'V4', 'B', '2024-05-01', '5101', 100.00, 0),
		('OP', 'V5', 'C', '2024-03-01', '4101', 0, 125.00),
		('OP', 'V6', 'C', '2024-05-01', '5101', 100.00, 0),
		('OP', 'V7', 'D', '2024-03-01', '4101', 0, 124.99),
		('OP', 'V8', 'D', '2024-05-01', '5101', 100.00, 0),
		('OP', 'V9', 'D', '2024-05-01', '1002', 0, 500.00),
		('OP', 'V10', 'A', '2025-02-01', '1002', 1.00, 0)`))
	wantHits(t, got, "OP|activity|B|2024|-", "OP|activity|D|2024|-")
}

// R13: an activity with enrolments whose current version lacks either
// reference; not one without enrolments, nor an old version.
func TestRuleR13(t *testing.T) {
	got := runRule(t, "rule_r13.sql",
		`CREATE TABLE core.dim_activity AS SELECT * FROM (VALUES
			('OP', 'A', 'AP1', 'F1', true, 'P1'),
			('OP', 'A', NULL, NULL, false, 'P1'),
			('OP', 'B', NULL, 'F2', true, 'P1'),
			('OP', 'C', 'AP3', ' ', true, 'P1'),
			('OP', 'D', NULL, NULL, true, 'P1')) AS t(operator_code, activity_code, approval_ref, filing_ref, is_current, pool_code)`,
		`CREATE TABLE core.fact_contribution AS SELECT operator_code, activity_code || '-R' AS receipt_no, activity_code,
			'M1' AS member_ref, DATE '2024-01-01' AS period_start, DATE '2024-12-31' AS period_end,
			CAST(50 AS DECIMAL(18, 2)) AS amount, CAST(NULL AS VARCHAR) AS refund_of,
			TIMESTAMPTZ '2024-01-02 10:00:00+08' AS paid_at, 'P1' AS pool_code
			FROM (VALUES ('OP', 'A'), ('OP', 'B'), ('OP', 'C'), ('OQ', 'D')) AS t(operator_code, activity_code)`)
	wantHits(t, got, "OP|activity|B|0|-", "OP|activity|C|0|-")
}

// R14: exactly min_members active members is clean, one fewer is an info
// finding; a refunded enrolment does not count; a year before the
// operator's books begin (C's three-year term reaching back to 2022) is
// not judged.
func TestRuleR14Boundary(t *testing.T) {
	enrol := func(act string, n int, from int) string {
		return fmt.Sprintf(`SELECT 'OP' AS operator_code, '%s-R' || i AS receipt_no, '%s' AS activity_code, 'M' || i AS member_ref,
			DATE '2024-01-01' AS period_start, DATE '2024-12-31' AS period_end, CAST(100 AS DECIMAL(18, 2)) AS amount,
			CAST(NULL AS VARCHAR) AS refund_of, TIMESTAMP '2024-01-01 10:00:00' AS paid_at, 'P1' AS pool_code
			FROM range(%d, %d) AS t(i)`, act, act, from, from+n)
	}
	got := runRule(t, "rule_r14.sql",
		`CREATE TABLE core.fact_contribution AS `+enrol("A", 1000, 0)+` UNION ALL `+enrol("B", 1000, 0)+`
		UNION ALL SELECT 'OP', 'B-X', 'B', 'M0', DATE '2024-01-01', DATE '2024-12-31', -100, 'B-R0', TIMESTAMP '2024-02-01 10:00:00', 'P1'
		UNION ALL SELECT 'OP', 'C-R0', 'C', 'M0', DATE '2022-01-01', DATE '2024-12-31', 100, NULL, TIMESTAMP '2024-01-01 10:00:00', 'P1'`,
		ledger(`('OP', 'V1', 'A', '2024-01-01', '1002', 1, 0)`))
	wantHits(t, got, "OP|activity|B|2024|-", "OP|activity|C|2024|-")
}

// R16: a departure audit exactly 180 days after the leader left is in
// time, 181 is not; a leader whose 180 days end on the as-of is not yet
// due; a year without an annual audit is a finding once the end of the
// following June is on or before the as-of.
func TestRuleR16Boundary(t *testing.T) {
	got := runRule(t, "rule_r16.sql",
		ledger(`('OP', 'V1', 'A', '2024-01-01', '1002', 1, 0), ('OP', 'V2', 'A', '2025-06-30', '1002', 1, 0),
			('OQ', 'W1', 'A', '2024-01-01', '1002', 1, 0), ('OQ', 'W2', 'A', '2025-06-30', '1002', 1, 0),
			('OR', 'X1', 'A', '2024-01-01', '1002', 1, 0), ('OR', 'X2', 'A', '2025-06-29', '1002', 1, 0)`),
		`CREATE TABLE core.dim_org AS SELECT * FROM (VALUES ('OP', 'P1', true), ('OQ', 'P2', true)) AS t(org_code, pool_code, is_current)`,
		`CREATE TABLE core.dim_staff AS SELECT operator_code, staff_id, role, CAST(start_date AS DATE) AS start_date,
			CAST(end_date AS DATE) AS end_date, is_current FROM (VALUES
			('OP', 'L1', 'leader', '2020-01-01', '2024-06-01', true),
			('OP', 'L1', 'leader', '2020-01-01', NULL, false),
			('OP', 'L2', 'leader', '2020-02-01', '2024-06-01', true),
			('OP', 'L3', 'leader', '2020-03-01', '2025-01-01', true),
			('OP', 'L4', 'leader', '2020-04-01', '2024-12-31', true),
			('OP', 'L5', 'leader', '2024-06-02', NULL, true),
			('OP', 'F1', 'cashier', '2020-01-01', '2024-01-01', true)) AS t(operator_code, staff_id, role, start_date, end_date, is_current)`,
		`CREATE TABLE core.fact_audit AS SELECT operator_code, audit_type, subject_staff, CAST(period_start AS DATE) AS period_start,
			CAST(period_end AS DATE) AS period_end, CAST(report_date AS DATE) AS report_date FROM (VALUES
			('OP', 'departure', 'L1', '2020-01-01', '2024-06-01', DATE '2024-06-01' + 180),
			('OP', 'departure', 'L2', '2020-02-01', '2024-06-01', DATE '2024-06-01' + 181),
			('OP', 'annual', NULL, '2024-01-01', '2024-12-31', DATE '2025-03-31')) AS t(operator_code, audit_type, subject_staff, period_start, period_end, report_date)`)
	wantHits(t, got,
		"OP|staff_role|L2|leader|2020-02-01|2024|-", "OP|staff_role|L4|leader|2020-04-01|2024|-", "OQ|fiscal_year|2024|2024|-")
}

func claimsTable(rows string) string {
	return `CREATE TABLE core.fact_claim AS SELECT operator_code, claim_no, activity_code, member_ref, CAST(event_date AS DATE) AS event_date,
		CAST(medical_total AS DECIMAL(18, 2)) AS medical_total, CAST(insurance_paid AS DECIMAL(18, 2)) AS insurance_paid,
		CAST(paid_amount AS DECIMAL(18, 2)) AS paid_amount, status, TIMESTAMP '2024-07-01 15:00:00' AS paid_at, 'P1' AS pool_code
		FROM (VALUES ` + rows + `) AS t(operator_code, claim_no, activity_code, member_ref, event_date, medical_total, insurance_paid, paid_amount, status)`
}

// R17: paid exactly the cap or exactly medical_total − insurance_paid is
// clean, one cent more is a finding; the cap is per member per period, so
// two claims of one period adding up to the cap are clean and to a cent
// more the second is a finding, while claims of two periods are not added;
// an event one day after the enrolment ends is one, on its last day is
// not; unpaid claims are not.
func TestRuleR17Boundary(t *testing.T) {
	got := runRule(t, "rule_r17.sql",
		`CREATE TABLE core.dim_activity AS SELECT * FROM (VALUES ('OP', 'A', CAST(1000 AS DECIMAL(18, 2)), true),
			('OP', 'A', CAST(5000 AS DECIMAL(18, 2)), false)) AS t(operator_code, activity_code, benefit_cap, is_current)`,
		`CREATE TABLE core.fact_contribution AS SELECT operator_code, activity_code, member_ref, refund_of,
			CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end FROM (VALUES
			('OP', 'A', 'M1', NULL, '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M2', NULL, '2024-01-01', '2024-06-30'),
			('OP', 'A', 'M3', 'R9', '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M4', NULL, '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M5', NULL, '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M6', NULL, '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M7', NULL, '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M8', NULL, '2024-01-01', '2024-12-31'),
			('OP', 'A', 'M9', NULL, '2023-01-01', '2023-12-31'),
			('OP', 'A', 'M9', NULL, '2024-01-01', '2024-12-31')) AS t(operator_code, activity_code, member_ref, refund_of, period_start, period_end)`,
		claimsTable(`
			('OP', 'C1', 'A', 'M1', '2024-05-01', 2000, 500, 1000.00, 'paid'),
			('OP', 'C2', 'A', 'M4', '2024-05-02', 2000, 500, 1000.01, 'paid'),
			('OP', 'C3', 'A', 'M5', '2024-05-03', 1000, 400, 600.00, 'paid'),
			('OP', 'C4', 'A', 'M6', '2024-05-04', 1000, 400, 600.01, 'paid'),
			('OP', 'C5', 'A', 'M2', '2024-07-01', 1000, 0, 100.00, 'paid'),
			('OP', 'C6', 'A', 'M2', '2024-06-30', 1000, 0, 100.00, 'paid'),
			('OP', 'C7', 'A', 'M3', '2024-05-01', 1000, 0, 100.00, 'paid'),
			('OP', 'C8', 'A', 'M1', '2024-05-05', 9000, 0, 5000.00, 'approved'),
			('OP', 'K1', 'A', 'M7', '2024-03-01', 2000, 0, 600.00, 'paid'),
			('OP', 'K2', 'A', 'M7', '2024-04-01', 2000, 0, 400.00, 'paid'),
			('OP', 'L1', 'A', 'M8', '2024-03-01', 2000, 0, 600.00, 'paid'),
			('OP', 'L2', 'A', 'M8', '2024-04-01', 2000, 0, 400.01, 'paid'),
			('OP', 'N1', 'A', 'M9', '2023-12-01', 2000, 0, 800.00, 'paid'),
			('OP', 'N2', 'A', 'M9', '2024-01-05', 2000, 0, 800.00, 'paid')`))
	wantHits(t, got, "OP|claim|C2|2024|-", "OP|claim|C4|2024|-", "OP|claim|C5|2024|-", "OP|claim|C7|2024|-", "OP|claim|L2|2024|-")
}

// R18: two paid claims of the same member, event date and amount are one
// finding on both (in claim_no order); a cent's difference, another event
// date or an unpaid twin is not.
func TestRuleR18Boundary(t *testing.T) {
	got := runRule(t, "rule_r18.sql", claimsTable(`
		('OP', 'D-02', 'A', 'M1', '2024-05-01', 2000, 0, 500.00, 'paid'),
		('OP', 'D-01', 'A', 'M1', '2024-05-01', 2000, 0, 500.00, 'paid'),
		('OP', 'E-01', 'A', 'M2', '2024-05-01', 2000, 0, 500.00, 'paid'),
		('OP', 'E-02', 'A', 'M2', '2024-05-01', 2000, 0, 500.01, 'paid'),
		('OP', 'F-01', 'A', 'M3', '2024-05-01', 2000, 0, 500.00, 'paid'),
		('OP', 'F-02', 'A', 'M3', '2024-05-02', 2000, 0, 500.00, 'paid'),
		('OP', 'G-01', 'A', 'M4', '2024-05-01', 2000, 0, 500.00, 'paid'),
		('OP', 'G-02', 'A', 'M4', '2024-05-01', 2000, 0, 500.00, 'rejected'),
		('OQ', 'H-01', 'A', 'M1', '2024-05-01', 2000, 0, 500.00, 'paid')`))
	wantHits(t, got, "OP|claims|D-01|D-02|2024|-")
}

// R19: a voucher with a 4xxx and a 5xxx line; not one with only one of them.
func TestRuleR19(t *testing.T) {
	got := runRule(t, "rule_r19.sql", ledger(`
		('OP', 'V1', 'A', '2024-05-06', '5101', 150, 0), ('OP', 'V1', 'A', '2024-05-06', '4101', 0, 150),
		('OP', 'V2', 'A', '2024-05-06', '1002', 150, 0), ('OP', 'V2', 'A', '2024-05-06', '4101', 0, 150),
		('OP', 'V3', 'A', '2024-05-06', '5101', 150, 0), ('OP', 'V3', 'A', '2024-05-06', '1002', 0, 150),
		('OQ', 'V2', 'A', '2024-05-06', '5101', 150, 0)`))
	wantHits(t, got, "OP|voucher|V1|2024|-")
}

// budget_execution runs each operator's months to its own books' end: an
// operator whose data stops in March has no month after it (which would
// read as spending behind the year), while another's reach November.
func TestBudgetExecutionPerOperatorEnd(t *testing.T) {
	ctx := context.Background()
	conn := modelConn(t, config.DefaultRules(),
		ledger(`('OP', 'V1', 'A', '2024-03-15', '5101', 100, 0), ('OP', 'V2', 'A', '2024-11-15', '5101', 100, 0),
			('OQ', 'W1', 'A', '2024-03-15', '5101', 50, 0)`),
		`CREATE TABLE core.fact_budget_line AS SELECT * FROM (VALUES ('OP', 'A', 2024, '5101', 'original', CAST(1200 AS DECIMAL(18, 2))),
			('OQ', 'A', 2024, '5101', 'original', CAST(600 AS DECIMAL(18, 2))))
			AS t(operator_code, activity_code, fiscal_year, line_code, version, amount)`,
		`CREATE TABLE core.dim_account AS SELECT '5101' AS account_code, true AS debit_normal, 'expense' AS class, '互助金给付' AS name_zh`,
		`CREATE TABLE core.dim_org AS SELECT * FROM (VALUES ('OP', 'P1', true), ('OQ', 'P1', true)) AS t(org_code, pool_code, is_current)`,
		`CREATE TABLE core.dim_date AS SELECT CAST(d AS DATE) AS date, year(d) AS year, month(d) AS month, d = last_day(d) AS is_month_end
			FROM range(DATE '2024-01-01', DATE '2025-01-01', INTERVAL 1 DAY) AS t(d)`)
	if !runModel(t, conn, "budget_execution.sql") {
		t.Fatal("no model budget_execution.sql")
	}
	got := map[string]string{}
	rows, err := conn.QueryContext(ctx, `SELECT operator_code, strftime(max(as_of_month), '%Y-%m-%d') FROM mart.budget_execution GROUP BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var op, last string
		if err := rows.Scan(&op, &last); err != nil {
			t.Fatal(err)
		}
		got[op] = last
	}
	if got["OP"] != "2024-11-30" || got["OQ"] != "2024-03-31" {
		t.Errorf("last month end per operator = %v, want OP 2024-11-30, OQ 2024-03-31", got)
	}
}
