package transform

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"huzhu/contract"
	"huzhu/internal/sqlmodel"
)

// The entities are transformed two at a time, on two connections, each
// entity in its own transaction as before. DuckDB spreads one statement
// over every core, but not the ends of it: the last row groups of a large
// table are compressed and written by one thread, and a commit and the
// many small statements of a small entity run on one. At 1 M members a
// core idled for about 2 of the 13 s of a transform run one entity after
// another; a second entity at work fills those gaps. An entity starts
// once the entities its stage model reads are done (entityDeps), the first
// of Order that may; the two write different tables, and their appends to
// ops.quarantine, ops.reconciliation and ops.transform_loads do not
// conflict. With DuckDB's threads set to 1 the entities run one at a time.

// maxWorkers is the most entities transformed at once.
const maxWorkers = 2

// entityDeps are the entities whose versions the stage model of e reads:
// the known_<entity> views its header names. (The operators' USCCs every
// stage checks come from the loads, not from organisations:
// sql/valid_operators.sql.)
func entityDeps(e *contract.Entity) ([]string, error) {
	file := "sql/stage_" + e.Name + ".sql"
	text, err := fs.ReadFile(sqlFS, file)
	if err != nil {
		return nil, err
	}
	m, err := sqlmodel.Parse(file, string(text))
	if err != nil {
		return nil, err
	}
	var deps []string
	for _, d := range m.Depends {
		name, ok := strings.CutPrefix(d, "known_")
		if !ok || name == e.Name {
			continue
		}
		if contract.Lookup(name) == nil {
			return nil, fmt.Errorf("%s: depends on %s, which is no entity", file, d)
		}
		deps = append(deps, name)
	}
	return deps, nil
}

// worker is one connection that transforms entities, with what it keeps
// from one to the next.
type worker struct {
	conn *sql.Conn
	// seen: the entities whose view known_<entity> on conn reads their
	// versions table (defineKnown).
	seen map[string]bool
}

// knowDeps (re)defines on w's connection the views known_<entity> of the
// entities in deps, which another connection may have transformed.
func (w *worker) knowDeps(ctx context.Context, deps []string) error {
	for _, d := range deps {
		if w.seen[d] {
			continue
		}
		have, _, err := coreTable(ctx, w.conn, "v_"+d)
		if err != nil {
			return err
		}
		if err := defineKnown(ctx, w.conn, contract.Lookup(d), have); err != nil {
			return err
		}
		w.seen[d] = have
	}
	return nil
}

// scheduler hands the entities of Order to the workers as their
// dependencies are done.
type scheduler struct {
	mu      sync.Mutex
	changed *sync.Cond
	deps    map[string][]string
	started map[string]bool
	done    map[string]bool
	results map[string]*EntityResult
	err     error // the first entity's error; no entity starts after it
	running int   // entities at work
	most    int   // the most entities at work at once
}

func newScheduler() (*scheduler, error) {
	s := &scheduler{deps: map[string][]string{}, started: map[string]bool{}, done: map[string]bool{},
		results: map[string]*EntityResult{}}
	s.changed = sync.NewCond(&s.mu)
	for _, name := range Order {
		e := contract.Lookup(name)
		deps, err := entityDeps(e)
		if err != nil {
			return nil, fmt.Errorf("transform: %w", err)
		}
		for _, d := range deps {
			if !s.isBefore(d, name) {
				return nil, fmt.Errorf("transform: %s depends on %s, which Order puts after it", name, d)
			}
		}
		s.deps[name] = deps
	}
	return s, nil
}

// isBefore says whether Order names a before b.
func (s *scheduler) isBefore(a, b string) bool {
	for _, name := range Order {
		switch name {
		case a:
			return true
		case b:
			return false
		}
	}
	return false
}

// next waits for an entity whose dependencies are done and marks it
// started; it returns "" when none is left to start, or after an error.
func (s *scheduler) next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.err != nil {
			return ""
		}
		left := false
		for _, name := range Order {
			if s.started[name] {
				continue
			}
			left = true
			ready := true
			for _, d := range s.deps[name] {
				ready = ready && s.done[d]
			}
			if ready {
				s.started[name] = true
				s.running++
				s.most = max(s.most, s.running)
				return name
			}
		}
		if !left {
			return ""
		}
		s.changed.Wait()
	}
}

// finish records an entity's result or error and wakes the waiting
// workers.
func (s *scheduler) finish(name string, r *EntityResult, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running--
	if err != nil {
		if s.err == nil {
			s.err = err
		}
	} else {
		s.done[name] = true
		s.results[name] = r
	}
	s.changed.Broadcast()
}

// work transforms entities on w until the scheduler has none left,
// telling done of each it transformed.
func (s *scheduler) work(ctx context.Context, w *worker, done func(*EntityResult)) {
	for {
		name := s.next()
		if name == "" {
			return
		}
		e := contract.Lookup(name)
		err := w.knowDeps(ctx, s.deps[name])
		var r *EntityResult
		if err == nil {
			r, err = runEntity(ctx, w.conn, e)
		} else {
			err = fmt.Errorf("transform %s: %w", name, err)
		}
		if err == nil {
			w.seen[name] = true
			done(r)
		}
		s.finish(name, r, err)
	}
}

// workers is how many entities to transform at once on db: maxWorkers,
// or fewer when DuckDB's threads are.
func workers(ctx context.Context, conn *sql.Conn) (int, error) {
	var threads int
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&threads); err != nil {
		return 0, fmt.Errorf("transform: threads: %w", err)
	}
	return max(1, min(maxWorkers, threads)), nil
}

// runEntities transforms every entity of Order, conn first and, when more
// than one worker may run, on more connections of db, each prepared as
// conn is (prepareWorker), telling done of each entity as it is
// transformed. It returns the results in Order, of the entities done
// before an error too, and the most entities that were at work at once.
func runEntities(ctx context.Context, db *sql.DB, conn *sql.Conn, runID string, key []byte, done func(*EntityResult)) ([]*EntityResult, int, error) {
	s, err := newScheduler()
	if err != nil {
		return nil, 0, err
	}
	n, err := workers(ctx, conn)
	if err != nil {
		return nil, 0, err
	}
	ws := []*worker{{conn: conn, seen: map[string]bool{}}}
	for len(ws) < n {
		c, err := db.Conn(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("transform: connection: %w", err)
		}
		defer c.Close()
		if err := prepareWorker(ctx, c, runID, key); err != nil {
			return nil, 0, err
		}
		ws = append(ws, &worker{conn: c, seen: map[string]bool{}})
	}
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Go(func() { s.work(ctx, w, done) })
	}
	wg.Wait()
	var out []*EntityResult
	for _, name := range Order {
		if r := s.results[name]; r != nil {
			out = append(out, r)
		}
	}
	return out, s.most, s.err
}
