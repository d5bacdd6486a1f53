#!/usr/bin/env bash
# PySpark (local mode) pipes a JSONL dataset through docclean; the result must
# equal a local run byte for byte. Under CI this fails, never skips, when
# anything it needs is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "spark test: $*" >&2; exit 1; }
command -v java >/dev/null || fail "java not found (PySpark needs Java 17)"
VENV=target/spark-venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import pyspark" 2>/dev/null; then
  python3 -m venv "$VENV" || fail "cannot create a virtual environment"
  "$VENV/bin/pip" install -q pyspark || fail "cannot install pyspark"
fi
cargo build --release --quiet
BIN=$(pwd)/target/release/docclean
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 scripts/gen_corpus.py "$WORK/gen" --mb 2
# a dataset with noisy lines, untouched lines and lines docclean passes through
{ cat "$WORK/gen/noisy.jsonl"; head -n 200 "$WORK/gen/clean.jsonl"; cat samples/input/shards/part-0001.jsonl; } > "$WORK/data.jsonl"
"$BIN" clean "$WORK/data.jsonl" --out "$WORK/local" -q
export SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$VENV/bin/python"
"$VENV/bin/python" tests/spark/pipe_job.py "$BIN" "$WORK/data.jsonl" "$WORK/spark" || fail "the Spark job failed"
cat "$WORK"/spark/part-* > "$WORK/spark.jsonl"
lines=$(wc -l < "$WORK/local/data.jsonl")
if cmp -s "$WORK/local/data.jsonl" "$WORK/spark.jsonl"; then
  echo "spark test: 1 passed, 0 failed ($lines lines identical to the local run)"
else
  diff <(head -c 2000 "$WORK/local/data.jsonl") <(head -c 2000 "$WORK/spark.jsonl") | head -20 >&2 || true
  echo "spark test: 0 passed, 1 failed"
  exit 1
fi
