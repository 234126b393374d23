package extract

import (
	"path/filepath"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/opsim"
)

// TestMaskRecord: a refused member record keeps no personal value in its
// quarantine JSON, wherever the value ended up — under its own column, in
// a column the contract does not know, or shifted into a neighbour by a
// field left out or one too many — while the values that cannot have
// moved (the operator) stay readable.
func TestMaskRecord(t *testing.T) {
	e := contract.Lookup("members")
	header := []string{"operator_code", "member_ref", "id_number", "name", "phone", "gender", "birth_date", "union_code", "joined_on", "status", "updated_at"}
	id, name, phone := "330127197306194199", "周强芳", "19916471317"
	for _, c := range []struct {
		what   string
		header []string
		fields []string
		code   string
		keep   []string // values that must stay
	}{
		{"a bad date, every field in place", header,
			[]string{"OP", "M1", id, name, phone, "F", "1973-6-19", "U", "2020-01-01", "active", "2020-01-01T09:00:00+08:00"}, ReasonBadUTF8, []string{"OP", "M1", "1973-6-19"}},
		{"member_ref left out: everything after it moved left", header,
			[]string{"OP", id, name, phone, "F", "1973-06-19", "U", "2020-01-01", "active", "2020-01-01T09:00:00+08:00"}, ReasonTruncatedLine, []string{"OP"}},
		{"a line cut after the name", header,
			[]string{"OP", "ZJM00000001", id, name}, ReasonTruncatedLine, []string{"OP", "ZJM00000001"}},
		{"a comma in the name: everything after it moved right", header,
			[]string{"OP", "M1", id, "周", "强芳", phone, "F", "1973-06-19", "U", "2020-01-01", "active", "2020-01-01T09:00:00+08:00"}, ReasonColumnCount, []string{"OP", "M1"}},
		{"columns swapped: the id number under union_code, the phone under status, the name under gender", header,
			[]string{"51330100310200171N", "M1", "330127197306194199", "周强芳", "19916471317", name, "1973-06-19", id, "2020-01-01", phone, "2020-01-01T09:00:00+08:00"}, ReasonBadUTF8, []string{"51330100310200171N", "M1", "1973-06-19"}},
		{"an operator's own mobile column", append(append([]string{}, header...), "mobile"),
			[]string{"OP", "M1", id, name, phone, "F", "1973-06-19", "U", "2020-01-01", "active", "2020-01-01T09:00:00+08:00", "13800138000"}, ReasonBadUTF8, []string{"OP", "M1"}},
	} {
		got := maskRecord(e, Quarantined{Header: c.header, Fields: c.fields, Code: c.code})
		for _, v := range []string{id, name, phone, "13800138000", "强芳"} {
			if strings.Contains(got, v) {
				t.Errorf("%s: %s shows %q", c.what, got, v)
			}
		}
		for _, v := range c.keep {
			if !strings.Contains(got, `"`+v+`"`) {
				t.Errorf("%s: %s lost %q", c.what, got, v)
			}
		}
	}
}

// TestMaskRecordMemberRef: in an entity without personal columns, a
// member_ref that is an id number (an operator that keys its members so) is
// masked in the quarantine record; the other values stay.
func TestMaskRecordMemberRef(t *testing.T) {
	e := contract.Lookup("enrollments")
	header := []string{"operator_code", "receipt_no", "activity_code", "member_ref", "period_start", "period_end", "amount", "refund_of", "paid_at", "payer_union_code", "updated_at"}
	got := maskRecord(e, Quarantined{Header: header, Code: ReasonColumnCount,
		Fields: []string{"OP", "R1", "INP", "330127197306194199", "2025-01-01", "2025-12-31", "50.00", "", "2025-01-01T09:00:00+08:00", "U", "2025-01-01T09:00:00+08:00", "extra"}})
	if strings.Contains(got, "330127197306194199") || !strings.Contains(got, `"R1"`) || !strings.Contains(got, `"50.00"`) {
		t.Errorf("maskRecord: %s", got)
	}
}

// TestChunkViewsDropped: a load leaves no view of its Arrow chunks in the
// warehouse's catalog, and a writer drops those an earlier build left
// (a reader that opened one crashed).
func TestChunkViewsDropped(t *testing.T) {
	db := openWarehouse(t, "").SQL()
	if _, err := db.Exec("CREATE VIEW main.huzhu_chunk_7 AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	w := testWorld(t, 200, 0)
	dir := t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: "csv", KeyPath: "-"}); err != nil {
		t.Fatal(err)
	}
	op := w.Operators[0]
	pullRun(t, db, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)}, Options{}, "r1")
	var raw, views int
	db.QueryRow("SELECT count(*) FROM raw.members").Scan(&raw)
	if err := db.QueryRow("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'huzhu_chunk%'").Scan(&views); err != nil {
		t.Fatal(err)
	}
	if raw == 0 || views != 0 {
		t.Errorf("after a load of %d members, %d chunk views in the catalog", raw, views)
	}
}
