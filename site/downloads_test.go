package site

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDownloads: every page links CSV and JSON downloads that exist; every
// JSON parses with one object per row; the data package lists each of its
// CSVs with a header equal to the schema's fields; nothing links outside
// the site folder.
func TestDownloads(t *testing.T) {
	dir, _ := built(t)
	all := siteFiles(t, dir)
	href := regexp.MustCompile(`(?:href|src)="([^"]+)"`)
	pages := 0
	for rel, b := range all {
		if !strings.HasSuffix(rel, ".html") {
			continue
		}
		pages++
		csvs := 0
		for _, m := range href.FindAllSubmatch(b, -1) {
			u := string(m[1])
			if strings.HasPrefix(u, "#") {
				continue // within the page
			}
			if strings.Contains(u, "://") || strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
				t.Errorf("%s links outside the site: %s", rel, u)
				continue
			}
			target := filepath.ToSlash(filepath.Clean(filepath.Join(filepath.Dir(rel), strings.SplitN(u, "#", 2)[0])))
			if _, ok := all[target]; !ok {
				t.Errorf("%s links %s, which is not in the site", rel, u)
			}
			if strings.HasSuffix(u, ".csv") {
				csvs++
			}
		}
		if tables := bytes.Count(b, []byte("<table ")); tables != csvs {
			t.Errorf("%s: %d tables, %d CSV links", rel, tables, csvs)
		}
	}
	for rel, b := range all {
		if strings.HasPrefix(rel, "data/") && strings.HasSuffix(rel, ".json") && rel != "data/package/datapackage.json" {
			var v struct {
				Columns []string         `json:"columns"`
				Rows    []map[string]any `json:"rows"`
			}
			if err := json.Unmarshal(b, &v); err != nil || len(v.Columns) == 0 {
				t.Errorf("%s: %v (%d columns)", rel, err, len(v.Columns))
			}
		}
	}
	var pkg struct {
		Resources []struct {
			Path   string `json:"path"`
			Schema struct {
				Fields []struct{ Name string } `json:"fields"`
			} `json:"schema"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(all["data/package/datapackage.json"], &pkg); err != nil {
		t.Fatal(err)
	}
	if len(pkg.Resources) < 8 {
		t.Errorf("data package has %d resources", len(pkg.Resources))
	}
	for _, r := range pkg.Resources {
		b, ok := all["data/package/"+r.Path]
		if !ok {
			t.Errorf("data package lists %s, which is missing", r.Path)
			continue
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Errorf("%s: %v, %d records", r.Path, err, len(recs))
			continue
		}
		var names []string
		for _, f := range r.Schema.Fields {
			names = append(names, f.Name)
		}
		if !slices.Equal(recs[0], names) {
			t.Errorf("%s header %v, schema %v", r.Path, recs[0], names)
		}
	}
	t.Logf("%d pages, %d files, %d data package resources", pages, len(all), len(pkg.Resources))
}

// TestSuppressedCellsShowK: a suppressed activity-year shows "<k" for its
// claims on the activity page, with the k in force, and its figures are
// empty in the data package.
func TestSuppressedCellsShowK(t *testing.T) {
	dir, d := built(t)
	var sup *ActivityYear
	for i := range d.Years {
		if d.Years[i].Suppressed && d.Years[i].Members != nil {
			sup = &d.Years[i]
			break
		}
	}
	if sup == nil {
		t.Fatal("no suppressed activity-year in the test world")
	}
	page, err := os.ReadFile(filepath.Join(dir, activityPath(sup.Operator, sup.Activity)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte(`<td class="n sup" data-v="&lt;10">&lt;10</td>`)) {
		t.Errorf("%s shows no <10 cell", activityPath(sup.Operator, sup.Activity))
	}
	k5 := filepath.Join(t.TempDir(), "site")
	if _, err := Render(context.Background(), d, k5, Options{Key: testKey, K: 5}); err != nil {
		t.Fatal(err)
	}
	page, _ = os.ReadFile(filepath.Join(k5, activityPath(sup.Operator, sup.Activity)))
	if !bytes.Contains(page, []byte(`&lt;5</td>`)) || bytes.Contains(page, []byte(`&lt;10</td>`)) {
		t.Errorf("with K=5 the page does not show <5 alone")
	}
}
