#!/usr/bin/env python3
"""Reads a PNG (8-bit RGB or RGBA, not interlaced: what Chromium's screenshots are) with
zlib alone and prints one JSON object: its size, how many distinct colours it has, and
how many pixels are within a small distance of each colour asked for.

  png_colours.py FILE [#rrggbb ...]
      -> {"width": W, "height": H, "distinct": N, "counts": {"#rrggbb": K, ...}}
"""
import json
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError("only 8-bit RGB/RGBA non-interlaced PNGs are read (got depth %d, colour type %d)" % (depth, colour_type))
    channels = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            upper_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
                line[x] = (line[x] + predictor) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def main():
    width, height, channels, rows = read_png(sys.argv[1])
    wanted = {name: tuple(int(name[i:i + 2], 16) for i in (1, 3, 5)) for name in sys.argv[2:]}
    counts = {name: 0 for name in wanted}
    distinct = set()
    for line in rows:
        for x in range(0, len(line), channels):
            pixel = (line[x], line[x + 1], line[x + 2])
            distinct.add(pixel)
            for name, colour in wanted.items():
                if all(abs(a - b) <= 12 for a, b in zip(pixel, colour)):
                    counts[name] += 1
    print(json.dumps({"width": width, "height": height, "distinct": len(distinct), "counts": counts}))


if __name__ == "__main__":
    main()
