"""Charts as inline SVG, drawn on the server from a report's stored figures: the same markup on the
report page and in the PDF (WeasyPrint renders inline SVG), Chinese labels in Noto Sans CJK SC,
risk levels in the palette in force. No script, nothing to load."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans CJK SC, Noto Sans CJK, Noto Sans, sans-serif"
INK = "#212121"
MUTED = "#757575"
GRID = "#e0e0e0"
EMPTY = "#e0e0e0"


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12" fill="{INK}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: object, *, anchor: str = "start", size: int = 12, fill: str = INK) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
        f"{escape(str(text))}</text>"
    )


def _arc(cx: float, cy: float, r_out: float, r_in: float, a0: float, a1: float) -> str:
    """A ring sector from angle a0 to a1 (radians, clockwise from twelve o'clock)."""

    def pt(r: float, a: float) -> tuple[float, float]:
        return cx + r * math.sin(a), cy - r * math.cos(a)

    large = 1 if a1 - a0 > math.pi else 0
    x0, y0 = pt(r_out, a0)
    x1, y1 = pt(r_out, a1)
    x2, y2 = pt(r_in, a1)
    x3, y3 = pt(r_in, a0)
    return (
        f"M{x0:.2f},{y0:.2f} A{r_out},{r_out} 0 {large} 1 {x1:.2f},{y1:.2f} "
        f"L{x2:.2f},{y2:.2f} A{r_in},{r_in} 0 {large} 0 {x3:.2f},{y3:.2f} Z"
    )


def donut(slices: Sequence[dict], *, title: str, centre: str = "") -> SafeString:
    """``slices``: ``{"label", "value", "colour"}``; a legend with the counts on the right."""
    width, height, cx, cy, r_out, r_in = 360, 170, 80, 85, 72, 44
    total = sum(s["value"] for s in slices)
    body: list[str] = []
    if not total:
        body.append(
            f'<circle cx="{cx}" cy="{cy}" r="{(r_out + r_in) / 2}" fill="none" stroke="{EMPTY}" '
            f'stroke-width="{r_out - r_in}"/>'
        )
    else:
        angle = 0.0
        for s in slices:
            if not s["value"]:
                continue
            sweep = 2 * math.pi * s["value"] / total
            if sweep >= 2 * math.pi - 1e-9:  # one slice only: a full ring in two halves
                body.append(f'<path d="{_arc(cx, cy, r_out, r_in, 0, math.pi)}" fill="{s["colour"]}"/>')
                body.append(
                    f'<path d="{_arc(cx, cy, r_out, r_in, math.pi, 2 * math.pi)}" fill="{s["colour"]}"/>'
                )
            else:
                body.append(
                    f'<path d="{_arc(cx, cy, r_out, r_in, angle, angle + sweep)}" fill="{s["colour"]}" '
                    f'stroke="#ffffff" stroke-width="1"/>'
                )
            angle += sweep
    body.append(_text(cx, cy + 7, centre or total, anchor="middle", size=20))
    for i, s in enumerate(slices):
        y = 30 + i * 28
        body.append(f'<rect x="180" y="{y - 12}" width="16" height="16" rx="3" fill="{s["colour"]}"/>')
        body.append(_text(204, y + 1, s["label"], size=13))
        body.append(_text(width - 8, y + 1, s["value"], anchor="end", size=13))
    return _svg(width, height, body, title)


def _nice_step(value: int, ticks: int) -> int:
    """An integer step (1, 2, 5 × 10ⁿ) so that ``ticks`` steps reach at least ``value``."""
    need = max(1, math.ceil(value / ticks))
    exp = 10 ** math.floor(math.log10(need))
    return next(m * exp for m in (1, 2, 5, 10) if m * exp >= need)


def bars(categories: Sequence[str], series: Sequence[dict], *, title: str, width: int = 680) -> SafeString:
    """Grouped vertical bars: ``series`` is ``{"name", "colour", "values"}`` (one value per
    category); a legend above, the value over each bar that is not zero."""
    height, left, right, top, bottom = 230, 36, 8, 34, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = 4
    step = _nice_step(max([v for s in series for v in s["values"]] or [0]), ticks)
    top_value = step * ticks
    body: list[str] = []
    for i, s in enumerate(series):
        lx = left + i * 110
        body.append(f'<rect x="{lx}" y="8" width="14" height="14" rx="2" fill="{s["colour"]}"/>')
        body.append(_text(lx + 20, 20, s["name"]))
    for k in range(ticks + 1):
        y = top + plot_h - plot_h * k / ticks
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, step * k, anchor="end", size=10, fill=MUTED))
    n = max(len(categories), 1)
    slot = plot_w / n
    bar_w = min(22.0, slot * 0.8 / max(len(series), 1))
    for c, cat in enumerate(categories):
        x0 = left + c * slot + (slot - bar_w * len(series)) / 2
        for i, s in enumerate(series):
            value = s["values"][c]
            h = plot_h * value / top_value
            x = x0 + i * bar_w
            y = top + plot_h - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{s["colour"]}"/>'
            )
            if value:
                body.append(_text(x + (bar_w - 1) / 2, y - 3, value, anchor="middle", size=9))
        body.append(
            _text(left + c * slot + slot / 2, height - bottom + 16, cat, anchor="middle", size=10, fill=MUTED)
        )
    return _svg(width, height, body, title)


def hbars(
    rows: Sequence[tuple[str, int]], *, title: str, colour: str = "#546e7a", width: int = 340
) -> SafeString:
    """Horizontal bars, one per ``(label, count)``, longest first as given."""
    row_h, label_w, right = 22, 120, 36
    height = max(1, len(rows)) * row_h + 8
    top_value = max([n for _label, n in rows] or [0]) or 1
    body: list[str] = []
    for i, (label, n) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - label_w - right) * n / top_value
        text = label if len(label) <= 9 else label[:8] + "…"
        body.append(_text(label_w - 6, y + 15, text, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row_h - 8}" rx="2" '
            f'fill="{colour}"/>'
        )
        body.append(_text(label_w + w + 4, y + 15, n))
    return _svg(width, height, body, title)
