package warehouse

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// memDB opens a bare in-memory DuckDB, without migrations.
func memDB(t *testing.T) *sql.DB {
	t.Helper()
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// files builds a migrations folder from name → text.
func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range m {
		fsys["migrations/"+name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func fixedClock() time.Time { return time.Date(2026, 11, 29, 8, 44, 0, 0, time.UTC) }

// tables lists the tables of schema s.
func tables(t *testing.T, db *sql.DB, s string) string {
	t.Helper()
	var got sql.NullString
	err := db.QueryRowContext(t.Context(),
		`SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = ?`, s).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	return got.String
}

func TestMigrateOrderAndOnce(t *testing.T) {
	ctx := t.Context()
	db := memDB(t)
	// 0002 needs 0001's table: applied in name order they would fail.
	fsys := files(map[string]string{
		"0002_b.sql":  "ALTER TABLE s.t ADD COLUMN b INTEGER;",
		"0001_a.sql":  "CREATE SCHEMA s; CREATE TABLE s.t (a INTEGER);",
		"0010_ab.sql": "INSERT INTO s.t VALUES (1, 2)",
	})
	for range 2 {
		if err := migrate(ctx, db, fsys, fixedClock); err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	var rowsT, recs int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM s.t`).Scan(&rowsT); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ops.schema_migrations`).Scan(&recs); err != nil {
		t.Fatal(err)
	}
	if rowsT != 1 || recs != 3 {
		t.Errorf("after migrating twice: s.t has %d rows, %d migrations recorded; want 1, 3", rowsT, recs)
	}
	var at time.Time
	if err := db.QueryRowContext(ctx, `SELECT applied_at FROM ops.schema_migrations WHERE version = 10`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	if !at.Equal(fixedClock()) {
		t.Errorf("applied_at = %v, want %v", at, fixedClock())
	}
}

func TestMigrateErrors(t *testing.T) {
	good := "CREATE SCHEMA s;\nCREATE TABLE s.t (a INTEGER);\n"
	cases := []struct {
		name  string
		files map[string]string
		want  string
		// wantTables are the tables of schema s after the failure: a
		// failed migration leaves nothing of itself behind.
		wantTables string
	}{
		{"parser error on its line", map[string]string{
			"0001_a.sql": good,
			"0002_b.sql": "-- a comment\nCREATE TABLE s.u (a INTEGER);\n\nCREATE TABL s.v (\n  a INTEGER\n);\n",
		}, "warehouse/migrations/0002_b.sql:4: Parser Error", "t"},
		{"catalog error on a later line of the statement", map[string]string{
			"0001_a.sql": good,
			"0002_b.sql": "CREATE TABLE s.u (a INTEGER);\nINSERT INTO s.u\nSELECT a\nFROM s.nosuch;\n",
		}, "warehouse/migrations/0002_b.sql:4: Catalog Error", "t"},
		{"binder error at its statement", map[string]string{
			"0001_a.sql": good,
			"0002_b.sql": "CREATE TABLE s.u (a INTEGER);\n\n/* first; second */\nINSERT INTO s.u SELECT nosuch FROM s.t;\n",
		}, "warehouse/migrations/0002_b.sql:4: Binder Error", "t"},
		{"first migration fails", map[string]string{
			"0001_a.sql": "CREATE SCHEMA s;\nCREATE TABLE s.t (a INTEGRE);\n",
		}, "warehouse/migrations/0001_a.sql:2: Catalog Error", ""},
		{"unterminated string", map[string]string{
			"0001_a.sql": good,
			"0002_b.sql": "SELECT 1;\nSELECT 'oops;\n",
		}, "warehouse/migrations/0002_b.sql: line 2: unterminated string", "t"},
		{"bad file name", map[string]string{
			"1_a.sql": good,
		}, "warehouse/migrations/1_a.sql: file name is not NNNN_name.sql", ""},
		{"duplicate version", map[string]string{
			"0001_a.sql": good,
			"0001_b.sql": good,
		}, "warehouse/migrations/0001_b.sql: version 0001 is also 0001_a.sql", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := memDB(t)
			err := migrate(t.Context(), db, files(tc.files), fixedClock)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("migrate(%v) error = %v, want it to contain %q", tc.files, err, tc.want)
			}
			var schemaS int
			if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM information_schema.schemata WHERE schema_name = 's'`).Scan(&schemaS); err != nil {
				t.Fatal(err)
			}
			if got := tables(t, db, "s"); got != tc.wantTables || (tc.wantTables == "" && schemaS != 0) {
				t.Errorf("after the failure: schema s exists=%v with tables %q; want tables %q", schemaS != 0, got, tc.wantTables)
			}
		})
	}
}

func TestMigrateRefusesNewerWarehouse(t *testing.T) {
	ctx := t.Context()
	db := memDB(t)
	newer := files(map[string]string{"0001_a.sql": "SELECT 1", "0002_b.sql": "SELECT 2"})
	older := files(map[string]string{"0001_a.sql": "SELECT 1"})
	if err := migrate(ctx, db, newer, fixedClock); err != nil {
		t.Fatal(err)
	}
	err := migrate(ctx, db, older, fixedClock)
	if !errors.Is(err, ErrSchemaNewer) || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Errorf("migrate with fewer migrations than applied: error %v, want ErrSchemaNewer naming 0002_b.sql", err)
	}
}

func TestCheckMigrated(t *testing.T) {
	ctx := t.Context()
	all := files(map[string]string{"0001_a.sql": "SELECT 1", "0002_b.sql": "SELECT 2"})
	first := files(map[string]string{"0001_a.sql": "SELECT 1"})
	cases := []struct {
		name    string
		applied fstest.MapFS // nil: nothing, not even the ledger
		want    error
	}{
		{"nothing applied", nil, ErrSchemaOutdated},
		{"one behind", first, ErrSchemaOutdated},
		{"up to date", all, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := memDB(t)
			if tc.applied != nil {
				if err := migrate(ctx, db, tc.applied, fixedClock); err != nil {
					t.Fatal(err)
				}
			}
			if err := checkMigrated(ctx, db, all); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Errorf("checkMigrated = %v, want %v", err, tc.want)
			}
		})
	}
}
