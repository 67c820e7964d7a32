#!/usr/bin/env python3
"""Draws the Kinvault icon (a small family tree on a rounded square) as RGBA PNGs in icons/.

Pure standard library so it runs anywhere; rerun after changing the drawing."""
import math, os, struct, zlib

def png(path, size, pixel):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            row += bytes(pixel(x / size, y / size, 1.0 / size))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    data += chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)

def cover(d, px):
    """Anti-aliased coverage for signed distance d (negative inside)."""
    return max(0.0, min(1.0, 0.5 - d / px))

def seg(px, py, ax, ay, bx, by):
    vx, vy, wx, wy = bx - ax, by - ay, px - ax, py - ay
    t = max(0.0, min(1.0, (wx * vx + wy * vy) / (vx * vx + vy * vy)))
    return math.hypot(px - (ax + t * vx), py - (ay + t * vy))

NODES = [(0.5, 0.27), (0.3, 0.52), (0.7, 0.52), (0.2, 0.76), (0.4, 0.76), (0.7, 0.76)]
EDGES = [(0, 1), (0, 2), (1, 3), (1, 4), (2, 5)]

def pixel(x, y, px):
    # Rounded square background.
    r = 0.2
    qx, qy = abs(x - 0.5) - (0.5 - r - 0.02), abs(y - 0.5) - (0.5 - r - 0.02)
    d_bg = math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - r
    a_bg = cover(d_bg, px)
    bg = (0x1F, 0x5C, 0x4D)
    d_line = min(seg(x, y, *NODES[a], *NODES[b]) for a, b in EDGES) - 0.022
    d_node = min(math.hypot(x - nx, y - ny) for nx, ny in NODES) - 0.075
    a_fg = max(cover(d_line, px), cover(d_node, px))
    fg = (0xF4, 0xEF, 0xE1)
    col = [round(bg[i] * (1 - a_fg) + fg[i] * a_fg) for i in range(3)]
    return (*col, round(255 * a_bg))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "icons")
os.makedirs(out, exist_ok=True)
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    png(os.path.join(out, name), size, pixel)
    print("wrote icons/" + name)
