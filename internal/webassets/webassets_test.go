package webassets

import (
	"bytes"
	"testing"
)

func TestFindsPinnedPackages(t *testing.T) {
	for _, f := range []string{EChartsFile, AxeFile} {
		b, err := Read(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 100_000 {
			t.Errorf("%s: %d bytes, want the minified runtime", f, len(b))
		}
	}
	b, _ := Read(EChartsFile)
	if !bytes.Contains(b[:4096], []byte("5.6.0")) && !bytes.Contains(b, []byte(`version="5.6.0"`)) && !bytes.Contains(b, []byte(`"5.6.0"`)) {
		t.Errorf("echarts.min.js is not the pinned 5.6.0")
	}
}

func TestNotInstalled(t *testing.T) {
	t.Setenv("HUZHU_NODE_MODULES", t.TempDir())
	if _, err := NodeModules(); err == nil {
		t.Fatal("an empty folder passed for node_modules")
	}
}
