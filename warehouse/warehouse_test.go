package warehouse

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// open opens a fresh warehouse in a folder that does not exist yet and
// closes it at the end of the test.
func open(t *testing.T, opt Options) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "var", "nested", "huzhu.duckdb")
	d, err := Open(t.Context(), path, opt)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// column is a row of information_schema.columns.
type column struct{ name, typ string }

// wantTables are the ops tables the migrations create, with their columns
// in order: the ops schema of marts.md and what the stages keep besides.
var wantTables = map[string][]column{
	"ops.schema_migrations": {{"version", "INTEGER"}, {"name", "VARCHAR"}, {"applied_at", "TIMESTAMP"}},
	"ops.runs": {{"run_id", "VARCHAR"}, {"started_at", "TIMESTAMP WITH TIME ZONE"}, {"finished_at", "TIMESTAMP WITH TIME ZONE"},
		{"status", "VARCHAR"}, {"exit_code", "INTEGER"}, {"stages", "VARCHAR"}, {"config_hash", "VARCHAR"}, {"code_version", "VARCHAR"}},
	"ops.loads": {{"load_id", "VARCHAR"}, {"run_id", "VARCHAR"}, {"operator_code", "VARCHAR"}, {"source_kind", "VARCHAR"},
		{"entity", "VARCHAR"}, {"batch", "VARCHAR"}, {"rows_received", "BIGINT"}, {"rows_loaded", "BIGINT"},
		{"rows_quarantined", "BIGINT"}, {"watermark_from", "VARCHAR"}, {"watermark_to", "VARCHAR"}, {"checksum", "VARCHAR"},
		{"status", "VARCHAR"}, {"reason", "VARCHAR"}, {"loaded_at", "TIMESTAMP WITH TIME ZONE"}, {"pseudonymised", "BOOLEAN"}},
	"ops.watermarks": {{"operator_code", "VARCHAR"}, {"source_kind", "VARCHAR"}, {"entity", "VARCHAR"},
		{"watermark", "VARCHAR"}, {"cursor", "VARCHAR"}, {"updated_at", "TIMESTAMP WITH TIME ZONE"}},
	"ops.quarantine": {{"load_id", "VARCHAR"}, {"entity", "VARCHAR"}, {"source_row", "VARCHAR"},
		{"reason_code", "VARCHAR"}, {"reason", "VARCHAR"}, {"raw_record", "VARCHAR"}},
	"ops.reconciliation": {{"run_id", "VARCHAR"}, {"operator_code", "VARCHAR"}, {"entity", "VARCHAR"},
		{"operator_reported_rows", "BIGINT"}, {"received", "BIGINT"}, {"kept", "BIGINT"}, {"quarantined", "BIGINT"},
		{"duplicates", "BIGINT"}, {"difference", "BIGINT"}, {"load_id", "VARCHAR"}},
	"ops.transform_loads": {{"load_id", "VARCHAR"}, {"entity", "VARCHAR"}, {"run_id", "VARCHAR"},
		{"transformed_at", "TIMESTAMP WITH TIME ZONE"}},
	"ops.pseudonym_key": {{"fingerprint", "VARCHAR"}, {"first_run", "VARCHAR"}},
	"ops.load_numbers":  {{"load_id", "VARCHAR"}, {"load_no", "BIGINT"}},
}

func TestOpenCreatesSchema(t *testing.T) {
	ctx := t.Context()
	d := open(t, Options{})

	schemas := map[string]bool{}
	rows, err := d.SQL().QueryContext(ctx, `SELECT schema_name FROM information_schema.schemata WHERE catalog_name = current_database()`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		schemas[s] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"raw", "core", "mart", "ops"} {
		if !schemas[s] {
			t.Errorf("schema %s missing; have %v", s, schemas)
		}
	}

	got := map[string][]column{}
	rows, err = d.SQL().QueryContext(ctx, `
		SELECT table_schema || '.' || table_name, column_name, data_type
		FROM information_schema.columns
		WHERE table_schema = 'ops'
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var c column
		if err := rows.Scan(&table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		got[table] = append(got[table], c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for table, want := range wantTables {
		if !reflect.DeepEqual(got[table], want) {
			t.Errorf("columns of %s = %v, want %v", table, got[table], want)
		}
	}
	for table := range got {
		if _, ok := wantTables[table]; !ok {
			t.Errorf("unexpected table %s", table)
		}
	}
}

func TestReopenAppliesNothingTwice(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "huzhu.duckdb")
	ms, err := loadMigrations(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		version int
		name    string
		at      time.Time
	}
	read := func() []rec {
		t.Helper()
		d, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer d.Close()
		rows, err := d.SQL().QueryContext(ctx, `SELECT version, name, applied_at FROM ops.schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []rec
		for rows.Next() {
			var r rec
			if err := rows.Scan(&r.version, &r.name, &r.at); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := read()
	if len(first) != len(ms) {
		t.Fatalf("after first Open: %d migrations recorded, want %d (%v)", len(first), len(ms), first)
	}
	for i, m := range ms {
		if first[i].version != m.version || first[i].name != m.name {
			t.Errorf("record %d = %v, want version %d name %s", i, first[i], m.version, m.name)
		}
	}
	if second := read(); !reflect.DeepEqual(second, first) {
		t.Errorf("after reopening: records %v, want unchanged %v", second, first)
	}
}

func TestOpenSettings(t *testing.T) {
	cases := []struct {
		opt         Options
		wantMemory  string // as DuckDB prints it
		wantThreads int64
	}{
		{Options{MemoryLimit: "1GiB", Threads: 1}, "1.0 GiB", 1},
		{Options{MemoryLimit: "512MiB", Threads: 2}, "512.0 MiB", 2},
	}
	for _, tc := range cases {
		d := open(t, tc.opt)
		var mem string
		var threads int64
		if err := d.SQL().QueryRowContext(t.Context(), `SELECT current_setting('memory_limit'), current_setting('threads')`).Scan(&mem, &threads); err != nil {
			t.Fatal(err)
		}
		if mem != tc.wantMemory || threads != tc.wantThreads {
			t.Errorf("Open(%+v): memory_limit %q, threads %d; want %q, %d", tc.opt, mem, threads, tc.wantMemory, tc.wantThreads)
		}
	}
}

func TestOpenBadOptions(t *testing.T) {
	cases := []struct {
		name string
		path string
		opt  Options
		want string
	}{
		{"memory limit without unit", "w.duckdb", Options{MemoryLimit: "lots"}, `set memory_limit "lots"`},
		// A value that would break out of a quoted literal is only a bad
		// value, because it is passed as a parameter.
		{"memory limit injection", "w.duckdb", Options{MemoryLimit: "1GB'; DROP SCHEMA ops; --"}, "set memory_limit"},
		{"negative threads", "w.duckdb", Options{Threads: -1}, "threads -1 is negative"},
		{"question mark in path", "w?.duckdb", Options{}, "must not contain '?'"},
		{"read-only file that does not exist", "missing.duckdb", Options{ReadOnly: true}, "missing.duckdb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.path)
			d, err := Open(t.Context(), path, tc.opt)
			if err == nil {
				d.Close()
				t.Fatalf("Open(%q, %+v) succeeded, want an error", path, tc.opt)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "warehouse open "+path) {
				t.Errorf("Open(%q, %+v) error = %q, want it to name the path and contain %q", path, tc.opt, err, tc.want)
			}
		})
	}
}

func TestOpenReadOnly(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "huzhu.duckdb")
	w, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("Open read-only: %v", err)
	}
	defer r.Close()
	var n int
	if err := r.SQL().QueryRowContext(ctx, `SELECT count(*) FROM ops.runs`).Scan(&n); err != nil {
		t.Errorf("query a read-only warehouse: %v", err)
	}
	if err := r.BeginRun(ctx, RunInfo{RunID: "r"}); err == nil {
		t.Errorf("BeginRun on a read-only warehouse succeeded")
	}
}

func TestOpenInMemory(t *testing.T) {
	d, err := Open(t.Context(), InMemory, Options{})
	if err != nil {
		t.Fatalf("Open(%q): %v", InMemory, err)
	}
	defer d.Close()
	if err := d.BeginRun(t.Context(), RunInfo{RunID: "r"}); err != nil {
		t.Errorf("BeginRun in memory: %v", err)
	}
}

func TestOpenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	path := filepath.Join(t.TempDir(), "huzhu.duckdb")
	d, err := Open(ctx, path, Options{})
	if err == nil {
		d.Close()
		t.Fatal("Open with a cancelled context succeeded")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: error %v, want context.Canceled", err)
	}
}
