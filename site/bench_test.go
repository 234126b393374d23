package site

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"huzhu/internal/money"
	"huzhu/internal/rss"
)

// synthetic makes a deterministic data set of ops operators (20 to a
// pool) with acts activities each over years years: ops × acts activity
// pages, ops operator pages, ops/20 pool pages.
func synthetic(ops, acts, years int) *Data { return syntheticShape(ops, acts, years, 20, 31) }

// syntheticProvinces are the provincial-level codes the synthetic pools are
// spread over, in order.
var syntheticProvinces = []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
	"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}

// syntheticShape is synthetic with perPool operators to a pool and the
// pools dealt in turn over the first provinces (1 to 31) provinces, so a
// test can ask for many small pools or a few large ones.
func syntheticShape(ops, acts, years, perPool, provinces int) *Data {
	d := &Data{AsOf: "2025-06-30"}
	r := uint64(1)
	next := func(n int) int { // xorshift: the same numbers every run
		r ^= r << 13
		r ^= r >> 7
		r ^= r << 17
		return int(r % uint64(n))
	}
	cats := []string{"inpatient", "critical_illness", "accident", "female_special", "retiree", "other"}
	names := []string{"职工住院津贴互助", "重大疾病互助", "职工意外伤害互助", "女职工特殊疾病互助", "退休职工住院互助", "职工健康关爱互助"}
	cities := []string{"杭州", "宁波", "温州", "广州", "深圳", "珠海", "苏州", "无锡", "成都", "绵阳", "南京", "合肥", "福州", "厦门", "济南", "青岛", "郑州", "武汉", "长沙", "南宁"}
	for p := 0; p < (ops+perPool-1)/perPool; p++ {
		region := syntheticProvinces[p%provinces] + fmt.Sprintf("%04d", 100*(1+p/provinces)%10000)
		d.Pools = append(d.Pools, Pool{Code: fmt.Sprintf("C%06d", 100000+p), Level: "city", Region: region, Name: cities[p%len(cities)] + "第" + strconv.Itoa(p+1) + "统筹区总工会"})
	}
	for o := 0; o < ops; o++ {
		pool := d.Pools[o/perPool]
		code := fmt.Sprintf("51%06dMA%08dQ", 100000+o/perPool, o) // not all digits
		d.Operators = append(d.Operators, Operator{Code: code, Name: cities[o%len(cities)] + "市第" + strconv.Itoa(o+1) + "职工互助保障会", Pool: pool.Code, Region: pool.Region, Status: "active"})
		opYears := map[int][3]money.Cents{} // the operator's totals by year
		for a := 0; a < acts; a++ {
			act := fmt.Sprintf("A%02d", a)
			d.Activities = append(d.Activities, Activity{Operator: code, Code: act, Name: names[a%len(names)], Category: cats[a%len(cats)],
				Start: "2021-01-01", Contribution: money.Yuan(50), PeriodMonths: 12, BenefitCap: money.Yuan(60000), Status: "active"})
			for y := 2025 - years + 1; y <= 2025; y++ {
				members := int64(5 + next(2000))
				claims := int64(next(120))
				sup := members < 10 || claims < 10
				contrib, fund, reserve := money.Cents(members*5000), money.Cents(next(5_000_000_00)), money.Cents(next(50_000_00))
				ay := ActivityYear{Year: y, Operator: code, Activity: act, Suppressed: sup}
				if !sup {
					ay.Contributions, ay.FundBalance, ay.Reserve = &contrib, &fund, &reserve
				}
				t := opYears[y]
				t[0], t[1], t[2] = t[0]+contrib, t[1]+fund, t[2]+reserve
				opYears[y] = t
				fee := float64(next(900)) / 10000
				ay.MgmtFeeRatio = &fee
				if members >= 10 {
					ay.Members = &members
				}
				if !sup {
					ben := money.Cents(claims * int64(1000+next(400000)))
					ratio, days := float64(ben)/float64(contrib), float64(5+next(300))/10
					ay.Claims, ay.Benefits, ay.PayoutRatio, ay.MedianDays = &claims, &ben, &ratio, &days
				}
				d.Years = append(d.Years, ay)
				for _, dim := range []struct {
					name    string
					buckets []string
				}{{"age_band", []string{"<30", "30-39", "40-49", "50-59", "60+"}}, {"gender", []string{"F", "M"}},
					{"hospital_level", []string{"primary", "secondary", "tertiary"}}, {"diagnosis_group", []string{"C", "I", "J", "K", "S"}}} {
					for _, bk := range dim.buckets {
						c := BreakdownCell{Year: y, Operator: code, Activity: act, Dimension: dim.name, Bucket: bk, Suppressed: sup || next(3) == 0}
						if !c.Suppressed {
							n, amt := int64(10+next(50)), money.Cents(next(10_000_000))
							c.Claims, c.Benefits = &n, &amt
						}
						d.Breakdown = append(d.Breakdown, c)
					}
				}
				for _, line := range []struct{ code, name, class string }{{"4101", "互助金收入", "income"}, {"4201", "利息收入", "income"}, {"5101", "互助金给付", "expense"}} {
					bud := money.Cents(next(10_000_000))
					rate := float64(next(1200)) / 1000
					d.Budget = append(d.Budget, BudgetLine{Year: y, Month: strconv.Itoa(y) + "-12-31", Operator: code, Activity: act, Line: line.code, LineName: line.name, Class: line.class,
						Budget: &bud, Actual: money.Cents(next(10_000_000)), Rate: &rate, Flag: "ok"})
				}
			}
		}
		for y := 2025 - years + 1; y <= 2025; y++ {
			t, fee := opYears[y], 0.05
			d.OpYears = append(d.OpYears, OperatorYear{Year: y, Operator: code, Contributions: &t[0], Fund: &t[1], Reserve: &t[2], MgmtFee: &fee})
			for _, line := range []struct{ code, name string }{{"5201", "管理费用"}, {"5301", "会员活动支出"}, {"5302", "帮扶救助支出"}} {
				bud := money.Cents(next(10_000_000))
				d.Budget = append(d.Budget, BudgetLine{Year: y, Month: strconv.Itoa(y) + "-12-31", Operator: code, Line: line.code, LineName: line.name, Class: "expense",
					Budget: &bud, Actual: money.Cents(next(10_000_000)), Flag: "ok"})
			}
			d.Scores = append(d.Scores, Score{Year: y, Operator: code, Score: float64(next(10000)) / 100, Budget: 20, Compliance: 20, Timeliness: 25, Audit: &[]float64{0, 5, 15, 25}[next(4)], Rank: 1 + next(20)})
			d.Findings = append(d.Findings, FindingCount{Operator: code, Year: y, Rule: "R09", Severity: "minor", N: 1 + next(3)},
				FindingCount{Operator: code, Activity: "A00", Year: y, Rule: "R12", Severity: "minor", N: 1})
		}
		for _, in := range []string{"demand_deposit", "time_deposit", "treasury_bond", "stock"} {
			share := float64(next(100)) / 100
			d.Mix = append(d.Mix, Holding{Operator: code, Month: "2025-06-30", Instrument: in, Value: money.Cents(next(100_000_000_00)), Share: &share, Allowed: in != "stock"})
		}
	}
	return d
}

// benchDir is a fresh folder under BENCH_SITE_DIR (e.g. /dev/shm, to
// measure the build without the disk) or the test's temp folder.
func benchDir(b *testing.B) string {
	root := os.Getenv("BENCH_SITE_DIR")
	if root == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(root, "huzhu-site-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// BenchmarkSite renders a site of ≥ 2,000 pages (BENCH_SITE_OPERATORS,
// default 400 operators × 5 activities × 3 years in 20 pools over 20
// provinces: 2,442 pages, the home page summed by province) from a
// synthetic data set, with the privacy gate and the signed manifest, and
// beside it the baseline: the same number of files of the same sizes
// written with os.WriteFile, one goroutine per core, in the same run.
func BenchmarkSite(b *testing.B) {
	ops := 400
	if v, err := strconv.Atoi(os.Getenv("BENCH_SITE_OPERATORS")); err == nil && v > 0 {
		ops = v
	}
	workers, _ := strconv.Atoi(os.Getenv("BENCH_SITE_WORKERS"))
	d := synthetic(ops, 5, 3)
	echartsJS := make([]byte, 1<<20) // the runtime's size; its content does not matter here
	var res *Result
	var took time.Duration
	b.ResetTimer()
	for range b.N {
		dir := filepath.Join(benchDir(b), "site")
		start := time.Now()
		var err error
		if res, err = Render(context.Background(), d, dir, Options{Key: testKey, ECharts: echartsJS, Workers: workers}); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
	}
	b.StopTimer()
	secs := took.Seconds() / float64(b.N)
	peak := float64(rss.ProcessPeak())

	// Baseline: the same files, same sizes, plain writes.
	sizes := make([]int, 0, res.Files)
	var dirOf []string
	filepath.WalkDir(res.Dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			st, _ := e.Info()
			sizes = append(sizes, int(st.Size()))
			rel, _ := filepath.Rel(res.Dir, filepath.Dir(p))
			dirOf = append(dirOf, rel)
		}
		return nil
	})
	base := filepath.Join(benchDir(b), "base")
	largest := 0
	for _, n := range sizes {
		largest = max(largest, n)
	}
	buf := make([]byte, largest)
	start := time.Now()
	baseWorkers := runtime.GOMAXPROCS(0)
	done := make(chan error, baseWorkers)
	for w := range baseWorkers {
		go func() {
			for i := w; i < len(sizes); i += baseWorkers {
				p := filepath.Join(base, dirOf[i])
				os.MkdirAll(p, 0o755)
				if err := os.WriteFile(filepath.Join(p, strconv.Itoa(i)), buf[:sizes[i]], 0o644); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range baseWorkers {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	baseSecs := time.Since(start).Seconds()

	b.ReportMetric(float64(res.Pages)/secs, "pages/s")
	b.ReportMetric(float64(res.Pages), "pages")
	b.ReportMetric(float64(res.Files), "files")
	b.ReportMetric(float64(res.Bytes)/(1<<20), "MiB")
	b.ReportMetric(secs, "s/build")
	b.ReportMetric(peak, "peakRSS-MiB")
	b.ReportMetric(float64(res.Pages)/baseSecs, "baseline-pages/s")
	b.ReportMetric(baseSecs, "baseline-s")
	b.Logf("site: %d pages, %d files, %.1f MiB in %.2fs (%.0f pages/s); baseline os.WriteFile of the same files: %.2fs; peak RSS %.0f MiB",
		res.Pages, res.Files, float64(res.Bytes)/(1<<20), secs, float64(res.Pages)/secs, baseSecs, peak)
}
