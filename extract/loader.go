package extract

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"huzhu/contract"
	"huzhu/internal/privacy"
	"huzhu/internal/sqlmodel"
)

//go:embed sql/*.sql
var sqlFiles embed.FS

func mustSQL(name string) string {
	b, err := sqlFiles.ReadFile("sql/" + name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var (
	sqlLoadInsert       = mustSQL("load_insert.sql")
	sqlSourceLoaded     = mustSQL("source_loaded.sql")
	sqlWatermarkGet     = mustSQL("watermark_get.sql")
	sqlWatermarkSet     = mustSQL("watermark_set.sql")
	sqlBatchSeen        = mustSQL("batch_seen.sql")
	sqlQuarantineInsert = mustSQL("quarantine_insert.sql")
	sqlReconInsert      = mustSQL("reconciliation_insert.sql")
	sqlUnitCommitted    = mustSQL("unit_committed.sql")
	sqlTakeBackOps      = strings.Split(mustSQL("batch_take_back_ops.sql"), ";\n")
	takeBackRaw         = template.Must(template.New("batch_take_back.sql").Parse(mustSQL("batch_take_back.sql")))
	rawInsert           = template.Must(template.New("raw_insert.sql").Parse(mustSQL("raw_insert.sql")))
)

// rawInsertSQL renders the raw insert for an entity and a registered view.
func rawInsertSQL(entity, view string) string {
	var b strings.Builder
	if err := rawInsert.Execute(&b, struct{ Entity, View string }{entity, view}); err != nil {
		panic(err)
	}
	return b.String()
}

// Writer is the process's one DuckDB database as the extract stage writes
// it. Each source writes through its own Loader and connection, so that
// DuckDB appends for several sources at once (appends to one table from
// concurrent transactions do not conflict); each source's transactions
// run one at a time.
type Writer struct {
	db    *sql.DB
	runID string
	now   func() time.Time
	views atomic.Int64

	// nonce and units make each incremental unit's load_id its own: see
	// NewUnit.
	nonce [16]byte
	units atomic.Int64

	slots chan struct{} // bounds the files loading at once

	pseudo *pseudonymiser // nil: raw gets a person's data as sent

	mu      sync.Mutex
	loaders []*Loader
}

// NewWriter prepares to write db for the run.
func NewWriter(ctx context.Context, db *sql.DB, runID string) (*Writer, error) {
	w := &Writer{db: db, runID: runID, now: time.Now, slots: make(chan struct{}, 4)}
	rand.Read(w.nonce[:]) // never fails (crypto/rand)
	if err := dropChunkViews(ctx, db); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return w, nil
}

// dropChunkViews drops the views of Arrow chunks that builds before the
// fix left in the catalog: a reader that opened one crashed.
func dropChunkViews(ctx context.Context, db *sql.DB) error {
	var views []string
	if err := sqlmodel.Each(ctx, db, sqlFiles, "sql/chunk_views.sql", func(r *sql.Rows) error {
		var v string
		err := r.Scan(&v)
		views = append(views, v)
		return err
	}); err != nil {
		return err
	}
	for _, v := range views {
		// v matched huzhu_chunk_[0-9]+: a name of ours, no quoting needed.
		if _, err := db.ExecContext(ctx, "DROP VIEW IF EXISTS main."+v); err != nil {
			return err
		}
	}
	return nil
}

// slot waits for one of the Writer's load slots and returns its release.
func (w *Writer) slot(ctx context.Context) (func(), error) {
	select {
	case w.slots <- struct{}{}:
		return func() { <-w.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close returns the loaders' connections.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var errs []error
	for _, l := range w.loaders {
		errs = append(errs, l.Close())
	}
	w.loaders = nil
	return errors.Join(errs...)
}

// Loader is a Source's view of the Writer: bound to one operator and
// transport, with its own connection.
type Loader struct {
	w        *Writer
	Operator string
	Kind     string
	progress func(source, entity string, rows int64)
	name     string

	mu   sync.Mutex // held from Begin to Commit or Rollback, and by each query
	conn *sql.Conn
	err  error
	// rejected are the batches Reject refused, "batch: reason".
	rejected []string
}

// Loader returns the loader of one source. Its connection is taken on
// first use; the Writer closes it.
func (w *Writer) Loader(operator, kind string) *Loader {
	l := &Loader{w: w, Operator: operator, Kind: kind, name: operator + "/" + kind}
	l.conn, l.err = w.db.Conn(context.Background())
	w.mu.Lock()
	w.loaders = append(w.loaders, l)
	w.mu.Unlock()
	return l
}

// Watermark is a position in an incremental pull: the updated_at and
// natural key (fields joined by "|") of the last row committed.
type Watermark struct {
	UpdatedAt string
	Key       string
}

// nullsLoaded is the watermark of a pull that loaded rows without
// updated_at and none with one. Only a source's first pull, from the zero
// Watermark, loads rows without updated_at (no later pull can tell them
// from rows it loaded before); the watermark it leaves must therefore not
// be zero, or the next pull would load them again. It lies before every
// real updated_at.
var nullsLoaded = Watermark{UpdatedAt: "0001-01-01T00:00:00Z"}

// String is the watermark for logs and messages: the updated_at and the
// key, or "" for none.
func (m Watermark) String() string {
	if m.UpdatedAt == "" {
		return ""
	}
	return m.UpdatedAt + " " + m.Key
}

// Watermark returns where the last committed pull of the entity ended; the
// zero Watermark when there was none.
func (l *Loader) Watermark(ctx context.Context, entity string) (Watermark, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return Watermark{}, fmt.Errorf("extract %s: connection: %w", l.name, l.err)
	}
	var wm, cur sql.NullString
	err := l.conn.QueryRowContext(ctx, sqlWatermarkGet, l.Operator, l.Kind, entity).Scan(&wm, &cur)
	if errors.Is(err, sql.ErrNoRows) {
		return Watermark{}, nil
	}
	if err != nil {
		return Watermark{}, fmt.Errorf("extract %s/%s: watermark: %w", l.name, entity, err)
	}
	m, err := l.w.pseudo.openWatermark(Watermark{UpdatedAt: wm.String, Key: cur.String})
	if err != nil {
		return Watermark{}, fmt.Errorf("extract %s/%s: %w", l.name, entity, err)
	}
	return m, nil
}

// PositionKey is a row's key as a position (source_pos) may name it: with
// the pseudonymisation key, a field that looks like a person's data becomes
// its pseudonym (pseudonymiser.positionKey).
func (l *Loader) PositionKey(k string) string { return l.w.pseudo.positionKey(k) }

// Seen returns how many files of a batch with this checksum were loaded.
func (l *Loader) Seen(ctx context.Context, batch, checksum string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return 0, fmt.Errorf("extract %s: connection: %w", l.name, l.err)
	}
	var n int
	if err := l.conn.QueryRowContext(ctx, sqlBatchSeen, l.Operator, l.Kind, batch, checksum).Scan(&n); err != nil {
		return 0, fmt.Errorf("extract %s batch %s: %w", l.name, batch, err)
	}
	return n, nil
}

// Committed reports whether the unit was committed before (by a run that
// then stopped halfway through its batch).
func (l *Loader) Committed(ctx context.Context, u *Unit) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return false, fmt.Errorf("extract %s: connection: %w", l.name, l.err)
	}
	var n int
	if err := l.conn.QueryRowContext(ctx, sqlUnitCommitted, u.id).Scan(&n); err != nil {
		return false, fmt.Errorf("extract %s/%s: %w", l.name, u.Entity.Name, err)
	}
	return n > 0, nil
}

// TakeBack removes, in one transaction, everything the files of a batch
// committed: a batch found bad after some of its files loaded is taken
// back whole.
func (l *Loader) TakeBack(ctx context.Context, batch, checksum string) error {
	tx, err := l.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	args := []any{l.Operator, l.Kind, batch, checksum}
	for _, e := range contract.Entities() {
		var b strings.Builder
		if err := takeBackRaw.Execute(&b, struct{ Entity string }{e.Name}); err != nil {
			return err
		}
		if _, err := l.conn.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("extract %s batch %s: take back %s: %w", l.name, batch, e.Name, err)
		}
	}
	for _, q := range sqlTakeBackOps {
		if strings.TrimSpace(q) == "" {
			continue
		}
		if _, err := l.conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("extract %s batch %s: take back: %w", l.name, batch, err)
		}
	}
	return tx.Commit()
}

// Close returns the loader's connection early (the Writer closes what is
// left).
func (l *Loader) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	err := l.conn.Close()
	l.conn, l.err = nil, errors.New("loader closed")
	return err
}

// Unit is what one ops.loads row describes: rows of one entity from one
// file, page run or query chunk.
type Unit struct {
	Entity      *contract.Entity
	Batch       string // the file batch (YYYY-MM-DD); "" for incremental pulls
	Checksum    string // sha256 of the file; of the batch manifest for files
	From, To    Watermark
	Received    int64 // records read
	Loaded      int64 // rows appended to raw
	Quarantined int64 // records refused
	Reported    int64 // the operator's own count; -1 when it gave none
	File        string

	id       string
	badQuote string // a file's first record whose quote never closed (recordSink.badQuote)
}

// NewUnit starts a unit of the entity. The load_id of a file's unit (one
// with a batch) is a hash of what the unit is, so the same file can never
// be committed twice. An incremental unit (no batch) is kept from loading
// twice by the watermark it commits with, not by its load_id, which is
// drawn fresh: two pulls may start from the same watermark with different
// rows (rows without updated_at leave it where it was), and neither may
// wedge the source on a duplicate load_id.
func (l *Loader) NewUnit(e *contract.Entity, batch, checksum, file string, from Watermark) *Unit {
	h := sha256.New()
	for _, s := range []string{l.Operator, l.Kind, e.Name, batch, checksum, file, from.UpdatedAt, from.Key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if batch == "" {
		h.Write(l.w.nonce[:])
		h.Write([]byte(strconv.FormatInt(l.w.units.Add(1), 10)))
	}
	return &Unit{Entity: e, Batch: batch, Checksum: checksum, File: file, From: from, Reported: -1, id: hex.EncodeToString(h.Sum(nil))[:20]}
}

// LoadID returns the unit's load_id.
func (u *Unit) LoadID() string { return u.id }

// Tx is an open transaction of the Writer. Everything a Tx writes becomes
// visible at Commit, or never.
type Tx struct {
	l    *Loader
	ctx  context.Context
	done bool
	at   time.Time
}

// Begin takes the Writer and opens a transaction.
func (l *Loader) Begin(ctx context.Context) (*Tx, error) {
	l.mu.Lock()
	if l.err != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("extract %s: connection: %w", l.name, l.err)
	}
	if _, err := l.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		l.mu.Unlock()
		return nil, fmt.Errorf("extract %s: begin: %w", l.name, err)
	}
	return &Tx{l: l, ctx: ctx, at: l.w.now().UTC()}, nil
}

// Append ingests the batch's rows into raw.<entity> under the unit.
func (t *Tx) Append(u *Unit, b *Batch) error {
	if b.Len() == 0 {
		return nil
	}
	n := int64(b.Len())
	rec := b.Record()
	if p := t.l.w.pseudo; p != nil {
		out := p.record(u.Entity, rec)
		rec.Release()
		rec = out
	}
	defer rec.Release()
	view := fmt.Sprintf("huzhu_chunk_%d", t.l.w.views.Add(1))
	if err := ingest(t.ctx, t.l.conn, u.Entity.Name, view, rec, u.id, t.l.Operator, t.l.Kind, t.at); err != nil {
		return fmt.Errorf("extract %s/%s %s: load: %w", t.l.name, u.Entity.Name, u.File, err)
	}
	u.Loaded += n
	if t.l.progress != nil {
		t.l.progress(t.l.name, u.Entity.Name, n)
	}
	return nil
}

// ingest appends one record to raw.<entity> (through ingestStream: DuckDB's
// Arrow scan, or its appender in builds without the duckdb_arrow tag).
func ingest(ctx context.Context, conn *sql.Conn, entity, view string, rec arrow.RecordBatch, loadID, operator, kind string, at time.Time) error {
	rdr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return err
	}
	defer rdr.Release()
	return ingestStream(ctx, conn, entity, view, rdr, loadID, operator, kind, at)
}

// appendStream ingests a whole file's chunks under the unit in one
// statement, then writes the records they refused.
func (t *Tx) appendStream(u *Unit, s *chunkStream) error {
	view := fmt.Sprintf("huzhu_chunk_%d", t.l.w.views.Add(1))
	if err := ingestStream(t.ctx, t.l.conn, u.Entity.Name, view, s, u.id, t.l.Operator, t.l.Kind, t.at); err != nil {
		s.drain()
		return fmt.Errorf("extract %s/%s %s: load: %w", t.l.name, u.Entity.Name, u.File, err)
	}
	s.drain()
	u.Loaded += s.rows
	if t.l.progress != nil {
		t.l.progress(t.l.name, u.Entity.Name, s.rows)
	}
	for _, q := range s.q {
		if err := t.Quarantine(u, q); err != nil {
			return err
		}
	}
	return nil
}

// Quarantined is a record that could not be read as a row.
type Quarantined struct {
	Pos    string   // file:line, or page and index
	Code   string   // reason code (README, "Quarantine reason codes")
	Reason string   // what was wrong, without the record's personal data
	Fields []string // the record's fields as far as they could be split
	Header []string // their names, when known
}

// Quarantine records a refused record under the unit, its personal data
// masked.
func (t *Tx) Quarantine(u *Unit, q Quarantined) error {
	rec := maskRecord(u.Entity, q)
	if _, err := t.l.conn.ExecContext(t.ctx, sqlQuarantineInsert, u.id, u.Entity.Name, q.Pos, q.Code, q.Reason, rec); err != nil {
		return fmt.Errorf("extract %s/%s %s: quarantine: %w", t.l.name, u.Entity.Name, q.Pos, err)
	}
	u.Quarantined++
	return nil
}

// maskRecord renders a refused record as a JSON object with personal data
// masked and invalid UTF-8 replaced: the values under the entity's personal
// columns, and, in an entity that has any, the values of columns the
// contract does not know (an operator's own 手机号 column) and every value
// that looks like a person's wherever it stands (privacy.LooksPersonal: a field
// left out in the middle or a line break in a name moved values leftwards,
// an export swapped two columns), a key too. A record with more fields
// than its header (a comma in a name) moved values rightwards: every value
// from the first personal column on is masked, those before it stood
// still. In any entity, a code naming a person (contract.PersonRef) that
// looks like a person's data is masked (an operator may key its members or
// staff by id number or phone). A quote that
// never closes swallowed the rest into its last field:
// that one is masked too. A line that could not be split at all (JSON that
// does not parse) is masked whole; its position still finds it.
func maskRecord(e *contract.Entity, q Quarantined) string {
	header, fields := q.Header, q.Fields
	from := len(fields) // values from this position on are masked
	pii := e.HasPII()
	if pii {
		firstPII := len(header)
		known := false
		for i, h := range header {
			if j := e.Index(h); j >= 0 {
				known = true
				if e.Fields[j].PII {
					firstPII = min(firstPII, i)
				}
			}
		}
		switch {
		case !known:
			from = 0
		case q.Code == ReasonColumnCount && len(fields) >= len(header) || len(fields) > len(header):
			from = firstPII
		case q.Code == ReasonBadQuote:
			from = min(firstPII, len(fields)-1)
		}
	}
	m := make(map[string]string, len(fields))
	for i, v := range fields {
		name := fmt.Sprintf("_%d", i+1)
		if i < len(header) {
			name = header[i]
		}
		if j := e.Index(name); i >= from || j >= 0 && e.Fields[j].PII || pii && (j < 0 || privacy.LooksPersonal(v)) ||
			contract.PersonRef(name) && privacy.LooksPersonal(v) {
			v = "***"
		}
		m[strings.ToValidUTF8(name, "\uFFFD")] = strings.ToValidUTF8(v, "\uFFFD")
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// Finish writes the unit's ops.loads row and, for incremental units, its
// watermark.
func (t *Tx) Finish(u *Unit) error {
	l := t.l
	// Kept as the warehouse keeps them: a key that looks like a person's
	// data sealed.
	from, to := l.w.pseudo.sealWatermark(u.From), l.w.pseudo.sealWatermark(u.To)
	_, err := l.conn.ExecContext(t.ctx, sqlLoadInsert, u.id, l.w.runID, l.Operator, l.Kind, u.Entity.Name,
		nullIf(u.Batch), u.Received, u.Loaded, u.Quarantined, nullIf(from.String()), nullIf(to.String()),
		nullIf(u.Checksum), "loaded", nil, t.at, l.w.pseudo != nil)
	if err != nil {
		return fmt.Errorf("extract %s/%s: record load %s: %w", l.name, u.Entity.Name, u.id, err)
	}
	if to.UpdatedAt != "" {
		if _, err := l.conn.ExecContext(t.ctx, sqlWatermarkSet, l.Operator, l.Kind, u.Entity.Name, to.UpdatedAt, to.Key, t.at); err != nil {
			return fmt.Errorf("extract %s/%s: watermark: %w", l.name, u.Entity.Name, err)
		}
	}
	return nil
}

// Reconcile records the operator's own count beside what was received.
func (t *Tx) Reconcile(u *Unit) error {
	if u.Reported < 0 {
		return nil
	}
	diff := u.Reported - u.Received
	_, err := t.l.conn.ExecContext(t.ctx, sqlReconInsert, t.l.w.runID, t.l.Operator, u.Entity.Name, u.Reported,
		u.Received, u.Loaded, u.Quarantined, 0, diff, u.id)
	if err != nil {
		return fmt.Errorf("extract %s/%s: reconciliation: %w", t.l.name, u.Entity.Name, err)
	}
	return nil
}

// Commit makes the transaction's writes visible and frees the Writer.
func (t *Tx) Commit() error {
	if t.done {
		return errors.New("extract: transaction already ended")
	}
	t.done = true
	defer t.l.mu.Unlock()
	if _, err := t.l.conn.ExecContext(t.ctx, "COMMIT"); err != nil {
		return fmt.Errorf("extract %s: commit: %w", t.l.name, err)
	}
	return nil
}

// Rollback discards the transaction and frees the Writer. It is a no-op
// after Commit, so it can be deferred.
func (t *Tx) Rollback() {
	if t.done {
		return
	}
	t.done = true
	defer t.l.mu.Unlock()
	// A context already cancelled must not keep the rollback from running.
	t.l.conn.ExecContext(context.WithoutCancel(t.ctx), "ROLLBACK")
}

// Reject records a file batch refused whole, loading nothing of it. The
// load_id includes the run, so each run that meets the batch says so.
func (l *Loader) Reject(ctx context.Context, e *contract.Entity, batch, checksum, reason string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return fmt.Errorf("extract %s: connection: %w", l.name, l.err)
	}
	h := sha256.Sum256([]byte(l.w.runID + "\x00" + l.Operator + "\x00" + l.Kind + "\x00" + batch + "\x00" + e.Name))
	_, err := l.conn.ExecContext(ctx, sqlLoadInsert, "rej-"+hex.EncodeToString(h[:])[:16], l.w.runID, l.Operator, l.Kind, e.Name,
		nullIf(batch), 0, 0, 0, nil, nil, nullIf(checksum), "rejected", reason, l.w.now().UTC(), nil)
	if err != nil {
		return fmt.Errorf("extract %s batch %s: record rejection: %w", l.name, batch, err)
	}
	l.rejected = append(l.rejected, batch+": "+reason)
	return nil
}

// Rejected returns the batches the loader refused, "batch: reason".
func (l *Loader) Rejected() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.rejected)
}

func nullIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ReconcileCurrent records an incremental source's own count of an entity
// (an API manifest, a table's count) beside the rows raw holds for it now:
// each key's latest version.
func (l *Loader) ReconcileCurrent(ctx context.Context, e *contract.Entity, reported int64) error {
	tx, err := l.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	current, err := tx.currentRows(e)
	if err != nil {
		return err
	}
	u := l.NewUnit(e, "", "", "", Watermark{})
	u.Reported, u.Received, u.Loaded = reported, current, current
	if err := tx.Reconcile(u); err != nil {
		return err
	}
	return tx.Commit()
}

var rawCurrentCount = template.Must(template.New("raw_current_count.sql").Parse(mustSQL("raw_current_count.sql")))

// currentRows counts the rows the source's operator has now in raw.<entity>.
func (t *Tx) currentRows(e *contract.Entity) (int64, error) {
	var b strings.Builder
	if err := rawCurrentCount.Execute(&b, struct {
		Entity, Key string
		Keys        []string
	}{e.Name, strings.Join(e.Key, ", "), e.Key}); err != nil {
		return 0, err
	}
	var n int64
	if err := t.l.conn.QueryRowContext(t.ctx, b.String(), t.l.Operator, t.l.Kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("extract %s/%s: count: %w", t.l.name, e.Name, err)
	}
	return n, nil
}
