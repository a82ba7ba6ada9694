"""The lead-time ladder under a map slide: one cell per step of the critical path on the slide
(its wait above the line, its process time below), and the note that says what the ladder shows.
Pure geometry in inches, no python-pptx; vsm.export.map_slide draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

from vsm.export.map_shapes import GAP
from vsm.export.slide_layout import MapPage
from vsm.export.text import text_width
from vsm.model.durations import format_duration


@dataclass(frozen=True)
class LadderCell:
    """One step of the critical path on the ladder: wait from `start` to `middle`, process time
    from `middle` to `end` (inches)."""

    step_id: str
    start: float
    middle: float
    end: float


def ladder_note(once_through: float, lead_time: float | None, part: bool, width: float,
                points: float = 9.0) -> str:
    """The line under the ladder: what it shows (`part`: only the path's steps on this slide) and
    its total once through set against the lead time, which also counts rework and the shares of
    alternative routes; the longest wording that fits `width` inches at `points`."""
    shows = "the critical path on this slide" if part else "the critical path"
    whole = "the whole path once through takes" if part else "once through it takes"
    once = format_duration(once_through)
    lead = None if lead_time is None else format_duration(lead_time)
    if lead is None:
        against = [f"{whole} {once}"]
    elif lead == once:
        against = [f"{whole} {once}, here equal to the lead time"]
    else:
        against = [f"{whole} {once}, not the lead time ({lead}), which also counts rework and "
                   "the shares of alternative routes", f"{whole} {once}, not the lead time ({lead})"]
    candidates = [f"Ladder: {shows}, waits above the line, process times below; {against[0]}"]
    candidates += [f"Ladder: {shows}; {text}" for text in against]
    return next((text for text in candidates if text_width(text, points) <= width),
                candidates[-1])


def ladder_cells(page: MapPage, path: list[str], left: float, right: float) -> list[LadderCell]:
    """Ladder cells for the critical-path steps on the page: under their boxes when the path runs
    left to right, else equal cells across [left, right] in path order."""
    shown = [v for v in path if v in page.boxes]
    if not shown:
        return []
    lefts = [page.boxes[v].left - GAP for v in shown]
    aligned = all(page.boxes[a].right <= lefts[i + 1] + 1e-6 for i, a in enumerate(shown[:-1]))
    cells = []
    if aligned:
        for v in shown:
            box = page.boxes[v]
            start = box.left - GAP
            cells.append(LadderCell(v, start, start + 0.45 * (box.right - start), box.right))
    else:
        size = (right - left) / len(shown)
        for index, v in enumerate(shown):
            start = left + index * size
            cells.append(LadderCell(v, start, start + 0.45 * size, start + size))
    return cells
