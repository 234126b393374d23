package extract

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"huzhu/internal/config"
	"huzhu/opsim"
	"huzhu/opsim/httpapi"
	"huzhu/warehouse"
)

// crashChildEnv carries the child's job: a JSON crashJob.
const crashChildEnv = "HUZHU_EXTRACT_CRASH_CHILD"

type crashJob struct {
	Warehouse string
	Sources   []config.Source
}

// TestCrashChild is not a test: it is the extract process that
// TestCrashSafety kills. It pulls the job's sources, printing a line each
// time rows are appended.
func TestCrashChild(t *testing.T) {
	raw := os.Getenv(crashChildEnv)
	if raw == "" {
		t.Skip("helper process of TestCrashSafety")
	}
	var job crashJob
	if err := json.Unmarshal([]byte(raw), &job); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := warehouse.Open(ctx, job.Warehouse, warehouse.Options{MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := bufio.NewWriter(os.Stdout)
	opt := Options{HTTP: HTTPOptions{PageLimit: 300, UnitRows: 600}, Logger: quiet, Progress: func(src, entity string, n int64) {
		fmt.Fprintf(out, "append %s %s %d\n", src, entity, n)
		out.Flush()
	}}
	if _, err := Run(ctx, db.SQL(), &config.Config{Sources: job.Sources}, "crash-run", opt, 1); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(out, "done")
	out.Flush()
}

// runChild runs the extract child; with killAt > 0 it SIGKILLs the child
// when it reports its killAt-th append, and reports whether it did.
func runChild(t *testing.T, job crashJob, killAt int) bool {
	t.Helper()
	raw, _ := json.Marshal(job)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+string(raw))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	n, killed, done := 0, false, false
	for sc.Scan() {
		switch line := sc.Text(); {
		case line == "done":
			done = true
		case len(line) > 7 && line[:7] == "append ":
			n++
			if n == killAt {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
	}
	err = cmd.Wait()
	if !killed && (err != nil || !done) {
		t.Fatalf("extract child failed: %v", err)
	}
	return killed
}

// TestCrashSafety: the extract process is killed (SIGKILL) at many points —
// inside transactions and between them, in the file batch and in the HTTP
// pull; each rerun completes and raw then equals an uninterrupted run.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	w := testWorld(t, 1500, 0.01)
	srv, err := w.Server(httpapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, base := serveHandler(t, srv)
	drops := t.TempDir()
	if _, err := w.Drop(opsim.DropOptions{Out: drops, Format: "csv", KeyPath: "-"}); err != nil {
		t.Fatal(err)
	}
	sources := []config.Source{
		{Operator: w.Operators[0].Code, Kind: config.KindFiles, Path: filepath.Join(drops, w.Operators[0].Code)},
		{Operator: w.Operators[1].Code, Kind: config.KindHTTP, URL: base + "/" + w.Operators[1].Code},
	}
	ref := crashJob{Warehouse: filepath.Join(t.TempDir(), "ref.duckdb"), Sources: sources}
	runChild(t, ref, 0)
	want := warehouseDigests(t, ref.Warehouse)

	points := []int{1, 2, 3, 4, 6, 9, 13, 17, 22, 28, 35, 45}
	kills := 0
	for _, at := range points {
		job := crashJob{Warehouse: filepath.Join(t.TempDir(), fmt.Sprintf("kill%d.duckdb", at)), Sources: sources}
		if runChild(t, job, at) {
			kills++
		}
		runChild(t, job, 0)
		got := warehouseDigests(t, job.Warehouse)
		for e, d := range want {
			if got[e] != d {
				t.Errorf("killed at append %d, %s after rerun: %s, uninterrupted %s", at, e, got[e], d)
			}
		}
	}
	if kills < 10 {
		t.Errorf("killed %d times, want at least 10 (too few appends?)", kills)
	}
}

func warehouseDigests(t *testing.T, path string) map[string]string {
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return digests(t, db.SQL())
}
