// Package publish puts a run's outputs — the Parquet marts, the reports and
// the member site — in place atomically, so that a reader never sees a
// half-written folder and a failed or killed run leaves the previous
// outputs served and untouched.
//
// Layout under the out folder:
//
//	out/releases/<run_id>/{parquet,reports,site}   one complete set per published run
//	out/current  -> releases/<run_id>              the set being served
//	out/parquet  -> current/parquet                stable paths for readers
//	out/reports  -> current/reports
//	out/site     -> current/site
//
// A run writes into out/releases/.staging-<run_id>/ (Begin, Dir). Commit
// carries over, by hard links, the outputs this run did not rebuild (a
// --only marts run keeps the last site), renames the staging folder to
// releases/<run_id>, and swaps the out/current symlink with one rename(2),
// which is atomic: a reader resolving out/site sees the old set or the new
// one, never a mix. Older releases are removed after the swap; the one
// before the current is kept, so an operator can roll back by hand.
// Staging folders of killed runs are removed by the next Begin.
//
// Several publishers may share one out folder (a nightly run and a
// roll-up take different warehouse locks): each release holds an flock
// on releases/.staging-<id>.lock from Begin to Commit or Abort, and Begin
// removes only the stagings whose lock is free (their run is gone); the
// cleanup and each Commit run under releases/.publish.lock, so the swaps
// of two publishers do not interleave.
package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"huzhu/internal/digest"
	"huzhu/internal/flock"
)

// Outputs are the folders a release holds, in the order readers care
// about.
var Outputs = []string{"parquet", "reports", "site"}

const (
	releasesDir   = "releases"
	currentLink   = "current"
	stagingPrefix = ".staging-"
	lockSuffix    = ".lock"
	publishLock   = ".publish.lock"
)

// Release is one run's outputs being written.
type Release struct {
	out, id, staging string
	done             bool
	hold             *os.File // the flock on the staging's lock file
}

// Begin starts the release of run id under out: it removes the staging
// folders that killed runs left and makes a fresh one.
func Begin(out, id string) (*Release, error) {
	if id == "" || strings.ContainsAny(id, `/\`) {
		return nil, fmt.Errorf("publish: bad release id %q", id)
	}
	rel := filepath.Join(out, releasesDir)
	if err := os.MkdirAll(rel, 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	r := &Release{out: out, id: id, staging: filepath.Join(rel, stagingPrefix+id)}
	hold, held, err := lockFile(r.staging+lockSuffix, false)
	if err != nil {
		return nil, err
	}
	if held {
		return nil, fmt.Errorf("publish: release %s is being written by another process", id)
	}
	r.hold = hold
	err = underPublishLock(out, func() error {
		if err := cleanUp(rel, id); err != nil {
			return err
		}
		return os.MkdirAll(r.staging, 0o755)
	})
	if err != nil {
		r.release()
		return nil, err
	}
	return r, nil
}

// cleanUp removes, under the publish lock, what publishers that are gone
// left in rel: stagings whose lock nobody holds (id's own is this run's:
// an earlier try of it), their lock files, and the temporary links of a
// swap (made and renamed under the publish lock, so any found is stale).
func cleanUp(rel, id string) error {
	entries, err := os.ReadDir(rel)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".link-"):
		case strings.HasPrefix(name, stagingPrefix) && !strings.HasSuffix(name, lockSuffix):
			if other := strings.TrimPrefix(name, stagingPrefix); other != id {
				f, held, err := lockFile(filepath.Join(rel, name+lockSuffix), false)
				if err != nil {
					return err
				}
				if held {
					continue // another publisher's, being written
				}
				os.Remove(f.Name())
				f.Close()
			}
		default:
			continue
		}
		if err := os.RemoveAll(filepath.Join(rel, name)); err != nil {
			return fmt.Errorf("publish: clean up %s: %w", name, err)
		}
	}
	return nil
}

// lockFile opens (creating) path and takes its flock, waiting when wait;
// held says another process has it (the file is closed then).
func lockFile(path string, wait bool) (f *os.File, held bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("publish: %w", err)
	}
	if held, err = flock.Lock(f, wait); err != nil || held {
		f.Close()
		return nil, held, err
	}
	return f, false, nil
}

// underPublishLock runs fn holding out/releases/.publish.lock.
func underPublishLock(out string, fn func() error) error {
	f, _, err := lockFile(filepath.Join(out, releasesDir, publishLock), true)
	if err != nil {
		return err
	}
	defer f.Close() // closing the file gives up its flock
	return fn()
}

// release gives up the staging's lock and removes its file.
func (r *Release) release() {
	if r.hold != nil {
		os.Remove(r.hold.Name())
		r.hold.Close()
		r.hold = nil
	}
}

// Dir returns the staging folder for one output (one of Outputs); the
// stage writing it creates it.
func (r *Release) Dir(name string) string { return filepath.Join(r.staging, name) }

// Abort removes the staging folder; the served outputs stay as they were.
func (r *Release) Abort() error {
	defer r.release() // also after a Commit that failed past its rename
	if r.done {
		return nil
	}
	r.done = true
	return os.RemoveAll(r.staging)
}

// Current returns the folder of the release being served, or "" when
// nothing has been published yet.
func Current(out string) string {
	target, err := os.Readlink(filepath.Join(out, currentLink))
	if err != nil {
		return ""
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(out, target)
	}
	return target
}

// Commit publishes the release: outputs not written by this run are
// carried over from the current release, the staging folder becomes
// releases/<id>, and out/current is swapped to it in one rename.
func (r *Release) Commit() error {
	if r.done {
		return errors.New("publish: release already committed or aborted")
	}
	return underPublishLock(r.out, r.commit)
}

func (r *Release) commit() error {
	cur := Current(r.out)
	for _, name := range Outputs {
		if _, err := os.Stat(r.Dir(name)); err == nil {
			continue
		}
		src := ""
		if cur != "" {
			src = filepath.Join(cur, name)
		} else if st, err := os.Lstat(filepath.Join(r.out, name)); err == nil && st.IsDir() {
			// A folder from before releases existed (a stage command of an
			// earlier version): carried over once.
			src = filepath.Join(r.out, name)
		}
		if src == "" {
			continue
		}
		if _, err := os.Stat(src); err != nil {
			continue
		}
		if err := linkTree(src, r.Dir(name)); err != nil {
			return fmt.Errorf("publish: carry over %s: %w", name, err)
		}
	}
	if err := writeIndex(r.staging); err != nil {
		return err
	}
	final := filepath.Join(r.out, releasesDir, r.id)
	if err := os.RemoveAll(final); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := syncDir(r.staging); err != nil {
		return err
	}
	if err := os.Rename(r.staging, final); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	r.done = true
	r.release()
	// The swap: a new symlink under a temporary name, renamed over
	// out/current.
	tmp := filepath.Join(r.out, releasesDir, ".link-"+r.id)
	os.Remove(tmp)
	if err := os.Symlink(filepath.Join(releasesDir, r.id), tmp); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(r.out, currentLink)); err != nil {
		return fmt.Errorf("publish: swap: %w", err)
	}
	if err := syncDir(r.out); err != nil {
		return err
	}
	if err := stableLinks(r.out); err != nil {
		return err
	}
	return prune(r.out, r.id, cur)
}

// IndexFile is the file in every release that lists its other files with
// their sha256, so that a reader or a test can check a release is whole.
const IndexFile = "release.json"

// writeIndex writes the release's IndexFile.
func writeIndex(dir string) error {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == IndexFile {
			return err
		}
		sum, err := digest.File(p)
		files[filepath.ToSlash(rel)] = sum
		return err
	})
	if err != nil {
		return fmt.Errorf("publish: index: %w", err)
	}
	b, err := json.MarshalIndent(map[string]any{"files": files}, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, IndexFile), append(b, '\n'), 0o644)
}

// Check verifies that the release folder dir is whole: every file its
// index lists is there with its sha256, and no other file is.
func Check(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return err
	}
	var idx struct {
		Files map[string]string `json:"files"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		return fmt.Errorf("%s: %w", IndexFile, err)
	}
	seen := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == IndexFile {
			return nil
		}
		want, ok := idx.Files[rel]
		if !ok {
			return fmt.Errorf("%s: not in the release index", rel)
		}
		got, err := digest.File(p)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s: sha256 differs from the release index", rel)
		}
		seen++
		return nil
	})
	if err != nil {
		return err
	}
	if seen != len(idx.Files) {
		return fmt.Errorf("%d files of %d in the release index", seen, len(idx.Files))
	}
	return nil
}

// stableLinks makes out/<name> a symlink to current/<name> for every
// output, replacing a real folder left by an earlier version.
func stableLinks(out string) error {
	for _, name := range Outputs {
		p := filepath.Join(out, name)
		want := filepath.Join(currentLink, name)
		if t, err := os.Readlink(p); err == nil && t == want {
			continue
		}
		tmp := filepath.Join(out, releasesDir, ".link-"+name)
		os.Remove(tmp)
		if err := os.Symlink(want, tmp); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		if st, err := os.Lstat(p); err == nil && st.IsDir() {
			// rename(2) does not replace a non-empty folder: move it aside
			// first (its content was carried over into the release).
			old := filepath.Join(out, releasesDir, ".old-"+name)
			os.RemoveAll(old)
			if err := os.Rename(p, old); err != nil {
				return fmt.Errorf("publish: %w", err)
			}
			defer os.RemoveAll(old)
		}
		if err := os.Rename(tmp, p); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
	}
	return nil
}

// prune removes releases other than the new one and the one it replaced.
func prune(out, keep, previous string) error {
	dir := filepath.Join(out, releasesDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") || n == keep || (previous != "" && filepath.Join(dir, n) == filepath.Clean(previous)) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("publish: prune %s: %w", n, err)
		}
	}
	return nil
}

// linkTree recreates the tree src under dst with hard links (copies where
// the file system refuses links).
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if err := os.Link(p, target); err == nil {
			return nil
		}
		return copyFile(p, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// syncDir flushes a folder's entries to disk, so that a rename survives a
// power cut as well as a kill.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("publish: sync %s: %w", dir, err)
	}
	return nil
}
