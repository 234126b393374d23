package warehouse

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

//go:embed sql/compact.sql
var compactSQL string

// Compacted is what Compact did: the sizes of the warehouse file before
// and after.
type Compacted struct {
	Before int64 `json:"bytes_before"`
	After  int64 `json:"bytes_after"`
}

// Compact rewrites the warehouse file at path as a copy of what its tables
// hold now (sql/compact.sql: COPY FROM DATABASE into a new file, which then
// replaces it), and returns the sizes before and after.
//
// DuckDB reuses the blocks a change frees but does not clear them: an
// UPDATE or DELETE leaves the old values readable in the file until other
// data overwrites them. A warehouse that held a person's data in the clear
// — extracted by a build from before extract pseudonymised at the door,
// or without the key, and scrubbed by the transform after the fact — keeps
// id numbers, names and phones in those blocks; its copy holds none. It
// also gives back the space deleted rows left. The caller holds the writer
// lock (AcquireLock), and nothing else may have the file open.
//
// A copy interrupted leaves the warehouse as it was, and the unfinished
// copy (path + ".compact"), which the next Compact removes first.
func Compact(ctx context.Context, path string) (Compacted, error) {
	fail := func(err error) (Compacted, error) {
		return Compacted{}, fmt.Errorf("warehouse compact %s: %w", path, err)
	}
	if path == InMemory || path == "" {
		return fail(errors.New("not a file"))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail(err)
	}
	before, err := os.Stat(abs)
	if err != nil {
		return fail(err)
	}
	tmp := abs + ".compact"
	for _, p := range []string{tmp, tmp + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fail(err)
		}
	}
	// An in-memory database of its own attaches both files: the copy keeps
	// the rows in their order (preserve_insertion_order, DuckDB's default,
	// which Open turns off), which the nights' lookups by key rely on.
	conn, err := duckdb.NewConnector("", nil)
	if err != nil {
		return fail(err)
	}
	db := sql.OpenDB(conn)
	q := strings.NewReplacer("${src}", quoteLiteral(abs), "${dst}", quoteLiteral(tmp)).Replace(compactSQL)
	if _, err := db.ExecContext(ctx, q); err != nil {
		db.Close()
		os.Remove(tmp)
		return fail(err)
	}
	if err := db.Close(); err != nil {
		os.Remove(tmp)
		return fail(err)
	}
	// Both were detached, which checkpoints them: a write-ahead log left
	// beside either would be replayed onto the copy.
	for _, p := range []string{abs + ".wal", tmp + ".wal"} {
		if _, err := os.Stat(p); err == nil {
			os.Remove(tmp)
			return fail(fmt.Errorf("%s is left after the copy; the warehouse is as it was", p))
		}
	}
	if err := syncFile(tmp); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fail(err)
	}
	if err := syncFile(filepath.Dir(abs)); err != nil {
		return fail(err)
	}
	after, err := os.Stat(abs)
	if err != nil {
		return fail(err)
	}
	return Compacted{Before: before.Size(), After: after.Size()}, nil
}

// quoteLiteral is s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// syncFile flushes a file or a folder to disk. A file system that cannot
// sync a folder (os.ErrInvalid) is not an error, as in internal/publish:
// the rename stands either way.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
