#!/usr/bin/env bash
# The nightly run at scale: for each size in BENCH_RUN_MEMBERS (default
# "1000000 5000000"), a full first night from Parquet drops, then one
# incremental night fed a day's delta batch, with seconds and peak RSS per
# stage from the run manifests (kept as out/bench/run-{full,incremental}-N.json).
# Called by scripts/bench.sh; appends to the summary file given as $1
# (default: stdout only).
set -euo pipefail
cd "$(dirname "$0")/.."
summary=${1:-/dev/null}
years=${BENCH_YEARS:-3}
sizes=${BENCH_RUN_MEMBERS:-"1000000 5000000"}
mem=${BENCH_MEMORY_LIMIT:-5GB} # DuckDB's memory_limit; the process peaks about 2 GiB above it
work=$(mktemp -d /tmp/huzhu-bench-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
say() { echo "$*" | tee -a "$summary"; }
export HUZHU_PII_KEY=${HUZHU_PII_KEY:-bench-key-0123456789abcdef}
export HUZHU_SITE_KEY=${HUZHU_SITE_KEY:-$(printf '%064d' 7)}

# summarise prints one line per stage of a run manifest and the run's total.
summarise() {
  python3 - "$1" "$2" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
label = sys.argv[2]
total = 0.0
for s in m["stages"]:
    total += s["seconds"]
    print(f"{label} stage {s['name']:<10} {s['seconds']:8.1f} s  peak RSS {s.get('peak_rss_mib', 0):6d} MiB")
rows = sum(m.get("raw_rows_by_entity", {}).values())
print(f"{label} total {total:8.1f} s, {rows} rows loaded, peak RSS {m.get('peak_rss_mib', 0)} MiB, status {m['status']}")
print(f"TOTAL {total:.1f}")
PY
}

for n in $sizes; do
  dir="$work/$n"
  mkdir -p "$dir"
  say "## huzhu run at --members $n --years $years (5 operators, Parquet drops; memory_limit $mem, 2 threads)"
  ./bin/huzhu opsim drop --members "$n" --years "$years" --operators 5 --format parquet --as-of 2025-06-30 \
    --out "$dir/drops" --answer-key - | sed 's/^/  /' | tee -a "$summary"
  {
    printf 'warehouse = "w/h.duckdb"\nout = "out"\nmemory_limit = "%s"\nthreads = 2\n' "$mem"
    for d in "$dir"/drops/*/; do
      c=$(basename "$d")
      printf '[[source]]\noperator = "%s"\nkind = "files"\npath = "drops/%s"\n' "$c" "$c"
    done
    printf '[gates]\nmax_warnings = -1\n'
  } >"$dir/huzhu.toml"
  ./bin/huzhu run --config "$dir/huzhu.toml" >"$dir/full.out" 2>"$dir/full.err" || { tail -5 "$dir/full.err"; exit 1; }
  full=$(ls "$dir"/out/runs/*.json | tail -1)
  mkdir -p out/bench && cp "$full" "out/bench/run-full-$n.json"
  summarise "$full" "full n=$n" | grep -v '^TOTAL' | tee -a "$summary"
  tfull=$(summarise "$full" x | sed -n 's/^TOTAL //p')

  # The next night: the rows the operators changed that day. It starts
  # with the first night's files on disk (sync), as a night a day later
  # does: otherwise the kernel is still writing out the full run's
  # gigabyte while the night runs, which cost it 0.2-0.4 s at 1 M.
  ./bin/huzhu opsim drop --members "$n" --years "$years" --operators 5 --format parquet --as-of 2025-07-01 \
    --changed-since 2025-07-01 --out "$dir/drops" --answer-key - | sed 's/^/  delta: /' | tee -a "$summary"
  sync
  ./bin/huzhu run --config "$dir/huzhu.toml" >"$dir/inc.out" 2>"$dir/inc.err" || { tail -5 "$dir/inc.err"; exit 1; }
  inc=$(ls "$dir"/out/runs/*.json | tail -1)
  cp "$inc" "out/bench/run-incremental-$n.json"
  summarise "$inc" "incremental n=$n" | grep -v '^TOTAL' | tee -a "$summary"
  tinc=$(summarise "$inc" x | sed -n 's/^TOTAL //p')
  say "n=$n: incremental night ${tinc} s = $(python3 -c "print(f'{100*$tinc/$tfull:.1f}')") % of the full run's ${tfull} s (target < 5 %); full run target < 600 s at 5,000,000"
  du -sh "$dir/w" "$dir/out" | sed 's/^/  /' | tee -a "$summary"
  rm -rf "$dir"
done
