package extract

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"
)

// readJSONL reads one JSON object per line. Keys are field names (unknown
// keys go to extra); a string value is taken as is, a number as its literal
// text (50.00 stays 50.00; an exponent is worked into the digits, 1.5e2 is
// 150), true/false as text, null as null; a UTF-8 BOM before the first line
// is no part of it. A line that is
// not valid UTF-8 or not one JSON object is refused with its line number.
func readJSONL(r io.Reader, s *recordSink) error {
	br := bufio.NewReaderSize(r, 1<<20)
	header := make([]string, 0, len(s.e.Fields))
	for _, f := range s.e.Fields {
		header = append(header, f.Name)
	}
	// Every line maps onto the contract fields, then the extra keys.
	if err := s.setHeader(header); err != nil {
		return err
	}
	fields := make([][]byte, len(header))
	var js jsonScanner
	var line int64
	var scratch []byte
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			scratch = append(scratch[:0], raw...)
			for err == bufio.ErrBufferFull {
				raw, err = br.ReadSlice('\n')
				scratch = append(scratch, raw...)
			}
			raw = scratch
		}
		if len(raw) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return err
		}
		line++
		text := bytes.TrimRight(raw, "\r\n")
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte{0xEF, 0xBB, 0xBF}) // a UTF-8 BOM, as an editor may save it
		}
		if len(bytes.TrimSpace(text)) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		where := pos(s.file, line)
		if !utf8.Valid(text) {
			s.received++
			s.q = append(s.q, Quarantined{Pos: where, Code: ReasonBadUTF8, Reason: "the line is not valid UTF-8", Fields: []string{string(text)}, Header: []string{"line"}})
		} else if extra, twice, ok := s.decodeJSON(&js, text, fields); !ok {
			s.received++
			s.q = append(s.q, Quarantined{Pos: where, Code: ReasonBadJSON, Reason: "the line is not one JSON object", Fields: []string{string(text)}, Header: []string{"line"}})
		} else if twice != "" {
			s.received++
			s.q = append(s.q, Quarantined{Pos: where, Code: ReasonDuplicateField, Reason: duplicateFieldWhy(twice), Fields: []string{string(text)}, Header: []string{"line"}})
		} else {
			// decodeJSON mapped the line onto the fields; extra goes through
			// the sink's own map.
			s.extra = extra
			if !s.record(fields, where, true) {
				return nil
			}
		}
		if err == io.EOF {
			break
		}
	}
	s.flush()
	return nil
}

// decodeJSON maps one JSON object onto the contract fields, returning the
// unknown keys as strings and a field the object names twice. The fields
// point into the scanner's buffer.
func (s *recordSink) decodeJSON(js *jsonScanner, text []byte, fields [][]byte) (map[string]string, string, bool) {
	js.b, js.i = text, 0
	extra, twice, err := js.objectFields(s, fields)
	if err != nil {
		return nil, "", false
	}
	js.ws()
	return extra, twice, js.i == len(text)
}

// duplicateFieldWhy is the reason of a ReasonDuplicateField refusal.
func duplicateFieldWhy(field string) string {
	return fmt.Sprintf("field %q is given twice (in any capitals): which value is meant cannot be told", field)
}
