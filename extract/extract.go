package extract

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"huzhu/internal/config"
	"huzhu/internal/pseudonym"
)

// SourceResult is what one source did in a run.
type SourceResult struct {
	Name string `json:"source"`
	Rows int64  `json:"rows"` // rows appended to raw that stand (not a refused batch's)
	// Quarantined are the records the source sent that extract set aside
	// in ops.quarantine (a line that does not split, invalid UTF-8), of the
	// loads that stand.
	Quarantined int64 `json:"quarantined"`
	// Rejected are the batches refused whole (a file drop whose manifest
	// does not match its files), "batch: reason": nothing of them loaded.
	Rejected []string `json:"rejected,omitempty"`
	// Retries are the requests the source sent again (a server error, a
	// 429, a cut connection, a body cut short): a source that works only
	// on its second try shows here before it stops working at all.
	Retries  int64         `json:"retries,omitempty"`
	Duration time.Duration `json:"-"`
	// Seconds is Duration in seconds, the unit of the manifest's stages.
	Seconds float64 `json:"seconds"`
	Err     error   `json:"-"`
	Error   string  `json:"error,omitempty"`
}

// Result is what the extract stage did.
type Result struct {
	Sources []SourceResult `json:"sources"`
	Rows    int64          `json:"rows"`
}

// Run pulls every source of the config into the warehouse: up to parallel
// sources at once (default 4), one connection writing. A source that fails
// does not stop the others; the error returned joins every failure, and
// what the failed sources committed stays for the next run to resume from.
func Run(ctx context.Context, db *sql.DB, cfg *config.Config, runID string, opt Options, parallel int) (*Result, error) {
	if parallel <= 0 {
		parallel = 4
	}
	sources := make([]Source, len(cfg.Sources))
	for i, src := range cfg.Sources {
		s, err := Open(src, opt)
		if err != nil {
			return nil, err
		}
		sources[i] = s
	}
	w, err := NewWriter(ctx, db, runID)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if opt.PIIKey != nil {
		if err := pseudonym.Claim(ctx, db, runID, opt.PIIKey); err != nil {
			return nil, fmt.Errorf("extract: %w", err)
		}
		w.pseudo = newPseudonymiser(opt.PIIKey)
	}
	w.slots = make(chan struct{}, parallel)
	res := &Result{Sources: make([]SourceResult, len(sources))}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, s := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var rows atomic.Int64
			l := w.Loader(cfg.Sources[i].Operator, cfg.Sources[i].Kind)
			l.progress = func(src, entity string, n int64) {
				rows.Add(n)
				if opt.Progress != nil {
					opt.Progress(src, entity, n)
				}
			}
			start := time.Now()
			err := s.Pull(ctx, l)
			took := time.Since(start)
			res.Sources[i] = SourceResult{Name: s.Name(), Rows: rows.Load(), Duration: took, Seconds: took.Seconds(), Err: err, Rejected: l.Rejected()}
			if r, ok := s.(Retrier); ok {
				res.Sources[i].Retries = r.Retries()
				if n := res.Sources[i].Retries; n > 0 {
					opt.logger().Warn("source retried requests", "source", s.Name(), "retries", n)
				}
			}
			// The rows that stand are ops.loads' count: the progress count
			// has the rows of a batch refused after it began loading too.
			var loaded, quarantined int64
			if qerr := db.QueryRowContext(ctx, sqlSourceLoaded, runID, cfg.Sources[i].Operator, cfg.Sources[i].Kind).Scan(&loaded, &quarantined); qerr == nil {
				res.Sources[i].Rows, res.Sources[i].Quarantined = loaded, quarantined
			} else if err == nil {
				err = fmt.Errorf("extract %s: count loads: %w", s.Name(), qerr)
				res.Sources[i].Err = err
			}
			if err != nil {
				// Returned (joined below), not logged: the caller reports it.
				res.Sources[i].Error = err.Error()
			} else {
				opt.logger().Info("source pulled", "source", s.Name(), "rows", res.Sources[i].Rows, "quarantined", res.Sources[i].Quarantined, "batches_rejected", len(res.Sources[i].Rejected),
					"seconds", time.Since(start).Seconds())
			}
		}()
	}
	wg.Wait()
	var errs []error
	for _, r := range res.Sources {
		res.Rows += r.Rows
		if r.Err != nil {
			err := r.Err
			if !strings.Contains(err.Error(), r.Name) { // most name their source already
				err = fmt.Errorf("extract %s: %w", r.Name, err)
			}
			errs = append(errs, err)
		}
	}
	// A large batch goes to disk now, in extract's time. Otherwise the
	// first large commit of the next stage pays for it (DuckDB checkpoints
	// once its write-ahead log passes 16 MB, about 200,000 raw rows): at 1 M
	// members, 5 s inside the transform's members. A night's few rows stay
	// in the log: a checkpoint costs 0.15 s however little it writes. Not
	// an error when it cannot run now: a later commit or the close does it.
	if res.Rows >= checkpointRows {
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			opt.logger().Warn("checkpoint after extract", "err", err)
		}
	}
	return res, errors.Join(errs...)
}

// checkpointRows is the batch size from which Run checkpoints what it wrote.
const checkpointRows = 200000
