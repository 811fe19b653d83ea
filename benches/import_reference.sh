#!/usr/bin/env bash
# Import speed against the engine's own reference, side by side in one run (issue #15).
#
#   bash benches/import_reference.sh [LINES ...]      (default: 100000 1000000)
#
# For each size it generates one log line per event, then times, on the same machine in the same run:
#   debrief   `debrief import --format log` of the log file, end to end (read, parse, clean, store),
#             release build, with its peak RSS;
#   reference the sqlite3 shell loading the same rows from a CSV into debrief's own schema (made by
#             `debrief new`: events, its three indexes, the FTS5 table and its trigger) in one
#             transaction: `.import` into a temporary table, then one INSERT … SELECT;
#   --dry-run the preview of the same file into an empty incident;
#   show      `debrief show` of the imported incident (its whole timeline), with its peak RSS.
# Needs sqlite3 and GNU time (apt-get install sqlite3 time). Nothing of this size runs in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000 1000000}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/debrief
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-10s %-10s %10s %10s %10s\n' lines what seconds "peak RSS" "ratio"
for n in "${sizes[@]}"; do
    python3 - "$n" "$work/in.log" "$work/in.csv" <<'EOF'
import sys, datetime
n, log, csv = int(sys.argv[1]), sys.argv[2], sys.argv[3]
base = datetime.datetime(2025, 11, 26, 10, 0, 0)
with open(log, "w") as f, open(csv, "w") as c:
    for i in range(n):
        t = base + datetime.timedelta(seconds=i)
        text = f"payments level=warn upstream timeout after 3000ms req={i}"
        f.write(f"{t:%Y-%m-%dT%H:%M:%SZ} {text}\n")
        ms = int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
        c.write(f"{ms},{text},k{i}\n")
EOF
    rm -f "$work"/d.db* "$work"/r.db*
    "$bin" --db "$work/d.db" new bench --zone UTC >/dev/null
    "$bin" --db "$work/r.db" new bench --zone UTC >/dev/null
    /usr/bin/time -f '%e %M' -o "$work/d.time" "$bin" --db "$work/d.db" import -i 1 --format log "$work/in.log" >/dev/null
    /usr/bin/time -f '%e %M' -o "$work/r.time" sqlite3 "$work/r.db" <<EOF
PRAGMA synchronous=FULL;
BEGIN IMMEDIATE;
CREATE TEMP TABLE raw (at INTEGER, text TEXT, import_key TEXT);
.mode csv
.import $work/in.csv raw
INSERT INTO events (incident_id, at, kind, text, author, source, milestone, import_key)
  SELECT 1, at, 'observation', text, 'bench', 'file:in.log', NULL, import_key FROM raw;
COMMIT;
EOF
    # The preview of the same file into an empty incident, and `show` of the imported one.
    rm -f "$work"/p.db*
    "$bin" --db "$work/p.db" new bench --zone UTC >/dev/null
    /usr/bin/time -f '%e %M' -o "$work/p.time" "$bin" --db "$work/p.db" import -i 1 --format log --dry-run "$work/in.log" >/dev/null
    /usr/bin/time -f '%e %M' -o "$work/s.time" "$bin" --db "$work/d.db" show 1 >/dev/null
    read -r ds dm <"$work/d.time"
    read -r rs rm_ <"$work/r.time"
    ratio=$(python3 -c "print(f'{$ds / $rs:.1f}x')")
    printf '%-10s %-10s %10s %8s MB %10s\n' "$n" debrief "$ds" "$((dm / 1024))" "$ratio"
    printf '%-10s %-10s %10s %8s MB\n' "$n" reference "$rs" "$((rm_ / 1024))"
    read -r ps pm <"$work/p.time"
    read -r ss sm <"$work/s.time"
    printf '%-10s %-10s %10s %8s MB\n' "$n" "--dry-run" "$ps" "$((pm / 1024))"
    printf '%-10s %-10s %10s %8s MB\n' "$n" "show" "$ss" "$((sm / 1024))"
done
