package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"huzhu/internal/browser"
)

// artefacts is where tests leave screenshots: $HUZHU_ARTEFACTS, else
// out/test-artefacts at the repository root (ignored by git).
func artefacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HUZHU_ARTEFACTS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "out", "test-artefacts")
	}
	dir = filepath.Join(dir, "reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// squeezed lists what a table's layout garbles: a column heading broken
// over lines (状/态, a character a line beside long texts), a name column
// (.w) narrower than 8 characters, a short value (.k) broken.
const squeezed = `(() => {
  const bad = [];
  // the lines a cell's text takes: a cell is as tall as its row, its text not
  const lines = (el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size;
  };
  for (const th of document.querySelectorAll('thead th')) {
    if (th.clientHeight > 0 && lines(th) > 1) bad.push('heading ' + th.textContent + ' broken over lines');
  }
  for (const c of document.querySelectorAll('td.k, th.k')) {
    if (c.clientHeight > 0 && lines(c) > 1) bad.push('value ' + c.textContent + ' broken over lines');
  }
  for (const c of document.querySelectorAll('td.w, th.w')) {
    const w = c.getBoundingClientRect().width;
    if (w > 0 && w < 8 * parseFloat(getComputedStyle(c).fontSize)) bad.push('name ' + c.textContent + ' squeezed to ' + Math.round(w) + ' px');
  }
  return bad.slice(0, 5);
})()`

var chartInit = regexp.MustCompile(`echarts\.init\(document\.getElementById\('([^']+)'\)`)

// In headless Chromium every page loads from file:// without a console
// error or a request outside its jurisdiction's folder, and every chart
// draws. Operator pages are the same bytes in every folder that holds
// them, so the national folder's are loaded and the others compared.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	_, res := reportsOf(t)
	nat := filepath.Join(res.Dir, "national")
	var pages []string // absolute paths
	for _, f := range files(t, nat) {
		if strings.HasSuffix(f, ".html") {
			pages = append(pages, filepath.Join(nat, f))
		}
	}
	for _, j := range res.Jurisdictions[1:] {
		dir := filepath.Join(res.Dir, j.Folder)
		for _, f := range files(t, dir) {
			if !strings.HasSuffix(f, ".html") {
				continue
			}
			if f == "index.html" || f == "compare.html" || f == "risk.html" {
				pages = append(pages, filepath.Join(dir, f))
				continue
			}
			a, _ := os.ReadFile(filepath.Join(dir, f))
			b, err := os.ReadFile(filepath.Join(nat, f))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s/%s differs from national/%s (%v)", j.Folder, f, f, err)
			}
		}
	}
	shots := map[string]string{ // report type → the page to photograph
		"index":      filepath.Join(nat, "index.html"),
		"compare":    filepath.Join(nat, "compare.html"),
		"pool-risk":  filepath.Join(nat, "risk.html"),
		"budget":     filepath.Join(nat, res.Jurisdictions[0].Operators[1], "budget.html"),
		"flow":       filepath.Join(nat, res.Jurisdictions[0].Operators[1], "flow.html"),
		"compliance": filepath.Join(nat, res.Jurisdictions[0].Operators[1], "compliance.html"),
		"vouchers":   filepath.Join(nat, res.Jurisdictions[0].Operators[1], "vouchers.html"),
	}
	out := artefacts(t)
	b := browser.Start(t)
	charts := 0
	var mu sync.Mutex
	t.Run("pages", func(t *testing.T) {
		for _, path := range pages {
			rel, _ := filepath.Rel(res.Dir, path)
			folder := filepath.Join(res.Dir, strings.SplitN(filepath.ToSlash(rel), "/", 2)[0])
			t.Run(filepath.ToSlash(rel), func(t *testing.T) {
				p := b.Open(t, "file://"+path)
				for _, e := range p.Errors() {
					t.Errorf("%s: %s", rel, e)
				}
				for _, u := range p.Outside("file://" + folder + "/") {
					t.Errorf("%s requested %s, outside its folder", rel, u)
				}
				html, _ := os.ReadFile(path)
				want := chartInit.FindAllStringSubmatch(string(html), -1)
				drawn := p.ChartsDrawn(t)
				for _, m := range want {
					if !drawn[m[1]] {
						t.Errorf("%s: chart %s not drawn", rel, m[1])
					}
				}
				if len(drawn) != len(want) {
					t.Errorf("%s: %d charts on the page, %d in its HTML", rel, len(drawn), len(want))
				}
				for _, e := range browser.Eval[[]string](t, p, squeezed) {
					t.Errorf("%s: %s", rel, e)
				}
				mu.Lock()
				charts += len(want)
				mu.Unlock()
				for kind, shot := range shots {
					if shot == path {
						png := p.Screenshot(t)
						name := filepath.Join(out, kind+".png")
						if err := os.WriteFile(name, png, 0o644); err != nil {
							t.Fatal(err)
						}
						t.Logf("screenshot of the %s report: %s", kind, name)
					}
				}
			})
		}
	})
	if len(pages) < 20 || charts < 50 {
		t.Errorf("only %d pages and %d charts checked", len(pages), charts)
	}
}
