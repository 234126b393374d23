//go:build duckdb_arrow

package extract

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// IngestPath names how rows reach DuckDB in this build.
const IngestPath = "arrow"

// ingestStream appends every record of rdr to raw.<entity> in one
// statement: DuckDB pulls the records as it scans.
func ingestStream(ctx context.Context, conn *sql.Conn, entity, view string, rdr array.RecordReader, loadID, operator, kind string, at time.Time) error {
	var release func()
	err := conn.Raw(func(dc any) error {
		a, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		release, err = a.RegisterView(rdr, view)
		return err
	})
	if err != nil {
		return err
	}
	defer release()
	if _, err := conn.ExecContext(ctx, rawInsertSQL(entity, view), loadID, operator, kind, at); err != nil {
		return err
	}
	// The registered view is a catalog entry of the warehouse (not a
	// temporary one): left there, it outlives its stream, and a reader
	// that opens it later crashes. view is ours (huzhu_chunk_<n>).
	_, err = conn.ExecContext(ctx, "DROP VIEW IF EXISTS "+view)
	return err
}
