#!/usr/bin/env python3
"""Draws the text viewer's icon (64x64 RGBA PNG) into package/resources/icon.png.

A white page with a folded corner, a grey line-number gutter, lines of "text" and a
scroll bar. Standard library only (zlib + struct), so the icon is reproducible:
    python3 examples/text-viewer/make_icon.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from icon_png import write_icon  # noqa: E402

W = H = 64
PAGE = (0xFB, 0xFB, 0xF8, 255)
EDGE = (0x8A, 0x92, 0x9B, 255)
GUTTER = (0xE1, 0xE4, 0xE8, 255)
NUMBER = (0x9A, 0xA1, 0xAA, 255)
TEXT = (0x33, 0x3A, 0x44, 255)
THUMB = (0x3B, 0x82, 0xF6, 255)
FOLD = (0xD5, 0xD9, 0xDE, 255)

px = [[(0, 0, 0, 0)] * W for _ in range(H)]


def fill(x0, y0, x1, y1, c):
    for y in range(y0, y1):
        for x in range(x0, x1):
            px[y][x] = c


# The page, its outline, and a folded top-right corner.
fill(8, 4, 56, 60, PAGE)
fill(8, 4, 56, 5, EDGE)
fill(8, 59, 56, 60, EDGE)
fill(8, 4, 9, 60, EDGE)
fill(55, 4, 56, 60, EDGE)
for i in range(10):
    for x in range(55 - i, 56):
        px[4 + i][x] = (0, 0, 0, 0)
    for x in range(46, 55 - i):
        px[4 + i][x] = FOLD if x >= 46 + i else px[4 + i][x]
    px[4 + i][55 - i] = EDGE
fill(46, 13, 55, 14, EDGE)
fill(46, 4, 47, 14, EDGE)
# Gutter with line numbers, text lines of varying length, a scroll bar.
fill(9, 5, 17, 59, GUTTER)
lengths = [26, 20, 24, 12, 0, 25, 22, 18, 25, 14]
for row, n in enumerate(lengths):
    y = 10 + row * 5
    fill(12, y, 15, y + 2, NUMBER)
    if n:
        fill(20, y, 20 + n if y > 14 else min(20 + n, 44), y + 2, TEXT)
fill(50, 18, 53, 58, GUTTER)
fill(50, 20, 53, 34, THUMB)


write_icon(__file__, px)
