#!/usr/bin/env bash
# Import speed against the engine's own reference, side by side in one run (issue #15).
#
#   bash benches/import_reference.sh [LINES ...]      (default: 100000 1000000)
#   RUNS=5 bash benches/import_reference.sh           (each measurement 5 times; default 3)
#
# For each size it generates one log line per event, then times, on the same machine in the same run:
#   debrief   `debrief import --format log` of the log file, end to end (read, parse, clean, store),
#             release build, with its peak RSS;
#   reference the sqlite3 shell loading the same rows from a CSV into debrief's own schema (made by
#             `debrief new`: events, its three indexes, the FTS5 table and its trigger) in one
#             transaction: `.import` into a temporary table, then one INSERT … SELECT;
#   --dry-run the preview of the same file into an empty incident;
#   show      `debrief show` of the imported incident (its whole timeline), with its peak RSS;
#   show --json, export md, export json: the same incident's document, streamed.
# debrief and the reference run alternately, RUNS times each, each into a new database; the table
# gives the median, the range, and the ratio of the medians. The last line compares the largest
# size's median import with the smallest's (the cost should grow linearly).
# Needs sqlite3 and GNU time (apt-get install sqlite3 time). Nothing of this size runs in `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000 1000000}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})
runs=${RUNS:-3}
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/debrief
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Times one command: appends "seconds peak-KB" to the file named first.
timed() {
    local into=$1
    shift
    /usr/bin/time -f '%e %M' -o "$work/one.time" "$@" >/dev/null
    cat "$work/one.time" >>"$into"
}

# "median (min–max), peak MB" of a file of "seconds KB" lines.
summary() {
    python3 - "$1" <<'EOF'
import sys, statistics
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
s = sorted(r[0] for r in rows)
m = max(r[1] for r in rows) / 1024
spread = f" ({s[0]:.2f}–{s[-1]:.2f})" if len(s) > 1 else ""
print(f"{statistics.median(s):.2f} s{spread}, {m:.0f} MB")
EOF
}

median() {
    python3 -c "import sys, statistics; print(statistics.median(float(l.split()[0]) for l in open(sys.argv[1]) if l.strip()))" "$1"
}

echo "import speed, $runs runs each (median (range), peak RSS), $(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
first=""
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
    rm -f "$work"/*.times
    for _ in $(seq "$runs"); do
        rm -f "$work"/d.db* "$work"/r.db*
        "$bin" --db "$work/d.db" new bench --zone UTC >/dev/null
        "$bin" --db "$work/r.db" new bench --zone UTC >/dev/null
        timed "$work/d.times" "$bin" --db "$work/d.db" import -i 1 --format log "$work/in.log"
        timed "$work/r.times" sqlite3 "$work/r.db" <<EOF
PRAGMA synchronous=FULL;
BEGIN IMMEDIATE;
CREATE TEMP TABLE raw (at INTEGER, text TEXT, import_key TEXT);
.mode csv
.import $work/in.csv raw
INSERT INTO events (incident_id, at, kind, text, author, source, milestone, import_key)
  SELECT 1, at, 'observation', text, 'bench', 'file:in.log', NULL, import_key FROM raw;
COMMIT;
EOF
        rm -f "$work"/p.db*
        "$bin" --db "$work/p.db" new bench --zone UTC >/dev/null
        timed "$work/p.times" "$bin" --db "$work/p.db" import -i 1 --format log --dry-run "$work/in.log"
    done
    # The imported incident (the last run's), read back: once each, these do not compete.
    timed "$work/s.times" "$bin" --db "$work/d.db" show 1
    timed "$work/j.times" "$bin" --db "$work/d.db" show 1 --json
    timed "$work/m.times" "$bin" --db "$work/d.db" export 1 --format md -o "$work/out.md"
    timed "$work/e.times" "$bin" --db "$work/d.db" export 1 --format json -o "$work/out.json"
    ratio=$(python3 -c "print(f'{$(median "$work/d.times")} / {$(median "$work/r.times")} = {$(median "$work/d.times") / $(median "$work/r.times"):.2f}x')")
    echo
    echo "$n lines"
    echo "  debrief import      $(summary "$work/d.times")"
    echo "  sqlite3 reference   $(summary "$work/r.times")"
    echo "  ratio of medians    $ratio"
    echo "  --dry-run           $(summary "$work/p.times")"
    echo "  show                $(summary "$work/s.times")"
    echo "  show --json         $(summary "$work/j.times")"
    echo "  export md           $(summary "$work/m.times")"
    echo "  export json         $(summary "$work/e.times")"
    if [ -z "$first" ]; then
        first=$n
        first_median=$(median "$work/d.times")
    else
        echo "  import at $n / at $first: $(python3 -c "print(f'{$(median "$work/d.times") / $first_median:.1f}x')") (lines: $((n / first))x)"
    fi
done
