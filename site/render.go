package site

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"huzhu/internal/codes"
	"huzhu/internal/config"
	"huzhu/internal/privacy"
	"huzhu/internal/webassets"
)

//go:embed templates/*.html assets/*
var files embed.FS

var pageTpl = template.Must(template.New("site").Funcs(template.FuncMap{
	"tableHTML": func(root string, t *Table) template.HTML { return t.html(root) },
}).ParseFS(files, "templates/*.html"))

// PageBudget is the most bytes a page may have (the budget: 100 KB
// transferred, the shared ECharts runtime aside).
const PageBudget = 100 * 1024

// Options configure a build.
type Options struct {
	// Key signs manifest.json (required).
	Key ed25519.PrivateKey
	// K is the k-anonymity threshold in force ([rules] k_anonymity); cells
	// the marts suppressed show as "<K". Default 10.
	K int
	// Rules renders the thresholds of the methodology page; default
	// config.DefaultRules().
	Rules *config.Rules
	// Title is the site's name; default 职工互助保障信息公开.
	Title string
	// Workers render pages in parallel; default GOMAXPROCS.
	Workers int
	// ECharts is the ECharts runtime; nil reads the pinned npm package
	// (internal/webassets).
	ECharts []byte
	// Hook, when set, may change a file's bytes before the privacy gate
	// sees them (tests plant leaks through it).
	Hook func(path string, b []byte) []byte
}

// Result says what a build wrote.
type Result struct {
	Dir     string  `json:"dir"`
	Pages   int     `json:"pages"`
	Files   int     `json:"files"` // published files, manifest and signature included
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
}

// Build loads the aggregate marts from db and writes the site into dir,
// which it removes first and creates again (a caller publishing atomically
// passes a staging folder and renames it into place). A privacy-gate
// failure (ErrPrivacy) names the file and the kind of value, never the
// value; dir then holds a partial site and must not be published.
func Build(ctx context.Context, db *sql.DB, dir string, opt Options) (*Result, error) {
	start := time.Now()
	d, err := Load(ctx, db)
	if err != nil {
		return nil, err
	}
	res, err := Render(ctx, d, dir, opt)
	if res != nil {
		res.Seconds = time.Since(start).Seconds()
	}
	return res, err
}

// file is one output file of a job.
type file struct {
	path string
	body []byte
	page bool
	gate bool // scanned by the privacy gate (all but the vendored runtime)
}

// Render writes the site of d into dir (see Build).
func Render(ctx context.Context, d *Data, dir string, opt Options) (*Result, error) {
	start := time.Now()
	if len(opt.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("site: a signing key is required")
	}
	if opt.K <= 0 {
		opt.K = 10
	}
	rules := config.DefaultRules()
	if opt.Rules != nil {
		rules = *opt.Rules
	}
	if opt.Title == "" {
		opt.Title = "职工互助保障信息公开"
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	echartsJS := opt.ECharts
	if echartsJS == nil {
		var err error
		if echartsJS, err = webassets.Read(webassets.EChartsFile); err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	x := newIndex(d, opt.K, rules, opt.Title)
	g := newGate(d)

	// Jobs: each makes one page and its tables' downloads, or static files.
	var jobs []func() ([]file, error)
	jobs = append(jobs, func() ([]file, error) { return x.pageFiles(x.homePage()) })
	jobs = append(jobs, func() ([]file, error) { return x.pageFiles(x.methodologyPage()) })
	for _, pv := range x.provinces {
		jobs = append(jobs, func() ([]file, error) { return x.pagesFiles(x.provincePages(pv)) })
	}
	for i := range d.Pools {
		pl := &d.Pools[i]
		jobs = append(jobs, func() ([]file, error) { return x.pagesFiles(x.poolPages(pl)) })
	}
	for i := range d.Operators {
		o := &d.Operators[i]
		jobs = append(jobs, func() ([]file, error) { return x.pageFiles(x.operatorPage(o)) })
		for _, a := range x.actsOf[o.Code] {
			jobs = append(jobs, func() ([]file, error) { return x.pageFiles(x.activityPage(o, a)) })
		}
	}
	jobs = append(jobs, func() ([]file, error) { return x.staticFiles(echartsJS) })
	jobs = append(jobs, func() ([]file, error) { return x.dataPackage() })

	var (
		mu       sync.Mutex
		entries  []FileEntry
		pages    int
		dirs     sync.Map
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan func() ([]file, error))
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Go(func() {
			for job := range work {
				err := ctx.Err()
				var fs []file
				if err == nil {
					fs, err = job()
				}
				for _, f := range fs {
					if err != nil {
						break
					}
					err = writeFile(dir, f, g, opt.Hook, &dirs, func(e FileEntry) {
						mu.Lock()
						entries = append(entries, e)
						if f.page {
							pages++
						}
						mu.Unlock()
					})
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
				}
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	m := &Manifest{Version: 1, AsOf: d.AsOf, PublicKey: hex.EncodeToString(opt.Key.Public().(ed25519.PublicKey)), Files: entries}
	if err := writeManifest(dir, m, opt.Key); err != nil {
		return nil, fmt.Errorf("site: manifest: %w", err)
	}
	res := &Result{Dir: dir, Pages: pages, Files: len(entries) + 2}
	for _, e := range entries {
		res.Bytes += e.Bytes
	}
	for _, n := range []string{ManifestFile, SignatureFile} {
		if st, err := os.Stat(filepath.Join(dir, n)); err == nil {
			res.Bytes += st.Size()
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// writeFile runs the hook and the privacy gate over f, checks a page's
// budget, writes it and reports its manifest entry.
func writeFile(dir string, f file, g *privacy.Gate, hook func(string, []byte) []byte, dirs *sync.Map, done func(FileEntry)) error {
	body := f.body
	if hook != nil {
		body = hook(f.path, body)
	}
	if f.gate {
		if err := g.Check(f.path, body); err != nil {
			return err // a LeakError, which says "site: privacy gate"
		}
	}
	if f.page && len(body) > PageBudget {
		return fmt.Errorf("site: %s has %d bytes, over the page budget of %d", f.path, len(body), PageBudget)
	}
	full := filepath.Join(dir, filepath.FromSlash(f.path))
	parent := filepath.Dir(full)
	if _, ok := dirs.Load(parent); !ok {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return fmt.Errorf("site: %w", err)
		}
		dirs.Store(parent, true)
	}
	if err := os.WriteFile(full, body, 0o644); err != nil {
		return fmt.Errorf("site: %w", err)
	}
	sum := sha256.Sum256(body)
	done(FileEntry{Path: f.path, Bytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// pageFiles renders a page and its tables' downloads.
func (x *index) pageFiles(p *page) ([]file, error) {
	var buf bytes.Buffer
	buf.Grow(32 << 10)
	if err := pageTpl.ExecuteTemplate(&buf, "page", p); err != nil {
		return nil, fmt.Errorf("site: render %s: %w", p.Path, err)
	}
	out := []file{{path: p.Path, body: buf.Bytes(), page: true, gate: true}}
	for _, s := range p.Sections {
		for _, t := range s.Tables {
			if t.Shared {
				continue
			}
			out = append(out, file{path: t.File + ".csv", body: t.csvBytes(), gate: true}, file{path: t.File + ".json", body: t.jsonBytes(), gate: true})
		}
	}
	return out, nil
}

// pagesFiles renders the pages of one listing.
func (x *index) pagesFiles(ps []*page) ([]file, error) {
	var out []file
	for _, p := range ps {
		fs, err := x.pageFiles(p)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}

// staticFiles are the assets and the search index.
func (x *index) staticFiles(echartsJS []byte) ([]file, error) {
	out := []file{{path: "assets/echarts.min.js", body: echartsJS}}
	for _, n := range []string{"site.css", "search.js"} {
		b, err := files.ReadFile("assets/" + n)
		if err != nil {
			return nil, err
		}
		out = append(out, file{path: "assets/" + n, body: b, gate: true})
	}
	idx, err := json.Marshal(x.searchIndex())
	if err != nil {
		return nil, err
	}
	out = append(out,
		file{path: "search.json", body: append(idx, '\n'), gate: true},
		file{path: "assets/search-index.js", body: []byte("window.HZ_INDEX=" + string(idx) + ";\n"), gate: true})
	return out, nil
}

// searchIndex lists provinces (national sites), pools, operators and
// activities as [name, code, url from the site root, context, kind,
// places]: places are the names of the subject's region, its prefecture
// and province (GB/T 2260), matched but not shown, so that a member who
// types a city finds its operators without knowing the pool's name.
func (x *index) searchIndex() [][6]string {
	var out [][6]string
	for _, pv := range x.provinces {
		out = append(out, [6]string{pv.Name, pv.Code, provincePath(pv.Code), groupInt(int64(len(pv.Pools))) + " 个统筹地区", "省份", places(pv.Code)})
	}
	for _, p := range x.d.Pools {
		out = append(out, [6]string{p.Name, p.Code, poolPath(p.Code), zh(levelZh, p.Level) + " " + p.Federation, "统筹地区", places(p.Region)})
	}
	for _, o := range x.d.Operators {
		ctx := ""
		if p := x.pools[o.Pool]; p != nil {
			ctx = p.Name
		}
		out = append(out, [6]string{o.Name, o.Code, operatorPath(o.Code), ctx, "运营方", places(o.Region)})
	}
	for _, a := range x.d.Activities {
		ctx, region := "", ""
		if o := x.ops[a.Operator]; o != nil {
			ctx, region = o.Name, o.Region
		}
		out = append(out, [6]string{a.Name, a.Code, activityPath(a.Operator, a.Code), ctx, "活动", places(region)})
	}
	return out
}

// places names a region code's province, prefecture and the region itself
// (those the table knows, each once), space-separated.
func places(code string) string {
	if len(code) != 6 {
		return ""
	}
	var names []string
	for _, c := range []string{code[:2] + "0000", code[:4] + "00", code} {
		if n, ok := codes.Region(c); ok && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return strings.Join(names, " ")
}
