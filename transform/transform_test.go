package transform

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/opsim"
	"huzhu/warehouse"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var testKey = []byte("transform-test-key-0123456789")

// loadWorld drops a simulated world and extracts every operator into a new
// in-memory warehouse.
func loadWorld(t testing.TB, p opsim.Params) (*warehouse.DB, *opsim.World, string) {
	t.Helper()
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	db, err := warehouse.Open(context.Background(), warehouse.InMemory, warehouse.Options{})
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

func smallParams(members int, defects float64) opsim.Params {
	p := opsim.DefaultParams()
	p.Members, p.DefectRate = members, defects
	return p
}

// TestScrubRefusesToLeavePlaintext: a raw member row of the loads that the
// scrub's update did not reach (here: one the stage never saw) fails the
// entity instead of keeping its personal data, and the error names no
// personal data.
func TestScrubRefusesToLeavePlaintext(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := DefineMacros(ctx, conn); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TEMP TABLE new_loads AS SELECT 'L1' AS load_id",
		`CREATE TEMP TABLE stage_members (raw_row BIGINT, load_id VARCHAR, source_pos VARCHAR,
			scrub_id_number VARCHAR, scrub_name VARCHAR, scrub_phone VARCHAR)`,
		`INSERT INTO raw.members (id_number, name, source_pos, load_id, source_operator, source_kind, ingested_at)
			VALUES ('11010119900307803X', '张三', 'm.csv:2', 'L1', 'OP', 'files', now())`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	err = exec(ctx, conn, "sql/scrub_members.sql", mustRead("sql/scrub_members.sql"))
	if err == nil || !strings.Contains(err.Error(), "1 raw rows still hold personal data") {
		t.Fatalf("scrub of a row the stage missed: %v", err)
	}
	if strings.Contains(err.Error(), "张三") || strings.Contains(err.Error(), "11010119900307803X") {
		t.Errorf("the error names personal data: %v", err)
	}
}
