package extract

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"huzhu/contract"
)

// Quarantine reason codes of extract (the README lists every code).
const (
	ReasonTruncatedLine = "truncated_line" // fewer fields than the header: a line cut short
	ReasonColumnCount   = "column_count"   // more fields than the header
	ReasonBadUTF8       = "bad_utf8"       // bytes that are not UTF-8 in a UTF-8 file
	ReasonBadEncoding   = "bad_encoding"   // bytes the declared encoding cannot decode
	ReasonBadJSON       = "bad_json"       // a JSONL line that is not one JSON object
	ReasonBadQuote      = "bad_quote"      // a CSV record whose quotes never close
	// a JSON object (a JSONL line, an API row) naming one field twice
	ReasonDuplicateField = "duplicate_field"
)

// Reasons are the codes above: the quarantine rows that are extract's,
// which a transform rebuilding its own leaves in place.
var Reasons = []string{ReasonTruncatedLine, ReasonColumnCount, ReasonBadUTF8, ReasonBadEncoding, ReasonBadJSON, ReasonBadQuote, ReasonDuplicateField}

// chunk is what a file reader hands to the loader: a full batch of rows,
// or the records it refused, in file order.
type chunk struct {
	b   *Batch
	rec arrow.RecordBatch // instead of b: a record built whole (Parquet's fast path)
	q   []Quarantined
}

// recordSink turns a file's records into raw rows: it maps the file's
// columns to contract fields, keeps unknown columns in extra, and refuses
// records that cannot be rows.
type recordSink struct {
	e        *contract.Entity
	file     string
	header   []string
	colField []int    // header column → contract field, or -1 for extra
	vals     [][]byte // contract fields of the current record; nil = null
	batch    *Batch
	q        []Quarantined
	out      chan<- chunk
	done     <-chan struct{}
	received int64
	extra    map[string]string
	pseudo   *pseudonymiser // when set, what it hands over is pseudonymised
	// badQuote is the position of the first record whose quote never
	// closed: the lines after it went into it, which the file's count
	// then misses.
	badQuote string
}

func newRecordSink(e *contract.Entity, file string, out chan<- chunk, done <-chan struct{}) *recordSink {
	return &recordSink{e: e, file: file, vals: make([][]byte, len(e.Fields)), batch: NewBatch(e), out: out, done: done}
}

// setHeader maps the header's columns to contract fields.
func (s *recordSink) setHeader(h []string) error {
	s.header = h
	s.colField = make([]int, len(h))
	seen := map[string]bool{}
	for i, name := range h {
		// A contract field's name written with capitals or spaces around
		// it ("Amount ") is that field: the export's spelling, not another
		// column.
		if j := s.e.Index(strings.ToLower(strings.TrimSpace(name))); j >= 0 {
			name = s.e.Fields[j].Name
			h[i] = name
		}
		if seen[name] {
			return fmt.Errorf("column %q appears twice in the header", name)
		}
		seen[name] = true
		s.colField[i] = s.e.Index(name)
	}
	return nil
}

// record takes one record: fields in header order, nil for a null value.
// It returns false when the reader must stop (the loader went away).
func (s *recordSink) record(fields [][]byte, pos string, utf8Checked bool) bool {
	s.received++
	if len(fields) != len(s.header) {
		code, why := ReasonColumnCount, fmt.Sprintf("%d fields, the header has %d", len(fields), len(s.header))
		if len(fields) < len(s.header) {
			code = ReasonTruncatedLine
		}
		return s.refuse(fields, pos, code, why)
	}
	if !utf8Checked {
		for i, f := range fields {
			if !utf8.Valid(f) {
				return s.refuse(fields, pos, ReasonBadUTF8, fmt.Sprintf("column %q is not valid UTF-8", s.header[i]))
			}
		}
	}
	for i := range s.vals {
		s.vals[i] = nil
	}
	extra := ""
	for i, f := range fields {
		if j := s.colField[i]; j >= 0 {
			s.vals[j] = f
		} else if f != nil {
			if s.extra == nil {
				s.extra = map[string]string{}
			}
			s.extra[s.header[i]] = string(f)
		}
	}
	if len(s.extra) > 0 {
		b, _ := json.Marshal(s.extra)
		extra = string(b)
		clear(s.extra)
	}
	s.batch.AppendBytes(s.vals, extra, pos)
	if s.out != nil && s.batch.Full() {
		return s.flush()
	}
	return true
}

func (s *recordSink) refuse(fields [][]byte, pos, code, why string) bool {
	if code == ReasonBadQuote && s.badQuote == "" {
		s.badQuote = pos
	}
	strs := make([]string, len(fields))
	for i, f := range fields {
		strs[i] = string(f)
	}
	s.q = append(s.q, Quarantined{Pos: pos, Code: code, Reason: why, Fields: strs, Header: s.header})
	return true
}

// sendRecord hands over a record built whole, after what the batch holds.
func (s *recordSink) sendRecord(rec arrow.RecordBatch) bool {
	if !s.flush() {
		rec.Release()
		return false
	}
	if s.pseudo != nil {
		out := s.pseudo.record(s.e, rec)
		rec.Release()
		rec = out
	}
	select {
	case s.out <- chunk{rec: rec}:
		return true
	case <-s.done:
		rec.Release()
		return false
	}
}

// flush hands the batch and refusals over; false when the loader is gone.
func (s *recordSink) flush() bool {
	if s.batch.Len() == 0 && len(s.q) == 0 {
		return true
	}
	c := chunk{b: s.batch, q: s.q}
	s.batch, s.q = NewBatch(s.e), nil
	if s.pseudo != nil {
		// Here, in the reader's goroutine, not in the loader's.
		rec := c.b.Record()
		c.b.Release()
		c.rec, c.b = s.pseudo.record(s.e, rec), nil
		rec.Release()
	}
	select {
	case s.out <- c:
		return true
	case <-s.done:
		if c.b != nil {
			c.b.Release()
		} else {
			c.rec.Release()
		}
		return false
	}
}

func pos(file string, n int64) string { return file + ":" + strconv.FormatInt(n, 10) }
