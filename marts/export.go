package marts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Export writes every mart table as Parquet under dir/<table>/, partitioned
// Hive-style by pool and year (pool_code=…/year=…/data_0.parquet; rows of no
// pool under pool_code=all), rows sorted so that the same marts give the
// same files, and a Frictionless data package, dir/datapackage.json, that
// describes each table: its files, fields, types and, for money, the unit.
// The partition columns are in every file too (a reader without Hive
// partitioning, a Frictionless one, still has pool_code and year), and a
// mart without rows is one file without rows (pool_code=all/year=0), so
// that a reader of every mart's files never finds a folder empty.
func Export(ctx context.Context, db *sql.DB, dir string) (*DataPackage, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("marts export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("marts export: %w", err)
	}
	tables, err := martTables(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("marts export: %w", err)
	}
	pkg := &DataPackage{Profile: "data-package", Name: "huzhu-marts", Title: "huzhu 职工互助保障 marts"}
	// Two tables at a time, each COPY on its own connection: a night's
	// marts are small, and one COPY a time left a core idle (0.2–0.3 s of
	// a night at 1 M members).
	pkg.Resources = make([]Resource, len(tables))
	var g errgroup.Group
	g.SetLimit(2)
	for i, t := range tables {
		g.Go(func() error {
			res, err := exportTable(ctx, db, dir, t)
			pkg.Resources[i] = res
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err // names the table
	}
	refs, err := exportReference(ctx, db, dir)
	if err != nil {
		return nil, err // names the table
	}
	pkg.Resources = append(pkg.Resources, refs...)
	b, err := json.MarshalIndent(pkg, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marts export: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("marts export: %w", err)
	}
	return pkg, nil
}

// exportTable writes one mart table as Parquet under dir/<table>/ and
// describes it.
func exportTable(ctx context.Context, db *sql.DB, dir string, t martTable) (Resource, error) {
	yearExpr := ""
	for _, c := range []string{"fiscal_year", "month", "as_of_month"} {
		if t.has(c) {
			yearExpr = c
			if c != "fiscal_year" {
				yearExpr = "year(" + c + ")"
			}
			break
		}
	}
	if yearExpr == "" {
		yearExpr = "0"
	}
	pool := "'all'"
	if t.has("pool_code") {
		pool = "coalesce(pool_code, 'all')"
	}
	out := filepath.Join(dir, t.name)
	// COPY takes its target as a literal: the path is ours (the config's
	// out folder), quoted here; table and column names come from the
	// catalog.
	q := fmt.Sprintf("COPY (SELECT %s, %s AS pool_code, %s AS year FROM mart.%s ORDER BY ALL) TO %s (FORMAT PARQUET, PARTITION_BY (pool_code, year), WRITE_PARTITION_COLUMNS true, OVERWRITE_OR_IGNORE)",
		starExcept(t), pool, yearExpr, t.name, quote(out))
	if _, err := db.ExecContext(ctx, q); err != nil {
		return Resource{}, fmt.Errorf("marts export %s: %w", t.name, err)
	}
	files, err := parquetFiles(dir, out)
	if err != nil {
		return Resource{}, fmt.Errorf("marts export %s: %w", t.name, err)
	}
	if len(files) == 0 {
		// No rows: COPY … PARTITION_BY writes no file of none.
		empty := filepath.Join(out, "pool_code=all", "year=0")
		if err := os.MkdirAll(empty, 0o755); err != nil {
			return Resource{}, fmt.Errorf("marts export %s: %w", t.name, err)
		}
		q := fmt.Sprintf("COPY (SELECT %s, %s AS pool_code, %s AS year FROM mart.%s LIMIT 0) TO %s (FORMAT PARQUET)",
			starExcept(t), pool, yearExpr, t.name, quote(filepath.Join(empty, "data_0.parquet")))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return Resource{}, fmt.Errorf("marts export %s: %w", t.name, err)
		}
		files = []string{t.name + "/pool_code=all/year=0/data_0.parquet"}
	}
	res := Resource{Name: t.name, Path: files, Format: "parquet", Mediatype: "application/vnd.apache.parquet"}
	for _, c := range t.cols {
		f := field(c)
		if c.name == "pool_code" {
			f.Description = "partition (pool_code=… folder, and a column of each file); 'all' for a row above the pool"
		}
		res.Schema.Fields = append(res.Schema.Fields, f)
	}
	if !t.has("pool_code") {
		res.Schema.Fields = append(res.Schema.Fields, Field{Name: "pool_code", Type: "string", Description: "partition (pool_code=… folder, and a column of each file): 'all'"})
	}
	// (No x-duckdb-type: it is no column of the mart, and a roll-up
	// leaves out the fields without one.)
	res.Schema.Fields = append(res.Schema.Fields, Field{Name: "year", Type: "integer",
		Description: "partition (year=… folder, and a column of each file): the row's year, 0 for a mart without a date"})
	return res, nil
}

// parquetFiles lists the Parquet files under out, relative to dir with
// forward slashes, sorted.
func parquetFiles(dir, out string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == out && errors.Is(err, fs.ErrNotExist) {
				return nil // a COPY of no rows made no folder
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".parquet") {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// ReferenceTables are the core dimensions exported beside the marts, under
// reference/: the names and places of organisations, pools and
// activities that the codes in the marts stand for. None holds a person.
// A national roll-up (Rollup) rebuilds them from the pools' exports.
var ReferenceTables = []string{"dim_org", "dim_pool", "dim_activity"}

// exportReference writes each reference table that exists as
// reference/<name>.parquet, rows sorted.
func exportReference(ctx context.Context, db *sql.DB, dir string) ([]Resource, error) {
	var out []Resource
	for _, name := range ReferenceTables {
		cols, err := tableColumns(ctx, db, "core", name)
		if err != nil {
			return nil, fmt.Errorf("marts export reference %s: %w", name, err)
		}
		if len(cols) == 0 {
			continue
		}
		rel := "reference/" + name + ".parquet"
		if err := os.MkdirAll(filepath.Join(dir, "reference"), 0o755); err != nil {
			return nil, fmt.Errorf("marts export reference %s: %w", name, err)
		}
		q := fmt.Sprintf("COPY (SELECT * FROM core.%s ORDER BY ALL) TO %s (FORMAT PARQUET)", name, quote(filepath.Join(dir, filepath.FromSlash(rel))))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("marts export reference %s: %w", name, err)
		}
		res := Resource{Name: name, Path: []string{rel}, Format: "parquet", Mediatype: "application/vnd.apache.parquet"}
		for _, c := range cols {
			res.Schema.Fields = append(res.Schema.Fields, field(c))
		}
		out = append(out, res)
	}
	return out, nil
}

// tableColumns returns a table's (or view's) columns in order; none when
// it does not exist.
func tableColumns(ctx context.Context, db *sql.DB, schema, name string) ([]martColumn, error) {
	rows, err := db.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, schema, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []martColumn
	for rows.Next() {
		var c martColumn
		if err := rows.Scan(&c.name, &c.typ); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// starExcept is the table's columns but the ones the partition columns
// replace (pool_code, and a column named year).
func starExcept(t martTable) string {
	var ex []string
	for _, c := range []string{"pool_code", "year"} {
		if t.has(c) {
			ex = append(ex, c)
		}
	}
	if len(ex) == 0 {
		return "*"
	}
	return "* EXCLUDE (" + strings.Join(ex, ", ") + ")"
}

type martColumn struct{ name, typ string }

type martTable struct {
	name string
	cols []martColumn
}

func (t martTable) has(c string) bool {
	for _, x := range t.cols {
		if x.name == c {
			return true
		}
	}
	return false
}

func martTables(ctx context.Context, db *sql.DB) ([]martTable, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = 'mart' ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []martTable
	for rows.Next() {
		var t, c, typ string
		if err := rows.Scan(&t, &c, &typ); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].name != t {
			out = append(out, martTable{name: t})
		}
		out[len(out)-1].cols = append(out[len(out)-1].cols, martColumn{c, typ})
	}
	return out, rows.Err()
}

// DataPackage is a Frictionless data package (datapackage.json).
type DataPackage struct {
	Profile   string     `json:"profile"`
	Name      string     `json:"name"`
	Title     string     `json:"title"`
	Resources []Resource `json:"resources"`
}

// Resource is one table of the package.
type Resource struct {
	Name      string   `json:"name"`
	Path      []string `json:"path"`
	Format    string   `json:"format"`
	Mediatype string   `json:"mediatype"`
	Schema    struct {
		Fields []Field `json:"fields"`
	} `json:"schema"`
}

// Field is one column of a resource.
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Unit        string `json:"unit,omitempty"`
	Description string `json:"description,omitempty"`
	// DuckDBType is the column's type in the warehouse (a Frictionless
	// custom property), which a roll-up recreates the table with.
	DuckDBType string `json:"x-duckdb-type,omitempty"`
}

// field maps a DuckDB column to a Frictionless field: money (DECIMAL(18,2))
// is a number in yuan.
func field(c martColumn) Field {
	f := Field{Name: c.name, Type: "string", DuckDBType: c.typ}
	switch t := c.typ; {
	case strings.HasPrefix(t, "DECIMAL"):
		f.Type, f.Unit = "number", "CNY"
	case t == "DOUBLE" || t == "FLOAT":
		f.Type = "number"
	case t == "INTEGER" || t == "BIGINT" || t == "HUGEINT" || t == "SMALLINT":
		f.Type = "integer"
	case t == "BOOLEAN":
		f.Type = "boolean"
	case t == "DATE":
		f.Type = "date"
	case strings.HasPrefix(t, "TIMESTAMP"):
		f.Type = "datetime"
	}
	return f
}
