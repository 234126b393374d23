package transform

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"huzhu/contract"
	"huzhu/extract"
	"huzhu/internal/codes"
	"huzhu/internal/pseudonym"
	"huzhu/internal/sqlmodel"
	"huzhu/warehouse"
)

//go:embed sql
var sqlFS embed.FS

func mustRead(name string) string {
	b, err := sqlFS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

var settleTmpl = template.Must(template.New("settle.sql.tmpl").Parse(mustRead("sql/settle.sql.tmpl")))

var settleFusedTmpl = template.Must(template.New("settle_fused.sql.tmpl").Parse(mustRead("sql/settle_fused.sql.tmpl")))

var fuseStageTmpl = template.Must(template.New("fuse_stage.sql.tmpl").Parse(mustRead("sql/fuse_stage.sql.tmpl")))

// plumbing holds the transform's bookkeeping statements
// (sql/plumbing.sql.tmpl), one named template each, run by plumb.
var plumbing = template.Must(template.New("plumbing.sql.tmpl").Funcs(template.FuncMap{"ident": ident}).
	Parse(mustRead("sql/plumbing.sql.tmpl")))

// identRe is a lower-case SQL name, which needs no quotes, or two of them
// joined by a dot (schema.table).
var identRe = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$`)

// ident lets a table or column name into an SQL template: the contract's
// and this package's names are all lower-case SQL names, and anything else
// is refused rather than spliced.
func ident(name string) (string, error) {
	if !identRe.MatchString(name) {
		return "", fmt.Errorf("%q is not a lower-case SQL name", name)
	}
	return name, nil
}

// plumbText renders the named template of sql/plumbing.sql.tmpl.
func plumbText(name string, data any) (string, error) {
	var b strings.Builder
	if err := plumbing.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// plumb runs the statements of the named template of
// sql/plumbing.sql.tmpl, each with args.
func plumb(ctx context.Context, conn *sql.Conn, name string, data any, args ...any) error {
	text, err := plumbText(name, data)
	if err != nil {
		return err
	}
	return exec(ctx, conn, "sql/plumbing.sql.tmpl ("+name+")", text, args...)
}

// fusedColumns are the stage columns a fused stage model writes into
// core.v_<entity> that a version does not keep (with the scrub step's,
// scrub_*), dropped once its entity commits (dropStageColumns); the
// verdict, which no version has, goes last and marks a table that still
// holds them. The load's time and batch day, which the stage's checks
// read, it leaves out (sql/fuse_stage.sql.tmpl): judging reads the time
// of its few rows from new_loads.
var fusedColumns = []string{"raw_row", "verdict"}

// loadColumns are the stage columns a version does not keep that a fused
// stage model leaves out: the load's time and batch day. (An older build
// wrote them too; dropStageColumns drops them from a table a crash left
// with them.)
var loadColumns = []string{"batch_day", "loaded_at"}

// leftOutColumns are the stage columns of e a fused stage model does not
// write, nor a version keep: the load's id (a version keeps its number,
// load_no: sql/load_numbers.sql), the position (raw has it), the load's
// time and batch day (loadColumns), and the operator the record names
// (ownOperator).
func leftOutColumns(e *contract.Entity) []string {
	cols := append([]string{"load_id", "source_pos"}, loadColumns...)
	if ownOperator(e) {
		cols = append(cols, "operator_code")
	}
	return cols
}

// ownOperator says that e's records name their operator (operator_code,
// every entity's but the organisations'). Its checks hold that name equal
// to the source's (source_operator) in every version kept, so a version
// keeps only source_operator, which the views of the versions call
// operator_code. (Writing both cost DuckDB's writer about 0.5 thread-s of
// 4.8 M receipts at 1 M members.)
func ownOperator(e *contract.Entity) bool {
	return e.Index("operator_code") >= 0
}

// fuseRows is the size of batch from which, on a first build of an entity
// (core holds no versions table of it yet), the stage model writes
// core.v_<entity> itself, and not a temp table that settle.sql.tmpl then
// copies there: 0.9 s less of 4.8 M receipts at 1 M members, but six
// statements more, which cost a small entity more than they save. A
// variable for the tests.
var fuseRows int64 = 50000

// Order is the order entities are transformed in: each after the entities
// its references point to (newScheduler refuses an Order that breaks
// entityDeps). Two at a time, the next to start is the first of Order
// whose dependencies are done.
var Order = []string{
	"organizations", "activities", "members", "bank_accounts", "decisions", "staff_roles",
	"enrollments", "claims", "ledger_entries", "investments", "budgets", "audits", "assistance",
}

// metaColumns are the stage columns that are not the row's content, or
// that a version does not keep (operator_code: source_operator, which
// judging compares, is the same in every row it judges), and valid_to,
// which a versions table has beside a stage's columns.
var metaColumns = map[string]bool{"load_id": true, "load_no": true, "loaded_at": true, "source_pos": true,
	"raw_row": true, "source_operator": true, "operator_code": true, "batch_day": true, "verdict": true,
	"valid_to": true}

// Options tune a transform run.
type Options struct {
	// Full rebuilds core from every load in raw instead of the new ones.
	Full bool
	// Since, when not zero, re-derives the loads whose batch is dated on
	// or after that day (a backfill after a fix): their versions, their
	// quarantine rows and their done marks are forgotten first, then they
	// are transformed again with the new ones. Raw keeps every load, so
	// nothing needs pulling again.
	Since  time.Time
	Logger *slog.Logger
}

// EntityResult counts one entity's rows in a run.
type EntityResult struct {
	Entity      string  `json:"entity"`
	Loads       int64   `json:"loads"`
	Received    int64   `json:"received"`
	Kept        int64   `json:"kept"`
	Quarantined int64   `json:"quarantined"`
	Duplicates  int64   `json:"duplicates"`
	Seconds     float64 `json:"seconds"`

	// settledWhole: core held no version of the entity before this run's
	// settle step, which then gave its versions their valid_to.
	settledWhole bool
}

// Result is what a transform run did.
type Result struct {
	Entities []EntityResult    `json:"entities"`
	Models   []sqlmodel.Timing `json:"models"`
	Rows     int64             `json:"rows"`

	atOnce int // the most entities at work at once (schedule.go)
}

// ErrNoKey is returned when the pseudonymisation key is missing or short.
var ErrNoKey = errors.New("transform: no pseudonymisation key")

// ErrKeyMismatch is returned when the key is not the one the warehouse's
// pseudonyms were made under (pseudonym.ErrKeyMismatch).
var ErrKeyMismatch = pseudonym.ErrKeyMismatch

// Run transforms what raw holds and core does not yet into core: the
// entities two at a time on two connections of db (schedule.go), then the
// core models on one. key is the HMAC key of the pseudonyms (at least 16
// bytes).
func Run(ctx context.Context, db *sql.DB, runID string, key []byte, opt Options) (*Result, error) {
	if len(key) < 16 {
		return nil, ErrNoKey
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	if !codes.RegionsInstalled() {
		log.Warn("only the GB/T 2260 regions the binary carries are known: an organisation of another region is quarantined as bad_region; install the npm packages (make, or npm ci) or set HUZHU_NODE_MODULES",
			"regions", len(codes.AllRegions()))
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("transform: connection: %w", err)
	}
	defer conn.Close()
	if err := prepare(ctx, conn, runID, key, opt.Full); err != nil {
		return nil, err
	}
	if err := repairFused(ctx, conn); err != nil {
		return nil, err
	}
	if !opt.Since.IsZero() && !opt.Full {
		if err := forgetSince(ctx, conn, opt.Since); err != nil {
			return nil, err
		}
	}
	res := &Result{}
	settledWhole := map[string]bool{}
	done, atOnce, err := runEntities(ctx, db, conn, runID, key, func(er *EntityResult) {
		log.Info("entity transformed", "entity", er.Entity, "received", er.Received, "kept", er.Kept,
			"quarantined", er.Quarantined, "duplicates", er.Duplicates, "seconds", er.Seconds)
	})
	res.atOnce = atOnce
	for _, er := range done {
		settledWhole[er.Entity] = er.settledWhole
		res.Entities = append(res.Entities, *er)
		res.Rows += er.Received
	}
	if err != nil {
		return res, err
	}
	models, err := coreModels(ctx, conn, settledWhole)
	if err != nil {
		return res, fmt.Errorf("transform: core models: %w", err)
	}
	res.Models, err = sqlmodel.Run(ctx, conn, models)
	if err != nil {
		return res, fmt.Errorf("transform: %w", err)
	}
	for _, t := range res.Models {
		log.Info("core model built", "model", t.Model, "seconds", t.Seconds)
	}
	return res, nil
}

// exec runs the statements of an SQL text, reporting errors in file:line.
func exec(ctx context.Context, conn *sql.Conn, file, text string, args ...any) error {
	for _, st := range sqlmodel.Split(text) {
		if err := sqlmodel.Exec(ctx, conn, file, st, args...); err != nil {
			return err
		}
	}
	return nil
}

// prepare sets the run's variables, macros and key, loads the reference
// tables, and on a full rebuild forgets what core holds.
func prepare(ctx context.Context, conn *sql.Conn, runID string, key []byte, full bool) error {
	if err := pseudonym.Claim(ctx, conn, runID, key); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if err := prepareWorker(ctx, conn, runID, key); err != nil {
		return err
	}
	if err := loadReference(ctx, conn); err != nil {
		return err
	}
	if err := exec(ctx, conn, "sql/load_numbers.sql", mustRead("sql/load_numbers.sql")); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if err := numberVersions(ctx, conn); err != nil {
		return err
	}
	if full {
		err := inTransaction(ctx, conn, func() error {
			for _, name := range Order {
				if err := plumb(ctx, conn, "drop_entity", name); err != nil {
					return err
				}
			}
			if err := forgetTransformed(ctx, conn, "ops.transform_loads"); err != nil {
				return err
			}
			return dropKept(ctx, conn)
		})
		if err != nil {
			return fmt.Errorf("transform: full rebuild: %w", err)
		}
	}
	return nil
}

// inTransaction runs work on conn in one transaction, which it rolls back
// when work fails.
func inTransaction(ctx context.Context, conn *sql.Conn, work func() error) error {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := work(); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// numberVersions gives the versions tables of an older build, whose
// versions keep their load by id, the load's number instead (load_no:
// sql/load_numbers.sql), in one transaction; what sql/core keeps night by
// night beside the versions goes too (dropKept: the views of the current
// versions named load_id), so that the core models build it again.
func numberVersions(ctx context.Context, conn *sql.Conn) error {
	tables, err := queryStrings(ctx, conn, mustRead("sql/versions_with.sql"), "load_id")
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if len(tables) == 0 {
		return nil
	}
	err = inTransaction(ctx, conn, func() error {
		for _, t := range tables {
			if err := plumb(ctx, conn, "number_versions", t); err != nil {
				return fmt.Errorf("core.%s: %w", t, err)
			}
		}
		return dropKept(ctx, conn)
	})
	if err != nil {
		return fmt.Errorf("transform: number the versions' loads: %w", err)
	}
	return nil
}

// prepareWorker sets on conn what the entities' models use: the run's
// variables, the HMAC function under key, and the macros. (Variables,
// functions and macros are a connection's own.)
func prepareWorker(ctx context.Context, conn *sql.Conn, runID string, key []byte) error {
	if _, err := conn.ExecContext(ctx, "SET VARIABLE run_id = ?", runID); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SET VARIABLE extract_reasons = CAST(? AS VARCHAR[])", extract.Reasons); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if err := registerHMAC(conn, key); err != nil {
		return err
	}
	if err := DefineMacros(ctx, conn); err != nil {
		return err
	}
	if err := exec(ctx, conn, "sql/valid_operators.sql", mustRead("sql/valid_operators.sql")); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	return nil
}

// forgetTransformed takes back what the transform recorded of the loads
// in the table loads (ops.transform_loads for all of them, since_loads):
// their done marks and the quarantine rows of its own reasons. The rows
// extract quarantined (extract.Reasons) stay: they are not redone.
func forgetTransformed(ctx context.Context, conn *sql.Conn, loads string) error {
	return plumb(ctx, conn, "forget_transformed", loads)
}

// currentFacts are the views rendered from sql/current_fact.sql.tmpl (the
// three largest facts and the members behind dim_member): the current
// version of each record of an entity, whose versions carry valid_to, set
// night by night.
var currentFacts = []struct {
	Fact, Entity string
	Moves        bool // sql/core/agg_contribution.sql keeps aggregates beside it
}{
	{"fact_contribution", "enrollments", true},
	{"fact_claim", "claims", false},
	{"fact_ledger_line", "ledger_entries", false},
	{"member_current", "members", false}, // behind the view dim_member
}

// coreTable says whether core.<name> exists and whether it holds rows (by
// DuckDB's estimate, which is exact for a table without deletes, and
// non-zero for one with rows).
func coreTable(ctx context.Context, conn *sql.Conn, name string) (exists, rows bool, err error) {
	var n, size int64
	err = conn.QueryRowContext(ctx, mustRead("sql/core_table.sql"), name).Scan(&n, &size)
	return n > 0, size > 0, err
}

// hasCurrentFact says whether one of currentFacts is kept from entity's
// versions.
func hasCurrentFact(entity string) bool {
	for _, f := range currentFacts {
		if f.Entity == entity {
			return true
		}
	}
	return false
}

var currentTmpl = template.Must(template.New("current_fact.sql.tmpl").Parse(mustRead("sql/current_fact.sql.tmpl")))

// coreModels are the models of sql/core and the current facts, each
// rendered for building whole or for a night on top of the last, as what
// it keeps exists on conn or not. settledWhole names the entities whose
// versions this run's settle step gave their valid_to.
func coreModels(ctx context.Context, conn *sql.Conn, settledWhole map[string]bool) ([]*sqlmodel.Model, error) {
	models, err := sqlmodel.Load(sqlFS, "sql/core")
	if err != nil {
		return nil, err
	}
	for _, f := range currentFacts {
		have, _, err := coreTable(ctx, conn, "p_"+f.Entity)
		if err != nil {
			return nil, fmt.Errorf("transform: %s: %w", f.Fact, err)
		}
		keys := append([]string{"source_operator"}, contract.Lookup(f.Entity).Key...)
		d := currentData{Fact: f.Fact, Entity: f.Entity, Keys: keys, KeyList: strings.Join(keys, ", "), Fresh: !have, Settled: settledWhole[f.Entity], Moves: f.Moves}
		var b strings.Builder
		if err := currentTmpl.Execute(&b, d); err != nil {
			return nil, fmt.Errorf("transform: %s: %w", f.Fact, err)
		}
		m, err := sqlmodel.Parse("sql/current_fact.sql.tmpl ("+f.Fact+")", b.String())
		if err != nil {
			return nil, err
		}
		models = append(models, m)
	}
	return models, nil
}

// currentData fills sql/current_fact.sql.tmpl; every name in it comes from
// package contract or currentFacts, never from data.
type currentData struct {
	Fact, Entity, KeyList string
	Keys                  []string
	Fresh                 bool // core.p_<entity> does not exist: set every valid_to, define the view
	Settled               bool // the settle step gave every version its valid_to this run
	Moves                 bool // aggregates are kept beside the fact: keep what a night moves
}

// On is the key columns of alias a, for PARTITION BY.
func (d currentData) On(a string) string {
	cols := make([]string, len(d.Keys))
	for i, k := range d.Keys {
		cols[i] = a + "." + k
	}
	return strings.Join(cols, ", ")
}

// Join is the equality of the key columns of aliases a and b.
func (d currentData) Join(a, b string) string {
	eqs := make([]string, len(d.Keys))
	for i, k := range d.Keys {
		eqs[i] = a + "." + k + " = " + b + "." + k
	}
	return strings.Join(eqs, " AND ")
}

// dropKept drops what sql/core keeps night by night (the views of
// currentFacts with the versions waiting for them, and the aggregates kept
// beside fact_contribution), so that the next core run sets every valid_to
// and builds the aggregates whole.
func dropKept(ctx context.Context, conn *sql.Conn) error {
	return plumb(ctx, conn, "drop_kept", currentFacts)
}

// forgetSince forgets, in one transaction, what the transform derived
// from the loads whose batch day is on or after since, so that the run
// transforms them again.
func forgetSince(ctx context.Context, conn *sql.Conn, since time.Time) error {
	day := since.Format(time.DateOnly)
	err := inTransaction(ctx, conn, func() error {
		if err := exec(ctx, conn, "sql/since_loads.sql", mustRead("sql/since_loads.sql"), day); err != nil {
			return err
		}
		for _, name := range Order {
			have, _, err := coreTable(ctx, conn, "v_"+name)
			if err != nil {
				return err
			}
			if !have {
				continue
			}
			if err := plumb(ctx, conn, "forget_since", name); err != nil {
				return err
			}
		}
		if err := forgetTransformed(ctx, conn, "since_loads"); err != nil {
			return err
		}
		// What is kept night by night is rebuilt whole after a backfill:
		// versions were taken away, not only added.
		return dropKept(ctx, conn)
	})
	if err != nil {
		return fmt.Errorf("transform --since %s: %w", day, err)
	}
	return nil
}

// loadReference writes the tables the checks and the star schema read:
// the GB/T 2260 regions (codes.AllRegions) and the chart of accounts.
func loadReference(ctx context.Context, conn *sql.Conn) error {
	if err := exec(ctx, conn, "sql/reference.sql", mustRead("sql/reference.sql")); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	// One statement a table: a statement a row cost 100 ms a run.
	var regions []any
	for _, code := range codes.AllRegions() {
		name, _ := codes.Region(code)
		regions = append(regions, code, name, codes.Province(code))
	}
	if err := sqlmodel.InsertRows(ctx, conn, "core.dim_region", 3, regions); err != nil {
		return fmt.Errorf("transform: regions: %w", err)
	}
	var accounts []any
	for _, a := range contract.Chart() {
		accounts = append(accounts, a.Code, a.NameZH, a.NameEN, string(a.Class), a.Class.DebitNormal())
	}
	if err := sqlmodel.InsertRows(ctx, conn, "core.dim_account", 5, accounts); err != nil {
		return fmt.Errorf("transform: accounts: %w", err)
	}
	return nil
}

// runEntity transforms one entity's new loads: what it writes to core and
// ops, in one transaction.
func runEntity(ctx context.Context, conn *sql.Conn, e *contract.Entity) (*EntityResult, error) {
	start := time.Now()
	stageFile := "sql/stage_" + e.Name + ".sql"
	stage, err := fs.ReadFile(sqlFS, stageFile)
	if err != nil {
		return nil, fmt.Errorf("transform %s: no stage model: %w", e.Name, err)
	}
	inTx, createdFused := false, false
	fail := func(err error) (*EntityResult, error) {
		if inTx {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		if createdFused {
			// The stage model made it (fused): core held no such table before.
			plumb(context.WithoutCancel(ctx), conn, "drop_versions", e.Name)
		}
		dropTemps(context.WithoutCancel(ctx), conn, e)
		return nil, fmt.Errorf("transform %s: %w", e.Name, err)
	}
	// The keys of the records refused (every key column as text), which
	// with the versions' keys are every key sent (defineKnown).
	if err := plumb(ctx, conn, "keys_table", e); err != nil {
		return fail(err)
	}
	if err := exec(ctx, conn, "sql/new_loads.sql", mustRead("sql/new_loads.sql"), e.Name); err != nil {
		return fail(err)
	}
	// The same loads as a list, which the stage models filter raw by: a
	// constant DuckDB applies inside its scan, reading the other columns of
	// the matching rows only. Joined to new_loads, a night's few rows cost a
	// read of two whole row groups (20–40 ms an entity at 1 M members).
	if _, err := conn.ExecContext(ctx, "SET VARIABLE new_load_ids = (SELECT list(load_id) FROM new_loads)"); err != nil {
		return fail(err)
	}
	// Loads without a row (and none quarantined by extract) are only
	// reconciled, once core has the entity's versions table (the stage
	// model and settle.sql.tmpl make it the first time).
	var rows, extractQuarantined int64
	if err := conn.QueryRowContext(ctx, mustRead("sql/new_loads_rows.sql")).Scan(&rows, &extractQuarantined); err != nil {
		return fail(err)
	}
	haveVersions, someVersions, err := coreTable(ctx, conn, "v_"+e.Name)
	if err != nil {
		return fail(err)
	}
	if err := defineKnown(ctx, conn, e, haveVersions); err != nil {
		return fail(err)
	}
	empty := rows == 0 && extractQuarantined == 0 && haveVersions
	// A first build of a large entity: the stage model writes the
	// versions table (fuseStage). It is dropped again if the entity fails.
	fused := !haveVersions && rows >= fuseRows
	var attrs, aside []string
	// The stage model writes a temp table (or, fused, core.v_<entity>),
	// and runs before the transaction: DuckDB reads a table created
	// inside the reading transaction at about half speed (writing
	// core.v_enrollments from it took 5.6 s instead of 2.7 at 1 M members).
	if !empty {
		narrowed, err := narrowKnown(ctx, conn, e, rows)
		if err == nil {
			if fused {
				createdFused = true
				attrs, aside, err = fuseStage(ctx, conn, e, stageFile, string(stage))
			} else if err = exec(ctx, conn, stageFile, string(stage)); err == nil {
				attrs, aside, err = stageAttrs(ctx, conn, "stage_"+e.Name)
			}
		}
		if rerr := widenKnown(ctx, conn, narrowed); err == nil {
			err = rerr
		}
		if err != nil {
			return fail(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fail(err)
	}
	inTx = true
	if empty {
		err = exec(ctx, conn, "sql/settle_empty.sql", mustRead("sql/settle_empty.sql"), e.Name)
	} else {
		err = settle(ctx, conn, e, someVersions, extractQuarantined > 0, fused, attrs, aside)
	}
	if err != nil {
		return fail(err)
	}
	r := &EntityResult{Entity: e.Name, settledWhole: !empty && !someVersions}
	err = conn.QueryRowContext(ctx, mustRead("sql/entity_reconciliation.sql"), e.Name).
		Scan(&r.Loads, &r.Received, &r.Kept, &r.Quarantined, &r.Duplicates)
	if err != nil {
		return fail(err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		inTx = false
		return fail(fmt.Errorf("commit: %w", err))
	}
	inTx, createdFused = false, false
	if fused {
		if err := dropStageColumns(ctx, conn, e); err != nil {
			return nil, fmt.Errorf("transform %s: %w", e.Name, err)
		}
	}
	// The entities that refer to this one see the keys of its versions,
	// once core has a versions table (the stage model and settle.sql.tmpl
	// make it the first time).
	if !haveVersions {
		if err := defineKnown(ctx, conn, e, true); err != nil {
			return nil, fmt.Errorf("transform %s: %w", e.Name, err)
		}
	}
	// The entity's temp tables go now: at 1 M members the members' and
	// enrolments' stayed in memory through the next entities and the core
	// models, which then spilled.
	if err := dropTemps(ctx, conn, e); err != nil {
		return nil, fmt.Errorf("transform %s: %w", e.Name, err)
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// defineKnown (re)defines the temp view known_<entity>: every key the
// operator has sent of the entity, as text (source_operator and the key
// columns, repeated when sent more than once), which the stage models
// resolve references against. It is the keys of the versions kept
// (core.v_<entity>, when haveVersions says core has it) and of the records refused
// (core.k_<entity>): a reference to a record that was quarantined (a member
// with a bad id number) is not an unknown reference; one to a key never
// sent is. (Keeping every key sent in core.k_ cost a second write of the
// keys: 1.5 s of 4.8 M enrolments at 1 M members.)
func defineKnown(ctx context.Context, conn *sql.Conn, e *contract.Entity, haveVersions bool) error {
	return plumb(ctx, conn, "known_view", struct {
		Entity   *contract.Entity
		Versions bool
	}{e, haveVersions})
}

// narrowRefs are the references of a stage to the keys of an entity with
// many (known_<To>), by the raw column that names them (Col), which a small
// batch looks up among the keys its rows name only.
var narrowRefs = map[string][]struct{ To, Col string }{
	"enrollments": {{"members", "member_ref"}},
	"claims":      {{"members", "member_ref"}},
}

// narrowBatch is the most rows a batch may have for its stage to read the
// known keys it names only (narrowKnown).
var narrowBatch int64 = 100000

// narrowKnown, for a batch of e of at most narrowBatch rows, redefines
// known_<To> of each of e's narrowRefs as the keys of it that the batch's
// rows name (sql/narrow_known.sql.tmpl), and returns the entities to define
// again (widenKnown) once the stage has run.
func narrowKnown(ctx context.Context, conn *sql.Conn, e *contract.Entity, rows int64) ([]*contract.Entity, error) {
	if rows > narrowBatch {
		return nil, nil
	}
	var narrowed []*contract.Entity
	for _, ref := range narrowRefs[e.Name] {
		to := contract.Lookup(ref.To)
		if to == nil || len(to.Key) != 1 {
			return narrowed, fmt.Errorf("narrowing %s: %s is no entity with a one-column key", e.Name, ref.To)
		}
		var b strings.Builder
		d := struct{ Entity, To, Col, Key string }{e.Name, to.Name, ref.Col, to.Key[0]}
		if err := narrowTmpl.Execute(&b, d); err != nil {
			return narrowed, err
		}
		narrowed = append(narrowed, to)
		if err := exec(ctx, conn, "sql/narrow_known.sql.tmpl", b.String()); err != nil {
			return narrowed, fmt.Errorf("narrowing known_%s: %w", to.Name, err)
		}
	}
	return narrowed, nil
}

var narrowTmpl = template.Must(template.New("narrow_known.sql.tmpl").Parse(mustRead("sql/narrow_known.sql.tmpl")))

// widenKnown defines known_<entity> again for the entities narrowKnown
// narrowed, and drops what it kept.
func widenKnown(ctx context.Context, conn *sql.Conn, narrowed []*contract.Entity) error {
	for _, to := range narrowed {
		have, _, err := coreTable(ctx, conn, "v_"+to.Name)
		if err == nil {
			err = defineKnown(ctx, conn, to, have)
		}
		if err == nil {
			err = plumb(ctx, conn, "drop_narrow", to.Name)
		}
		if err != nil {
			return fmt.Errorf("known_%s: %w", to.Name, err)
		}
	}
	return nil
}

// dropTemps drops the temp tables of an entity's stage and settle steps.
func dropTemps(ctx context.Context, conn *sql.Conn, e *contract.Entity) error {
	return plumb(ctx, conn, "drop_temps", e.Name)
}

// settle settles an entity's staged rows (sql/settle.sql.tmpl) and scrubs
// raw, inside the entity's transaction. someVersions says core already
// holds versions of the entity (a first load needs no comparison with
// versions core does not have); extractQuarantined, that extract refused
// some of the loads' records, whose keys are then read from their JSON.
func settle(ctx context.Context, conn *sql.Conn, e *contract.Entity, someVersions, extractQuarantined, fused bool, attrs, aside []string) error {
	var err error
	// The versions of an entity with a current fact carry valid_to, and
	// the new ones wait for the fact's model in core.p_<entity> once it
	// exists (until then, the model sets every valid_to).
	current := hasCurrentFact(e.Name)
	pending := false
	if current {
		if pending, _, err = coreTable(ctx, conn, "p_"+e.Name); err != nil {
			return err
		}
	}
	d := settleData{Entity: e.Name, Keys: e.Key, KeyList: strings.Join(e.Key, ", "), Attrs: attrs, Aside: aside,
		Fresh: !someVersions, Current: current, Pending: pending, ExtractQuarantined: extractQuarantined, Fused: fused, e: e}
	if !fused && !someVersions {
		q, err := plumbText("stage_versions", d)
		if err == nil {
			_, err = createVersions(ctx, conn, e, q, true)
		}
		if err != nil {
			return fmt.Errorf("create core.v_%s: %w", e.Name, err)
		}
	}
	var b strings.Builder
	if err := settleTmpl.Execute(&b, d); err != nil {
		return err
	}
	if err := exec(ctx, conn, "sql/settle.sql.tmpl", b.String()); err != nil {
		return err
	}
	if scrub, err := fs.ReadFile(sqlFS, "sql/scrub_"+e.Name+".sql"); err == nil {
		text := string(scrub)
		if fused {
			text = stageName(e).ReplaceAllString(text, d.Stage())
		}
		if err := exec(ctx, conn, "sql/scrub_"+e.Name+".sql", text); err != nil {
			return err
		}
	}
	if fused {
		b.Reset()
		if err := settleFusedTmpl.Execute(&b, d); err != nil {
			return err
		}
		if err := exec(ctx, conn, "sql/settle_fused.sql.tmpl", b.String()); err != nil {
			return err
		}
	}
	return nil
}

// fuseStage runs the stage model of e (file, text) so that its first
// statement, CREATE OR REPLACE TEMP TABLE stage_<entity> AS <query>,
// writes core.v_<entity> instead (createVersions creates it, from the same
// query), wrapped by sql/fuse_stage.sql.tmpl; the
// model's other statements name that table too. The lines stay where they
// are in the file, for errors. It returns the stage's content and scrub
// columns (as stageAttrs does), read off the versions table's.
func fuseStage(ctx context.Context, conn *sql.Conn, e *contract.Entity, file, text string) (attrs, aside []string, err error) {
	stmts := sqlmodel.Split(text)
	head := "CREATE OR REPLACE TEMP TABLE stage_" + e.Name + " AS"
	var i int
	if len(stmts) > 0 {
		i = strings.Index(stmts[0].SQL, head)
	}
	if len(stmts) == 0 || i < 0 {
		return nil, nil, fmt.Errorf("%s: the first statement is not %s", file, head)
	}
	body := strings.TrimSuffix(strings.TrimRight(stmts[0].SQL[i+len(head):], " \t\r\n"), ";")
	d := settleData{Entity: e.Name, Current: hasCurrentFact(e.Name), e: e}
	var wrapSelect, wrapHead, wrapTail strings.Builder
	for _, w := range []struct {
		name string
		b    *strings.Builder
	}{{"select", &wrapSelect}, {"head", &wrapHead}, {"tail", &wrapTail}} {
		if err := fuseStageTmpl.ExecuteTemplate(w.b, w.name, d); err != nil {
			return nil, nil, err
		}
	}
	// The stage's columns are the versions table's (what it leaves out
	// is no content): the query is described once, for both.
	cols, err := createVersions(ctx, conn, e, wrapSelect.String()+body+wrapTail.String(), false)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	attrs, aside = splitStageColumns(cols)
	stmts[0].SQL = stmts[0].SQL[:i] + wrapHead.String() + body + wrapTail.String()
	stage := stageName(e)
	for j, st := range stmts {
		if j > 0 {
			st.SQL = stage.ReplaceAllString(st.SQL, "core.v_"+e.Name)
		}
		if err := sqlmodel.Exec(ctx, conn, file, st); err != nil {
			return nil, nil, err
		}
	}
	return attrs, aside, nil
}

// LeftOut lists the stage columns a fused stage model does not write
// (leftOutColumns), for sql/fuse_stage.sql.tmpl.
func (d settleData) LeftOut() string {
	return strings.Join(leftOutColumns(d.e), ", ")
}

// stageName matches the name of e's stage table (stage_<entity>) in SQL,
// which a fused stage model's other statements and the scrub step name
// core.v_<entity> instead.
func stageName(e *contract.Entity) *regexp.Regexp {
	return regexp.MustCompile(`\bstage_` + e.Name + `\b`)
}

// repairFused finishes or undoes, at the start of a run, each versions
// table a fused stage model wrote in a run that did not end (one that
// still holds a verdict, which no version has). Its entity committed
// (every load in it is marked transformed for the entity) but the stage
// columns were not dropped: they go now. The run stopped between the stage
// model and the commit (killed): the table goes whole, refused rows and
// all, since core held no versions of the entity before it, and this run
// builds it again.
func repairFused(ctx context.Context, conn *sql.Conn) error {
	tables, err := queryStrings(ctx, conn, mustRead("sql/versions_with.sql"), "verdict")
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	for _, t := range tables {
		e := contract.Lookup(strings.TrimPrefix(t, "v_"))
		if e == nil {
			continue
		}
		var unmarked int64
		q, err := plumbText("unmarked_loads", e.Name)
		if err == nil {
			err = conn.QueryRowContext(ctx, q, e.Name).Scan(&unmarked)
		}
		if err != nil {
			return fmt.Errorf("transform %s: %w", e.Name, err)
		}
		if unmarked > 0 {
			err = plumb(ctx, conn, "drop_versions", e.Name)
		} else {
			err = dropStageColumns(ctx, conn, e)
		}
		if err != nil {
			return fmt.Errorf("transform %s: %w", e.Name, err)
		}
	}
	return nil
}

// queryStrings is the one text column of the rows q returns.
func queryStrings(ctx context.Context, conn *sql.Conn, q string, args ...any) ([]string, error) {
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// dropStageColumns drops from core.v_<entity> the stage columns a fused
// stage model wrote there (fusedColumns, loadColumns and scrub_*), the
// verdict last.
func dropStageColumns(ctx context.Context, conn *sql.Conn, e *contract.Entity) error {
	cols, err := queryStrings(ctx, conn, mustRead("sql/stage_columns.sql"), "v_"+e.Name, append(slices.Clone(loadColumns), fusedColumns...))
	if err != nil {
		return err
	}
	for _, c := range cols {
		if err := plumb(ctx, conn, "drop_column", struct{ Entity, Column string }{e.Name, c}); err != nil {
			return fmt.Errorf("drop the stage column %s of core.v_%s: %w", c, e.Name, err)
		}
	}
	return nil
}

// settleData fills sql/settle.sql.tmpl.
type settleData struct {
	Entity  string
	Keys    []string
	KeyList string
	Attrs   []string
	Aside   []string // stage columns for the scrub step only
	Fresh   bool     // core holds no version of the entity yet
	Current bool     // the entity has a current fact (currentFacts): its versions carry valid_to
	Pending bool     // core.p_<entity> exists: record the new versions there
	// ExtractQuarantined: extract quarantined some records of the loads,
	// whose keys are read from their JSON.
	ExtractQuarantined bool
	// Fused: the stage model wrote core.v_<entity> (fuseStage), the stage
	// table here; sql/settle_fused.sql.tmpl ends the settle step.
	Fused bool
	e     *contract.Entity
}

// Stage is the table the stage model wrote.
func (d settleData) Stage() string {
	if d.Fused {
		return "core.v_" + d.Entity
	}
	return "stage_" + d.Entity
}

// FusedOnly lists the stage columns a fused stage model wrote into
// core.v_<entity> that a version does not keep: StageOnly but what it
// leaves out (LeftOut).
func (d settleData) FusedOnly() string {
	return strings.Join(append(slices.Clone(fusedColumns), d.Aside...), ", ")
}

// ByKey says that judging takes every row of a record sent more than once
// and gives the versions their valid_to here: core holds no version to
// compare with (Fresh) and the entity's versions carry valid_to (Current).
func (d settleData) ByKey() bool { return d.Fresh && d.Current }

// RawRecord is the struct_pack argument list of a quarantined record: every
// contract field of raw as received, personal data masked: in an entity of
// personal data, its personal fields and any other value that looks like a
// person's (hz_looks_personal: swapped or shifted columns); in any entity,
// a code naming a person that does (contract.PersonRef: an operator that
// keys its members or staff by id number).
func (d settleData) RawRecord() string {
	pii := d.e.HasPII()
	parts := make([]string, len(d.e.Fields))
	for i, f := range d.e.Fields {
		switch {
		case f.PII:
			parts[i] = f.Name + " := CASE WHEN r." + f.Name + " IS NULL THEN NULL ELSE '***' END"
		case pii, contract.PersonRef(f.Name):
			// An operator may key its members or staff by id number or phone.
			parts[i] = f.Name + " := CASE WHEN hz_looks_personal(r." + f.Name + ") THEN '***' ELSE r." + f.Name + " END"
		default:
			parts[i] = f.Name + " := r." + f.Name
		}
	}
	return strings.Join(parts, ", ")
}

// StageOnly lists the columns of a stage row that its version does not
// keep: the verdict, the batch's day, the load's time and id and the
// position (a version keeps its load's number, load_no), the record's
// operator_code, and the scrub step's (Aside).
func (d settleData) StageOnly() string {
	return strings.Join(append(append(leftOutColumns(d.e), fusedColumns...), d.Aside...), ", ")
}

// JudgedOnly lists the columns of a row of the judged table that its
// version does not keep: the judging's, the load's id and time, and the
// position's.
func (d settleData) JudgedOnly() string {
	return "rn, differs, existed, kept_load, kept_pos, load_id, loaded_at, source_pos, raw_row, pos_n, row_hash"
}

// OwnOperator is ", operator_code" when e's records name their operator
// (ownOperator): what judging leaves out of a stage row beside the
// verdict and batch day.
func (d settleData) OwnOperator() string {
	if ownOperator(d.e) {
		return ", operator_code"
	}
	return ""
}

// ScrubOnly lists, after a comma, the stage columns for the scrub step only
// (none but for members), which judging leaves out too.
func (d settleData) ScrubOnly() string {
	if len(d.Aside) == 0 {
		return ""
	}
	return ", " + strings.Join(d.Aside, ", ")
}

// RowHash is the 64-bit hash of the content columns of alias a, which
// orders the rows of one position last of all; whether two rows differ is
// Same's to say. It is computed for the rows judged (a night's, or on a
// first build those of a position sent more than once), not kept with the
// versions: nothing else read it, and writing it cost 0.2 s of 4.8 M
// receipts at 1 M members.
func (d settleData) RowHash(a string) string {
	cols := make([]string, len(d.Attrs))
	for i, c := range d.Attrs {
		cols[i] = a + "." + c
	}
	return "hash(" + strings.Join(cols, ", ") + ")"
}

// Same says that the content columns of aliases a and b are equal, null
// equal to null: whether a row is the version kept at its position again
// (a duplicate) or another record (a conflict). Not by row_hash: DuckDB's
// hash of a string can collide for strings that differ in two places (of
// the receipt numbers at 1 M members, one in a hundred shared a hash with
// another), which would count a differing record as a duplicate.
func (d settleData) Same(a, b string) string {
	parts := make([]string, len(d.Attrs))
	for i, c := range d.Attrs {
		parts[i] = a + "." + c + " IS NOT DISTINCT FROM " + b + "." + c
	}
	if len(parts) == 0 {
		return "true"
	}
	return strings.Join(parts, " AND ")
}

// Eq compares key column k of alias a with the same column of r: = for a
// key field that cannot be null, IS NOT DISTINCT FROM for one that can.
func (d settleData) Eq(a, k string) string {
	if i := d.e.Index(k); i >= 0 && d.e.Fields[i].Nullable {
		return a + "." + k + " IS NOT DISTINCT FROM r." + k
	}
	return a + "." + k + " = r." + k
}

// stageAttrs lists the content columns of a stage relation (a table, or a
// query in parentheses), and the columns it holds for the scrub step only
// (scrub_*: see stage_members.sql), which the versions do not keep.
func stageAttrs(ctx context.Context, conn *sql.Conn, relation string) (attrs, aside []string, err error) {
	cols, err := queryStrings(ctx, conn, "SELECT column_name FROM (DESCRIBE "+relation+")")
	if err != nil {
		return nil, nil, err
	}
	attrs, aside = splitStageColumns(cols)
	return attrs, aside, nil
}

// splitStageColumns splits a stage's (or its versions table's) columns
// into content columns and the scrub step's.
func splitStageColumns(cols []string) (attrs, aside []string) {
	for _, c := range cols {
		switch {
		case strings.HasPrefix(c, "scrub_"):
			aside = append(aside, c)
		case !metaColumns[c]:
			attrs = append(attrs, c)
		}
	}
	return attrs, aside
}

// DefineMacros creates on conn the temp macros of sql/macros.sql (typing,
// checks, beijing_day), which the marts use too. Pseudonyms need the key,
// which only a transform run gives hz_hmac: without it, hz_hmac exists
// (hz_pseudo calls it) but refuses to run.
func DefineMacros(ctx context.Context, conn *sql.Conn) error {
	have, err := haveHMAC(ctx, conn)
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if !have {
		if err := registerHMAC(conn, nil); err != nil {
			return err
		}
	}
	if err := registerChecks(conn); err != nil {
		return err
	}
	if err := warehouse.DefineMacros(ctx, conn); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	if err := exec(ctx, conn, "sql/macros.sql", mustRead("sql/macros.sql")); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	return nil
}

// BuildAggregates builds on conn, whole, the aggregates that
// sql/core/agg_contribution.sql keeps beside core.fact_contribution, from
// that table as it stands (and core.dim_org). The marts' tests use it on
// the core tables they make by hand.
func BuildAggregates(ctx context.Context, conn *sql.Conn) error {
	if err := DefineMacros(ctx, conn); err != nil {
		return err
	}
	if err := plumb(ctx, conn, "empty_changes", nil); err != nil {
		return fmt.Errorf("transform: aggregates: %w", err)
	}
	models, err := coreModels(ctx, conn, nil)
	if err != nil {
		return err
	}
	for _, m := range models {
		if m.Output == "core.agg_contribution" {
			return sqlmodel.RunOne(ctx, conn, m)
		}
	}
	return fmt.Errorf("transform: no model builds core.agg_contribution")
}
