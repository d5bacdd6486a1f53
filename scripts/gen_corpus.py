#!/usr/bin/env python3
"""Generate a seed-shaped Chinese corpus for benchmarks.

Usage: gen_corpus.py OUTDIR [--mb N] [--tree N]
Writes OUTDIR/clean.jsonl and OUTDIR/noisy.jsonl (N MB each, default 100) and
OUTDIR/files/ (2,000 small noisy text files). Paragraphs come from
../shared/seed when it exists, else from a built-in sample.
With --tree N, writes only OUTDIR/tree/: N files of about 7 KB in 100 folders,
a third of them in legacy encodings (GBK, and Big5 for traditional-script text
taken from ../shared/clean-corpus where it exists).
"""
import argparse
import json, os, random

BUILTIN = [
    "　　一年来，在区委、区政府的正确领导下，中共揭东区中德工委坚持以新时代中国特色社会主义思想为指导，围绕学习宣传贯彻党的二十大精神这条主线，广泛践行社会主义核心价值观，加强文明培育、深化文明实践、推动文明创建，着力提高全社会文明程度。",
    "一是开展重污染天气消除攻坚行动。持续开展重污染天气应急减排清单编制工作，对39个重点行业开展重污染天气重点行业绩效分级，实施差异化减排。完成1家36.5蒸吨燃煤锅炉超低排放改造，PM2.5平均浓度为24.9微克/立方米。",
    "构建和谐劳动关系。畅通投诉渠道，细化欠薪案件现场处置流程，妥善解决欠薪问题。受理劳动争议案件202件，调解率达60%以上，时效内结案率达到100%。",
    "二、存在的主要问题",
]
NOISE = [
    lambda p: p.replace("党", "D", 3),
    lambda p: p.replace("“", "&ldquo;").replace("”", "&rdquo;"),
    lambda p: p[:20] + "##paidbegin##" + p[20:],
    lambda p: p.replace("+", "%2B") + "  ",
    lambda p: p[:10] + "\u200b" + p[10:],
    lambda p: p[:8] + p[8:30].encode("utf-8").decode("gbk", errors="replace") + p[30:],
]
ADS = [
    "【某某素材库】——每天更新材料1000多篇内部高质量素材，会员群+网盘群同步每日更新，有意加入请联系：1 4367，：9 649564",
    "更多精品材料请关注微信公众号：某某材料库，每日更新1000篇。",
    "本文档由某某文库用户上传，仅供学习交流使用，如有侵权请联系删除。",
]


def paragraphs():
    seed = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "seed")
    paras = []
    if os.path.isdir(seed):
        for name in sorted(os.listdir(seed)):
            text = open(os.path.join(seed, name), encoding="utf-8").read()
            text = text.replace("D", "党").replace("AAA", "微信").replace("%2B", "+")
            paras += [l for l in text.split("\n") if len(l) > 40 and "素材库" not in l and "代笔" not in l and "##" not in l]
    return paras or BUILTIN


def doc(rng, paras, noisy):
    lines = [rng.choice(paras) for _ in range(8)]
    if noisy:
        lines = [rng.choice(NOISE)(l) if rng.random() < 0.5 else l for l in lines]
        lines.append(rng.choice(ADS))
    return "\n".join(lines)


def traditional():
    """Paragraphs that Big5 can encode (traditional-script text), if any."""
    root = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "clean-corpus")
    paras = []
    for dirpath, _, names in sorted(os.walk(root)):
        for name in sorted(names):
            try:
                text = open(os.path.join(dirpath, name), encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            for l in text.split("\n"):
                if len(l) > 40 and not l.isascii():
                    try:
                        l.encode("big5")
                    except UnicodeEncodeError:
                        continue
                    if any(c in l for c in "們這說來時國會"):
                        paras.append(l)
    return paras


def tree(out, n, rng, paras):
    big5 = traditional()
    for i in range(n):
        d = os.path.join(out, "tree", f"d{i % 100:03d}")
        os.makedirs(d, exist_ok=True)
        kind = i % 6
        if kind == 1 and big5:
            text = "\n".join(rng.choice(big5) for _ in range(60))[:2400] + "\n"
            data = text.encode("big5")
        else:
            text = "\n".join(doc(rng, paras, i % 2 == 0) for _ in range(3))[:2400] + "\n"
            data = text.encode("gbk", errors="replace") if kind in (1, 3) else text.encode()
        with open(os.path.join(d, f"doc{i:05d}.txt"), "wb") as f:
            f.write(data)


def main():
    ap = argparse.ArgumentParser(description="Generate a seed-shaped Chinese corpus for benchmarks.")
    ap.add_argument("outdir")
    ap.add_argument("--mb", type=int, default=100, help="MB per JSONL shard (default 100)")
    ap.add_argument("--tree", type=int, metavar="N", help="write a tree of N small files instead")
    args = ap.parse_args()
    out = args.outdir
    if args.tree is not None:
        tree(out, args.tree, random.Random(2), paragraphs())
        return
    mb = args.mb
    rng = random.Random(1)
    paras = paragraphs()
    os.makedirs(os.path.join(out, "files"), exist_ok=True)
    for name, noisy in (("clean.jsonl", False), ("noisy.jsonl", True)):
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            size, i = 0, 0
            while size < mb * 1_000_000:
                line = json.dumps({"id": i, "text": doc(rng, paras, noisy), "src": "bench"}, ensure_ascii=False) + "\n"
                f.write(line)
                size += len(line.encode())
                i += 1
    for i in range(2000):
        with open(os.path.join(out, "files", f"doc{i:05d}.txt"), "w", encoding="utf-8") as f:
            f.write(doc(rng, paras, True) + "\n")


if __name__ == "__main__":
    main()
