"""What the map canvas shows of the analysis: flags, critical path, lead-time ladder and summary.

`AnalysisPresenter` belongs to one MapScene. On every analysis it compares each step's flags and
the critical path with the previous analysis and calls the items' setters only where they differ
(after steps or flows came or went, it looks at every item once), so an edit that changes one
step's figures touches and repaints a handful of items, not the whole map. When an analysis
changes the flags of more than FLAG_SLICE items (a demand set on a 5,000-step map flags 4,300
steps over capacity: their badges took 0.2 s to make), FLAG_SLICE are shown at once and the rest
a slice per turn of the event loop (at most FLAG_SLICE items, and no more once
FLAG_SLICE_SECONDS have passed in the turn: an edit of one wait on a 5,000-step map changes the
flags of thousands of steps, and 100 badges took 30-50 ms on a loaded machine), always with the
newest flags (a newer analysis meanwhile takes over the items still waiting), so the window
never waits for all of them. The first analysis a scene shows (an export's) and the items
joining the scene (built, added, put back) are shown whole at once; the analysis applied last,
applied again (for each chunk of a canvas built in slices), touches only the items joining. A
switch to or from the last valid figures is an analysis like another, and the badges of the
steps whose flags stay fade or unfade (giving all 20,000 steps their flags and critical path
again took 131-175 ms in one turn). The badges' tooltips are written when the user hovers
one, from the analysis then current. The ladder is laid out again only when the critical path,
its steps' times or their positions changed; the summary only when its figures did.

While a blocking problem stops the analysis (shares being typed that do not add up yet, a loop),
the canvas keeps the map's last valid figures (Document.last_valid_analysis): the flags with
their badges faded, the critical path, the ladder and the summary greyed and marked "last valid",
with the problem under the summary and on the steps concerned. A scene whose `show_last_valid`
is False (an export) shows the real state: blanks and the problem.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache, partial
from html import escape
from itertools import islice
from typing import Protocol

from PySide6.QtCore import QObject, QTimer

from ui.canvas.items import FlowItem, LadderItem, LadderSegment, StepItem, SummaryItem
from ui.canvas.items.step_item import WIDTH
from ui.document.document import Document
from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.model import ValueStreamMap
from vsm.model.durations import format_duration


class MapScene(Protocol):
    """What the presenter touches of its scene (ui.canvas.scene.MapScene)."""

    map: ValueStreamMap
    document: Document
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]
    ladder: LadderItem
    summary: SummaryItem

SUMMARY_TOOLTIP = (
    "<b>Lead time</b>: expected time from the first step to the end, along the longest of "
    "concurrent branches, weighting alternative routes by their shares and including rework.<br>"
    "<b>Process time</b>: the part of it spent working.<br>"
    "<b>Flow efficiency</b> = process time ÷ lead time.<br>"
    "<b>Rolled %C&amp;A</b>: the chance that every step hands the work on complete and accurate "
    "(the product of the %C&amp;A of every step it passes: the share of each step's output that "
    "the next step can use as it is).")
_NO_FLAGS: list[str] = []
FLAG_SLICE = 100  # items whose flags are shown in one turn of the event loop (see the docstring)
FLAG_SLICE_SECONDS = 0.01  # or fewer: a turn stops after the chunk that takes it past this
FLAG_CHUNK = 10  # items shown between two looks at the clock
STALE_BADGE_OPACITY = 0.4  # badges of the last valid flags, faded while the map has a problem
STALE_NOTE = ("<br><i>Last valid figures: the map has a problem now, so they are not "
              "computed.</i>")


@lru_cache(maxsize=8192)
def _duration(minutes: float) -> str:
    """format_duration, remembered: the ladder shows the same few hundred durations again."""
    return format_duration(minutes)


class AnalysisPresenter:
    """Shows a MapAnalysis on a MapScene's items, touching only what changed."""

    def __init__(self) -> None:
        self.analysis: MapAnalysis | None = None  # the document's current analysis
        self.shown: MapAnalysis | None = None  # whose figures show: it, or the last valid one
        self.stale = False  # True while the last valid figures stand in for blocked ones
        self._flags: dict[str, list[str]] = {}  # step id -> flags shown (problems included)
        self._critical: set[str] = set()
        self._pairs: set[tuple[str, str]] = set()
        self._everything = True  # look at every item next time (the first)
        self._new_steps: set[str] = set()  # items new on the canvas since the last analysis
        self._new_flows: set[str] = set()  # (or flows whose kind or ends changed)
        self._reasons: dict[str, dict[str, str]] | None = None  # of self.analysis, when asked
        self._problems: dict[str, list[str]] = {}
        self._ladder_key: tuple | None = None
        self._ladder_for: MapAnalysis | None = None  # the analysis the ladder was laid out for
        self._ladder_steps: frozenset[str] = frozenset()  # its critical path's steps
        self._ladder_due = True  # lay it out on the next update whatever it was laid out for
        self._ladder_texts = ("", "")  # its once-through and lead times, as last shown
        self._ladder_keyed = False  # whether the lead time shows (a step of the path is shown)
        self._waiting: dict[str, None] = {}  # step ids whose flags are still to show, in order
        self._slice_due = False  # a turn is asked for the next slice
        self.flag_slice = FLAG_SLICE

    @property
    def flags_waiting(self) -> int:
        """How many items still wait for their flags (shown a slice per turn)."""
        return len(self._waiting)

    def items_changed(self, steps: Iterable[str] = (), flows: Iterable[str] = ()) -> None:
        """These step and flow items are new on the canvas (added, put back by an undo), or the
        flows changed their kind or ends: the next analysis shows its flags and critical path
        on them whatever they show, and on the other items only where it differs from the
        previous analysis (a structural edit of a 20,000-step map touches a few items, not
        all)."""
        self._new_steps.update(steps)
        self._new_flows.update(flows)

    # ------------------------------------------------------------ applying

    def apply(self, scene: MapScene, analysis: MapAnalysis) -> None:
        """Show `analysis` on the scene's items: flags, critical path and summary (the scene lays
        the ladder out with update_ladder). When a blocking problem stops it, the map's last
        valid figures show instead, greyed, with the problem (unless the scene is an export)."""
        last = last_valid(scene, analysis)
        shown = last if last is not None else analysis
        if analysis is self.analysis and shown is self.shown and not self._everything:
            self._show_joining(scene)  # the same figures: only items joining the scene
            return
        stale = last is not None
        toggled = stale != self.stale
        self.analysis, self.shown, self.stale = analysis, shown, stale
        self._reasons = None
        problems: dict[str, list[str]] = defaultdict(list)
        for problem in analysis.problems:
            for step_id in problem.step_ids:
                problems[step_id].append(problem.message)
        self._problems = dict(problems)
        flags = dict(shown.flags)  # a copy: the next analysis is compared with it
        if problems:
            for step_id in problems:
                flags[step_id] = [*flags.get(step_id, _NO_FLAGS), "problem"]
        items, joining = scene.item_for_step, self._new_steps
        # Every item joins (the undo of a delete of everything): each is looked at anyway, in
        # one pass over the map rather than one look-up per item.
        everything = self._everything or (len(joining) >= len(items) > 0
                                          and joining.issuperset(items))
        self._everything = False
        self._apply_flags(scene, flags, everything, refade=toggled)
        self._apply_critical_path(scene, shown.critical_path, everything)
        self._new_steps, self._new_flows = set(), set()
        scene.summary.set_figures(*summary_figures(shown, analysis if stale else None),
                                  stale=stale)
        scene.ladder.set_stale(stale)

    def _show_joining(self, scene: MapScene) -> None:
        """Show the figures shown already on the items joining the scene (items_changed) and on
        none other: the analysis is the one applied last (a big map's canvas built a chunk at a
        time applies it again for each chunk; comparing every step's flags and copying them
        each time made building a 5,000-step map's canvas take twice as long). Items whose
        flags still wait for their slice keep waiting for it."""
        items, flow_items = scene.item_for_step, scene.item_for_flow
        joining = [v for v in self._new_steps if v in items]
        waiting, critical, pairs = self._waiting, self._critical, self._pairs
        for step_id in joining:
            waiting.pop(step_id, None)
        self._show_flags(items, joining)
        for step_id in joining:
            items[step_id].set_on_critical_path(step_id in critical)
        for flow_id in self._new_flows:
            flow_item = flow_items.get(flow_id)
            if flow_item is not None:
                flow = flow_item.flow
                flow_item.set_on_critical_path(flow.kind == "normal"
                                               and (flow.source, flow.target) in pairs)
        self._new_steps, self._new_flows = set(), set()

    def _apply_flags(self, scene: MapScene, flags: dict[str, list[str]], everything: bool,
                     refade: bool = False) -> None:
        """Show `flags` on the items: on every item (`everything`), or on those whose flags
        changed (a slice a turn when many did). `refade`: the figures switched to or from the
        last valid ones, so the badges of the steps whose flags stay fade or unfade."""
        items, old = scene.item_for_step, self._flags
        self._flags = flags
        if everything:
            self._waiting = {}
            self._show_flags(items, list(items))
            return
        new = self._new_steps  # items joining the scene now: shown whole, never a slice later
        changed = [v for v, f in flags.items() if old.get(v, _NO_FLAGS) != f and v not in new]
        changed += [v for v in old.keys() - flags.keys() if old[v] and v not in new]
        if refade:
            again = set(changed).union(new)
            self._fade_badges(items, [v for v, f in flags.items() if f and v not in again])
        waiting = self._waiting
        if new:
            for step_id in new:
                waiting.pop(step_id, None)
            self._show_flags(items, list(new))
        waiting.update(dict.fromkeys(changed))  # with those a previous analysis left waiting
        if len(waiting) <= self.flag_slice:
            self._waiting = {}
            self._show_flags(items, list(waiting))
            return
        self._show_next_slice(scene)

    def _show_next_slice(self, scene: MapScene) -> None:
        """Show the flags of the next `flag_slice` waiting items, fewer once FLAG_SLICE_SECONDS
        have passed; ask a turn for the rest (all now without an event loop to ask: a scene that
        is no QObject)."""
        waiting = self._waiting
        started, count = time.perf_counter(), 0
        while waiting and count < self.flag_slice:
            chunk = list(islice(waiting, min(FLAG_CHUNK, self.flag_slice - count)))
            for step_id in chunk:
                del waiting[step_id]
            self._show_flags(scene.item_for_step, chunk)
            count += len(chunk)
            if time.perf_counter() - started >= FLAG_SLICE_SECONDS:
                break
        if not waiting or self._slice_due:
            return
        if isinstance(scene, QObject):
            self._slice_due = True
            QTimer.singleShot(0, scene, partial(self._on_turn, scene))
        else:
            self._waiting = {}
            self._show_flags(scene.item_for_step, list(waiting))

    def _on_turn(self, scene: MapScene) -> None:
        self._slice_due = False
        if self._waiting:
            self._show_next_slice(scene)

    def _show_flags(self, items: dict[str, StepItem], step_ids: list[str]) -> None:
        """Show the current flags on these steps' items (faded while they are the last valid)."""
        # One function writes every step's tooltips (of its id and the flag): one made per
        # step, 20,000 at a time, was as many objects for the next young collection to walk.
        flags, tooltip = self._flags, self.flag_tooltip
        for step_id in step_ids:
            if step_id in items:
                items[step_id].set_flags(flags.get(step_id, _NO_FLAGS), tooltip)
        self._fade_badges(items, [step_id for step_id in step_ids if flags.get(step_id)])

    def _fade_badges(self, items: dict[str, StepItem], step_ids: list[str]) -> None:
        """Fade these steps' badges while the figures are the last valid ones, and only then
        (the problem badge is current: never faded). A step without flags has no badge."""
        faded = STALE_BADGE_OPACITY if self.stale else 1.0
        for step_id in step_ids:
            if step_id in items:
                for badge in items[step_id].badges():
                    badge.setOpacity(1.0 if badge.flag == "problem" else faded)

    def _apply_critical_path(self, scene: MapScene, path: list[str], everything: bool) -> None:
        items = scene.item_for_step
        critical = set(path)
        pairs = set(zip(path, path[1:]))
        if everything:
            for step_id, item in items.items():
                item.set_on_critical_path(step_id in critical)
            for flow_item in scene.item_for_flow.values():
                flow = flow_item.flow
                flow_item.set_on_critical_path(flow.kind == "normal"
                                               and (flow.source, flow.target) in pairs)
        else:
            for step_id in critical ^ self._critical:
                if step_id in items:
                    items[step_id].set_on_critical_path(step_id in critical)
            for pair in pairs ^ self._pairs:
                for flow_item in _flows_between(scene, *pair):
                    flow_item.set_on_critical_path(pair in pairs and flow_item.flow.kind == "normal")
            for step_id in self._new_steps & items.keys():
                items[step_id].set_on_critical_path(step_id in critical)
            flow_items = scene.item_for_flow
            for flow_id in self._new_flows & flow_items.keys():
                flow_item = flow_items[flow_id]
                flow = flow_item.flow
                flow_item.set_on_critical_path(flow.kind == "normal"
                                               and (flow.source, flow.target) in pairs)
        self._critical, self._pairs = critical, pairs

    # ------------------------------------------------------------ tooltips

    def flag_tooltip(self, step_id: str, flag: str) -> str:
        """The tooltip of a step's flag badge under the figures shown (rich text)."""
        analysis = self.shown
        if analysis is None:
            return FLAG_LABELS.get(flag, flag)
        if flag == "problem":
            return "<br>".join(escape(m, quote=False) for m in self._problems.get(step_id, []))
        if self._reasons is None:
            self._reasons = {item.step_id: dict(zip(item.flags, item.reasons))
                             for item in analysis.steps_to_change}
        reasons = self._reasons.get(step_id, {})
        text = f"<b>{FLAG_LABELS.get(flag, flag)}</b>"
        if flag in reasons:
            text += f"<br>{escape(reasons[flag], quote=False)}"
        saving = analysis.savings.get(step_id, 0.0)
        if saving > 0:
            text += f"<br>Minutes saved by removing its wait: {saving:.0f} ({format_duration(saving)})"
        return text + STALE_NOTE if self.stale else text

    # ------------------------------------------------------------ ladder

    def ladder_changed(self, step_ids: Iterable[str] | None = None) -> None:
        """These steps moved, came, went or changed their times (None: anything may have
        changed, a step's item moved in a later slice): the next update_ladder lays the ladder
        out again if any is on its critical path; otherwise, for the same analysis, it has
        nothing to do."""
        if step_ids is None or not self._ladder_steps.isdisjoint(step_ids):
            self._ladder_due = True

    @property
    def ladder_due(self) -> bool:
        """Whether update_ladder has anything to do (a step of the path changed, or the
        analysis shown is not the one the ladder was laid out for)."""
        return self._ladder_due or self.shown is not self._ladder_for

    def update_ladder(self, scene: MapScene) -> None:
        """Lay the ladder out along the critical path, unless the analysis is the one it was
        laid out for and no step of its path changed since (ladder_changed), or its path, times
        and places are those it shows already."""
        analysis, last = self.shown, self._ladder_for
        if not self._ladder_due and analysis is last:
            return  # nothing on the path changed: no walk along it
        if (not self._ladder_due and analysis is not None and last is not None
                and analysis.critical_path == last.critical_path):
            # A new analysis along the same path, none of whose steps changed: the segments
            # and the once-through time stand, only the lead time may be new.
            once_through = self._ladder_texts[0]
            lead = "" if not self._ladder_keyed or analysis.lead_time is None else _duration(
                analysis.lead_time)
            scene.ladder.set_lead_time(once_through, lead)
            self._ladder_texts, self._ladder_for = (once_through, lead), analysis
            return
        self._lay_out_ladder(scene)
        self._ladder_for, self._ladder_due = analysis, False
        self._ladder_steps = frozenset(analysis.critical_path if analysis is not None else ())

    def _lay_out_ladder(self, scene: MapScene) -> None:
        analysis, items, map_ = self.shown, scene.item_for_step, scene.map
        path = [v for v in (analysis.critical_path if analysis else []) if v in items]
        steps = [map_.step(v) for v in path]
        xs = [items[v].x() for v in path]
        times = [(s.wait_time, s.process_time) for s in steps]
        lead = analysis.lead_time if analysis is not None and steps else None
        self._ladder_keyed = bool(steps)  # a step of the path on the canvas: the lead time
        self._ladder_texts = (_duration(sum(_path_minutes(steps))) if steps else "",
                              "" if lead is None else _duration(lead))
        scene.ladder.set_lead_time(*self._ladder_texts)
        old = self._ladder_key
        if old is not None and old[0] == path and old[1] == xs:
            if old[2] == times:
                return
            # Same path, same places: only the segments of steps whose times changed are new.
            segments = list(scene.ladder.segments)
            if len(segments) == len(path):
                for index in [i for i, (a, b) in enumerate(zip(old[2], times)) if a != b]:
                    wait, process = times[index]
                    segments[index] = replace(segments[index],
                                              wait_text=_duration(wait) if wait else "",
                                              process_text=_duration(process))
                self._ladder_key = (path, xs, times)
                scene.ladder.set_segments(segments, ladder_totals(steps))
                return
        self._ladder_key = (path, xs, times)
        scene.ladder.set_segments(*ladder_segments(steps, xs))


def ladder_segments(steps: list, xs: list[float]) -> tuple[list[LadderSegment], list[str]]:
    """The ladder of the critical path's steps (in order) at these x positions, and its totals.

    Each step's wait sits in the gap before it when the steps stand left to right with room
    between them; otherwise the ladder is drawn compactly from the leftmost step."""
    if not steps:
        return [], []
    aligned = all(b >= a + WIDTH + 20 for a, b in zip(xs, xs[1:]))
    segments = []
    cursor = min(xs)
    for index, step in enumerate(steps):
        if aligned:
            wait_from = xs[index - 1] + WIDTH if index else xs[0] - 48
            wait_to = xs[index]
        else:
            wait_from, wait_to = cursor, cursor + 60
        segments.append(LadderSegment(wait_from, wait_to, wait_to + WIDTH,
                                      _duration(step.wait_time) if step.wait_time else "",
                                      _duration(step.process_time)))
        cursor = wait_to + WIDTH
    return segments, ladder_totals(steps)


def _path_minutes(steps: list) -> tuple[float, float]:
    """The waits and the process times of these steps, added up in path order."""
    waits = process = 0.0
    for step in steps:  # in path order, as the segments add them up
        waits += step.wait_time
        process += step.process_time
    return waits, process


def ladder_totals(steps: list) -> list[str]:
    """The ladder's total lines: waiting, processing and both along these steps, once through
    (not the lead time: the ladder's caption says so)."""
    waits, process = _path_minutes(steps)
    return [f"Waiting {format_duration(waits)}", f"Processing {format_duration(process)}",
            f"Once through {format_duration(waits + process)}"]


def last_valid(scene: MapScene, analysis: MapAnalysis) -> MapAnalysis | None:
    """The figures to show greyed instead of `analysis`: the map's last valid analysis when a
    blocking problem stops `analysis`, None when it does not, when there never was a valid one,
    or when the scene shows the real state only (`show_last_valid` False: exports)."""
    if analysis.ok or not getattr(scene, "show_last_valid", True):
        return None
    return scene.document.last_valid_analysis(scene.map.id)


def summary_figures(analysis: MapAnalysis, blocked: MapAnalysis | None = None,
                    ) -> tuple[list[tuple[str, str]], str, str]:
    """The summary box's rows, its problem hint and its tooltip. With `blocked` (the current
    analysis, stopped by a problem), `analysis` is the last valid one: the hint says so."""
    def percent(value: float | None) -> str:
        return "–" if value is None else f"{value:.0f}%"

    rows = [("Lead time", format_duration(analysis.lead_time)),
            ("Process time", format_duration(analysis.process_time)),
            ("Flow efficiency", percent(analysis.flow_efficiency_percent)),
            ("Rolled %C&A", percent(analysis.rolled_pca_percent))]
    hint = ""
    blocking = [p for p in (blocked if blocked is not None else analysis).problems if p.blocking]
    if blocking:
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        hint = f"Not computed: {blocking[0].message}{more}"
        if blocked is not None:
            hint = f"Last valid figures, greyed. {hint}"
    tooltip = SUMMARY_TOOLTIP
    if blocked is not None:
        tooltip += STALE_NOTE
    return rows, hint, tooltip


def _flows_between(scene: MapScene, source: str, target: str) -> list:
    """The flow items from one step to another."""
    items = scene.item_for_step
    if source not in items or target not in items:
        return []
    source_item, target_item = items[source], items[target]
    return [f for f in source_item.flows if f.source is source_item and f.target is target_item]
