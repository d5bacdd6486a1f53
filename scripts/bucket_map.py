#!/usr/bin/env python3
"""Derive `BUCKETS` in src/rules/suspects.rs: how the mojibake scan folds the
low six bits of a three-byte character into eight buckets.

The SIMD scan gives each lead byte whose characters can start GBK mojibake
(576 rare Han characters under E5-E9) a table of its own: 64 rows, by the
character's second byte, of eight bits, one per bucket of the third byte. It
flags a character when its bucket holds one of those characters. Tables of
even and odd groups (lead E5, E7, E9 and E6, E8 in that order) fold the third
byte each their own way. Folding neighbours together (bucket = bits 3-5)
flags 5.1 % of Han characters in Chinese text; folds chosen so that frequent
characters rarely share a bucket with one of those flag about 0.5 %, and the
scan tests fewer characters one by one.

The folds are fitted to general Chinese character frequencies (jieba's word
list, words weighted by their counts) by a seeded local search, then checked
on other text. Usage:

    pip download jieba --no-deps -d /tmp/jieba && tar xzf /tmp/jieba/jieba-*.tar.gz -C /tmp/jieba
    scripts/bucket_map.py /tmp/jieba/jieba-*/jieba/dict.txt [TEXT...]

prints the tables and, for each TEXT file, the share of Han characters flagged.
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


def lead(u):
    return 0xE0 | (u >> 12)


class Cells:
    """Which (group, row, bucket) cells hold a member, for a pair of folds."""

    def __init__(self, members):
        self.members = members
        self.group = {l: k for k, l in enumerate(sorted({lead(u) for u in members}))}

    def cell(self, folds, u):
        g = self.group.get(lead(u))
        if g is None:
            return None
        return (g, (u >> 6) & 63, folds[g & 1][u & 63])

    def flagged(self, folds, freq):
        taken = {self.cell(folds, u) for u in self.members}
        total = sum(freq.values())
        hit = sum(n for u, n in freq.items() if u not in self.members and self.cell(folds, u) in taken)
        return hit / total


def han_freq_of_text(path):
    f = collections.Counter()
    for ch in open(path, encoding="utf-8", errors="ignore").read():
        if 0x4E00 <= ord(ch) < 0xA000:
            f[ord(ch)] += 1
    return f


def main():
    cells = Cells(starters())
    freq = collections.Counter()
    for line in open(sys.argv[1], encoding="utf-8"):
        word, count = line.split()[:2]
        for ch in word:
            if 0x4E00 <= ord(ch) < 0xA000:
                freq[ord(ch)] += int(count)
    # only characters under a lead with a table can be flagged
    train = collections.Counter(
        dict((u, n) for u, n in freq.most_common(6000) if lead(u) in cells.group)
    )
    rng = random.Random(1)
    neighbours = [[x >> 3 for x in range(64)] for _ in range(2)]
    best = [f[:] for f in neighbours]
    score = cells.flagged(best, train)
    for _ in range(12000):
        h = [f[:] for f in best]
        for _ in range(1 if rng.random() < 0.7 else 2):
            h[rng.randrange(2)][rng.randrange(64)] = rng.randrange(8)
        s = cells.flagged(h, train)
        if s <= score:
            best, score = h, s
    print(f"groups: {', '.join(f'{l:X}' for l in cells.group)}")
    print(f"flagged, word list: {cells.flagged(neighbours, freq):.4f} -> {cells.flagged(best, freq):.4f}")
    for path in sys.argv[2:]:
        f = han_freq_of_text(path)
        print(f"flagged, {path}: {cells.flagged(neighbours, f):.4f} -> {cells.flagged(best, f):.4f}")
    print("const BUCKETS: [[u8; 64]; 2] = [")
    for fold in best:
        print("    [")
        for i in range(0, 64, 16):
            print("        " + ", ".join(str(x) for x in fold[i : i + 16]) + ",")
        print("    ],")
    print("];")


if __name__ == "__main__":
    main()
