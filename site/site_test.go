package site

import (
	"context"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"huzhu/internal/testworld"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testworld.RemoveShared()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// testKey is a fixed signing key (the seed is not secret: tests only).
var testKey = ed25519.NewKeyFromSeed([]byte("huzhu-site-test-seed-32-bytes!!!"))

var (
	builtOnce sync.Once
	builtDir  string
	builtRes  *Result
	builtData *Data
	builtErr  error
)

// built returns the site of the shared test world, built once per test
// binary into a folder that lives as long as the binary.
func built(t *testing.T) (string, *Data) {
	t.Helper()
	w := testworld.Shared(t)
	builtOnce.Do(func() {
		builtDir, builtErr = os.MkdirTemp("", "huzhu-site-")
		if builtErr != nil {
			return
		}
		builtData, builtErr = Load(context.Background(), w.DB.SQL())
		if builtErr != nil {
			return
		}
		builtRes, builtErr = Render(context.Background(), builtData, filepath.Join(builtDir, "site"), Options{Key: testKey})
	})
	if builtErr != nil {
		t.Fatalf("build: %v", builtErr)
	}
	return filepath.Join(builtDir, "site"), builtData
}

// artefacts is where screenshots go: $HUZHU_ARTEFACTS or
// out/test-artefacts/site at the repository root.
func artefacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HUZHU_ARTEFACTS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(filepath.Dir(file)), "out", "test-artefacts", "site")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBuildShared(t *testing.T) {
	dir, d := built(t)
	t.Logf("%+v; %d pools, %d operators, %d activities, %d activity-years", *builtRes, len(d.Pools), len(d.Operators), len(d.Activities), len(d.Years))
	if want := 2 + len(d.Pools) + len(d.Operators) + len(d.Activities); builtRes.Pages != want {
		t.Errorf("pages = %d, want %d", builtRes.Pages, want)
	}
	if err := Verify(dir, testKey.Public().(ed25519.PublicKey)); err != nil {
		t.Errorf("Verify(fresh site) = %v", err)
	}
}
