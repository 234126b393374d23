package transform

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
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
