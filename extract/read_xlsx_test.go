package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"huzhu/contract"
	"huzhu/internal/config"
)

// TestXLSXTypedCells: a workbook whose cells are typed — an amount as a
// number shown #,##0.00, a date as a date cell, a timestamp as a date-time
// cell, a year as a number, a header cell with spaces — loads as the
// contract's text, not as the cells are displayed.
func TestXLSXTypedCells(t *testing.T) {
	const op = "51330100310200171N"
	dir := t.TempDir()
	batch := filepath.Join(dir, op, "2025-06-30")
	if err := os.MkdirAll(batch, 0o755); err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	sheet := x.GetSheetName(0)
	for i, h := range []string{"operator_code", " activity_code ", "fiscal_year", "line_code", "version", "amount", "approved_on", "updated_at"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		x.SetCellValue(sheet, cell, h)
	}
	money, _ := x.NewStyle(&excelize.Style{NumFmt: 4})  // #,##0.00
	date, _ := x.NewStyle(&excelize.Style{NumFmt: 14})  // m/d/yy
	stamp, _ := x.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	x.SetCellValue(sheet, "A2", op)
	x.SetCellValue(sheet, "B2", "ACC")
	x.SetCellValue(sheet, "C2", 2025)
	x.SetCellValue(sheet, "D2", "5101")
	x.SetCellValue(sheet, "E2", "original")
	x.SetCellValue(sheet, "F2", 6496.08)
	x.SetCellStyle(sheet, "F2", "F2", money)
	x.SetCellValue(sheet, "G2", time.Date(2023, 3, 15, 0, 0, 0, 0, time.UTC))
	x.SetCellStyle(sheet, "G2", "G2", date)
	x.SetCellValue(sheet, "H2", time.Date(2025, 6, 30, 21, 5, 9, 0, time.UTC))
	x.SetCellStyle(sheet, "H2", "H2", stamp)
	path := filepath.Join(batch, "budgets.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	sum := sha256.Sum256(b)
	m, _ := json.Marshal(map[string]any{"operator": op, "batch": "2025-06-30",
		"files": map[string]any{"budgets.xlsx": map[string]any{"rows": 1, "sha256": hex.EncodeToString(sum[:]), "encoding": "utf-8"}}})
	os.WriteFile(filepath.Join(batch, "manifest.json"), m, 0o644)

	db := openWarehouse(t, "")
	pull(t, db.SQL(), config.Source{Operator: op, Kind: config.KindFiles, Path: filepath.Join(dir, op)}, Options{})
	var activity, year, amount, approved, updated string
	if err := db.SQL().QueryRow("SELECT activity_code, fiscal_year, amount, approved_on, updated_at FROM raw.budgets").
		Scan(&activity, &year, &amount, &approved, &updated); err != nil {
		t.Fatal(err)
	}
	if activity != "ACC" || year != "2025" || amount != "6496.08" || approved != "2023-03-15" || updated != "2025-06-30 21:05:09" {
		t.Errorf("raw.budgets: activity %q, year %q, amount %q, approved_on %q, updated_at %q", activity, year, amount, approved, updated)
	}
}

// TestCellText: what a stored cell becomes for each kind of field.
func TestCellText(t *testing.T) {
	for _, c := range []struct {
		v    string
		k    contract.Kind
		want string
	}{
		{"50.00", contract.Money, "50.00"},
		{"6496.0799999999999", contract.Money, "6496.08"},
		{"1.5E+2", contract.Money, "150"},
		{"12.345", contract.Money, "12.345"}, // as written: the transform refuses it
		{"45000", contract.Date, "2023-03-15"},
		{"45838.8785763889", contract.TS, "2025-06-30 21:05:09"},
		{"2023-03-15", contract.Date, "2023-03-15"},
		{"1", contract.Bool, "true"},
		{"FALSE", contract.Bool, "false"},
		{"514401006623851810", contract.USCC, "514401006623851810"},
		{"0051", contract.Code, "0051"},
		{"1E5", contract.Code, "1E5"},
	} {
		if got := cellText(c.v, c.k); got != c.want {
			t.Errorf("cellText(%q, %v) = %q, want %q", c.v, c.k, got, c.want)
		}
	}
}
