package extract

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"huzhu/contract"
	"huzhu/internal/config"
	"huzhu/internal/rss"
	"huzhu/opsim"
	"huzhu/opsim/httpapi"
)

// Benchmarks of the extract stage. BENCH_MEMBERS and BENCH_YEARS size the
// world (default 20,000 and 3, so that `go test -bench .` stays quick;
// `make bench` runs 1,000,000). Each reports rows/s and the peak RSS of the
// measured part (the kernel's high-water mark is reset before it).

func benchSize() (int, int) {
	m, y := 20000, 3
	if v, err := strconv.Atoi(os.Getenv("BENCH_MEMBERS")); err == nil && v > 0 {
		m = v
	}
	if v, err := strconv.Atoi(os.Getenv("BENCH_YEARS")); err == nil && v > 0 {
		y = v
	}
	return m, y
}

func benchWorld(b *testing.B) *opsim.World {
	m, y := benchSize()
	p := opsim.DefaultParams()
	p.Members, p.Years, p.Operators, p.DefectRate = m, y, 5, 0
	w, err := opsim.NewWorld(p)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func benchRawRows(b *testing.B, path string) int64 {
	db := openWarehouse(b, path)
	var n, total int64
	for _, e := range contract.Entities() {
		db.SQL().QueryRow("SELECT count(*) FROM raw." + e.Name).Scan(&n)
		total += n
	}
	return total
}

// BenchmarkFiles extracts a whole drop (every operator, in parallel) and,
// in the same run, has DuckDB read the same files with its own reader
// (read_csv / read_parquet, all columns as text) as the baseline.
func BenchmarkFiles(b *testing.B) {
	for _, format := range []string{"csv", "parquet"} {
		b.Run(format, func(b *testing.B) {
			w := benchWorld(b)
			dir := b.TempDir()
			if _, err := w.Drop(opsim.DropOptions{Out: dir, Format: format, KeyPath: "-"}); err != nil {
				b.Fatal(err)
			}
			cfg := &config.Config{}
			for _, op := range w.Operators {
				cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindFiles, Path: filepath.Join(dir, op.Code)})
			}
			var ours, theirs time.Duration
			var rows int64
			var peak float64
			for i := 0; i < b.N; i++ {
				path := filepath.Join(b.TempDir(), "w.duckdb")
				db := openWarehouse(b, path)
				rss.Reset()
				start := time.Now()
				if _, err := Run(context.Background(), db.SQL(), cfg, "bench", Options{Logger: quiet, PIIKey: benchKey}, 4); err != nil {
					b.Fatal(err)
				}
				ours += time.Since(start)
				peak = max(peak, float64(rss.Peak()))
				db.Close()
				rows += benchRawRows(b, path)

				base := openWarehouse(b, filepath.Join(b.TempDir(), "base.duckdb"))
				start = time.Now()
				for _, e := range contract.Entities() {
					glob := filepath.Join(dir, "*", "*", e.Name+"."+format)
					q := fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM read_csv('%s', all_varchar = true, header = true)", e.Name, glob)
					if format == "parquet" {
						q = fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM read_parquet('%s')", e.Name, glob)
					}
					if _, err := base.SQL().Exec(q); err != nil {
						b.Fatal(err)
					}
				}
				theirs += time.Since(start)
				base.Close()
			}
			b.ReportMetric(float64(rows)/ours.Seconds(), "rows/s")
			b.ReportMetric(float64(rows)/theirs.Seconds(), "duckdb-rows/s")
			b.ReportMetric(ours.Seconds()/theirs.Seconds(), "x-duckdb")
			b.ReportMetric(peak, "peak-MiB")
		})
	}
}

// serverChildEnv makes the test binary an opsim server (BenchmarkHTTP's
// other process): the value is "members,years".
const serverChildEnv = "HUZHU_EXTRACT_BENCH_SERVER"

// benchKey is the pseudonymisation key of the benchmarks: extract runs
// with one in `huzhu run`, and pseudonymises the members as they arrive.
var benchKey = []byte("extract-bench-key-0123456789")

// TestBenchServerChild is not a test: it serves a world over HTTP for
// BenchmarkHTTP from its own process, printing its address, until stdin
// closes.
func TestBenchServerChild(t *testing.T) {
	spec := os.Getenv(serverChildEnv)
	if spec == "" {
		t.Skip("helper process of BenchmarkHTTP")
	}
	var m, y int
	fmt.Sscanf(spec, "%d,%d", &m, &y)
	p := opsim.DefaultParams()
	p.Members, p.Years, p.Operators, p.DefectRate = m, y, 5, 0
	w, err := opsim.NewWorld(p)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := w.Server(httpapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, srv)
	fmt.Printf("listening http://%s\n", ln.Addr())
	io.Copy(io.Discard, os.Stdin)
}

// BenchmarkHTTP pulls every operator over loopback HTTP from an opsim
// server in another process (which takes its share of the two cores; its
// memory is not counted).
func BenchmarkHTTP(b *testing.B) {
	w := benchWorld(b)
	m, y := benchSize()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBenchServerChild$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d,%d", serverChildEnv, m, y))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	var base string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
			base = rest
			break
		}
	}
	if base == "" {
		b.Fatal("the server process did not start")
	}
	cfg := &config.Config{}
	for _, op := range w.Operators {
		cfg.Sources = append(cfg.Sources, config.Source{Operator: op.Code, Kind: config.KindHTTP, URL: base + "/" + op.Code})
	}
	var rows int64
	var took time.Duration
	var peak float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "w.duckdb")
		db := openWarehouse(b, path)
		rss.Reset()
		start := time.Now()
		if _, err := Run(context.Background(), db.SQL(), cfg, "bench", Options{Logger: quiet, PIIKey: benchKey}, 4); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		peak = max(peak, float64(rss.Peak()))
		db.Close()
		rows += benchRawRows(b, path)
	}
	b.ReportMetric(float64(rows)/took.Seconds(), "rows/s")
	b.ReportMetric(peak, "peak-MiB")
}
