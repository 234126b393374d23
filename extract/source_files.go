package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/internal/digest"
)

// ErrManifestMismatch marks a file batch whose manifest disagrees with its
// files (rows, checksum, operator, batch); the batch is rejected whole.
var ErrManifestMismatch = errors.New("manifest does not match the batch")

// filesSource reads file drops: {path}/{YYYY-MM-DD}/ folders, each with a
// manifest.json and one file per entity.
type filesSource struct {
	operator string
	path     string
	log      *slog.Logger
}

func openFiles(src config.Source, opt Options) (Source, error) {
	if src.Path == "" {
		return nil, fmt.Errorf("extract: files source %s: no path", src.Operator)
	}
	return &filesSource{operator: src.Operator, path: src.Path, log: opt.logger()}, nil
}

func (s *filesSource) Name() string { return s.operator + "/files" }

var batchDir = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// dropManifest is a batch's manifest.json.
type dropManifest struct {
	Operator string `json:"operator"`
	Batch    string `json:"batch"`
	Files    map[string]struct {
		Rows     int64  `json:"rows"`
		SHA256   string `json:"sha256"`
		Encoding string `json:"encoding"`
	} `json:"files"`
}

// Pull loads every batch folder not loaded before, oldest first. A batch
// that is refused (no manifest, a mismatch, a file that cannot be read) is
// recorded in ops.loads with its reason and loads nothing; the others go on.
// Pull fails only when the warehouse does.
func (s *filesSource) Pull(ctx context.Context, l *Loader) error {
	entries, err := os.ReadDir(s.path)
	if err != nil {
		return fmt.Errorf("extract %s: %w", s.Name(), err)
	}
	var batches []string
	for _, e := range entries {
		if e.IsDir() && batchDir.MatchString(e.Name()) {
			batches = append(batches, e.Name())
		}
	}
	sort.Strings(batches)
	for _, b := range batches {
		if err := s.pullBatch(ctx, l, b); err != nil {
			return err
		}
	}
	return nil
}

// refusal is a batch-level problem: recorded, not fatal.
type refusal struct{ reason string }

func (r *refusal) Error() string { return r.reason }

func refuse(format string, args ...any) error { return &refusal{fmt.Sprintf(format, args...)} }

func (s *filesSource) pullBatch(ctx context.Context, l *Loader, batch string) error {
	dir := filepath.Join(s.path, batch)
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	sum := sha256.Sum256(raw)
	checksum := hex.EncodeToString(sum[:])
	if err != nil {
		checksum = ""
		return s.record(ctx, l, batch, checksum, refuse("no manifest.json: %v", errors.Unwrap(err)))
	}
	seen, err := l.Seen(ctx, batch, checksum)
	if err != nil {
		return err
	}
	var m dropManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return s.record(ctx, l, batch, checksum, refuse("manifest.json is not valid: %v", err))
	}
	if m.Operator != s.operator || m.Batch != batch {
		return s.record(ctx, l, batch, checksum, refuse("%v: it names operator %s batch %s", ErrManifestMismatch, m.Operator, m.Batch))
	}
	// Every data file the manifest lists is an entity's: one it lists under
	// another name (enrolments.csv) would otherwise be left out with its
	// rows, and the batch loaded without them. (A README it lists is no
	// data.)
	var files []string
	for name := range m.Files {
		if !isDataFile(name) {
			s.log.Warn("file of no data skipped", "source", s.Name(), "batch", batch, "file", name)
			continue
		}
		if entityOfFile(name) == nil {
			return s.record(ctx, l, batch, checksum, refuse("%v: it lists %s, which names no contract entity%s", ErrManifestMismatch, name, entityHint(name)))
		}
		files = append(files, name)
	}
	if seen == len(files) {
		return nil // loaded before
	}
	// A file of an entity that the manifest does not list is a batch that
	// does not match its manifest: loading the rest would drop its rows
	// without a word; so is a data file (.csv, .xlsx, .jsonl, .parquet) that
	// names no entity, most likely one misnamed. (Other files, a README
	// say, are no data.)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return s.record(ctx, l, batch, checksum, refuse("%v: %v", ErrManifestMismatch, err))
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isDataFile(name) {
			continue
		}
		if entityOfFile(name) == nil {
			return s.record(ctx, l, batch, checksum, refuse("%v: %s is in the batch but names no contract entity%s", ErrManifestMismatch, name, entityHint(name)))
		}
		if _, listed := m.Files[name]; !listed {
			hint := ""
			if twin := caseTwin(name, slices.Collect(maps.Keys(m.Files))); twin != "" {
				hint = ", which lists " + twin + ": file names are compared exactly"
			}
			return s.record(ctx, l, batch, checksum, refuse("%v: %s is in the batch but not in its manifest%s", ErrManifestMismatch, name, hint))
		}
	}
	// Checksums first: nothing is loaded from a batch whose files changed.
	for _, name := range files {
		got, err := digest.File(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) {
			// Said without the server's path; a name that differs in case
			// only (a drop made on Windows) is named.
			var onDisk []string
			for _, e := range entries {
				onDisk = append(onDisk, e.Name())
			}
			hint := ""
			if twin := caseTwin(name, onDisk); twin != "" {
				hint = " (" + twin + " is: file names are compared exactly)"
			}
			return s.record(ctx, l, batch, checksum, refuse("%v: it lists %s, which is not in the batch%s", ErrManifestMismatch, name, hint))
		}
		if err != nil {
			return s.record(ctx, l, batch, checksum, refuse("%v: %s: %v", ErrManifestMismatch, name, err))
		}
		if got != m.Files[name].SHA256 {
			return s.record(ctx, l, batch, checksum, refuse("%v: %s has sha256 %s, the manifest says %s", ErrManifestMismatch, name, got, m.Files[name].SHA256))
		}
	}
	sort.Slice(files, func(i, j int) bool { return entityOrder(files[i]) < entityOrder(files[j]) })

	// Each file loads in its own transaction on its own connection, as many
	// at once as the Writer has slots: DuckDB appends them in parallel. A
	// file committed by a run that stopped halfway is not loaded again; a
	// batch found bad is taken back whole.
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	for i, name := range files {
		u := l.NewUnit(entityOfFile(name), batch, checksum, name, Watermark{})
		u.Reported = m.Files[name].Rows
		if done, err := l.Committed(ctx, u); err != nil || done {
			errs[i] = err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.loadOne(ctx, l, u, filepath.Join(dir, name), m.Files[name].Encoding)
		}()
	}
	wg.Wait()
	var failed []error
	for _, err := range errs {
		var r *refusal
		if errors.As(err, &r) {
			if err := l.TakeBack(ctx, batch, checksum); err != nil {
				return err
			}
			return s.record(ctx, l, batch, checksum, err)
		}
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return errors.Join(failed...)
	}
	s.log.Info("batch loaded", "source", s.Name(), "batch", batch, "files", len(files))
	return nil
}

// loadOne loads one file of a batch as one unit, in a slot of the Writer.
func (s *filesSource) loadOne(ctx context.Context, l *Loader, u *Unit, path, encoding string) error {
	release, err := l.w.slot(ctx)
	if err != nil {
		return err
	}
	defer release()
	fl := l.w.Loader(l.Operator, l.Kind)
	fl.progress = l.progress
	defer fl.Close()
	tx, err := fl.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.loadFile(ctx, tx, u, path, encoding); err != nil {
		return err
	}
	if u.Received != u.Reported {
		// A quote that never closes swallows the lines after it: the
		// count is short, and the cause is that line, not the manifest.
		hint := ""
		if u.badQuote != "" {
			hint = " (at " + u.badQuote + " a quote opens that never closes: the lines after it were read as part of that record)"
		}
		return refuse("%v: %s has %d records, the manifest says %d%s", ErrManifestMismatch, u.File, u.Received, u.Reported, hint)
	}
	if err := tx.Finish(u); err != nil {
		return err
	}
	if err := tx.Reconcile(u); err != nil {
		return err
	}
	return tx.Commit()
}

// record writes a refused batch to ops.loads and logs it.
func (s *filesSource) record(ctx context.Context, l *Loader, batch, checksum string, err error) error {
	var r *refusal
	if !errors.As(err, &r) {
		return err
	}
	s.log.Warn("batch refused", "source", s.Name(), "batch", batch, "reason", r.reason)
	return l.Reject(ctx, batchEntity, batch, checksum, r.reason)
}

// dataExts are the extensions of an entity's file in a drop (contract-v1).
var dataExts = []string{".csv", ".xlsx", ".jsonl", ".parquet"}

// isDataFile says whether a file of a drop is data by its extension, in
// any case (claims.CSV).
func isDataFile(name string) bool {
	return slices.Contains(dataExts, strings.ToLower(filepath.Ext(name)))
}

// entityOfFile is the entity a data file of a drop holds, by its name in
// any case (Enrollments.csv), or nil.
func entityOfFile(name string) *contract.Entity {
	return contract.Lookup(strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name))))
}

// caseTwin is the one of names that differs from name in case only, or "".
func caseTwin(name string, names []string) string {
	for _, n := range names {
		if n != name && strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// batchEntity names a whole batch in ops.loads rows that refuse it.
var batchEntity = &contract.Entity{Name: "*"}

func entityOrder(file string) int {
	e := entityOfFile(file)
	for i, x := range contract.Entities() {
		if x == e {
			return i
		}
	}
	return len(contract.Entities())
}

// loadFile reads one file in a goroutine and appends its rows under u as
// the reader hands them over, so reading and loading overlap.
func (s *filesSource) loadFile(ctx context.Context, tx *Tx, u *Unit, path, encoding string) error {
	name := filepath.Base(path)
	ch := make(chan chunk, 4)
	done := make(chan struct{})
	sink := newRecordSink(u.Entity, name, ch, done)
	sink.pseudo = tx.l.w.pseudo
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		errc <- readFile(ctx, path, encoding, sink)
	}()
	stream := newChunkStream(rawSchema(u.Entity), ch)
	loadErr := tx.appendStream(u, stream)
	if loadErr != nil {
		close(done)
	}
	readErr := <-errc
	u.Received, u.badQuote = sink.received, sink.badQuote
	if readErr != nil {
		if errors.Is(readErr, errFileRefused) {
			return refuse("%s: %v", name, readErr)
		}
		return fmt.Errorf("extract %s/%s %s: %w", s.Name(), u.Entity.Name, name, readErr)
	}
	return loadErr
}

func readFile(ctx context.Context, path, encoding string, s *recordSink) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".parquet" {
		return readParquet(ctx, path, s)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// An empty JSONL file is an entity with no rows; the other formats
	// owe at least a header.
	if st, err := f.Stat(); err == nil && st.Size() == 0 && ext != ".jsonl" {
		return fmt.Errorf("%w: the file is empty (no header row)", errFileRefused)
	}
	switch ext {
	case ".csv":
		return readCSV(f, encoding, s)
	case ".jsonl":
		return readJSONL(f, s)
	case ".xlsx":
		return readXLSX(f, s)
	}
	return fmt.Errorf("%w: unknown file type %q", errFileRefused, ext)
}

// entityHint names the contract entity a misnamed file most likely meant
// (" (enrollments?)" for enrolments.csv): the one fewest edits away, when
// two or fewer are; nothing otherwise.
func entityHint(file string) string {
	name := strings.ToLower(strings.TrimSuffix(file, filepath.Ext(file)))
	best, dist := "", 3
	for _, e := range contract.Entities() {
		if d := editDistance(name, e.Name); d < dist {
			best, dist = e.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return " (" + best + "?)"
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
