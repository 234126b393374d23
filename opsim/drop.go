package opsim

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"huzhu/contract"
	"huzhu/opsim/fileformat"
	"huzhu/opsim/record"
)

// DropOptions say how a world is written as file drops.
type DropOptions struct {
	Out      string // the drop root: one folder per operator below it
	Format   string // csv | xlsx | jsonl | parquet | mixed
	Encoding string // utf-8 | gb18030 (CSV only)
	// KeyPath is where the answer key goes; "" means Out/answer-key.jsonl,
	// outside every operator's drop folder. "-" writes none.
	KeyPath string
	// ChangedSince, when not zero, makes a delta batch, as an operator's
	// nightly export would be: only the rows whose updated_at falls on or
	// after that (Beijing) day. Zero writes the whole world as of its day.
	// The answer key always describes the whole world.
	ChangedSince record.Day
	// Faults spoil some operators' batches after they are written (see
	// DropFaults); the answer key names each (kind "batch", expect
	// "reject").
	Faults DropFaults
}

// DropStats count what a drop wrote.
type DropStats struct {
	Rows  map[string]int64 // by entity, over all operators
	Files int
	Bytes int64
}

// Manifest is the manifest.json of one drop folder (contract-v1).
type Manifest struct {
	Operator string                  `json:"operator"`
	Batch    string                  `json:"batch"`
	Files    map[string]ManifestFile `json:"files"`
}

// ManifestFile describes one file of a drop.
type ManifestFile struct {
	Rows     int64  `json:"rows"`
	SHA256   string `json:"sha256"`
	Encoding string `json:"encoding"`
}

// formatFor picks an entity's format: one format for all, or with "mixed"
// a fixed rotation by operator and entity (XLSX only for small entities).
func (w *World) formatFor(opt DropOptions, op *Operator, ent int) (fileformat.Format, error) {
	if opt.Format != "mixed" {
		return fileformat.ParseFormat(opt.Format)
	}
	name := contract.Entities()[ent].Name
	all := fileformat.Formats
	f := all[(op.Index+ent)%len(all)]
	if f == fileformat.XLSX && isMemberEntity(name) || f == fileformat.XLSX && name == "ledger_entries" {
		f = fileformat.CSV
	}
	return f, nil
}

// countingHash counts and hashes what is written through it.
type countingHash struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.h.Write(p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

type dropFile struct {
	name string
	f    *os.File
	buf  *bufio.Writer
	hash *countingHash
	w    fileformat.Writer
	rows int64
	enc  string
	ch   chan *rowBatch // batches for the file's writer goroutine
	err  error
}

// dropSink hands rows over to the files' writer goroutines in batches, so
// that generating the world and encoding the files use both cores. Batches
// of an entity reach its file in the order they were made: the output is the
// same as a sequential write.
type dropSink struct {
	files map[string]*dropFile
	cur   map[string]*rowBatch
	free  chan *rowBatch
	wg    sync.WaitGroup
	since record.Day // rows updated before it are left out (a delta batch)
}

type rowBatch struct {
	rows []record.Row
	n    int
}

const batchRows = 2048

// newDropSink starts one writer goroutine per file: a file's encoder runs
// beside the generator and beside the other files' encoders.
func newDropSink(files map[string]*dropFile) *dropSink {
	s := &dropSink{files: files, cur: map[string]*rowBatch{}, free: make(chan *rowBatch, 256)}
	for _, f := range files {
		f.ch = make(chan *rowBatch, 32)
		s.wg.Add(1)
		go func(f *dropFile) {
			defer s.wg.Done()
			for b := range f.ch {
				for i := 0; i < b.n && f.err == nil; i++ {
					f.rows++
					if err := f.w.Write(&b.rows[i]); err != nil {
						f.err = fmt.Errorf("opsim drop %s row %d: %w", f.name, f.rows, err)
					}
				}
				b.n = 0
				select {
				case s.free <- b:
				default:
				}
			}
		}(f)
	}
	return s
}

func (s *dropSink) Row(entity string, at record.Stamp, r *record.Row) error {
	if s.since != 0 && at.Day() < s.since {
		return nil
	}
	b := s.cur[entity]
	if b == nil {
		select {
		case b = <-s.free:
		default:
			b = &rowBatch{rows: make([]record.Row, batchRows)}
		}
		s.cur[entity] = b
	}
	b.rows[b.n].CopyFrom(r)
	b.n++
	if b.n == len(b.rows) {
		s.files[entity].ch <- b
		s.cur[entity] = nil
	}
	return nil
}

// close sends the partial batches and waits for the writer goroutines.
func (s *dropSink) close() error {
	for name, f := range s.files {
		if b := s.cur[name]; b != nil && b.n > 0 {
			f.ch <- b
		}
		close(f.ch)
	}
	s.wg.Wait()
	var errs []error
	for _, e := range contract.Entities() {
		if f := s.files[e.Name]; f != nil && f.err != nil {
			errs = append(errs, f.err)
		}
	}
	return errors.Join(errs...)
}

// Drop writes the world as of its day as file drops, one folder per
// operator, with manifests, and the answer key.
func (w *World) Drop(opt DropOptions) (*DropStats, error) {
	if opt.Format == "" {
		opt.Format = "csv"
	}
	if opt.Encoding == "" {
		opt.Encoding = fileformat.UTF8
	}
	stats := &DropStats{Rows: map[string]int64{}}
	var key *keyWriter
	if opt.KeyPath != "-" {
		key = &keyWriter{}
	}
	for _, op := range w.Operators {
		if err := w.dropOperator(opt, op, key, stats); err != nil {
			return nil, err
		}
	}
	if key != nil {
		path := opt.KeyPath
		if path == "" {
			path = filepath.Join(opt.Out, "answer-key.jsonl")
		}
		if err := writeFile(path, key.writeTo); err != nil {
			return nil, err
		}
	}
	return stats, nil
}

func (w *World) dropOperator(opt DropOptions, op *Operator, key *keyWriter, stats *DropStats) error {
	dir := filepath.Join(opt.Out, op.Code, w.Batch())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("opsim drop: %w", err)
	}
	byEntity := map[string]*dropFile{}
	var files []*dropFile
	for i, e := range contract.Entities() {
		format, err := w.formatFor(opt, op, i)
		if err != nil {
			return err
		}
		fo := fileformat.Options{}
		enc := fileformat.UTF8
		if format == fileformat.CSV {
			fo.Encoding = opt.Encoding
			enc = opt.Encoding
			fo.BOM = opt.Encoding == fileformat.UTF8 && op.Index%2 == 1
		}
		name := e.Name + fileformat.Ext(format)
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("opsim drop: %w", err)
		}
		df := &dropFile{name: name, f: fh, enc: enc}
		df.buf = bufio.NewWriterSize(fh, 1<<20)
		df.hash = &countingHash{w: df.buf, h: sha256.New()}
		if df.w, err = fileformat.NewWriter(format, e, df.hash, fo); err != nil {
			fh.Close()
			return err
		}
		byEntity[e.Name] = df
		files = append(files, df)
	}
	sink := newDropSink(byEntity)
	sink.since = opt.ChangedSince
	defer func() {
		for _, f := range files {
			f.f.Close()
		}
	}()
	b, err := op.generate(sink, key)
	if err != nil {
		sink.close()
		return err
	}
	small := op.smallTables(b)
	for _, e := range contract.Entities() {
		t := small[e.Name]
		if t == nil {
			continue
		}
		for i := range t.Rows {
			sink.Row(e.Name, t.At[i], &t.Rows[i])
		}
	}
	if err := sink.close(); err != nil {
		return err
	}
	m := Manifest{Operator: op.Code, Batch: w.Batch(), Files: map[string]ManifestFile{}}
	for _, f := range files {
		if err := f.w.Close(); err != nil {
			return fmt.Errorf("opsim drop %s: %w", f.name, err)
		}
		if err := f.buf.Flush(); err != nil {
			return fmt.Errorf("opsim drop %s: %w", f.name, err)
		}
		if err := f.f.Close(); err != nil {
			return fmt.Errorf("opsim drop %s: %w", f.name, err)
		}
		m.Files[f.name] = ManifestFile{Rows: f.rows, SHA256: hex.EncodeToString(f.hash.h.Sum(nil)), Encoding: f.enc}
		stats.Rows[f.name[:len(f.name)-len(filepath.Ext(f.name))]] += f.rows
		stats.Files++
		stats.Bytes += f.hash.n
	}
	fault, file, err := opt.Faults.apply(w, op, dir, &m)
	if err != nil {
		return fmt.Errorf("opsim drop %s: fault: %w", op.Code, err)
	}
	if fault != "" {
		key.add(KeyEntry{Kind: "batch", Operator: op.Code, Entity: strings.TrimSuffix(file, filepath.Ext(file)), Key: w.Batch(),
			Code: "manifest_mismatch", Expect: "reject", Note: "drop fault " + fault + " on " + file})
	}
	return writeFile(filepath.Join(dir, "manifest.json"), func(out io.Writer) error {
		enc := json.NewEncoder(out)
		enc.SetIndent("", " ")
		enc.SetEscapeHTML(false)
		return enc.Encode(m)
	})
}

func writeFile(path string, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	if err := fill(bw); err != nil {
		f.Close()
		return fmt.Errorf("opsim: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
