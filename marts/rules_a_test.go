package marts

import (
	"context"
	"strings"
	"testing"

	"huzhu/internal/config"
)

// ruleHitA is one row of rule_hits, as the boundary tests read it.
type ruleHitA struct {
	kind, ref, sev string
	amount, detail string
}

// runRuleA builds core from setup (statements on a fresh in-memory
// warehouse), runs the rule model sql/rule_<id>.sql with the default
// thresholds and returns its hits by subject_ref. A rule whose model is
// not in the tree is skipped.
func runRuleA(t *testing.T, id string, setup ...string) map[string]ruleHitA {
	t.Helper()
	return runRuleAWith(t, id, config.DefaultRules(), setup...)
}

// runRuleAWith is runRuleA with the thresholds of rules.
func runRuleAWith(t *testing.T, id string, rules config.Rules, setup ...string) map[string]ruleHitA {
	t.Helper()
	ctx := context.Background()
	conn := modelConn(t, rules, setup...)
	if !runModel(t, conn, "rule_"+id+".sql") {
		t.Skipf("%s: no model", id)
	}
	rows, err := conn.QueryContext(ctx, "SELECT subject_kind, subject_ref, coalesce(severity, ''), CAST(amount AS VARCHAR), coalesce(detail, '') FROM rule_hits")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]ruleHitA{}
	for rows.Next() {
		var h ruleHitA
		if err := rows.Scan(&h.kind, &h.ref, &h.sev, &h.amount, &h.detail); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[h.ref]; dup {
			t.Errorf("%s: two hits on %s", id, h.ref)
		}
		out[h.ref] = h
	}
	return out
}

// wantHitsA checks which subjects are hit (with the severity override given,
// "" for the catalogue's) and that no other is.
func wantHitsA(t *testing.T, got map[string]ruleHitA, hits map[string]string) {
	t.Helper()
	for ref, sev := range hits {
		h, ok := got[ref]
		if !ok {
			t.Errorf("%s: not hit", ref)
		} else if h.sev != sev {
			t.Errorf("%s: severity %q, want %q", ref, h.sev, sev)
		}
	}
	for ref := range got {
		if _, ok := hits[ref]; !ok {
			t.Errorf("%s: hit, want clean", ref)
		}
	}
}

// TestR01AllowList: a review bond on [rules] allowed_instruments is no
// finding and counts as allowed in the investment mix; the other review
// bond stays a minor finding, and the catalogue's threshold says which is
// which.
func TestR01AllowList(t *testing.T) {
	rules := config.DefaultRules()
	rules.AllowedInstruments = []string{"policy_bank_bond"}
	conn := modelConn(t, rules, `CREATE TABLE core.fact_holding AS
		SELECT operator_code, holding_id, CAST(as_of AS DATE) AS as_of, activity_code, instrument_type,
			'x' AS issuer, 'x' AS instrument_name, CAST(mv AS DECIMAL(18, 2)) AS market_value, 'P1' AS pool_code
		FROM (VALUES ('OP1', 'PB1', '2024-03-31', NULL, 'policy_bank_bond', 300),
			('OP1', 'LG1', '2024-03-31', NULL, 'local_gov_bond', 300),
			('OP1', 'TB1', '2024-03-31', NULL, 'treasury_bond', 300))
			AS t(operator_code, holding_id, as_of, activity_code, instrument_type, mv)`,
		ledgerA(`('OP1', 'V2', 1, NULL, '2024-02-20', '1101', 5, 0, NULL, 'a', 'b', 'c', NULL)`))
	if !runModel(t, conn, "rule_r01.sql") || !runModel(t, conn, "investment_mix.sql") {
		t.Fatal("no R01 or investment_mix model")
	}
	ctx := context.Background()
	var hits, sev string
	if err := conn.QueryRowContext(ctx, "SELECT string_agg(subject_ref, ','), string_agg(coalesce(severity, ''), ',') FROM rule_hits").Scan(&hits, &sev); err != nil {
		t.Fatal(err)
	}
	if hits != "LG1" || sev != "minor" {
		t.Errorf("R01 hits %q (%q), want LG1 alone, minor", hits, sev)
	}
	var notAllowed string
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(string_agg(instrument_type, ','), '') FROM mart.investment_mix WHERE NOT allowed").Scan(&notAllowed); err != nil {
		t.Fatal(err)
	}
	if notAllowed != "local_gov_bond" {
		t.Errorf("investment mix not allowed: %q, want local_gov_bond", notAllowed)
	}
	var review string
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(string_agg(instrument_type, ','), '') FROM mart.investment_mix WHERE review").Scan(&review); err != nil {
		t.Fatal(err)
	}
	if review != "local_gov_bond" {
		t.Errorf("investment mix for review: %q, want local_gov_bond (the allow-listed bond is allowed, not for review)", review)
	}
	for _, r := range Catalogue() {
		if r.ID == "R01" {
			if th := r.Threshold(rules); !strings.Contains(th, "政策性银行债券（经复核）") || !strings.Contains(th, "待复核：地方政府债券") {
				t.Errorf("R01 threshold %q", th)
			}
		}
	}
}

// ledgerA is core.fact_ledger_line from VALUES rows of (operator_code,
// voucher_no, line_no, activity_code, posted_on, account_code, debit,
// credit, bank_account_no, prepared_by, approved_by, paid_by, decision_ref).
func ledgerA(values string) string {
	return `CREATE TABLE core.fact_ledger_line AS
	SELECT operator_code, voucher_no, line_no, activity_code, CAST(posted_on AS DATE) AS posted_on, account_code,
		CAST(debit AS DECIMAL(18, 2)) AS debit, CAST(credit AS DECIMAL(18, 2)) AS credit, bank_account_no,
		prepared_by, approved_by, paid_by, decision_ref, 'P1' AS pool_code
	FROM (VALUES ` + values + `) AS t(operator_code, voucher_no, line_no, activity_code, posted_on, account_code,
		debit, credit, bank_account_no, prepared_by, approved_by, paid_by, decision_ref)`
}

const orgsA = `CREATE TABLE core.dim_org AS SELECT * FROM (VALUES ('OP1', 'P1', true), ('OP2', 'P1', true)) AS t(org_code, pool_code, is_current)`

func TestR01Instruments(t *testing.T) {
	got := runRuleA(t, "r01",
		`CREATE TABLE core.fact_holding AS
		SELECT operator_code, holding_id, CAST(as_of AS DATE) AS as_of, activity_code, instrument_type,
			'x' AS issuer, 'x' AS instrument_name, CAST(mv AS DECIMAL(18, 2)) AS market_value, 'P1' AS pool_code
		FROM (VALUES ('OP1', 'ST1', '2024-02-29', NULL, 'stock', 100),
			('OP1', 'ST1', '2024-03-31', NULL, 'stock', 90),
			('OP1', 'PB1', '2024-03-31', NULL, 'policy_bank_bond', 300),
			('OP1', 'LG1', '2024-03-31', NULL, 'local_gov_bond', 300),
			('OP1', 'TB1', '2024-03-31', NULL, 'treasury_bond', 300),
			('OP1', 'TD1', '2024-03-31', 'ACC', 'time_deposit', 300),
			('OP1', 'DD1', '2024-03-31', 'ACC', 'demand_deposit', 300))
			AS t(operator_code, holding_id, as_of, activity_code, instrument_type, mv)`,
		ledgerA(`('OP1', 'V1', 1, NULL, '2024-02-20', '1109', 0.01, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V1', 2, NULL, '2024-02-20', '1002', 0, 0.01, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'V2', 1, NULL, '2024-02-20', '1101', 5, 0, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"ST1": "", "PB1": "minor", "LG1": "minor", "V1": ""})
	if got["ST1"].kind != "holding" || got["V1"].kind != "voucher" || got["ST1"].amount != "100.00" {
		t.Errorf("hits %v", got)
	}
	// The instrument in the contract's Chinese name (instrument_names).
	if d := got["ST1"].detail; !strings.HasPrefix(d, "持有股票") {
		t.Errorf("R01 ST1 detail %q, want it to start 持有股票", d)
	}
}

func TestR03IncomeGapBoundary(t *testing.T) {
	// A gap is tolerated up to 1% of realised income and up to 1,000 yuan
	// (rules.md: a finding when "gap > 1% or > 1,000 yuan").
	// A: realised 50,000, 1% = 500: a 500.00 gap is clean; B: 500.01 is not.
	// C: realised 200,000: a 1,000.00 gap is clean; D: 1,000.01 is not.
	// E: interest credited to 4901 while holdings realised income.
	// Organisation level (G) matches.
	got := runRuleA(t, "r03", orgsA,
		`CREATE TABLE core.fact_holding AS
		SELECT operator_code, holding_id, CAST(as_of AS DATE) AS as_of, activity_code, CAST(r AS DECIMAL(18, 2)) AS realized_income
		FROM (VALUES ('OP1', 'HA', '2024-06-30', 'A', 30000), ('OP1', 'HA', '2024-12-31', 'A', 20000),
			('OP1', 'HB', '2024-06-30', 'B', 50000),
			('OP1', 'HC', '2024-06-30', 'C', 200000), ('OP1', 'HD', '2024-06-30', 'D', 200000),
			('OP1', 'HE', '2024-06-30', 'E', 10), ('OP1', 'HG', '2024-06-30', NULL, 10))
			AS t(operator_code, holding_id, as_of, activity_code, r)`,
		ledgerA(`('OP1', 'I1', 1, 'A', '2024-06-30', '4201', 0, 49500.00, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'I2', 1, 'B', '2024-06-30', '4201', 0, 49499.99, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'I3', 1, 'C', '2024-06-30', '4202', 0, 199000.00, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'I4', 1, 'D', '2024-06-30', '4201', 0, 198999.99, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'I5', 1, 'E', '2024-06-30', '4201', 0, 9, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'I5', 2, 'E', '2024-06-30', '4901', 0, 1, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'I6', 1, NULL, '2024-06-30', '4201', 0, 10, NULL, 'a', 'b', 'c', NULL)`))
	// The operator's sums: realised 500,020, booked 497,018.98: a gap of
	// 3,001.02, over 1,000 yuan.
	wantHitsA(t, got, map[string]string{"B": "", "D": "", "E": "", "OP1": ""})
	if got["B"].amount != "500.01" || got["OP1"].kind != "operator" {
		t.Errorf("hits %v", got)
	}
}

func TestR04MgmtFeeBoundary(t *testing.T) {
	// OP1: 80.00 / 1,000.00 = 0.08 exactly; OP2: 80.01 / 1,000.00. The
	// organisation-level and activity lines are summed, credits to 5201
	// net off.
	got := runRuleA(t, "r04", ledgerA(`('OP1', 'R1', 1, 'A', '2024-01-05', '4101', 0, 600, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'R2', 1, 'B', '2024-01-05', '4101', 0, 400, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'M1', 1, NULL, '2024-01-31', '5201', 70, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'M2', 1, 'A', '2024-02-28', '5201', 15, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'M3', 1, NULL, '2024-03-31', '5201', 0, 5, NULL, 'a', 'b', 'c', NULL),
		('OP2', 'R1', 1, 'A', '2024-01-05', '4101', 0, 1000, NULL, 'a', 'b', 'c', NULL),
		('OP2', 'M1', 1, NULL, '2024-01-31', '5201', 80.01, 0, NULL, 'a', 'b', 'c', NULL),
		('OP2', 'M2', 1, NULL, '2025-01-31', '5201', 80.01, 0, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"OP2": ""})
}

func TestR05Assistance(t *testing.T) {
	got := runRuleA(t, "r05",
		`CREATE TABLE core.fact_assistance AS
		SELECT operator_code, item_id, NULL AS activity_code, CAST(100 AS DECIMAL(18, 2)) AS amount, approved_ref,
			CAST(pub AS DATE) AS publicized_on, voucher_no, TIMESTAMPTZ '2024-04-15 10:00:00+08' AS updated_at, 'P1' AS pool_code
		FROM (VALUES ('OP1', 'OK', 'D1', '2024-04-25', 'V1'), ('OP1', 'NOAPP', NULL, '2024-04-25', 'V1'),
			('OP1', 'NOPUB', 'D1', NULL, 'V1'), ('OP1', 'NOV', 'D1', '2024-04-25', 'VX'),
			('OP1', 'WRONGACCT', 'D1', '2024-04-25', 'V2'), ('OP2', 'OTHEROP', 'D1', '2024-04-25', 'V1'))
			AS t(operator_code, item_id, approved_ref, pub, voucher_no)`,
		ledgerA(`('OP1', 'V1', 1, NULL, '2024-04-15', '5302', 100, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V1', 2, NULL, '2024-04-15', '1002', 0, 100, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'V2', 1, NULL, '2024-04-15', '5901', 100, 0, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"NOAPP": "", "NOPUB": "", "NOV": "", "WRONGACCT": "", "OTHEROP": ""})
}

func TestR06Accounts(t *testing.T) {
	got := runRuleA(t, "r06",
		`CREATE TABLE core.fact_contribution AS
		SELECT operator_code, activity_code || '-R' AS receipt_no, activity_code, 'M1' AS member_ref,
			DATE '2024-01-01' AS period_start, DATE '2024-12-31' AS period_end, CAST(10 AS DECIMAL(18, 2)) AS amount,
			CAST(NULL AS VARCHAR) AS refund_of, TIMESTAMPTZ '2024-01-02 10:00:00+08' AS paid_at, 'P1' AS pool_code
		FROM (VALUES ('OP1', 'ACC'), ('OP1', 'OTH'), ('OP1', 'CLS')) AS t(operator_code, activity_code)`,
		`CREATE TABLE core.dim_bank_account AS
		SELECT operator_code, account_no, activity_code, CAST(closed_on AS DATE) AS closed_on
		FROM (VALUES ('OP1', 'B1', 'ACC', NULL), ('OP1', 'B2', 'CLS', '2024-01-01'), ('OP1', 'B3', 'INP', NULL),
			('OP2', 'B9', 'OTH', NULL)) AS t(operator_code, account_no, activity_code, closed_on)`,
		ledgerA(`('OP1', 'R1', 1, 'ACC', '2024-01-05', '1002', 10, 0, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'R2', 1, 'INP', '2024-01-05', '1002', 10, 0, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'R3', 1, 'INP', '2024-01-05', '1002', 10, 0, 'B3', 'a', 'b', 'c', NULL),
			('OP1', 'R4', 1, 'INP', '2024-01-05', '4101', 0, 10, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"OTH": "", "CLS": "", "B1": ""})
	if got["B1"].kind != "bank_account" || got["OTH"].kind != "activity" {
		t.Errorf("hits %v", got)
	}
}

func TestR07LargePaymentBoundary(t *testing.T) {
	got := runRuleA(t, "r07",
		`CREATE TABLE core.fact_decision AS
		SELECT operator_code, decision_ref, CAST(meeting_date AS DATE) AS meeting_date, quorum_met,
			CAST(amount_limit AS DECIMAL(18, 2)) AS amount_limit
		FROM (VALUES ('OP1', 'OK', '2024-04-01', true, NULL), ('OP1', 'SAMEDAY', '2024-04-08', true, NULL),
			('OP1', 'LATE', '2024-04-09', true, NULL), ('OP1', 'NOQ', '2024-04-01', false, NULL),
			('OP1', 'LIM', '2024-04-01', true, 500000.00), ('OP2', 'OTHEROP', '2024-04-01', true, NULL))
			AS t(operator_code, decision_ref, meeting_date, quorum_met, amount_limit)`,
		ledgerA(`('OP1', 'AT', 1, NULL, '2024-04-08', '5901', 500000.00, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'AT', 2, NULL, '2024-04-08', '1002', 0, 500000.00, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'UNDER', 1, NULL, '2024-04-08', '5901', 499999.99, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'UNDER', 2, NULL, '2024-04-08', '1002', 0, 499999.99, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'TRANSFER', 1, 'A', '2024-04-08', '1003', 900000, 0, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'TRANSFER', 2, 'A', '2024-04-08', '1002', 0, 900000, 'B1', 'a', 'b', 'c', NULL),
			('OP1', 'GOOD', 1, NULL, '2024-04-08', '2101', 900000, 0, NULL, 'a', 'b', 'c', 'OK'),
			('OP1', 'GOOD', 2, NULL, '2024-04-08', '1003', 0, 900000, 'B1', 'a', 'b', 'c', 'OK'),
			('OP1', 'SAME', 1, NULL, '2024-04-08', '5901', 600000, 0, NULL, 'a', 'b', 'c', 'SAMEDAY'),
			('OP1', 'SAME', 2, NULL, '2024-04-08', '1002', 0, 600000, 'B1', 'a', 'b', 'c', 'SAMEDAY'),
			('OP1', 'AFTER', 1, NULL, '2024-04-08', '5901', 600000, 0, NULL, 'a', 'b', 'c', 'LATE'),
			('OP1', 'AFTER', 2, NULL, '2024-04-08', '1002', 0, 600000, 'B1', 'a', 'b', 'c', 'LATE'),
			('OP1', 'QUORUM', 1, NULL, '2024-04-08', '5901', 600000, 0, NULL, 'a', 'b', 'c', 'NOQ'),
			('OP1', 'QUORUM', 2, NULL, '2024-04-08', '1002', 0, 600000, 'B1', 'a', 'b', 'c', 'NOQ'),
			('OP1', 'ATLIMIT', 1, NULL, '2024-04-08', '5901', 500000.00, 0, NULL, 'a', 'b', 'c', 'LIM'),
			('OP1', 'ATLIMIT', 2, NULL, '2024-04-08', '1002', 0, 500000.00, 'B1', 'a', 'b', 'c', 'LIM'),
			('OP1', 'OVERLIMIT', 1, NULL, '2024-04-08', '5901', 500000.01, 0, NULL, 'a', 'b', 'c', 'LIM'),
			('OP1', 'OVERLIMIT', 2, NULL, '2024-04-08', '1002', 0, 500000.01, 'B1', 'a', 'b', 'c', 'LIM'),
			('OP1', 'NODEC', 1, NULL, '2024-04-08', '5901', 600000, 0, NULL, 'a', 'b', 'c', 'MISSING'),
			('OP1', 'NODEC', 2, NULL, '2024-04-08', '1002', 0, 600000, 'B1', 'a', 'b', 'c', 'MISSING'),
			('OP1', 'FOREIGN', 1, NULL, '2024-04-08', '5901', 600000, 0, NULL, 'a', 'b', 'c', 'OTHEROP'),
			('OP1', 'FOREIGN', 2, NULL, '2024-04-08', '1002', 0, 600000, 'B1', 'a', 'b', 'c', 'OTHEROP')`))
	wantHitsA(t, got, map[string]string{"AT": "", "AFTER": "", "QUORUM": "", "OVERLIMIT": "", "NODEC": "", "FOREIGN": ""})
	if got["AT"].amount != "500000.00" {
		t.Errorf("hits %v", got)
	}
}

// TestR10Tolerance: voucher_imbalance_yuan lets a difference up to it
// pass, not a cent more, and never a line with both sides.
func TestR10Tolerance(t *testing.T) {
	rules := config.DefaultRules()
	rules.VoucherImbalanceYuan = config.Yuan(1)
	got := runRuleAWith(t, "r10", rules, ledgerA(`('OP1', 'CENT', 1, NULL, '2024-05-06', '5901', 1000.00, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'CENT', 2, NULL, '2024-05-06', '1002', 0, 999.99, 'B1', 'a', 'b', 'c', NULL),
		('OP1', 'TWO', 1, NULL, '2024-05-06', '5901', 1000.00, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'TWO', 2, NULL, '2024-05-06', '1002', 0, 999.98, 'B1', 'a', 'b', 'c', NULL),
		('OP1', 'BOTH', 1, NULL, '2024-05-06', '5901', 300, 300, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"TWO": "", "BOTH": ""})
}

func TestR08Duties(t *testing.T) {
	got := runRuleA(t, "r08", ledgerA(`('OP1', 'PA', 1, NULL, '2024-05-06', '5901', 1, 0, NULL, 'x', 'x', 'c', NULL),
		('OP1', 'AP', 1, NULL, '2024-05-06', '5901', 1, 0, NULL, 'a', 'y', 'y', NULL),
		('OP1', 'PP', 1, NULL, '2024-05-06', '5901', 1, 0, NULL, 'z', 'b', 'z', NULL),
		('OP1', 'NULLS', 1, NULL, '2024-05-06', '5901', 1, 0, NULL, NULL, NULL, NULL, NULL),
		('OP1', 'OK', 1, NULL, '2024-05-06', '5901', 1, 0, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"PA": "", "AP": ""})
}

func TestR09BudgetBoundary(t *testing.T) {
	// 2024 is complete (a line posted on 31 December); 2025 is not.
	got := runRuleA(t, "r09",
		`CREATE TABLE core.fact_budget_line AS
		SELECT operator_code, activity_code, fiscal_year, line_code, version, CAST(amount AS DECIMAL(18, 2)) AS amount, 'P1' AS pool_code
		FROM (VALUES ('OP1', 'AT', 2024, '5101', 'original', 1000), ('OP1', 'OVER', 2024, '5101', 'original', 1000),
			('OP1', 'TWICE', 2024, '5101', 'original', 1000), ('OP1', 'MAJOR', 2024, '5101', 'original', 1000),
			('OP1', 'ADJ', 2024, '5101', 'original', 500), ('OP1', 'ADJ', 2024, '5101', 'adjusted', 1000),
			('OP1', 'INC', 2024, '4101', 'original', 1000), ('OP1', 'INCLOW', 2024, '4101', 'original', 1000),
			('OP1', 'PART', 2025, '5101', 'original', 1))
			AS t(operator_code, activity_code, fiscal_year, line_code, version, amount)`,
		ledgerA(`('OP1', 'V1', 1, 'AT', '2024-06-30', '5101', 1100.00, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V2', 1, 'OVER', '2024-06-30', '5101', 1100.01, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V3', 1, 'TWICE', '2024-06-30', '5101', 2000.00, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V4', 1, 'MAJOR', '2024-06-30', '5101', 2000.01, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V5', 1, 'ADJ', '2024-06-30', '5101', 1100.00, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V6', 1, 'INC', '2024-06-30', '4101', 0, 900.00, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V7', 1, 'INCLOW', '2024-06-30', '4101', 0, 899.99, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V8', 1, NULL, '2024-12-31', '5901', 0.01, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V9', 1, 'PART', '2025-03-31', '5101', 100, 0, NULL, 'a', 'b', 'c', NULL),
			('OP1', 'V9', 2, NULL, '2025-03-31', '5901', 100, 0, NULL, 'a', 'b', 'c', NULL)`))
	wantHitsA(t, got, map[string]string{"OVER|2024|5101": "", "TWICE|2024|5101": "", "MAJOR|2024|5101": "major",
		"INCLOW|2024|4101": "", "|2024|5901": ""})
}

func TestR10Balance(t *testing.T) {
	got := runRuleA(t, "r10", ledgerA(`('OP1', 'UNB', 1, NULL, '2024-05-06', '5901', 1000.00, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'UNB', 2, NULL, '2024-05-06', '1002', 0, 999.99, 'B1', 'a', 'b', 'c', NULL),
		('OP1', 'BAL', 1, NULL, '2024-05-06', '5901', 200, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'BAL', 2, NULL, '2024-05-06', '5901', 100, 0, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'BAL', 3, NULL, '2024-05-06', '1002', 0, 300, 'B1', 'a', 'b', 'c', NULL),
		('OP1', 'BOTH', 1, NULL, '2024-05-06', '5901', 300, 300, NULL, 'a', 'b', 'c', NULL),
		('OP2', 'UNB', 1, NULL, '2024-05-06', '5901', 5, 0, NULL, 'a', 'b', 'c', NULL),
		('OP2', 'UNB', 2, NULL, '2024-05-06', '1002', 0, 5, NULL, 'a', 'b', 'c', NULL),
		('OP1', 'LOST', 1, NULL, '2024-05-06', '1002', 0, 300, 'B1', 'a', 'b', 'c', NULL)`),
		// LOST's other line, with both sides, is in the quarantine, twice
		// (sent in two batches); so is a line of OP2's voucher LOST,
		// another operator's.
		`INSERT INTO ops.loads (load_id, run_id, operator_code, source_kind, entity) VALUES ('L1', 'r', 'OP1', 'files', 'ledger_entries'),
			('L2', 'r', 'OP2', 'files', 'ledger_entries')`,
		`INSERT INTO ops.quarantine (load_id, entity, source_row, reason_code, reason, raw_record) VALUES
			('L1', 'ledger_entries', 'f.csv:2', 'debit_credit_both', 'x', '{"voucher_no":"LOST","line_no":"2","debit":"300.00","credit":"300.00"}'),
			('L1', 'ledger_entries', 'g.csv:2', 'debit_credit_both', 'x', '{"voucher_no":"LOST","line_no":"2","debit":"300.00","credit":"300.00"}'),
			('L2', 'ledger_entries', 'f.csv:9', 'bad_money', 'x', '{"voucher_no":"LOST"}')`)
	wantHitsA(t, got, map[string]string{"UNB": "", "BOTH": "", "LOST": ""})
	if got["UNB"].amount != "0.01" {
		t.Errorf("hits %v", got)
	}
	if d := got["LOST"].detail; !strings.Contains(d, "另有 1 行分录因数据缺陷（debit_credit_both）被隔离") {
		t.Errorf("R10 of a voucher that lost a line to the quarantine: %q", d)
	}
	if d := got["UNB"].detail; strings.Contains(d, "隔离") || strings.ContainsFunc(d, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		t.Errorf("R10 of a voucher that lost nothing: %q", d)
	}
}
