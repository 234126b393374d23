package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSiteUsage: the site command's configuration and usage errors exit
// 2, a failed verification exits 1.
func TestSiteUsage(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "huzhu.toml")
	os.WriteFile(cfg, []byte("warehouse = \"w/x.duckdb\"\n[site]\nsigning_key_env = \"HUZHU_TEST_SITE_KEY\"\n"), 0o644)
	t.Setenv("HUZHU_TEST_SITE_KEY", "")
	if code, _, stderr := run(t, "site", "--config", cfg); code != exitUsage || !strings.Contains(stderr, "HUZHU_TEST_SITE_KEY") {
		t.Errorf("site without a key = %d (%s), want 2 naming the variable", code, stderr)
	}
	t.Setenv("HUZHU_TEST_SITE_KEY", "not-hex")
	if code, _, stderr := run(t, "site", "--config", cfg); code != exitUsage {
		t.Errorf("site with a bad key = %d (%s), want 2", code, stderr)
	}
	if code, _, _ := run(t, "site"); code != exitUsage {
		t.Errorf("site without --config = %d, want 2", code)
	}
	if code, _, _ := run(t, "site", "verify", dir); code != exitUsage {
		t.Errorf("site verify without --pubkey = %d, want 2", code)
	}
	pub := strings.Repeat("ab", 32)
	if code, _, stderr := run(t, "site", "verify", dir, "--pubkey", pub); code != exitFailed || !strings.Contains(stderr, "FAILED") {
		t.Errorf("site verify of a folder without a manifest = %d (%s), want 1", code, stderr)
	}
	if code, _, _ := run(t, "serve", "--dir", filepath.Join(dir, "none")); code != exitUsage {
		t.Errorf("serve of a missing folder = %d, want 2", code)
	}
}
