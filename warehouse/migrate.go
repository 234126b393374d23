package warehouse

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// migrationFiles are the schema migrations, migrations/NNNN_name.sql. A
// migration is never edited once released: a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationDir is the folder of the migrations inside the file system
// given to migrate, and migrationShown is what errors call it, relative to
// the module root, so that a message reads like a compiler's.
const (
	migrationDir   = "migrations"
	migrationShown = "warehouse/migrations"
)

var (
	//go:embed sql/schema_migrations.sql
	schemaMigrationsSQL string
	//go:embed sql/migrations_applied.sql
	migrationsAppliedSQL string
	//go:embed sql/migration_record.sql
	migrationRecordSQL string
	//go:embed sql/migrations_table_exists.sql
	migrationsTableExistsSQL string
)

// ErrSchemaOutdated means a read-only Open found a warehouse that lacks
// migrations this binary expects; open it for writing once to apply them.
var ErrSchemaOutdated = errors.New("warehouse schema is older than this binary")

// ErrSchemaNewer means the warehouse has a migration this binary does not
// know: it was written by a newer huzhu, and an older one must not touch it.
var ErrSchemaNewer = errors.New("warehouse schema is newer than this binary")

// migration is one file of migrations/.
type migration struct {
	version int
	name    string // file name, e.g. 0001_ops.sql
	text    string
}

// migrationNameRE is the file name of a migration: a 4-digit version, an
// underscore, a lower-case name.
var migrationNameRE = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// loadMigrations reads the migrations in fsys/migrations, sorted by version.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, migrationDir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []migration
	seen := make(map[int]string)
	for _, e := range entries {
		name := e.Name()
		m := migrationNameRE.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("%s/%s: file name is not NNNN_name.sql", migrationShown, name)
		}
		v, _ := strconv.Atoi(m[1])
		if v == 0 {
			return nil, fmt.Errorf("%s/%s: version 0000 is not allowed", migrationShown, name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("%s/%s: version %04d is also %s", migrationShown, name, v, other)
		}
		seen[v] = name
		text, err := fs.ReadFile(fsys, path.Join(migrationDir, name))
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", migrationShown, name, err)
		}
		ms = append(ms, migration{version: v, name: name, text: string(text)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// applied returns the recorded migrations, version → name.
func applied(ctx context.Context, db *sql.DB) (map[int]string, error) {
	rows, err := db.QueryContext(ctx, migrationsAppliedSQL)
	if err != nil {
		return nil, fmt.Errorf("read ops.schema_migrations: %w", err)
	}
	defer rows.Close()
	done := make(map[int]string)
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			return nil, fmt.Errorf("read ops.schema_migrations: %w", err)
		}
		done[v] = name
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read ops.schema_migrations: %w", err)
	}
	return done, nil
}

// pending returns the migrations of ms not in done, and fails if done has
// a version ms lacks.
func pending(ms []migration, done map[int]string) ([]migration, error) {
	known := make(map[int]bool, len(ms))
	var todo []migration
	for _, m := range ms {
		known[m.version] = true
		if _, ok := done[m.version]; !ok {
			todo = append(todo, m)
		}
	}
	for v, name := range done {
		if !known[v] {
			return nil, fmt.Errorf("%w: it has migration %s, which this binary does not know", ErrSchemaNewer, name)
		}
	}
	return todo, nil
}

// migrate applies the migrations of fsys that ops.schema_migrations does
// not record, in version order, each in its own transaction together with
// its record, so that a failed migration leaves neither half its tables nor
// a record behind. Writers are serialised by the writer lock (and DuckDB's
// one-process rule); two Opens racing in one process would see a
// transaction conflict, not a double application.
func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, now func() time.Time) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, schemaMigrationsSQL); err != nil {
		return fmt.Errorf("create ops.schema_migrations: %w", err)
	}
	done, err := applied(ctx, db)
	if err != nil {
		return err
	}
	todo, err := pending(ms, done)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if err := apply(ctx, db, m, now().UTC()); err != nil {
			return err
		}
	}
	return nil
}

// apply runs one migration and records it, in one transaction.
func apply(ctx context.Context, db *sql.DB, m migration, at time.Time) (err error) {
	file := migrationShown + "/" + m.name
	stmts, err := splitStatements(m.text)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", file, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ignoreDone(tx.Rollback()))
		}
	}()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.text); err != nil {
			return fmt.Errorf("%s:%d: %w", file, s.errorLine(err), err)
		}
	}
	if _, err := tx.ExecContext(ctx, migrationRecordSQL, m.version, m.name, at); err != nil {
		return fmt.Errorf("%s: record: %w", file, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", file, err)
	}
	return nil
}

// ignoreDone drops the error a rollback returns when the transaction is
// already over (DuckDB aborts a transaction on some errors itself).
func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// checkMigrated fails unless every migration of fsys is recorded, for a
// read-only warehouse that cannot be migrated.
func checkMigrated(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return err
	}
	var n int
	if err := db.QueryRowContext(ctx, migrationsTableExistsSQL).Scan(&n); err != nil {
		return fmt.Errorf("look for ops.schema_migrations: %w", err)
	}
	done := map[int]string{}
	if n > 0 {
		if done, err = applied(ctx, db); err != nil {
			return err
		}
	}
	todo, err := pending(ms, done)
	if err != nil {
		return err
	}
	if len(todo) > 0 {
		return fmt.Errorf("%w: migration %s is not applied; open the warehouse for writing (any huzhu stage) once", ErrSchemaOutdated, todo[0].name)
	}
	return nil
}
