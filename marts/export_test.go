package marts

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExport: every mart is written as Hive-partitioned Parquet that reads
// back to the same rows, and datapackage.json describes every table and
// column, money with its unit.
func TestExport(t *testing.T) {
	db, _ := build(t, 1500)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "parquet")
	pkg, err := Export(ctx, db.SQL(), dir)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := martTables(ctx, db.SQL())
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.Resources) != len(tables)+len(ReferenceTables) || len(tables) < 4 {
		t.Fatalf("%d resources for %d mart tables", len(pkg.Resources), len(tables))
	}
	empty := 0
	for i, tab := range tables {
		res := pkg.Resources[i]
		var want, got int
		db.SQL().QueryRow("SELECT count(*) FROM mart." + tab.name).Scan(&want)
		if want == 0 {
			empty++
		}
		// Every mart has a file, an empty one too, under pool_code=…/year=…,
		// and its files read back to its rows with or without Hive
		// partitioning: the partition columns are in the files as well.
		if len(res.Path) == 0 {
			t.Fatalf("%s: no file", tab.name)
		}
		if !strings.Contains(res.Path[0], "pool_code=") || !strings.Contains(res.Path[0], "/year=") {
			t.Errorf("%s: file %s is not under pool_code=…/year=…", tab.name, res.Path[0])
		}
		glob := filepath.Join(dir, tab.name, "**", "*.parquet")
		for _, hive := range []string{"true", "false"} {
			var pools int
			if err := db.SQL().QueryRow("SELECT count(*), count(pool_code) FROM read_parquet('"+glob+"', hive_partitioning = "+hive+")").Scan(&got, &pools); err != nil {
				t.Fatalf("%s (hive_partitioning %s): %v", tab.name, hive, err)
			}
			if got != want || pools != want {
				t.Errorf("%s (hive_partitioning %s): %d rows in Parquet (%d with a pool_code), %d in the mart", tab.name, hive, got, pools, want)
			}
		}
		names := map[string]Field{}
		for _, f := range res.Schema.Fields {
			names[f.Name] = f
		}
		for _, c := range tab.cols {
			f, ok := names[c.name]
			if !ok {
				t.Errorf("%s.%s not described", tab.name, c.name)
			}
			if strings.HasPrefix(c.typ, "DECIMAL") && f.Unit != "CNY" {
				t.Errorf("%s.%s: money without its unit", tab.name, c.name)
			}
		}
	}
	if empty == 0 {
		// A mart without rows, as a night without R18 findings has.
		if _, err := db.SQL().Exec("DELETE FROM mart.finding_bank_accounts"); err != nil {
			t.Fatal(err)
		}
		if _, err := Export(ctx, db.SQL(), dir); err != nil {
			t.Fatal(err)
		}
		var got int
		if err := db.SQL().QueryRow("SELECT count(*) FROM read_parquet('" + filepath.Join(dir, "finding_bank_accounts", "**", "*.parquet") + "', hive_partitioning = true)").Scan(&got); err != nil || got != 0 {
			t.Errorf("an empty mart's files: %d rows, %v", got, err)
		}
	}
	for _, name := range ReferenceTables {
		var want, got int
		db.SQL().QueryRow("SELECT count(*) FROM core." + name).Scan(&want)
		db.SQL().QueryRow("SELECT count(*) FROM read_parquet('" + filepath.Join(dir, "reference", name+".parquet") + "')").Scan(&got)
		if want == 0 || got != want {
			t.Errorf("reference %s: %d rows exported of %d", name, got, want)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back DataPackage
	if err := json.Unmarshal(raw, &back); err != nil || back.Name != "huzhu-marts" {
		t.Errorf("datapackage.json does not read back: %v", err)
	}
}
