#!/usr/bin/env python3
"""Write tests/data/mojibake-wild/cases.jsonl: garbled strings in the shapes
people post (see tests/data/mojibake-wild/SOURCES.md), made from original text
written for this file by the same process that garbled the real ones.

Each case: shape, expect (repair | leave | clean), garbled, original.
`repair`: the original can be recovered and should be; `leave`: information
was lost or the decoder is not one the tool knows, the string should not be
made worse; `clean`: real text that looks like mojibake and must not change.
Run from the repository root: python3 scripts/mojibake_wild_cases.py
"""
import json
import pathlib

UNDEF_1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def sloppy_1252(b: bytes) -> str:
    """Windows-1252 as browsers read it: undefined bytes become C1 controls."""
    return "".join(chr(x) if x in UNDEF_1252 else bytes([x]).decode("cp1252") for x in b)


def as_1252(s: str) -> str:
    return sloppy_1252(s.encode("utf-8"))


def drop_c1(s: str) -> str:
    """A copy-paste that drops the control characters."""
    return "".join(c for c in s if not 0x80 <= ord(c) <= 0x9F)


def c1_to_qmark(s: str) -> str:
    """Saved back as Windows-1252: the controls it cannot encode become `?`."""
    return "".join("?" if 0x80 <= ord(c) <= 0x9F else c for c in s)


def nbsp_to_space(s: str) -> str:
    return s.replace("\u00a0", " ")


def cp936(b: bytes, lost: str) -> str:
    """GBK as Windows and browsers read it: 0x80 is the euro sign, the
    user-defined rows decode (to private use), an invalid pair loses its lead."""
    out, i = [], 0
    while i < len(b):
        x = b[i]
        if x < 0x80:
            out.append(chr(x))
            i += 1
        elif x == 0x80:
            out.append("\u20ac")
            i += 1
        elif x < 0xFF and i + 1 < len(b) and 0x40 <= b[i + 1] <= 0xFE and b[i + 1] != 0x7F:
            out.append(b[i : i + 2].decode("gb18030"))
            i += 2
        else:
            out.append(lost)
            i += 1
    return "".join(out)


def as_gbk(s: str, lost: str = "\ufffd") -> str:
    """UTF-8 read as GBK; an invalid pair loses a byte (U+FFFD, or `?` as
    Java and Windows consoles print it)."""
    return cp936(s.encode("utf-8"), lost)


def as_gbk_strict(s: str) -> str:
    """UTF-8 read by Python's stricter `gbk` codec, which loses more bytes."""
    return s.encode("utf-8").decode("gbk", errors="replace")


def as_latin1(s: str) -> str:
    return s.encode("utf-8").decode("latin-1")


def kunjinkao(s: str) -> str:
    """Text that went through U+FFFD first (every byte lost), then GBK: 锟斤拷."""
    b = s.encode("utf-8")
    lossy = b.decode("ascii", errors="replace").encode("utf-8")
    return lossy.decode("gbk", errors="replace")


def sjis_as_1252(s: str) -> str:
    return sloppy_1252(s.encode("shift_jis"))


def gbk_as_437(s: str) -> str:
    """A zip file name written in GBK, listed as code page 437."""
    return s.encode("gbk").decode("cp437")


CASES = []


def add(shape, expect, garbled, original):
    CASES.append({"shape": shape, "expect": expect, "garbled": garbled, "original": original})


def add_gbk(shape, t):
    """Python's GBK decoder loses the bytes of invalid pairs (a 0x80 lead, the
    user-defined rows): such a case is lossy, and not expected to come back whole."""
    g = as_gbk(t)
    if "\ufffd" in g:
        add(shape + "-lossy", "leave", g, t)
    else:
        add(shape, "repair", g, t)
    # The private-use characters of the user-defined rows show as nothing and
    # vanish on copy-paste (`涓枃.txt`): two bytes are gone without a trace.
    pua = "".join(c for c in g if not 0xE000 <= ord(c) <= 0xF8FF)
    if pua != g:
        add(shape + "-pua-dropped", "leave", pua, t)


# UTF-8 read as GBK, whole lines (console output, logs, pasted posts)
for t in [
    "我们明天下午三点开会，请准时参加。",
    "这个文件的编码有问题，请重新保存",
    "用户名或密码错误",
    "报告已经提交，谢谢大家的支持！",
    "下载完成，正在解压文件",
    "应对特殊时期的应急物资清单v1.2.pdf",
]:
    add_gbk("gbk", t)

# The same read by a strict decoder that lost bytes inside the run
for t in ["我们明天下午三点开会，请准时参加。", "会议纪要.docx", "下载完成，正在解压文件"]:
    add("gbk-strict-lossy", "leave", as_gbk_strict(t), t)

# Short file names and two-word strings read as GBK
for t in ["中文.txt", "会议纪要.docx", "项目说明.md", "测试数据.csv", "你好", "新建文本文档.txt", "数据/报告.pdf"]:
    add_gbk("gbk-short", t)

# GBK with a lost byte at the end of a run, printed as `?` (consoles, javac)
for t in ["编译错误：找不到符号", "发送成功", "文件不存在", "请输入密码：", "正在连接服务器。"]:
    g = as_gbk(t, "?")
    if "?" in g:
        add("gbk-lost-qmark", "leave", g, t)
# and as U+FFFD (Python's errors="replace", browsers)
for t in ["发送成功", "文件不存在", "请稍候，", "上传完毕。"]:
    g = as_gbk(t)
    if "\ufffd" in g or any(0xE000 <= ord(c) <= 0xF8FF for c in g):
        add("gbk-lost-fffd", "repair" if t[-1] in "，。" else "leave", g, t)

# 锟斤拷: U+FFFD written as UTF-8, read as GBK; nothing is left to recover
for t in ["中文", "乱码测试"]:
    add("kunjinkao", "leave", kunjinkao(t), t)

# UTF-8 read as Windows-1252: accents, curly quotes, dashes, Chinese
for t in [
    "Café au lait, s’il vous plaît",
    "Midi-Pyrénées, France",
    "Müller & Söhne GmbH",
    "“Quoted text” — with a dash…",
    "it’s yesterday’s news",
    "Price: 5 € • shipping free",
    "中文文件",
    "Crème brûlée à la française",
]:
    add("cp1252", "repair", as_1252(t), t)

# Windows-1252 mojibake whose undefined bytes (C1 controls) a copy-paste dropped
for t, expect in [
    ("He said “yes” and left.", "repair"),
    ("“Hello world”", "repair"),
    ("Álvaro Núñez", "leave"),
    ("Íñigo López", "leave"),
    ("发送成功", "leave"),
]:
    g = drop_c1(as_1252(t))
    add("cp1252-c1-dropped", expect, g, t)

# Windows-1252 mojibake saved again as Windows-1252: controls became `?`
for t in ["She wrote “thanks” twice.", "“Done”"]:
    add("cp1252-c1-qmark", "leave", c1_to_qmark(as_1252(t)), t)
# both curly-quote bytes lost (`â??`): one of a thousand characters
add("cp1252-lost-qmark", "leave", "They say, â??Let it beâ??", "They say, “Let it be”")

# UTF-8 read as Latin-1: C1 controls stay in the text
for t in ["Finishing • Polished chrome", "“Smart” quotes", "Ação rápida"]:
    add("latin1-c1", "repair", as_latin1(t), t)

# An NBSP after Ã or Â that became a plain space
for t in [
    "Prix\u00a0: 20\u00a0€",
    "10\u00a0km à pied",
    "voilà le résultat",
    "Hôtel\u00a0de\u00a0Ville",
    "Voltamos àquela casa",
    "On voit à quel point",
]:
    add("nbsp-space", "repair", nbsp_to_space(as_1252(t)), t)

# Double mojibake (UTF-8 read as Windows-1252 twice)
for t in ["Pyrénées", "中文", "Ångström", "naïve café"]:
    add("double", "repair", as_1252(as_1252(t)), t)

# Half-repaired lines: part fixed already, part still garbled
add("half-repaired", "repair", "会议纪要（" + as_gbk("第二版") + "）", "会议纪要（第二版）")
add("half-repaired", "repair", "Café and " + as_1252("Café") + " on one line", "Café and Café on one line")
add("half-repaired", "repair", "文件：" + as_gbk("项目说明") + ".md", "文件：项目说明.md")

# Decoders the tool does not know: Shift-JIS read as Windows-1252, GBK zip names as cp437
for t in ["ビューで敵を表示する", "東京の天気"]:
    add("sjis-as-1252", "leave", sjis_as_1252(t), t)
for t in ["新建文件夹", "会议记录.doc"]:
    add("gbk-as-cp437", "leave", gbk_as_437(t), t)

# Real text that looks like mojibake and must not change
for t in [
    "繁體中文的檔案說明",
    "這個問題已經解決了",
    "電腦軟體開發",
    "錦繡山河，閱讀報告",
    "这是什么?",
    "真的吗?好的",
    "在哪里??",
    "SÃO PAULO",
    "JOÃO E MARIA",
    "Não, obrigado. Ações e opções.",
    "Âge d'or, ÂME",
    "CRÈME BRÛLÉE",
    "Øresund Å",
    "Größe: 10 µm",
    "© 2020 ® ™ ±5 °C ½",
    "¿Qué? ¡Hola!",
    "“Quoted” — text…",
    "€5 • £3",
    "Nguyễn Thị Ánh, Đà Nẵng",
    "Привет, мир",
    "Καλημέρα",
    "東京で会いましょう",
    "数据.txt",
    "報告.docx",
    "10\u00a0km",
    "Ð is a letter, þ too",
    "ª º « »",
]:
    add("clean", "clean", t, t)

out = pathlib.Path("tests/data/mojibake-wild/cases.jsonl")
with out.open("w", encoding="utf-8") as f:
    for c in CASES:
        f.write(json.dumps(c, ensure_ascii=True) + "\n")
print(f"{len(CASES)} cases → {out}")
