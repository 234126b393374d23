package marts

import (
	"context"
	"database/sql"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"huzhu/internal/config"
	"huzhu/internal/sqlmodel"
	"huzhu/transform"
	"huzhu/warehouse"
)

// modelConn opens an in-memory warehouse, runs the setup statements (the
// hand-made core tables a test needs) and prepares the marts' variables and
// temp tables with rules, on one connection that the test then uses.
func modelConn(t *testing.T, rules config.Rules, setup ...string) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, q := range append([]string{"CREATE SCHEMA IF NOT EXISTS core"}, setup...) {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("setup %q: %v", q, err)
		}
	}
	if err := prepare(ctx, conn, "run", rules); err != nil {
		t.Fatal(err)
	}
	return conn
}

// runModel runs the model sql/<file> on conn; false when there is no such
// model.
func runModel(t *testing.T, conn *sql.Conn, file string) bool {
	t.Helper()
	text, err := fs.ReadFile(sqlFS, "sql/"+file)
	if err != nil {
		return false
	}
	m, err := sqlmodel.Parse("sql/"+file, string(text))
	if err != nil {
		t.Fatal(err)
	}
	// The run's work tables the model reads (work.*) are built first, and
	// before them the transform's aggregates of the hand-made receipts.
	all, err := sqlmodel.Load(sqlFS, "sql")
	if err != nil {
		t.Fatal(err)
	}
	deps := slices.Clone(m.Depends)
	for _, w := range all {
		if slices.Contains(m.Depends, w.Output) {
			deps = append(deps, w.Depends...)
		}
	}
	if slices.Contains(deps, "core.agg_contribution") {
		ctx := context.Background()
		if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS core.dim_org (org_code VARCHAR, pool_code VARCHAR, is_current BOOLEAN)`); err != nil {
			t.Fatal(err)
		}
		if err := transform.BuildAggregates(ctx, conn); err != nil {
			t.Fatal(err)
		}
	}
	for _, dep := range m.Depends {
		for _, w := range all {
			if w.Output == dep && strings.HasPrefix(dep, "work.") {
				if err := sqlmodel.RunOne(context.Background(), conn, w); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := sqlmodel.RunOne(context.Background(), conn, m); err != nil {
		t.Fatal(err)
	}
	return true
}
