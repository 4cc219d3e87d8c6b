"""QR codes (segno): an SVG for pages and PDFs, pointing at an absolute URL of the site."""

from __future__ import annotations

import io

import segno
from django.conf import settings


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def qr_svg(path_or_url: str, *, scale: int = 4) -> str:
    """Inline SVG markup (no XML declaration) for ``path_or_url``."""
    out = io.BytesIO()
    segno.make(absolute(path_or_url), error="m").save(out, kind="svg", scale=scale, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def qr_png(path_or_url: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make(absolute(path_or_url), error="m").save(out, kind="png", scale=scale)
    return out.getvalue()
