package fileformat

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// xlsxWriter streams one sheet through excelize. Every value is an inline
// string cell and a null an empty cell, so an XLSX file cannot tell a null
// from an empty string; excelize cuts a value at Excel's 32,767 characters
// and replaces characters XML cannot hold (controls other than tab, CR and
// LF) with U+FFFD. The simulator uses XLSX for small drops only.
type xlsxWriter struct {
	e      *contract.Entity
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	vals   []any
	row    int // the sheet row of the next Write
	closed bool
	err    error
}

func newXLSXWriter(e *contract.Entity, w io.Writer) (*xlsxWriter, error) {
	f := excelize.NewFile()
	// The first sheet is the one that counts; naming it after the entity
	// helps whoever opens the file. Entity names fit Excel's 31 characters.
	first := f.GetSheetName(0)
	if err := f.SetSheetName(first, e.Name); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(e.Name)
	if err != nil {
		f.Close()
		return nil, err
	}
	xw := &xlsxWriter{e: e, w: w, f: f, sw: sw, vals: make([]any, len(e.Fields)), row: 1}
	for i, fd := range e.Fields {
		xw.vals[i] = fd.Name
	}
	if err := xw.setRow(); err != nil {
		f.Close()
		return nil, err
	}
	return xw, nil
}

func (w *xlsxWriter) setRow() error {
	cell, err := excelize.CoordinatesToCellName(1, w.row)
	if err != nil {
		return err
	}
	if err := w.sw.SetRow(cell, w.vals); err != nil {
		return err
	}
	w.row++
	return nil
}

// Write implements Writer. Mangles are not expressed: the row is written
// intact.
func (w *xlsxWriter) Write(r *record.Row) error {
	if w.closed {
		return fmt.Errorf("fileformat: xlsx %s: %w", w.e.Name, ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := checkRow(w.e, r); err != nil {
		return fmt.Errorf("fileformat: xlsx %s: %w", w.e.Name, err)
	}
	for i := range w.vals {
		if r.IsNull(i) {
			w.vals[i] = nil
		} else {
			w.vals[i] = string(r.Field(i))
		}
	}
	if err := w.setRow(); err != nil {
		w.err = fmt.Errorf("fileformat: xlsx %s row %d: %w", w.e.Name, w.row, err)
		return w.err
	}
	return nil
}

// Close implements Writer: it writes the whole workbook to w.
func (w *xlsxWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	defer w.f.Close() // removes excelize's temporary files
	if w.err != nil {
		return w.err
	}
	if err := w.sw.Flush(); err != nil {
		w.err = fmt.Errorf("fileformat: xlsx %s: %w", w.e.Name, err)
		return w.err
	}
	if _, err := w.f.WriteTo(w.w); err != nil {
		w.err = fmt.Errorf("fileformat: xlsx %s: %w", w.e.Name, err)
		return w.err
	}
	return nil
}
