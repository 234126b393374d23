package site

import (
	"bytes"
	"image"
	_ "image/jpeg" // Chromium's screenshots
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"huzhu/internal/browser"
	"huzhu/internal/codes"
)

// pageTypes are one page of each kind of the built site.
func pageTypes(t *testing.T, d *Data) map[string]string {
	t.Helper()
	var act *Activity
	for i := range d.Activities {
		// An activity with shown claims, so the chart has both series.
		a := &d.Activities[i]
		for _, y := range d.Years {
			if y.Operator == a.Operator && y.Activity == a.Code && !y.Suppressed && act == nil {
				act = a
			}
		}
	}
	if act == nil {
		t.Fatal("no activity with a shown year")
	}
	return map[string]string{
		"home":        "index.html",
		"methodology": "methodology.html",
		"pool":        poolPath(d.Pools[0].Code),
		"operator":    operatorPath(act.Operator),
		"activity":    activityPath(act.Operator, act.Code),
	}
}

// chartless are the pages that draw no chart: the methodology page and a
// later page of a listing (its charts are on the first page).
var chartless = map[string]bool{"methodology": true, "national-pool-page-2": true}

// TestPagesInBrowser opens one page of every type from file:// in
// Chromium: it loads with no console error or failed load, requests
// nothing outside the site folder, draws its charts, and each chart's
// numbers equal those of the table beside it; axe-core finds no serious or
// critical violation. A screenshot of each goes to the artefacts folder.
// The shared test world is small; a synthetic national site (more than
// homeListMax operators, pools of more than opsPerPage operators) gives
// the home page summed by province, a province's listing, a pool's
// summed history and a later page of a pool's listing.
func TestPagesInBrowser(t *testing.T) {
	dir, d := built(t)
	b := browser.Start(t)
	shots := artefacts(t)
	type target struct{ dir, path string }
	types := map[string]target{}
	for n, p := range pageTypes(t, d) {
		types[n] = target{dir, p}
	}
	nd := syntheticShape(2*(opsPerPage+20), 1, 2, opsPerPage+20, 2)
	nat := renderSyntheticWith(t, nd, nil)
	pool := nd.Pools[0].Code
	for n, p := range map[string]string{
		"national-home":        "index.html",
		"national-province":    provincePath(provinceCode(nd.Pools[0])),
		"national-pool":        poolPath(pool),
		"national-pool-page-2": pagePath(poolPath(pool), 2),
	} {
		types[n] = target{nat.dir, p}
	}
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			base := "file://" + types[name].dir + "/"
			page := types[name].path
			p := b.Open(t, base+page)
			if errs := p.Errors(); len(errs) > 0 {
				t.Errorf("%s: browser errors: %v", page, errs)
			}
			if out := p.Outside(base); len(out) > 0 {
				t.Errorf("%s: requests leaving the site folder: %v", page, out)
			}
			drawn := p.ChartsDrawn(t)
			for id, ok := range drawn {
				if !ok {
					t.Errorf("%s: chart %s not drawn", page, id)
				}
			}
			if !chartless[name] && len(drawn) == 0 {
				t.Errorf("%s: no chart drawn", page)
			}
			checkChartsMatchTables(t, p, page, !chartless[name])
			for _, v := range p.Axe(t, "serious", "critical") {
				t.Errorf("%s: axe %s (%s): %s, %d nodes, first %s", page, v.ID, v.Impact, v.Help, v.Nodes, v.Target)
			}
			savePNG(t, filepath.Join(shots, name+".png"), p.Screenshot(t))
		})
	}
}

// chartVsTable is what the page reports for one chart: each series' values
// as ECharts holds them (after setOption) and the same-named column of the
// table beside it (data-v of its cells).
type chartVsTable struct {
	Chart  string     `json:"chart"`
	Series []string   `json:"series"`
	Chartv [][]string `json:"chartv"`
	Tablev [][]string `json:"tablev"`
	Rows   int        `json:"rows"`
}

func checkChartsMatchTables(t *testing.T, p *browser.Page, page string, wantCharts bool) {
	t.Helper()
	got := browser.Eval[[]chartVsTable](t, p, `(() => {
		const out = [];
		document.querySelectorAll('table[data-chart]').forEach(tab => {
			const el = document.getElementById(tab.dataset.chart);
			const inst = el && echarts.getInstanceByDom(el);
			if (!inst) { out.push({chart: tab.dataset.chart, series: [], chartv: [], tablev: [], rows: -1}); return; }
			const opt = inst.getOption();
			const heads = [...tab.querySelectorAll('thead th')].map(th => th.textContent);
			const rows = [...tab.querySelectorAll('tbody tr')];
			const r = {chart: tab.dataset.chart, series: [], chartv: [], tablev: [], rows: rows.length};
			opt.series.forEach(s => {
				const col = heads.indexOf(s.name);
				r.series.push(s.name);
				r.chartv.push(s.data.map(v => { const x = (v !== null && typeof v === 'object') ? v.value : v; return (x === '-' || x === null || x === undefined) ? '-' : String(x); }));
				r.tablev.push(col < 0 ? [] : rows.map(tr => { const c = tr.children[col]; const v = c.dataset.v; return (v === undefined || v === '' || isNaN(Number(v))) ? '-' : v; }));
			});
			out.push(r);
		});
		return out;
	})()`)
	if len(got) == 0 {
		if wantCharts {
			t.Errorf("%s: no table is tied to a chart", page)
		}
		return
	}
	for _, c := range got {
		if c.Rows < 0 {
			t.Errorf("%s: chart %s has no ECharts instance", page, c.Chart)
			continue
		}
		if len(c.Series) == 0 {
			t.Errorf("%s: chart %s has no series", page, c.Chart)
		}
		for i, s := range c.Series {
			cv, tv := c.Chartv[i], c.Tablev[i]
			if len(tv) == 0 {
				t.Errorf("%s: chart %s series %q has no column of that name in its table", page, c.Chart, s)
				continue
			}
			if len(cv) != len(tv) {
				t.Errorf("%s: chart %s series %q has %d values, table %d", page, c.Chart, s, len(cv), len(tv))
				continue
			}
			for j := range cv {
				if !sameNumber(cv[j], tv[j]) {
					t.Errorf("%s: chart %s series %q value %d = %s, table shows %s", page, c.Chart, s, j, cv[j], tv[j])
				}
			}
		}
	}
}

// savePNG writes a screenshot (Chromium gives JPEG at quality 90) as PNG.
func savePNG(t *testing.T, path string, shot []byte) {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Error(err)
	}
}

func sameNumber(a, b string) bool {
	if a == "-" || b == "-" {
		return a == b
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	return err1 == nil && err2 == nil && x == y
}

// TestSearchTwoCharacters types two Chinese characters into the home
// page's search box and reads the results: the operator whose name holds
// them is found, and a term that matches nothing finds nothing.
func TestSearchTwoCharacters(t *testing.T) {
	dir, d := built(t)
	b := browser.Start(t)
	p := b.Open(t, "file://"+dir+"/index.html")
	op := d.Operators[0]
	for _, o := range d.Operators {
		if strings.Contains(o.Name, "广州") {
			op = o
		}
	}
	term := string([]rune(op.Name)[:2])
	if err := chromedp.Do(p.Ctx, chromedp.SendKeys("#q", term), chromedp.WaitVisible("#results li")); err != nil {
		t.Fatalf("type %q into the search box: %v", term, err)
	}
	results := browser.Eval[[]string](t, p, `[...document.querySelectorAll('#results li a')].map(a => a.textContent + '|' + a.getAttribute('href'))`)
	want := op.Name + "|" + operatorPath(op.Code)
	if !slices.Contains(results, want) {
		t.Errorf("search %q: results %v, want %q among them", term, results, want)
	}
	// The link works from file://.
	if err := chromedp.Do(p.Ctx, chromedp.Click(`#results a[href="`+operatorPath(op.Code)+`"]`), chromedp.Sleep(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if h1 := browser.Eval[string](t, p, `document.querySelector('h1').textContent`); h1 != op.Name {
		t.Errorf("after clicking the result, h1 = %q, want %q", h1, op.Name)
	}
	p2 := b.Open(t, "file://"+dir+"/index.html")
	if err := chromedp.Do(p2.Ctx, chromedp.SendKeys("#q", "火星"), chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n := browser.Eval[int](t, p2, `document.querySelectorAll('#results li').length`); n != 0 {
		t.Errorf("search 火星: %d results, want 0", n)
	}
	// Pinyin finds nothing, and the status line says to type characters.
	p3 := b.Open(t, "file://"+dir+"/index.html")
	if err := chromedp.Do(p3.Ctx, chromedp.SendKeys("#q", "guangzhou"), chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if s := browser.Eval[string](t, p3, `document.getElementById('search-status').textContent`); !strings.Contains(s, "暂不支持拼音") {
		t.Errorf("search guangzhou: status %q, want the hint to type characters", s)
	}
	if errs := p.Errors(); len(errs) > 0 {
		t.Errorf("browser errors: %v", errs)
	}
}

// TestSearchAsMembersType: a member types a city (the operators there are
// found though their names may not hold it), an activity's name in
// simplified characters where the operator wrote traditional ones, and two
// words with or without a space between them (深圳 意外, 深圳意外).
func TestSearchAsMembersType(t *testing.T) {
	dir, d := built(t)
	b := browser.Start(t)
	search := func(term string) []string {
		t.Helper()
		p := b.Open(t, "file://"+dir+"/index.html")
		if err := chromedp.Do(p.Ctx, chromedp.SendKeys("#q", term), chromedp.WaitVisible("#results li")); err != nil {
			t.Fatalf("type %q into the search box: %v", term, err)
		}
		return browser.Eval[[]string](t, p, `[...document.querySelectorAll('#results li a')].map(a => a.getAttribute('href'))`)
	}
	// A city: the prefecture of an operator's region, less 市.
	checked := 0
	for _, o := range d.Operators {
		city, ok := codes.Region(o.Region[:4] + "00")
		city = strings.TrimSuffix(city, "市")
		if !ok || len([]rune(city)) < 2 || o.Region[2:4] == "00" {
			continue
		}
		if got := search(city); !slices.Contains(got, operatorPath(o.Code)) {
			t.Errorf("search %q (the city of %s): %v, want %s among them", city, o.Name, got, operatorPath(o.Code))
		}
		checked++
		break
	}
	// Traditional characters typed as simplified: the table search.js folds by.
	js, err := os.ReadFile(filepath.Join(dir, "assets", "search.js"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`TRAD = "([^"]*)";\s*var SIMP = "([^"]*)"`).FindSubmatch(js)
	if m == nil {
		t.Fatal("search.js has no TRAD/SIMP table")
	}
	trad, simp := []rune(string(m[1])), []rune(string(m[2]))
	if len(trad) != len(simp) {
		t.Fatalf("search.js: %d traditional characters, %d simplified", len(trad), len(simp))
	}
	toSimp := strings.NewReplacer(func() []string {
		var r []string
		for i := range trad {
			r = append(r, string(trad[i]), string(simp[i]))
		}
		return r
	}()...)
	for _, a := range d.Activities {
		if s := toSimp.Replace(a.Name); s != a.Name {
			if got := search(s); !slices.Contains(got, activityPath(a.Operator, a.Code)) {
				t.Errorf("search %q (%s in simplified): %v, want %s", s, a.Name, got, activityPath(a.Operator, a.Code))
			}
			checked++
			break
		}
	}
	// Two words: two characters of an operator's name and two of one of
	// its activities', with a space and without.
	a := d.Activities[0]
	var op Operator
	for _, o := range d.Operators {
		if o.Code == a.Operator {
			op = o
		}
	}
	w1, w2 := string([]rune(op.Name)[:2]), string([]rune(toSimp.Replace(a.Name))[:2])
	for _, term := range []string{w1 + " " + w2, w1 + w2} {
		if got := search(term); !slices.Contains(got, activityPath(a.Operator, a.Code)) {
			t.Errorf("search %q: %v, want %s among them", term, got, activityPath(a.Operator, a.Code))
		}
	}
	if checked < 2 {
		t.Errorf("only %d of the city and traditional-name cases found a subject in the test world", checked)
	}
}
