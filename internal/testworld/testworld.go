// Package testworld builds, for tests of the later stages (reports, site,
// the nightly run), a warehouse the way a night builds it: a simulated
// world dropped as files, extracted, transformed and turned into marts —
// all real, nothing mocked. Building takes a few seconds at the default
// size, so a test binary builds it once and shares it (Shared).
package testworld

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/marts"
	"huzhu/opsim"
	"huzhu/transform"
	"huzhu/warehouse"
)

// Options size the world.
type Options struct {
	Members    int     // default 3000
	Operators  int     // default 5 (four provinces, provincial and city pools)
	Years      int     // default 2
	DefectRate float64 // planted defects; default 0.002 (some findings to show)
	Seed       uint64  // default 1
}

// World is a built warehouse with its simulated world.
type World struct {
	DB        *warehouse.DB
	Sim       *opsim.World
	Dir       string // the folder holding drops/ and answer-key.jsonl
	Warehouse string // the warehouse file
	RunID     string // the marts' run id
}

func (o Options) withDefaults() Options {
	if o.Members == 0 {
		o.Members = 3000
	}
	if o.Operators == 0 {
		o.Operators = 5
	}
	if o.Years == 0 {
		o.Years = 2
	}
	if o.DefectRate == 0 {
		o.DefectRate = 0.002
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Key is the pseudonymisation key test worlds use.
var Key = []byte("testworld-key-0123456789abcdef")

// Build builds a world into a warehouse file under dir (a temp dir when
// empty). The caller closes World.DB.
func Build(ctx context.Context, dir string, o Options) (*World, error) {
	o = o.withDefaults()
	p := opsim.DefaultParams()
	p.Seed, p.Members, p.Operators, p.Years, p.DefectRate = o.Seed, o.Members, o.Operators, o.Years, o.DefectRate
	sim, err := opsim.NewWorld(p)
	if err != nil {
		return nil, err
	}
	drops := filepath.Join(dir, "drops")
	if _, err := sim.Drop(opsim.DropOptions{Out: drops, Format: "parquet", KeyPath: filepath.Join(dir, "answer-key.jsonl")}); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "huzhu.duckdb")
	db, err := warehouse.Open(ctx, path, warehouse.Options{})
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := &config.Config{Warehouse: path}
	for _, op := range sim.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(drops, op.Code)})
	}
	w := &World{DB: db, Sim: sim, Dir: dir, Warehouse: path, RunID: "testworld-run"}
	if _, err := extract.Run(ctx, db.SQL(), cfg, "testworld-extract", extract.Options{Logger: quiet}, 2); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := transform.Run(ctx, db.SQL(), "testworld-transform", Key, transform.Options{Logger: quiet}); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := marts.Run(ctx, db.SQL(), w.RunID, config.DefaultRules()); err != nil {
		db.Close()
		return nil, err
	}
	return w, nil
}

var (
	sharedOnce sync.Once
	shared     *World
	sharedErr  error
)

// Shared returns the default world, built once per test binary in a
// temporary folder that lives as long as the binary. Tests must only read
// it.
func Shared(t testing.TB) *World {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := os.MkdirTemp("", "huzhu-testworld-")
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = Build(context.Background(), dir, Options{})
	})
	if sharedErr != nil {
		t.Fatalf("testworld: %v", sharedErr)
	}
	return shared
}

// RemoveShared closes and removes the shared world; a package's TestMain
// calls it after m.Run.
func RemoveShared() {
	if shared != nil {
		shared.DB.Close()
		os.RemoveAll(shared.Dir)
	}
}
