package transform

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"huzhu/internal/sqlmodel"
	"huzhu/warehouse"
)

// receipt is one hand-made row of core.fact_contribution: operator OP,
// activity A, paid on the period's first day.
func receipt(no, member, start, end string, amount int, refundOf string) string {
	ref := "NULL"
	if refundOf != "" {
		ref = "'" + refundOf + "'"
	}
	return fmt.Sprintf("('OP', '%s', 'A', '%s', DATE '%s', DATE '%s', %d, %s, TIMESTAMPTZ '%s 10:00:00+08')",
		no, member, start, end, amount, ref, start)
}

// TestAggregatesFollowTheNights moves the aggregates kept beside
// fact_contribution night by night through the cases a night can bring —
// a partial and a full refund, a refund changed to a full one, a receipt
// moved to another year and another member, a new receipt for a member
// already counted, a pool change — and holds them, after each night, equal
// to a whole build from the fact as it then stands.
func TestAggregatesFollowTheNights(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	cols := "operator_code, receipt_no, activity_code, member_ref, period_start, period_end, amount, refund_of, paid_at"
	rows := func(rs ...string) string {
		return "SELECT * REPLACE (CAST(amount AS DECIMAL(18, 2)) AS amount, CAST(refund_of AS VARCHAR) AS refund_of), 'P1' AS pool_code FROM (VALUES " +
			strings.Join(rs, ", ") + ") AS t(" + cols + ")"
	}
	must := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	must("CREATE SCHEMA IF NOT EXISTS core")
	must("CREATE TABLE core.dim_org AS SELECT 'OP' AS org_code, 'P1' AS pool_code, true AS is_current")
	must(`CREATE TABLE core.fact_contribution AS ` + rows(
		receipt("R1", "M1", "2024-01-01", "2024-12-31", 100, ""),
		receipt("R2", "M2", "2024-01-01", "2024-12-31", 100, ""),
		receipt("R3", "M3", "2024-01-01", "2024-12-31", 100, ""),
		receipt("R7", "M7", "2023-07-01", "2024-06-30", 100, "")) +
		` UNION ALL SELECT 'OP', 'R8', 'A', 'M8', DATE '2024-01-01', DATE '2024-12-31', CAST(50 AS DECIMAL(18, 2)), NULL, NULL, 'P1'`)
	if err := BuildAggregates(ctx, conn); err != nil {
		t.Fatal(err)
	}
	models, err := coreModels(ctx, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	var agg *sqlmodel.Model
	for _, m := range models {
		if m.Output == "core.agg_contribution" {
			agg = m
		}
	}
	nights := []struct {
		name    string
		replace []string // receipt numbers whose row the night takes out
		add     []string // rows it puts in
		pool    string   // the operator's pool from this night on
	}{
		{"refunds, a moved receipt, new receipts",
			[]string{"R3"},
			[]string{
				receipt("R1-RF", "M1", "2024-01-01", "2024-12-31", -30, "R1"),
				receipt("R2-RF", "M2", "2024-01-01", "2024-12-31", -100, "R2"),
				receipt("R3", "M3", "2025-01-01", "2025-12-31", 120, ""),
				receipt("R4", "M1", "2024-01-01", "2024-12-31", 100, ""),
				receipt("R5", "M5", "2024-07-01", "2025-06-30", 100, ""),
			}, "P1"},
		{"a refund made full, a receipt given to another member, a pool change",
			[]string{"R1-RF", "R4"},
			[]string{
				receipt("R1-RF", "M1", "2024-01-01", "2024-12-31", -100, "R1"),
				receipt("R4", "M9", "2024-01-01", "2024-12-31", 100, ""),
			}, "P2"},
		{"a refund changed, a receipt changed and refunded in full the same night",
			[]string{"R2-RF", "R5"},
			[]string{
				receipt("R2-RF", "M2", "2024-01-01", "2024-12-31", -40, "R2"),
				receipt("R5", "M5", "2024-07-01", "2025-06-30", 80, ""),
				receipt("R5-RF", "M5", "2024-07-01", "2025-06-30", -80, "R5"),
			}, "P2"},
	}
	for _, n := range nights {
		keys := "'" + strings.Join(n.replace, "', '") + "'"
		must("CREATE OR REPLACE TEMP TABLE fact_contribution_removed AS SELECT * FROM core.fact_contribution WHERE receipt_no IN (" + keys + ")")
		must("DELETE FROM core.fact_contribution WHERE receipt_no IN (" + keys + ")")
		must("UPDATE core.dim_org SET pool_code = '" + n.pool + "'")
		must("CREATE OR REPLACE TEMP TABLE fact_contribution_added AS SELECT * REPLACE ('" + n.pool + "' AS pool_code) FROM (" + rows(n.add...) + ")")
		must("INSERT INTO core.fact_contribution SELECT * FROM fact_contribution_added")
		must("UPDATE core.fact_contribution SET pool_code = '" + n.pool + "'")
		if err := sqlmodel.RunOne(ctx, conn, agg); err != nil {
			t.Fatalf("%s: %v", n.name, err)
		}
		nightly := aggDigests(t, conn)
		for _, tb := range []string{"agg_contribution_month", "agg_enrolled_year"} {
			must("DROP TABLE core." + tb)
		}
		if err := BuildAggregates(ctx, conn); err != nil {
			t.Fatal(err)
		}
		whole := aggDigests(t, conn)
		for tb, d := range whole {
			if nightly[tb] != d {
				t.Errorf("%s: core.%s night by night:\n%s\nbuilt whole:\n%s", n.name, tb, nightly[tb], d)
			}
		}
	}
	// The last state, spelled out: 2024 has M1 (R1 refunded in full: not
	// enrolled, not active), M2 (refunded in part: enrolled, not active),
	// M5 (refunded in full), M7, M8, M9; 2025 has M3 and M5.
	var got string
	if err := conn.QueryRowContext(ctx, `SELECT string_agg(y || ':' || members_active || '/' || members_enrolled, ' ' ORDER BY y)
		FROM core.agg_enrolled_year`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "2023:1/1 2024:3/4 2025:1/1"; got != want {
		t.Errorf("enrolled years %q, want %q", got, want)
	}
}

// TestEnrolledYearsBuiltWhole: agg_enrolled_year built whole (the
// members' years as bits of a mask, and apart the years more than 63
// after the first) counts what its definition says — the distinct members
// of an activity with a receipt covering the year that was never refunded
// (active) or not refunded in full (enrolled) — read off every member-year
// of every receipt: members with several receipts in a year, receipts
// across years, partial and full refunds, two activities, and periods
// reaching 110 years past the first, across the mask's end.
func TestEnrolledYearsBuiltWhole(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	cols := "operator_code, receipt_no, activity_code, member_ref, period_start, period_end, amount, refund_of, paid_at"
	var rs []string
	add := func(act string, r string) { rs = append(rs, strings.Replace(r, "'A'", "'"+act+"'", 1)) }
	add("A", receipt("R1", "M1", "2024-01-01", "2024-12-31", 100, ""))
	add("A", receipt("R2", "M1", "2024-07-01", "2025-06-30", 100, ""))
	add("A", receipt("R2-RF", "M1", "2024-07-01", "2025-06-30", -100, "R2"))
	add("A", receipt("R3", "M2", "2023-07-01", "2024-06-30", 100, ""))
	add("A", receipt("R3-RF", "M2", "2023-07-01", "2024-06-30", -40, "R3"))
	add("A", receipt("R4", "M3", "1990-01-01", "2099-12-31", 100, ""))
	add("A", receipt("R5", "M4", "2060-01-01", "2070-12-31", 100, ""))
	add("A", receipt("R6", "M4", "2055-01-01", "2055-12-31", 100, ""))
	add("A", receipt("R7", "M5", "2053-01-01", "2054-12-31", 100, ""))
	add("A", receipt("R7-RF", "M5", "2053-01-01", "2054-12-31", -100, "R7"))
	add("B", receipt("R8", "M1", "2024-01-01", "2024-12-31", 100, ""))
	add("B", receipt("R9", "M6", "2024-01-01", "2026-12-31", 0, ""))
	// An activity whose only member's receipt is refunded in part: a year
	// enrolled by one member and active for none.
	add("C", receipt("R10", "M7", "2024-01-01", "2024-12-31", 100, ""))
	add("C", receipt("R10-RF", "M7", "2024-01-01", "2024-12-31", -40, "R10"))
	// One member in three activities within the years one mask holds for
	// each (64 / 3 = 21 from 1990): its masks are bits of one member's.
	add("B", receipt("R11", "M3", "1995-01-01", "1996-12-31", 100, ""))
	add("C", receipt("R12", "M3", "1990-01-01", "1990-12-31", 100, ""))
	add("C", receipt("R12-RF", "M3", "1990-01-01", "1990-12-31", -40, "R12"))
	for _, q := range []string{
		"CREATE SCHEMA IF NOT EXISTS core",
		"CREATE TABLE core.dim_org AS SELECT 'OP' AS org_code, 'P1' AS pool_code, true AS is_current",
		`CREATE TABLE core.fact_contribution AS SELECT * REPLACE (CAST(amount AS DECIMAL(18, 2)) AS amount, CAST(refund_of AS VARCHAR) AS refund_of), 'P1' AS pool_code
			FROM (VALUES ` + strings.Join(rs, ", ") + `) AS t(` + cols + `)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := BuildAggregates(ctx, conn); err != nil {
		t.Fatal(err)
	}
	const definition = `WITH refunds AS (
			SELECT operator_code, refund_of AS receipt_no, sum(amount) AS refunded FROM core.fact_contribution WHERE refund_of IS NOT NULL GROUP BY ALL
		), member_years AS (
			SELECT e.operator_code, e.activity_code, e.member_ref, unnest(range(year(e.period_start), year(e.period_end) + 1)) AS y,
				r.receipt_no IS NULL AS active, e.amount + coalesce(r.refunded, 0) > 0 AS enrolled
			FROM core.fact_contribution AS e LEFT JOIN refunds AS r USING (operator_code, receipt_no)
			WHERE e.refund_of IS NULL AND e.amount > 0
		)
		SELECT operator_code, activity_code, y,
			count(DISTINCT member_ref) FILTER (WHERE active) AS members_active,
			count(DISTINCT member_ref) FILTER (WHERE enrolled) AS members_enrolled
		FROM member_years GROUP BY ALL HAVING members_active > 0 OR members_enrolled > 0`
	var diff, rows int
	if err := conn.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM ((SELECT * FROM core.agg_enrolled_year EXCEPT ALL (`+definition+`))
				UNION ALL ((`+definition+`) EXCEPT ALL SELECT * FROM core.agg_enrolled_year))),
			(SELECT count(*) FROM core.agg_enrolled_year)`).Scan(&diff, &rows); err != nil {
		t.Fatal(err)
	}
	if diff != 0 || rows != 110+3+2 { // A: 1990–2099 (M3); B: 1995, 1996 (M3), 2024 (M1; M6 paid nothing); C: 1990 (M3), 2024
		var got string
		conn.QueryRowContext(ctx, `SELECT string_agg(activity_code || y || ':' || members_active || '/' || members_enrolled, ' ' ORDER BY ALL)
			FROM core.agg_enrolled_year WHERE y BETWEEN 2023 AND 2026 OR y > 2050 OR y < 1997`).Scan(&got)
		t.Errorf("agg_enrolled_year: %d rows differ from the definition's, %d rows (want 115): %s", diff, rows, got)
	}
}

// memConn is a connection to an empty in-memory warehouse.
func memConn(t *testing.T) *sql.Conn {
	t.Helper()
	db, err := warehouse.Open(context.Background(), warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.SQL().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// aggDigests is the content of each aggregate table, row by row in order.
func aggDigests(t *testing.T, conn *sql.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tb := range []string{"agg_contribution_month", "agg_enrolled_year"} {
		var s sql.NullString
		q := "SELECT string_agg(r, chr(10) ORDER BY r) FROM (SELECT CAST(t AS VARCHAR) AS r FROM core." + tb + " AS t)"
		if err := conn.QueryRowContext(context.Background(), q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out[tb] = s.String
	}
	return out
}
