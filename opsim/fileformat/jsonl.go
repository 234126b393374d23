package fileformat

import (
	"fmt"
	"io"

	"huzhu/contract"
	"huzhu/opsim/record"
)

// jsonlWriter writes one JSON object per line, encoded by appendJSON.
type jsonlWriter struct {
	e      *contract.Entity
	w      io.Writer
	out    []byte
	err    error
	closed bool
}

func newJSONLWriter(e *contract.Entity, w io.Writer) *jsonlWriter {
	return &jsonlWriter{e: e, w: w, out: make([]byte, 0, flushAt+4096)}
}

// Write implements Writer. Of the mangles it plants only MangleBadUTF8 (a
// raw 0xFF in a string, see badUTF8Target); a truncated line or an extra
// column is a CSV defect, and the row is written intact.
func (w *jsonlWriter) Write(r *record.Row) error {
	if w.closed {
		return fmt.Errorf("fileformat: jsonl %s: %w", w.e.Name, ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if err := checkRow(w.e, r); err != nil {
		return fmt.Errorf("fileformat: jsonl %s: %w", w.e.Name, err)
	}
	w.out = appendJSON(w.out, w.e, r, r.Mangle == record.MangleBadUTF8)
	w.out = append(w.out, '\n')
	if len(w.out) >= flushAt {
		return w.flush()
	}
	return nil
}

func (w *jsonlWriter) flush() error {
	if len(w.out) == 0 {
		return nil
	}
	if _, err := w.w.Write(w.out); err != nil {
		w.err = fmt.Errorf("fileformat: jsonl %s: %w", w.e.Name, err)
		return w.err
	}
	w.out = w.out[:0]
	return nil
}

// Close implements Writer.
func (w *jsonlWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	return w.flush()
}

// AppendJSON appends row r of entity e as one JSON object, without a
// newline: the form of a JSONL line and of an element of the HTTP API's
// "data" array.
//
// Keys are the field names in contract order; a null is null. Int, Money
// and Decimal values are bare JSON numbers when their text is a JSON
// number literal, kept byte for byte ("50.00" stays 50.00), and strings
// otherwise, so that a planted defect such as "1,234.5" survives as
// received. A Bool is bare true or false when its text is exactly that,
// else a string. Everything else is a string, escaped as JSON requires and
// no more: non-ASCII stays UTF-8, not \u escapes.
//
// AppendJSON writes the row intact, whatever its Mangle: the HTTP API
// expresses no transport-level defect in its rows. The bytes are valid
// JSON if the row's text is valid UTF-8, which the encoder does not check.
func AppendJSON(dst []byte, e *contract.Entity, r *record.Row) []byte {
	return appendJSON(dst, e, r, false)
}

// appendJSON is AppendJSON, planting a raw 0xFF byte (see badUTF8Target)
// when badUTF8 is set.
func appendJSON(dst []byte, e *contract.Entity, r *record.Row, badUTF8 bool) []byte {
	target, off := -1, 0
	if badUTF8 {
		target, off = badUTF8Target(e, r)
	}
	dst = append(dst, '{')
	for i, f := range e.Fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		// Field names are ASCII identifiers: no escaping.
		dst = append(dst, '"')
		dst = append(dst, f.Name...)
		dst = append(dst, '"', ':')
		if r.IsNull(i) {
			dst = append(dst, "null"...)
			continue
		}
		v := r.Field(i)
		switch {
		case i == target:
			dst = append(dst, '"')
			dst = appendJSONEscaped(dst, v[:off])
			dst = append(dst, 0xFF)
			dst = appendJSONEscaped(dst, v[off:])
			dst = append(dst, '"')
		case numberKind(f.Kind) && isJSONNumber(v):
			dst = append(dst, v...)
		case f.Kind == contract.Bool && (string(v) == "true" || string(v) == "false"):
			dst = append(dst, v...)
		default:
			dst = append(dst, '"')
			dst = appendJSONEscaped(dst, v)
			dst = append(dst, '"')
		}
	}
	return append(dst, '}')
}

// jsonEscape holds, for each byte that JSON must escape inside a string,
// its escape letter; 'u' for those written \u00XX.
var jsonEscape = func() [256]byte {
	var t [256]byte
	for c := range 0x20 {
		t[c] = 'u'
	}
	t['\b'], t['\f'], t['\n'], t['\r'], t['\t'] = 'b', 'f', 'n', 'r', 't'
	t['"'], t['\\'] = '"', '\\'
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONEscaped appends the body of a JSON string holding v.
func appendJSONEscaped(dst, v []byte) []byte {
	start := 0
	for i, c := range v {
		esc := jsonEscape[c]
		if esc == 0 {
			continue
		}
		dst = append(dst, v[start:i]...)
		if esc == 'u' {
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		} else {
			dst = append(dst, '\\', esc)
		}
		start = i + 1
	}
	return append(dst, v[start:]...)
}

// isJSONNumber reports whether b is a JSON number literal (RFC 8259 §6):
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for ; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	return i == len(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
