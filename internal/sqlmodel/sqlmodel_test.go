package sqlmodel

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	text := "-- model: a\n-- depends: b\n\nCREATE TABLE a AS SELECT ';' AS x; -- trailing ; comment\n\n/* block ; */\nINSERT INTO a\nSELECT \"x;y\" FROM b;\nSELECT 1; SELECT 2\n"
	got := Split(text)
	want := []struct {
		line   int
		prefix string
	}{{4, "CREATE TABLE a"}, {7, "INSERT INTO a"}, {9, "SELECT 1"}, {9, " SELECT 2"}}
	if len(got) != len(want) {
		t.Fatalf("Split = %d statements %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		if got[i].Line != w.line || !strings.HasPrefix(got[i].SQL, w.prefix) && !strings.Contains(got[i].SQL, strings.TrimSpace(w.prefix)) {
			t.Errorf("statement %d = line %d %q, want line %d starting %q", i, got[i].Line, got[i].SQL, w.line, w.prefix)
		}
	}
}

func TestParseAndOrder(t *testing.T) {
	a, err := Parse("sql/a.sql", "-- model: core.a\n-- depends: core.b, raw.x\nSELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse("sql/b.sql", "-- model: core.b\n-- depends: core.c\nSELECT 1")
	c, _ := Parse("sql/c.sql", "-- model: core.c\nSELECT 1")
	got, err := Order([]*Model{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range got {
		names = append(names, m.Output)
	}
	if strings.Join(names, ",") != "core.c,core.b,core.a" {
		t.Errorf("Order = %v, want core.c,core.b,core.a", names)
	}
	r1, _ := Parse("sql/r1.sql", "-- model: rule.r1\nSELECT 1")
	r2, _ := Parse("sql/r2.sql", "-- model: rule.r2\nSELECT 1")
	all, _ := Parse("sql/all.sql", "-- model: mart.all\n-- depends: rule.*\nSELECT 1")
	got, err = Order([]*Model{all, r2, r1})
	if err != nil || got[2].Output != "mart.all" {
		t.Errorf("Order with rule.* = %v, %v; want mart.all last", got, err)
	}
	c2, _ := Parse("sql/c.sql", "-- model: core.c\n-- depends: core.a\nSELECT 1")
	if _, err := Order([]*Model{a, b, c2}); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("Order with a cycle = %v, want a cycle error", err)
	}
	if _, err := Parse("x.sql", "SELECT 1"); err == nil {
		t.Error("Parse without a header succeeded")
	}
}

func TestLocate(t *testing.T) {
	st := Stmt{SQL: "SELECT\n  nope\nFROM t", Line: 10}
	err := Locate("sql/m.sql", st, errors.New("Binder Error: Referenced column \"nope\" not found\n\nLINE 2:   nope\n          ^"))
	if got := err.Error(); !strings.HasPrefix(got, "sql/m.sql:11:3: Binder Error") {
		t.Errorf("Locate = %q, want sql/m.sql:11:3: Binder Error…", got)
	}
	err = Locate("sql/m.sql", st, errors.New("Catalog Error: Table with name t does not exist!"))
	if got := err.Error(); !strings.HasPrefix(got, "sql/m.sql:10:1: Catalog Error") {
		t.Errorf("Locate = %q, want sql/m.sql:10:1: Catalog Error…", got)
	}
}

func TestInsertRowsRefusesPartialRows(t *testing.T) {
	// Refused before the connection is used.
	if err := InsertRows(context.Background(), nil, "t", 3, []any{1, 2}); err == nil {
		t.Error("2 values taken as rows of 3")
	}
	if err := InsertRows(context.Background(), nil, "t", 3, nil); err != nil {
		t.Errorf("no rows: %v", err)
	}
}
