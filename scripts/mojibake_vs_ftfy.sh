#!/usr/bin/env bash
# Score ftfy (fix_encoding, in a virtual environment under target/) on the
# real-world mojibake cases of tests/data/mojibake-wild/cases.jsonl, beside
# docclean's own figures from tests/mojibake_wild.rs. Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/ftfy-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q ftfy
fi
"$venv/bin/python" - <<'PY'
import json, ftfy

def distance(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        cur = [i + 1]
        for j, cb in enumerate(b):
            cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (ca != cb)))
        prev = cur
    return prev[len(b)]

tally = {"repaired": 0, "partly repaired": 0, "left alone": 0, "made worse": 0}
want = got = 0
clean = changed = 0
for line in open("tests/data/mojibake-wild/cases.jsonl", encoding="utf-8"):
    c = json.loads(line)
    g, o = c["garbled"], c["original"]
    out = ftfy.fix_encoding(g)
    if c["expect"] == "clean":
        clean += 1
        if out != g:
            changed += 1
            print(f"  clean changed: {g!r} -> {out!r}")
        continue
    if out == o:
        k = "repaired"
    elif out == g:
        k = "left alone"
    elif distance(out, o) < distance(g, o):
        k = "partly repaired"
    else:
        k = "made worse"
    tally[k] += 1
    if c["expect"] == "repair":
        want += 1
        got += out == o
    if out != o:
        print(f"  {k} [{c['shape']}] {g!r} -> {out!r}")
total = sum(tally.values())
print(f"ftfy {ftfy.__version__}: {tally['repaired']}/{total} repaired, "
      f"{tally['partly repaired']} partly, {tally['left alone']} left alone, "
      f"{tally['made worse']} made worse; expected repairs {got}/{want}; "
      f"clean changed {changed}/{clean}")
PY
cargo test --release -q --test mojibake_wild -- --nocapture 2>&1 | grep -E "mojibake in the wild|made worse|panicked" || true
