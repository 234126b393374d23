package transform

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"huzhu/contract"
)

// TestVersionsStoredAsNamed: every versions table of a transformed world
// (in a file: DuckDB compresses what it writes to one) stores each column
// whose method compressionOf names with that method (or as a constant),
// and in no more
// segments than DuckDB's own choice takes for the same rows (one more
// allowed for where a segment ends), so naming the methods costs no space.
// The enrolments (about 96 k at 20 k members) are written by their fused
// stage model, the small entities by settle.sql.tmpl: both ways of
// creating the table.
func TestVersionsStoredAsNamed(t *testing.T) {
	ctx := context.Background()
	db, _, _ := loadWorldAt(t, smallParams(testMembers(20000), 0.02), filepath.Join(t.TempDir(), "w.duckdb"))
	if _, err := Run(ctx, db.SQL(), "run1", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	var receipts int64
	if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM core.v_enrollments").Scan(&receipts); err != nil {
		t.Fatal(err)
	}
	if receipts < fuseRows {
		t.Fatalf("%d receipts, fewer than fuseRows (%d): the enrolments' stage model was not fused", receipts, fuseRows)
	}
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	named := 0
	for _, e := range contract.Entities() {
		v := "core.v_" + e.Name
		if _, err := conn.ExecContext(ctx, "CREATE TABLE main.auto_"+e.Name+" AS SELECT * FROM "+v); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
			t.Fatal(err)
		}
		ours, err := columnSegments(ctx, conn, v)
		if err != nil {
			t.Fatal(err)
		}
		auto, err := columnSegments(ctx, conn, "main.auto_"+e.Name)
		if err != nil {
			t.Fatal(err)
		}
		types, err := queryStrings(ctx, conn, "SELECT column_name || ' ' || column_type FROM (DESCRIBE "+v+")")
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range types {
			col, typ, _ := strings.Cut(ct, " ")
			o, a := ours[col], auto[col]
			if o.segments > a.segments+1 {
				t.Errorf("%s.%s: %d segments (%s), DuckDB's choice %d (%s)", v, col, o.segments, o.methods, a.segments, a.methods)
			}
			m := compressionOf(e, col, typ)
			if m == "" || o.segments == 0 {
				continue
			}
			named++
			// A segment of one value (or none) DuckDB stores as a
			// constant, whatever the method.
			for _, got := range strings.Split(o.methods, ",") {
				if got != m && got != "constant" {
					t.Errorf("%s.%s is stored as %s, not %s", v, col, o.methods, m)
					break
				}
			}
		}
	}
	if named < 40 {
		t.Errorf("%d columns stored with a method named; the versions tables have more", named)
	}
}

// segments is how a column of a table is stored: its data segments (not
// its validity's) and their methods, lower-case and comma-separated.
type segments struct {
	segments int
	methods  string
}

// columnSegments is how each column of table is stored.
func columnSegments(ctx context.Context, conn *sql.Conn, table string) (map[string]segments, error) {
	rows, err := conn.QueryContext(ctx, `
		SELECT column_name, count(*), string_agg(DISTINCT lower(compression), ',' ORDER BY lower(compression))
		FROM pragma_storage_info(?)
		WHERE segment_type <> 'VALIDITY'
		GROUP BY column_name`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]segments{}
	for rows.Next() {
		var col string
		var s segments
		if err := rows.Scan(&col, &s.segments, &s.methods); err != nil {
			return nil, err
		}
		out[col] = s
	}
	return out, rows.Err()
}
