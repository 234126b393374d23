package transform

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/extract"
)

// stageAEntities are the entities of stage_activities.sql …
// stage_audits.sql, tested here.
var stageAEntities = []string{"activities", "bank_accounts", "decisions", "staff_roles", "budgets", "audits"}

// runStageA transforms organizations and stageAEntities, in Order, on one
// connection of db. It leaves out the core models (Run would build them, and
// they need every entity), so it calls prepare and runEntity itself. The
// connection stays open: the stage tables are its temp tables.
func runStageA(t *testing.T, db *sql.DB, conn *sql.Conn, runID string) {
	t.Helper()
	ctx := context.Background()
	if err := prepare(ctx, conn, runID, testKey, false); err != nil {
		t.Fatal(err)
	}
	for _, name := range Order {
		if name != "organizations" && !slices.Contains(stageAEntities, name) {
			continue
		}
		er, err := runEntity(ctx, conn, contract.Lookup(name))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v", runID, *er)
	}
}

// transformQuarantined counts the rows of entity the transform (not
// extract) quarantined, by reason.
func transformQuarantined(t *testing.T, db *sql.DB, entity string) map[string]int64 {
	t.Helper()
	rows, err := db.Query(`SELECT reason_code, count(*) FROM ops.quarantine
		WHERE entity = ? AND NOT list_contains(?, reason_code) GROUP BY 1`, entity, extract.Reasons)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		out[c] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func stageACount(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, query string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := q.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n.Int64
}

// stageType is the DuckDB type of a contract field's stage column.
func stageAType(k contract.Kind) string {
	switch k {
	case contract.Money:
		return "DECIMAL(18,2)"
	case contract.Decimal:
		return "DECIMAL(18,6)"
	case contract.Date:
		return "DATE"
	case contract.TS:
		return "TIMESTAMP WITH TIME ZONE"
	case contract.Int:
		return "BIGINT"
	case contract.Bool:
		return "BOOLEAN"
	}
	return "VARCHAR"
}

func TestStageAClean(t *testing.T) {
	wh, w, _ := loadWorld(t, smallParams(4000, 0))
	db := wh.SQL()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	runStageA(t, db, conn, "run1")

	for _, name := range stageAEntities {
		e := contract.Lookup(name)
		if q := transformQuarantined(t, db, name); len(q) > 0 {
			t.Errorf("%s: clean rows quarantined: %v", name, q)
			rows, _ := db.Query("SELECT reason, raw_record FROM ops.quarantine WHERE entity = ? LIMIT 3", name)
			for rows.Next() {
				var r, j string
				rows.Scan(&r, &j)
				t.Log(r, j)
			}
			rows.Close()
		}
		raw := stageACount(t, db, "SELECT count(*) FROM raw."+name)
		distinct := stageACount(t, db, "SELECT count(*) FROM (SELECT DISTINCT source_operator, "+strings.Join(e.Key, ", ")+", updated_at FROM raw."+name+")")
		kept := stageACount(t, db, "SELECT count(*) FROM core.v_"+name)
		if raw == 0 || kept != distinct {
			t.Errorf("%s: %d raw rows, %d distinct versions, %d kept", name, raw, distinct, kept)
		}
		if n := stageACount(t, db, "SELECT sum(abs(difference)) FROM ops.reconciliation WHERE run_id = 'run1' AND entity = ?", name); n != 0 {
			t.Errorf("%s: reconciliation difference %d", name, n)
		}

		// The stage columns: the meta columns (raw_row is the raw row's
		// rowid), every contract field under its own name (a PII field as
		// <name>_pseudo) with its type, then verdict (the quarantined record
		// is built by the settle step).
		want := [][2]string{{"load_id", "VARCHAR"}, {"load_no", "BIGINT"}, {"loaded_at", "TIMESTAMP WITH TIME ZONE"}, {"source_pos", "VARCHAR"},
			{"raw_row", "BIGINT"}, {"source_operator", "VARCHAR"}, {"batch_day", "DATE"}}
		for _, f := range e.Fields {
			if f.PII {
				want = append(want, [2]string{f.Name + "_pseudo", "VARCHAR"})
				continue
			}
			want = append(want, [2]string{f.Name, stageAType(f.Kind)})
		}
		want = append(want, [2]string{"verdict", "VARCHAR"})
		if name == "members" {
			// what the scrub step needs beside the pseudonyms
			want = append(want, [2]string{"scrub_birth", "DATE"},
				[2]string{"scrub_gender", "VARCHAR"}, [2]string{"scrub_ok", "BOOLEAN"})
		}
		// runEntity drops its stage table: make it again, of no new load.
		if err := exec(ctx, conn, "sql/new_loads.sql", mustRead("sql/new_loads.sql"), name); err != nil {
			t.Fatal(err)
		}
		if err := exec(ctx, conn, "sql/stage_"+name+".sql", mustRead("sql/stage_"+name+".sql")); err != nil {
			t.Fatal(err)
		}
		var got [][2]string
		rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE stage_"+name+")")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c [2]string
			if err := rows.Scan(&c[0], &c[1]); err != nil {
				t.Fatal(err)
			}
			got = append(got, c)
		}
		rows.Close()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stage_%s columns\n got %v\nwant %v", name, got, want)
		}
	}
	if n := stageACount(t, db, "SELECT count(*) FROM raw.staff_roles WHERE NOT starts_with(name, 'HZ1:')"); n != 0 {
		t.Errorf("%d staff names left in clear in raw", n)
	}

	t.Run("checks", func(t *testing.T) { stageAChecks(t, db, conn, w.Batch()) })
}

// stageAChecks loads one more batch per entity of rows made from a clean
// row with one field changed, transforms it, and checks each row's fate:
// the reason code it is quarantined with, or "" for kept.
func stageAChecks(t *testing.T, db *sql.DB, conn *sql.Conn, batch string) {
	ctx := context.Background()
	type tc struct {
		entity, repl, want string
		op                 string // source operator override
	}
	cases := []tc{
		{entity: "activities", repl: "'ｔｃ１' AS activity_code", want: ""},
		{entity: "activities", repl: "'TC2' AS activity_code, NULL AS start_date", want: "missing_field"},
		{entity: "activities", repl: "' ' AS activity_code", want: "missing_field"},
		{entity: "activities", repl: "'TC3' AS activity_code, 'X' AS operator_code", want: "operator_mismatch"},
		{entity: "activities", repl: "'TC4' AS activity_code, 'BADOPERATOR' AS operator_code", op: "BADOPERATOR", want: "bad_uscc"},
		{entity: "activities", repl: "'TC5' AS activity_code, '2024-13-01' AS end_date", want: "bad_date"},
		{entity: "activities", repl: "'TC6' AS activity_code, '1,000.00' AS benefit_cap", want: "bad_money"},
		{entity: "activities", repl: "'TC7' AS activity_code, '12.5' AS period_months", want: "bad_int"},
		{entity: "activities", repl: "'TC8' AS activity_code, '2025/3/5 9:00' AS updated_at", want: "bad_ts"},
		{entity: "activities", repl: "'TC9' AS activity_code, 'dental' AS category", want: "bad_enum"},
		{entity: "activities", repl: "'TC10' AS activity_code, '2000-01-01' AS end_date", want: "bad_period"},
		{entity: "activities", repl: "'TC11' AS activity_code, '-5.00' AS contribution_per_member", want: "negative_amount"},
		{entity: "activities", repl: "'TC12' AS activity_code, '0' AS period_months", want: "bad_int"},
		{entity: "activities", repl: "'TC13' AS activity_code, NULL AS approval_ref, NULL AS filing_ref, '2999-01-01' AS start_date", want: ""},

		{entity: "bank_accounts", repl: "'  TACC1　' AS account_no, NULL AS activity_code", want: ""},
		{entity: "bank_accounts", repl: "'TACC2' AS account_no, 'NOSUCH' AS activity_code", want: "unknown_ref"},
		{entity: "bank_accounts", repl: "'TACC3' AS account_no, '2000-01-01' AS closed_on", want: "bad_period"},
		{entity: "bank_accounts", repl: "'TACC4' AS account_no, '2999-01-01' AS opened_on", want: "future_date"},
		{entity: "bank_accounts", repl: "'TACC5' AS account_no, 'savings' AS purpose", want: "bad_enum"},
		{entity: "bank_accounts", repl: "'TACC6' AS account_no, '2999-01-01' AS closed_on", want: ""},
		// The same account and updated_at again, another bank name: a
		// conflict, though DuckDB's hash of the two names is the same.
		{entity: "bank_accounts", repl: "'TACC7' AS account_no, 'ZJR00153002-2023INP' AS bank_name", want: ""},
		{entity: "bank_accounts", repl: "'TACC7' AS account_no, 'ZJR00158002-2024INP' AS bank_name", want: "duplicate_key"},

		{entity: "decisions", repl: "'TD1' AS decision_ref, '2999-01-01' AS meeting_date", want: "future_date"},
		{entity: "decisions", repl: "'TD2' AS decision_ref, 'yes' AS quorum_met", want: "bad_bool"},
		{entity: "decisions", repl: "'TD3' AS decision_ref, '-1' AS attendees", want: "bad_int"},
		{entity: "decisions", repl: "'TD4' AS decision_ref, '12.345' AS amount_limit", want: "bad_money"},
		{entity: "decisions", repl: "'TD5' AS decision_ref, 'false' AS quorum_met, '500000' AS amount_limit", want: ""},

		{entity: "staff_roles", repl: "'TS1' AS staff_id, '2000-01-01' AS end_date, '2001-01-01' AS start_date", want: "bad_period"},
		{entity: "staff_roles", repl: "'TS2' AS staff_id, 'janitor' AS role", want: "bad_enum"},
		{entity: "staff_roles", repl: "'TS3' AS staff_id, '张测试' AS name", want: ""},
		{entity: "staff_roles", repl: "'TS4' AS staff_id, '李测试' AS name, '2001-02-30' AS start_date", want: "bad_date"},

		{entity: "budgets", repl: "'1002' AS line_code", want: "bad_enum"},
		{entity: "budgets", repl: "'4999' AS line_code", want: "unknown_ref"},
		{entity: "budgets", repl: "'NOSUCH' AS activity_code", want: "unknown_ref"},
		{entity: "budgets", repl: "'draft' AS version", want: "bad_enum"},
		{entity: "budgets", repl: "'2999-01-01' AS approved_on", want: "future_date"},
		{entity: "budgets", repl: "'2101' AS fiscal_year, NULL AS activity_code, '5901' AS line_code", want: ""},

		{entity: "audits", repl: "'TA1' AS audit_id, 'NOBODY' AS subject_staff", want: "unknown_ref"},
		{entity: "audits", repl: "'TA2' AS audit_id, '2999-01-01' AS report_date", want: "future_date"},
		{entity: "audits", repl: "'TA3' AS audit_id, '2000-01-01' AS period_end, '2001-01-01' AS period_start", want: "bad_period"},
		{entity: "audits", repl: "'TA4' AS audit_id, '-1' AS findings", want: "bad_int"},
		{entity: "audits", repl: "'TA5' AS audit_id, 'fine' AS opinion", want: "bad_enum"},
		{entity: "audits", repl: "'TA6' AS audit_id, NULL AS subject_staff, 'special' AS audit_type", want: ""},
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var op string
	if err := db.QueryRow("SELECT min(source_operator) FROM raw.audits WHERE subject_staff IS NOT NULL").Scan(&op); err != nil {
		t.Fatal(err)
	}
	// Each case is a load of its own: a version names its load, not its
	// position.
	loadOf := func(i int) string { return fmt.Sprintf("test-%s-%d", cases[i].entity, i) }
	for i, c := range cases {
		src := op
		if c.op != "" {
			src = c.op
		}
		load := loadOf(i)
		filter := "source_operator = '" + op + "'"
		if c.entity == "audits" {
			filter += " AND subject_staff IS NOT NULL"
		}
		exec(fmt.Sprintf(`INSERT INTO raw.%s SELECT * REPLACE (%s, 'case-%d' AS source_pos, '%s' AS load_id, '%s' AS source_operator)
			FROM raw.%s WHERE %s LIMIT 1`, c.entity, c.repl, i, load, src, c.entity, filter))
	}
	for i, c := range cases {
		exec(`INSERT INTO ops.loads (load_id, run_id, operator_code, source_kind, entity, batch, rows_received, rows_loaded, rows_quarantined, status, loaded_at)
			VALUES (?, 'test', ?, 'files', ?, ?, 1, 1, 0, 'loaded', now())`, loadOf(i), op, c.entity, batch)
	}
	runStageA(t, db, conn, "run2")

	for i, c := range cases {
		var got sql.NullString
		err := db.QueryRow("SELECT reason_code FROM ops.quarantine WHERE load_id = ? AND source_row = ?", loadOf(i), fmt.Sprintf("case-%d", i)).Scan(&got)
		if err != nil && err != sql.ErrNoRows {
			t.Fatal(err)
		}
		if got.String != c.want {
			t.Errorf("%s case-%d (%s): got %q, want %q", c.entity, i, c.repl, got.String, c.want)
		}
		if c.want == "" {
			if n := stageACount(t, db, "SELECT count(*) FROM core.v_"+c.entity+" JOIN ops.load_numbers USING (load_no) WHERE load_id = ?", loadOf(i)); n != 1 {
				t.Errorf("%s case-%d (%s): %d rows kept, want 1", c.entity, i, c.repl, n)
			}
		}
	}
	// A refused duplicate names the record kept in its stead: its batch
	// and position.
	for i, c := range cases {
		if c.want != "duplicate_key" {
			continue
		}
		var reason string
		if err := db.QueryRow("SELECT reason FROM ops.quarantine WHERE load_id = ?", loadOf(i)).Scan(&reason); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("(kept: the record at case-%d, batch %s, load %s)", i-1, batch, loadOf(i-1)); !strings.HasSuffix(reason, want) {
			t.Errorf("%s case-%d: reason %q, want it to end %q", c.entity, i, reason, want)
		}
	}
	if n := stageACount(t, db, "SELECT count(*) FROM core.v_activities WHERE activity_code = 'TC1'"); n != 1 {
		t.Errorf("full-width activity code: %d rows as TC1", n)
	}
	if n := stageACount(t, db, "SELECT count(*) FROM core.v_bank_accounts WHERE account_no = 'TACC1' AND activity_code IS NULL"); n != 1 {
		t.Errorf("trimmed account number: %d rows as TACC1", n)
	}
	if n := stageACount(t, db, "SELECT count(*) FROM raw.staff_roles WHERE name LIKE '%测试%'"); n != 0 {
		t.Errorf("%d staff names left in clear in raw", n)
	}
	if n := stageACount(t, db, "SELECT count(*) FROM ops.quarantine WHERE raw_record LIKE '%测试%'"); n != 0 {
		t.Errorf("%d staff names in clear in quarantine", n)
	}
	// A name replaced in raw yields the pseudonym of the name itself.
	if n := stageACount(t, conn, "SELECT count(*) FROM core.v_staff_roles WHERE staff_id = 'TS3' AND name_pseudo = hz_pseudo('张测试')"); n != 1 {
		t.Errorf("TS3: %d rows with the pseudonym of its name", n)
	}
}

func TestStageAReconcile(t *testing.T) {
	wh, _, _ := loadWorld(t, smallParams(4000, 0.05))
	db := wh.SQL()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	runStageA(t, db, conn, "run1")
	for _, name := range stageAEntities {
		raw := stageACount(t, db, "SELECT count(*) FROM raw."+name)
		kept := stageACount(t, db, "SELECT count(*) FROM core.v_"+name)
		dups := stageACount(t, db, "SELECT sum(duplicates) FROM ops.reconciliation WHERE run_id = 'run1' AND entity = ? AND load_id IS NULL", name)
		var quar int64
		for _, n := range transformQuarantined(t, db, name) {
			quar += n
		}
		if raw == 0 || raw != kept+dups+quar {
			t.Errorf("%s: %d raw rows, %d kept + %d duplicates + %d quarantined", name, raw, kept, dups, quar)
		}
		if n := stageACount(t, db, "SELECT count(*) FROM ops.reconciliation WHERE run_id = 'run1' AND entity = ?", name); n == 0 {
			t.Errorf("%s: not reconciled", name)
		}
		if n := stageACount(t, db, "SELECT sum(abs(difference)) FROM ops.reconciliation WHERE entity = ?", name); n != 0 {
			t.Errorf("%s: reconciliation difference %d", name, n)
		}
		t.Logf("%s: %d raw rows, %d kept, %d duplicates, %d quarantined", name, raw, kept, dups, quar)
	}
}
