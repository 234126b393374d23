package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"huzhu/internal/config"
	"huzhu/internal/publish"
	"huzhu/opsim"
	"huzhu/warehouse"
)

// testSiteKey is the Ed25519 seed (hex) the tests sign sites with.
const testSiteKey = "0707070707070707070707070707070707070707070707070707070707070707"

// nightly is a test installation: a drop folder the simulator writes
// nights into, a config over it, and helpers to run and inspect.
type nightly struct {
	t       *testing.T
	dir     string
	cfg     string
	members int
	defects string
	ops     []string
}

// newNightly drops the first night of a world with the given members and
// defect rate and writes a config for its operators, plus extra config
// text (gates, alerts).
func newNightly(t *testing.T, members int, defects, extra string) *nightly {
	t.Helper()
	n := &nightly{t: t, dir: t.TempDir(), members: members, defects: defects}
	n.drop("2025-06-30")
	ops, _ := filepath.Glob(filepath.Join(n.dir, "drops", "*"))
	var b strings.Builder
	b.WriteString("warehouse = \"w/h.duckdb\"\nout = \"out\"\nmemory_limit = \"2GB\"\n")
	for _, op := range ops {
		if st, err := os.Stat(op); err != nil || !st.IsDir() {
			continue
		}
		code := filepath.Base(op)
		n.ops = append(n.ops, code)
		fmt.Fprintf(&b, "[[source]]\noperator = %q\nkind = \"files\"\npath = \"drops/%s\"\n", code, code)
	}
	b.WriteString(extra)
	n.cfg = filepath.Join(n.dir, "h.toml")
	if err := os.WriteFile(n.cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")
	t.Setenv("HUZHU_SITE_KEY", testSiteKey)
	return n
}

// drop writes the world as seen on day asOf (a new batch per day); with a
// changed-since day, only the rows updated from that day on (a delta).
func (n *nightly) drop(asOf string, changedSince ...string) {
	n.t.Helper()
	args := []string{"opsim", "drop", "--out", filepath.Join(n.dir, "drops"), "--members", fmt.Sprint(n.members),
		"--operators", "5", "--defects", n.defects, "--as-of", asOf, "--answer-key", "-", "--format", "parquet"}
	if len(changedSince) > 0 {
		args = append(args, "--changed-since", changedSince[0])
	}
	if code, _, stderr := run(n.t, args...); code != 0 {
		n.t.Fatalf("drop: %s", stderr)
	}
}

func (n *nightly) run(args ...string) (int, string, string) {
	return run(n.t, append([]string{"run", "--config", n.cfg}, args...)...)
}

// manifest reads the newest run manifest.
func (n *nightly) manifest() runManifest {
	n.t.Helper()
	files, _ := filepath.Glob(filepath.Join(n.dir, "out", "runs", "*.json"))
	if len(files) == 0 {
		n.t.Fatal("no run manifest")
	}
	// The latest by its start: two runs in one second have run ids that
	// differ in their random part only.
	var last runManifest
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			n.t.Fatal(err)
		}
		var m runManifest
		if err := json.Unmarshal(raw, &m); err != nil {
			n.t.Fatal(err)
		}
		if m.Started.After(last.Started) {
			last = m
		}
	}
	return last
}

func (n *nightly) out() string { return filepath.Join(n.dir, "out") }

// martDigests digests every mart table without the columns that name
// runs, order-independently.
func martDigests(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return digestSchema(t, db.SQL(), "mart", "run_id", "first_seen_run", "last_seen_run", "resolved_run", "previous_run")
}

func digestSchema(t *testing.T, db *sql.DB, schema string, exclude ...string) map[string]string {
	t.Helper()
	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", schema)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		names = append(names, s)
	}
	rows.Close()
	out := map[string]string{}
	for _, name := range names {
		var cols []string
		crows, _ := db.Query("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", schema, name)
		for crows.Next() {
			var c string
			crows.Scan(&c)
			if !slices.Contains(exclude, c) {
				cols = append(cols, `"`+c+`"`)
			}
		}
		crows.Close()
		var c int
		var d sql.NullString
		q := fmt.Sprintf("SELECT count(*), md5(string_agg(r, chr(10) ORDER BY r)) FROM (SELECT CAST(row(%s) AS VARCHAR) AS r FROM %s.%s)", strings.Join(cols, ", "), schema, name)
		if err := db.QueryRow(q).Scan(&c, &d); err != nil {
			t.Fatalf("digest %s.%s: %v", schema, name, err)
		}
		out[name] = fmt.Sprintf("%d rows %s", c, d.String)
	}
	return out
}

// TestRunExitCodes: 0 success; 3 published with more warnings than
// allowed; 1 a fatal gate (nothing published, the previous outputs stay);
// 2 a bad config. The manifest names the gate that tripped, and the
// webhook hears of the failure and of new critical findings.
func TestRunExitCodes(t *testing.T) {
	var mu sync.Mutex
	var alerts []alertPayload
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var p alertPayload
		if err := json.Unmarshal(body, &p); err != nil || r.Header.Get("Authorization") != "Bearer hook-secret" {
			http.Error(w, "bad alert", http.StatusBadRequest)
			return
		}
		mu.Lock()
		alerts = append(alerts, p)
		mu.Unlock()
	}))
	defer hook.Close()
	t.Setenv("HOOK_TOKEN", "hook-secret")
	alertsCfg := "[alerts]\nwebhook_url = \"" + hook.URL + "\"\ntoken_env = \"HOOK_TOKEN\"\n"

	// A world with planted defects: findings, quarantined rows.
	n := newNightly(t, 1200, "0.01", alertsCfg+"[gates]\nmax_warnings = 100000\n")
	if code, out, stderr := n.run(); code != exitOK {
		t.Fatalf("run = %d, want 0:\n%s\n%s", code, out, stderr)
	}
	m := n.manifest()
	if !m.Published || m.Status != "succeeded" || len(m.Gates) == 0 || m.Warnings == 0 {
		t.Errorf("first run: published %v status %s gates %d warnings %d", m.Published, m.Status, len(m.Gates), m.Warnings)
	}
	if m.NewCritical == 0 {
		t.Fatal("the defective world has no new critical findings: the alert test shows nothing")
	}
	first := publish.Current(n.out())
	if first == "" {
		t.Fatal("nothing published")
	}
	mu.Lock()
	if len(alerts) != 1 || alerts[0].Event != "new_critical_findings" || int64(len(alerts[0].NewCritical)) != min(m.NewCritical, 100) {
		t.Errorf("alerts after the first run: %+v", alerts)
	} else if _, err := os.Stat(alerts[0].Manifest); err != nil || alerts[0].Host == "" {
		t.Errorf("the alert names manifest %q (%v) on host %q: want a path there is", alerts[0].Manifest, err, alerts[0].Host)
	}
	mu.Unlock()

	// Exit 3: the same data against a warnings limit of 0 (a --full rerun
	// re-quarantines every defective row).
	setGates(t, n.cfg, "max_warnings = 0\n")
	code, out, stderr := n.run("--full")
	if code != exitWarnings {
		t.Fatalf("run with max_warnings = 0: %d, want 3:\n%s\n%s", code, out, stderr)
	}
	m = n.manifest()
	if !m.Published || m.Status != "warnings" || !slices.Contains(m.Tripped, "max_warnings") {
		t.Errorf("warnings run: published %v status %s tripped %v", m.Published, m.Status, m.Tripped)
	}
	second := publish.Current(n.out())
	if second == first {
		t.Error("a run with warnings did not publish")
	}
	// It succeeded, for the metrics too: a "no success for a day" alert
	// must not fire on a night with warnings.
	prom := string(must(os.ReadFile(filepath.Join(n.out(), "metrics", "huzhu.prom"))))
	for _, want := range []string{"huzhu_run_success 1\n", "huzhu_run_exit_code 3\n", "huzhu_last_success_timestamp_seconds "} {
		if !strings.Contains(prom, want) {
			t.Errorf("metrics after a run with warnings lack %q:\n%s", want, prom)
		}
	}

	// Exit 1: a fatal rule with open findings; nothing is published.
	setGates(t, n.cfg, "max_warnings = 100000\nfatal_rules = [\"R10\"]\n")
	code, out, stderr = n.run()
	if code != exitFailed {
		t.Fatalf("run with R10 fatal = %d, want 1:\n%s\n%s", code, out, stderr)
	}
	m = n.manifest()
	if m.Published || m.Status != "failed" || len(m.Tripped) != 1 || !strings.Contains(m.Tripped[0], "rule R10") {
		t.Errorf("gated run: published %v status %s tripped %v", m.Published, m.Status, m.Tripped)
	}
	if publish.Current(n.out()) != second {
		t.Error("a gated run changed the published outputs")
	}
	mu.Lock()
	if last := alerts[len(alerts)-1]; last.Event != "run_failed" || !strings.Contains(last.Error, "R10") {
		t.Errorf("last alert: %+v", last)
	}
	mu.Unlock()

	// The quarantine-share gate.
	setGates(t, n.cfg, "max_warnings = 100000\nmax_quarantine_share = 0.00001\n")
	if code, _, _ := n.run("--full"); code != exitFailed {
		t.Errorf("run with a tiny quarantine share = %d, want 1", code)
	}
	if m := n.manifest(); len(m.Tripped) == 0 || !strings.Contains(m.Tripped[0], "quarantined") {
		t.Errorf("quarantine gate: tripped %v", m.Tripped)
	}
	// Run again, nothing new: the same unpublished data meets the same
	// gate (a scheduler's retry publishes nothing); nor does one stage
	// run by hand publish it.
	if code, _, _ := n.run(); code != exitFailed {
		t.Errorf("the stopped night run again = %d, want 1", code)
	}
	if code, _, stderr := run(t, "marts", "--config", n.cfg); code != exitFailed || !strings.Contains(stderr, "quarantined") {
		t.Errorf("huzhu marts after a stopped night = %d (%s), want 1", code, stderr)
	}
	if publish.Current(n.out()) != second {
		t.Error("a stopped night was published")
	}
	// With the gate lifted, the next run publishes it all.
	setGates(t, n.cfg, "max_warnings = 100000\n")
	if code, out, stderr := n.run(); code != exitOK {
		t.Errorf("run with the gate lifted = %d, want 0:\n%s\n%s", code, out, stderr)
	}
	if publish.Current(n.out()) == second {
		t.Error("the run with the gate lifted published nothing")
	}

	// Exit 1 at once: another process holds the warehouse lock; the
	// message names it.
	lock, err := warehouse.AcquireLock(filepath.Join(n.dir, "w", "h.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := n.run(); code != exitFailed || !strings.Contains(stderr, "pid") {
		t.Errorf("run while the lock is held = %d (%s), want 1 naming the holder", code, stderr)
	}
	lock.Release()

	// Exit 2: a bad config.
	setGates(t, n.cfg, "max_quarantine_share = 7\n")
	if code, _, stderr := n.run(); code != exitUsage || !strings.Contains(stderr, "gates.max_quarantine_share") {
		t.Errorf("run with a bad gate = %d (%s), want 2", code, stderr)
	}

	// Exit 2 before anything runs: the alert webhook's token is unset.
	setGates(t, n.cfg, "max_warnings = 100000\n")
	t.Setenv("HOOK_TOKEN", "")
	if code, _, stderr := n.run(); code != exitUsage || !strings.Contains(stderr, "HOOK_TOKEN") {
		t.Errorf("run without the webhook's token = %d (%s), want 2", code, stderr)
	}
	t.Setenv("HOOK_TOKEN", "hook-secret")

	// Exit 2: a fatal rule the catalogue lacks (its gate would never trip).
	setGates(t, n.cfg, "fatal_rules = [\"R99\"]\n")
	if code, _, stderr := n.run(); code != exitUsage || !strings.Contains(stderr, "R99") {
		t.Errorf("run with fatal rule R99 = %d (%s), want 2", code, stderr)
	}

	// Exit 2: the pseudonymisation key is not the warehouse's.
	setGates(t, n.cfg, "max_warnings = 100000\n")
	t.Setenv("HUZHU_PII_KEY", "another-test-key-of-enough-length")
	if code, _, stderr := n.run(); code != exitUsage || !strings.Contains(stderr, "pseudonymisation key") {
		t.Errorf("run under another key = %d (%s), want 2", code, stderr)
	}
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")

	// Exit 2 before anything runs: the npm files the reports need are
	// neither in the binary (go test's is built without embedassets) nor
	// where HUZHU_NODE_MODULES says.
	t.Setenv("HUZHU_NODE_MODULES", t.TempDir())
	if code, _, stderr := n.run(); code != exitUsage || !strings.Contains(stderr, "HUZHU_NODE_MODULES") {
		t.Errorf("run without the front-end files = %d (%s), want 2 naming HUZHU_NODE_MODULES", code, stderr)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// setGates replaces the [gates] table of the config file.
func setGates(t *testing.T, path, gates string) {
	t.Helper()
	text := string(must(os.ReadFile(path)))
	if i := strings.Index(text, "[gates]\n"); i >= 0 {
		text = text[:i]
	}
	if err := os.WriteFile(path, []byte(text+"[gates]\n"+gates), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunFiveNights: five nights run one after another, each its own
// drop, give marts identical to a --full run over the same raw at the end,
// and to a backfill (--since) of the last three nights.
func TestRunFiveNights(t *testing.T) {
	n := newNightly(t, 1500, "0.01", "[gates]\nmax_warnings = -1\n")
	for i, day := range []string{"2025-06-30", "2025-07-01", "2025-07-02", "2025-07-03", "2025-07-04"} {
		if i > 0 {
			n.drop(day)
		}
		if code, out, stderr := n.run(); code != exitOK {
			t.Fatalf("night %d = %d:\n%s\n%s", i+1, code, out, stderr)
		}
	}
	wh := filepath.Join(n.dir, "w", "h.duckdb")
	incremental := martDigests(t, wh)
	compare := func(what string, got map[string]string) {
		t.Helper()
		if len(got) < 9 {
			t.Fatalf("%s: only %d marts", what, len(got))
		}
		for name, d := range got {
			if incremental[name] != d {
				t.Errorf("mart.%s: five nights %s, %s %s", name, incremental[name], what, d)
			}
		}
	}
	// A backfill from the third night re-derives its loads and later ones.
	if code, out, stderr := n.run("--since", "2025-07-02", "--only", "transform,marts"); code != exitOK {
		t.Fatalf("--since run = %d:\n%s\n%s", code, out, stderr)
	}
	tr, _ := json.Marshal(n.manifest().Stages[0].Result)
	var res struct{ Rows int64 }
	json.Unmarshal(tr, &res)
	if res.Rows == 0 {
		t.Errorf("--since re-derived no rows: %s", tr)
	}
	compare("--since 2025-07-02", martDigests(t, wh))
	if code, out, stderr := n.run("--full", "--only", "transform,marts"); code != exitOK {
		t.Fatalf("full run = %d:\n%s\n%s", code, out, stderr)
	}
	compare("full", martDigests(t, wh))
	if code, _, _ := n.run("--since", "July"); code != exitUsage {
		t.Errorf("--since July = %d, want 2", code)
	}
}

// TestPoolsRollup: each pool run on its own (run --pool), then the
// national roll-up from their Parquet exports alone, gives the marts of one
// run over all pools; the roll-up publishes the national outputs.
func TestPoolsRollup(t *testing.T) {
	n := newNightly(t, 1500, "0.01", "[gates]\nmax_warnings = -1\n")
	p := opsim.DefaultParams()
	p.Members, p.Operators, p.DefectRate = 1500, 5, 0.01
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	text := string(must(os.ReadFile(n.cfg)))
	pools := map[string]bool{}
	for _, op := range w.Operators {
		text = strings.Replace(text, "path = \"drops/"+op.Code+"\"\n", "path = \"drops/"+op.Code+"\"\npool = \""+op.Pool+"\"\n", 1)
		pools[op.Pool] = true
	}
	if strings.Count(text, "pool = ") != 5 || len(pools) != 5 {
		t.Fatalf("config lacks the pools:\n%s", text)
	}
	os.WriteFile(n.cfg, []byte(text), 0o644)

	// One installation runs everything; a second runs the pools and the
	// roll-up.
	all := filepath.Join(t.TempDir(), "all")
	copyTree(t, n.dir, all)
	if code, out, stderr := run(t, "run", "--config", filepath.Join(all, "h.toml")); code != exitOK {
		t.Fatalf("run = %d:\n%s\n%s", code, out, stderr)
	}
	for pool := range pools {
		if code, out, stderr := n.run("--pool", pool); code != exitOK {
			t.Fatalf("run --pool %s = %d:\n%s\n%s", pool, code, out, stderr)
		}
		// Its metrics carry its scope: several pools' files in one
		// textfile collector are distinct series.
		prom := string(must(os.ReadFile(filepath.Join(n.out(), "pools", pool, "metrics", "huzhu.prom"))))
		if !strings.Contains(prom, "huzhu_run_success{scope=\""+pool+"\"} 1\n") || !strings.Contains(prom, "huzhu_last_success_timestamp_seconds{scope=") {
			t.Errorf("metrics of run --pool %s lack its scope:\n%s", pool, prom)
		}
	}
	if code, _, stderr := n.run("--pool", "C999999"); code != exitUsage || !strings.Contains(stderr, "C999999") {
		t.Errorf("run --pool of no source = %d (%s), want 2", code, stderr)
	}
	// Twice: the second night's roll-up replaces the tables the first made.
	for night := 1; night <= 2; night++ {
		if code, out, stderr := run(t, "rollup", "--config", n.cfg); code != exitOK {
			t.Fatalf("rollup night %d = %d:\n%s\n%s", night, code, out, stderr)
		}
	}
	want := martDigests(t, filepath.Join(all, "w", "h.duckdb"))
	got := martDigests(t, filepath.Join(n.dir, "w", "rollup", "h.duckdb"))
	for name, d := range want {
		if got[name] != d {
			t.Errorf("mart.%s: roll-up %s, one run %s", name, got[name], d)
		}
	}
	if _, err := os.Stat(filepath.Join(n.out(), "reports", "national", "index.html")); err != nil {
		t.Errorf("the roll-up published no national reports: %v", err)
	}
	if _, err := os.Stat(filepath.Join(n.out(), "parquet", "datapackage.json")); err != nil {
		t.Errorf("the roll-up published no Parquet: %v", err)
	}

	// A pool whose export is missing is left out, loudly: exit 3, named.
	gone := slices.Sorted(maps.Keys(pools))[0]
	if err := os.RemoveAll(filepath.Join(n.out(), "pools", gone)); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "rollup", "--config", n.cfg); code != exitWarnings || !strings.Contains(stderr, gone) {
		t.Errorf("rollup without pool %s's export = %d (%s), want 3 naming it", gone, code, stderr)
	}
}

// TestRunDeltaNights: operators that send only the day's changes (delta
// batches) end with the same marts as operators that send everything each
// night, and a delta night loads a small part of what a full one does.
func TestRunDeltaNights(t *testing.T) {
	snap := newNightly(t, 1500, "0.01", "[gates]\nmax_warnings = -1\n")
	delta := newNightly(t, 1500, "0.01", "[gates]\nmax_warnings = -1\n")
	// Three nights a week apart; each delta holds the rows changed since
	// the day after the previous batch.
	days := []string{"2025-06-30", "2025-07-07", "2025-07-14"}
	since := []string{"", "2025-07-01", "2025-07-08"}
	var loaded [2]int64
	for i, day := range days {
		if i > 0 {
			snap.drop(day)
			delta.drop(day, since[i])
		}
		for j, n := range []*nightly{snap, delta} {
			if code, out, stderr := n.run(); code != exitOK {
				t.Fatalf("night %d = %d:\n%s\n%s", i+1, code, out, stderr)
			}
			if i == len(days)-1 {
				for _, r := range n.manifest().Rows {
					loaded[j] += r
				}
			}
		}
	}
	want := martDigests(t, filepath.Join(snap.dir, "w", "h.duckdb"))
	got := martDigests(t, filepath.Join(delta.dir, "w", "h.duckdb"))
	for name, d := range want {
		if got[name] != d {
			t.Errorf("mart.%s: delta nights %s, snapshot nights %s", name, got[name], d)
		}
	}
	t.Logf("last night loaded %d rows from snapshots, %d from deltas", loaded[0], loaded[1])
	if loaded[1] == 0 || loaded[1]*10 > loaded[0] {
		t.Errorf("a delta night loaded %d rows, a snapshot night %d: not a delta", loaded[1], loaded[0])
	}
}

// TestDropFaultsRejected: a file drop the simulator spoils (--faults: a
// manifest row count off by one, a file cut short, a file gone) is refused
// whole by the nightly run — nothing of it in raw, ops.loads says why —
// and the run publishes the rest with warnings (exit 3), the batch named
// in the manifest's gates and in extract's line; the answer key names the
// spoiled batch.
func TestDropFaultsRejected(t *testing.T) {
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")
	t.Setenv("HUZHU_SITE_KEY", testSiteKey)
	for _, kind := range []string{"rows", "truncate", "missing"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			key := filepath.Join(dir, "key.jsonl")
			if code, _, stderr := run(t, "opsim", "drop", "--out", filepath.Join(dir, "drops"), "--members", "300", "--operators", "1",
				"--faults", kind+"=1", "--answer-key", key); code != 0 {
				t.Fatalf("drop: %s", stderr)
			}
			raw, _ := os.ReadFile(key)
			var entry *opsim.KeyEntry
			for line := range strings.SplitSeq(strings.TrimSpace(string(raw)), "\n") {
				var e opsim.KeyEntry
				if json.Unmarshal([]byte(line), &e) == nil && e.Kind == "batch" {
					entry = &e
				}
			}
			if entry == nil || entry.Expect != "reject" || !strings.Contains(entry.Note, kind) {
				t.Fatalf("answer key has no batch fault %s: %+v", kind, entry)
			}
			cfg := filepath.Join(dir, "h.toml")
			os.WriteFile(cfg, []byte(fmt.Sprintf("warehouse = \"w/h.duckdb\"\nout = \"out\"\n[[source]]\noperator = %q\nkind = \"files\"\npath = \"drops/%s\"\n",
				entry.Operator, entry.Operator)), 0o644)
			code, out, stderr := run(t, "run", "--config", cfg)
			if code != exitWarnings || !strings.Contains(stderr, "refused whole") {
				t.Fatalf("run over a spoiled batch = %d, want 3 naming the rejection:\n%s\n%s", code, out, stderr)
			}
			n := &nightly{t: t, dir: dir}
			m := n.manifest()
			var rows int64
			for _, v := range m.Rows {
				rows += v
			}
			if rows != 0 || !m.Published || !slices.Contains(m.Tripped, "rejected_batches") {
				t.Errorf("manifest: %d raw rows, published %v, tripped %v; want none, true, rejected_batches", rows, m.Published, m.Tripped)
			}
			if st, _ := json.Marshal(m.Stages[0]); !strings.Contains(string(st), `"rows":0`) || !strings.Contains(string(st), `"rejected":["`+entry.Key) {
				t.Errorf("the manifest's extract stage does not name the rejected batch: %s", st)
			}
			// Each run that meets the batch refuses it again, and extract's
			// own line says so.
			if code, out, _ := run(t, "extract", "--config", cfg); code != exitOK || !strings.Contains(out, "batch REJECTED") || !strings.Contains(out, " 0 rows") {
				t.Errorf("extract over the spoiled batch = %d:\n%s", code, out)
			}
			db, err := warehouse.Open(context.Background(), filepath.Join(dir, "w", "h.duckdb"), warehouse.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var batch, reason string
			if err := db.SQL().QueryRow("SELECT any_value(batch), any_value(reason) FROM ops.loads WHERE status = 'rejected' HAVING count(*) = 2").Scan(&batch, &reason); err != nil {
				t.Fatal(err)
			}
			if batch != entry.Key || !strings.Contains(reason, "manifest does not match") || !strings.Contains(reason, entry.Entity) {
				t.Errorf("ops.loads: batch %s rejected for %q; the answer key says %s, %s", batch, reason, entry.Key, entry.Entity)
			}
		})
	}
}

// TestGatesFailClosed: a gate whose table cannot be read fails the run's
// check instead of passing as a count of 0, while a warehouse that has
// never built its marts simply has no findings gates.
func TestGatesFailClosed(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "w.duckdb"), warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := &config.Config{Gates: config.DefaultGates()}
	cfg.Gates.MaxQuarantineShare = 0.1
	cfg.Gates.FatalRules = []string{"R02"}
	r := &stageRun{cfg: cfg, db: db, runID: "r1", log: slog.New(slog.DiscardHandler)}

	gates, fatal, _, _, err := checkGates(ctx, r)
	if err != nil {
		t.Fatalf("checkGates(no marts yet) = %v, want nil", err)
	}
	for _, g := range gates {
		if g.Gate == "fatal_rules" {
			t.Errorf("checkGates(no marts yet) has a fatal_rules gate: %+v", g)
		}
	}
	if len(fatal) != 0 {
		t.Errorf("checkGates(no marts yet) tripped %v", fatal)
	}
	m := &runManifest{}
	if err := collectCounts(ctx, r, m); err != nil {
		t.Fatalf("collectCounts(no marts yet) = %v, want nil", err)
	}

	// A findings table that cannot be read (here: without rule_id).
	if _, err := db.SQL().ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS mart; CREATE TABLE mart.compliance_findings (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, err := checkGates(ctx, r); err == nil || !strings.Contains(err.Error(), "gate fatal_rules") {
		t.Errorf("checkGates(unreadable findings) = %v, want a fatal_rules error", err)
	}
	if err := collectCounts(ctx, r, &runManifest{}); err == nil {
		t.Error("collectCounts(unreadable findings) = nil, want an error")
	}
	if _, err := db.SQL().ExecContext(ctx, "DROP TABLE mart.compliance_findings; DROP TABLE ops.reconciliation"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, err := checkGates(ctx, r); err == nil || !strings.Contains(err.Error(), "gate max_quarantine_share") {
		t.Errorf("checkGates(no ops.reconciliation) = %v, want a max_quarantine_share error", err)
	}
}

// TestRunFailsToStart: a run whose warehouse cannot be opened (here a
// folder stands at its path; in the field, another process's DuckDB lock)
// fails with exit 1 and still leaves a manifest naming the error and the
// metrics of a failed run.
func TestRunFailsToStart(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("HUZHU_PII_KEY", "a-test-key-of-enough-length")
	t.Setenv("HUZHU_SITE_KEY", testSiteKey)
	if err := os.MkdirAll(filepath.Join(dir, "w", "h.duckdb"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "drops"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "h.toml")
	text := "warehouse = \"w/h.duckdb\"\nout = \"out\"\n\n[[source]]\noperator = \"91440100MA5XXXXXXX\"\nkind = \"files\"\npath = \"drops\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "run", "--config", cfg)
	if code != exitFailed {
		t.Fatalf("run with a folder for its warehouse = %d, want 1: %s", code, stderr)
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "out", "runs", "*.json"))
	if len(runs) != 1 {
		t.Fatalf("manifests: %v, want one", runs)
	}
	var m runManifest
	if err := json.Unmarshal(must(os.ReadFile(runs[0])), &m); err != nil {
		t.Fatal(err)
	}
	if m.Status != "failed" || m.ExitCode != exitFailed || m.Error == "" || m.Published {
		t.Errorf("manifest of a run that failed to start: %+v", m)
	}
	prom := string(must(os.ReadFile(filepath.Join(dir, "out", "metrics", "huzhu.prom"))))
	if !strings.Contains(prom, "huzhu_run_success 0\n") || !strings.Contains(prom, "huzhu_run_exit_code 1\n") {
		t.Errorf("metrics of a run that failed to start:\n%s", prom)
	}
	if !strings.Contains(stderr, `"msg":"run finished"`) {
		t.Errorf("no run finished line in the log:\n%s", stderr)
	}
}
