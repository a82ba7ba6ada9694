"""What stakeholders ask, in the metrics pane (issue 18), and the Automation candidates dock.

- `TargetLines`: under the lead time, the map's target met or missed (in words, with ✔ / ✘, never
  colour alone); with time ranges the chance of meeting it and the P85 against it, from the
  simulation the pane already runs (`TargetSimulation` keeps its result); the experience score.
- `StakeholderSection`: who holds the work, a stacked bar by performer or by team (a switch)
  in the colours of vsm.palette with a legend giving each part's minutes and percent, the time
  waiting on vendors; the cost per item, per period and per month.
- `AutomationPanel`: the manual steps ranked by the hours per month automating them would free;
  clicking one selects it on the map. They need every step's visits over every branch: the
  analysis's when the map has a demand; without one, a walk of the whole map (1 s at 5,000
  steps). For a map the live analysis counts costly they are counted in the second process
  (ui.document.processes: a thread would still hold the GUI thread's interpreter) over a copy
  of the map (ui.document.snapshots), with a demand too (the candidates of 5,000 steps take
  30 ms), the list saying "Updating" meanwhile; a count that a newer analysis superseded is
  cancelled if it has not started, and never shown.

Figures come from vsm.analysis (targets, responsibility, cost); the words from
vsm.analysis.stakeholder_words, so the pane, the deck and the A3 report say the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from html import escape

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListView,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.document import processes
from ui.document.handoff import Receiver
from ui.document.snapshots import MapRecords, RecordCopies
from ui.panels.common import MapPanel, OncePerTurn
from ui.panels.count_jobs import cost_job, count_job
from ui.panels.list_rows import KEY_ROLE, ListRows, Row
from ui.panels.simulation import SimulatedLeadTime
from vsm.analysis import MapAnalysis
from vsm.analysis.cost import CostAnalysis, SavingWorth, cost_of
from vsm.analysis.montecarlo import LeadTimeDistribution
from vsm.analysis.pane_figures import PaneFigures
from vsm.analysis.responsibility import WorkSplit, splits_of
from vsm.analysis.stakeholder_words import (
    Segment,
    automation_lines,
    cost_lines,
    experience_line,
    segment_words,
    split_segments,
    target_parts,
    vendor_wait_words,
    worth_words,
)
from vsm.analysis.targets import attainment, simulated
from vsm.model import ValueStreamMap

STEP_ID_ROLE = KEY_ROLE  # a candidate's step id (ui.panels.list_rows)
STEP_WORDS_SHOWN = 60  # characters of the steps over their target shown; beyond, the tooltip
COST_UPDATING = "Cost per item: updating…"
LIST_BATCH = 100  # rows of a long list laid out per turn of the event loop
COUNTING = "Updating: counting how often each step is passed…"
VISITS_UNCOUNTED = ("Not computed: how often each step is passed cannot be counted for this map "
                    "(too many combinations of alternative routes run at the same time, or "
                    "rework that never ends).")
_log = logging.getLogger(__name__)


def _wrapping_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def in_the_second_process(name: str, job: Callable[[MapRecords, MapAnalysis], object],
                          records: MapRecords, analysis: MapAnalysis, deliver: Receiver,
                          number: int, failed: Callable[[BaseException], object]
                          ) -> Future[object]:
    """Run `job(records, analysis)` in the second process (ui.document.processes, its "counts"
    worker) and `deliver` (number, its result) to the GUI thread; an exception is logged and
    `failed(error)` delivered instead; a job cancelled through the Future before it started
    delivers nothing. Nothing here holds a Qt object (ui.document.handoff)."""
    future = processes.shared("counts").submit(job, records, analysis)

    def done(finished: Future[object]) -> None:
        if finished.cancelled():
            return
        error = finished.exception()
        if error is not None:
            _log.error("the %s failed", name, exc_info=error)
            deliver.send(number, failed(error))
        else:
            deliver.send(number, finished.result())

    future.add_done_callback(done)
    return future


class TargetSimulation(SimulatedLeadTime):
    """The pane's simulation of the lead time, keeping its result for the target's chance;
    `finished` is emitted when a result is shown."""

    finished = Signal()

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self.result: LeadTimeDistribution | None = None

    def schedule(self, map_: ValueStreamMap | None, copies: RecordCopies | None = None,
                 variable: bool | None = None) -> None:
        # Every new schedule follows an edit: the last result no longer holds for the map as it
        # is, so the target's chance waits for the new one rather than show a stale figure.
        self.result = None
        super().schedule(map_, copies, variable)

    def _show(self, result: LeadTimeDistribution, runs: int) -> None:
        super()._show(result, runs)
        self.result = result
        self.finished.emit()


class TargetLines:
    """Two labels under the lead time: the target (met / missed, chance, P85) and the
    experience score."""

    def __init__(self) -> None:
        self.plain = ""  # the target's lines as plain text ("" when hidden)
        self.target = _wrapping_label("target_lead_time")
        self.target.setTextFormat(Qt.TextFormat.RichText)
        self.experience = _wrapping_label("experience_score")

    def show(self, map_: ValueStreamMap | None, analysis: MapAnalysis | None,
             distribution: LeadTimeDistribution | None,
             figures: PaneFigures | None = None) -> None:
        """Show the target of `map_` against `analysis` (and the simulated lead time).
        `figures`: the pane's figures of that analysis, its targets found already (a costly
        map's, on the worker), else they are found here."""
        if map_ is None or analysis is None or not analysis.ok:
            found = None
        elif figures is not None:
            found = simulated(figures.targets, distribution) if figures.targets else None
        else:
            found = attainment(map_, analysis, distribution)
        if found is None:
            self.plain = ""
            self.target.hide()
        else:  # the verdict on its own line, bold when missed; the chance and steps under it
            parts, tip = target_parts(found)
            map_part = found.target_minutes is not None
            head, rest = (parts[0], parts[1:]) if map_part else ("", parts)
            steps = [p for p in rest if "step" in p]
            rest = [p for p in rest if "step" not in p]
            if steps and len(steps[0]) > STEP_WORDS_SHOWN:  # the names in the tooltip
                count = len(found.missed_steps)
                tip = steps[0] + ". " + tip
                steps = [f"{count} step{'s' if count != 1 else ''} over their target"]
            missed = found.met is False or found.p85_met is False
            plain = ([head] if head else []) + ([" · ".join(rest + steps)] if rest or steps else [])
            self.plain = "\n".join(plain)
            lines = [f"<b>{escape(line)}</b>" if missed and line == head else escape(line)
                     for line in plain]
            self.target.setText("<br>".join(lines))
            self.target.setToolTip(tip)
            self.target.setVisible(bool(lines))
        line = experience_line(map_) if map_ is not None else ""
        self.experience.setText(line)
        if map_ is not None and map_.experience is not None and map_.experience.note:
            self.experience.setToolTip(map_.experience.note)
        self.experience.setVisible(bool(line))


class SplitBar(QWidget):
    """A horizontal stacked bar: one segment per part, its width its share of the lead time,
    its percent written inside when it fits; outlined so that neighbours of close colours part."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.segments: list[Segment] = []
        self.setMinimumHeight(26)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_segments(self, segments: list[Segment]) -> None:
        self.segments = segments
        self.setToolTip("\n".join(segment_words(s) for s in segments))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        total = sum(s.minutes for s in self.segments)
        if total <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetricsF(self.font())
        x, width, height = 0.5, self.width() - 1.0, self.height() - 1.0
        for segment in self.segments:
            part = width * segment.minutes / total
            if part <= 0:
                continue
            rect = QRectF(x, 0.5, part, height)
            colour = QColor(segment.colour)
            painter.fillRect(rect, colour)
            painter.setPen(QPen(QColor("#000000"), 1))
            painter.drawRect(rect)
            text = f"{segment.percent:.0f}%" if segment.percent is not None else ""
            if text and metrics.horizontalAdvance(text) + 6 <= part:
                dark = colour.lightness() < 140
                painter.setPen(QColor("#ffffff" if dark else "#000000"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x += part
        painter.end()


class StakeholderSection(QWidget):
    """Who holds the work (a stacked bar by performer or team, its legend, the wait on vendors)
    and what the work costs, for the map shown. The cost of a costly map (the worth of its
    steps to change recounts the visits once per step sending work back: 2 s at 1,000 steps)
    is computed in the second process (ui.document.processes) over a copy of the map, the
    cost saying "updating" meanwhile; `cost_ready` tells when it has come (a superseded one
    never shows)."""

    cost_ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.splits: dict[str, WorkSplit | None] = {}
        self.cost: CostAnalysis | None = None
        self._worth: dict[str, SavingWorth] | None = None  # step id -> its row of self.cost.savings
        self._worth_of: CostAnalysis | None = None  # the cost self._worth is of
        self.cost_updating = False  # the cost is being computed by the worker
        self._job = 0  # the latest cost job's number
        self._costing: Future[object] | None = None  # the latest cost job, cancelled by a newer
        heading = QLabel("Who holds the work")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.by_performer = QRadioButton("By &performer")
        self.by_team = QRadioButton("By t&eam")
        self.by_performer.setChecked(True)
        self.switch = QButtonGroup(self)
        self.switch.addButton(self.by_performer)
        self.switch.addButton(self.by_team)
        self.switch.buttonToggled.connect(self._on_switch)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.by_performer)
        top.addWidget(self.by_team)
        self.bar = SplitBar()
        self.bar.setObjectName("work_split_bar")
        self.legend = _wrapping_label("work_split_legend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.vendor = _wrapping_label("vendor_wait")
        self.cost_label = _wrapping_label("cost")
        self.cost_label.setToolTip(
            "cost per item = the sum over the steps of visits × process time (hours) × people × "
            "hourly rate (the step's own, else its team's); waits cost nothing. Per period: × "
            "the demand; per month: a month of 52/12 weeks of 5 working days.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.legend)
        layout.addWidget(self.vendor)
        layout.addWidget(self.cost_label)

    def _on_switch(self, _button: QRadioButton, on: bool) -> None:
        if on:
            self.refresh()

    @property
    def by(self) -> str:
        """"performer" or "team": what the bar splits by."""
        return "team" if self.by_team.isChecked() else "performer"

    def show_map(self, map_: ValueStreamMap | None, analysis: MapAnalysis | None,
                 copies: RecordCopies | None = None, figures: PaneFigures | None = None) -> None:
        """Show the figures of `map_` from its analysis (hidden without a valid analysis). Only
        the figures are kept, never the map (a panel's widgets must not keep a map alive).
        With `copies` (a costly map's record copies) the cost is computed on a worker.
        `figures`: the pane's figures of that analysis (the split found already), if any."""
        ok = map_ is not None and analysis is not None and analysis.ok and bool(map_.steps)
        if figures is not None:
            self.splits = figures.splits if ok else {}
            priced = ok and figures.priced
        else:
            self.splits = splits_of(map_, analysis) if ok else {}
            priced = ok and (bool(map_.team_rates)
                             or any(step.hourly_rate is not None for step in map_.steps))
        self._job += 1  # supersedes a cost under way
        if self._costing is not None:
            self._costing.cancel()  # never started, if not under way yet
            self._costing = None
        self.cost, self.cost_updating = None, False
        if priced and copies is not None:
            assert map_ is not None and analysis is not None
            self._cost_in_background(MapRecords.of(map_, kaizens=False, copies=copies), analysis)
        elif priced:
            self.cost = cost_of(map_, analysis)  # no rate: nothing to say
        self.refresh()

    def _cost_in_background(self, records: MapRecords, analysis: MapAnalysis) -> None:
        number, costed = self._job, Receiver(self._on_costed)  # no Qt object on the worker
        self.cost_updating = True
        self._costing = in_the_second_process("cost", cost_job, records, analysis, costed, number,
                                              lambda _error: None)  # logged; the cost unsaid

    def _on_costed(self, number: int, outcome: object) -> None:
        if number != self._job:
            return  # superseded: a newer analysis came meanwhile
        self.cost = outcome if isinstance(outcome, CostAnalysis) else None
        self.cost_updating = False
        self.refresh()
        self.cost_ready.emit()

    def refresh(self) -> None:
        split = self.splits.get(self.by)
        self.setVisible(split is not None)
        if split is None:
            return
        segments = split_segments(split)
        self.bar.set_segments(segments)
        cells = [f"<td><span style='color:{s.colour}'>■</span>&nbsp;{escape(segment_words(s))}"
                 "&nbsp;&nbsp;</td>" for s in segments]
        self.legend.setText("<table cellspacing=0 cellpadding=0>" + "".join(
            "<tr>" + "".join(cells[i:i + 2]) + "</tr>" for i in range(0, len(cells), 2))
            + "</table>")
        self.legend.show()
        vendor = vendor_wait_words(split)
        self.vendor.setText(vendor)
        self.vendor.setVisible(bool(vendor))
        lines = cost_lines(self.cost) if self.cost is not None else []
        if self.cost_updating:
            lines = [COST_UPDATING]
        self.cost_label.setText(" · ".join(lines[:3]) + ("\n" + lines[3] if len(lines) > 3
                                                         else ""))
        self.cost_label.setVisible(bool(lines))

    def legend_lines(self) -> list[str]:
        """The legend as plain lines ("Vendor 3h (80.0%)")."""
        return [segment_words(s) for s in self.bar.segments]

    def worth_of(self, step_id: str) -> str:
        """What the step to change is worth ("" when no step of the map has a rate)."""
        if self.cost is None or self.cost.per_item is None:
            return ""
        if self._worth is None or self._worth_of is not self.cost:  # once per cost, not per row
            self._worth_of = self.cost
            self._worth = {}
            for row in self.cost.savings:
                self._worth.setdefault(row.step_id, row)  # the first, as a search would find
        return worth_words(self._worth.get(step_id), self.cost.currency)


class AutomationPanel(MapPanel):
    """Automation candidates: the steps done by hand, most people-hours per month freed first."""

    steps_selected = Signal(list)

    def build(self) -> None:
        self._count = 0  # the number of the latest count; an older one's result is dropped
        self._counting: Future[object] | None = None  # the latest count, cancelled by a newer
        self._rows_shown: list[Row] | None = None  # (step id, text) listed, without COUNTING
        self.intro = QLabel("Steps people or customers do by hand, ranked by the hours per month "
                            "automating them would free (visits × process time × people × "
                            "demand).")
        self.intro.setWordWrap(True)
        # A view over a Python list (ui.panels.list_rows): replacing the candidates is one
        # reset; clearing 4,000 QListWidgetItems took 8 ms at 5,000 steps, in the analysis' turn.
        self.rows = ListRows(self)
        self.list = QListView()
        self.list.setModel(self.rows)
        self.list.setObjectName("automation_candidates")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        # Laid out LIST_BATCH rows per turn of the event loop: the wrapped rows of 4,000
        # candidates took 0.2 s to lay out in one go.
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(LIST_BATCH)
        pick = OncePerTurn(self._pick)
        self.list.clicked.connect(lambda index: pick(index.data(STEP_ID_ROLE)))
        self.list.activated.connect(lambda index: pick(index.data(STEP_ID_ROLE)))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        self._stale = True  # the list waits for the panel to be shown (analysis_updated)

    def lines(self) -> list[str]:
        """The rows as shown (brought up to date first if the panel was hidden since)."""
        self._refresh_if_stale()
        return self.rows.texts()

    def map_shown(self) -> None:
        self.analysis_updated()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self._refresh_if_stale()
        super().showEvent(event)

    def _refresh_if_stale(self) -> None:
        if self._stale:
            self.analysis_updated(hidden_too=True)

    def analysis_updated(self, hidden_too: bool = False) -> None:
        # The candidates need every step's visits over every branch, a walk of the whole map
        # when the map has no demand (0.5 s at 5,000 steps): only while the list can be seen
        # (a tab of the bottom dock, usually behind the step table), else when next shown.
        self._stale = not (hidden_too or self.isVisible())
        if self._stale:
            return
        analysis = self.analysis()
        self._count += 1  # supersedes a count under way
        if self._counting is not None:
            self._counting.cancel()  # never started, if not under way yet
            self._counting = None
        if (self.map is not None and analysis is not None and analysis.ok
                and self.document is not None and self.document.live.costly(self.map.id)):
            self._count_in_background(self.map, analysis)
            return
        cost = (cost_of(self.map, analysis, with_savings=False)  # the worth is not shown here
                if self.map is not None and analysis is not None and analysis.ok else None)
        self._show_cost(cost, analysis=analysis)

    def _count_in_background(self, map_: ValueStreamMap, analysis: MapAnalysis) -> None:
        """Count the visits (and the candidates) in the second process, from a copy of the
        map."""
        assert self.document is not None
        number, counted = self._count, Receiver(self._on_counted)  # no Qt object on the worker
        records = MapRecords.of(map_, kaizens=False, copies=self.document.live.copies(map_.id))
        if self.rows.first_text() != COUNTING:
            self.rows.put_first(COUNTING)  # above the candidates shown until the count's
        self._counting = in_the_second_process("automation", count_job, records, analysis,
                                               counted, number,
                                               lambda error: error)  # said in the list

    def _on_counted(self, number: int, outcome: object) -> None:
        if number != self._count:
            return  # superseded: a newer analysis came meanwhile
        if isinstance(outcome, BaseException):
            self._rows_shown = None
            self.rows.replace([(None, f"Not computed: {type(outcome).__name__}: {outcome}")])
            return
        assert isinstance(outcome, tuple)
        self._show_cost(*outcome, analysis=self.analysis())

    def _show_cost(self, cost: CostAnalysis | None, lines: list[tuple[str, str]] | None = None,
                   analysis: MapAnalysis | None = None) -> None:
        """Show the candidates of `cost` (its `lines`, when already written)."""
        rows: list[Row] = []
        if cost is not None:
            lines = automation_lines(cost) if lines is None else lines
            if not lines:
                rows.append((None, "No candidates: every step with work is automated already."))
            rows += lines
            if cost.demand_per_month is None and lines:
                rows.append((None, "Set the map's demand to see hours per month."))
        elif self.map is not None and not self.map.steps:  # its analysis' one problem
            rows.append((None, "No steps yet."))
        elif self.map is not None and analysis is not None and not analysis.ok:
            rows.append((None, "Not computed: the map has problems."))
        elif self.map is not None:  # visits beyond counting (cost_of gave None)
            rows.append((None, VISITS_UNCOUNTED))
        counting = self.rows.first_text() == COUNTING
        if rows == self._rows_shown:  # the same candidates (an edit of a wait): kept as they are
            if counting:
                self.rows.drop_first()
            return
        self._rows_shown = rows
        self.rows.replace(rows)  # one reset, however long the list (COUNTING goes with it)

    def _pick(self, step_id: str | None) -> None:
        if step_id:
            self.steps_selected.emit([step_id])
