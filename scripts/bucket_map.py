#!/usr/bin/env python3
"""Derive `BUCKET` in src/rules/suspects.rs: how the mojibake scan folds the low
six bits of a three-byte character into eight buckets.

The scan flags a character when its bucket, in its row of 64 code points, holds
a character that can start GBK mojibake (576 rare Han characters). Folding
neighbours together (bucket = bits 3-5) flags 5.5 % of Han in Chinese text;
a fold chosen so that frequent characters rarely share a bucket with one of
those flags about 1.2 %, and the scan tests fewer characters one by one.

The fold is fitted to general Chinese character frequencies (jieba's word list,
words weighted by their counts) by a seeded local search, then checked on
other text. Usage:

    pip download jieba --no-deps -d /tmp/jieba && tar xzf /tmp/jieba/jieba-*.tar.gz -C /tmp/jieba
    scripts/bucket_map.py /tmp/jieba/jieba-*/jieba/dict.txt [TEXT...]

prints the table and, for each TEXT file, the share of Han characters flagged.
"""
import collections
import random
import sys


def starters():
    """Han characters whose GBK bytes are a UTF-8 lead (E2-E9, EF) and continuation."""
    out = set()
    for u in range(0x4E00, 0xA000):
        try:
            g = chr(u).encode("gbk")
        except UnicodeEncodeError:
            continue
        if len(g) == 2 and (0xE2 <= g[0] <= 0xE9 or g[0] == 0xEF) and 0x80 <= g[1] <= 0xBF:
            out.add(u)
    return out


def flagged(h, freq, rows, members):
    total = sum(freq.values())
    hit = 0
    for u, n in freq.items():
        r = rows.get(u >> 6)
        if r and u not in members and h[u & 63] in {h[m] for m in r}:
            hit += n
    return hit / total


def han_freq_of_text(path):
    f = collections.Counter()
    for ch in open(path, encoding="utf-8", errors="ignore").read():
        if 0x4E00 <= ord(ch) < 0xA000:
            f[ord(ch)] += 1
    return f


def main():
    members = starters()
    rows = collections.defaultdict(set)
    for u in members:
        rows[u >> 6].add(u & 63)
    freq = collections.Counter()
    for line in open(sys.argv[1], encoding="utf-8"):
        word, count = line.split()[:2]
        for ch in word:
            if 0x4E00 <= ord(ch) < 0xA000:
                freq[ord(ch)] += int(count)
    train = collections.Counter(dict(freq.most_common(6000)))
    rng = random.Random(1)
    best = [x >> 3 for x in range(64)]
    score = flagged(best, train, rows, members)
    for _ in range(12000):
        h = best[:]
        h[rng.randrange(64)] = rng.randrange(8)
        if rng.random() < 0.3:
            h[rng.randrange(64)] = rng.randrange(8)
        s = flagged(h, train, rows, members)
        if s <= score:
            best, score = h, s
    neighbours = [x >> 3 for x in range(64)]
    print(f"flagged, word list: {flagged(neighbours, freq, rows, members):.4f} -> {flagged(best, freq, rows, members):.4f}")
    for path in sys.argv[2:]:
        f = han_freq_of_text(path)
        print(f"flagged, {path}: {flagged(neighbours, f, rows, members):.4f} -> {flagged(best, f, rows, members):.4f}")
    print("const BUCKET: [u8; 64] = [")
    for i in range(0, 64, 16):
        print("    " + ", ".join(str(x) for x in best[i : i + 16]) + ",")
    print("];")


if __name__ == "__main__":
    main()
