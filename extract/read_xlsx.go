package extract

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// readXLSX reads the first sheet of a workbook: the header in row 1, one
// record a row. An empty cell is null (a workbook cannot tell an empty
// string from no value). A row's position is its sheet row number.
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
	var n int64
	var fields [][]byte
	for rows.Next() {
		n++
		cols, err := rows.Columns()
		if err != nil {
			return fmt.Errorf("%w: row %d: %v", errFileRefused, n, err)
		}
		if n == 1 {
			if len(cols) == 0 {
				return fmt.Errorf("%w: the first row (the header) is empty", errFileRefused)
			}
			if err := s.setHeader(cols); err != nil {
				return fmt.Errorf("%w: %v", errFileRefused, err)
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
				fields = append(fields, []byte(cols[i]))
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
