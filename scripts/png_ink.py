#!/usr/bin/env python3
"""Check that a PNG screenshot shows something: prints its size and the share
of pixels that differ from its most common colour (the background), and exits
1 when that share is below a threshold (a blank or failed render).

usage: png_ink.py FILE [MIN_SHARE]   (MIN_SHARE defaults to 0.01)
"""
import collections
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, width = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            if depth != 8 or colour not in (2, 6):
                raise SystemExit(f"{path}: only 8-bit RGB or RGBA is read")
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def main():
    path = sys.argv[1]
    least = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
    width, height, bpp, rows = pixels(path)
    counts = collections.Counter()
    for row in rows:
        for x in range(0, len(row), bpp):
            counts[row[x : x + 3]] += 1
    total = width * height
    ink = 1 - counts.most_common(1)[0][1] / total
    print(f"{path}: {width}x{height}, {len(counts)} colours, {ink:.1%} not background")
    if ink < least:
        print(f"{path}: looks blank (under {least:.1%} of pixels drawn)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
