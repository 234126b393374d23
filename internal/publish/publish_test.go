package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// write makes a release's output with n files all holding tag.
func write(t *testing.T, dir, tag string, n int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.txt", i)), []byte(tag), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// read returns the tags found in out/<name>: one when the folder is whole.
func read(out, name string) (map[string]int, error) {
	dir := filepath.Join(out, name)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	tags := map[string]int{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		tags[string(b)]++
	}
	return tags, nil
}

func TestCommitCarryOverAbort(t *testing.T) {
	out := t.TempDir()
	r, err := Begin(out, "run1")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Outputs {
		write(t, r.Dir(name), "run1", 3)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	// run2 rebuilds only the parquet: reports and site carry over.
	r2, _ := Begin(out, "run2")
	write(t, r2.Dir("parquet"), "run2", 3)
	if err := r2.Commit(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"parquet": "run2", "reports": "run1", "site": "run1"} {
		tags, err := read(out, name)
		if err != nil || len(tags) != 1 || tags[want] != 3 {
			t.Errorf("%s: %v %v, want 3 × %s", name, tags, err, want)
		}
	}
	// run3 fails: aborted, nothing changes; its staging is gone.
	r3, _ := Begin(out, "run3")
	write(t, r3.Dir("site"), "run3", 3)
	if err := r3.Abort(); err != nil {
		t.Fatal(err)
	}
	if tags, _ := read(out, "site"); tags["run1"] != 3 {
		t.Errorf("site after an aborted run: %v", tags)
	}
	// run4 is killed (no Commit, no Abort: its process's flock goes with
	// it); run5's Begin clears its staging.
	r4, _ := Begin(out, "run4")
	write(t, r4.Dir("site"), "run4", 3)
	r4.hold.Close()
	r5, _ := Begin(out, "run5")
	if _, err := os.Stat(r4.staging); !os.IsNotExist(err) {
		t.Errorf("staging of a killed run left behind: %v", err)
	}
	write(t, r5.Dir("site"), "run5", 3)
	if err := r5.Commit(); err != nil {
		t.Fatal(err)
	}
	// Only the current release and the one before it are kept.
	entries, _ := os.ReadDir(filepath.Join(out, releasesDir))
	var names []string
	for _, e := range entries {
		if e.Name() != publishLock {
			names = append(names, e.Name())
		}
	}
	if strings.Join(names, ",") != "run2,run5" {
		t.Errorf("releases kept: %v, want run2,run5", names)
	}
	if !strings.HasSuffix(Current(out), "run5") {
		t.Errorf("current = %s", Current(out))
	}
	// The index holds every file; a changed, added or removed file shows.
	cur := Current(out)
	if err := Check(cur); err != nil {
		t.Fatalf("Check(current) = %v", err)
	}
	f := filepath.Join(cur, "site", "f000.txt")
	os.WriteFile(f, []byte("run6"), 0o644)
	if Check(cur) == nil {
		t.Error("Check missed a changed file")
	}
	os.WriteFile(f, []byte("run5"), 0o644)
	os.WriteFile(filepath.Join(cur, "site", "extra"), nil, 0o644)
	if Check(cur) == nil {
		t.Error("Check missed an added file")
	}
	os.Remove(filepath.Join(cur, "site", "extra"))
	os.Remove(f)
	if Check(cur) == nil {
		t.Error("Check missed a removed file")
	}
}

// A folder written by an earlier version (a real out/site) is carried into
// the first release and replaced by the stable link.
func TestLegacyFolder(t *testing.T) {
	out := t.TempDir()
	write(t, filepath.Join(out, "site"), "legacy", 2)
	r, _ := Begin(out, "run1")
	write(t, r.Dir("parquet"), "run1", 1)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	if tags, err := read(out, "site"); err != nil || tags["legacy"] != 2 {
		t.Errorf("legacy site: %v %v", tags, err)
	}
	if st, _ := os.Lstat(filepath.Join(out, "site")); st.Mode()&os.ModeSymlink == 0 {
		t.Error("out/site is not the stable link")
	}
}

// A reader polling out/site while releases are swapped in sees only whole
// releases: every file of one read from the same run.
func TestReaderNeverSeesAMix(t *testing.T) {
	out := t.TempDir()
	r, _ := Begin(out, "run000")
	write(t, r.Dir("site"), "run000", 40)
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var reads, bad atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sample string
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				// A reader resolves the link once, then reads the folder.
				cur := Current(out)
				tags, err := read(cur, "site")
				if err != nil {
					// The release it resolved was pruned two swaps later:
					// it read nothing, which is not a partial view.
					continue
				}
				reads.Add(1)
				n := 0
				for _, c := range tags {
					n += c
				}
				if len(tags) != 1 || n != 40 {
					bad.Add(1)
					mu.Lock()
					sample = fmt.Sprint(tags)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 1; i <= 60; i++ {
		id := fmt.Sprintf("run%03d", i)
		r, err := Begin(out, id)
		if err != nil {
			t.Fatal(err)
		}
		write(t, r.Dir("site"), id, 40)
		if err := r.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() > 0 {
		t.Errorf("%d of %d reads saw a partial or mixed folder, e.g. %s", bad.Load(), reads.Load(), sample)
	}
	if reads.Load() == 0 {
		t.Error("the reader never read")
	}
}

// TestTwoPublishers: a roll-up and a run publishing into one out folder at
// once: neither's Begin removes the other's staging, and both commit
// their own outputs whole.
func TestTwoPublishers(t *testing.T) {
	out := t.TempDir()
	run, err := Begin(out, "run1")
	if err != nil {
		t.Fatal(err)
	}
	write(t, run.Dir("parquet"), "run1", 3)
	rollup, err := Begin(out, "rollup1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(run.Dir("parquet")); err != nil {
		t.Fatalf("the second publisher's Begin removed the first's staging: %v", err)
	}
	if _, err := Begin(out, "run1"); err == nil {
		t.Error("a second Begin of a release being written succeeded")
	}
	write(t, rollup.Dir("parquet"), "rollup1", 2)
	if err := rollup.Commit(); err != nil {
		t.Fatal(err)
	}
	write(t, run.Dir("site"), "run1", 3)
	if err := run.Commit(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"parquet": "run1", "site": "run1"} {
		if tags, err := read(out, name); err != nil || len(tags) != 1 || tags[want] == 0 {
			t.Errorf("%s after both: %v %v, want run1's alone", name, tags, err)
		}
	}
	if err := Check(Current(out)); err != nil {
		t.Errorf("the served release: %v", err)
	}
}
