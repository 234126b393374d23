// Package sqlmodel runs SQL models: one model a .sql file, a header that
// names what it builds and what it reads, run in dependency order, each in
// its own transaction. The transform and marts stages keep their models in
// sql/*.sql and hand them to a Runner.
//
// A model file starts with comment lines:
//
//	-- model: core.dim_member
//	-- depends: core.members_versions, core.dim_region
//	-- Free text: what the model is for.
//
// then one or more statements separated by semicolons at the end of a line.
// depends names other models' outputs (or tables that exist before the run);
// the runner orders the models so that each runs after every model whose
// output it depends on. A name ending in ".*" depends on every output with
// that prefix ("rule.*": every rule model). Values go in as DuckDB variables (SET VARIABLE …,
// getvariable('name') in SQL), never by editing the text.
//
// A failing statement is reported as file:line:col with DuckDB's message;
// the line is the file's, not the statement's.
package sqlmodel

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Model is one parsed model file.
type Model struct {
	File    string   // path within the FS, e.g. sql/core_dim_member.sql
	Output  string   // what it builds
	Depends []string // what it reads that other models build
	Stmts   []Stmt
}

// Stmt is one statement of a model and the line it starts on.
type Stmt struct {
	SQL  string
	Line int
}

// Load parses every *.sql file of dir in fsys.
func Load(fsys fs.FS, dir string) ([]*Model, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Model
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		m, err := Parse(name, string(b))
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Parse reads one model file.
func Parse(file, text string) (*Model, error) {
	m := &Model{File: file}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "--") {
			if line != "" {
				break
			}
			continue
		}
		body := strings.TrimSpace(strings.TrimPrefix(line, "--"))
		if v, ok := strings.CutPrefix(body, "model:"); ok {
			m.Output = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(body, "depends:"); ok {
			for _, d := range strings.Split(v, ",") {
				if d = strings.TrimSpace(d); d != "" {
					m.Depends = append(m.Depends, d)
				}
			}
		}
	}
	if m.Output == "" {
		return nil, fmt.Errorf("%s:1:1: no '-- model:' header", file)
	}
	m.Stmts = Split(text)
	if len(m.Stmts) == 0 {
		return nil, fmt.Errorf("%s:1:1: no statement", file)
	}
	return m, nil
}

// Split cuts SQL text into statements at semicolons outside quotes and
// comments, keeping each statement's first line number.
func Split(text string) []Stmt {
	var out []Stmt
	start, line, startLine := 0, 1, 1
	inSingle, inDouble, inLine, inBlock := false, false, false, false
	content := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			line++
			inLine = false
		}
		switch {
		case inLine:
			continue
		case inBlock:
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				inBlock = false
				i++
			}
			continue
		case inSingle:
			if c == '\'' {
				inSingle = false
			}
			continue
		case inDouble:
			if c == '"' {
				inDouble = false
			}
			continue
		}
		switch c {
		case '-':
			if i+1 < len(text) && text[i+1] == '-' {
				inLine = true
				continue
			}
		case '/':
			if i+1 < len(text) && text[i+1] == '*' {
				inBlock = true
				continue
			}
		case '\'':
			inSingle = true
		case '"':
			inDouble = true
		case ';':
			if content {
				out = append(out, Stmt{SQL: text[start:i], Line: startLine})
			}
			start, content = i+1, false
			continue
		}
		if !content && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			content, startLine = true, line
			// The statement's text starts at its first line so that
			// DuckDB's LINE n counts from there.
			if ls := strings.LastIndexByte(text[:i], '\n') + 1; ls > start {
				start = ls
			}
		}
	}
	if content {
		out = append(out, Stmt{SQL: text[start:], Line: startLine})
	}
	return out
}

// Order sorts models so that each comes after the models it depends on.
// A dependency that no model builds is taken to exist already.
func Order(models []*Model) ([]*Model, error) {
	by := map[string]*Model{}
	for _, m := range models {
		if by[m.Output] != nil {
			return nil, fmt.Errorf("%s and %s both build %s", by[m.Output].File, m.File, m.Output)
		}
		by[m.Output] = m
	}
	var out []*Model
	state := map[*Model]int{} // 1 visiting, 2 done
	var visit func(m *Model, path []string) error
	visit = func(m *Model, path []string) error {
		switch state[m] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("%s: dependency cycle: %s", m.File, strings.Join(append(path, m.Output), " → "))
		}
		state[m] = 1
		var deps []string
		for _, d := range m.Depends {
			if prefix, ok := strings.CutSuffix(d, "*"); ok {
				for out := range by {
					if strings.HasPrefix(out, prefix) && out != m.Output {
						deps = append(deps, out)
					}
				}
				continue
			}
			deps = append(deps, d)
		}
		sort.Strings(deps)
		for _, d := range deps {
			if dm := by[d]; dm != nil {
				if err := visit(dm, append(path, m.Output)); err != nil {
					return err
				}
			}
		}
		state[m] = 2
		out = append(out, m)
		return nil
	}
	sorted := append([]*Model(nil), models...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Output < sorted[j].Output })
	for _, m := range sorted {
		if err := visit(m, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Timing is how long one model took.
type Timing struct {
	Model   string  `json:"model"`
	Seconds float64 `json:"seconds"`
}

// Run executes the models in order on conn, each in one transaction, and
// returns their timings. It stops at the first failure.
func Run(ctx context.Context, conn *sql.Conn, models []*Model) ([]Timing, error) {
	ordered, err := Order(models)
	if err != nil {
		return nil, err
	}
	var timings []Timing
	for _, m := range ordered {
		start := time.Now()
		if err := RunOne(ctx, conn, m); err != nil {
			return timings, err
		}
		timings = append(timings, Timing{Model: m.Output, Seconds: time.Since(start).Seconds()})
	}
	return timings, nil
}

// RunAtomic executes the models in order on conn inside one transaction:
// other connections see either every model's previous table or every new
// one, never a mix, and a failure (or a killed process) leaves all of them
// as they were. It returns the models' timings.
// progress, when not nil, hears of each model as it finishes (inside the
// transaction: not yet visible to others).
func RunAtomic(ctx context.Context, conn *sql.Conn, models []*Model, progress func(Timing)) ([]Timing, error) {
	ordered, err := Order(models)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	var timings []Timing
	for _, m := range ordered {
		start := time.Now()
		for _, st := range m.Stmts {
			if err := Exec(ctx, conn, m.File, st); err != nil {
				conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
				return timings, err
			}
		}
		timings = append(timings, Timing{Model: m.Output, Seconds: time.Since(start).Seconds()})
		if progress != nil {
			progress(timings[len(timings)-1])
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return timings, fmt.Errorf("commit: %w", err)
	}
	return timings, nil
}

// RunOne executes one model in a transaction.
func RunOne(ctx context.Context, conn *sql.Conn, m *Model) error {
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("%s: begin: %w", m.File, err)
	}
	for _, st := range m.Stmts {
		if err := Exec(ctx, conn, m.File, st); err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("%s: commit: %w", m.File, err)
	}
	return nil
}

// InsertRows inserts into table (a name of the caller's, never data) the
// rows of width columns flattened in args, in one statement: a statement a
// row costs about half a millisecond each (the transform's reference tables
// took 100 ms a run that way).
func InsertRows(ctx context.Context, conn *sql.Conn, table string, width int, args []any) error {
	if len(args) == 0 {
		return nil
	}
	if width <= 0 || len(args)%width != 0 {
		return fmt.Errorf("insert into %s: %d values are not rows of %d", table, len(args), width)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	rows := strings.TrimSuffix(strings.Repeat(row+", ", len(args)/width), ", ")
	_, err := conn.ExecContext(ctx, "INSERT INTO "+table+" VALUES "+rows, args...)
	return err
}

// Each runs the query in file of fsys with args and calls scan for every
// row; an error names the file. It is how the readers of the warehouse
// (reports, site, the run's gates) run their queries, which live in .sql
// files like the models.
func Each(ctx context.Context, db *sql.DB, fsys fs.FS, file string, scan func(*sql.Rows) error, args ...any) error {
	q, err := fs.ReadFile(fsys, file)
	if err != nil {
		return err
	}
	rows, err := db.QueryContext(ctx, string(q), args...)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

// Exec runs one statement of file, reporting an error as file:line:col.
// With HZ_DEBUG set in the environment it prints to stderr every statement
// that takes longer than HZ_DEBUG milliseconds (300 when HZ_DEBUG is not a
// number above 1), with its file and line: a developer's profile. With
// HZ_PROFILE naming a directory too, DuckDB's plan of each such statement,
// with the time of each operator, goes to a file there named after the
// statement's file and line.
func Exec(ctx context.Context, conn *sql.Conn, file string, st Stmt, args ...any) error {
	slow := debugSlow()
	profile := os.Getenv("HZ_PROFILE")
	var last string
	var n int64
	if slow > 0 && profile != "" {
		// DuckDB writes the plan of each statement with its timings to
		// the connection's file (the last statement's only); a file a
		// statement, since two connections may be at work (the
		// transform's entities).
		n = profiled.Add(1)
		last = filepath.Join(profile, fmt.Sprintf("last-%d.txt", n))
		defer func() {
			conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA disable_profiling")
			os.Remove(last)
		}()
		if _, err := conn.ExecContext(ctx, "SET enable_profiling = 'query_tree'; SET profiling_output = '"+strings.ReplaceAll(last, "'", "''")+"'"); err != nil {
			return err
		}
	}
	start := time.Now()
	if _, err := conn.ExecContext(ctx, st.SQL, args...); err != nil {
		return Locate(file, st, err)
	}
	if slow > 0 {
		if d := time.Since(start); d > slow {
			head := strings.Join(strings.Fields(st.SQL), " ")
			if len(head) > 60 {
				head = head[:60]
			}
			fmt.Fprintf(os.Stderr, "SLOW %s:%d %v %s\n", file, st.Line, d.Round(time.Millisecond), head)
			if last != "" {
				name := fmt.Sprintf("%04d_%s_%d.txt", n, strings.NewReplacer("/", "_", " ", "_").Replace(file), st.Line)
				_ = os.Rename(last, filepath.Join(profile, name))
			}
		}
	}
	return nil
}

// profiled counts the statements HZ_PROFILE profiled, to name their plans
// in order.
var profiled atomic.Int64

// debugSlow is the threshold HZ_DEBUG sets, 0 without it.
func debugSlow() time.Duration {
	v := os.Getenv("HZ_DEBUG")
	if v == "" {
		return 0
	}
	if ms, err := strconv.Atoi(v); err == nil && ms > 1 {
		return time.Duration(ms) * time.Millisecond
	}
	return 300 * time.Millisecond
}

var lineRe = regexp.MustCompile(`LINE (\d+):`)

// Locate turns a DuckDB error of a statement into file:line:col: message.
// DuckDB counts LINE n within the statement and marks the column with a
// caret under the echoed line; without them the statement's first line is
// given.
func Locate(file string, st Stmt, err error) error {
	msg := err.Error()
	line, col := st.Line, 1
	if m := lineRe.FindStringSubmatchIndex(msg); m != nil {
		n, _ := strconv.Atoi(msg[m[2]:m[3]])
		line = st.Line + n - 1
		// The caret sits under the echoed line: its offset past "LINE n: ".
		rest := msg[m[1]:]
		if nl := strings.IndexByte(rest, '\n'); nl >= 0 {
			after := rest[nl+1:]
			if caret := strings.IndexByte(after, '^'); caret >= 0 {
				if c := caret - (m[1] - m[0]); c >= 0 {
					col = c
				}
			}
		}
	}
	return &Error{File: file, Line: line, Col: col, Err: err}
}

// Error is a failed statement of a model, located in its file.
type Error struct {
	File      string
	Line, Col int
	Err       error
}

// Error is "file:line:col: message", the message's first line.
func (e *Error) Error() string {
	msg := e.Err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, msg)
}

// Unwrap is DuckDB's error.
func (e *Error) Unwrap() error { return e.Err }
