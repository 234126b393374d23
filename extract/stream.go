package extract

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// chunkStream is an Arrow RecordReader over the chunks a file reader hands
// over: DuckDB scans a whole file in one statement while the reader parses
// ahead in its goroutine. The records a chunk refuses are kept for the
// loader to write after the scan.
type chunkStream struct {
	refs   atomic.Int64
	schema *arrow.Schema
	ch     <-chan chunk
	cur    arrow.RecordBatch
	rows   int64
	q      []Quarantined
}

func newChunkStream(schema *arrow.Schema, ch <-chan chunk) *chunkStream {
	s := &chunkStream{schema: schema, ch: ch}
	s.refs.Store(1)
	return s
}

func (s *chunkStream) Retain() { s.refs.Add(1) }

func (s *chunkStream) Release() {
	if s.refs.Add(-1) == 0 && s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
}

func (s *chunkStream) Schema() *arrow.Schema { return s.schema }

// Next moves to the next non-empty chunk; false at the end of the file.
func (s *chunkStream) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	for c := range s.ch {
		s.q = append(s.q, c.q...)
		rec := c.rec
		if rec == nil {
			rec = c.b.Record()
			c.b.Release()
		}
		n := int(rec.NumRows())
		if n == 0 {
			rec.Release()
			continue
		}
		s.rows += int64(n)
		s.cur = rec
		return true
	}
	return false
}

func (s *chunkStream) RecordBatch() arrow.RecordBatch { return s.cur }

// Record is RecordBatch (the interface still asks for it).
func (s *chunkStream) Record() arrow.RecordBatch { return s.cur }

func (s *chunkStream) Err() error { return nil }

// drain consumes what is left, so that the reader goroutine can finish.
func (s *chunkStream) drain() {
	for s.Next() {
	}
}
