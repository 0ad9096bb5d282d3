#!/usr/bin/env python3
"""Renders a terminal screen captured with `tmux capture-pane -p -e` (text with ANSI SGR colours) as an
HTML page, for the docs' screenshot: python3 render-screen.py screen.ans > screen.html, then
chromium --headless --screenshot=out.png --window-size=W,H file://.../screen.html"""
import html
import re
import sys

BASIC = ["#2e3436", "#cc0000", "#4e9a06", "#c4a000", "#3465a4", "#75507b", "#06989a", "#d3d7cf"]
BRIGHT = ["#555753", "#ef2929", "#8ae234", "#fce94f", "#729fcf", "#ad7fa8", "#34e2e2", "#eeeeec"]


def colour_256(n):
    if n < 8:
        return BASIC[n]
    if n < 16:
        return BRIGHT[n - 8]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    grey = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (grey, grey, grey)


def render(text):
    out, state = [], {"fg": None, "bg": None, "bold": False}
    open_span = False
    for part in re.split(r"(\x1b\[[0-9;]*m)", text):
        if part.startswith("\x1b["):
            codes = [int(c) if c else 0 for c in part[2:-1].split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    state = {"fg": None, "bg": None, "bold": False}
                elif c == 1:
                    state["bold"] = True
                elif c == 22:
                    state["bold"] = False
                elif 30 <= c <= 37:
                    state["fg"] = BASIC[c - 30]
                elif 90 <= c <= 97:
                    state["fg"] = BRIGHT[c - 90]
                elif c == 39:
                    state["fg"] = None
                elif 40 <= c <= 47:
                    state["bg"] = BASIC[c - 40]
                elif c == 49:
                    state["bg"] = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    state["fg" if c == 38 else "bg"] = colour_256(codes[i + 2])
                    i += 2
                elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                    state["fg" if c == 38 else "bg"] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5])
                    i += 4
                i += 1
            continue
        if not part:
            continue
        style = []
        if state["fg"]:
            style.append("color:" + state["fg"])
        if state["bg"]:
            style.append("background:" + state["bg"])
        if state["bold"]:
            style.append("font-weight:bold")
        out.append('<span style="%s">%s</span>' % (";".join(style), html.escape(part)) if style else html.escape(part))
    return "".join(out)


screen = open(sys.argv[1], encoding="utf-8").read().rstrip("\n")
print("""<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: #1e1e1e; }
pre { margin: 0; padding: 14px 18px; color: #d3d7cf; font: 14px/1.0 'DejaVu Sans Mono', monospace; }
</style><pre>%s</pre>""" % render(screen))
