package transform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"huzhu/contract"
	"huzhu/extract"
	"huzhu/internal/config"
	"huzhu/warehouse"
)

// exampleBatch is the hand-made operator drop of ../shared/examples.
const exampleBatch = "../../shared/examples/csv/51330100310200171N"

// rewriteDrop copies the drop at from to to, each file of each batch
// through change, the manifest keeping its row counts with the files' new
// sha256.
func rewriteDrop(t *testing.T, from, to string, change func(name string, in []byte) []byte) {
	t.Helper()
	batches, _ := os.ReadDir(from)
	for _, b := range batches {
		src, dst := filepath.Join(from, b.Name()), filepath.Join(to, b.Name())
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(src, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Operator string                    `json:"operator"`
			Batch    string                    `json:"batch"`
			Files    map[string]map[string]any `json:"files"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for name, f := range m.Files {
			in, err := os.ReadFile(filepath.Join(src, name))
			if err != nil {
				t.Fatal(err)
			}
			out := change(name, in)
			if err := os.WriteFile(filepath.Join(dst, name), out, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(out)
			f["sha256"] = hex.EncodeToString(sum[:])
		}
		raw, _ = json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dst, "manifest.json"), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// quoteAll rewrites the example drop as a spreadsheet's "quote every value"
// export would: every value quoted, an empty cell as "", CRLF line ends,
// and a blank line at the end.
func quoteAll(t *testing.T, from, to string) {
	t.Helper()
	rewriteDrop(t, from, to, func(name string, in []byte) []byte {
		recs, err := csv.NewReader(bytes.NewReader(in)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var out bytes.Buffer
		for _, r := range recs {
			for i, v := range r {
				if i > 0 {
					out.WriteByte(',')
				}
				out.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
			}
			out.WriteString("\r\n")
		}
		out.WriteString("\r\n")
		return out.Bytes()
	})
}

// coreDigest is each entity's kept versions (every column but where and
// when they were loaded) and quarantined rows, as text to compare.
func coreDigest(t *testing.T, db *warehouse.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, e := range contract.Entities() {
		var cols string
		if err := db.SQL().QueryRow(`SELECT string_agg(column_name, ', ' ORDER BY column_name) FROM information_schema.columns
			WHERE table_schema = 'core' AND table_name = ? AND column_name NOT IN ('load_id', 'load_no', 'loaded_at', 'raw_row', 'source_pos')`,
			"v_"+e.Name).Scan(&cols); err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		var d string
		q := `SELECT count(*) || ' ' || coalesce(md5(string_agg(CAST(v AS VARCHAR), '|' ORDER BY CAST(v AS VARCHAR))), '')
			FROM (SELECT ` + cols + ` FROM core.v_` + e.Name + `) AS v`
		if err := db.SQL().QueryRow(q).Scan(&d); err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		var quarantined string
		if err := db.SQL().QueryRow(`SELECT count(*) || ' ' || coalesce(string_agg(reason_code, ',' ORDER BY reason_code), '')
			FROM ops.quarantine WHERE entity = ?`, e.Name).Scan(&quarantined); err != nil {
			t.Fatal(err)
		}
		out[e.Name] = d + " / quarantined " + quarantined
	}
	return out
}

func loadDrop(t *testing.T, dir string) *warehouse.DB {
	t.Helper()
	ctx := context.Background()
	db, err := warehouse.Open(ctx, warehouse.InMemory, warehouse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := &config.Config{Sources: []config.Source{{Operator: "51330100310200171N", Kind: config.KindFiles, Path: dir}}}
	res, err := extract.Run(ctx, db.SQL(), cfg, "x", extract.Options{Logger: quiet}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sources[0].Rejected) > 0 || res.Rows == 0 {
		t.Fatalf("extract of %s: %d rows, rejected %v", dir, res.Rows, res.Sources[0].Rejected)
	}
	if _, err := Run(ctx, db.SQL(), "t", testKey, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestQuoteAllExportLoadsTheSame: the example drop exported by a
// spreadsheet that quotes every value — a null as "", CRLF, a blank last
// line — loads to the same core and quarantine as the drop itself: an
// empty text in a typed field is no value, not a bad one, and a blank line
// is no record.
func TestQuoteAllExportLoadsTheSame(t *testing.T) {
	loadsTheSame(t, "quote-all export", quoteAll)
}

// loadsTheSame fails unless the example drop rewritten by rewrite loads to
// the same core and quarantine as the drop itself.
func loadsTheSame(t *testing.T, what string, rewrite func(t *testing.T, from, to string)) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rewritten")
	rewrite(t, exampleBatch, dir)
	want := coreDigest(t, loadDrop(t, exampleBatch))
	got := coreDigest(t, loadDrop(t, dir))
	for _, e := range contract.Entities() {
		if got[e.Name] != want[e.Name] {
			t.Errorf("%s: %s %s, the drop %s", e.Name, what, got[e.Name], want[e.Name])
		}
	}
}

// blankPadded rewrites the example drop as a spreadsheet filled by copy
// and paste may: every code, date, timestamp and amount with blank
// characters around it that are not ASCII white space (a no-break space,
// an ideographic space, a byte order mark, a zero-width space).
func blankPadded(t *testing.T, from, to string) {
	t.Helper()
	pads := [][2]string{{"\u00a0", "\u3000"}, {"\u3000", "\u00a0"}, {"\ufeff", "\u200b"}, {"\u2003", " \u00a0"}}
	rewriteDrop(t, from, to, func(name string, in []byte) []byte {
		recs, err := csv.NewReader(bytes.NewReader(in)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		e := contract.Lookup(strings.TrimSuffix(name, ".csv"))
		if e == nil {
			t.Fatalf("%s: no entity", name)
		}
		for n, r := range recs[1:] {
			for i, v := range r {
				j := e.Index(recs[0][i])
				if v == "" || j < 0 {
					continue
				}
				switch e.Fields[j].Kind {
				case contract.Code, contract.USCC, contract.Money, contract.Date, contract.TS:
					p := pads[(n+i)%len(pads)]
					r[i] = p[0] + v + p[1]
				}
			}
		}
		var out bytes.Buffer
		w := csv.NewWriter(&out)
		w.WriteAll(recs)
		return out.Bytes()
	})
}

// TestBlankPaddedExportLoadsTheSame: the example drop with its codes,
// dates, timestamps and amounts padded by no-break, ideographic and
// zero-width spaces loads to the same core and quarantine as the drop
// itself: those characters around a value are no part of it
// (internal/blank), as ASCII white space is not.
func TestBlankPaddedExportLoadsTheSame(t *testing.T) {
	loadsTheSame(t, "padded export", blankPadded)
}

// jsonlSpellings rewrites the example JSONL drop as other writers spell the
// same content: a UTF-8 BOM before the first line, and every decimal
// number with an exponent (800.00 as 8.0000e2).
func jsonlSpellings(t *testing.T, from, to string) {
	t.Helper()
	number := regexp.MustCompile(`: (-?)([0-9])([0-9]*)\.([0-9]+)([,}])`)
	rewritten := 0
	rewriteDrop(t, from, to, func(_ string, in []byte) []byte {
		out := number.ReplaceAllStringFunc(string(in), func(x string) string {
			rewritten++
			p := number.FindStringSubmatch(x)
			return ": " + p[1] + p[2] + "." + p[3] + p[4] + "e" + strconv.Itoa(len(p[3])) + p[5]
		})
		return append([]byte{0xEF, 0xBB, 0xBF}, out...)
	})
	if rewritten < 10 {
		t.Fatalf("%d numbers rewritten: the test would prove little", rewritten)
	}
}

// TestJSONLSpellingsLoadTheSame: the example drop as JSONL with a BOM and
// its numbers written with exponents loads to the same core and
// quarantine as the drop as CSV.
func TestJSONLSpellingsLoadTheSame(t *testing.T) {
	spelled := filepath.Join(t.TempDir(), "spelled")
	jsonlSpellings(t, "../../shared/examples/jsonl/51330100310200171N", spelled)
	want := coreDigest(t, loadDrop(t, exampleBatch))
	got := coreDigest(t, loadDrop(t, spelled))
	for _, e := range contract.Entities() {
		if got[e.Name] != want[e.Name] {
			t.Errorf("%s: JSONL with a BOM and exponents %s, the CSV drop %s", e.Name, got[e.Name], want[e.Name])
		}
	}
}
