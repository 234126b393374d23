package privacy

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"huzhu/internal/sqlmodel"
)

//go:embed sql/*.sql
var queries embed.FS

// StaffIDs reads the deny list of staff ids from the warehouse's
// core.dim_staff, none when core holds no staff (a national roll-up holds
// marts and reference tables only: each pool's own build checked its own).
func StaffIDs(ctx context.Context, db *sql.DB) ([]string, error) {
	have := false
	if err := sqlmodel.Each(ctx, db, queries, "sql/have_staff.sql", func(r *sql.Rows) error {
		var n int
		err := r.Scan(&n)
		have = n > 0
		return err
	}); err != nil {
		return nil, fmt.Errorf("privacy: %w", err)
	}
	if !have {
		return nil, nil
	}
	var ids []string
	err := sqlmodel.Each(ctx, db, queries, "sql/staff_ids.sql", func(r *sql.Rows) error {
		var s string
		err := r.Scan(&s)
		ids = append(ids, s)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("privacy: %w", err)
	}
	return ids, nil
}
