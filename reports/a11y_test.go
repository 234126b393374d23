package reports

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"huzhu/internal/money"
)

var (
	headingTag  = regexp.MustCompile(`<h([1-6])[ >]`)
	figureBlock = regexp.MustCompile(`(?s)<figure class="chart".*?</figure>`)
	tableOpen   = regexp.MustCompile(`<table>`)
	chartRow    = regexp.MustCompile(`<tr><th scope="row">([^<]*)</th><td class="n">([^<]*)</td><td class="n">([^<]*)</td></tr>`)
)

// TestAccessibleMarkup: every report page can be read without seeing it
// (WCAG 2.1 AA, as far as markup decides): one h1 and no heading level
// skipped; a skip link to the main content; the current page marked in
// the navigation; every table named by its caption, its rows by their
// first cell, and in a box that scrolls on a narrow screen; every chart
// a captioned figure whose drawing is an image with a name, and whose
// figures are given as a table beside it.
func TestAccessibleMarkup(t *testing.T) {
	pages, charts := 0, 0
	for f, html := range nationalPages(t, ".html") {
		pages++
		if !strings.Contains(html, `<html lang="zh-Hans">`) {
			t.Errorf("%s: no lang", f)
		}
		prev, h1 := 0, 0
		for _, m := range headingTag.FindAllStringSubmatch(html, -1) {
			l, _ := strconv.Atoi(m[1])
			if l == 1 {
				h1++
			}
			if l > prev+1 {
				t.Errorf("%s: an h%d after an h%d", f, l, prev)
			}
			prev = l
		}
		if h1 != 1 {
			t.Errorf("%s: %d h1", f, h1)
		}
		if !strings.Contains(html, `<a class="skip" href="#main">`) || !strings.Contains(html, `<main id="main">`) {
			t.Errorf("%s: no skip link to the main content", f)
		}
		if n := strings.Count(html, `aria-current="page"`); n != 1 {
			t.Errorf("%s: the navigation marks %d current pages", f, n)
		}
		tables := len(tableOpen.FindAllStringIndex(html, -1))
		if c := strings.Count(html, "<caption"); c != tables {
			t.Errorf("%s: %d tables, %d captions", f, tables, c)
		}
		if s := strings.Count(html, `<div class="scroll" role="region" tabindex="0"`); s != tables {
			t.Errorf("%s: %d tables, %d in a scrolling region", f, tables, s)
		}
		if strings.Contains(html, "<tr><td") {
			t.Errorf("%s: a row without its header cell", f)
		}
		figures := figureBlock.FindAllString(html, -1)
		charts += len(figures)
		if n := strings.Count(html, `echarts.init(`); n != len(figures) {
			t.Errorf("%s: %d charts, %d figures", f, n, len(figures))
		}
		for _, fig := range figures {
			if !strings.Contains(fig, "<figcaption") || !strings.Contains(fig, `role="img" aria-label="`) ||
				!strings.Contains(fig, `<details class="data">`) || !strings.Contains(fig, `<th scope="row">`) {
				t.Errorf("%s: a chart without its caption, name or data table: %.200s", f, fig)
			}
		}
	}
	if pages == 0 || charts == 0 {
		t.Fatalf("%d pages, %d charts", pages, charts)
	}
}

// TestFlowChartsBalance: on every flow page, each Sankey's data table
// carries as much into the fund as out of it, deficit years too (their
// negative edges are drawn reversed: flowLinks), in positive amounts.
func TestFlowChartsBalance(t *testing.T) {
	sankeys, deficits := 0, 0
	for f, html := range nationalPages(t, "/flow.html") {
		for _, fig := range figureBlock.FindAllString(html, -1) {
			if !strings.Contains(fig, `id="flow_`) {
				continue
			}
			sankeys++
			var in, out money.Cents
			for _, m := range chartRow.FindAllStringSubmatch(fig, -1) {
				v, err := money.Parse(m[3])
				if err != nil || v <= 0 {
					t.Errorf("%s: flow %s → %s of %q", f, m[1], m[2], m[3])
				}
				if m[1] == "结转下年的赤字" || m[2] == "弥补上年赤字" {
					deficits++
				}
				switch {
				case m[2] == "互助资金":
					in += v
				case m[1] == "互助资金":
					out += v
				}
			}
			if in != out {
				t.Errorf("%s: a Sankey takes in %s and gives out %s: %.120s", f, in, out, fig)
			}
		}
	}
	if sankeys == 0 || deficits == 0 {
		t.Fatalf("%d Sankeys, %d deficits drawn on the flow pages: the world needs both", sankeys, deficits)
	}
}

// nationalPages are the national folder's pages whose names end in
// suffix, by name.
func nationalPages(t *testing.T, suffix string) map[string]string {
	t.Helper()
	_, res := reportsOf(t)
	nat := filepath.Join(res.Dir, "national")
	out := map[string]string{}
	for _, f := range files(t, nat) {
		if !strings.HasSuffix(f, suffix) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(nat, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}
