//go:build !duckdb_arrow

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
const IngestPath = "appender"

// ingestStream appends every record of rdr through one appender.
func ingestStream(ctx context.Context, conn *sql.Conn, entity, _ string, rdr array.RecordReader, loadID, operator, kind string, at time.Time) error {
	return conn.Raw(func(dc any) error {
		ap, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "raw", entity)
		if err != nil {
			return err
		}
		for rdr.Next() {
			rec := rdr.RecordBatch()
			cols := make([]*array.String, rec.NumCols())
			for i := range cols {
				cols[i] = rec.Column(i).(*array.String)
			}
			row := make([]driver.Value, len(cols)+4)
			for r := 0; r < int(rec.NumRows()); r++ {
				for i, c := range cols {
					if c.IsNull(r) {
						row[i] = nil
					} else {
						row[i] = c.Value(r)
					}
				}
				row[len(cols)], row[len(cols)+1], row[len(cols)+2], row[len(cols)+3] = loadID, operator, kind, at
				if err := ap.AppendRow(row...); err != nil {
					ap.Close()
					return err
				}
			}
		}
		return ap.Close()
	})
}
