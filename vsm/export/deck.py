"""Export a project as a PowerPoint deck (16:9) of native, editable shapes.

`export_pptx(project, path)` tells the story in this order: a title slide; the executive summary
(vsm.export.story_slides); for each chosen map its map slide (a map too large for one is split
at clean cut points, see vsm.export.slide_layout) and its figures in plain words with the steps
to change; if a current and a future map are among the chosen ones, a comparison slide with a
table and a clustered column chart; if any chosen map has kaizens, the improvement plan
(vsm.export.plan_slides); last, an appendix with the formulas. Map, figures and comparison
slides carry speaker notes with the figures worked through. A map whose steps have time ranges
is simulated once (a fixed number of runs and seed, vsm.export.summary_slides), and its simulated
lead time shows beside the lead time on the summary, its figures slide and in its notes.

The file is written atomically: the deck is saved to a temporary file in the target's folder,
which replaces the target only once it is complete. A `progress(done, total)` callback can
cancel by returning False; nothing is written then. python-pptx needs no Qt.
"""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Callable

from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Inches

from vsm.analysis import MapAnalysis, analyse
from vsm.analysis.compare import compare_maps
from vsm.analysis.plan import improvement_plan
from vsm.analysis.responsibility import split_by
from vsm.analysis.stakeholder_words import comparison_rows as stakeholder_comparison_rows
from vsm.analysis.stakeholders import stakeholder_figures
from vsm.errors import ExportCancelled, FileFormatError, VsmError
from vsm.export.map_slide import SlideLinks, draw_map_slide
from vsm.export.plan_slides import PlanPage, draw_plan_slide, plan_pages
from vsm.export.slide_layout import SLIDE_HEIGHT, SLIDE_WIDTH
from vsm.export.stakeholder_slides import (
    description_notes,
    draw_description_box,
    draw_description_slide,
    draw_stakeholder_slide,
    plan_with_description,
    stakeholder_notes,
    wanted,
)
from vsm.export.story_slides import Story, draw_appendix_slide, draw_summary_slide
from vsm.export.summary_slides import (
    MetricsPage,
    comparison_notes,
    comparison_rows,
    draw_comparison_slide,
    draw_metrics_slide,
    figures_notes,
    metrics_pages,
    simulated_lead_time,
    title_slide,
)
from vsm.export.text import FONT
from vsm.files.atomic import atomic_file
from vsm.model import PERFORMERS, Project, ValueStreamMap
from vsm.model.durations import format_duration

Progress = Callable[[int, int], bool]
BLANK_LAYOUT = 6


def export_pptx(project: Project, path: str | Path, map_ids: list[str] | None = None, *,
                progress: Progress | None = None, today: date | None = None) -> None:
    """Write the project (or the maps with these ids, in project order) as a .pptx deck.

    progress(done, total) is called before the first slide and after each slide; returning False
    cancels with VsmError("export cancelled") and writes nothing. Any failure to build or write
    the deck raises FileFormatError(path, reason) and leaves an existing file unchanged.
    """
    path = Path(path)
    maps = _chosen_maps(project, map_ids)
    try:
        deck = _Deck(project, maps, today or date.today())
        total = len(deck.work)
        if progress is not None and progress(0, total) is False:
            raise ExportCancelled("export cancelled")
        for done, work in enumerate(deck.work, start=1):
            work()
            if progress is not None and progress(done, total) is False:
                raise ExportCancelled("export cancelled")
    except VsmError:
        raise
    except Exception as error:  # the boundary: python-pptx or lxml failed building the deck
        raise FileFormatError(path, f"cannot build the slides: {error}") from error
    with atomic_file(path) as file:
        deck.presentation.save(file)


def _chosen_maps(project: Project, map_ids: list[str] | None) -> list[ValueStreamMap]:
    if map_ids is None:
        return project.maps
    wanted = set(map_ids)
    for map_id in map_ids:
        project.map(map_id)  # ModelError naming the project for an unknown id
    return [m for m in project.maps if m.id in wanted]


def _set_theme_fonts(presentation: Any, font: str) -> None:
    """Make `font` the theme's heading and body font, so that text typed into the deck later
    (a new text box in PowerPoint) is in the deck's font too."""
    theme = presentation.slide_masters[0].part.part_related_by(RT.THEME)
    theme._blob = re.sub(rb'(<a:(?:majorFont|minorFont)><a:latin typeface=")[^"]*"',
                         rb"\g<1>" + font.encode() + b'"', theme.blob)


class _Deck:
    """The presentation and the list of slide-making steps (one per slide) still to run."""

    def __init__(self, project: Project, maps: list[ValueStreamMap], today: date) -> None:
        self.project = project
        self.presentation = Presentation()
        _set_theme_fonts(self.presentation, FONT)
        self.presentation.slide_width = Inches(SLIDE_WIDTH)
        self.presentation.slide_height = Inches(SLIDE_HEIGHT)
        self.results: dict[str, MapAnalysis] = {m.id: analyse(m) for m in maps}
        self.simulated = {m.id: simulated_lead_time(m, self.results[m.id]) for m in maps}
        self.work: list[Callable[[], None]] = [partial(self._title, maps, today)]
        current = next((m for m in maps if m.kind == "current"), maps[0] if maps else None)
        future = next((m for m in maps if m.kind == "future" and m is not current), None)
        chosen = {m.id for m in maps}
        self.plan = [row for row in improvement_plan(project) if row.map_id in chosen]
        self.comparison = (compare_maps(current, future, context=project.maps,
                                        distributions=(self.simulated[current.id],
                                                       self.simulated[future.id]))
                           if current is not None and future is not None else None)
        if current is not None:
            self.work.append(partial(self._summary, current))
        number = len(self.work) + 1
        for map_ in maps:
            result = self.results[map_.id]
            pages, placement = plan_with_description(map_, result.flags, map_.kaizens)
            if placement == "slide":  # no room beside the map: the description before it
                self.work.append(partial(self._description, map_))
                number += 1
            links = SlideLinks({v: number + index for index, page in enumerate(pages)
                                for v in page.step_ids})
            for page in pages:
                self.work.append(partial(self._map, map_, page, links, placement))
            tables = metrics_pages(map_, result, self.simulated[map_.id])
            for index, table in enumerate(tables, start=1):
                self.work.append(partial(self._metrics, map_, table, index, len(tables)))
            stakeholders = wanted(map_)  # who holds the work, cost, automation
            if stakeholders:
                self.work.append(partial(self._stakeholders, map_))
            number += len(pages) + len(tables) + stakeholders
        if self.comparison is not None:
            self.work.append(self._comparison)
        plan_slides = plan_pages(self.plan) if self.plan else []
        for index, plan_page in enumerate(plan_slides, start=1):
            self.work.append(partial(self._plan, plan_page, index, len(plan_slides)))
        if maps:
            self.work.append(self._appendix)

    def _slide(self, notes: str = "") -> Any:
        slide = self.presentation.slides.add_slide(self.presentation.slide_layouts[BLANK_LAYOUT])
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
        return slide

    def _title(self, maps: list[ValueStreamMap], today: date) -> None:
        title_slide(self._slide(), self.project.name, maps, today)

    def _summary(self, current: ValueStreamMap) -> None:
        story = Story(current, self.results[current.id], self.comparison, self.plan,
                      self.simulated)
        draw_summary_slide(self._slide(), story)

    def _map(self, map_: ValueStreamMap, page: Any, links: SlideLinks,
             placement: str | None = None) -> None:
        result = self.results[map_.id]
        part = f", part {page.number} of {page.count}" if page.count > 1 else ""
        notes = figures_notes(map_, result, part, self.simulated[map_.id])
        if page.count > 1:
            names = [map_.step(v).name for v in page.step_ids]
            notes += "\nOn this slide: " + ", ".join(names) + "."
        if page.mode != "full" and page.step_ids:
            notes += "\n" + _teams_note(map_, page.step_ids)
        description = description_notes(map_)
        if description:
            notes += "\n" + description
        slide = self._slide(notes)
        draw_map_slide(slide, self.project.name, map_, result, page, links)
        draw_description_box(slide, map_, placement)  # where the layout kept room for it

    def _metrics(self, map_: ValueStreamMap, table: MetricsPage, number: int, count: int) -> None:
        result = self.results[map_.id]
        notes = figures_notes(map_, result, simulated=self.simulated[map_.id])
        draw_metrics_slide(self._slide(notes), map_, result, table, number, count)

    def _description(self, map_: ValueStreamMap) -> None:
        draw_description_slide(self._slide(description_notes(map_)), map_)

    def _stakeholders(self, map_: ValueStreamMap) -> None:
        result = self.results[map_.id]
        figures = stakeholder_figures(map_, result, self.simulated[map_.id])
        by_team = split_by(map_, result, "team") if result.ok else None
        draw_stakeholder_slide(self._slide(stakeholder_notes(map_, figures)), map_, result,
                               figures, by_team)

    def _comparison(self) -> None:
        comparison = self.comparison
        assert comparison is not None
        rows = comparison_rows(comparison) + stakeholder_comparison_rows(comparison)
        draw_comparison_slide(self._slide(comparison_notes(comparison, rows)), comparison, rows)

    def _plan(self, page: PlanPage, number: int, count: int) -> None:
        total = format_duration(sum(row.expected_saving_minutes for row in self.plan))
        draw_plan_slide(self._slide("Improvement plan: every kaizen of the maps in this deck, "
                                    "soonest due first, then the largest expected saving; "
                                    f"{total} expected in all."), page, number, count, total)

    def _appendix(self) -> None:
        draw_appendix_slide(self._slide("How each figure is computed; each map's speaker notes "
                                        "work its figures through."))


def _teams_note(map_: ValueStreamMap, step_ids: list[str]) -> str:
    """Who does each step, for the notes of a slide whose boxes are too small to say it all."""
    who = []
    for step in (map_.step(v) for v in step_ids):
        parts = [part for part in (step.team, PERFORMERS.get(step.performer, "")) if part]
        who.append(f"{step.name}: {' · '.join(parts)}")
    return "Teams and performers (not all shown on the boxes at this size): " + "; ".join(who) + "."
