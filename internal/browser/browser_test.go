package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A page with a console error, a request outside its folder and a broken
// image: the recorder must notice each.
func TestRecordsErrorsAndRequests(t *testing.T) {
	dir := t.TempDir()
	page := `<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>t</title></head><body>
<p id="x">好</p><img src="missing.png" alt=""><script>console.error("boom"); document.getElementById("x").textContent = "ok";</script></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	b := Start(t)
	p := b.Open(t, "file://"+dir+"/index.html")
	text := Eval[string](t, p, `document.getElementById("x").textContent`)
	if text != "ok" {
		t.Errorf("script did not run: %q", text)
	}
	errs := strings.Join(p.Errors(), "\n")
	if !strings.Contains(errs, "boom") {
		t.Errorf("console error not recorded: %s", errs)
	}
	if !strings.Contains(errs, "load failed") && !strings.Contains(errs, "missing.png") {
		t.Errorf("failed image load not recorded: %s", errs)
	}
	if out := p.Outside("file://" + dir + "/"); len(out) != 0 {
		t.Errorf("requests outside the folder: %v", out)
	}
	if out := p.Outside("http://example.invalid/"); len(out) == 0 {
		t.Error("Outside did not report the page's own file:// requests")
	}
	if png := p.Screenshot(t); len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Error("empty screenshot")
	}
}

// axe-core finds a serious violation on a page built to have one (an image
// without alternative text) and none on a clean page.
func TestAxe(t *testing.T) {
	dir := t.TempDir()
	bad := `<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>t</title></head><body><main><h1>标题</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>`
	good := `<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>t</title></head><body><main><h1>标题</h1><p>内容</p></main></body></html>`
	os.WriteFile(filepath.Join(dir, "bad.html"), []byte(bad), 0o644)
	os.WriteFile(filepath.Join(dir, "good.html"), []byte(good), 0o644)
	b := Start(t)
	v := b.Open(t, "file://"+dir+"/bad.html").Axe(t, "serious", "critical")
	if len(v) == 0 || v[0].ID != "image-alt" {
		t.Errorf("bad page: %+v, want image-alt", v)
	}
	if v := b.Open(t, "file://"+dir+"/good.html").Axe(t, "serious", "critical"); len(v) != 0 {
		t.Errorf("good page: %+v", v)
	}
}
