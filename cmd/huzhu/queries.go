package main

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"huzhu/internal/sqlmodel"
)

// The queries the run reads the warehouse with (gates, manifest, alert,
// the marts stage's summary), one a file in sql/, named by what it reads.
//
//go:embed sql/*.sql
var sqlFS embed.FS

// query is the text of sql/<name>.sql; a name not embedded is a bug.
func query(name string) string {
	b, err := sqlFS.ReadFile("sql/" + name + ".sql")
	if err != nil {
		panic(fmt.Sprintf("huzhu: no query %s: %v", name, err))
	}
	return string(b)
}

// eachRow runs the query name and calls fn on each row, closing the rows;
// a failed query, scan or iteration is its error.
func eachRow(ctx context.Context, db *sql.DB, name string, args []any, fn func(*sql.Rows) error) error {
	return sqlmodel.Each(ctx, db, sqlFS, "sql/"+name+".sql", fn, args...)
}

// queryRow runs the query name and scans its one row into dest.
func queryRow(ctx context.Context, db *sql.DB, name string, args []any, dest ...any) error {
	if err := db.QueryRowContext(ctx, query(name), args...).Scan(dest...); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// tableExists tells whether schema.name is a table or view of the
// warehouse.
func tableExists(ctx context.Context, db *sql.DB, schema, name string) (bool, error) {
	var n int
	err := queryRow(ctx, db, "table_exists", []any{schema, name}, &n)
	return n > 0, err
}
