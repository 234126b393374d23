package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"huzhu/internal/publish"
)

// crashChildEnv carries the child's arguments (JSON) to TestCrashChild.
const crashChildEnv = "HUZHU_RUN_CRASH_CHILD"

// TestCrashChild is not a test: it is the `huzhu run` process that
// TestCrashRun kills. Its JSON log lines go to stderr.
func TestCrashChild(t *testing.T) {
	raw := os.Getenv(crashChildEnv)
	if raw == "" {
		t.Skip("helper process of TestCrashRun")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(Main(args, strings.NewReader(""), os.Stdout, os.Stderr))
}

// crashRun runs `huzhu run --config cfg` in a child process; with killAt
// > 0 it SIGKILLs the child right after its killAt-th log line and returns
// the stage that line was in. It returns the log lines seen and the exit
// code (-1 when killed).
func crashRun(t *testing.T, cfg string, killAt int) (stage string, lines int, code int) {
	stage, lines, code, _ = crashRunStages(t, cfg, killAt)
	return
}

// crashRunStages is crashRun that also returns the line at which each
// stage started.
func crashRunStages(t *testing.T, cfg string, killAt int) (stage string, lines int, code int, starts map[string]int) {
	t.Helper()
	args, _ := json.Marshal([]string{"run", "--config", cfg})
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(args))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	killed := false
	starts = map[string]int{}
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "{") {
			continue
		}
		lines++
		var ev struct {
			Msg   string `json:"msg"`
			Stage string `json:"stage"`
		}
		json.Unmarshal([]byte(line), &ev)
		switch {
		case ev.Msg == "stage started":
			stage = ev.Stage
			starts[stage] = lines
		case ev.Msg == "publish":
			stage = "publish"
			starts[stage] = lines
		}
		if lines == killAt && !killed {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	err = cmd.Wait()
	if killed {
		return stage, lines, -1, starts
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return stage, lines, ee.ExitCode(), starts
	}
	if err != nil {
		t.Fatal(err)
	}
	return stage, lines, 0, starts
}

// copyTree copies the installation folder (drops, warehouse, outputs;
// symlinks as symlinks).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runIDRE matches a run id, and the time a report reads from one (when a
// finding was first and last seen, in Beijing time: reports.runTime).
var runIDRE = regexp.MustCompile(`\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} · [0-9a-f]{6}`)

// outputDigests digests the published reports and site, file by file, with
// run ids and the times read from them replaced (the ids of two runs
// differ; nothing else may). The
// Parquet marts carry run ids in columns: they are compared as marts.
func outputDigests(t *testing.T, out string) map[string]string {
	t.Helper()
	cur := publish.Current(out)
	if cur == "" {
		t.Fatal("nothing published")
	}
	d := map[string]string{}
	for _, name := range []string{"reports", "site"} {
		root := filepath.Join(cur, name)
		filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			if strings.HasSuffix(p, ".xlsx") {
				b = unzipped(t, b)
			}
			b = runIDRE.ReplaceAll(b, []byte("RUN"))
			sum := sha256.Sum256(b)
			rel, _ := filepath.Rel(cur, p)
			d[rel] = hex.EncodeToString(sum[:8])
			return nil
		})
	}
	return d
}

// unzipped returns the entries of a zip file (an XLSX workbook), in
// order, name and content, so that run ids inside can be compared.
func unzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("unzip: %v", err)
	}
	var out bytes.Buffer
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out.WriteString(f.Name + "\n")
		io.Copy(&out, rc)
		rc.Close()
	}
	return out.Bytes()
}

// TestCrashRun: `huzhu run` is killed (SIGKILL) at 20 or more points
// spread over all its stages; while it runs a reader polls the published
// outputs and never finds a release that is not whole; after each kill the
// previous release is still served, untouched; each rerun completes, and
// then the marts and the published outputs equal those of an
// uninterrupted run.
func TestCrashRun(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns many processes")
	}
	n := newNightly(t, 300, "0.01", "[gates]\nmax_warnings = -1\n")
	if code, out, stderr := n.run(); code != exitOK {
		t.Fatalf("night 1 = %d:\n%s\n%s", code, out, stderr)
	}
	n.drop("2025-07-01")
	base := n.dir
	night1 := filepath.Base(publish.Current(n.out()))

	// The uninterrupted second night.
	ref := filepath.Join(t.TempDir(), "ref")
	copyTree(t, base, ref)
	_, total, code, starts := crashRunStages(t, filepath.Join(ref, "h.toml"), 0)
	if code != 0 {
		t.Fatalf("uninterrupted run = %d", code)
	}
	wantMarts := martDigests(t, filepath.Join(ref, "w", "h.duckdb"))
	wantOut := outputDigests(t, filepath.Join(ref, "out"))
	if total < 20 {
		t.Fatalf("the run logs %d lines: too few kill points", total)
	}

	// Kill points: 21 of the log lines, spread evenly,
	// and the first line of every stage, so that each stage is hit.
	seen := map[int]bool{}
	var points []int
	for i := range 21 {
		k := 1 + i*(total-2)/20
		if !seen[k] {
			points, seen[k] = append(points, k), true
		}
	}
	for _, k := range starts {
		if !seen[k] {
			points, seen[k] = append(points, k), true
		}
	}
	sort.Ints(points)
	byStage := map[string]int{}
	kills := 0
	for _, k := range points {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("kill%d", k))
		copyTree(t, base, dir)
		out := filepath.Join(dir, "out")

		// A reader polling the served release during the killed run and
		// the rerun.
		var stop atomic.Bool
		var bad atomic.Value
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				cur := publish.Current(out)
				if err := publish.Check(cur); err != nil {
					// A release pruned between resolving and reading is
					// gone whole, which is no partial view.
					if _, statErr := os.Stat(cur); statErr == nil {
						bad.Store(fmt.Sprintf("%s: %v", filepath.Base(cur), err))
					}
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()

		stage, _, code := crashRun(t, filepath.Join(dir, "h.toml"), k)
		if code == -1 {
			kills++
			byStage[stage]++
			if got := filepath.Base(publish.Current(out)); got != night1 && stage != "publish" {
				t.Errorf("killed at line %d (%s): release %s served, want night 1's %s", k, stage, got, night1)
			}
		}
		if _, _, code := crashRun(t, filepath.Join(dir, "h.toml"), 0); code != 0 {
			t.Fatalf("rerun after a kill at line %d (%s) = %d", k, stage, code)
		}
		stop.Store(true)
		wg.Wait()
		if v := bad.Load(); v != nil {
			t.Errorf("killed at line %d (%s): the reader saw a release that is not whole: %s", k, stage, v)
		}
		got := martDigests(t, filepath.Join(dir, "w", "h.duckdb"))
		for name, d := range wantMarts {
			if got[name] != d {
				t.Errorf("killed at line %d (%s): mart.%s after the rerun %s, uninterrupted %s", k, stage, name, got[name], d)
			}
		}
		gotOut := outputDigests(t, out)
		var diff []string
		for f, d := range wantOut {
			if gotOut[f] != d {
				diff = append(diff, f)
			}
		}
		for f := range gotOut {
			if _, ok := wantOut[f]; !ok {
				diff = append(diff, f)
			}
		}
		sort.Strings(diff)
		if len(diff) > 0 {
			t.Errorf("killed at line %d (%s): %d published files differ from the uninterrupted run's, e.g. %s", k, stage, len(diff), diff[0])
		}
	}
	t.Logf("%d kill points, %d kills, by stage %v", len(points), kills, byStage)
	if kills < 20 {
		t.Errorf("killed %d times, want at least 20", kills)
	}
	for _, s := range append(stageOrder, "publish") {
		if byStage[s] == 0 {
			t.Errorf("no kill in stage %s", s)
		}
	}
}
