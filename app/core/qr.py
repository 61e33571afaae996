"""The one QR helper: a link as an inline SVG (no image request, no external service)."""
from __future__ import annotations

import segno


def qr_svg(link: str, *, scale: int = 4, dark: str = "#1f2937", omitsize: bool = False) -> str:
    """``link`` as an inline ``<svg>`` (error correction M), for pages and for PDFs."""
    return segno.make(link, error="m").svg_inline(scale=scale, dark=dark, light="#ffffff", omitsize=omitsize)
