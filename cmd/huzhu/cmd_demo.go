package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/internal/digest"
	"huzhu/opsim"
	"huzhu/opsim/httpapi"
	"huzhu/reports"
	"huzhu/site"
	"huzhu/transform"
	"huzhu/warehouse"
)

type demoOptions struct {
	out     string
	members int
	seed    uint64
}

func newDemoCmd(e *env) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Simulate operators, run every stage that exists, and print where the outputs are",
		Args:  exactArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runDemo(e, o) },
	}
	cmd.Flags().StringVar(&o.out, "out", "out/demo", "folder for everything the demo writes")
	cmd.Flags().IntVar(&o.members, "members", 20000, "members of the simulated world")
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "world seed")
	return cmd
}

// runDemo builds a small world (three operators in two provinces, two
// years), writes it as a file drop, serves it over HTTP on a loopback port
// in-process, checks that both transports agree on the operators' own
// counts, opens the warehouse and records the run. Later stages join here
// as they land.
func runDemo(e *env, o *demoOptions) error {
	start := time.Now()
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	p := opsim.DefaultParams()
	p.Seed, p.Members = o.seed, o.members
	w, err := opsim.NewWorld(p)
	if err != nil {
		return usageError{err}
	}
	// The simulated operators' side (their drops, with personal data, and
	// the answer key) stays apart from the pipeline's outputs.
	drops := filepath.Join(out, "opsim", "drops")
	if err := os.RemoveAll(drops); err != nil {
		return err
	}
	keyPath := filepath.Join(out, "opsim", "answer-key.jsonl")
	st, err := w.Drop(opsim.DropOptions{Out: drops, Format: "mixed", KeyPath: keyPath})
	if err != nil {
		return fmt.Errorf("demo: drop: %w", err)
	}
	srv, err := w.Server(httpapi.Options{})
	if err != nil {
		return fmt.Errorf("demo: serve: %w", err)
	}
	// On opsim serve's default address when it is free, so that the config
	// the demo writes works again later beside `huzhu opsim serve` of the
	// same world; else on any free port, for this demo alone.
	ln, err := net.Listen("tcp", demoAPIAddr)
	fixedPort := err == nil
	if err != nil {
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("demo: serve: %w", err)
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	// Both transports carry the same world: the HTTP manifest's row counts
	// must equal the drop manifests'.
	for _, op := range w.Operators {
		if err := compareManifests(base, drops, w.Batch(), op.Code); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	cfgPath := filepath.Join(out, "huzhu.toml")
	if err := writeDemoConfig(cfgPath, w, base); err != nil {
		return err
	}
	fresh, err := demoWarehouseFor(filepath.Join(out, demoWarehouse), drops)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if fresh {
		fmt.Fprintf(e.stdout, "huzhu demo: the warehouse in %s held another simulated world (another seed, size or simulator): starting a fresh one\n", out)
	}
	var rows int64
	for _, n := range st.Rows {
		rows += n
	}
	// The demo pseudonymises under a throwaway key unless one is set,
	// kept beside its warehouse for the next demo into the same folder
	// (the warehouse refuses another key: ops.pseudonym_key).
	throwaway := false
	if os.Getenv("HUZHU_PII_KEY") == "" {
		key, err := demoPIIKey(filepath.Join(out, demoKeyFile))
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		os.Setenv("HUZHU_PII_KEY", key)
		throwaway = true
	}
	// The demo is a nightly run: every stage, the gates, the publish.
	var m *runManifest
	var warehousePath, runID string
	// The site is signed with a throwaway key unless HUZHU_SITE_KEY is set.
	_, sitePub, err := demoSiteKey(filepath.Join(out, "site-pubkey.txt"))
	if err != nil {
		return err
	}
	err = withRun(e, cfgPath, stageOrder, func(ctx context.Context, r *stageRun) (any, error) {
		warehousePath, runID = r.cfg.Warehouse, r.runID
		var err error
		m, err = runStages(ctx, e, r, stageOrder, &runOptions{})
		return m, err
	})
	var warn warningsError
	if err != nil && !errors.As(err, &warn) {
		return fmt.Errorf("demo: %w", err)
	}
	res, _ := stageResult[*extract.Result](m, "extract")
	tres, _ := stageResult[*transform.Result](m, "transform")
	mres, _ := stageResult[*martsSummary](m, "marts")
	rres, _ := stageResult[*reports.Result](m, "reports")

	fmt.Fprintf(e.stdout, "huzhu demo: %d members, %d operators, fiscal years %v, as of %s (%.1fs)\n",
		p.Members, len(w.Operators), w.Years(), w.Batch(), time.Since(start).Seconds())
	for _, op := range w.Operators {
		fmt.Fprintf(e.stdout, "  operator %s %s (pool %s, %d members)\n", op.Code, op.Name, op.Pool, op.Members)
	}
	fmt.Fprintf(e.stdout, "outputs:\n")
	fmt.Fprintf(e.stdout, "  file drops      %s (%d files, %d rows, mixed CSV/JSONL/XLSX/Parquet)\n", drops, st.Files, rows)
	fmt.Fprintf(e.stdout, "  answer key      %s\n", keyPath)
	if fixedPort {
		key := "the same HUZHU_PII_KEY"
		if throwaway {
			key = "HUZHU_PII_KEY from " + filepath.Join(out, demoKeyFile)
		}
		fmt.Fprintf(e.stdout, "  operator API    %s/ (served during the demo; to run its config again: huzhu opsim serve --seed %d --members %d, then huzhu run --config %s with %s and a HUZHU_SITE_KEY)\n",
			base, o.seed, o.members, cfgPath, key)
	} else {
		fmt.Fprintf(e.stdout, "  operator API    %s/ (served during the demo only: %s was taken, and the config names this port)\n", base, demoAPIAddr)
	}
	fmt.Fprintf(e.stdout, "  config          %s\n", cfgPath)
	fmt.Fprintf(e.stdout, "  warehouse       %s (run %s in ops.runs)\n", warehousePath, runID)
	fmt.Fprintf(e.stdout, "    raw.*         %d rows extracted by %d sources\n", res.Rows, len(res.Sources))
	if res.Rows == 0 {
		// A demo run again into the same folder: its drops are loaded.
		fmt.Fprintf(e.stdout, "                  (nothing new: an earlier demo into %s loaded these drops; the counts below are this run's, the outputs the warehouse's; remove the folder for a fresh demo)\n", out)
	}
	var kept, quarantined, dups int64
	for _, er := range tres.Entities {
		kept, quarantined, dups = kept+er.Kept, quarantined+er.Quarantined, dups+er.Duplicates
	}
	fmt.Fprintf(e.stdout, "    core.*        %d versions kept, %d rows in ops.quarantine, %d duplicates counted\n", kept, quarantined, dups)
	fmt.Fprintf(e.stdout, "    mart.*        %d models; open findings: %s (`huzhu rules` lists the rules)\n", len(mres.Models), mres.findingsLine())
	fmt.Fprintf(e.stdout, "  Parquet marts   %s (by pool and year; datapackage.json)\n", mres.Parquet)
	if rres != nil {
		fmt.Fprintf(e.stdout, "  reports         %s (%d jurisdictions; national index %s)\n", filepath.Join(out, "out", "reports"), len(rres.Jurisdictions), filepath.Join(out, "out", "reports", "national", "index.html"))
	}
	fmt.Fprintf(e.stdout, "  run manifest    %s (status %s, %d data-quality warnings)\n", filepath.Join(out, "out", "runs", runID+".json"), m.Status, m.Warnings)
	if sres, ok := stageResult[*site.Result](m, "site"); ok {
		siteDir := filepath.Join(out, "out", "site")
		fmt.Fprintf(e.stdout, "  member site     %s (%d pages; preview: huzhu serve --dir %s → http://127.0.0.1:8080/site/index.html)\n", siteDir, sres.Pages, filepath.Join(out, "out"))
		fmt.Fprintf(e.stdout, "    verify        huzhu site verify %s --pubkey %s\n", siteDir, sitePub)
	}
	if throwaway {
		fmt.Fprintf(e.stdout, "    pseudonyms    under a throwaway key (set HUZHU_PII_KEY to keep them stable)\n")
	}
	return nil
}

func compareManifests(base, drops, batch, code string) error {
	resp, err := http.Get(base + "/" + code + "/v1/manifest")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var api struct {
		Entities map[string]struct {
			Rows int64 `json:"rows"`
		} `json:"entities"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&api); err != nil {
		return fmt.Errorf("manifest of %s: %w", code, err)
	}
	raw, err := os.ReadFile(filepath.Join(drops, code, batch, "manifest.json"))
	if err != nil {
		return err
	}
	var m opsim.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	for name, f := range m.Files {
		entity := strings.TrimSuffix(name, filepath.Ext(name))
		if got := api.Entities[entity].Rows; got != f.Rows {
			return fmt.Errorf("operator %s %s: HTTP manifest says %d rows, file drop %d", code, entity, got, f.Rows)
		}
	}
	return nil
}

// writeDemoConfig writes the config the later stages read: the first
// operator as a file drop, the others over HTTP.
func writeDemoConfig(path string, w *opsim.World, base string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by `huzhu demo`.\nwarehouse = %q\nout = \"out\"\nmemory_limit = \"2GB\"\n\n[pseudonymise]\nkey_env = \"HUZHU_PII_KEY\"\n", demoWarehouse)
	for i, op := range w.Operators {
		if i == 0 {
			fmt.Fprintf(&b, "\n[[source]]\noperator = %q\nkind = \"files\"\npath = %q\n", op.Code, filepath.Join("opsim", "drops", op.Code))
			continue
		}
		fmt.Fprintf(&b, "\n[[source]]\noperator = %q\nkind = \"http\"\nurl = %q\n", op.Code, base+"/"+op.Code)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// demoAPIAddr is where the demo serves its operators' API: opsim serve's
// default address.
const demoAPIAddr = "127.0.0.1:9801"

// demoWarehouse is the demo's warehouse, relative to its folder, and
// demoKeyFile its throwaway pseudonymisation key.
const (
	demoWarehouse = "warehouse/huzhu.duckdb"
	demoKeyFile   = "warehouse/demo-pii.key"
)

// demoPIIKey reads the throwaway key at path, or makes one there (readable
// by the owner alone).
func demoPIIKey(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	key := make([]byte, 24)
	rand.Read(key)
	s := hex.EncodeToString(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return s, os.WriteFile(path, []byte(s+"\n"), 0o600)
}

// demoWarehouseFor keeps the warehouse at path for a demo again into the
// same folder only if it was loaded from the same simulated world: the
// drops' bytes, whose digest is kept beside it. Another seed, size or
// simulator sends the same batches with other rows, which the pipeline
// rightly quarantines as conflicting resends: a demo would fail its
// quality gate. Such a warehouse is removed (under its lock, so a running
// night is never pulled away) and fresh reports true.
func demoWarehouseFor(path, drops string) (fresh bool, err error) {
	digest, err := treeDigest(drops)
	if err != nil {
		return false, err
	}
	stamp := filepath.Join(filepath.Dir(path), "demo-world.sha256")
	was, _ := os.ReadFile(stamp) // none yet: a warehouse of unknown world
	if string(was) == digest+"\n" {
		return false, nil
	}
	if _, serr := os.Stat(path); serr == nil {
		lock, err := warehouse.AcquireLock(path)
		if err != nil {
			return false, err
		}
		// The throwaway key goes with the warehouse its pseudonyms are in.
		for _, p := range []string{path, path + ".wal", filepath.Join(filepath.Dir(path), filepath.Base(demoKeyFile))} {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				lock.Release()
				return false, err
			}
		}
		lock.Release()
		fresh = true
	} else if !errors.Is(serr, os.ErrNotExist) {
		return false, serr
	}
	if err := os.MkdirAll(filepath.Dir(stamp), 0o755); err != nil {
		return false, err
	}
	return fresh, os.WriteFile(stamp, []byte(digest+"\n"), 0o644)
}

// treeDigest is the SHA-256 of the files under dir: each one's path
// relative to dir and its own digest (digest.File), in path order.
func treeDigest(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		sum, err := digest.File(p)
		fmt.Fprintf(h, "%s\x00%s\n", filepath.ToSlash(rel), sum)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// codeVersion is the module version the binary was built from.
func codeVersion() string {
	return readBuildVersion()
}

// demoSiteKey is the site's signing key: from HUZHU_SITE_KEY when set, else
// a throwaway one (set in the environment for the run). The public key is
// written to pubPath for `huzhu site verify`.
func demoSiteKey(pubPath string) (ed25519.PrivateKey, string, error) {
	seed := os.Getenv(config.DefaultSigningKeyEnv)
	if seed == "" {
		b := make([]byte, ed25519.SeedSize)
		rand.Read(b)
		seed = hex.EncodeToString(b)
		os.Setenv(config.DefaultSigningKeyEnv, seed)
	}
	key, err := site.ParsePrivateKey(seed)
	if err != nil {
		return nil, "", usageError{fmt.Errorf("%s: %w", config.DefaultSigningKeyEnv, err)}
	}
	if err := os.MkdirAll(filepath.Dir(pubPath), 0o755); err != nil {
		return nil, "", err
	}
	pub := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	return key, pubPath, os.WriteFile(pubPath, []byte(pub+"\n"), 0o644)
}
