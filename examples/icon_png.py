"""Writes an app icon: `px` (rows of (r, g, b, a) tuples) as an RGBA8 PNG into the calling
example's package/resources/icon.png. Shared by the examples' make_icon.py scripts (no PIL
needed: zlib + struct)."""

import os
import struct
import zlib


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def write_icon(script, px):
    """`script` is the caller's __file__; the icon goes beside it in package/resources/."""
    h, w = len(px), len(px[0])
    raw = b"".join(b"\0" + bytes(v for p in row for v in p) for row in px)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )
    out = os.path.join(os.path.dirname(os.path.abspath(script)), "package/resources/icon.png")
    with open(out, "wb") as f:
        f.write(png)
    print(f"wrote {out} ({len(png)} bytes)")
