"""PDF from HTML templates with WeasyPrint. Chinese text is set in Noto Sans CJK SC (Debian package
fonts-noto-cjk), which WeasyPrint embeds as a subset, so the PDF reads the same everywhere."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

# Prepended to every document: the CJK font and sensible print defaults. Templates add their own CSS.
BASE_CSS = """
@page { size: A4; margin: 14mm 12mm;
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
html { font-family: "Noto Sans CJK SC", "Noto Sans CJK", "Noto Sans", sans-serif;
       font-size: 10pt; color: #212121; }
h1 { font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 5mm 0 2mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.4pt solid #9e9e9e; padding: 1.2mm 1.6mm; vertical-align: top; }
th { background: #eceff1; text-align: left; }
img { max-width: 100%; }
"""


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    from weasyprint import CSS, HTML

    return HTML(string=html, base_url=base_url).write_pdf(stylesheets=[CSS(string=BASE_CSS)])


def render_pdf(template: str, context: dict, *, request=None, base_url: str | None = None) -> bytes:
    html = render_to_string(template, context, request=request)
    return html_to_pdf(html, base_url=base_url or (request.build_absolute_uri("/") if request else None))


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
