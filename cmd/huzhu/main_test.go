package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"huzhu/warehouse"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"opsim", "drop"},
		{"opsim", "drop", "--out", t.TempDir(), "--members", "0"},
		{"opsim", "drop", "--out", t.TempDir(), "--as-of", "2025-13-01"},
		{"opsim", "drop", "--no-such-flag"},
		{"opsim", "serve", "--faults", "5xx=2"},
		{"demo", "extra-arg"},
	} {
		if code, _, stderr := run(t, args...); code != exitUsage {
			t.Errorf("Main(%q) = %d, want %d (stderr %q)", args, code, exitUsage, stderr)
		}
	}
}

func TestOpsimDrop(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "opsim", "drop", "--out", dir, "--members", "500", "--format", "jsonl")
	if code != exitOK {
		t.Fatalf("opsim drop = %d: %s", code, stderr)
	}
	if !strings.Contains(out, "rows/s") {
		t.Errorf("opsim drop printed %q, want a rows/s figure", out)
	}
	m, _ := filepath.Glob(filepath.Join(dir, "*", "2025-06-30", "manifest.json"))
	if len(m) != 3 {
		t.Errorf("manifests: %v, want 3", m)
	}
	if _, err := os.Stat(filepath.Join(dir, "answer-key.jsonl")); err != nil {
		t.Errorf("answer key: %v", err)
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := run(t, "demo", "--out", dir, "--members", "3000")
	if code != exitOK {
		t.Fatalf("demo = %d: %s", code, stderr)
	}
	for _, want := range []string{"file drops", "answer key", "operator API", "warehouse", filepath.Join(dir, "huzhu.toml")} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// A second demo while another process holds the warehouse lock fails
	// at once with exit 1 and names the holder.
	lock, err := warehouse.AcquireLock(filepath.Join(dir, "warehouse", "huzhu.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	code, _, stderr = run(t, "demo", "--out", dir, "--members", "3000")
	if code != exitFailed || !strings.Contains(stderr, "pid") {
		t.Errorf("demo under a held lock = %d, stderr %q; want 1 naming the holder", code, stderr)
	}
}

// TestExtractExitCodes: a config error exits 2; a source that fails exits
// 1 while the other sources still load; a clean run exits 0.
func TestExtractExitCodes(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := run(t, "opsim", "drop", "--out", filepath.Join(dir, "drops"), "--members", "400", "--operators", "1"); code != 0 {
		t.Fatalf("drop: %s", stderr)
	}
	ops, _ := filepath.Glob(filepath.Join(dir, "drops", "5*"))
	if len(ops) != 1 {
		t.Fatalf("drop folders %v", ops)
	}
	op := filepath.Base(ops[0])
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	good := write("good.toml", "warehouse = \"w/good.duckdb\"\n[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"drops/"+op+"\"\n")
	bad := write("bad.toml", "warehouse = \"w/bad.duckdb\"\n[[source]]\noperator = \""+op+"\"\nkind = \"files\"\npath = \"drops/"+op+"\"\n"+
		"[[source]]\noperator = \"514401006623851810\"\nkind = \"files\"\npath = \"no/such/folder\"\n")
	invalid := write("invalid.toml", "warehouse = \"w/x.duckdb\"\nno_such_key = 1\n")
	if code, _, stderr := run(t, "extract", "--config", invalid); code != exitUsage {
		t.Errorf("extract with an unknown key = %d, want 2 (%s)", code, stderr)
	}
	if code, out, stderr := run(t, "extract", "--config", bad); code != exitFailed || !strings.Contains(out, "FAILED") {
		t.Errorf("extract with a missing folder = %d, want 1 (%s %s)", code, out, stderr)
	}
	code, out, stderr := run(t, "extract", "--config", good)
	if code != exitOK || !strings.Contains(out, op+"/files") {
		t.Errorf("extract = %d (%s %s), want 0", code, out, stderr)
	}
}
