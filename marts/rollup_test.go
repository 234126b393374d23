package marts

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"huzhu/internal/config"
	"huzhu/warehouse"
)

// TestRollupRefusesForeignPackages: a pool's datapackage.json is another
// job's output, so a name, type or path that would change the roll-up's
// SQL or read outside the folder is refused before any statement runs
// (db is nil here: reaching it would panic).
func TestRollupRefusesForeignPackages(t *testing.T) {
	ok := Resource{Name: "scorecard", Path: []string{"scorecard/pool_code=P1/year=2025/data_0.parquet"}}
	ok.Schema.Fields = []Field{{Name: "score", DuckDBType: "DOUBLE"}, {Name: "contributions", DuckDBType: "DECIMAL(18,2)"},
		{Name: "paid_at", DuckDBType: "TIMESTAMP WITH TIME ZONE"}, {Name: "pool_code"}}
	if err := checkResource(ok); err != nil {
		t.Fatalf("checkResource(an export of ours) = %v, want nil", err)
	}
	for _, c := range []struct {
		name string
		edit func(r *Resource)
		want string
	}{
		{"table name", func(r *Resource) { r.Name = "x; DROP TABLE core.dim_org; --" }, "not a table name"},
		{"quoted table name", func(r *Resource) { r.Name = `scorecard"` }, "not a table name"},
		{"column name", func(r *Resource) { r.Schema.Fields[0].Name = `score" VARCHAR, "x` }, "not a column name"},
		{"column type", func(r *Resource) { r.Schema.Fields[0].DuckDBType = "DOUBLE); DROP TABLE mart.scorecard; --" }, "not a DuckDB type"},
		{"type with a quote", func(r *Resource) { r.Schema.Fields[0].DuckDBType = "ENUM('a')" }, "not a DuckDB type"},
		{"path up", func(r *Resource) { r.Path = []string{"../../secrets.parquet"} }, "leaves the package"},
		{"absolute path", func(r *Resource) { r.Path = []string{"/etc/passwd"} }, "leaves the package"},
	} {
		r := ok
		r.Schema.Fields = append([]Field(nil), ok.Schema.Fields...)
		c.edit(&r)
		dir := t.TempDir()
		b, err := json.Marshal(DataPackage{Resources: []Resource{r}})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "datapackage.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Rollup(context.Background(), nil, []string{dir})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Rollup = %v, want an error saying %q", c.name, err, c.want)
		}
	}
}

// TestMartsNeedCore: marts on a warehouse the transform never ran on says
// so (ErrNoCore, naming a missing table), not DuckDB's missing-table error.
func TestMartsNeedCore(t *testing.T) {
	db, err := warehouse.Open(context.Background(), warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Run(context.Background(), db.SQL(), "r", config.DefaultRules())
	if !errors.Is(err, ErrNoCore) {
		t.Errorf("marts on an empty warehouse = %v, want ErrNoCore", err)
	}
}
