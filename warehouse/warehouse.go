// Package warehouse is the plumbing every stage shares: the DuckDB file
// with its schemas (raw, core, mart, ops), the migrations that build them,
// the run log in ops.runs, and the writer lock that keeps two nightly runs
// from writing one warehouse at once.
//
// What goes in is a file path and the limits of the configuration; what
// comes out is a *DB whose schema is at the version this binary was built
// with, and whose *sql.DB (SQL) the stages use directly. The stages depend
// on this package, never the other way round.
//
// A writer takes the lock (AcquireLock) before Open and releases it after
// Close; readers open with Options.ReadOnly and take no lock.
package warehouse

import (
	"context"
	"database/sql"
	_ "embed" // SQL statements live in sql/*.sql
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// InMemory is the path that opens a private in-memory warehouse, for tests
// of the stages; nothing is written to disk.
const InMemory = ":memory:"

// Options are the DuckDB settings a warehouse is opened with.
type Options struct {
	// MemoryLimit is DuckDB's memory_limit, e.g. "4GB" or "512MiB"; empty
	// keeps DuckDB's default (80% of RAM). DuckDB checks the syntax.
	MemoryLimit string
	// Threads is DuckDB's threads; 0 keeps DuckDB's default (one per core).
	Threads int
	// ReadOnly opens the file for reading only (DuckDB access_mode
	// read_only): no migration is applied, and Open fails unless the file
	// already has every migration this binary knows.
	ReadOnly bool
}

// DB is an open warehouse. It is safe for concurrent use, as *sql.DB is.
type DB struct {
	db   *sql.DB
	path string
	// now is the clock of the run log; tests replace it.
	now func() time.Time
}

var (
	//go:embed sql/set_memory_limit.sql
	setMemoryLimitSQL string
	//go:embed sql/set_threads.sql
	setThreadsSQL string
	//go:embed sql/set_insertion_order.sql
	setInsertionOrderSQL string
)

// Open opens (creating it and its folder if need be) the DuckDB file at
// path, applies opt, and brings the schema up to date by applying the
// embedded migrations not yet recorded in ops.schema_migrations. Pass
// InMemory for a throwaway warehouse.
//
// DuckDB itself allows one writing process per file; a second process
// fails here with DuckDB's "could not set lock" error. The writer lock
// (AcquireLock) is what gives a second run a clear message instead.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	fail := func(err error) (*DB, error) {
		return nil, fmt.Errorf("warehouse open %s: %w", path, err)
	}
	if opt.Threads < 0 {
		return fail(fmt.Errorf("threads %d is negative", opt.Threads))
	}
	// The DSN is a URL: the driver cuts the path at the first '?'. Rather
	// than escape, refuse; no sane warehouse path has one.
	if strings.Contains(path, "?") {
		return fail(errors.New("path must not contain '?'"))
	}
	dsn := path
	if path == InMemory {
		if opt.ReadOnly {
			return fail(errors.New("an in-memory warehouse cannot be read-only"))
		}
	} else {
		if path == "" {
			return fail(errors.New("empty path"))
		}
		if opt.ReadOnly {
			dsn += "?access_mode=read_only"
		} else if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fail(err)
		}
	}
	// NewConnector opens the database now, so that a missing file or a
	// lock held by another process is reported here, not at first query.
	conn, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return fail(err)
	}
	d := &DB{db: sql.OpenDB(conn), path: path, now: time.Now}
	if err := d.setup(ctx, opt); err != nil {
		if cerr := d.db.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return fail(err)
	}
	return d, nil
}

// setup applies the settings and the migrations.
func (d *DB) setup(ctx context.Context, opt Options) error {
	// memory_limit and threads are global settings of the database
	// instance, so setting them once covers every pooled connection. The
	// values go in as parameters, never spliced into the statement.
	if opt.MemoryLimit != "" {
		if _, err := d.db.ExecContext(ctx, setMemoryLimitSQL, opt.MemoryLimit); err != nil {
			return fmt.Errorf("set memory_limit %q: %w", opt.MemoryLimit, err)
		}
	}
	if opt.Threads > 0 {
		if _, err := d.db.ExecContext(ctx, setThreadsSQL, int64(opt.Threads)); err != nil {
			return fmt.Errorf("set threads %d: %w", opt.Threads, err)
		}
	}
	if _, err := d.db.ExecContext(ctx, setInsertionOrderSQL); err != nil {
		return fmt.Errorf("set preserve_insertion_order: %w", err)
	}
	if opt.ReadOnly {
		return checkMigrated(ctx, d.db, migrationFiles)
	}
	return migrate(ctx, d.db, migrationFiles, d.now)
}

// SQL returns the database handle for the stages' own queries. It stays
// owned by the DB: close the DB, not the handle.
func (d *DB) SQL() *sql.DB { return d.db }

// Path returns the path the warehouse was opened with.
func (d *DB) Path() string { return d.path }

// Close closes the database; DuckDB checkpoints the write-ahead log into
// the file on the way.
func (d *DB) Close() error {
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("warehouse close %s: %w", d.path, err)
	}
	return nil
}
