// Package pgworld writes one simulated operator's world into PostgreSQL:
// the PostgreSQL transport of HZ-OPS/1 as an operator would expose it.
//
// In: a pgx connection, a schema name and an *opsim.Operator. Out: the
// schema (created if absent) holding one table per contract entity, named
// as the entity, with one column per contract field in contract order.
// Every column is text and holds the value as the operator's system holds
// it, planted defects included, except updated_at, which is timestamptz
// NOT NULL. Natural keys carry no primary key: the planted duplicate keys
// would violate it. Instead each table has the index an incremental puller
// needs: on updated_at, then each key column with null read as the empty
// string, in byte order (COLLATE "C") — the expressions extract's postgres
// source orders and compares by.
//
// One schema holds one operator (its rows carry its operator_code); a
// world of several operators goes into a schema each, named by the caller.
// Loading again replaces the tables' contents in one transaction, so a
// reader sees the old world or the new one, never a mix: a world as of a
// later day loaded over an earlier one is what an operator's database
// looks like a few days on.
//
// Rows are streamed from the generator into COPY; the world is never held
// in memory. The transport-level defects of a row (record.Mangle) are not
// applied: like every transport but CSV, PostgreSQL carries the record
// intact.
package pgworld

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"huzhu/contract"
	"huzhu/opsim"
	"huzhu/opsim/record"
)

// Load replaces the contents of the operator's tables in schema with the
// operator's world as of its day, creating the schema, tables and indexes
// as needed, and returns the rows written per entity (every contract
// entity, 0 for an empty one). It runs in one transaction on conn. A table
// of that name that lacks a contract column makes it fail.
func Load(ctx context.Context, conn *pgx.Conn, schema string, op *opsim.Operator) (map[string]int64, error) {
	fail := func(err error) (map[string]int64, error) {
		return nil, fmt.Errorf("pgworld %s into %s: %w", op.Code, schema, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return fail(err)
	}
	var tables []string
	for _, e := range contract.Entities() {
		for _, stmt := range []string{createTableSQL(schema, e), dropIndexSQL(schema, e)} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fail(fmt.Errorf("%s: %w", e.Name, err))
			}
		}
		tables = append(tables, table(schema, e))
	}
	if _, err := tx.Exec(ctx, "TRUNCATE "+strings.Join(tables, ", ")); err != nil {
		return fail(err)
	}
	rows, err := copyWorld(ctx, tx.Conn(), schema, op)
	if err != nil {
		return fail(err)
	}
	// The index is built after the rows are in: faster than maintaining it
	// row by row. ANALYZE lets the planner see the new contents at once;
	// the columns an incremental pull orders by are enough for its plans.
	for _, e := range contract.Entities() {
		for _, stmt := range []string{createIndexSQL(schema, e), analyzeSQL(schema, e)} {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				return fail(fmt.Errorf("%s: %w", e.Name, err))
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fail(err)
	}
	return rows, nil
}

func table(schema string, e *contract.Entity) string {
	return pgx.Identifier{schema, e.Name}.Sanitize()
}

func createTableSQL(schema string, e *contract.Entity) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS " + table(schema, e) + " (")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(pgx.Identifier{f.Name}.Sanitize())
		if f.Name == "updated_at" {
			b.WriteString(" timestamptz NOT NULL")
		} else {
			b.WriteString(" text")
		}
	}
	b.WriteString(")")
	return b.String()
}

func indexName(e *contract.Entity) string { return e.Name + "_updated_at_key" }

func dropIndexSQL(schema string, e *contract.Entity) string {
	return "DROP INDEX IF EXISTS " + pgx.Identifier{schema, indexName(e)}.Sanitize()
}

// createIndexSQL indexes the order of an incremental pull. A key column may
// be null (budgets.activity_code, or a defect), and a null never compares
// greater than anything, so the puller compares each key column with null
// read as the empty string, in byte order; the index holds exactly those
// expressions.
func createIndexSQL(schema string, e *contract.Entity) string {
	var b strings.Builder
	b.WriteString("CREATE INDEX " + pgx.Identifier{indexName(e)}.Sanitize() + " ON " + table(schema, e) + " (updated_at")
	for _, k := range e.Key {
		b.WriteString(", (COALESCE(" + pgx.Identifier{k}.Sanitize() + `, '') COLLATE "C")`)
	}
	b.WriteString(")")
	return b.String()
}

func analyzeSQL(schema string, e *contract.Entity) string {
	cols := []string{"updated_at"}
	cols = append(cols, e.Key...)
	for i, c := range cols {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	return "ANALYZE " + table(schema, e) + " (" + strings.Join(cols, ", ") + ")"
}

func copySQL(schema string, e *contract.Entity) string {
	cols := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		cols[i] = pgx.Identifier{f.Name}.Sanitize()
	}
	return "COPY " + table(schema, e) + " (" + strings.Join(cols, ", ") + ") FROM STDIN"
}

// copyWorld streams the operator's rows into one COPY per entity. A
// connection runs one COPY at a time, and the generator interleaves the
// member entities (a member's row, its enrolments, its claims), so one
// generation cannot feed every table: the first pass copies the first
// entity it meets and learns where in the stream each entity's rows lie;
// each further pass copies a set of entities whose stretches do not
// overlap, one after the other, and stops after the last. For opsim that
// is three passes (members; enrollments, the ledger and the small
// entities; claims). Generation is several times faster than COPY and runs
// beside it, so the extra passes cost little. The generator is
// deterministic; a pass that meets a row outside its learned stretch fails
// rather than loading half an entity.
func copyWorld(ctx context.Context, conn *pgx.Conn, schema string, op *opsim.Operator) (map[string]int64, error) {
	rows := make(map[string]int64, len(contract.Entities()))
	for _, e := range contract.Entities() {
		rows[e.Name] = 0
	}
	spans := map[string]*span{}
	first, err := copyPass(ctx, conn, schema, op, nil, -1, spans)
	if err != nil {
		return nil, err
	}
	for k, v := range first {
		rows[k] = v
	}
	for _, plan := range planPasses(spans, first) {
		got, err := copyPass(ctx, conn, schema, op, plan, spans[plan[len(plan)-1]].last, nil)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			rows[k] = v
		}
	}
	for name, sp := range spans {
		if rows[name] != sp.rows {
			return nil, fmt.Errorf("%s: copied %d rows, generated %d", name, rows[name], sp.rows)
		}
	}
	return rows, nil
}

// span is where an entity's rows lie in the generated stream: the indexes
// of its first and last row, and how many there are.
type span struct{ first, last, rows int64 }

// planPasses groups the entities not yet copied into passes of
// non-overlapping spans, fewest passes first: greedy by earliest end,
// which packs intervals optimally.
func planPasses(spans map[string]*span, done map[string]int64) [][]string {
	var left []string
	for name := range spans {
		if _, ok := done[name]; !ok {
			left = append(left, name)
		}
	}
	sort.Slice(left, func(i, j int) bool { return spans[left[i]].last < spans[left[j]].last })
	var passes [][]string
	for len(left) > 0 {
		var pass, rest []string
		end := int64(-1)
		for _, name := range left {
			if spans[name].first > end {
				pass = append(pass, name)
				end = spans[name].last
			} else {
				rest = append(rest, name)
			}
		}
		passes = append(passes, pass)
		left = rest
	}
	return passes
}

// errPassDone stops the generator once a pass has copied its last entity.
var errPassDone = errors.New("pass done")

// copyJob is one COPY: the entity and the pipe its rows arrive through.
type copyJob struct {
	e *contract.Entity
	r *io.PipeReader
}

// copyPass runs the generator once and copies the entities of plan, in
// order, each through its own COPY on conn, stopping the generator after
// the row at index stop (-1: run it to the end). With a nil plan it copies
// the first entity it meets and records every entity's span in learn. It
// returns the rows copied per entity.
func copyPass(ctx context.Context, conn *pgx.Conn, schema string, op *opsim.Operator, plan []string, stop int64, learn map[string]*span) (map[string]int64, error) {
	jobs := make(chan copyJob)
	s := &passSink{plan: plan, learn: learn, jobs: jobs, cur: -1, stop: stop}
	genErr := make(chan error, 1)
	go func() {
		err := op.Generate(s)
		if errors.Is(err, errPassDone) {
			err = nil
		}
		if err == nil {
			err = s.close(nil)
		} else {
			s.close(err)
		}
		close(jobs)
		genErr <- err
	}()
	rows := map[string]int64{}
	var copyErr error
	for j := range jobs {
		if copyErr != nil {
			j.r.CloseWithError(copyErr)
			continue
		}
		tag, err := conn.PgConn().CopyFrom(ctx, j.r, copySQL(schema, j.e))
		if err != nil {
			copyErr = fmt.Errorf("copy %s: %w", j.e.Name, err)
			// Unblock the generator; it fails its next write and stops.
			j.r.CloseWithError(copyErr)
			continue
		}
		rows[j.e.Name] = tag.RowsAffected()
	}
	if err := <-genErr; err != nil && copyErr == nil {
		return nil, err
	}
	if copyErr != nil {
		return nil, copyErr
	}
	return rows, nil
}

// passSink routes the generated rows of one pass into COPY text format.
type passSink struct {
	plan  []string
	learn map[string]*span
	jobs  chan<- copyJob
	idx   int64 // index of the current row in the stream
	cur   int   // position in plan of the entity being copied; -1 before the first
	stop  int64 // stream index after which the pass is done; -1: never
	w     *io.PipeWriter
	bw    *bufio.Writer
	line  []byte
	// updatedAt is the position of updated_at in the current entity.
	updatedAt int
}

func (s *passSink) Row(entity string, at record.Stamp, r *record.Row) error {
	s.idx++
	if s.learn != nil {
		sp := s.learn[entity]
		if sp == nil {
			sp = &span{first: s.idx}
			s.learn[entity] = sp
		}
		sp.last = s.idx
		sp.rows++
		if s.plan == nil {
			s.plan = []string{entity}
		}
	}
	switch {
	case s.cur >= 0 && entity == s.plan[s.cur]:
	case s.cur+1 < len(s.plan) && entity == s.plan[s.cur+1]:
		if err := s.next(); err != nil {
			return err
		}
	default:
		if s.learn == nil {
			for i, name := range s.plan {
				if name == entity {
					return fmt.Errorf("generator not deterministic: a row of %s (plan position %d) arrived while copying %s", entity, i, s.plan[max(s.cur, 0)])
				}
			}
			if s.cur == len(s.plan)-1 && s.stop >= 0 && s.idx > s.stop {
				return errPassDone
			}
		}
		return nil
	}
	return s.write(at, r)
}

// next ends the current COPY and starts the one of the next planned entity.
func (s *passSink) next() error {
	if err := s.close(nil); err != nil {
		return err
	}
	s.cur++
	e := contract.Lookup(s.plan[s.cur])
	if e == nil {
		return fmt.Errorf("generator emitted unknown entity %q", s.plan[s.cur])
	}
	s.updatedAt = e.Index("updated_at")
	pr, pw := io.Pipe()
	s.w = pw
	if s.bw == nil {
		s.bw = bufio.NewWriterSize(pw, 256<<10)
	} else {
		s.bw.Reset(pw)
	}
	s.jobs <- copyJob{e: e, r: pr}
	return nil
}

// close ends the current COPY: at end of data when err is nil, failing it
// otherwise.
func (s *passSink) close(err error) error {
	if s.w == nil {
		return nil
	}
	w := s.w
	s.w = nil
	if err == nil {
		err = s.bw.Flush()
	}
	if err != nil {
		w.CloseWithError(err)
		return err
	}
	return w.Close()
}

// write appends the row as a line of COPY's text format.
func (s *passSink) write(at record.Stamp, r *record.Row) error {
	b := s.line[:0]
	for i := 0; i < r.Len(); i++ {
		if i > 0 {
			b = append(b, '\t')
		}
		switch {
		case i == s.updatedAt && r.IsNull(i):
			// The column is NOT NULL; the stamp the generator gives
			// stands in. Otherwise the row's own text is what the
			// operator holds (and what the other transports send).
			b = at.AppendText(b)
		case r.IsNull(i):
			b = append(b, '\\', 'N')
		default:
			b = appendEscaped(b, r.Field(i))
		}
	}
	b = append(b, '\n')
	s.line = b
	_, err := s.bw.Write(b)
	return err
}

// appendEscaped appends v escaped for COPY's text format.
func appendEscaped(b, v []byte) []byte {
	for _, c := range v {
		switch c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, c)
		}
	}
	return b
}
