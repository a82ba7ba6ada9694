"""MapScene: the canvas of one value-stream map.

The scene mirrors the map: it builds one item per step and flow, subscribes to the map's events
and updates only the item an event concerns. It listens to the document's analysis to show flags,
the critical path, the lead-time ladder and the summary. Gestures on the canvas (dragging steps,
drawing a connection, double-clicking to add a step) become commands pushed on the document's
undo stack; the model then tells the scene what changed. Nothing is ever read back from the items
to save: positions live in the model.
"""

from __future__ import annotations

from collections import defaultdict

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent

from ui.commands import AddStepsCommand
from ui.document import Document
from ui.items import (FlowItem, KaizenItem, LadderItem, LadderSegment, LaneBand, LanesItem,
                      LegendItem, StepItem, SummaryItem)
from ui.items.step_item import HEIGHT, PROCESS_HEIGHT, WIDTH
from ui.palette import COLOUR_MODES, LIGHT, Theme, theme_for
from ui.tools import ConnectTool, MoveTool
from vsm.analysis import FLAG_LABELS, MapAnalysis
from vsm.durations import format_duration
from vsm.events import KaizenAdded, KaizenChanged, KaizenRemoved
from vsm.kaizen import Kaizen
from vsm.layout import LANE_BYS, LANE_PADDING, lane_bands
from vsm.model import (Flow, FlowAdded, FlowChanged, FlowRemoved, MapChanged, Step, StepAdded,
                       StepChanged, StepRemoved, ValueStreamMap)

GRID = 20.0
MARGIN = 400.0  # room around the map to scroll into and double-click on
SUMMARY_TOOLTIP = (
    "<b>Lead time</b>: expected time from the first step to the end, along the longest of "
    "concurrent branches, weighting alternative routes by their shares and including rework.<br>"
    "<b>Process time</b>: the part of it spent working.<br>"
    "<b>Flow efficiency</b> = process time ÷ lead time.<br>"
    "<b>Rolled %C&amp;A</b>: the chance that work passes every step complete and accurate "
    "(the product of the steps' %C&amp;A).")


class MapScene(QGraphicsScene):
    """The canvas of one map; `item_for_step`, `item_for_flow` and `item_for_kaizen` map model
    ids to items. A `read_only` scene (the compare view) shows the map but pushes nothing: its
    items cannot be dragged and double-clicks add nothing."""

    status_message = Signal(str)  # a hint for the status bar
    rename_requested = Signal(str)  # step id: the view opens the inline name editor
    kaizen_activated = Signal(str)  # kaizen id double-clicked: the window opens its properties

    def __init__(self, document: Document, map_: ValueStreamMap,
                 parent: QObject | None = None, read_only: bool = False) -> None:
        super().__init__(parent)
        self.document = document
        self.map = map_
        self.read_only = read_only
        self.item_for_step: dict[str, StepItem] = {}
        self.item_for_flow: dict[str, FlowItem] = {}
        self.item_for_kaizen: dict[str, KaizenItem] = {}
        self._colour_mode = "activity"
        self._lanes_by: str | None = None
        self._snap = False
        app = QGuiApplication.instance()
        self.theme: Theme = theme_for(app.palette()) if app is not None else LIGHT
        self.analysis: MapAnalysis | None = None
        self.connect_tool = ConnectTool(self)
        self.move_tool = MoveTool(self)
        self.legend = LegendItem(self._colour_mode, self.theme)
        self.ladder = LadderItem(self.theme)
        self.summary = SummaryItem(self.theme)
        self.lanes = LanesItem(self.theme)
        for decoration in (self.lanes, self.legend, self.ladder, self.summary):
            self.addItem(decoration)
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(0)
        self._layout_timer.timeout.connect(self.layout_decorations)
        for step in map_.steps:
            self._add_step_item(step)
        for flow in map_.flows:
            self._add_flow_item(flow)
        for kaizen in map_.kaizens:
            self._add_kaizen_item(kaizen)
        self._attached = True
        map_.subscribe(self._on_model_event)
        document.analysis_changed.connect(self._on_analysis_changed)
        self.apply_analysis()

    def detach(self) -> None:
        """Stop following the map and the document (the map was closed or deleted)."""
        if not self._attached:
            return
        self._attached = False
        self.map.unsubscribe(self._on_model_event)
        try:
            self.document.analysis_changed.disconnect(self._on_analysis_changed)
        except (RuntimeError, TypeError):  # already disconnected
            pass
        self.connect_tool.cancel()
        self._layout_timer.stop()
        self.blockSignals(True)  # a closed map's scene has nothing more to tell

    # ------------------------------------------------------------ settings

    @property
    def colour_mode(self) -> str:
        """ "activity" or "performer": what the step fills show."""
        return self._colour_mode

    def set_colour_mode(self, mode: str) -> None:
        """Fill the steps by activity or by performer; the legend follows."""
        if mode not in COLOUR_MODES:
            raise ValueError(f"colour mode must be one of {COLOUR_MODES}, not {mode!r}")
        self._colour_mode = mode
        for item in self.item_for_step.values():
            item.set_colour_mode(mode)
        self.legend.set_mode(mode)
        self.schedule_layout()

    @property
    def lanes_by(self) -> str | None:
        """None, "team" or "activity": what the swimlane bands behind the steps group by."""
        return self._lanes_by

    def set_lanes(self, by: str | None) -> None:
        """Draw swimlanes by team or by ITIL value chain activity behind the steps, or none."""
        if by is not None and by not in LANE_BYS:
            raise ValueError(f"lanes are by one of {LANE_BYS} or None, not {by!r}")
        self._lanes_by = by
        self._update_lanes()
        self.schedule_layout()

    def _update_lanes(self) -> None:
        """Lay the bands out again from the steps' current positions and lanes (cheap)."""
        by = self._lanes_by
        if by is None or not self.map.steps:
            self.lanes.set_bands([], 0, 0)
            return
        bands = [LaneBand(label, top, height)
                 for _, label, top, height in lane_bands(self.map, by, padding=LANE_PADDING,
                                                         box_height=HEIGHT)]
        left = min(step.x for step in self.map.steps) - LANE_PADDING - LanesItem.LABEL_WIDTH
        right = max(step.x for step in self.map.steps) + WIDTH + LANE_PADDING
        self.lanes.set_bands(bands, left, right)

    @property
    def snap_to_grid(self) -> bool:
        """When on, dropped and new steps land on a 20 px grid, which the background shows."""
        return self._snap

    @snap_to_grid.setter
    def snap_to_grid(self, on: bool) -> None:
        self._snap = bool(on)
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def set_theme(self, theme: Theme) -> None:
        """Draw everything with this theme (LIGHT for exports)."""
        self.theme = theme
        for item in self.items():
            if hasattr(item, "set_theme"):
                item.set_theme(theme)
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def snapped(self, x: float, y: float) -> tuple[float, float]:
        """The position a step dropped at (x, y) takes: on the grid when snapping is on."""
        if not self._snap:
            return (round(x, 1), round(y, 1))
        return (round(x / GRID) * GRID, round(y / GRID) * GRID)

    # ------------------------------------------------------------ selection

    def step_item_at(self, scene_pos: QPointF) -> StepItem | None:
        """The topmost step under a point (its badges and handle included)."""
        for item in self.items(scene_pos):
            while item is not None and not isinstance(item, StepItem):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def flow_item_at(self, scene_pos: QPointF) -> FlowItem | None:
        """The topmost flow under a point."""
        return next((i for i in self.items(scene_pos) if isinstance(i, FlowItem)), None)

    def selected_step_ids(self) -> list[str]:
        """The selected steps, in the map's order."""
        selected = {item.step_id for item in self._selected_items() if isinstance(item, StepItem)}
        return [s.id for s in self.map.steps if s.id in selected]

    def selected_flow_ids(self) -> list[str]:
        """The selected flows, in the map's order."""
        selected = {item.flow_id for item in self._selected_items() if isinstance(item, FlowItem)}
        return [f.id for f in self.map.flows if f.id in selected]

    def selected_kaizen_ids(self) -> list[str]:
        """The selected kaizen bursts, in the map's order."""
        selected = {item.kaizen_id for item in self._selected_items()
                    if isinstance(item, KaizenItem)}
        return [k.id for k in self.map.kaizens if k.id in selected]

    def kaizen_item_at(self, scene_pos: QPointF) -> KaizenItem | None:
        """The topmost kaizen burst under a point."""
        return next((i for i in self.items(scene_pos) if isinstance(i, KaizenItem)), None)

    def _selected_items(self) -> list:
        try:
            return [item for item in self.selectedItems() if shiboken6.isValid(item)]
        except RuntimeError:  # the scene is being destroyed
            return []

    def select_steps(self, step_ids: list[str], flow_ids: list[str] = (),
                     kaizen_ids: list[str] = ()) -> None:
        """Select exactly these steps (and flows and kaizens); one selectionChanged."""
        self.blockSignals(True)
        try:
            self.clearSelection()
            for step_id in step_ids:
                if step_id in self.item_for_step:
                    self.item_for_step[step_id].setSelected(True)
            for flow_id in flow_ids:
                if flow_id in self.item_for_flow:
                    self.item_for_flow[flow_id].setSelected(True)
            for kaizen_id in kaizen_ids:
                if kaizen_id in self.item_for_kaizen:
                    self.item_for_kaizen[kaizen_id].setSelected(True)
        finally:
            self.blockSignals(False)
        self.selectionChanged.emit()

    # ------------------------------------------------------------ model events

    def _on_model_event(self, event: object) -> None:
        if isinstance(event, StepAdded):
            self._add_step_item(event.step)
            if self._lanes_by is not None:
                self._update_lanes()
        elif isinstance(event, StepRemoved):
            item = self.item_for_step.pop(event.step.id, None)
            if item is not None:
                self.move_tool.forget(event.step.id)
                self.removeItem(item)
            if self._lanes_by is not None:
                self._update_lanes()
        elif isinstance(event, StepChanged):
            item = self.item_for_step[event.step.id]
            if event.field in ("x", "y"):
                item.setPos(event.step.x, event.step.y)
            else:
                item.set_step(event.step)
            if self._lanes_by is not None and event.field in ("x", "y", "team", "activity"):
                self._update_lanes()
        elif isinstance(event, FlowAdded):
            self._add_flow_item(event.flow)
        elif isinstance(event, FlowRemoved):
            flow_item = self.item_for_flow.pop(event.flow.id, None)
            if flow_item is not None:
                flow_item.detach()
                self.removeItem(flow_item)
        elif isinstance(event, FlowChanged):
            flow = event.flow
            self.item_for_flow[flow.id].set_flow(flow, self.item_for_step[flow.source],
                                                 self.item_for_step[flow.target])
        elif isinstance(event, (KaizenAdded, KaizenRemoved, KaizenChanged)):
            self._on_kaizen_event(event)
        elif isinstance(event, MapChanged):
            return  # settings change figures only; the analysis will follow
        self.schedule_layout()

    def _on_kaizen_event(self, event: KaizenAdded | KaizenRemoved | KaizenChanged) -> None:
        kaizen = event.kaizen
        if isinstance(event, KaizenAdded):
            self._add_kaizen_item(kaizen)
            return
        if isinstance(event, KaizenRemoved):
            item = self.item_for_kaizen.pop(kaizen.id, None)
            if item is not None:
                self.move_tool.forget(kaizen.id)
                item.detach()
                self.removeItem(item)
            return
        item = self.item_for_kaizen[kaizen.id]
        if event.field in ("x", "y"):
            item.setPos(kaizen.x, kaizen.y)
        elif event.field == "step_id":
            item.attach(self.item_for_step.get(kaizen.step_id or ""))
        else:
            item.set_kaizen(kaizen)

    def _add_step_item(self, step: Step) -> StepItem:
        item = StepItem(step, self._colour_mode, self.theme)
        if self.read_only:
            item.setFlag(StepItem.GraphicsItemFlag.ItemIsMovable, False)
        self.item_for_step[step.id] = item
        self.addItem(item)
        return item

    def _add_kaizen_item(self, kaizen: Kaizen) -> KaizenItem:
        item = KaizenItem(kaizen, self.theme)
        if self.read_only:
            item.setFlag(KaizenItem.GraphicsItemFlag.ItemIsMovable, False)
        self.item_for_kaizen[kaizen.id] = item
        self.addItem(item)
        item.attach(self.item_for_step.get(kaizen.step_id or ""))
        return item

    def _add_flow_item(self, flow: Flow) -> FlowItem:
        item = FlowItem(flow, self.item_for_step[flow.source], self.item_for_step[flow.target],
                        self.theme)
        self.item_for_flow[flow.id] = item
        self.addItem(item)
        return item

    # ------------------------------------------------------------ analysis

    def _on_analysis_changed(self, map_id: str) -> None:
        if map_id == self.map.id:
            self.apply_analysis()

    def apply_analysis(self) -> None:
        """Show the document's current analysis: flags, critical path, ladder and summary."""
        analysis = self.document.analysis(self.map.id)
        self.analysis = analysis
        reasons = {item.step_id: dict(zip(item.flags, item.reasons)) for item in analysis.steps_to_change}
        problems: dict[str, list[str]] = defaultdict(list)
        for problem in analysis.problems:
            for step_id in problem.step_ids:
                problems[step_id].append(problem.message)
        critical = set(analysis.critical_path)
        for step_id, item in self.item_for_step.items():
            flags = list(analysis.flags.get(step_id, []))
            tooltips = {flag: self._flag_tooltip(analysis, step_id, flag, reasons.get(step_id, {}))
                        for flag in flags}
            if problems.get(step_id):
                flags.append("problem")
                tooltips["problem"] = "<br>".join(_escape(m) for m in problems[step_id])
            item.set_flags(flags, tooltips)
            item.set_on_critical_path(step_id in critical)
        pairs = set(zip(analysis.critical_path, analysis.critical_path[1:]))
        for flow_id, flow_item in self.item_for_flow.items():
            flow = flow_item.flow
            flow_item.set_on_critical_path(flow.kind == "normal" and (flow.source, flow.target) in pairs)
        self._update_summary(analysis)
        self.layout_decorations()

    @staticmethod
    def _flag_tooltip(analysis: MapAnalysis, step_id: str, flag: str, reasons: dict[str, str]) -> str:
        text = f"<b>{FLAG_LABELS.get(flag, flag)}</b>"
        if flag in reasons:
            text += f"<br>{_escape(reasons[flag])}"
        saving = analysis.savings.get(step_id, 0.0)
        if saving > 0:
            text += f"<br>Minutes saved by removing its wait: {saving:.0f} ({format_duration(saving)})"
        return text

    def _update_summary(self, analysis: MapAnalysis) -> None:
        def percent(value: float | None) -> str:
            return "–" if value is None else f"{value:.0f}%"

        rows = [("Lead time", format_duration(analysis.lead_time)),
                ("Process time", format_duration(analysis.process_time)),
                ("Flow efficiency", percent(analysis.flow_efficiency_percent)),
                ("Rolled %C&A", percent(analysis.rolled_pca_percent))]
        hint = ""
        blocking = [p for p in analysis.problems if p.blocking]
        if blocking:
            more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
            hint = f"Not computed: {blocking[0].message}{more}"
        self.summary.set_figures(rows, hint, SUMMARY_TOOLTIP)

    # ------------------------------------------------------------ decorations

    def schedule_layout(self) -> None:
        """Place the legend, ladder and summary again on the next turn of the event loop."""
        self._layout_timer.start()

    def layout_decorations(self) -> None:
        """Legend above the map, ladder below the lowest step, summary under the ladder's right end."""
        self._layout_timer.stop()
        content = QRectF()
        for item in [*self.item_for_step.values(), *self.item_for_flow.values(),
                     *self.item_for_kaizen.values()]:
            content = content.united(item.sceneBoundingRect())
        if content.isNull():
            content = QRectF(0, 0, WIDTH, PROCESS_HEIGHT)
        lanes = self.lanes.mapRectToScene(self.lanes.boundingRect())
        if not lanes.isNull():
            content = content.united(lanes)
        self._update_ladder()
        self.legend.setPos(content.left(), content.top() - self.legend.boundingRect().height() - 24)
        self.ladder.setPos(0, content.bottom() + 36)
        ladder = self.ladder.mapRectToScene(self.ladder.boundingRect())
        below = ladder.bottom() if not ladder.isNull() else content.bottom()
        right = max(content.right(), ladder.right() if not ladder.isNull() else content.right())
        self.summary.setPos(right - self.summary.boundingRect().width(), below + 16)
        everything = content.united(self.legend.sceneBoundingRect()).united(
            self.summary.sceneBoundingRect())
        if not ladder.isNull():
            everything = everything.united(ladder)
        self.setSceneRect(everything.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))

    def content_rect(self) -> QRectF:
        """The map with its legend, ladder, summary and lanes (for zoom to fit and exports)."""
        rect = QRectF()
        for item in self.items():
            if item.isVisible() and item.parentItem() is None and not item.boundingRect().isNull():
                rect = rect.united(item.sceneBoundingRect())
        return rect

    def _update_ladder(self) -> None:
        analysis = self.analysis
        path = [v for v in (analysis.critical_path if analysis else []) if v in self.item_for_step]
        if not path:
            self.ladder.set_segments([], [])
            return
        xs = [self.item_for_step[v].x() for v in path]
        aligned = all(b >= a + WIDTH + 20 for a, b in zip(xs, xs[1:]))
        segments = []
        cursor = min(xs)
        waits = process = 0.0
        for index, step_id in enumerate(path):
            step = self.map.step(step_id)
            waits += step.wait_time
            process += step.process_time
            if aligned:
                wait_from = xs[index - 1] + WIDTH if index else xs[0] - 48
                wait_to = xs[index]
            else:
                wait_from, wait_to = cursor, cursor + 60
            segments.append(LadderSegment(
                wait_from, wait_to, wait_to + WIDTH,
                format_duration(step.wait_time) if step.wait_time else "",
                format_duration(step.process_time)))
            cursor = wait_to + WIDTH
        totals = [f"Waiting {format_duration(waits)}", f"Processing {format_duration(process)}",
                  f"Path total {format_duration(waits + process)}"]
        self.ladder.set_segments(segments, totals)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.theme.colour("background"))
        if not self._snap or painter.worldTransform().m11() * GRID < 8:
            return
        painter.setPen(QPen(self.theme.colour("grid"), 0))
        left = int(rect.left() // GRID) * GRID
        top = int(rect.top() // GRID) * GRID
        x = left
        while x < rect.right():
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            x += GRID
        y = top
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += GRID

    # ------------------------------------------------------------ gestures

    def add_step_at(self, scene_pos: QPointF) -> str:
        """Add a new step centred on a point (one command); return its id."""
        x, y = self.snapped(scene_pos.x() - WIDTH / 2, scene_pos.y() - PROCESS_HEIGHT / 2)
        step = Step(x=x, y=y)
        self.document.push(AddStepsCommand(self.map, [step]))
        self.select_steps([step.id])
        return step.id

    def cancel_interaction(self) -> bool:
        """Cancel a connection being drawn; True if there was one."""
        if self.connect_tool.active:
            self.connect_tool.cancel()
            self.status_message.emit("Connection cancelled")
            return True
        return False

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if (event.button() == Qt.MouseButton.LeftButton and not self.read_only
                and event.modifiers() == Qt.KeyboardModifier.NoModifier):
            item = self.step_item_at(event.scenePos())
            if item is not None and item.handle_at(event.scenePos()):
                self.connect_tool.start(item, event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)
        self.move_tool.cancel()
        if (event.button() == Qt.MouseButton.LeftButton and not self.read_only
                and isinstance(self.mouseGrabberItem(), (StepItem, KaizenItem))):
            self.move_tool.start(self.selectedItems())

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.connect_tool.active:
            self.connect_tool.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.connect_tool.active:
            if event.button() == Qt.MouseButton.LeftButton:
                self.connect_tool.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and self.move_tool.active:
            self.move_tool.finish()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.read_only:
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            burst = self.kaizen_item_at(event.scenePos())
            if burst is not None:
                self.select_steps([], [], [burst.kaizen_id])
                self.kaizen_activated.emit(burst.kaizen_id)
                event.accept()
                return
            item = self.step_item_at(event.scenePos())
            if item is not None:
                self.rename_requested.emit(item.step_id)
                event.accept()
                return
            if self.flow_item_at(event.scenePos()) is None:
                self.rename_requested.emit(self.add_step_at(event.scenePos()))
                event.accept()
                return
        super().mouseDoubleClickEvent(event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

