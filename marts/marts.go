package marts

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"huzhu/internal/sqlmodel"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// Result is what a marts run did.
type Result struct {
	Models []sqlmodel.Timing `json:"models"`
}

// Run rebuilds every mart model from core, in dependency order, each in
// its own transaction; every mart row carries runID.
func Run(ctx context.Context, db *sql.DB, runID string) (*Result, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("marts: connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET VARIABLE run_id = ?", runID); err != nil {
		return nil, fmt.Errorf("marts: %w", err)
	}
	models, err := sqlmodel.Load(sqlFS, "sql")
	if err != nil {
		return nil, err
	}
	timings, err := sqlmodel.Run(ctx, conn, models)
	if err != nil {
		return &Result{Models: timings}, fmt.Errorf("marts: %w", err)
	}
	return &Result{Models: timings}, nil
}
