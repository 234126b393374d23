package extract

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"huzhu/contract"
	"huzhu/internal/config"
)

// postgresChunkRows is how many rows one unit of a PostgreSQL pull reads,
// plus the rest of the run of rows that share the last row's position.
const postgresChunkRows = 100_000

// postgresSource pulls an operator's tables from a PostgreSQL schema: one
// table per entity, named as the entity, a column per contract field.
//
// The pull is incremental by (updated_at, natural key): each entity is read
// in that order from just after its watermark, in chunks; each chunk is one
// unit, committed with the watermark of its last row. The whole pull reads
// one snapshot (a REPEATABLE READ, READ ONLY transaction), so the counts it
// reconciles against are those of the rows it read.
//
// Columns are read as text, in the contract's form where the column's
// type has another: updated_at and any timestamptz column (updated_at may
// also be a timestamp without zone, taken as Beijing time) RFC 3339 at
// +08:00; a numeric or money column without trailing fraction zeros
// (5667.540 is 5667.54, while 5667.545 stays and the transform refuses it);
// a timestamp without zone and a date as PostgreSQL's ISO style writes
// them (an offset-less ts is Beijing time). A key column is compared as
// rendered, with null read as the empty string and in byte order
// (COLLATE "C"), so that no row falls out of the order. An index on
// exactly those expressions, as opsim/pgworld creates for its text
// columns, makes each chunk an index range scan:
//
//	CREATE INDEX ON members (updated_at, (COALESCE(member_ref, '') COLLATE "C"))
//
// Rows without updated_at have no place in that order: a source's first
// pull (it has no watermark) loads them in one unit of their own before
// the others, and no later pull reads them again; one that appears later
// is never pulled, and the reconciliation shows it.
type postgresSource struct {
	operator string
	schema   string // "" means the server's search_path
	cfg      *pgx.ConnConfig
	chunk    int
}

func openPostgres(src config.Source, opt Options) (Source, error) {
	cfg, err := pgx.ParseConfig(src.DSN)
	if err != nil {
		// pgx redacts a password in the message.
		return nil, fmt.Errorf("extract %s/%s: %w", src.Operator, config.KindPostgres, err)
	}
	// A timestamp without zone is Beijing time (contract-v1, "ts"); dates
	// and timestamps without zone are read as text in ISO style, whatever
	// the server's default.
	cfg.RuntimeParams["timezone"] = "Asia/Shanghai"
	cfg.RuntimeParams["datestyle"] = "ISO, YMD"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "huzhu"
	}
	return &postgresSource{operator: src.Operator, schema: src.Schema, cfg: cfg, chunk: postgresChunkRows}, nil
}

func (s *postgresSource) Name() string { return s.operator + "/" + config.KindPostgres }

// Pull loads every entity's rows after its watermark. A connection or
// authentication failure is returned at once, naming the operator.
func (s *postgresSource) Pull(ctx context.Context, l *Loader) error {
	conn, err := pgx.ConnectConfig(ctx, s.cfg)
	if err != nil {
		return fmt.Errorf("extract %s: connect: %w", s.Name(), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("extract %s: begin: %w", s.Name(), err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, e := range contract.Entities() {
		if err := s.pullEntity(ctx, tx, l, e); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

func (s *postgresSource) pullEntity(ctx context.Context, pg pgx.Tx, l *Loader, e *contract.Entity) error {
	fail := func(err error) error { return fmt.Errorf("extract %s/%s: %w", s.Name(), e.Name, err) }
	types, err := pgColumnTypes(ctx, pg, s.schema, e)
	if err != nil {
		return fail(fmt.Errorf("column types: %w", err))
	}
	q := newPGQueries(s.schema, e, types)
	from, err := l.Watermark(ctx, e.Name)
	if err != nil {
		return err
	}
	c := &pgChunk{q: q, posKey: l.PositionKey}
	defer c.release()
	if from.UpdatedAt == "" {
		// The first pull: the rows without updated_at, which no later
		// pull can tell from those it loaded before.
		c.reset()
		if err := c.readAll(ctx, pg, q.nulls); err != nil {
			return fail(fmt.Errorf("rows without updated_at: %w", err))
		}
		if c.rows > 0 {
			u := l.NewUnit(e, "", "", q.table, from)
			u.Received, u.To = c.rows, nullsLoaded
			if err := commitChunk(ctx, l, u, c.batches[:c.used]); err != nil {
				return err
			}
			from = nullsLoaded
		}
	}
	for more := true; more; {
		c.reset()
		if more, err = c.read(ctx, pg, from, s.chunk); err != nil {
			return fail(err)
		}
		if c.rows == 0 {
			break
		}
		u := l.NewUnit(e, "", "", q.table, from)
		u.Received, u.To = c.rows, c.last
		if err := commitChunk(ctx, l, u, c.batches[:c.used]); err != nil {
			return err
		}
		from = c.last
	}
	var reported int64
	if err := pg.QueryRow(ctx, q.count).Scan(&reported); err != nil {
		return fail(fmt.Errorf("count: %w", err))
	}
	return l.ReconcileCurrent(ctx, e, reported)
}

var sqlPGColumns = mustSQL("pg_columns.sql")

// pgColumnTypes returns the type of each column of the entity's table, by
// name (typname: "timestamptz", "numeric", …; a domain's base type). A
// table that does not exist has none; reading it then says so.
func pgColumnTypes(ctx context.Context, pg pgx.Tx, schema string, e *contract.Entity) (map[string]string, error) {
	ident := pgx.Identifier{e.Name}
	if schema != "" {
		ident = pgx.Identifier{schema, e.Name}
	}
	rows, err := pg.Query(ctx, sqlPGColumns, ident.Sanitize())
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	var name, typ string
	_, err = pgx.ForEachRow(rows, []any{&name, &typ}, func() error {
		types[name] = typ
		return nil
	})
	return types, err
}

// commitChunk loads one chunk as one unit, with its watermark.
func commitChunk(ctx context.Context, l *Loader, u *Unit, batches []*Batch) error {
	tx, err := l.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, b := range batches {
		if err := tx.Append(u, b); err != nil {
			return err
		}
	}
	if err := tx.Finish(u); err != nil {
		return err
	}
	return tx.Commit()
}

// pgQueries are the statements of one entity's pull. Identifiers come from
// package contract and the config, quoted; values go in as parameters.
type pgQueries struct {
	e            *contract.Entity
	table        string // schema.entity as configured, for positions and units
	first, after string // a chunk from the start, and after a position
	run          string // every row at one position
	nulls        string // every row without updated_at
	count        string
	key          []int // positions of the key fields
	updatedAt    int
}

// newPGQueries builds the statements of an entity's pull from its table's
// column types (pgColumnTypes).
func newPGQueries(schema string, e *contract.Entity, types map[string]string) *pgQueries {
	q := &pgQueries{e: e, table: e.Name, updatedAt: e.Index("updated_at")}
	ident := pgx.Identifier{e.Name}
	if schema != "" {
		q.table = schema + "." + e.Name
		ident = pgx.Identifier{schema, e.Name}
	}
	from := " FROM " + ident.Sanitize()
	updatedAt := pgx.Identifier{"updated_at"}.Sanitize()
	ts := updatedAt + "::timestamptz"
	cols := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		if i == q.updatedAt {
			cols[i] = pgRFC3339(ts)
		} else {
			cols[i] = pgText(pgx.Identifier{f.Name}.Sanitize(), types[f.Name])
		}
	}
	pos := []string{ts}
	params := []string{"$1::timestamptz"}
	for i, k := range e.Key {
		q.key = append(q.key, e.Index(k))
		pos = append(pos, "COALESCE("+cols[e.Index(k)]+`, '') COLLATE "C"`)
		params = append(params, fmt.Sprintf("$%d::text", i+2))
	}
	sel := "SELECT " + strings.Join(cols, ", ") + from
	order := " ORDER BY " + strings.Join(pos, ", ")
	row := "(" + strings.Join(pos, ", ") + ")"
	args := "(" + strings.Join(params, ", ") + ")"
	q.first = sel + " WHERE " + updatedAt + " IS NOT NULL" + order + " LIMIT $1"
	q.after = sel + " WHERE " + row + " > " + args + order + fmt.Sprintf(" LIMIT $%d", len(params)+1)
	q.run = sel + " WHERE " + row + " = " + args
	q.nulls = sel + " WHERE " + updatedAt + " IS NULL"
	q.count = "SELECT count(*)" + from
	return q
}

// pgRFC3339 renders a timestamptz expression RFC 3339 at +08:00 (a fixed
// offset: Asia/Shanghai kept summer time 1986–1991), fractions only when
// present, so that the text parses back to the same instant. Null stays
// null.
func pgRFC3339(ts string) string {
	return "to_char(" + ts + ` AT TIME ZONE INTERVAL '08:00', 'YYYY-MM-DD"T"HH24:MI:SS')` +
		" || CASE WHEN date_trunc('second', " + ts + ") = " + ts + " THEN '' ELSE to_char(" + ts + ", '.US') END || '+08:00'"
}

// pgText renders a column of the given type (pgColumnTypes) as text in the
// contract's form: a timestamptz RFC 3339 (infinity as PostgreSQL writes
// it, for the transform to refuse), a numeric or money without trailing
// fraction zeros (not trim_scale, which PostgreSQL 12 lacks); anything
// else as PostgreSQL writes it.
func pgText(col, typ string) string {
	switch typ {
	case "timestamptz":
		return "CASE WHEN isfinite(" + col + ") THEN " + pgRFC3339(col) + " ELSE " + col + "::text END"
	case "money":
		col += "::numeric"
		fallthrough
	case "numeric":
		return "CASE WHEN strpos(" + col + "::text, '.') > 0 THEN rtrim(rtrim(" + col + "::text, '0'), '.') ELSE " + col + "::text END"
	}
	return col + "::text"
}

// args are a position's query parameters.
func (q *pgQueries) args(m Watermark) ([]any, error) {
	key, err := splitPGKey(m.Key, len(q.key))
	if err != nil {
		// Not the key itself: it may be a person's data.
		return nil, fmt.Errorf("the key of the watermark at %s: %w", m.UpdatedAt, err)
	}
	args := []any{m.UpdatedAt}
	for _, k := range key {
		args = append(args, k)
	}
	return args, nil
}

// pgChunk is one chunk of a pull, read into batches before the Writer is
// taken, so that reading PostgreSQL never holds up the other sources.
type pgChunk struct {
	q       *pgQueries
	batches []*Batch
	used    int   // batches holding rows
	rows    int64 // rows appended
	last    Watermark
	posKey  func(string) string // a key as a position names it (Loader.PositionKey)
	run     []pgRow             // the rows at the latest position read, not yet appended
	nrun    int
}

// pgRow is a copy of a result row: the values are valid after the next
// Next.
type pgRow struct {
	buf  []byte
	vals [][]byte
}

func (r *pgRow) set(vals [][]byte) {
	if r.buf == nil {
		r.buf = make([]byte, 0, 512)
	}
	r.buf = r.buf[:0]
	for _, v := range vals {
		r.buf = append(r.buf, v...)
	}
	r.vals = r.vals[:0]
	off := 0
	for _, v := range vals {
		if v == nil {
			r.vals = append(r.vals, nil)
			continue
		}
		r.vals = append(r.vals, r.buf[off:off+len(v):off+len(v)])
		off += len(v)
	}
}

func (c *pgChunk) reset() {
	c.used, c.rows, c.nrun = 0, 0, 0
}

func (c *pgChunk) release() {
	for _, b := range c.batches {
		b.Release()
	}
}

// read fills the chunk with up to limit rows after from (from the first
// when from is zero or nullsLoaded), in order; never a row without
// updated_at. Rows that share the last position (updated_at and
// key: a record sent twice) must land in one unit, or a watermark between
// them would skip the second: when the chunk is full, the run at its end
// is read again whole by position. more reports that the chunk was full.
func (c *pgChunk) read(ctx context.Context, pg pgx.Tx, from Watermark, limit int) (more bool, err error) {
	var rows pgx.Rows
	if from.UpdatedAt == "" || from == nullsLoaded {
		rows, err = pg.Query(ctx, c.q.first, limit)
	} else {
		args, aerr := c.q.args(from)
		if aerr != nil {
			return false, aerr
		}
		rows, err = pg.Query(ctx, c.q.after, append(args, limit)...)
	}
	if err != nil {
		return false, err
	}
	n := 0
	for rows.Next() {
		n++
		vals := rows.RawValues()
		if c.nrun > 0 && !c.samePos(vals) {
			c.flushRun()
		}
		c.addRun(vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if n < limit {
		c.flushRun()
		return false, nil
	}
	pos := c.runPos()
	c.nrun = 0
	args, err := c.q.args(pos)
	if err != nil {
		return false, err
	}
	rows, err = pg.Query(ctx, c.q.run, args...)
	if err != nil {
		return false, err
	}
	for rows.Next() {
		c.addRun(rows.RawValues())
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	if c.nrun == 0 {
		return false, errors.New("the last row of a chunk is gone when read again")
	}
	c.flushRun()
	return true, nil
}

// readAll fills the chunk with every row the query returns, each its own
// run.
func (c *pgChunk) readAll(ctx context.Context, pg pgx.Tx, query string) error {
	rows, err := pg.Query(ctx, query)
	if err != nil {
		return err
	}
	for rows.Next() {
		c.addRun(rows.RawValues())
		c.flushRun()
	}
	rows.Close()
	return rows.Err()
}

func (c *pgChunk) addRun(vals [][]byte) {
	if c.nrun == len(c.run) {
		c.run = append(c.run, pgRow{})
	}
	c.run[c.nrun].set(vals)
	c.nrun++
}

// samePos reports whether vals has the position of the run.
func (c *pgChunk) samePos(vals [][]byte) bool {
	r := c.run[0].vals
	if string(vals[c.q.updatedAt]) != string(r[c.q.updatedAt]) {
		return false
	}
	for _, i := range c.q.key {
		if string(vals[i]) != string(r[i]) { // nil and empty alike, as compared
			return false
		}
	}
	return true
}

// runPos is the position of the run.
func (c *pgChunk) runPos() Watermark {
	r := c.run[0].vals
	return Watermark{UpdatedAt: string(r[c.q.updatedAt]), Key: string(appendPGKey(nil, r, c.q.key))}
}

// flushRun appends the run's rows to the batches.
func (c *pgChunk) flushRun() {
	if c.nrun == 0 {
		return
	}
	c.last = c.runPos()
	pos := c.q.table + ":" + c.posKey(c.last.Key)
	for i := 0; i < c.nrun; i++ {
		if c.used == 0 || c.batches[c.used-1].Full() {
			if c.used == len(c.batches) {
				c.batches = append(c.batches, NewBatch(c.q.e))
			}
			c.used++
		}
		c.batches[c.used-1].AppendBytes(c.run[i].vals, "", pos)
		c.rows++
	}
	c.nrun = 0
}

// appendPGKey appends the key fields of vals joined by "|", a "|" or "\"
// within a field escaped with "\" so that the key splits back; a null
// field is empty, as the pull compares it.
func appendPGKey(b []byte, vals [][]byte, key []int) []byte {
	for j, i := range key {
		if j > 0 {
			b = append(b, '|')
		}
		for _, ch := range vals[i] {
			if ch == '|' || ch == '\\' {
				b = append(b, '\\')
			}
			b = append(b, ch)
		}
	}
	return b
}

// splitPGKey splits a key made by appendPGKey into its n fields.
func splitPGKey(s string, n int) ([]string, error) {
	fields := make([]string, 0, n)
	var f []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return nil, errors.New("key ends in an escape")
			}
			i++
			f = append(f, s[i])
		case '|':
			fields = append(fields, string(f))
			f = f[:0]
		default:
			f = append(f, s[i])
		}
	}
	fields = append(fields, string(f))
	if len(fields) != n {
		return nil, fmt.Errorf("key has %d fields, want %d", len(fields), n)
	}
	return fields, nil
}
