"""The metrics panel: the headline figures of the map shown, and the steps to change.

Figures come only from the document's analysis and refresh on `analysis_changed`. Each figure's
tooltip gives its formula with the numbers and the steps behind it. When a blocking problem stops
the analysis (shares being typed that do not add up yet) the map's last valid figures stay,
greyed and captioned "(last valid)", and a line says why; a map never valid since it was opened
reads "–". For a future state whose steps came from
another map (vsm.analysis.compare.origin_map), each figure also shows its live change against that map.
A step to change becomes a kaizen burst in one action (context menu or the button under the list).
With a demand set, the takt time and the busiest step's utilisation show under the figures; when
some step has a time range, the lead time says it uses the most likely times and the simulated
lead time (mean, median, 85% within) shows under it, in bold, computed from 300 ms after the last
analysis change in slices of the event loop (ui.panels.simulation), so typing stays fluid on any
size of map.
"""

from __future__ import annotations

import math
from html import escape
from typing import NamedTuple

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
)

from ui.document.document import Document
from ui.panels.common import InlineError, MapPanel, OncePerTurn
from ui.panels.figure_card import DELTA_KEYS, FIGURES, Figure, delta_words, percent
from ui.panels.rich_text import RICH_ROLE, RichTextDelegate
from ui.panels.stakeholder_metrics import StakeholderSection, TargetLines, TargetSimulation
from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.analysis.capacity import AVAILABLE_MINUTES
from vsm.analysis.compare import MetricDelta, headline_figures, origin_map
from vsm.analysis.pane_figures import PaneFigures
from vsm.analysis.plan import kaizen_from_step_to_change
from vsm.model.durations import format_duration, format_working_hours, working_time_basis
from vsm.model.measured import MEASURED_LABEL, measured_words

STEP_ID_ROLE = Qt.ItemDataRole.UserRole
STEPS_SHOWN = 25  # steps to change listed; large maps flag hundreds
STALE_FIGURES = ("lead_time", "process_time", "flow_efficiency", "rolled_pca")  # from the analysis


def short(text: str, limit: int = 140) -> str:
    """`text` cut at a word before `limit` characters, with an ellipsis."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " … (see Problems)"


class Row(NamedTuple):
    """One line of the steps-to-change list; without a step id it is a note, not selectable."""

    text: str
    html: str = ""
    tooltip: str = ""
    step_id: str | None = None


class MetricsPanel(MapPanel):
    """Lead time, process time, flow efficiency, rolled %C&A and step count; steps to change."""

    steps_selected = Signal(list)  # [step id] of a step to change the user picked
    step_activated = Signal(str)  # the same step: the window centres the canvas on it
    kaizen_created = Signal(str)  # kaizen id made from a step to change: the window selects it

    def build(self) -> None:
        self.figures: dict[str, Figure] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        for number, (key, caption) in enumerate(FIGURES.items()):
            figure = Figure(caption)
            figure.setObjectName(key)
            self.figures[key] = figure
            grid.addWidget(figure, number // 2, number % 2)
        # Under the lead time, with time ranges: what it is computed with, then the simulation
        self.most_likely = QLabel("with the most likely times")
        self.most_likely.setObjectName("lead_time_most_likely")
        self.most_likely.setWordWrap(True)
        self.most_likely.setToolTip(
            "The lead time above uses each step's most likely wait and process times. The "
            "simulated figures draw each time between its minimum and maximum.")
        self.most_likely.hide()
        self.simulated = QLabel()  # mean, median and P85 of the simulation
        self.simulated.setObjectName("simulated_lead_time")
        self.simulated.setWordWrap(True)
        self.simulated.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bold = QFont(self.simulated.font())
        bold.setBold(True)
        self.simulated.setFont(bold)
        self.simulated.hide()
        lead_layout = self.figures["lead_time"].layout()
        lead_layout.insertWidget(2, self.most_likely)  # caption, value, these two, the delta
        lead_layout.insertWidget(3, self.simulated)
        # Beside the map's lead time, for a mined map: the lead time the log measured
        self.measured = QLabel()
        self.measured.setObjectName("measured_lead_time")
        self.measured.setWordWrap(True)
        self.measured.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.measured.hide()
        lead_layout.insertWidget(4, self.measured)
        # Under the figures, full width, what stakeholders ask: the target met or missed (with
        # ranges the chance of meeting it, from this simulation) and the experience score
        self.targets = TargetLines()
        self.simulation = TargetSimulation(self.simulated)
        self.simulation.finished.connect(self._show_target)
        self.stakeholders = StakeholderSection()  # who holds the work, cost
        self.stakeholders.cost_ready.connect(self._on_cost_ready)
        self.takt = Figure("Takt time")
        self.takt.setObjectName("takt_time")
        # Under the value, the basis said once, as `vsm report` says it (vsm.model.durations):
        # "86h 40m" / "of working time (8h days)", never calendar days.
        self.takt_basis = QLabel(working_time_basis(AVAILABLE_MINUTES["day"]))
        self.takt_basis.setObjectName("takt_basis")
        self.takt.layout().addWidget(self.takt_basis)
        self.busiest = QLabel()
        self.busiest.setObjectName("busiest_step")
        self.busiest.setWordWrap(True)
        self.busiest.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = (len(FIGURES) + 1) // 2
        grid.addWidget(self.takt, row, 0)
        grid.addWidget(self.busiest, row, 1)
        self.takt.hide()
        self.busiest.hide()
        self.reason = InlineError("Figures not computed")
        self.updating = QLabel("Updating the figures…")  # a large map's worker at work
        self.updating.setObjectName("figures_updating")
        self.updating.setToolTip("The map is large: its figures are recomputed in the "
                                 "background; those shown are from before the last change.")
        self.updating.hide()
        heading = QLabel("Steps to change")
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        self.steps_to_change = QListWidget()
        self.steps_to_change.setWordWrap(True)
        self.steps_to_change.setAlternatingRowColors(True)
        self.steps_to_change.setUniformItemSizes(False)
        self.steps_to_change.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.steps_to_change.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.steps_to_change.setItemDelegate(RichTextDelegate(self.steps_to_change))
        self.steps_to_change.setToolTip("Flagged steps, largest saving first. "
                                        "Click or press Enter to show one on the map.")
        pick = OncePerTurn(self._pick)
        self.steps_to_change.itemClicked.connect(lambda item: pick(item.data(STEP_ID_ROLE)))
        self.steps_to_change.itemActivated.connect(lambda item: pick(item.data(STEP_ID_ROLE)))
        self.steps_to_change.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.steps_to_change.customContextMenuRequested.connect(self._context_menu)
        self.create_kaizen_button = QPushButton("Create &Kaizen from Step")
        self.create_kaizen_button.setToolTip(
            "Add a kaizen burst to the selected step to change, with its reasons and saving")
        self.create_kaizen_button.setEnabled(False)
        self.create_kaizen_button.clicked.connect(self.create_kaizen_from_selected)
        self.steps_to_change.currentItemChanged.connect(
            lambda item, _old: self.create_kaizen_button.setEnabled(
                item is not None and bool(item.data(STEP_ID_ROLE))))
        self.origin = None  # the map a future state came from, when there is one
        self._rows_shown: list[Row] | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.updating)
        layout.addWidget(self.targets.target)
        layout.addWidget(self.targets.experience)
        layout.addWidget(self.reason)
        layout.addWidget(self.stakeholders)
        layout.addWidget(heading)
        layout.addWidget(self.steps_to_change, 1)
        layout.addWidget(self.create_kaizen_button)

    def set_document(self, document: Document | None) -> None:
        """Follow another document; also hear about the other maps (the origin's changes)."""
        if self.document is not None:
            self.document.map_settings_changed.disconnect(self._on_settings_changed)
            self.document.maps_changed.disconnect(self._show_deltas)
            self.document.live.updating_changed.disconnect(self._on_updating)
            self.document.live.failed.disconnect(self._on_failed)
        super().set_document(document)
        if document is not None:
            document.map_settings_changed.connect(self._on_settings_changed)
            document.maps_changed.connect(self._show_deltas)
            document.live.updating_changed.connect(self._on_updating)
            document.live.failed.connect(self._on_failed)

    def _on_updating(self, map_id: str, updating: bool) -> None:
        """A large map's figures are being recomputed off the GUI thread: say so."""
        if self.map is not None and map_id == self.map.id:
            # The new figures may wait a turn (MapPanel.refresh_due): updating until they show.
            self.updating.setVisible(updating or self.refresh_pending)

    def _on_failed(self, map_id: str, message: str) -> None:
        if self.map is not None and map_id == self.map.id:
            self.reason.show_message(message)
            self.reason.setToolTip(message)

    def updating_text(self) -> str:
        """The updating note as shown ("" when the figures are up to date)."""
        return self.updating.text() if not self.updating.isHidden() else ""

    def _on_analysis_changed(self, map_id: str) -> None:
        super()._on_analysis_changed(map_id)
        if self.origin is not None and map_id == self.origin.id:
            self._show_deltas()

    def _on_settings_changed(self, map_id: str, field: str) -> None:
        if field in ("name", "kind") and self.map is not None:
            self._show_deltas()
        if field == "measured" and self.map is not None and map_id == self.map.id:
            self._show_measured()

    def _show_measured(self) -> None:
        """Under the lead time, the lead time measured from the log of a mined map."""
        measured = self.map.measured if self.map is not None else None
        if measured is None:
            self.measured.hide()
            self.measured.clear()
            return
        self.measured.setText(f"{MEASURED_LABEL}: {measured_words(measured)}")
        window = (f" between {measured.start} and {measured.end}"
                  if measured.start and measured.end else "")
        self.measured.setToolTip(
            f"Percentiles of the lead time of the {measured.cases:,} cases in {measured.source}"
            f"{window} ({measured.events:,} events); the map's lead time above is computed "
            f"from the steps' {measured.statistic} times.")
        self.measured.show()

    def measured_text(self) -> str:
        """The measured lead time as shown ("" when the map was not mined)."""
        return self.measured.text() if not self.measured.isHidden() else ""

    def delta_text(self, key: str) -> str:
        """The change shown under a figure ("" when there is none)."""
        figure = self.figures[key]
        return figure.delta.text() if not figure.delta.isHidden() else ""

    def _show_deltas(self) -> None:
        """Under each figure, its change against the map this future state came from."""
        map_, document = self.map, self.document
        origin = None
        maps = document.project.maps if document is not None else []
        if map_ is not None and map_.kind == "future" and any(m is map_ for m in maps):
            origin = origin_map(map_, maps)
        self.origin = origin
        if origin is None:
            for figure in self.figures.values():
                figure.set_delta("")
            return
        before = headline_figures(origin, document.analysis(origin.id))
        after = headline_figures(map_, document.analysis(map_.id))
        for key, figure in self.figures.items():
            metric_key = DELTA_KEYS[key]
            metric = MetricDelta.of(before[metric_key], after[metric_key])
            figure.set_delta(*delta_words(metric_key, metric, origin.name))

    def _context_menu(self, position: QPoint) -> None:
        item = self.steps_to_change.itemAt(position)
        if item is None or not item.data(STEP_ID_ROLE):
            return
        self.steps_to_change.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction("Create Kaizen Burst", self.create_kaizen_from_selected)
        menu.exec(self.steps_to_change.viewport().mapToGlobal(position))

    def create_kaizen_from_selected(self) -> str | None:
        """A kaizen burst for the selected step to change (one command); returns its id."""
        item = self.steps_to_change.currentItem()
        return self.create_kaizen(item.data(STEP_ID_ROLE)) if item is not None else None

    def create_kaizen(self, step_id: str) -> str | None:
        """A kaizen burst attached to this step to change, pre-filled with its reasons and
        saving (vsm.analysis.plan.kaizen_from_step_to_change): one command; returns its id."""
        analysis = self.analysis()
        change = next((c for c in analysis.steps_to_change if c.step_id == step_id), None) \
            if analysis is not None else None
        if change is None or not self.map.has_step(step_id):
            return None
        kaizen = kaizen_from_step_to_change(change, self.map)
        self.document.add_kaizen(self.map.id, kaizen, "Create kaizen from step to change")
        self.kaizen_created.emit(kaizen.id)
        return kaizen.id

    def figure_text(self, key: str) -> str:
        """The value shown for a figure (see FIGURES for the keys)."""
        return self.figures[key].value.text()

    def lead_time_text(self) -> str:
        """The lead time as shown ("–" when not computed)."""
        return self.figure_text("lead_time")

    def map_shown(self) -> None:
        self.updating.setVisible(self.map is not None and self.document is not None
                                 and self.document.live.updating(self.map.id))
        self.analysis_updated()

    def pane_figures(self) -> PaneFigures | None:
        """The figures this pane shows beside the analysis (vsm.analysis.pane_figures), of the
        current analysis: a costly map's found by the analysis worker; None without a map."""
        if self.document is None or self.map is None:
            return None
        return self.document.live.pane_figures(self.map.id)

    def analysis_updated(self) -> None:
        analysis = self.analysis()
        figures = self.pane_figures()
        if self.map is not None and self.document is not None:
            self.updating.setVisible(self.document.live.updating(self.map.id))
        self._show_deltas()
        self._show_measured()
        self._show_capacity(analysis, figures)
        self._schedule_simulation(analysis, figures)
        live = self.document.live if self.document is not None else None
        copies = (live.copies(self.map.id)  # a costly map's cost: on a worker
                  if live is not None and self.map is not None and live.costly(self.map.id)
                  else None)
        self.stakeholders.show_map(self.map, analysis, copies, figures)
        self._show_target()
        if analysis is None or figures is None:
            for figure in self.figures.values():
                figure.set_stale(False)
                figure.set("–", "")
            self.reason.clear()
            self._fill_steps_to_change([])
            return
        last = None if analysis.ok else self.document.last_valid_analysis(self.map.id)
        for key in STALE_FIGURES:
            self.figures[key].set_stale(last is not None)
        self._show_figures(last if last is not None else analysis, figures)
        blocking = [p.message for p in analysis.problems if p.blocking]
        if blocking:
            self.reason.show_message(short(blocking[0]) + (
                f" (and {len(blocking) - 1} more: see Problems)" if len(blocking) > 1 else "")
                + (" The greyed figures are the last valid ones." if last is not None else ""))
            self.reason.setToolTip("\n".join(blocking))
        else:
            self.reason.clear()
        self._show_steps_to_change(analysis)

    def _on_cost_ready(self) -> None:
        """A costly map's cost came from the worker: the steps to change say their worth."""
        analysis = self.analysis()
        if analysis is not None:
            self._show_steps_to_change(analysis)

    def _show_target(self) -> None:
        """The target and experience under the lead time (the chance once simulated)."""
        self.targets.show(self.map, self.analysis(), self.simulation.result, self.pane_figures())

    def _name(self, step_id: str) -> str:
        return self.map.step(step_id).name if self.map.has_step(step_id) else step_id

    def figures_stale(self) -> bool:
        """True while the figures shown are the last valid ones, greyed."""
        return self.figures["lead_time"].stale

    def _show_figures(self, a: MapAnalysis, figures: PaneFigures) -> None:
        """The figures of `a`, the current analysis or, greyed, the last valid one; the step
        count and the steps below 100 %C&A from `figures` (the map's as it is analysed)."""
        path = " → ".join(self._name(v) for v in a.critical_path)
        lead, process = format_duration(a.lead_time), format_duration(a.process_time)
        start = self._name(a.lead_start) if a.lead_start else "–"
        self.figures["lead_time"].set(lead, (
            "Expected time from the first queue to done: the largest T(v) over the start steps, "
            "where T(v) = wait + process + the time of what follows (the longest concurrent "
            "branch, share-weighted alternative routes) + expected rework.\n"
            f"Lead start: {start} = {lead}\nCritical path: {path or '–'}"))
        self.figures["process_time"].set(process, (
            "Hands-on time: the same recursion with process times only, from the lead start "
            f"{start} along the branches that set the lead time = {process}"))
        self.figures["flow_efficiency"].set(percent(a.flow_efficiency_percent), (
            f"process time / lead time = {process} / {lead} = {percent(a.flow_efficiency_percent)}"
            "\nThe share of the lead time in which someone works on the item."))
        low = figures.below_full_pca
        self.figures["rolled_pca"].set(percent(a.rolled_pca_percent), (
            "Chance an item passes every step complete and accurate: the product of the %C&A "
            "of the steps it passes, weighted by route shares (rework ignored) = "
            f"{percent(a.rolled_pca_percent)}\n"
            + ("Steps below 100%: " + ", ".join(low) if low else "Every step is at 100%.")))
        on_path, count = len(a.critical_path), figures.step_count
        self.figures["steps"].set(str(count), (
            f"Steps in the map: {count}, {on_path} of them on the critical path"
            + (f" ({path})" if path else "") + "."))

    def takt_text(self) -> str:
        """The takt time as shown, in working hours ("" when the map has no demand); the label
        under it (takt_basis) says "of working time (8h days)"."""
        return self.takt.value.text() if not self.takt.isHidden() else ""

    def busiest_text(self) -> str:
        """The busiest step's utilisation as shown ("" when there is none)."""
        return self.busiest.text() if not self.busiest.isHidden() else ""

    def simulated_text(self) -> str:
        """The simulated lead time as shown, its non-breaking spaces as spaces ("" when not
        simulated)."""
        return self.simulated.text().replace("\u00a0", " ") if not self.simulated.isHidden() \
            else ""

    def most_likely_text(self) -> str:
        """What the lead time is computed with, when the map has time ranges (else "")."""
        return self.most_likely.text() if not self.most_likely.isHidden() else ""

    def _show_capacity(self, a: MapAnalysis | None, figures: PaneFigures | None) -> None:
        """Takt time and the busiest step, when the map has a demand."""
        map_ = self.map
        if (a is None or map_ is None or figures is None or a.takt_time is None
                or map_.demand is None):
            self.takt.hide()
            self.busiest.hide()
            return
        period = map_.demand_period
        available = AVAILABLE_MINUTES[period]
        takt = format_working_hours(a.takt_time)
        self.takt.set(takt, (
            "takt = available working minutes per period / demand\n"
            f"= {available:,.0f} working minutes per {period} / {map_.demand:g} items per "
            f"{period} = {takt} of working time between two arriving items"))
        self.takt.value.setAccessibleName(f"Takt time: {takt} {self.takt_basis.text()}")
        self.takt.show()
        if figures.busiest is None or not map_.has_step(figures.busiest[1]):
            self.busiest.hide()
            return
        value, step_id = figures.busiest
        step = map_.step(step_id)
        visits = a.visits.get(step_id, 0.0)
        shown = "nobody assigned" if math.isinf(value) else f"{value:.0f}%"
        self.busiest.setText(f"Busiest: {step.name} — {shown}")
        result = "∞ (nobody assigned)" if math.isinf(value) else f"{value:.1f}%"
        self.busiest.setToolTip(
            "utilisation = demand × process time × visits / (people × available minutes)\n"
            f"{step.name}: {map_.demand:g} × {step.process_time:g}m × {visits:.2f} / "
            f"({step.people:g} × {available:,.0f}m per {period}) = {result}")
        self.busiest.show()

    def _schedule_simulation(self, a: MapAnalysis | None, figures: PaneFigures | None) -> None:
        """Simulate after the pause (ui.panels.simulation); hide the figures if not wanted."""
        variable = figures is not None and figures.variable
        wanted = a is not None and self.map is not None and a.ok
        self.most_likely.setVisible(a is not None and self.map is not None and variable)
        self.simulation.schedule(self.map if wanted else None,
                                 self.document.live.copies(self.map.id) if wanted else None,
                                 variable=variable)

    def _show_steps_to_change(self, a: MapAnalysis) -> None:
        """The largest savings first, at most STEPS_SHOWN of them (the canvas badges and the
        step table's Saving and Flags columns cover every step)."""
        if not a.steps_to_change:
            self._fill_steps_to_change([Row("No steps to change." if a.ok else "Not computed.")])
            return
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        rows = []
        for rank, change in enumerate(a.steps_to_change[:STEPS_SHOWN], start=1):
            flags = ", ".join(FLAG_LABELS[f] for f in change.flags)
            saving = (f"saves {format_duration(change.saving)}" if change.saving > 0
                      else "no time saved")
            worth = self.stakeholders.worth_of(change.step_id)  # with rates: what it is worth
            saving += f" ({worth})" if worth else ""
            headline = f"{rank}. {change.name} — {saving} — {flags}"
            rows.append(Row(f"{headline}\n" + " ".join(change.reasons),
                            f"<b>{escape(headline)}</b><br><span style='color:{muted}'>"
                            + "<br>".join(escape(r) for r in change.reasons) + "</span>",
                            "\n".join(change.reasons), change.step_id))
        hidden = len(a.steps_to_change) - STEPS_SHOWN
        if hidden > 0:
            rows.append(Row(f"… and {hidden:,} more: sort the Steps table by Saving, or look for "
                            "the flags on the map."))
        self._fill_steps_to_change(rows)

    def _fill_steps_to_change(self, rows: list[Row]) -> None:
        """Show `rows`; nothing is rebuilt (and the selection stays) when they did not change."""
        if rows == self._rows_shown:
            return
        self._rows_shown = rows
        self.steps_to_change.clear()
        self.create_kaizen_button.setEnabled(False)
        for row in rows:
            item = QListWidgetItem(row.text)
            if row.step_id is None:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                item.setData(RICH_ROLE, row.html)
                item.setToolTip(row.tooltip)
                item.setData(STEP_ID_ROLE, row.step_id)
            self.steps_to_change.addItem(item)

    def _pick(self, step_id: str | None) -> None:
        if step_id:
            self.steps_selected.emit([step_id])
            self.step_activated.emit(step_id)
