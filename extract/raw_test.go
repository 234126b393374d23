package extract

import (
	"slices"
	"testing"

	"huzhu/contract"
)

// TestRawTables: every raw table of warehouse/migrations/0002_raw.sql has
// the entity's contract fields in contract order, then the load columns.
func TestRawTables(t *testing.T) {
	db := openWarehouse(t, "")
	for _, e := range contract.Entities() {
		rows, err := db.SQL().Query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position", e.Name)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var c string
			rows.Scan(&c)
			got = append(got, c)
		}
		rows.Close()
		want := append(e.FieldNames(), "extra", "source_pos", "load_id", "source_operator", "source_kind", "ingested_at")
		if !slices.Equal(got, want) {
			t.Errorf("raw.%s columns = %v, want %v", e.Name, got, want)
		}
	}
}
