#!/usr/bin/env python3
"""The Python `re` baseline: 12 substitutions of the same kinds, JSONL in and out.
Usage: re_baseline.py IN.jsonl OUT.jsonl"""
import json, re, sys

SUBS = [
    (re.compile(r"##paidbegin##|##paidend##|\$\$paidbegin\$\$|\$\$paidend\$\$"), ""),
    (re.compile(r"&ldquo;"), "“"),
    (re.compile(r"&rdquo;"), "”"),
    (re.compile(r"&amp;"), "&"),
    (re.compile(r"%2B"), "+"),
    (re.compile(r"[\u200b-\u200d\u2060\ufeff]"), ""),
    (re.compile(r"D(?=的二十大|员|建|支部|委)"), "党"),
    (re.compile(r"AAA(?=公众号|小程序)"), "微信"),
    (re.compile(r"^.*(?:素材库|文库|公众号|客服).*(?:联系|关注|上传|删除).*$", re.M), ""),
    (re.compile(r"^（以下为付费内容）$", re.M), ""),
    (re.compile(r"[ \t]+$", re.M), ""),
    (re.compile(r"\n{3,}"), "\n\n"),
]


def main():
    with open(sys.argv[1], encoding="utf-8") as fin, open(sys.argv[2], "w", encoding="utf-8") as fout:
        for line in fin:
            obj = json.loads(line)
            t = obj["text"]
            for rx, rep in SUBS:
                t = rx.sub(rep, t)
            obj["text"] = t
            fout.write(json.dumps(obj, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
