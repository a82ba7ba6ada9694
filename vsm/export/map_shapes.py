"""What the shapes of a map slide hold and how big they get, in inches: a step box's paragraphs
and the height they need, flag badges in rows, a kaizen burst whose title fits inside PowerPoint's
explosion preset, the wait triangle before a box. Pure geometry, no python-pptx; text is measured
with the deck font's real advance widths (vsm.export.text).

vsm.export.slide_layout places these shapes on the slide; vsm.export.map_slide draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

from vsm.export.text import fits, line_height, text_width, wrap
from vsm.model import Step
from vsm.model.durations import format_duration

MIN_FONT = 9.0
GAP = 0.36  # left of each box: the inventory triangle and the wait
INVENTORY_HEIGHT = 0.36  # the wait triangle and its time, above the middle of the box

PERFORMER_WORDS = {"internal": "internal", "vendor": "vendor", "customer": "customer",
                   "automated": "automated"}

NBSP = "\u00a0"  # keeps "PT 1h 30m" on one line


@dataclass(frozen=True)
class Rect:
    """A rectangle on the slide, in inches from the top-left corner."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def centre_x(self) -> float:
        return self.left + self.width / 2

    @property
    def centre_y(self) -> float:
        return self.top + self.height / 2


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a step box: its text, size in points, weight and whether it is muted."""

    text: str
    points: float
    bold: bool = False
    muted: bool = False


def step_paragraphs(step: Step, points: float, mode: str = "full") -> list[Paragraph]:
    """The text of a step box: its name; who does it (the team, else the performer), unless
    "compact"; its process time and %C&A. (The wait shows in the triangle before the box, the
    performer in the box's outline.)"""
    name = ("⚙ " if step.performer == "automated" else "") + step.name
    who = step.team or PERFORMER_WORDS.get(step.performer, step.performer)
    figures = " · ".join(figure.replace(" ", NBSP) for figure in (
        f"PT {format_duration(step.process_time)}", f"%C&A {step.pca:g}"))
    paragraphs = [Paragraph(name, points, bold=True)]
    if mode != "compact":
        paragraphs.append(Paragraph(who, max(MIN_FONT, points - 1), muted=True))
    paragraphs.append(Paragraph(figures, points))
    return paragraphs


BOX_INSET = 0.05  # text inset inside a step box, each side


def paragraphs_height(paragraphs: list[Paragraph], width: float) -> float:
    """The height the paragraphs need in a box of `width` inches, insets included."""
    inner = width - 2 * BOX_INSET
    lines = sum(len(wrap(p.text, inner, p.points, p.bold)) * line_height(p.points)
                for p in paragraphs)
    return lines + 2 * BOX_INSET + 0.06


def words_fit(steps: list[Step], points: float, mode: str, box_w: float) -> bool:
    """Whether every word of every step's box text fits the box's width at `points`."""
    return all(fits(p.text, box_w - 2 * BOX_INSET, p.points, p.bold)
               for s in steps for p in step_paragraphs(s, points, mode))


def badge_width(label: str, points: float = MIN_FONT) -> float:
    """The width of a flag badge with this label."""
    return text_width(label, points, bold=True) + 0.12


def badge_rows(labels: list[str], width: float) -> list[list[str]]:
    """Flag badges laid out in rows no wider than `width` (each badge at least on its own row)."""
    rows: list[list[str]] = []
    used = width + 1
    for label in labels:
        needed = badge_width(label)
        if rows and used + 0.04 + needed <= width:
            rows[-1].append(label)
            used += 0.04 + needed
        else:
            rows.append([label])
            used = needed
    return rows


# The text rectangle of PowerPoint's irregularSeal1 ("explosion") preset, as fractions of the
# shape: left, right, top, bottom. Every renderer puts a burst's title there.
BURST_TEXT = (4627 / 21600, 16702 / 21600, 6320 / 21600, 13937 / 21600)
BURST_INSET = 0.02
MAX_BURST_WIDTH = 2.6


def burst_size(title: str, width: float) -> tuple[float, float]:
    """Width and height of a kaizen burst about `width` wide whose title fits inside the
    preset's text rectangle at 9 pt, every word whole (the burst widens for a long word)."""
    across = BURST_TEXT[1] - BURST_TEXT[0]
    widest = max((text_width(word, MIN_FONT, bold=True) for word in title.split()), default=0.0)
    width = max(width, (widest + 2 * BURST_INSET) / across)
    inner = width * across - 2 * BURST_INSET
    lines = len(wrap(title, inner, MIN_FONT, bold=True))
    height = (lines * line_height(MIN_FONT) + 2 * BURST_INSET) / (BURST_TEXT[3] - BURST_TEXT[2])
    return width, max(0.6, height)


def inventory_rect(box: Rect, wait: str) -> Rect:
    """Where the wait before a box is shown: the triangle and the time under it, in the middle
    of the gap before the box and above the middle of its height, where the flow arrives."""
    width = max(0.22, text_width(wait, MIN_FONT, True) + 0.06)
    return Rect(box.left - GAP / 2 - width / 2, box.top + 0.02, width, INVENTORY_HEIGHT)
