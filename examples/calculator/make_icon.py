#!/usr/bin/env python3
"""Draws the calculator's icon (64x64 RGBA PNG) into package/resources/icon.png.

A dark rounded body, a pale display with "=" marks, and a 4x4 keypad whose right
column is orange. Standard library only (zlib + struct), so the icon is reproducible:
    python3 examples/calculator/make_icon.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from icon_png import write_icon  # noqa: E402

W = H = 64
BODY = (0x2C, 0x2E, 0x38, 255)
DISPLAY = (0xC8, 0xE6, 0xC9, 255)
DIGITS = (0x1E, 0x3A, 0x24, 255)
KEY = (0x5A, 0x5E, 0x6E, 255)
OP = (0xF5, 0x9E, 0x0B, 255)
EQ = (0x3B, 0x82, 0xF6, 255)

px = [[(0, 0, 0, 0)] * W for _ in range(H)]


def rounded(x0, y0, x1, y1, r, c):
    """Fills [x0, x1) x [y0, y1) with corners of radius r."""
    for y in range(y0, y1):
        for x in range(x0, x1):
            cx = min(max(x + 0.5, x0 + r), x1 - r)
            cy = min(max(y + 0.5, y0 + r), y1 - r)
            if (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r:
                px[y][x] = c


rounded(6, 2, 58, 62, 7, BODY)
rounded(11, 7, 53, 21, 3, DISPLAY)
# Digits on the display: three small bars like "888" segments, right-aligned.
for i in range(3):
    x = 34 + i * 6
    for y in range(10, 18):
        px[y][x] = px[y][x + 3] = DIGITS
    for xx in range(x, x + 4):
        px[10][xx] = px[14][xx] = px[17][xx] = DIGITS
# Keypad: 4 x 4 keys of 9 x 7 px with 3 px gaps.
for row in range(4):
    for col in range(4):
        x0 = 11 + col * 11
        y0 = 25 + row * 9
        c = OP if col == 3 else KEY
        if col == 3 and row == 3:
            c = EQ
        rounded(x0, y0, x0 + 9, y0 + 7, 2, c)


write_icon(__file__, px)
