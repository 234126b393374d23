#!/usr/bin/env bash
# make bench: the pipeline's speed, measured, beside a baseline measured in
# the same run. Figures go to stdout and to out/bench/summary.txt.
# BENCH_MEMBERS (default 1000000) and BENCH_YEARS (3) size the world;
# BENCH_LARGE=1 adds the 10,000,000-member memory check.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${BENCH_MEMBERS:-1000000}
years=${BENCH_YEARS:-3}
work=$(mktemp -d /tmp/huzhu-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p out/bench
summary=out/bench/summary.txt
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

say "# huzhu bench $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, members=$members years=$years"

say "## opsim: generation alone (baseline: rows made and discarded, one core)"
go test ./opsim/ -run '^$' -bench '^BenchmarkGenerate$' -benchtime 3x | grep -E 'Benchmark' | tee -a "$summary"

for format in parquet csv; do
  say "## opsim drop --members $members --years $years --format $format"
  ./bin/huzhu opsim drop --members "$members" --years "$years" --operators 5 --format "$format" \
    --out "$work/$format" --answer-key "$work/key-$format.jsonl" | tee -a "$summary"
  rm -rf "$work/$format"
done

say "## extract at --members $members --years $years (5 operators, 4 sources at a time), beside DuckDB's own readers"
BENCH_MEMBERS=$members BENCH_YEARS=$years go test -tags duckdb_arrow ./extract/ -run '^$' -bench '^Benchmark(Files|HTTP)$' \
  -benchtime 1x -timeout 60m | grep -E '^Benchmark' | tee -a "$summary"

say "## transform at --members $members --years $years, beside a bare CREATE TABLE AS of the same typed columns (the floor)"
BENCH_MEMBERS=$members BENCH_YEARS=$years go test -tags duckdb_arrow ./transform/ -run '^$' -bench '^BenchmarkTransform$' \
  -benchtime 1x -timeout 60m | grep -E '^Benchmark' | tee -a "$summary"

say "## marts at --members $members --years $years (time per run, the three slowest models)"
BENCH_MEMBERS=$members BENCH_YEARS=$years go test -tags duckdb_arrow ./marts/ -run '^$' -bench '^BenchmarkMarts$' \
  -benchtime 1x -timeout 60m -v | grep -E '^Benchmark|slowest' | tee -a "$summary"

say "## reports at --members $members --years $years (all jurisdictions), beside the marts' queries alone and a copy of the same files"
BENCH_MEMBERS=$members BENCH_YEARS=$years go test -tags duckdb_arrow ./reports/ -run '^$' -bench '^BenchmarkReports$' \
  -benchtime 1x -timeout 60m -v | grep -E '^Benchmark|reports:' | tee -a "$summary"

say "## member site: 400 operators x 5 activities x 3 years (2,422 pages, synthetic), beside os.WriteFile of the same files"
go test -tags duckdb_arrow ./site/ -run '^$' -bench '^BenchmarkSite$' -benchtime 1x -timeout 30m -v | grep -E '^Benchmark|site:' | sed 's/^/disk: /' | tee -a "$summary"
if [ -d /dev/shm ]; then
  BENCH_SITE_DIR=/dev/shm go test -tags duckdb_arrow ./site/ -run '^$' -bench '^BenchmarkSite$' -benchtime 1x -timeout 30m -v | grep -E '^Benchmark|site:' | sed 's/^/tmpfs: /' | tee -a "$summary"
fi

say "## the nightly run (full night, then one incremental night), seconds and peak RSS per stage"
./scripts/bench_run.sh "$summary"

say "## opsim memory as members grow (CSV)"
sizes="100 100000 1000000"
[ "${BENCH_LARGE:-0}" = 1 ] && sizes="$sizes 10000000"
for n in $sizes; do
  ./bin/huzhu opsim drop --members "$n" --years "$years" --operators 5 --format csv \
    --out "$work/mem" --answer-key - | sed "s/^/members=$n: /" | tee -a "$summary"
  rm -rf "$work/mem"
done
say "summary written to $summary"
