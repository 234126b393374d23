package site

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// builtSite is a rendered folder read back: every file's path, and the
// bytes of the pages and the search index.
type builtSite struct {
	dir   string
	files map[string]bool
	pages map[string][]byte // .html only
}

// renderSynthetic renders d and reads the site back. A national site is
// tens of thousands of files: it goes to /dev/shm where there is one (a
// few seconds there, several times that on a disk), else to the test's
// temporary folder.
func renderSynthetic(t *testing.T, d *Data) *builtSite {
	t.Helper()
	return renderSyntheticWith(t, d, []byte("/* echarts */\n"))
}

// renderSyntheticWith is renderSynthetic with the ECharts runtime given
// (nil: the pinned npm package, for pages a browser opens).
func renderSyntheticWith(t *testing.T, d *Data, echartsJS []byte) *builtSite {
	t.Helper()
	root := t.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if shm, err := os.MkdirTemp("/dev/shm", "huzhu-site-test-"); err == nil {
			root = shm
			t.Cleanup(func() { os.RemoveAll(shm) })
		}
	}
	dir := filepath.Join(root, "site")
	if _, err := Render(context.Background(), d, dir, Options{Key: testKey, ECharts: echartsJS}); err != nil {
		t.Fatalf("Render: %v", err)
	}
	s := &builtSite{dir: dir, files: map[string]bool{}, pages: map[string][]byte{}}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		s.files[rel] = true
		if strings.HasSuffix(rel, ".html") {
			s.pages[rel], err = os.ReadFile(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// attrs are the values of every attr="…" in b, unescaped.
func attrs(b []byte, attr string) []string {
	var out []string
	key := []byte(" " + attr + `="`)
	for {
		i := bytes.Index(b, key)
		if i < 0 {
			return out
		}
		b = b[i+len(key):]
		j := bytes.IndexByte(b, '"')
		if j < 0 {
			return out
		}
		out = append(out, html.UnescapeString(string(b[:j])))
		b = b[j:]
	}
}

// pageLinks are the site files a page's href, src and data-index (the
// search index) attributes point to, as
// paths from the site root with their fragments ("" when none); external
// addresses are left out.
type target struct{ file, frag string }

func pageLinks(page string, b []byte) []target {
	var out []target
	for _, v := range slices.Concat(attrs(b, "href"), attrs(b, "src"), attrs(b, "data-index")) {
		if strings.Contains(v, "://") || strings.HasPrefix(v, "mailto:") {
			continue
		}
		file, frag, _ := strings.Cut(v, "#")
		if file == "" {
			file = page
		} else {
			file = path.Join(path.Dir(page), file)
		}
		out = append(out, target{file, frag})
	}
	return out
}

// tableRows is the number of body rows of each table of a page.
func tableRows(b []byte) []int {
	var out []int
	for {
		i := bytes.Index(b, []byte("<tbody>"))
		if i < 0 {
			return out
		}
		j := bytes.Index(b[i:], []byte("</tbody>"))
		out = append(out, bytes.Count(b[i:i+j], []byte("<tr>")))
		b = b[i+j:]
	}
}

// checkSite asserts what every site must hold, whatever its size: every
// page within PageBudget and no table longer than a page of a listing;
// every relative href and src resolves to a file of the site (and a
// fragment to an id of the page it names); every page is reachable from
// index.html by following links; search.json lists every pool and
// operator. It returns the largest page.
func checkSite(t *testing.T, d *Data, s *builtSite) (string, int) {
	t.Helper()
	largest, name := 0, ""
	ids := map[string]map[string]bool{}
	for p, b := range s.pages {
		if len(b) > PageBudget {
			t.Errorf("%s: %d bytes, over the page budget of %d", p, len(b), PageBudget)
		}
		if len(b) > largest || (len(b) == largest && p < name) {
			largest, name = len(b), p
		}
		for _, n := range tableRows(b) {
			if n > max(opsPerPage, poolsPerPage) {
				t.Errorf("%s: a table of %d rows, more than a page of a listing (%d)", p, n, max(opsPerPage, poolsPerPage))
			}
		}
		ids[p] = map[string]bool{}
		for _, id := range attrs(b, "id") {
			ids[p][id] = true
		}
	}
	broken := 0
	for p, b := range s.pages {
		for _, l := range pageLinks(p, b) {
			switch {
			case !s.files[l.file]:
				broken++
				if broken <= 10 {
					t.Errorf("%s links to %s, which the site does not have", p, l.file)
				}
			case l.frag != "" && strings.HasSuffix(l.file, ".html") && !ids[l.file][l.frag]:
				broken++
				if broken <= 10 {
					t.Errorf("%s links to %s#%s, which has no such id", p, l.file, l.frag)
				}
			}
		}
	}
	if broken > 10 {
		t.Errorf("… %d broken links in all", broken)
	}

	// Every page reachable from the home page.
	seen := map[string]bool{"index.html": true}
	queue := []string{"index.html"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, l := range pageLinks(p, s.pages[p]) {
			if _, ok := s.pages[l.file]; ok && !seen[l.file] {
				seen[l.file] = true
				queue = append(queue, l.file)
			}
		}
	}
	for _, o := range d.Operators {
		if !seen[operatorPath(o.Code)] {
			t.Errorf("operator page %s cannot be reached from index.html", operatorPath(o.Code))
		}
	}
	var orphans []string
	for p := range s.pages {
		if !seen[p] {
			orphans = append(orphans, p)
		}
	}
	slices.Sort(orphans)
	if len(orphans) > 0 {
		t.Errorf("%d pages cannot be reached from index.html, first %s", len(orphans), orphans[0])
	}

	// The search index finds every pool and operator.
	b, err := os.ReadFile(filepath.Join(s.dir, "search.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx [][6]string
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatalf("search.json: %v", err)
	}
	found := map[string]bool{}
	for _, e := range idx {
		found[e[4]+" "+e[1]+" "+e[2]] = true
		if !s.files[e[2]] {
			t.Errorf("search.json: %s %s points to %s, which the site does not have", e[4], e[0], e[2])
		}
	}
	for _, o := range d.Operators {
		if !found["运营方 "+o.Code+" "+operatorPath(o.Code)] {
			t.Errorf("search.json does not list operator %s", o.Code)
		}
	}
	for _, p := range d.Pools {
		if !found["统筹地区 "+p.Code+" "+poolPath(p.Code)] {
			t.Errorf("search.json does not list pool %s", p.Code)
		}
	}
	return name, largest
}

// TestNationalScale builds synthetic sites of a national deployment and
// checks each with checkSite: 2,000 operators in 100 pools over 31
// provinces; 400 pools in 4 provinces (a province's listing runs to
// several pages); one pool of 250 operators (the pool's listing runs to
// several pages and its history shows totals).
func TestNationalScale(t *testing.T) {
	cases := []struct {
		name string
		d    *Data
		want []string // pages the shape must make
	}{
		{"2000 operators", synthetic(2000, 2, 2), []string{"province/330000.html"}},
		{"400 pools", syntheticShape(800, 1, 2, 2, 4), []string{"province/110000.html", pagePath(provincePath("110000"), 3)}},
		{"250 operators in one pool", syntheticShape(250, 1, 2, 250, 1), []string{pagePath(poolPath("C100000"), 3)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := renderSynthetic(t, c.d)
			for _, p := range c.want {
				if s.pages[p] == nil {
					t.Errorf("no page %s", p)
				}
			}
			home := string(s.pages["index.html"])
			if strings.Contains(home, `href="operator/`) {
				t.Errorf("index.html of %d operators links to operator pages one by one", len(c.d.Operators))
			}
			name, n := checkSite(t, c.d, s)
			t.Logf("%d pools, %d operators: %d pages, largest %s (%d bytes); index.html %d bytes",
				len(c.d.Pools), len(c.d.Operators), len(s.pages), name, n, len(s.pages["index.html"]))
		})
	}
}

// TestHomeListsUpToHomeListMax: a site of homeListMax operators lists them
// all on its home page and has no province pages; one more operator and
// the home page sums by province instead. Both pass checkSite.
func TestHomeListsUpToHomeListMax(t *testing.T) {
	for _, n := range []int{homeListMax, homeListMax + 1} {
		d := syntheticShape(n, 1, 1, 20, 31)
		s := renderSynthetic(t, d)
		checkSite(t, d, s)
		home := string(s.pages["index.html"])
		listed := 0
		for _, o := range d.Operators {
			if strings.Contains(home, `href="`+operatorPath(o.Code)+`"`) {
				listed++
			}
		}
		provinces := 0
		for p := range s.pages {
			if strings.HasPrefix(p, "province/") {
				provinces++
			}
		}
		if n <= homeListMax && (listed != n || provinces != 0) {
			t.Errorf("%d operators: home lists %d, %d province pages; want %d and 0", n, listed, provinces, n)
		}
		if n > homeListMax && (listed != 0 || provinces == 0 || !strings.Contains(home, `href="`+provincePath(provinceCode(d.Pools[0]))+`"`)) {
			t.Errorf("%d operators: home lists %d operators, %d province pages; want none listed, province pages linked", n, listed, provinces)
		}
	}
}

func provinceCode(p Pool) string { c, _ := provinceKey(&p); return c }

// TestPager: page files, the window of page links and the pages' items.
func TestPager(t *testing.T) {
	if got := pagePath("pool/C1.html", 1); got != "pool/C1.html" {
		t.Errorf("pagePath(pool/C1.html, 1) = %q", got)
	}
	if got := pagePath("pool/C1.html", 3); got != "pool/C1-page-3.html" {
		t.Errorf("pagePath(pool/C1.html, 3) = %q", got)
	}
	if newPager("pool/C1.html", 1, 1, 5) != nil {
		t.Error("newPager of one page is not nil")
	}
	cases := []struct {
		cur, total int
		want       string // link texts, the current one in brackets
		prev, next string
	}{
		{1, 2, "[1] 2", "", "C1-page-2.html"},
		{1, 9, "[1] 2 3 … 9", "", "C1-page-2.html"},
		{5, 9, "1 … 3 4 [5] 6 7 … 9", "C1-page-4.html", "C1-page-6.html"},
		{4, 9, "1 2 3 [4] 5 6 … 9", "C1-page-3.html", "C1-page-5.html"},
		{9, 9, "1 … 7 8 [9]", "C1-page-8.html", ""},
	}
	for _, c := range cases {
		pg := newPager("pool/C1.html", c.cur, c.total, 100)
		var texts []string
		for _, l := range pg.Links {
			if l.Current {
				texts = append(texts, "["+l.Text+"]")
			} else {
				texts = append(texts, l.Text)
			}
			if l.Text != "…" && l.Href != pagePath("C1.html", must(strconv.Atoi(l.Text))) {
				t.Errorf("newPager(%d, %d): link %s goes to %s", c.cur, c.total, l.Text, l.Href)
			}
		}
		if got := strings.Join(texts, " "); got != c.want || pg.Prev != c.prev || pg.Next != c.next {
			t.Errorf("newPager(%d, %d) = %q prev %q next %q, want %q prev %q next %q", c.cur, c.total, got, pg.Prev, pg.Next, c.want, c.prev, c.next)
		}
	}
	items := []int{1, 2, 3, 4, 5, 6, 7}
	var got [][]int
	for n := 1; n <= pageCount(len(items), 3); n++ {
		got = append(got, chunk(items, 3, n))
	}
	if want := [][]int{{1, 2, 3}, {4, 5, 6}, {7}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("chunk(1…7, 3) = %v, want %v", got, want)
	}
	if n := pageCount(0, 3); n != 1 {
		t.Errorf("pageCount(0, 3) = %d, want 1", n)
	}
}

func must(n int, err error) int {
	if err != nil {
		panic(err)
	}
	return n
}
