package transform

import (
	"context"
	"database/sql"
	"strings"

	"huzhu/contract"
)

// A versions table (core.v_<entity>) is created with its columns named,
// each with the compression method its values suit where the contract
// says what they are, and not left to DuckDB's choice. DuckDB chooses a
// column's method each time it writes a segment, by trying every method
// its type has on the segment first: for a text column it builds a
// dictionary and trains an FSST symbol table, then compresses with the
// winner. At 1 M members, copying the 4.8 M receipts' versions cost 5.1
// thread-s so and 3.7–3.9 with the methods below named, in as many blocks.
// The choice is made once here, from the contract, where DuckDB made it
// for every segment; it is the method DuckDB chose for nearly every such
// column at 1 M members, and TestVersionsStoredAsNamed holds each column
// to no more segments than DuckDB's own choice. (The clause, `USING
// COMPRESSION`, is DuckDB's own — its pull request 2473 — though not on
// its documentation site: the test fails on a DuckDB that ignores it.)
//
//   - a record's own key (the first key column: a receipt number, a claim
//     number, a voucher number, a member's ref among the members) and a
//     pseudonym: a value a record, or nearly, FSST, which compresses the
//     text itself (and any text well: a budget line's activity, the first
//     of its key, repeats, in a table of a few hundred rows);
//   - a value from a bounded set (an enum's value, a USCC — the
//     operators and organisations —, a region, a code named *_code — an
//     activity, an account of the chart, a budget line, a pool —, the
//     source's operator): few values many times over, a dictionary;
//   - an amount, a date, a timestamp, an integer, a decimal, and the raw
//     row a fused stage model's row came from (raw_row, dropped after):
//     bit-packing, which stores a run of one value as a constant too;
//   - the load's number (load_no): a run a load, run-length encoding;
//   - anything else, DuckDB's choice, segment by segment, as before: free
//     text, and a reference to a record (a receipt's member, a refund's
//     receipt, a ledger line's decision), whose values may repeat or not
//     with the data's order. A dictionary is the wrong method for values
//     that do not repeat: it stored 4.8 M receipt numbers in 474 segments,
//     where FSST took 126.

// Compression methods, as DuckDB names them.
const (
	fsst       = "fsst"
	dictionary = "dictionary"
	bitpacking = "bitpacking"
	rle        = "rle"
)

// compressionOf is the method column col (of DuckDB type typ) of e's
// versions table is written with, or "" for DuckDB's choice.
func compressionOf(e *contract.Entity, col, typ string) string {
	text := typ == "VARCHAR"
	switch {
	case col == "source_operator" && text:
		return dictionary
	case strings.HasSuffix(col, "_pseudo") && text:
		return fsst
	case col == "load_no" && !text:
		return rle
	case col == "raw_row" && !text:
		return bitpacking
	}
	i := e.Index(col)
	if i < 0 {
		return ""
	}
	switch k := e.Fields[i].Kind; {
	case text && col == e.Key[0] && (k == contract.Code || k == contract.USCC):
		return fsst
	case text && (k == contract.Enum || k == contract.USCC || k == contract.Region ||
		k == contract.Code && strings.HasSuffix(col, "_code")):
		return dictionary
	case !text && (k == contract.Money || k == contract.Date || k == contract.TS ||
		k == contract.Int || k == contract.Decimal):
		return bitpacking
	}
	return ""
}

// versionsColumn is one column of a versions table as it is created.
type versionsColumn struct{ Name, Type, Compression string }

// createVersions creates core.v_<entity> empty (unless it exists, when
// ifNotExists), with the columns of query (their names and types, as
// DuckDB describes them), each written with the method compressionOf
// names, and returns the columns' names. The query is the one the rows
// are then inserted by, so that the two cannot differ.
func createVersions(ctx context.Context, conn *sql.Conn, e *contract.Entity, query string, ifNotExists bool) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+query+")")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []versionsColumn
	var names []string
	for rows.Next() {
		var c versionsColumn
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, err
		}
		c.Compression = compressionOf(e, c.Name, c.Type)
		cols = append(cols, c)
		names = append(names, c.Name)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = plumb(ctx, conn, "create_versions", struct {
		Entity      string
		IfNotExists bool
		Columns     []versionsColumn
	}{e.Name, ifNotExists, cols})
	return names, err
}
