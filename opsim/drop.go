package opsim

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

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
	ch   *countingHash
	w    fileformat.Writer
	rows int64
	enc  string
}

type dropSink struct{ files map[string]*dropFile }

func (s *dropSink) Row(entity string, _ record.Stamp, r *record.Row) error {
	f := s.files[entity]
	f.rows++
	if err := f.w.Write(r); err != nil {
		return fmt.Errorf("opsim drop %s row %d: %w", f.name, f.rows, err)
	}
	return nil
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
	sink := &dropSink{files: map[string]*dropFile{}}
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
		df.ch = &countingHash{w: df.buf, h: sha256.New()}
		if df.w, err = fileformat.NewWriter(format, e, df.ch, fo); err != nil {
			fh.Close()
			return err
		}
		sink.files[e.Name] = df
		files = append(files, df)
	}
	defer func() {
		for _, f := range files {
			f.f.Close()
		}
	}()
	b, err := op.generate(sink, key)
	if err != nil {
		return err
	}
	for name, t := range op.smallTables(b) {
		for i := range t.Rows {
			if err := sink.Row(name, t.At[i], &t.Rows[i]); err != nil {
				return err
			}
		}
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
		m.Files[f.name] = ManifestFile{Rows: f.rows, SHA256: hex.EncodeToString(f.ch.h.Sum(nil)), Encoding: f.enc}
		stats.Rows[f.name[:len(f.name)-len(filepath.Ext(f.name))]] += f.rows
		stats.Files++
		stats.Bytes += f.ch.n
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
