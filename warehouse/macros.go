package warehouse

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
)

//go:embed sql/macros.sql
var macrosSQL string

// DefineMacros defines on conn the macros every stage may use
// (sql/macros.sql: beijing_day). Temp macros live as long as the
// connection.
func DefineMacros(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, macrosSQL); err != nil {
		return fmt.Errorf("warehouse: macros: %w", err)
	}
	return nil
}
