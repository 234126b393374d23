package extract

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/internal/pgtest"
	"huzhu/opsim"
	"huzhu/opsim/httpapi"
	"huzhu/opsim/pgworld"
	"huzhu/warehouse"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openWarehouse(t testing.TB, path string) *warehouse.DB {
	t.Helper()
	if path == "" {
		path = warehouse.InMemory
	}
	db, err := warehouse.Open(context.Background(), path, warehouse.Options{MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pull runs one source into db and fails the test on error.
func pull(t testing.TB, db *sql.DB, src config.Source, opt Options) {
	t.Helper()
	if err := pullErr(db, src, opt); err != nil {
		t.Fatalf("pull %s/%s: %v", src.Operator, src.Kind, err)
	}
}

func pullErr(db *sql.DB, src config.Source, opt Options) error {
	ctx := context.Background()
	if opt.Logger == nil {
		opt.Logger = quiet
	}
	s, err := Open(src, opt)
	if err != nil {
		return err
	}
	w, err := NewWriter(ctx, db, "test-run")
	if err != nil {
		return err
	}
	defer w.Close()
	if opt.PIIKey != nil {
		w.pseudo = newPseudonymiser(opt.PIIKey) // as Run does
	}
	return s.Pull(ctx, w.Loader(src.Operator, src.Kind))
}

// rawDigest is an order-independent digest of the contract fields of every
// raw row of an entity, with the row count.
func rawDigest(t testing.TB, db *sql.DB, e *contract.Entity) (int, string) {
	t.Helper()
	rows, err := db.Query(fmt.Sprintf("SELECT %s FROM raw.%s", strings.Join(e.FieldNames(), ", "), e.Name))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	vals := make([]sql.NullString, len(e.Fields))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			if v.Valid {
				b.WriteString(v.String)
			} else {
				b.WriteString("\x00NULL")
			}
			b.WriteByte(0x1f)
		}
		lines = append(lines, b.String())
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
		h.Write([]byte{'\n'})
	}
	return len(lines), hex.EncodeToString(h.Sum(nil))[:16]
}

func digests(t testing.TB, db *sql.DB) map[string]string {
	out := map[string]string{}
	for _, e := range contract.Entities() {
		n, d := rawDigest(t, db, e)
		out[e.Name] = fmt.Sprintf("%d rows %s", n, d)
	}
	return out
}

func testWorld(t testing.TB, members int, defects float64) *opsim.World {
	t.Helper()
	p := opsim.DefaultParams()
	p.Members, p.DefectRate = members, defects
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestConformance: the same world through every file format and encoding
// and through HTTP and PostgreSQL gives identical raw content, entity by
// entity, with the pseudonymisation key and without.
func TestConformance(t *testing.T) {
	w := testWorld(t, 1200, 0)
	op := w.Operators[1]
	type transport struct {
		name string
		src  func(t *testing.T) config.Source
	}
	drop := func(format, enc string) func(t *testing.T) config.Source {
		return func(t *testing.T) config.Source {
			dir := t.TempDir()
			if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: format, Encoding: enc, KeyPath: "-"}); err != nil {
				t.Fatal(err)
			}
			return config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)}
		}
	}
	transports := []transport{
		{"csv", drop("csv", "utf-8")},
		{"csv-gb18030", drop("csv", "gb18030")},
		{"jsonl", drop("jsonl", "")},
		{"parquet", drop("parquet", "")},
		{"xlsx", drop("xlsx", "")},
		{"mixed", drop("mixed", "")},
		{"postgres", func(t *testing.T) config.Source {
			dsn, conn := pgtest.Connect(t)
			if _, err := pgworld.Load(context.Background(), conn, "conformance", op); err != nil {
				t.Fatal(err)
			}
			return config.Source{Operator: op.Code, Kind: config.KindPostgres, DSN: dsn, Schema: "conformance"}
		}},
		{"http", func(t *testing.T) config.Source {
			srv, err := w.Server(httpapi.Options{})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv)
			t.Cleanup(hs.Close)
			return config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: hs.URL + "/" + op.Code}
		}},
	}
	// Each transport twice: as sent, and pseudonymised at the door with
	// the key (HTTP and PostgreSQL rows go through Tx.Append, files
	// through their reader's goroutine).
	var want, wantKeyed map[string]string
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			src := tr.src(t)
			db := openWarehouse(t, "")
			pull(t, db.SQL(), src, Options{HTTP: HTTPOptions{PageLimit: 700, UnitRows: 3000}})
			got := digests(t, db.SQL())
			keyedDB := openWarehouse(t, "")
			pull(t, keyedDB.SQL(), src, Options{HTTP: HTTPOptions{PageLimit: 700, UnitRows: 3000}, PIIKey: []byte("conformance-key-0123456789")})
			keyed := digests(t, keyedDB.SQL())
			if keyed["members"] == got["members"] || keyed["staff_roles"] == got["staff_roles"] {
				t.Errorf("members and staff the same with the key as without")
			}
			if want == nil {
				want, wantKeyed = got, keyed
				if strings.HasPrefix(got["enrollments"], "0 ") {
					t.Fatalf("no enrollments loaded: %v", got)
				}
				return
			}
			for e, d := range want {
				if got[e] != d {
					t.Errorf("%s: %s, csv gave %s", e, got[e], d)
				}
				if keyed[e] != wantKeyed[e] {
					t.Errorf("%s with the key: %s, csv gave %s", e, keyed[e], wantKeyed[e])
				}
			}
		})
	}
}

// TestExamples: the hand-written example drop loads to the same raw
// content from CSV and from JSONL.
func TestExamples(t *testing.T) {
	const op = "51330100310200171N"
	var want map[string]string
	for _, kind := range []string{"csv", "jsonl"} {
		db := openWarehouse(t, "")
		pull(t, db.SQL(), config.Source{Operator: op, Kind: config.KindFiles, Path: filepath.Join("..", "..", "shared", "examples", kind, op)}, Options{})
		got := digests(t, db.SQL())
		var loads int
		db.SQL().QueryRow("SELECT count(*) FROM ops.loads WHERE status = 'loaded'").Scan(&loads)
		if loads != len(contract.Entities()) {
			var reason sql.NullString
			db.SQL().QueryRow("SELECT any_value(reason) FROM ops.loads WHERE status <> 'loaded'").Scan(&reason)
			t.Fatalf("%s: %d files loaded, want %d (%s)", kind, loads, len(contract.Entities()), reason.String)
		}
		if want == nil {
			want = got
			continue
		}
		for e, d := range want {
			if got[e] != d {
				t.Errorf("%s %s: %s, csv gave %s", kind, e, got[e], d)
			}
		}
	}
}
