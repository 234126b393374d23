// Package extract pulls the operators' data into the raw schema, exactly
// once, under faults.
//
// In: the [[source]] entries of the config — file drops (CSV in UTF-8 with
// or without BOM or in GB18030, XLSX, JSONL, Parquet), the HTTP API of
// HZ-OPS/1, PostgreSQL schemas. Out: rows appended to raw.<entity>, every
// contract field as received (text) plus extra (unknown columns as JSON),
// source_pos, load_id, source_operator, source_kind and ingested_at; one
// ops.loads row per committed unit; watermarks in ops.watermarks; rows that
// cannot be read as records (a truncated line, a wrong column count,
// invalid UTF-8) in ops.quarantine with their position; the operators' own
// counts in ops.reconciliation.
//
// Exactly once: a unit — a whole file batch, a run of HTTP pages, a chunk
// of a PostgreSQL pull — is committed in one DuckDB transaction together
// with its ops.loads row and the watermark it advances to, so a crash loses
// at most the unit in flight and the next pull resumes where the last
// commit left off. A file batch whose files were loaded before (same
// operator, batch and checksum) is skipped. HTTP and PostgreSQL pulls resume
// from the committed (updated_at, natural key) and skip rows at or before
// it, since updated_since is inclusive.
//
// Rows travel as Arrow record batches: built with arrow-go and handed to
// DuckDB through its Arrow scan when built with the duckdb_arrow tag (the
// Makefile's default), or through DuckDB's appender otherwise. Sources run
// in parallel (bounded); one connection writes.
package extract
