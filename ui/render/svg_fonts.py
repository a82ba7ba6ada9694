"""The font fallbacks of an SVG document: QSvgGenerator names only the family asked for (often
"Sans Serif", which other programs would draw in a serif font); the font Qt actually used and a
generic family are named after it (see painting.with_font_fallbacks)."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator

from PySide6.QtGui import QFont, QFontInfo

SVG_PIECE = 2_000_000  # bytes of SVG given their font fallbacks at a time (about 20 ms)


def font_fallbacks_job(svg: bytes) -> Generator[float, None, bytes]:
    """with_font_fallbacks as a job: a big map's SVG (tens of megabytes, a font-family on
    every text) is done a piece of about SVG_PIECE bytes, cut at a line's end, at a time."""
    fallbacks = font_fallbacks()
    pieces: list[bytes] = []
    start = 0
    while start < len(svg):
        end = svg.find(b"\n", start + SVG_PIECE)
        end = len(svg) if end < 0 else end + 1
        pieces.append(fallbacks(svg[start:end]))
        start = end
        if start < len(svg):
            yield start / len(svg)
    return b"".join(pieces)


_FAMILY = re.compile(rb'font-family="([^"\']*)"')


def font_fallbacks() -> Callable[[bytes], bytes]:
    """A function giving every font-family="X" of a piece of SVG its fallbacks
    (font-family="'X', 'Font used', sans-serif"); each family is worked out once, and each is
    replaced with one bytes.replace (a callback per match took most of the time)."""
    listed: dict[bytes, bytes] = {}  # font-family="X" -> what replaces it

    def replace(piece: bytes) -> bytes:
        for family in set(_FAMILY.findall(piece)):
            written = b'font-family="' + family + b'"'
            if written not in listed:
                name = family.decode("utf-8")
                names = [name, QFontInfo(QFont(name)).family()]
                unique = list(dict.fromkeys(n for n in names if n and "'" not in n))
                listed[written] = (b'font-family="' + ", ".join(f"'{n}'" for n in unique).encode()
                                   + b', sans-serif"')
            # the replacement starts with a quote: no family's pattern matches it again
            piece = piece.replace(written, listed[written])
        return piece

    return replace
