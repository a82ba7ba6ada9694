"""Text in the deck: its font, and lines measured and wrapped with the font's real metrics.

Every run of the deck is set in FONT, Arial, which PowerPoint and Keynote have everywhere and
LibreOffice has or replaces by its metric twin Liberation Sans (installed with LibreOffice on
Linux; see the README): the advance widths in vsm.export.font_metrics are those of both, so a
line that fits here fits there. Widths are inches; sizes points.
"""

from __future__ import annotations

from functools import lru_cache

from vsm.export.font_metrics import BOLD_UNITS, CHARACTERS, REGULAR_UNITS, UNITS_PER_EM, WIDE_UNITS

FONT = "Arial"
SAFETY = 1.03  # renderers round glyph positions to their own grid: keep a little room
LINE_SPACING = 1.2  # single spacing of Arial is 1.15 em; a little more for safety
_REGULAR = dict(zip(CHARACTERS, REGULAR_UNITS, strict=True))
_BOLD = dict(zip(CHARACTERS, BOLD_UNITS, strict=True))


@lru_cache(maxsize=4096)
def _units(text: str, bold: bool) -> int:
    table = _BOLD if bold else _REGULAR
    return sum(table.get(char, WIDE_UNITS) for char in text)


def text_width(text: str, points: float, bold: bool = False) -> float:
    """The width of one line of `text` at `points`, in inches."""
    return _units(text, bold) / UNITS_PER_EM * points / 72 * SAFETY


def line_height(points: float) -> float:
    """The height of one line of text at single spacing, in inches."""
    return points * LINE_SPACING / 72


def fits(text: str, width: float, points: float, bold: bool = False) -> bool:
    """Whether every word of `text` fits on a line `width` inches wide (none would break)."""
    return all(text_width(word, points, bold) <= width
               for line in text.replace("\v", "\n").split("\n") for word in line.split(" "))


def wrap(text: str, width: float, points: float, bold: bool = False) -> list[str]:
    """Greedy word wrap into lines no wider than `width` inches, breaking only between words
    (a word wider than the line stays whole on a line of its own: `fits` tells beforehand)."""
    if "\n" in text or "\v" in text:
        return [line for part in text.replace("\v", "\n").split("\n")
                for line in wrap(part, width, points, bold)]
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if not word:
            continue
        candidate = f"{current} {word}".strip()
        if current and text_width(candidate, points, bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current or not lines:
        lines.append(current)
    return lines
