#!/usr/bin/env bash
# What a user sees of a checkout, written to files that can be compared byte for byte: run it
# before and after a change that must not change behaviour (a refactor), then
#   diff -r BEFORE AFTER          (or compare BEFORE.sha256 with AFTER.sha256)
#
# Usage: bench/snapshot.sh OUTDIR     (from any folder; uses the checkout's .venv and corpus)
#
# It loads corpus/pdfs and corpus/real into a fresh database (one worker, so rows are written in
# the same order every time), and corpus/published into another, then writes:
#   kpis.csv, kpis-wide.csv, programs.csv, issues.csv      export kpis [--wide] / programs / health-issues
#   published-*.csv                                        the same of the published layout
#   search-NN.json                                         search --json, twenty queries (words of two
#                                                          characters, phrases, OR, NOT, a prefix, filters)
#   search-by-*.json, compare.json, plans.json, info.json  search --by, compare, plans, info
#   table-*.csv                                            every table of the database (documents
#                                                          aside: load times, version; and FTS5's own)
# load.txt and load-published.txt (timings) are kept but left out of OUTDIR.sha256.
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
planex=.venv/bin/planex
rm -f "$out"/*
db="$out/snap.db"
published="$out/snap-published.db"
"$planex" load corpus/pdfs corpus/real --db "$db" --workers 1 > "$out/load.txt" 2>&1 || true
"$planex" load corpus/published --db "$published" --workers 1 > "$out/load-published.txt" 2>&1 || true

"$planex" export kpis --db "$db" --out "$out/kpis.csv" > /dev/null
"$planex" export kpis --db "$db" --out "$out/kpis-wide.csv" --wide > /dev/null
"$planex" export programs --db "$db" --out "$out/programs.csv" > /dev/null
"$planex" export health-issues --db "$db" --out "$out/issues.csv" > /dev/null
"$planex" export kpis --db "$published" --out "$out/published-kpis.csv" > /dev/null
"$planex" export programs --db "$published" --out "$out/published-programs.csv" > /dev/null
"$planex" export health-issues --db "$published" --out "$out/published-issues.csv" > /dev/null

queries=(
  健診 禁煙 歯科 受診勧奨 ジェネリック医薬品 '"重症化予防"' '"特定保健指導の実施率"' KPI
  '健診 -特定' '喫煙 OR 禁煙' 'NOT 被扶養者 特定健診' '(禁煙 OR 喫煙) 支援' 'メタボ*' ＫＰＩ
  インセンティブ コラボヘルス 医療費 保健師 ナッジ 事業所
)
filters=(
  "" "" "" "" "--branch 北海道" "" "" "--kind program,kpi" "" "" "" "" "" "--year 令和3"
  "--plan-type data_health_plan" "" "--section ジェネリック" "--insurer 共済組合" "" "--branch 大分"
)
for i in "${!queries[@]}"; do
  n=$(printf "%02d" $((i + 1)))
  # shellcheck disable=SC2086  # a filter is an option and its value
  "$planex" search "${queries[$i]}" ${filters[$i]} --db "$db" --json --limit 50 > "$out/search-$n.json" 2>&1 || true
done
"$planex" search 受診勧奨 --by branch --db "$db" --json > "$out/search-by-branch.json" 2>&1 || true
"$planex" search 禁煙 --by insurer --db "$db" --json > "$out/search-by-insurer.json" 2>&1 || true
"$planex" compare ジェネリック医薬品の使用促進 --db "$db" --json > "$out/compare.json" 2>&1 || true
"$planex" plans --db "$db" --json > "$out/plans.json"
"$planex" info --db "$db" --json > "$out/info.json"

# every table but documents (load times, version) and the FTS5 index's own (search_index*)
tables=$(sqlite3 "$db" "select name from sqlite_master where type = 'table' and name != 'documents'
  and name not like 'search_index%' and name not like 'sqlite_%' order by name")
for table in $tables; do
  order=$(sqlite3 "$db" "select group_concat(name, ',') from pragma_table_info('$table') where pk > 0")
  [ -n "$order" ] || order=rowid
  columns="*"
  [ "$table" = load_errors ] && columns="file_name, sha256, kind, message"  # not the time
  sqlite3 -csv -header "$db" "select $columns from $table order by $order" > "$out/table-$table.csv"
done

rm -f "$db" "$db"-wal "$db"-shm "$published" "$published"-wal "$published"-shm
( cd "$out" && sha256sum -- * | grep -v ' load' ) > "$out.sha256"
echo "snapshot in $out ($(wc -l < "$out.sha256") files, digests in $out.sha256)"
