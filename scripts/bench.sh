#!/usr/bin/env bash
# End-to-end throughput of the docclean binary on a generated corpus, beside a
# Python `re` pipeline and (when installed) a ripgrep multi-pattern scan and ftfy;
# then the layouts users have besides plain shards: a tree of 20,100 small files
# (a third GBK or Big5) beside `cp -r`, legacy decoding detected and forced beside
# `iconv`, and a gzip shard in and out beside `gzip -6`.
# Each timed run writes into a fresh directory.
# Prints MB/s per core at -j1 (pinned to one core) and -jN, and the least CPU
# time (user + system) of each run's five tries.
#   scripts/bench.sh [MB] [FILES]   (default 100 MB per shard, 20100 tree files)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-100}
FILES=${2:-20100}
N=$(nproc)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --quiet
BIN=target/release/docclean
python3 scripts/gen_corpus.py "$WORK/in" --mb "$MB"

# Wall seconds of the fastest of five runs (this machine is shared and noisy:
# system time alone, zeroing fresh pages, varies by up to 0.3 s per 100 MB).
# The least CPU time (user + system) of the five goes to "$WORK/cpu" for `rate`:
# on a loaded machine it is the steadier figure.
# Each timed run writes into a fresh directory. The previous run's output is
# moved aside, not deleted: on ext4, creating files right after a tree of them
# was deleted costs up to 10× the system time (the freed inodes are still in
# the journal), for `cp -r` as for docclean, which drowned the figures. What is
# set aside is deleted at the end.
set_aside() {
  local d
  mkdir -p "$WORK/aside"
  for d in o1 oN f1 fN t1 tN cp; do
    if [ -e "$WORK/$d" ]; then mv "$WORK/$d" "$(mktemp -d "$WORK/aside/XXXXXX")/"; fi
  done
}
secs() {
  local best="" cpu="" t0 t1 i c
  for i in 1 2 3 4 5; do
    set_aside
    sync
    t0=$(date +%s.%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f "%U %S" -o "$WORK/time" "$@" >/dev/null 2>&1 || true
    else
      "$@" >/dev/null 2>&1 || true
    fi
    t1=$(date +%s.%N)
    best=$(python3 -c "import sys; t = $t1 - $t0; b = sys.argv[1]; print(t if not b else min(t, float(b)))" "$best")
    if [ -s "$WORK/time" ]; then
      c=$(tail -1 "$WORK/time" | awk '{print $1 + $2}')
      cpu=$(python3 -c "import sys; c = float(sys.argv[1]); b = sys.argv[2]; print(c if not b else min(c, float(b)))" "$c" "$cpu")
    fi
  done
  echo "${cpu:-?}" >"$WORK/cpu"
  echo "$best"
}
rate() { python3 -c "import sys; b=int(sys.argv[1]); s=float(sys.argv[2]); c=int(sys.argv[3]); cpu=sys.argv[4]; print(f'{b/1e6/s:8.1f} MB/s  {b/1e6/s/c:8.1f} MB/s/core  ({s:.2f} s, CPU {cpu} s)')" "$1" "$2" "$3" "$(cat "$WORK/cpu" 2>/dev/null || echo ?)"; }
# Pinned to one core where taskset exists (an array, not a function: `secs` runs
# its command under /usr/bin/time, which cannot call a shell function).
ONE=()
if command -v taskset >/dev/null; then ONE=(taskset -c 0); fi

printf '%-44s %s\n' "run" "throughput"
for shard in clean noisy; do
  f="$WORK/in/$shard.jsonl"; bytes=$(stat -c %s "$f")
  s=$(secs "${ONE[@]}" $BIN clean "$f" --out "$WORK/o1" -q -j 1); printf '%-44s %s\n' "docclean $shard.jsonl -j1 (one core)" "$(rate "$bytes" "$s" 1)"
  $BIN clean "$f" --out "$WORK/o1" -q -j 1 && cp "$WORK/o1/$shard.jsonl" "$WORK/one.jsonl"
  s=$(secs $BIN clean "$f" --out "$WORK/oN" -q -j "$N"); printf '%-44s %s\n' "docclean $shard.jsonl -j$N" "$(rate "$bytes" "$s" "$N")"
  $BIN clean "$f" --out "$WORK/oN" -q -j "$N"
  cmp -s "$WORK/one.jsonl" "$WORK/oN/$shard.jsonl" || echo "  output differs between -j1 and -j$N!"
  s=$(secs "${ONE[@]}" $BIN clean "$f" --out "$WORK/o1" -q -j 1 --ignore encoding.mojibake)
  printf '%-44s %s\n' "  the same without encoding.mojibake" "$(rate "$bytes" "$s" 1)"
  s=$(secs "${ONE[@]}" sh -c 'cat "$1" >"$2"' sh "$f" "$WORK/cat.jsonl"); printf '%-44s %s\n' "cat, $shard (the floor: read and write)" "$(rate "$bytes" "$s" 1)"
  s=$(secs python3 scripts/re_baseline.py "$f" "$WORK/re.jsonl"); printf '%-44s %s\n' "python re, 12 substitutions, $shard" "$(rate "$bytes" "$s" 1)"
  if command -v rg >/dev/null; then
    pats=(-e '##paid' -e '&[a-z]+;' -e '%2B' -e 'D的' -e 'D员' -e 'D建' -e 'AAA' -e '素材库' -e '公众号' -e '客服' -e '上传' -e '付费' -e '试读' -e '锟斤拷' -e '\x{200b}' -e '会员' -e '侵权' -e '文库' -e '【')
    # -c stops reading a line (a whole JSONL document) at its first match;
    # --count-matches finds every match, as a cleaner must
    s=$(secs "${ONE[@]}" rg -c "${pats[@]}" "$f")
    printf '%-44s %s\n' "ripgrep -c, 19 trigger patterns, $shard" "$(rate "$bytes" "$s" 1)"
    s=$(secs "${ONE[@]}" rg --count-matches "${pats[@]}" "$f")
    printf '%-44s %s\n' "ripgrep --count-matches, same, $shard" "$(rate "$bytes" "$s" 1)"
  fi
done
if python3 -c 'import ftfy' 2>/dev/null; then
  # ftfy is slow: time its default fix_text on the first 5 MB of the clean shard
  head -c 5000000 "$WORK/in/clean.jsonl" | head -n -1 >"$WORK/ftfy.jsonl"
  fbytes=$(stat -c %s "$WORK/ftfy.jsonl")
  s=$(secs "${ONE[@]}" python3 -c 'import sys, json, ftfy
for line in open(sys.argv[1], encoding="utf-8"):
    ftfy.fix_text(json.loads(line)["text"])' "$WORK/ftfy.jsonl")
  printf '%-44s %s\n' "ftfy fix_text (defaults), clean, 5 MB" "$(rate "$fbytes" "$s" 1)"
else
  echo "(ftfy not installed: pip install ftfy to time it beside docclean)"
fi
files_bytes=$(du -sb "$WORK/in/files" | cut -f1)
s=$(secs "${ONE[@]}" $BIN clean "$WORK/in/files" --out "$WORK/f1" -q -j 1); printf '%-44s %s\n' "docclean 2000 small files -j1 (one core)" "$(rate "$files_bytes" "$s" 1)"
s=$(secs $BIN clean "$WORK/in/files" --out "$WORK/fN" -q -j "$N"); printf '%-44s %s\n' "docclean 2000 small files -j$N" "$(rate "$files_bytes" "$s" "$N")"
peak=$(/usr/bin/time -f %M $BIN clean "$WORK/in/clean.jsonl" --out "$WORK/o1" -q -j "$N" 2>&1 | tail -1)
echo "peak RSS on the $MB MB clean shard: $((peak / 1024)) MB"

# A tree of small files, a third in legacy encodings.
python3 scripts/gen_corpus.py "$WORK/in" --tree "$FILES"
tree_bytes=$(du -sb "$WORK/in/tree" | cut -f1)
s=$(secs cp -r "$WORK/in/tree" "$WORK/cp"); printf '%-44s %s\n' "cp -r, $FILES-file tree" "$(rate "$tree_bytes" "$s" 1)"
s=$(secs "${ONE[@]}" $BIN clean "$WORK/in/tree" --out "$WORK/t1" -q -j 1); printf '%-44s %s\n' "docclean $FILES-file tree -j1 (one core)" "$(rate "$tree_bytes" "$s" 1)"
s=$(secs $BIN clean "$WORK/in/tree" --out "$WORK/tN" -q -j "$N"); printf '%-44s %s\n' "docclean $FILES-file tree -j$N" "$(rate "$tree_bytes" "$s" "$N")"

# Legacy decoding: the GBK files of the tree, detected and forced, and iconv's floor.
mkdir -p "$WORK/gbk"
# gen_corpus.py writes file i in GBK where i % 6 == 3
python3 -c 'import os, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
for d in sorted(os.listdir(src)):
    for n in sorted(os.listdir(os.path.join(src, d))):
        if int(n[3:8]) % 6 == 3:
            shutil.copy(os.path.join(src, d, n), dst)' "$WORK/in/tree" "$WORK/gbk"
gbk_bytes=$(du -sb "$WORK/gbk" | cut -f1)
s=$(secs "${ONE[@]}" $BIN clean "$WORK/gbk" --out "$WORK/f1" -q -j 1 --no-default-rules); printf '%-44s %s\n' "decode GBK files, detected, -j1" "$(rate "$gbk_bytes" "$s" 1)"
s=$(secs "${ONE[@]}" $BIN clean "$WORK/gbk" --out "$WORK/f1" -q -j 1 --no-default-rules --encoding gbk); printf '%-44s %s\n' "decode GBK files, --encoding gbk, -j1" "$(rate "$gbk_bytes" "$s" 1)"
s=$(secs "${ONE[@]}" sh -c 'for f in "$1"/*; do iconv -f gbk -t utf-8 "$f"; done >/dev/null' sh "$WORK/gbk"); printf '%-44s %s\n' "iconv -f gbk, one process per file" "$(rate "$gbk_bytes" "$s" 1)"

# A gzip shard in and out.
bytes=$(stat -c %s "$WORK/in/noisy.jsonl")
gzip -6 -c "$WORK/in/noisy.jsonl" >"$WORK/in/noisy.jsonl.gz"
s=$(secs "${ONE[@]}" $BIN clean "$WORK/in/noisy.jsonl.gz" --out "$WORK/o1" -q -j 1); printf '%-44s %s\n' "docclean noisy.jsonl.gz -j1 (one core)" "$(rate "$bytes" "$s" 1)"
s=$(secs $BIN clean "$WORK/in/noisy.jsonl.gz" --out "$WORK/oN" -q -j "$N"); printf '%-44s %s\n' "docclean noisy.jsonl.gz -j$N" "$(rate "$bytes" "$s" "$N")"
s=$(secs "${ONE[@]}" sh -c 'gzip -dc "$1" | gzip -6 >/dev/null' sh "$WORK/in/noisy.jsonl.gz"); printf '%-44s %s\n' "gzip -dc | gzip -6 (the floor of one core)" "$(rate "$bytes" "$s" 1)"
$BIN clean "$WORK/in/noisy.jsonl.gz" --out "$WORK/oN" -q -j "$N"
$BIN clean "$WORK/in/noisy.jsonl" --out "$WORK/f1" -q -j "$N"
echo "gzip output: docclean $(stat -c %s "$WORK/oN/noisy.jsonl.gz") bytes, gzip -6 of the same text $(gzip -6 -c "$WORK/f1/noisy.jsonl" | wc -c) bytes"
