package extract

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"huzhu/contract"
)

// readXLSX reads the first sheet of a workbook: the header in row 1, one
// record a row. An empty cell is null (a workbook cannot tell an empty
// string from no value). A row's position is its sheet row number.
//
// Cells are read as stored, not as displayed: a display format would turn
// 6496.08 into "6,496.08" and a date into "03-15-23". A number in a field
// whose contract type is not a number is written in contract text: a date
// (Excel's serial day) as YYYY-MM-DD, a timestamp as YYYY-MM-DD HH:MM:SS
// (Beijing time, as a workbook has no zone), a boolean 1/0 as true/false,
// a number in an amount, decimal or integer field in plain digits (no
// exponent, no binary tail). Codes and text are taken as the cell holds
// them: an 18-digit code must keep every digit.
func readXLSX(r io.Reader, s *recordSink) error {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return fmt.Errorf("%w: not a workbook: %v", errFileRefused, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return fmt.Errorf("%w: the workbook has no sheet", errFileRefused)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	defer rows.Close()
	raw := excelize.Options{RawCellValue: true}
	var n int64
	var fields [][]byte
	var kinds []contract.Kind // of each column; Text for an unknown one
	for rows.Next() {
		n++
		cols, err := rows.Columns(raw)
		if err != nil {
			return fmt.Errorf("%w: row %d: %v", errFileRefused, n, err)
		}
		if n == 1 {
			if len(cols) == 0 {
				return fmt.Errorf("%w: the first row (the header) is empty", errFileRefused)
			}
			for i := range cols {
				cols[i] = strings.TrimSpace(cols[i])
			}
			if err := s.setHeader(cols); err != nil {
				return fmt.Errorf("%w: %v", errFileRefused, err)
			}
			kinds = make([]contract.Kind, len(cols))
			for i, c := range s.colField {
				if c >= 0 {
					kinds[i] = s.e.Fields[c].Kind
				}
			}
			continue
		}
		if len(cols) == 0 {
			continue // an empty row: nothing was sent
		}
		// Trailing empty cells are not stored; they are nulls.
		fields = fields[:0]
		for i := 0; i < max(len(cols), len(s.header)); i++ {
			if i < len(cols) && cols[i] != "" {
				k := contract.Text
				if i < len(kinds) {
					k = kinds[i]
				}
				fields = append(fields, []byte(cellText(cols[i], k)))
			} else {
				fields = append(fields, nil)
			}
		}
		if !s.record(fields, pos(s.file, n), false) {
			return nil
		}
	}
	if err := rows.Error(); err != nil {
		return fmt.Errorf("%w: %v", errFileRefused, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: the sheet is empty (no header row)", errFileRefused)
	}
	s.flush()
	return nil
}

// cellText is a stored cell value as the contract's text for a field of
// kind k: a number worked into a date or timestamp, 1/0 into a boolean,
// and a number in exponent form or with a binary tail (6496.0799999999999)
// into plain digits; a plain decimal, and any code or text, as it is.
func cellText(v string, k contract.Kind) string {
	if k == contract.Bool {
		switch strings.ToLower(v) {
		case "1", "true":
			return "true"
		case "0", "false":
			return "false"
		}
		return v
	}
	switch k {
	case contract.Date, contract.TS, contract.Money, contract.Decimal, contract.Int:
	default:
		// A code or text is as the cell holds it: a string cell "0051"
		// or an 18-digit code read as a number would lose its digits.
		return v
	}
	if plainDecimal(v) && k != contract.Date && k != contract.TS {
		return v // as written: 50.00 stays 50.00
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	switch k {
	case contract.Date, contract.TS:
		t, err := excelize.ExcelDateToTime(x, false)
		if err != nil {
			return v
		}
		t = t.Round(time.Millisecond)
		if k == contract.Date {
			return t.Format(time.DateOnly)
		}
		return t.Format("2006-01-02 15:04:05.999")
	}
	// The shortest digits that read back as the stored number: a stored
	// 6496.0799999999999 is 6496.08.
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// plainDecimal reports digits with an optional sign and fraction of at
// most six digits, as a person writes a number.
func plainDecimal(v string) bool {
	v = strings.TrimPrefix(v, "-")
	whole, frac, _ := strings.Cut(v, ".")
	return whole != "" && allDigits([]byte(whole)) && allDigits([]byte(frac)) && len(frac) <= 6
}
