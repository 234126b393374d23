package reports

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"huzhu/internal/testworld"
)

// BenchmarkReports times Write for every jurisdiction on a world of
// BENCH_MEMBERS members (default 100,000) over BENCH_YEARS years (default
// 3), beside two baselines measured in the same run: reading the marts
// alone (the same queries, no rendering) and copying the bytes written.
// It reports seconds, files, bytes/s and the process's peak RSS.
func BenchmarkReports(b *testing.B) {
	members, years := 100000, 3
	if v, err := strconv.Atoi(os.Getenv("BENCH_MEMBERS")); err == nil && v > 0 {
		members = v
	}
	if v, err := strconv.Atoi(os.Getenv("BENCH_YEARS")); err == nil && v > 0 {
		years = v
	}
	ctx := context.Background()
	dir := b.TempDir()
	t0 := time.Now()
	w, err := testworld.Build(ctx, dir, testworld.Options{Members: members, Years: years})
	if err != nil {
		b.Fatal(err)
	}
	defer w.DB.Close()
	b.Logf("world: %d members, %d years, built in %.1fs", members, years, time.Since(t0).Seconds())

	// Baseline 1: the marts' queries alone.
	t0 = time.Now()
	if _, err := load(ctx, w.DB.SQL()); err != nil {
		b.Fatal(err)
	}
	query := time.Since(t0).Seconds()

	out := filepath.Join(dir, "reports")
	var res *Result
	b.ResetTimer()
	for range b.N {
		if res, err = Write(ctx, w.DB.SQL(), out, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds() / float64(b.N)

	// Baseline 2: copying the same files.
	t0 = time.Now()
	copyTree(b, out, filepath.Join(dir, "copy"))
	copySecs := time.Since(t0).Seconds()

	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(secs, "s/write")
	b.ReportMetric(float64(res.Files), "files")
	b.ReportMetric(float64(res.Bytes)/secs/1e6, "MB/s")
	b.ReportMetric(query, "s/queries-only")
	b.ReportMetric(copySecs, "s/copy-only")
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	b.Logf("reports: %d jurisdictions, %d files, %.1f MB in %.2fs (queries alone %.2fs, copying the files %.2fs)",
		len(res.Jurisdictions), res.Files, float64(res.Bytes)/1e6, secs, query, copySecs)
}

func copyTree(b *testing.B, from, to string) {
	err := filepath.WalkDir(from, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		b.Fatal(err)
	}
}
