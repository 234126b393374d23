package reports

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/xuri/excelize/v2"

	"huzhu/internal/money"
)

// kind says how a column's cells are shown and stored.
type kind int

const (
	text    kind = iota
	amount       // money: "1,234.56 元" on the page, a number formatted #,##0.00 in Excel
	rate         // a ratio: "12.3%" on the page, a number formatted 0.0% in Excel
	number       // a plain number with two decimals
	integer      // a count or a rank
	code         // text kept on one line on the page (a state, a code, a date): text in Excel
	label        // a short name, given room on the page (at least 8 characters a line): text in Excel
)

type column struct {
	Title string
	Kind  kind
}

// cell is one value; which field counts depends on the column's kind.
// Null cells show "—" and stay empty in Excel.
type cell struct {
	Text  string
	Cents money.Cents
	Float float64
	Int   int
	Null  bool
	Link  string // a relative link for text cells
}

type row struct {
	Cells []cell
	Class string // a CSS class: flag, bad, new, resolved, green/yellow/red
	ID    string // an anchor for drill-down links
}

// table is a table shown on a page and written as a sheet of the page's
// workbook, with the same figures.
type table struct {
	ID    string // the anchor on the page
	Sheet string // the worksheet name (≤ 31 characters)
	Title string
	Cols  []column
	Rows  []row
	// PageOnly: shown on the page, its rows held by another table's sheet
	// (Sheet names it); WorkbookOnly: that sheet's table, not shown.
	PageOnly, WorkbookOnly bool
}

func (t *table) add(class, id string, cells ...cell) {
	t.Rows = append(t.Rows, row{Cells: cells, Class: class, ID: id})
}

func txt(s string) cell        { return cell{Text: s} }
func link(s, href string) cell { return cell{Text: s, Link: href} }
func amt(c money.Cents) cell   { return cell{Cents: c} }
func flt(f float64) cell       { return cell{Float: f} }
func num(i int) cell           { return cell{Int: i} }
func null() cell               { return cell{Null: true} }
func optAmt(c *money.Cents) cell {
	if c == nil {
		return null()
	}
	return amt(*c)
}
func optFlt(f *float64) cell {
	if f == nil {
		return null()
	}
	return flt(*f)
}

// show is the cell as the page shows it.
func (c cell) show(k kind) string {
	if c.Null {
		return "—"
	}
	switch k {
	case amount:
		return yuan(c.Cents)
	case rate:
		return percent(c.Float)
	case number:
		return strconv.FormatFloat(c.Float, 'f', 2, 64)
	case integer:
		return strconv.Itoa(c.Int)
	}
	return c.Text
}

// fixedTime stamps every workbook, so that two runs write the same bytes.
const fixedTime = "2000-01-01T00:00:00Z"

// workbook writes tables as the sheets of one XLSX file: a title row, a
// header row, then the rows; money cells are numbers formatted #,##0.00,
// rates numbers formatted 0.0%.
func workbook(title string, tables []*table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	moneyFmt, rateFmt, numFmt := "#,##0.00", "0.0%", "0.00"
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}}})
	if err != nil {
		return nil, err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	moneyStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &moneyFmt})
	rateStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &rateFmt})
	numStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &numFmt})
	for i, t := range tables {
		name := t.Sheet
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		f.SetCellStr(name, "A1", t.Title)
		f.SetCellStyle(name, "A1", "A1", bold)
		for c, col := range t.Cols {
			ref, _ := excelize.CoordinatesToCellName(c+1, 2)
			f.SetCellStr(name, ref, col.Title)
			f.SetCellStyle(name, ref, ref, head)
			colName, _ := excelize.ColumnNumberToName(c + 1)
			w := 14.0
			if col.Kind == text || col.Kind == code || col.Kind == label {
				w = 22
			}
			f.SetColWidth(name, colName, colName, w)
		}
		for r, rw := range t.Rows {
			for c, v := range rw.Cells {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+3)
				if v.Null {
					continue
				}
				var err error
				switch t.Cols[c].Kind {
				case amount:
					// The exact decimal, never through a float.
					err = f.SetCellDefault(name, ref, v.Cents.String())
					f.SetCellStyle(name, ref, ref, moneyStyle)
				case rate:
					err = f.SetCellFloat(name, ref, v.Float, -1, 64)
					f.SetCellStyle(name, ref, ref, rateStyle)
				case number:
					err = f.SetCellFloat(name, ref, v.Float, -1, 64)
					f.SetCellStyle(name, ref, ref, numStyle)
				case integer:
					err = f.SetCellInt(name, ref, int64(v.Int))
				default:
					err = f.SetCellStr(name, ref, v.Text)
				}
				if err != nil {
					return nil, err
				}
			}
		}
		f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "huzhu", LastModifiedBy: "huzhu",
		Created: fixedTime, Modified: fixedTime, Language: "zh-CN"}); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
