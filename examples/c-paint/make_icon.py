#!/usr/bin/env python3
"""Draws Paint's icon (64x64 RGBA PNG) into package/resources/icon.png: a white
canvas with three colourful brush strokes and a dark palette bar on top. Standard
library only (zlib + struct), so the icon is reproducible:
    python3 examples/c-paint/make_icon.py
"""
import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from icon_png import write_icon  # noqa: E402

W = H = 64
px = [[(0, 0, 0, 0)] * W for _ in range(H)]


def fill(x0, y0, x1, y1, c):
    for y in range(y0, y1):
        for x in range(x0, x1):
            px[y][x] = c


def disc(cx, cy, r, c):
    for y in range(int(cy - r), int(cy + r) + 1):
        for x in range(int(cx - r), int(cx + r) + 1):
            if 0 <= x < W and 0 <= y < H and (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                px[y][x] = c


fill(4, 4, 60, 60, (0x8A, 0x92, 0x9B, 255))
fill(5, 5, 59, 59, (0xFF, 0xFF, 0xFF, 255))
fill(5, 5, 59, 15, (0x2C, 0x2E, 0x38, 255))
colours = [(0xE5, 0x39, 0x35, 255), (0xFD, 0xD8, 0x35, 255), (0x43, 0xA0, 0x47, 255),
           (0x1E, 0x88, 0xE5, 255)]
for i, c in enumerate(colours):
    fill(8 + i * 9, 7, 14 + i * 9, 13, c)
# Three waves, like strokes drawn with the mouse.
for i, c in enumerate([colours[0], colours[2], colours[3]]):
    for t in range(0, 400):
        x = 10 + t * 44 / 400
        y = 26 + i * 11 + 4 * math.sin(t / 400 * 2 * math.pi * 1.5 + i)
        disc(x, y, 2.6, c)


write_icon(__file__, px)
