package marts

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// RollupResult is what a roll-up read.
type RollupResult struct {
	Pools  []string         `json:"pools"` // the export folders read
	Tables map[string]int64 `json:"tables"`
}

// Rollup builds the marts of a higher level (the nation, a province) from
// the Parquet exports of the pools' own runs alone — each dir a pool's
// export as Export wrote it (datapackage.json beside one folder per table)
// — into db's mart schema, and the reference tables into core. Every mart
// is a union of the pools' rows: each mart's grain lies within one pool
// (marts.md), so nothing is recomputed. Pools run as independent jobs;
// this is the one step that sees them all.
func Rollup(ctx context.Context, db *sql.DB, dirs []string) (*RollupResult, error) {
	if len(dirs) == 0 {
		return nil, fmt.Errorf("marts rollup: no pool exports to read")
	}
	dirs = slices.Clone(dirs)
	sort.Strings(dirs)
	// Each table's schema, from the first package that has it; its files,
	// from every package.
	type table struct {
		fields []Field
		files  []string
		ref    bool
	}
	tables := map[string]*table{}
	var order []string
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "datapackage.json"))
		if err != nil {
			return nil, fmt.Errorf("marts rollup: %w", err)
		}
		var pkg DataPackage
		if err := json.Unmarshal(raw, &pkg); err != nil {
			return nil, fmt.Errorf("marts rollup: %s: %w", d, err)
		}
		for _, res := range pkg.Resources {
			if err := checkResource(res); err != nil {
				return nil, fmt.Errorf("marts rollup: %s: %w", filepath.Join(d, "datapackage.json"), err)
			}
			t := tables[res.Name]
			if t == nil {
				t = &table{fields: res.Schema.Fields, ref: slices.Contains(ReferenceTables, res.Name)}
				tables[res.Name] = t
				order = append(order, res.Name)
			}
			for _, p := range res.Path {
				t.files = append(t.files, filepath.Join(d, filepath.FromSlash(p)))
			}
		}
	}
	res := &RollupResult{Pools: dirs, Tables: map[string]int64{}}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("marts rollup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("marts rollup: %w", err)
	}
	fail := func(name string, err error) (*RollupResult, error) {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, fmt.Errorf("marts rollup %s: %w", name, err)
	}
	for _, q := range []string{"CREATE SCHEMA IF NOT EXISTS mart", "CREATE SCHEMA IF NOT EXISTS core"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fail("schemas", err)
		}
	}
	for _, name := range order {
		t := tables[name]
		schema := "mart"
		if t.ref {
			schema = "core"
		}
		// The table's own columns, without the partition columns Export
		// adds (pool_code stands in for a NULL pool as 'all').
		var defs, sel []string
		for _, f := range t.fields {
			if f.DuckDBType == "" {
				continue // a partition column of the export
			}
			defs = append(defs, ident(f.Name)+" "+f.DuckDBType)
			src := ident(f.Name)
			if f.Name == "pool_code" && !t.ref {
				src = "nullif(pool_code, 'all')"
			}
			sel = append(sel, fmt.Sprintf("CAST(%s AS %s)", src, f.DuckDBType))
		}
		if len(defs) == 0 {
			return fail(name, fmt.Errorf("datapackage.json gives no column types (an export of an earlier version?)"))
		}
		// Names and types come from the packages, checked by
		// checkResource (plain identifiers, quoted here; type names
		// without quotes or punctuation), paths quoted as literals.
		target := schema + "." + ident(name)
		ddl := fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", target, strings.Join(defs, ", "))
		// A view of that name (a warehouse whose marts made it one) gives
		// way to the table; DuckDB refuses DROP VIEW on a table, which
		// the roll-up's own previous night left.
		var views int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_views() WHERE schema_name = ? AND view_name = ?", schema, name).Scan(&views); err != nil {
			return fail(name, err)
		}
		if views > 0 {
			if _, err := conn.ExecContext(ctx, "DROP VIEW "+target); err != nil {
				return fail(name, err)
			}
		}
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return fail(name, err)
		}
		if len(t.files) == 0 {
			continue
		}
		files := make([]string, len(t.files))
		for i, f := range t.files {
			files[i] = quote(f)
		}
		distinct := ""
		if t.ref {
			// An organisation (a federation) may appear in several pools.
			distinct = "DISTINCT "
		}
		q := fmt.Sprintf("INSERT INTO %s SELECT %s%s FROM read_parquet([%s], hive_partitioning = %v, union_by_name = true)",
			target, distinct, strings.Join(sel, ", "), strings.Join(files, ", "), !t.ref)
		r, err := conn.ExecContext(ctx, q)
		if err != nil {
			return fail(name, err)
		}
		res.Tables[name], _ = r.RowsAffected()
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fail("commit", err)
	}
	return res, nil
}

var (
	// identRe is a name a roll-up accepts from a data package: what our
	// exports write (lower-case table and column names).
	identRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	// typeRe is a DuckDB type name as duckdb_columns() spells it:
	// VARCHAR, DECIMAL(18,2), TIMESTAMP WITH TIME ZONE, VARCHAR[].
	typeRe = regexp.MustCompile(`^[A-Z][A-Z0-9]*( [A-Z][A-Z0-9]*)*(\([0-9]{1,2}(,[0-9]{1,2})?\))?(\[\])?$`)
)

// checkResource refuses a data package resource whose names, types or
// paths a roll-up would not put into SQL or read as they are: the folders
// it reads are other jobs' outputs, handed over on a shared volume, so
// its datapackage.json is input, not ours. Each path must lie inside the
// package's folder.
func checkResource(res Resource) error {
	if !identRe.MatchString(res.Name) {
		return fmt.Errorf("resource name %q is not a table name of an export", res.Name)
	}
	for _, f := range res.Schema.Fields {
		if !identRe.MatchString(f.Name) {
			return fmt.Errorf("%s: field name %q is not a column name of an export", res.Name, f.Name)
		}
		if f.DuckDBType != "" && !typeRe.MatchString(f.DuckDBType) {
			return fmt.Errorf("%s.%s: %q is not a DuckDB type name", res.Name, f.Name, f.DuckDBType)
		}
	}
	for _, p := range res.Path {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			return fmt.Errorf("%s: path %q leaves the package's folder", res.Name, p)
		}
	}
	return nil
}

// ident quotes a name checked by identRe.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
