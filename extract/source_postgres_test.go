package extract

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/internal/pgtest"
	"huzhu/opsim"
	"huzhu/opsim/pgworld"
	"huzhu/opsim/record"
	"huzhu/warehouse"
)

// rowSet is a multiset of rows, by a hash of their contract fields.
type rowSet map[[32]byte]int

func (s rowSet) add(vals []sql.NullString) {
	h := sha256.New()
	for _, v := range vals {
		if v.Valid {
			h.Write([]byte{1})
			h.Write([]byte(v.String))
		} else {
			h.Write([]byte{0})
		}
		h.Write([]byte{0xff})
	}
	s[[32]byte(h.Sum(nil))]++
}

func (s rowSet) size() (n int) {
	for _, c := range s {
		n += c
	}
	return n
}

// pgRows reads an operator's table, updated_at rendered by the simulator's
// own code rather than by the query under test.
func pgRows(t *testing.T, conn *pgx.Conn, schema string, e *contract.Entity) rowSet {
	t.Helper()
	return pgQueryRows(t, conn, "SELECT * FROM "+pgx.Identifier{schema, e.Name}.Sanitize())
}

func pgQueryRows(t *testing.T, conn *pgx.Conn, q string) rowSet {
	t.Helper()
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	set := rowSet{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		ns := make([]sql.NullString, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
			case string:
				ns[i] = sql.NullString{String: v, Valid: true}
			case time.Time:
				ns[i] = sql.NullString{String: record.Stamp(v.Unix()).String(), Valid: true}
			default:
				t.Fatalf("%s: column %d is %T", q, i, v)
			}
		}
		set.add(ns)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

// rawRows reads raw.<entity>, the rows of loads matching where (over
// ops.loads l).
func rawRows(t *testing.T, db *sql.DB, e *contract.Entity, where string) rowSet {
	t.Helper()
	q := fmt.Sprintf("SELECT r.%s FROM raw.%s r JOIN ops.loads l USING (load_id) WHERE %s",
		strings.Join(e.FieldNames(), ", r."), e.Name, where)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	set := rowSet{}
	vals := make([]sql.NullString, len(e.Fields))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		set.add(vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

// pgPull runs the postgres source once into db under runID, in chunks of
// chunk rows.
func pgPull(t *testing.T, db *sql.DB, src config.Source, runID string, chunk int) error {
	t.Helper()
	return pgPullKey(t, db, src, runID, chunk, nil)
}

// pgPullKey is pgPull with the pseudonymisation key (none when nil).
func pgPullKey(t *testing.T, db *sql.DB, src config.Source, runID string, chunk int, key []byte) error {
	t.Helper()
	s, err := openPostgres(src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.(*postgresSource).chunk = chunk
	ctx := context.Background()
	w, err := NewWriter(ctx, db, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if key != nil {
		w.pseudo = newPseudonymiser(key)
	}
	return s.Pull(ctx, w.Loader(src.Operator, src.Kind))
}

func pgWorld(t *testing.T, p opsim.Params) *opsim.Operator {
	t.Helper()
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	return w.Operators[0]
}

func pgWarehouse(t *testing.T) *sql.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.SQL()
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestPostgresPull: a full pull brings every table's rows, a second pull
// nothing, and a pull after the operator's database moved three days on
// only what changed, leaving raw with every version of every row.
func TestPostgresPull(t *testing.T) {
	dsn, conn := pgtest.Connect(t)
	ctx := context.Background()
	p := opsim.DefaultParams()
	p.Members, p.DefectRate = 1500, 0
	op := pgWorld(t, p)
	const schema = "ops_a"
	loaded, err := pgworld.Load(ctx, conn, schema, op)
	if err != nil {
		t.Fatal(err)
	}
	db := pgWarehouse(t)
	src := config.Source{Operator: op.Code, Kind: config.KindPostgres, DSN: dsn, Schema: schema}
	const chunk = 500
	if err := pgPull(t, db, src, "run1", chunk); err != nil {
		t.Fatal(err)
	}
	day1 := map[string]rowSet{}
	for _, e := range contract.Entities() {
		day1[e.Name] = pgRows(t, conn, schema, e)
		got := rawRows(t, db, e, "true")
		if got.size() != int(loaded[e.Name]) || !equalSets(got, day1[e.Name]) {
			t.Errorf("%s: raw holds %d rows, the table %d, or they differ", e.Name, got.size(), loaded[e.Name])
		}
		units := count(t, db, "SELECT count(*) FROM ops.loads WHERE entity = ? AND run_id = 'run1'", e.Name)
		if want := (loaded[e.Name] + chunk - 1) / chunk; loaded[e.Name] > 0 && units != want {
			t.Errorf("%s: %d rows in %d units, want %d of at most %d rows", e.Name, loaded[e.Name], units, want, chunk)
		}
		diff := count(t, db, "SELECT count(*) FROM ops.reconciliation WHERE entity = ? AND run_id = 'run1' AND operator_reported_rows = ? AND difference = 0", e.Name, loaded[e.Name])
		if diff != 1 {
			t.Errorf("%s: no reconciliation of %d rows with difference 0", e.Name, loaded[e.Name])
		}
	}
	if loaded["enrollments"] <= chunk {
		t.Fatalf("enrollments %d fit one chunk; the test needs more", loaded["enrollments"])
	}

	loads := count(t, db, "SELECT count(*) FROM ops.loads")
	if err := pgPull(t, db, src, "run2", chunk); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, "SELECT count(*) FROM ops.loads"); got != loads {
		t.Errorf("a second pull of the same tables: %d loads, want %d", got, loads)
	}
	for _, e := range contract.Entities() {
		if got := count(t, db, "SELECT count(*) FROM raw."+e.Name); got != loaded[e.Name] {
			t.Errorf("%s after a second pull: %d raw rows, want %d", e.Name, got, loaded[e.Name])
		}
	}

	p.AsOf += 3
	op = pgWorld(t, p)
	if _, err := pgworld.Load(ctx, conn, schema, op); err != nil {
		t.Fatal(err)
	}
	if err := pgPull(t, db, src, "run3", chunk); err != nil {
		t.Fatal(err)
	}
	var changed int
	for _, e := range contract.Entities() {
		day4 := pgRows(t, conn, schema, e)
		// Only rows the first pull had not seen arrive.
		for h, n := range rawRows(t, db, e, "l.run_id = 'run3'") {
			if day1[e.Name][h] > 0 || day4[h] != n {
				t.Errorf("%s: the third pull brought a row it had before, or one the table lacks", e.Name)
				break
			}
			changed += n
		}
		// raw holds every row of either day once.
		union := rowSet{}
		for _, s := range []rowSet{day1[e.Name], day4} {
			for h := range s {
				union[h] = 1
			}
		}
		if got := rawRows(t, db, e, "true"); !equalSets(got, union) {
			t.Errorf("%s: raw holds %d rows, the union of both days %d, or they differ", e.Name, got.size(), union.size())
		}
		if n := count(t, db, "SELECT count(*) FROM ops.reconciliation WHERE entity = ? AND run_id = 'run3' AND operator_reported_rows = ? AND difference = 0", e.Name, day4.size()); n != 1 {
			t.Errorf("%s: no reconciliation of %d rows with difference 0 after the third pull", e.Name, day4.size())
		}
	}
	if changed == 0 {
		t.Error("three days on, nothing changed: the test proves nothing")
	}
}

func equalSets(a, b rowSet) bool {
	if len(a) != len(b) {
		return false
	}
	for h, n := range a {
		if b[h] != n {
			return false
		}
	}
	return true
}

// TestPostgresRuns: rows that share a position — a record sent twice, a
// conflicting copy, a run longer than a chunk — are loaded whole even when
// a chunk ends among them; a null key and a key holding the separator are
// ordered and resumed from; a fractional updated_at keeps its fraction.
func TestPostgresRuns(t *testing.T) {
	dsn, conn := pgtest.Connect(t)
	ctx := context.Background()
	p := opsim.DefaultParams()
	p.Members, p.Operators, p.DefectRate = 300, 1, 0
	op := pgWorld(t, p)
	const schema, chunk = "ops_b", 50
	if _, err := pgworld.Load(ctx, conn, schema, op); err != nil {
		t.Fatal(err)
	}
	nth := func(i int) string {
		var ref string
		err := conn.QueryRow(ctx, `SELECT member_ref FROM ops_b.members ORDER BY updated_at, COALESCE(member_ref, '') COLLATE "C" OFFSET $1 LIMIT 1`, i).Scan(&ref)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	atBoundary, longRun := nth(chunk-1), nth(3*chunk)
	for _, stmt := range []string{
		// An exact copy and a conflicting copy of the last row of the first chunk.
		`INSERT INTO ops_b.members SELECT * FROM ops_b.members WHERE member_ref = '` + atBoundary + `'`,
		`INSERT INTO ops_b.members SELECT operator_code, member_ref, id_number, name, '13000000000', gender, birth_date, union_code, joined_on, status, updated_at FROM ops_b.members WHERE member_ref = '` + atBoundary + `' LIMIT 1`,
		// A run of chunk+2 rows at one position.
		`INSERT INTO ops_b.members SELECT m.* FROM ops_b.members m, generate_series(1, ` + fmt.Sprint(chunk+1) + `) WHERE member_ref = '` + longRun + `'`,
		// A null key, and keys holding the separator and the escape.
		`INSERT INTO ops_b.members SELECT operator_code, k, id_number, name, phone, gender, birth_date, union_code, joined_on, status, updated_at
		   FROM ops_b.members, (VALUES (NULL), (''), ('A|B'), ('A\|B'), ('A\'), ('|')) v(k) WHERE member_ref = '` + nth(2*chunk) + `'`,
		// A fractional updated_at.
		`INSERT INTO ops_b.members SELECT operator_code, 'FRACTION', id_number, name, phone, gender, birth_date, union_code, joined_on, status, updated_at + interval '0.25 second'
		   FROM ops_b.members WHERE member_ref = '` + atBoundary + `' LIMIT 1`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	db := pgWarehouse(t)
	src := config.Source{Operator: op.Code, Kind: config.KindPostgres, DSN: dsn, Schema: schema}
	if err := pgPull(t, db, src, "run1", chunk); err != nil {
		t.Fatal(err)
	}
	e := contract.Lookup("members")
	want := pgRows(t, conn, schema, e)
	got := rawRows(t, db, e, "true")
	if got.size() != want.size() {
		t.Errorf("members: raw holds %d rows, the table %d", got.size(), want.size())
	}
	var frac string
	if err := db.QueryRow("SELECT updated_at FROM raw.members WHERE member_ref = 'FRACTION'").Scan(&frac); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(frac, ".250000+08:00") {
		t.Errorf("fractional updated_at arrived as %q", frac)
	}
	// The fraction row aside, raw matches the table as the simulator renders it.
	for h := range pgQueryRows(t, conn, `SELECT * FROM ops_b.members WHERE member_ref = 'FRACTION'`) {
		delete(want, h)
	}
	if got.size() != want.size()+1 {
		t.Errorf("members: %d rows in raw, want %d", got.size(), want.size()+1)
	}
	var missing int
	for h, n := range want {
		if got[h] != n {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("members: %d distinct rows of the table are not in raw as often as there", missing)
	}
	loads := count(t, db, "SELECT count(*) FROM ops.loads")
	if err := pgPull(t, db, src, "run2", chunk); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT count(*) FROM ops.loads"); n != loads {
		t.Errorf("a second pull: %d loads, want %d", n, loads)
	}
	if n := count(t, db, "SELECT count(*) FROM raw.members"); n != int64(got.size()) {
		t.Errorf("a second pull: %d raw members, want %d", n, got.size())
	}
}

// TestPostgresUnreachable: a server that cannot be reached fails the pull,
// naming the operator.
func TestPostgresUnreachable(t *testing.T) {
	src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindPostgres, DSN: "postgres://huzhu@127.0.0.1:1/none?connect_timeout=5&sslmode=disable"}
	err := pgPull(t, pgWarehouse(t), src, "run1", 10)
	if err == nil || !strings.Contains(err.Error(), src.Operator) {
		t.Fatalf("pull from a closed port: %v, want an error naming %s", err, src.Operator)
	}
	if _, err := openPostgres(config.Source{Operator: "X", DSN: "postgres://a:b@host:notaport/db"}, Options{}); err == nil || strings.Contains(err.Error(), ":b@") {
		t.Errorf("openPostgres with a bad DSN: %v, want an error without the password", err)
	}
}

func TestPGKeyRoundTrip(t *testing.T) {
	for _, key := range [][]string{{"A"}, {""}, {"A|B", `C\`}, {`\|`, "", "|"}, {"X", "2024", "R1", "original"}} {
		vals := make([][]byte, len(key))
		idx := make([]int, len(key))
		for i, k := range key {
			vals[i], idx[i] = []byte(k), i
		}
		enc := string(appendPGKey(nil, vals, idx))
		got, err := splitPGKey(enc, len(key))
		if err != nil || strings.Join(got, "\x00") != strings.Join(key, "\x00") {
			t.Errorf("splitPGKey(%q, %d) = %q, %v, want %q", enc, len(key), got, err, key)
		}
	}
	if got, err := splitPGKey("A|B", 1); err == nil {
		t.Errorf("splitPGKey(%q, 1) = %q, want an error", "A|B", got)
	}
}

// BenchmarkPostgresPull pulls the three operators of a 100,000-member
// world from PostgreSQL into a fresh warehouse per iteration and reports
// rows/s.
func BenchmarkPostgresPull(b *testing.B) {
	dsn := pgtest.Start(b)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	p := opsim.DefaultParams()
	p.Members = 100000
	w, err := opsim.NewWorld(p)
	if err != nil {
		b.Fatal(err)
	}
	var srcs []config.Source
	for _, op := range w.Operators {
		schema := "ops_" + strings.ToLower(op.Short)
		if _, err := pgworld.Load(ctx, conn, schema, op); err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, config.Source{Operator: op.Code, Kind: config.KindPostgres, DSN: dsn, Schema: schema})
	}
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
		if err != nil {
			b.Fatal(err)
		}
		wr, err := NewWriter(ctx, db.SQL(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, src := range srcs {
			s, err := openPostgres(src, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Pull(ctx, wr.Loader(src.Operator, src.Kind)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		var n int64
		if err := db.SQL().QueryRow("SELECT sum(rows_loaded) FROM ops.loads").Scan(&n); err != nil {
			b.Fatal(err)
		}
		rows += n
		wr.Close()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// pgTables creates a table per contract entity in schema, as an operator
// might: every column text and updated_at a nullable timestamptz, except
// the columns types names ("claims.filed_at": "timestamptz").
func pgTables(t *testing.T, conn *pgx.Conn, schema string, types map[string]string) {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	for _, e := range contract.Entities() {
		cols := make([]string, len(e.Fields))
		for i, f := range e.Fields {
			typ := "text"
			if f.Name == "updated_at" {
				typ = "timestamptz"
			}
			if ty, ok := types[e.Name+"."+f.Name]; ok {
				typ = ty
			}
			cols[i] = pgx.Identifier{f.Name}.Sanitize() + " " + typ
		}
		stmt := "CREATE TABLE " + pgx.Identifier{schema, e.Name}.Sanitize() + " (" + strings.Join(cols, ", ") + ")"
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

func pgExec(t *testing.T, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, stmt := range stmts {
		if _, err := conn.Exec(context.Background(), stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

// TestPostgresTypedColumns: a table with real column types arrives in the
// contract's form — a timestamptz RFC 3339 with a whole offset, a numeric,
// money or numeric domain without trailing fraction zeros (and a third
// decimal kept for the transform to refuse), a timestamp without zone and
// a date as written, whatever the server's DateStyle and time zone — and a
// typed key column is resumed from as rendered, a chunk a row.
func TestPostgresTypedColumns(t *testing.T) {
	dsn, conn := pgtest.Connect(t)
	const schema = "typed"
	pgExec(t, conn,
		`CREATE DOMAIN amount AS numeric(18, 4)`,
		// The puller's session must not depend on the database's defaults.
		`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET datestyle = %L', current_database(), 'SQL, DMY');
		   EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), 'America/New_York'); END $$`)
	pgTables(t, conn, schema, map[string]string{
		"claims.event_date":      "date",
		"claims.filed_at":        "timestamptz",
		"claims.decided_at":      "timestamptz",
		"claims.paid_at":         "timestamp",
		"claims.medical_total":   "numeric(18,3)",
		"claims.insurance_paid":  "numeric",
		"claims.claimed_amount":  "money",
		"claims.approved_amount": "amount",
		"claims.paid_amount":     "numeric(18,2)",
		"ledger_entries.line_no": "numeric(6,2)",
	})
	pgExec(t, conn,
		`INSERT INTO typed.claims (claim_no, event_date, filed_at, decided_at, paid_at, diagnosis_group,
		   medical_total, insurance_paid, claimed_amount, approved_amount, paid_amount, updated_at) VALUES
		 ('C1', '2024-01-15', '2024-01-16 16:14:06+08', '2024-01-16 08:14:06.25+00', '2024-01-17 09:30:00', '5.10',
		   5667.540, 100.000, '1234.50', 0, NULL, '2024-01-18 10:00:00+08'),
		 ('C2', NULL, '2024-01-16 16:14:06-05:30', 'infinity', '2024-01-17 09:30:00.5', NULL,
		   5667.545, -20.50, '-3', 12.34, 7.10, '2024-01-18 10:00:01+08')`,
		`INSERT INTO typed.ledger_entries (voucher_no, line_no, updated_at) VALUES
		 ('V1', 10.5, '2024-01-18 10:00:00+08'), ('V1', 1, '2024-01-18 10:00:00+08'), ('V1', 2, '2024-01-18 10:00:00+08'),
		 ('V1', 2, '2024-01-18 10:00:00+08')`)

	db := pgWarehouse(t)
	src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindPostgres, DSN: dsn, Schema: schema}
	if err := pgPull(t, db, src, "run1", 1); err != nil {
		t.Fatal(err)
	}
	cols := []string{"event_date", "filed_at", "decided_at", "paid_at", "diagnosis_group", "medical_total",
		"insurance_paid", "claimed_amount", "approved_amount", "paid_amount", "updated_at"}
	want := map[string][]string{
		"C1": {"2024-01-15", "2024-01-16T16:14:06+08:00", "2024-01-16T16:14:06.250000+08:00", "2024-01-17 09:30:00", "5.10", "5667.54",
			"100", "1234.5", "0", "NULL", "2024-01-18T10:00:00+08:00"},
		"C2": {"NULL", "2024-01-17T05:44:06+08:00", "infinity", "2024-01-17 09:30:00.5", "NULL", "5667.545",
			"-20.5", "-3", "12.34", "7.1", "2024-01-18T10:00:01+08:00"},
	}
	for key, w := range want {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := db.QueryRow("SELECT "+strings.Join(cols, ", ")+" FROM raw.claims WHERE claim_no = ?", key).Scan(ptrs...); err != nil {
			t.Fatalf("claim %s: %v", key, err)
		}
		for i, v := range vals {
			got := "NULL"
			if v.Valid {
				got = v.String
			}
			if got != w[i] {
				t.Errorf("claim %s: %s = %q, want %q", key, cols[i], got, w[i])
			}
		}
	}
	var lines string
	if err := db.QueryRow("SELECT string_agg(line_no, ',' ORDER BY line_no) FROM raw.ledger_entries").Scan(&lines); err != nil {
		t.Fatal(err)
	}
	if lines != "1,10.5,2,2" {
		t.Errorf("ledger line_no = %s, want 1,10.5,2,2", lines)
	}
	if n := count(t, db, "SELECT count(*) FROM ops.loads WHERE entity = 'ledger_entries'"); n != 3 {
		t.Errorf("ledger_entries in %d units of a row (a run of two), want 3", n)
	}
}

// TestPostgresNullUpdatedAt: rows without updated_at — one alone at the
// end of the table, or filling a chunk of their own — are loaded by the
// first night's pull, once; the second night loads the one new row and
// the third nothing. Every night succeeds, and every unit received what
// it kept.
func TestPostgresNullUpdatedAt(t *testing.T) {
	dsn, conn := pgtest.Connect(t)
	for _, chunk := range []int{100, 2} {
		t.Run(fmt.Sprintf("chunk%d", chunk), func(t *testing.T) {
			schema := fmt.Sprintf("nulls_%d", chunk)
			pgTables(t, conn, schema, nil)
			tab := pgx.Identifier{schema, "decisions"}.Sanitize()
			pgExec(t, conn, `INSERT INTO `+tab+` (decision_ref, subject, updated_at) VALUES
				('D1', 'a', '2024-01-18 10:00:00+08'), ('D2', 'b', '2024-01-18 10:00:01+08'),
				('D3', 'c', '2024-01-18 10:00:02+08'), ('D4', 'd', '2024-01-18 10:00:02+08'),
				('N1', 'no time', NULL), ('N2', 'no time either', NULL)`)
			db := pgWarehouse(t)
			src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindPostgres, DSN: dsn, Schema: schema}
			e := contract.Lookup("decisions")
			for night, add := range []string{
				"",
				`INSERT INTO ` + tab + ` (decision_ref, subject, updated_at) VALUES ('D5', 'e', '2024-01-19 09:00:00+08')`,
				"",
			} {
				if add != "" {
					pgExec(t, conn, add)
				}
				run := fmt.Sprintf("night%d", night+1)
				if err := pgPull(t, db, src, run, chunk); err != nil {
					t.Fatalf("%s: %v", run, err)
				}
				table := pgQueryRows(t, conn, "SELECT * FROM "+tab)
				if got := rawRows(t, db, e, "true"); !equalSets(got, table) {
					t.Errorf("%s: raw holds %d rows, the table %d, or they differ", run, got.size(), table.size())
				}
			}
			if n := count(t, db, "SELECT count(*) FROM raw.decisions WHERE updated_at IS NULL"); n != 2 {
				t.Errorf("raw holds %d rows without updated_at, want 2", n)
			}
			for run, want := range map[string]int64{"night1": 6, "night2": 1, "night3": 0} {
				if n := count(t, db, "SELECT coalesce(sum(rows_received), 0) FROM ops.loads WHERE entity = 'decisions' AND run_id = ?", run); n != want {
					t.Errorf("%s received %d decisions, want %d", run, n, want)
				}
			}
			if n := count(t, db, "SELECT count(*) FROM ops.loads WHERE rows_received <> rows_loaded + rows_quarantined"); n != 0 {
				t.Errorf("%d units received other than they kept and quarantined", n)
			}
			var wm string
			if err := db.QueryRow("SELECT watermark FROM ops.watermarks WHERE entity = 'decisions'").Scan(&wm); err != nil {
				t.Fatal(err)
			}
			if wm != "2024-01-19T09:00:00+08:00" {
				t.Errorf("watermark %q, want D5's updated_at", wm)
			}
		})
	}
}

// TestPostgresPersonalKeys: an operator that keys its members by id number
// and its staff by phone. Pulled with the pseudonymisation key, neither
// reaches the warehouse through where the pull stands (ops.watermarks,
// ops.loads: the key sealed) or a row's position (source_pos: the key's
// pseudonym, the one raw's member_ref holds); the next night resumes from
// the sealed watermark and loads the one new member alone, and a pull
// without the key refuses the sealed watermark without showing it. Pulled
// without the key, the same scan finds them: it can see them.
func TestPostgresPersonalKeys(t *testing.T) {
	dsn, conn := pgtest.Connect(t)
	const schema = "personal"
	pgTables(t, conn, schema, nil)
	ids := []string{"110101199003071235", "110101198512120018", "44030419770101002X", "310101200001011237"}
	phones := []string{"13800138000", "13912345678"}
	members := pgx.Identifier{schema, "members"}.Sanitize()
	staff := pgx.Identifier{schema, "staff_roles"}.Sanitize()
	pgExec(t, conn,
		`INSERT INTO `+members+` (member_ref, id_number, name, updated_at) VALUES
		 ('`+ids[0]+`', '`+ids[0]+`', '张三', '2024-01-18 10:00:00+08'),
		 ('`+ids[1]+`', '`+ids[1]+`', '李四', '2024-01-18 10:00:01+08'),
		 ('`+ids[2]+`', '`+ids[2]+`', '王五', '2024-01-18 10:00:01+08')`,
		`INSERT INTO `+staff+` (staff_id, role, start_date, updated_at) VALUES
		 ('`+phones[0]+`', 'cashier', '2020-01-01', '2024-01-18 10:00:00+08'),
		 ('`+phones[1]+`', 'leader', '2020-01-01', '2024-01-18 10:00:02+08')`)
	src := config.Source{Operator: "51330000MA0000000X", Kind: config.KindPostgres, DSN: dsn, Schema: schema}
	key := []byte("personal-keys-test-key-0123")
	// what the warehouse shows of where its pulls stand and its rows came from
	shown := func(db *sql.DB) string {
		t.Helper()
		var s string
		if err := db.QueryRow(`SELECT concat_ws(' ',
			(SELECT string_agg(concat_ws(' ', watermark_from, watermark_to), ' ') FROM ops.loads),
			(SELECT string_agg(cursor, ' ') FROM ops.watermarks),
			(SELECT string_agg(source_pos || ' ' || member_ref, ' ') FROM raw.members),
			(SELECT string_agg(source_pos || ' ' || staff_id, ' ') FROM raw.staff_roles))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	plain := pgWarehouse(t)
	if err := pgPull(t, plain, src, "plain", 1); err != nil {
		t.Fatal(err)
	}
	if s := shown(plain); !strings.Contains(s, ids[1]) || !strings.Contains(s, phones[1]) {
		t.Fatalf("pulled without the key, the warehouse shows no id number or phone: the scan cannot see them (%s)", s)
	}

	db := pgWarehouse(t)
	if err := pgPullKey(t, db, src, "night1", 1, key); err != nil {
		t.Fatal(err)
	}
	pgExec(t, conn, `INSERT INTO `+members+` (member_ref, id_number, name, updated_at) VALUES
		 ('`+ids[3]+`', '`+ids[3]+`', '赵六', '2024-01-19 09:00:00+08')`)
	if err := pgPullKey(t, db, src, "night2", 1, key); err != nil {
		t.Fatal(err)
	}
	s := shown(db)
	for _, v := range append(ids, phones...) {
		if strings.Contains(s, v) {
			t.Errorf("the warehouse's watermarks or positions show %s", v)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM ops.watermarks WHERE entity IN ('members', 'staff_roles') AND starts_with(cursor, 'HZS1:')"); n != 2 {
		t.Errorf("%d of the members' and staff's watermarks sealed, want 2", n)
	}
	if n := count(t, db, "SELECT count(*) FROM raw.members WHERE source_pos = 'personal.members:' || member_ref AND starts_with(member_ref, 'HZ1:')"); n != 4 {
		t.Errorf("%d members' positions name their pseudonymous member_ref, want 4", n)
	}
	for run, want := range map[string]int64{"night1": 3, "night2": 1} {
		if n := count(t, db, "SELECT coalesce(sum(rows_received), 0) FROM ops.loads WHERE entity = 'members' AND run_id = ?", run); n != want {
			t.Errorf("%s received %d members, want %d", run, n, want)
		}
	}
	err := pgPull(t, db, src, "nokey", 1)
	if err == nil || !strings.Contains(err.Error(), "sealed") {
		t.Fatalf("a pull without the key from a sealed watermark: %v, want it refused", err)
	}
	for _, v := range append(ids, phones...) {
		if strings.Contains(err.Error(), v) {
			t.Errorf("the error shows %s: %v", v, err)
		}
	}
}
