"""Text in the deck: its font, and lines measured and wrapped with the font's real metrics.

Every run of the deck is set in FONT, Arial, which PowerPoint and Keynote have everywhere and
LibreOffice has or replaces by its metric twin Liberation Sans (installed with LibreOffice on
Linux; see the README): the advance widths in vsm.export.font_metrics are those of both, so a
line that fits here fits there. Widths are inches; sizes points.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

from vsm.export.font_metrics import BOLD_UNITS, CHARACTERS, REGULAR_UNITS, UNITS_PER_EM, WIDE_UNITS

FONT = "Arial"
SAFETY = 1.03  # renderers round glyph positions to their own grid: keep a little room
LINE_SPACING = 1.2  # single spacing of Arial is 1.15 em; a little more for safety
SHORT = 256  # characters: the widths of texts up to this long are remembered


class _Widths(dict[str, int]):
    """Advance widths by character; a character the font table lacks counts as wide."""

    def __missing__(self, char: str) -> int:
        return WIDE_UNITS


_REGULAR = _Widths(zip(CHARACTERS, REGULAR_UNITS, strict=True))
_BOLD = _Widths(zip(CHARACTERS, BOLD_UNITS, strict=True))


def _units(text: str, bold: bool) -> int:
    """The width of `text` in font units: one pass over it (remembered for short texts, which
    are measured again and again; a long one is not kept, nor are its pieces)."""
    return _short_units(text, bold) if len(text) <= SHORT else _count(text, bold)


@lru_cache(maxsize=4096)
def _short_units(text: str, bold: bool) -> int:
    return _count(text, bold)


def _count(text: str, bold: bool) -> int:
    return sum(map((_BOLD if bold else _REGULAR).__getitem__, text))


def text_width(text: str, points: float, bold: bool = False) -> float:
    """The width of one line of `text` at `points`, in inches."""
    return _units(text, bold) / UNITS_PER_EM * points / 72 * SAFETY


def line_height(points: float) -> float:
    """The height of one line of text at single spacing, in inches."""
    return points * LINE_SPACING / 72


def fits(text: str, width: float, points: float, bold: bool = False) -> bool:
    """Whether every word of `text` fits on a line `width` inches wide (none would break)."""
    if not width >= 0:
        return False  # not even an empty word fits
    widest = max(_measured(line, bold).widest for line in text.replace("\v", "\n").split("\n"))
    return _inches(widest, points) <= width


def wrap(text: str, width: float, points: float, bold: bool = False) -> list[str]:
    """Greedy word wrap into lines no wider than `width` inches, breaking only between words
    (a word wider than the line stays whole on a line of its own: `fits` tells beforehand).

    Each line of `text` is measured once, however many widths it is then wrapped to (laying out
    a slide tries several): a line's width is the sum of its words' and spaces' widths (the font
    has no kerning), so where each line ends is a binary search in the running sum."""
    if "\n" in text or "\v" in text:
        return [line for part in text.replace("\v", "\n").split("\n")
                for line in wrap(part, width, points, bold)]
    measured = _measured(text, bold)
    if not measured.count:
        return [""]
    room = _room(width, points)
    if room is None or not measured.plain:
        return _wrap_word_by_word(text, width, points, bold)
    joined, starts, ends = measured.joined, measured.starts, measured.ends
    space = _units(" ", bold)
    lines: list[str] = []
    first = 0
    while first < measured.count:
        # words first..last-1 take ends[last] - ends[first] - space units, and are in joined
        # from starts[first] to the blank before starts[last]
        last = max(first + 1, bisect_right(ends, ends[first] + space + room) - 1)
        lines.append(joined[starts[first]:starts[last] - 1])
        first = last
    return lines


class _Measured:
    """One line of text as its words: `joined`, the words with one blank between each two
    (the line itself, usually); `starts[k]`, where word k starts in it (and one past the end);
    `ends[k]`, the width of the words before word k with a blank after each. Two numbers a
    word: a long line measured costs little more than the line itself."""

    __slots__ = ("joined", "starts", "ends", "count", "widest", "plain")

    def __init__(self, line: str, bold: bool) -> None:
        words = [word for word in line.split(" ") if word]
        self.count = len(words)
        self.joined = " ".join(words)
        if self.joined == line:
            self.joined = line  # the same text, not a copy
        self.starts = array("q", accumulate((len(word) + 1 for word in words), initial=0))
        space = _units(" ", bold)
        widths = [_units(word, bold) for word in words]
        self.ends = array("q", accumulate((width + space for width in widths), initial=0))
        self.widest = max(widths, default=0)  # an empty word (two blanks) is 0 wide
        # a word with other white space at an end (a tab, a no-break space) is wrapped word by
        # word, where that space is trimmed off the ends of lines
        self.plain = all(word == word.strip() for word in words)


def _measured(line: str, bold: bool) -> _Measured:
    """The line measured: remembered, the last few long lines only (a long name is laid out at
    several widths in a row; keeping every one would hold many copies of it)."""
    return _measured_short(line, bold) if len(line) <= SHORT else _measured_long(line, bold)


@lru_cache(maxsize=1024)
def _measured_short(line: str, bold: bool) -> _Measured:
    return _Measured(line, bold)


@lru_cache(maxsize=2)
def _measured_long(line: str, bold: bool) -> _Measured:
    return _Measured(line, bold)


def _inches(units: int, points: float) -> float:
    """text_width for a width in font units (the same arithmetic, so the same float)."""
    return units / UNITS_PER_EM * points / 72 * SAFETY


def _room(width: float, points: float) -> int | None:
    """The most font units a line `width` inches wide holds at `points` (by _inches); None
    when that is not a plain number."""
    if not (math.isfinite(width) and math.isfinite(points) and points > 0):
        return None
    room = math.floor(width / SAFETY * 72 / points * UNITS_PER_EM)
    while _inches(room + 1, points) <= width:
        room += 1
    while room >= 0 and _inches(room, points) > width:
        room -= 1
    return room


def _wrap_word_by_word(text: str, width: float, points: float, bold: bool) -> list[str]:
    """`wrap` one word at a time, trimming white space off the ends of each line (as str.strip
    does): for lines with such white space, and widths that are not plain numbers."""
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
