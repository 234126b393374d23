package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/extract"
	"huzhu/internal/codes"
	"huzhu/internal/config"
	"huzhu/opsim"
	"huzhu/opsim/record"
	"huzhu/warehouse"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var testKey = []byte("transform-test-key-0123456789")

// loadWorld drops a simulated world and extracts every operator into a new
// in-memory warehouse.
func loadWorld(t testing.TB, p opsim.Params) (*warehouse.DB, *opsim.World, string) {
	t.Helper()
	return loadWorldAt(t, p, warehouse.InMemory)
}

// loadWorldAt is loadWorld into the warehouse at path.
func loadWorldAt(t testing.TB, p opsim.Params, path string) (*warehouse.DB, *opsim.World, string) {
	t.Helper()
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := &config.Config{}
	for _, op := range w.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)})
	}
	if _, err := extract.Run(context.Background(), db.SQL(), cfg, "extract-run", extract.Options{Logger: quiet}, 2); err != nil {
		t.Fatal(err)
	}
	return db, w, filepath.Join(dir, "answer-key.jsonl")
}

// extractNight drops the world of p as of night nights after p.AsOf into
// dir (a drop per operator, the batches of earlier nights left in place)
// and extracts its new batch into db.
func extractNight(t *testing.T, db *warehouse.DB, p opsim.Params, night int, dir string) {
	t.Helper()
	p.AsOf += record.Day(night)
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "csv", KeyPath: "-"}); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{}
	for _, op := range w.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)})
	}
	if _, err := extract.Run(context.Background(), db.SQL(), cfg, fmt.Sprintf("x%d", night), extract.Options{Logger: quiet}, 2); err != nil {
		t.Fatal(err)
	}
}

// agree reports every entry of b that a (the same run another way, named
// as) holds otherwise, and a difference in their sizes.
func agree(t *testing.T, what, as, bs string, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: %d groups %s, %d %s", what, len(a), as, len(b), bs)
	}
	for k, v := range b {
		if a[k] != v {
			t.Errorf("%s %s: %s %s, %s %s", what, k, as, a[k], bs, v)
		}
	}
}

func smallParams(members int, defects float64) opsim.Params {
	p := opsim.DefaultParams()
	p.Members, p.DefectRate = members, defects
	return p
}

// TestScrubRefusesToLeavePlaintext: a raw member row of the loads that the
// scrub's update did not reach (here: one the stage never saw, or one of a
// load extract says it pseudonymised) fails the entity instead of keeping
// its personal data, and the error names no personal data.
func TestScrubRefusesToLeavePlaintext(t *testing.T) {
	ctx := context.Background()
	// A load extract said it pseudonymised is not scrubbed, but is tested
	// all the same.
	for _, pseudonymised := range []bool{false, true} {
		conn := memConn(t)
		if err := DefineMacros(ctx, conn); err != nil {
			t.Fatal(err)
		}
		execAll(t, conn,
			fmt.Sprintf("CREATE TEMP TABLE new_loads AS SELECT 'L1' AS load_id, 1 AS load_no, %v AS pseudonymised", pseudonymised),
			`CREATE TEMP TABLE stage_members (raw_row BIGINT, load_id VARCHAR, load_no BIGINT, source_pos VARCHAR,
				id_pseudo VARCHAR, name_pseudo VARCHAR, phone_pseudo VARCHAR, region_code VARCHAR,
				scrub_birth DATE, scrub_gender VARCHAR, scrub_ok BOOLEAN, verdict VARCHAR, member_ref VARCHAR)`,
			`INSERT INTO raw.members (id_number, name, source_pos, load_id, source_operator, source_kind, ingested_at)
				VALUES ('11010119900307803X', '张三', 'm.csv:2', 'L1', 'OP', 'files', now())`)
		err := exec(ctx, conn, "sql/scrub_members.sql", mustRead("sql/scrub_members.sql"))
		if err == nil || !strings.Contains(err.Error(), "1 raw rows still hold personal data") {
			t.Fatalf("scrub of a row the stage missed (pseudonymised %v): %v", pseudonymised, err)
		}
		if strings.Contains(err.Error(), "张三") || strings.Contains(err.Error(), "11010119900307803X") {
			t.Errorf("the error names personal data: %v", err)
		}
	}
}

// TestNarrowedLookupsAgree: a batch's stage that looks up only the members
// its rows name (narrowKnown, a night's) refuses and keeps exactly what the
// stage that reads every member's key does, unknown members included.
func TestNarrowedLookupsAgree(t *testing.T) {
	ctx := context.Background()
	p := smallParams(3000, 0.05)
	results := map[bool][2]map[string]string{}
	defer func(n int64) { narrowBatch = n }(narrowBatch)
	for _, narrow := range []bool{true, false} {
		narrowBatch = 0
		if narrow {
			narrowBatch = 1 << 40
		}
		db, _, _ := loadWorld(t, p)
		if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
			t.Fatal(err)
		}
		q := map[string]string{}
		var n int
		rows, err := db.SQL().Query(`SELECT entity, reason_code, count(*) FROM ops.quarantine GROUP BY ALL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var entity, code string
			if err := rows.Scan(&entity, &code, &n); err != nil {
				t.Fatal(err)
			}
			q[entity+" "+code] = fmt.Sprint(n)
		}
		rows.Close()
		results[narrow] = [2]map[string]string{q, coreDigests(t, db.SQL())}
		db.Close()
	}
	for i, what := range []string{"quarantine", "core"} {
		agree(t, what, "narrowed", "every key", results[true][i], results[false][i])
	}
	if results[true][0]["enrollments unknown_ref"] == "" && results[true][0]["claims unknown_ref"] == "" {
		t.Error("no unknown reference planted: the test shows nothing")
	}
}

// TestFusedStageAgrees: a first build whose stage models write the versions
// tables themselves (fuseStage: here every entity) quarantines, keeps and
// scrubs exactly what one through temp stage tables does. Three nights'
// loads are built at once, so that records come in several versions and
// positions more than once (duplicates, conflicts).
func TestFusedStageAgrees(t *testing.T) {
	ctx := context.Background()
	p := smallParams(3000, 0.05)
	results := map[bool][3]map[string]string{}
	var superseded int
	defer func(n int64) { fuseRows = n }(fuseRows)
	for _, fused := range []bool{true, false} {
		fuseRows = 1 << 40
		if fused {
			fuseRows = 1
		}
		db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for night := 0; night < 3; night++ {
			extractNight(t, db, p, night, dir)
		}
		if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
			t.Fatal(err)
		}
		if fused {
			if err := db.SQL().QueryRow("SELECT count(*) FROM core.v_claims WHERE valid_to IS NOT NULL").Scan(&superseded); err != nil {
				t.Fatal(err)
			}
		}
		results[fused] = runDigests(t, db.SQL())
		db.Close()
	}
	for i, what := range []string{"quarantine", "core", "raw"} {
		agree(t, what, "fused", "staged", results[true][i], results[false][i])
	}
	for _, k := range []string{"members duplicate_key", "members bad_idno", "enrollments negative_amount", "claims unknown_ref", "ledger_entries debit_credit_both"} {
		if results[true][0][k] == "" {
			t.Errorf("no %s planted: the test shows less than it says", k)
		}
	}
	if superseded == 0 {
		t.Error("no claim has a later version: the test shows less than it says")
	}
}

// runDigests digests what a transform run wrote: the quarantine per entity
// and reason with the reconciliation per entity, every core table
// (coreDigests), and the members' personal columns in raw.
func runDigests(t *testing.T, db *sql.DB) [3]map[string]string {
	t.Helper()
	quarantine, raw := map[string]string{}, map[string]string{}
	for _, c := range []struct {
		into map[string]string
		sql  string
	}{
		{quarantine, `SELECT entity || ' ' || reason_code, count(*) || ' ' || md5(string_agg(load_id || source_row || coalesce(raw_record, ''), ',' ORDER BY load_id, source_row, raw_record))
			FROM ops.quarantine GROUP BY ALL`},
		{quarantine, `SELECT entity || ' reconciled', string_agg(operator_code || ':' || coalesce(load_id, '') || ':' || run_id || ':' || received || '/' || kept || '/' || quarantined || '/' || duplicates, ' ' ORDER BY operator_code, load_id, run_id)
			FROM ops.reconciliation GROUP BY ALL`},
		{raw, `SELECT load_id || ' ' || source_pos, concat_ws(' ', id_number, name, phone) FROM raw.members`},
	} {
		rows, err := db.Query(c.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			c.into[k] = v
		}
		rows.Close()
	}
	return [3]map[string]string{quarantine, coreDigests(t, db), raw}
}

// TestTwoAtOnceEqualsOneByOne: three nights transformed two entities at a
// time (schedule.go) give the same quarantine, reconciliation, core and
// raw as one entity at a time, which DuckDB's threads set to 1 makes.
func TestTwoAtOnceEqualsOneByOne(t *testing.T) {
	ctx := context.Background()
	p := smallParams(3000, 0.05)
	results := map[int][3]map[string]string{}
	for _, threads := range []int{1, 2} {
		db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		most := 0
		for night := 0; night < 3; night++ {
			extractNight(t, db, p, night, dir)
			res, err := Run(ctx, db.SQL(), fmt.Sprintf("t%d", night), testKey, Options{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			most = max(most, res.atOnce)
		}
		if most != threads {
			t.Errorf("threads %d: at most %d entities at once", threads, most)
		}
		results[threads] = runDigests(t, db.SQL())
		db.Close()
	}
	for i, what := range []string{"quarantine", "core", "raw"} {
		agree(t, what, "two at once", "one by one", results[2][i], results[1][i])
	}
}

// TestFusedFailureLeavesNoVersions: an entity whose stage model wrote its
// versions table (fuseStage) and then fails drops that table again, as if
// the entity had never run.
func TestFusedFailureLeavesNoVersions(t *testing.T) {
	ctx := context.Background()
	defer func(n int64) { fuseRows = n }(fuseRows)
	fuseRows = 1
	db, _, _ := loadWorld(t, smallParams(300, 0))
	// The settle step's reconciliation fails: a column it names is gone.
	if _, err := db.SQL().Exec("ALTER TABLE ops.reconciliation RENAME COLUMN difference TO gone"); err != nil {
		t.Fatal(err)
	}
	// Organisations and activities start together (neither waits for the
	// other): either may be the error reported, and both fail.
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err == nil || !strings.Contains(err.Error(), "difference") {
		t.Fatalf("a run whose reconciliation cannot be written: %v", err)
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	left, err := queryStrings(ctx, conn, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'core' AND starts_with(table_name, 'v_') ORDER BY ALL")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the failed entities left versions tables behind: %v", left)
	}
}

// TestStageColumnsLeftAreDropped: should dropping a fused stage's columns
// have failed after its entity committed, the next run drops them before
// it touches the entity.
func TestStageColumnsLeftAreDropped(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorld(t, smallParams(300, 0))
	if _, err := Run(ctx, db.SQL(), "t1", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	execAll(t, db.SQL(),
		"ALTER TABLE core.v_claims ADD COLUMN raw_row BIGINT",
		"ALTER TABLE core.v_claims ADD COLUMN scrub_x VARCHAR",
		"ALTER TABLE core.v_claims ADD COLUMN verdict VARCHAR")
	if _, err := Run(ctx, db.SQL(), "t2", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	var left string
	if err := db.SQL().QueryRow(`SELECT coalesce(string_agg(column_name, ' '), '') FROM duckdb_columns()
		WHERE schema_name = 'core' AND table_name = 'v_claims' AND column_name IN ('raw_row', 'scrub_x', 'verdict')`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != "" {
		t.Errorf("core.v_claims still holds %s", left)
	}
}

// TestKilledFusedBuildIsUndone: a versions table a fused stage model wrote
// in a run killed before its entity committed (the table holds the stage's
// columns and rows, refused ones too, and its loads are not marked
// transformed) is dropped by the next run, which builds the entity again
// to the same core tables as a run never killed.
func TestKilledFusedBuildIsUndone(t *testing.T) {
	ctx := context.Background()
	defer func(n int64) { fuseRows = n }(fuseRows)
	fuseRows = 1
	p := smallParams(400, 0.05)
	clean, _, _ := loadWorld(t, p)
	if _, err := Run(ctx, clean.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	want := coreDigests(t, clean.SQL())

	db, _, _ := loadWorld(t, p)
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	// What a kill between the claims' stage model and their commit leaves:
	// the claims' loads unmarked and a fused table with stage columns and a
	// refused row (a copy of a kept one; its key is its own).
	execAll(t, db.SQL(),
		"DELETE FROM ops.transform_loads WHERE entity = 'claims'",
		"DELETE FROM ops.quarantine WHERE entity = 'claims'",
		"DELETE FROM ops.reconciliation WHERE entity = 'claims'",
		"ALTER TABLE core.v_claims ADD COLUMN raw_row BIGINT",
		"ALTER TABLE core.v_claims ADD COLUMN verdict VARCHAR",
		"INSERT INTO core.v_claims SELECT * REPLACE ('KILLED-1' AS claim_no, 'bad_money:x' AS verdict) FROM core.v_claims LIMIT 1")
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	got := coreDigests(t, db.SQL())
	for name, d := range want {
		if got[name] != d {
			t.Errorf("core.%s after the killed build's rerun %s, never killed %s", name, got[name], d)
		}
	}
}

// execAll runs each statement on db (a *sql.DB or *sql.Conn), failing the
// test at the first error.
func execAll(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestKeyOfTheWarehouse: a run under another key than the warehouse's
// first is refused before it writes a pseudonym (ErrKeyMismatch, naming
// neither key), on a night and on a --full rebuild alike; the first key
// still runs.
func TestKeyOfTheWarehouse(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorld(t, smallParams(300, 0))
	if _, err := Run(ctx, db.SQL(), "t1", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	other := []byte("another-key-0123456789abcdef")
	for _, full := range []bool{false, true} {
		_, err := Run(ctx, db.SQL(), "t2", other, Options{Logger: quiet, Full: full})
		if !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("Run(full=%v) under another key = %v, want ErrKeyMismatch", full, err)
		}
		if strings.Contains(err.Error(), string(other)) || strings.Contains(err.Error(), string(testKey)) {
			t.Errorf("the error names a key: %v", err)
		}
	}
	if _, err := Run(ctx, db.SQL(), "t3", testKey, Options{Logger: quiet, Full: true}); err != nil {
		t.Fatalf("Run under the warehouse's key = %v", err)
	}
}

// TestDuplicateKeyNightEqualsFull: a night whose only member record
// repeats a kept one's key and updated_at with other content (quarantined
// as duplicate_key), with nothing extract refused that night, leaves the
// same core tables as a full rebuild, whose loads do include records
// extract refused: the keys taken from extract's quarantine rows are
// extract's alone (a full rebuild took the duplicate's key too).
func TestDuplicateKeyNightEqualsFull(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorld(t, smallParams(600, 0.05))
	if _, err := Run(ctx, db.SQL(), "t1", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	var refused int
	if err := db.SQL().QueryRow("SELECT count(*) FROM ops.quarantine WHERE entity = 'members' AND list_contains(?, reason_code)", extract.Reasons).Scan(&refused); err != nil {
		t.Fatal(err)
	}
	if refused == 0 {
		t.Fatal("extract refused no member record: the test shows nothing")
	}
	// The night: a batch of one record, a kept member's with its status
	// changed.
	execAll(t, db.SQL(),
		`CREATE TEMP TABLE dup AS SELECT r.* FROM raw.members AS r
			JOIN core.v_members AS v ON v.source_operator = r.source_operator AND v.member_ref = r.member_ref
			JOIN ops.load_numbers AS n ON n.load_no = v.load_no AND n.load_id = r.load_id
			ORDER BY r.load_id, r.source_pos LIMIT 1`,
		`INSERT INTO ops.loads SELECT * REPLACE ('dupnight' AS load_id, 1 AS rows_received, 1 AS rows_loaded, 0 AS rows_quarantined,
			loaded_at + INTERVAL 1 DAY AS loaded_at) FROM ops.loads WHERE load_id = (SELECT load_id FROM dup)`,
		`INSERT INTO raw.members SELECT * REPLACE ('dupnight' AS load_id, 'members.csv:2' AS source_pos,
			CASE status WHEN 'active' THEN 'left' ELSE 'active' END AS status) FROM dup`)
	if _, err := Run(ctx, db.SQL(), "t2", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	var dups int
	if err := db.SQL().QueryRow("SELECT count(*) FROM ops.quarantine WHERE load_id = 'dupnight' AND reason_code = 'duplicate_key'").Scan(&dups); err != nil || dups != 1 {
		t.Fatalf("the night's record: %d duplicate_key rows (%v), want 1", dups, err)
	}
	// Its reason names what it lost to: the version core held, by load.
	var reason, keptLoad, keptBatch string
	if err := db.SQL().QueryRow("SELECT q.reason, d.load_id, l.batch FROM ops.quarantine AS q, dup AS d JOIN ops.loads AS l USING (load_id) WHERE q.load_id = 'dupnight'").Scan(&reason, &keptLoad, &keptBatch); err != nil ||
		!strings.HasSuffix(reason, "(kept: the version loaded before, batch "+keptBatch+", load "+keptLoad+")") {
		t.Errorf("the night's duplicate_key reason %q (%v); want it to name load %s", reason, err, keptLoad)
	}
	equalsFullRebuild(t, db.SQL(), "after the night")
}

// TestHashTwinsKept: DuckDB's 64-bit hash of two different receipt
// numbers can be the same (settleData.Same), and judging orders the rows of
// one position by such a hash (row_hash). Two receipts whose positions
// share a hash are both kept, neither is quarantined, and a true repeat of
// one of them is still counted a duplicate: on the fused path and the
// other.
func TestHashTwinsKept(t *testing.T) {
	ctx := context.Background()
	const a, b = "SCR00023001-2023ACC", "SCR00028001-2024ACC"
	defer func(n int64) { fuseRows = n }(fuseRows)
	for _, fused := range []bool{true, false} {
		fuseRows = 1 << 40
		if fused {
			fuseRows = 1
		}
		db, _, _ := loadWorld(t, smallParams(300, 0))
		var twins bool
		if err := db.SQL().QueryRow(`SELECT hash(source_operator, ?) = hash(source_operator, ?) FROM raw.enrollments LIMIT 1`, a, b).Scan(&twins); err != nil || !twins {
			t.Fatalf("hash of %s and %s: twins %v (%v): DuckDB's hash changed, find another pair", a, b, twins, err)
		}
		// Two receipts of the hash twins and a repeat of the first, in
		// the load of a clean receipt, which the load's counts take in.
		execAll(t, db.SQL(),
			`CREATE TEMP TABLE one AS SELECT * FROM raw.enrollments WHERE refund_of IS NULL ORDER BY load_id, source_pos LIMIT 1`,
			`INSERT INTO raw.enrollments SELECT * REPLACE ('`+a+`' AS receipt_no, 'enrollments.csv:900001' AS source_pos) FROM one`,
			`INSERT INTO raw.enrollments SELECT * REPLACE ('`+b+`' AS receipt_no, 'enrollments.csv:900002' AS source_pos) FROM one`,
			`INSERT INTO raw.enrollments SELECT * REPLACE ('`+a+`' AS receipt_no, 'enrollments.csv:900003' AS source_pos) FROM one`,
			`UPDATE ops.loads SET rows_received = rows_received + 3, rows_loaded = rows_loaded + 3 WHERE load_id = (SELECT load_id FROM one)`)
		res, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []string{a, b} {
			if n := queryInt(t, db, "SELECT count(*) FROM core.v_enrollments WHERE receipt_no = ?", r); n != 1 {
				t.Errorf("fused %v: receipt %s has %d versions, want 1", fused, r, n)
			}
		}
		if n := queryInt(t, db, "SELECT count(*) FROM ops.quarantine WHERE entity = 'enrollments'"); n != 0 {
			t.Errorf("fused %v: %d receipts quarantined in a clean world", fused, n)
		}
		for _, er := range res.Entities {
			if er.Entity == "enrollments" && (er.Duplicates != 1 || er.Received != er.Kept+er.Duplicates) {
				t.Errorf("fused %v: enrolments received %d, kept %d, duplicates %d; want the repeat alone a duplicate", fused, er.Received, er.Kept, er.Duplicates)
			}
		}
		checkReconciled(t, db)
	}
}

// TestPlumbingTakesNamesOnly: the bookkeeping templates let a lower-case
// SQL name in and refuse anything else, rather than splice it.
func TestPlumbingTakesNamesOnly(t *testing.T) {
	if q, err := plumbText("drop_versions", "members"); err != nil || !strings.Contains(q, "DROP TABLE IF EXISTS core.v_members;") {
		t.Errorf(`plumbText("drop_versions", "members") = %q, %v`, q, err)
	}
	for _, bad := range []string{"members; DROP TABLE ops.runs", "Members", "", "v-1", `"x"`} {
		if q, err := plumbText("drop_versions", bad); err == nil {
			t.Errorf("plumbText(%q) = %q, want an error", bad, q)
		}
	}
	q, err := plumbText("known_view", struct {
		Entity   *contract.Entity
		Versions bool
	}{contract.Lookup("enrollments"), true})
	if err != nil || !strings.Contains(q, "CAST(receipt_no AS VARCHAR) AS receipt_no FROM core.v_enrollments;") {
		t.Errorf("known_view of enrollments = %q, %v", q, err)
	}
}

// TestScrubLeavesNoPlaintextAnywhere: after a transform, raw holds no
// personal value in the columns an operator sent beyond the contract
// (extra: its own 手机号) of members and staff, and a value that merely
// starts with "HZ1:" is plaintext like any other — pseudonymised,
// replaced in raw — not taken for a pseudonym.
func TestScrubLeavesNoPlaintextAnywhere(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorld(t, smallParams(300, 0))
	// A member row whose export swapped columns: its id number under
	// union_code, its phone under status, its name under gender; a staff
	// row with a phone under role.
	var id, name, phone string
	if err := db.SQL().QueryRowContext(ctx, `SELECT id_number, name, phone FROM raw.members WHERE rowid = 5`).Scan(&id, &name, &phone); err != nil {
		t.Fatal(err)
	}
	execAll(t, db.SQL(),
		`UPDATE raw.members SET extra = '{"mobile":"13800138000","备注":"周强芳"}' WHERE rowid % 7 = 0`,
		`UPDATE raw.staff_roles SET extra = '{"手机":"13900139000"}'`,
		`UPDATE raw.members SET name = 'HZ1:钱怡怡', phone = 'HZ1:13882970994' WHERE rowid = 3`,
		`UPDATE raw.members SET union_code = id_number, status = phone, gender = name WHERE rowid = 5`,
		`UPDATE raw.staff_roles SET role = '13700137000' WHERE rowid = 1`)
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	var n int
	for _, q := range []string{
		`SELECT count(*) FROM raw.members WHERE extra LIKE '%13800138000%' OR extra LIKE '%周强芳%' OR name LIKE '%钱怡怡%' OR phone LIKE '%13882970994%'`,
		`SELECT count(*) FROM raw.staff_roles WHERE extra LIKE '%13900139000%' OR role = '13700137000'`,
		`SELECT count(*) FROM core.v_members WHERE name_pseudo IN ('钱怡怡', '13882970994') OR phone_pseudo IN ('钱怡怡', '13882970994')`,
		"SELECT count(*) FROM raw.members WHERE union_code = '" + id + "' OR status = '" + phone + "' OR gender = '" + name + "'",
		"SELECT count(*) FROM ops.quarantine WHERE raw_record LIKE '%" + id + "%' OR raw_record LIKE '%" + phone + "%' OR raw_record LIKE '%" + name + "%' OR raw_record LIKE '%13700137000%'",
	} {
		if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows hold plaintext: %s", n, q)
		}
	}
	// The columns' names stay: what the operator sent is still told.
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM raw.members WHERE extra = '{"mobile":"***","备注":"***"}'`).Scan(&n); err != nil || n == 0 {
		t.Errorf("masked extra columns: %d rows, %v", n, err)
	}
	// The swapped rows are refused, their values masked, what is no
	// person's data kept (the operator's code).
	var masked int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE entity = 'members' AND (raw_record->>'union_code') = '***'
		AND (raw_record->>'status') = '***' AND (raw_record->>'gender') = '***' AND (raw_record->>'operator_code') <> '***'),
		count(*) FILTER (WHERE entity = 'staff_roles' AND (raw_record->>'role') = '***')
		FROM ops.quarantine`).Scan(&n, &masked); err != nil || n != 1 || masked != 1 {
		t.Errorf("quarantined swapped rows with masked values: members %d, staff %d (%v); want 1 and 1", n, masked, err)
	}
}

// TestUnionAndPayerChecked: a member's union and a receipt's payer must
// be valid USCCs of organisations the operators sent; each is looked up
// among them by one join that says both (stage_members.sql,
// stage_enrollments.sql), and a code no organisation sent is checked
// where it stands.
func TestUnionAndPayerChecked(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorld(t, smallParams(300, 0))
	stranger, err := codes.MakeUSCC("91", "110105", "MA7XQ2B0")
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, db.SQL(),
		`UPDATE raw.members SET union_code = 'BADUNION' WHERE rowid = 10`,
		`UPDATE raw.members SET union_code = '`+stranger+`' WHERE rowid = 11`,
		`UPDATE raw.enrollments SET payer_union_code = 'BADPAYER' WHERE rowid = 20`,
		`UPDATE raw.enrollments SET payer_union_code = '`+stranger+`' WHERE rowid = 21`,
		// the receipts of the two members refused for their union go too
		`DELETE FROM raw.enrollments WHERE member_ref IN (SELECT member_ref FROM raw.members WHERE rowid IN (10, 11))`)
	var n int
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM raw.organizations WHERE org_code = ?", stranger).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%s is an organisation of the world (%d, %v)", stranger, n, err)
	}
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := queryStrings(ctx, conn, `SELECT q.entity || ' ' || q.reason
		FROM ops.quarantine AS q
		WHERE (q.entity = 'members' AND (q.raw_record->>'union_code') IN ('BADUNION', ?))
		   OR (q.entity = 'enrollments' AND (q.raw_record->>'payer_union_code') IN ('BADPAYER', ?))
		ORDER BY ALL`, stranger, stranger)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"enrollments payer_union_code is no known organisation",
		"enrollments payer_union_code is not a valid USCC",
		"members union_code is no known organisation",
		"members union_code is not a valid USCC",
	}
	if !slices.Equal(got, want) {
		t.Errorf("quarantined:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMissingFieldNamed: a record refused for an empty required field
// names the field(s), in the large entities as in the small ones: an
// export that left a column out, or misspelt it in the header, shows which.
func TestMissingFieldNamed(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorld(t, smallParams(300, 0))
	execAll(t, db.SQL(),
		`UPDATE raw.enrollments SET paid_at = NULL WHERE rowid = 1`,
		`UPDATE raw.enrollments SET paid_at = NULL, amount = NULL WHERE rowid = 2`,
		`UPDATE raw.members SET name = '' WHERE rowid = 1`,
		`UPDATE raw.claims SET diagnosis_group = NULL WHERE rowid = 1`)
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	rows, err := db.SQL().QueryContext(ctx, `SELECT entity || ': ' || reason FROM ops.quarantine WHERE reason_code = 'missing_field'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got[s] = true
	}
	for _, want := range []string{
		"enrollments: required field empty: paid_at",
		"enrollments: required field empty: amount, paid_at",
		"members: required field empty: name",
		"claims: required field empty: diagnosis_group",
	} {
		if !got[want] {
			t.Errorf("no quarantine row %q among %v", want, got)
		}
	}
}

// TestMemberRefPseudonymised: an operator that keys its members by their
// id numbers (member_ref = id_number, in members, enrolments and claims)
// leaves no id number in any text column of raw, core or ops, keeps the
// same records and counts as with its own codes (the references still
// meet: the same pseudonym everywhere), and a full rebuild gives the same
// core.
func TestMemberRefPseudonymised(t *testing.T) {
	refsPseudonymised(t,
		`CREATE TABLE main.refs AS SELECT source_operator, member_ref AS old, id_number AS new FROM raw.members
			WHERE source_operator = (SELECT min(source_operator) FROM raw.members) AND length(id_number) = 18`,
		`UPDATE raw.enrollments AS e SET member_ref = m.new FROM main.refs AS m WHERE e.source_operator = m.source_operator AND e.member_ref = m.old`,
		`UPDATE raw.claims AS c SET member_ref = m.new FROM main.refs AS m WHERE c.source_operator = m.source_operator AND c.member_ref = m.old`,
		`UPDATE raw.members AS r SET member_ref = m.new FROM main.refs AS m WHERE r.source_operator = m.source_operator AND r.member_ref = m.old`)
}

// TestStaffRefPseudonymised: the same for an operator that keys its staff
// by their phones, written with dashes (staff_id, and the ledger's and the
// audits' references to it), with a refused staff row whose role holds a
// phone (role is part of the key: the refused keys are known keys).
func TestStaffRefPseudonymised(t *testing.T) {
	refsPseudonymised(t,
		`CREATE TABLE main.refs AS SELECT source_operator, old, '139-' || lpad(CAST(n AS VARCHAR), 4, '0') || '-' || lpad(CAST(n * 7 AS VARCHAR), 4, '0') AS new
			FROM (SELECT source_operator, staff_id AS old, row_number() OVER (ORDER BY staff_id) AS n
				FROM (SELECT DISTINCT source_operator, staff_id FROM raw.staff_roles WHERE source_operator = (SELECT min(source_operator) FROM raw.staff_roles)))
			UNION ALL SELECT NULL, 'no staff', '13705700013'`,
		`UPDATE raw.ledger_entries AS e SET prepared_by = m.new FROM main.refs AS m WHERE e.source_operator = m.source_operator AND e.prepared_by = m.old`,
		`UPDATE raw.ledger_entries AS e SET approved_by = m.new FROM main.refs AS m WHERE e.source_operator = m.source_operator AND e.approved_by = m.old`,
		`UPDATE raw.ledger_entries AS e SET paid_by = m.new FROM main.refs AS m WHERE e.source_operator = m.source_operator AND e.paid_by = m.old`,
		`UPDATE raw.audits AS a SET subject_staff = m.new FROM main.refs AS m WHERE a.source_operator = m.source_operator AND a.subject_staff = m.old`,
		`UPDATE raw.staff_roles AS r SET staff_id = m.new FROM main.refs AS m WHERE r.source_operator = m.source_operator AND r.staff_id = m.old`,
		`UPDATE raw.staff_roles SET role = '13705700013' WHERE rowid = (SELECT max(rowid) FROM raw.staff_roles)`)
}

// refsPseudonymised builds two worlds alike, rewrites one's references to
// people with personal values (stmts: the first makes main.refs of old and
// new values; the last row of refs may name a value written elsewhere),
// applies to the other only what rewrites no reference (the statements
// that name no refs), transforms both and checks: no new value in any text
// column of raw, core or ops; the same kept and refused counts and
// members counted; a full rebuild the same core.
func refsPseudonymised(t *testing.T, stmts ...string) {
	ctx := context.Background()
	byID, _, _ := loadWorld(t, smallParams(300, 0.02))
	plain, _, _ := loadWorld(t, smallParams(300, 0.02))
	execAll(t, byID.SQL(), stmts...)
	for _, st := range stmts[1:] {
		if !strings.Contains(st, "main.refs") {
			execAll(t, plain.SQL(), st)
		}
	}
	var n int
	if err := byID.SQL().QueryRowContext(ctx, "SELECT count(*) FROM main.refs").Scan(&n); err != nil || n < 5 {
		t.Fatalf("%d people keyed by personal values (%v): the test would show little", n, err)
	}
	for _, db := range []*sql.DB{byID.SQL(), plain.SQL()} {
		if _, err := Run(ctx, db, "t", testKey, Options{Logger: quiet}); err != nil {
			t.Fatal(err)
		}
	}
	// No personal value in any text column of the file (the helper table
	// aside).
	cols, err := byID.SQL().QueryContext(ctx, `SELECT schema_name, table_name, column_name FROM duckdb_columns()
		WHERE schema_name IN ('raw', 'core', 'ops') AND data_type = 'VARCHAR' AND NOT internal ORDER BY ALL`)
	if err != nil {
		t.Fatal(err)
	}
	var targets [][3]string
	for cols.Next() {
		var c [3]string
		if err := cols.Scan(&c[0], &c[1], &c[2]); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, c)
	}
	cols.Close()
	for _, c := range targets {
		q := fmt.Sprintf(`SELECT count(*) FROM %s.%s AS t WHERE EXISTS (SELECT 1 FROM main.refs AS m WHERE strpos(t.%s, m.new) > 0)`, c[0], c[1], c[2])
		if err := byID.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != 0 {
			t.Errorf("%s.%s.%s: %d rows hold a personal value", c[0], c[1], c[2], n)
		}
	}
	// The same records kept and refused, the same members counted.
	counts := func(db *sql.DB) string {
		var s string
		if err := db.QueryRowContext(ctx, `SELECT string_agg(entity || ' ' || kept || '/' || quarantined, ', ' ORDER BY entity)
			FROM (SELECT entity, sum(kept) AS kept, sum(quarantined) AS quarantined FROM ops.reconciliation GROUP BY entity)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		var e string
		if err := db.QueryRowContext(ctx, `SELECT string_agg(operator_code || activity_code || y || ':' || members_enrolled, ',' ORDER BY operator_code, activity_code, y) FROM core.agg_enrolled_year`).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return s + "; " + e
	}
	if a, b := counts(byID.SQL()), counts(plain.SQL()); a != b {
		t.Errorf("keyed by personal values: %s\nby the operator's codes: %s", a, b)
	}
	night := coreDigests(t, byID.SQL())
	if _, err := Run(ctx, byID.SQL(), "full", testKey, Options{Full: true, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	for k, v := range coreDigests(t, byID.SQL()) {
		if night[k] != v {
			t.Errorf("core.%s after a full rebuild: %s; before: %s", k, v, night[k])
		}
	}
}

// TestOrderKeepsDependencies: Order puts every entity after the entities
// its stage model reads (entityDeps), and the scheduler refuses an order
// that does not.
func TestOrderKeepsDependencies(t *testing.T) {
	s, err := newScheduler()
	if err != nil {
		t.Fatal(err)
	}
	if d := s.deps["enrollments"]; !slices.Contains(d, "members") || !slices.Contains(d, "activities") || !slices.Contains(d, "organizations") {
		t.Errorf("enrollments depend on %v, want members, activities and organizations among them", d)
	}
	defer func(o []string) { Order = o }(Order)
	Order = slices.Clone(Order)
	i, j := slices.Index(Order, "members"), slices.Index(Order, "claims")
	Order[i], Order[j] = Order[j], Order[i]
	if _, err := newScheduler(); err == nil || !strings.Contains(err.Error(), "claims depends on members") {
		t.Errorf("claims before members: %v", err)
	}
}
