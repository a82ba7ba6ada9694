"""MapScene: the canvas of one value-stream map.

The scene mirrors the map: it builds one item per step and flow, subscribes to the map's events
and updates only the item an event concerns. It listens to the document's analysis to show flags,
the critical path, the lead-time ladder and the summary (ui.canvas.analysis_presenter: only the items whose
state changed are touched). Gestures on the canvas (dragging steps, drawing a connection,
double-clicking to add a step: ui.canvas.gestures) call the document's verbs; the model then tells
the scene what changed. The drag gestures are tools (ui.canvas.tools) and the routing of the flows
around the boxes is a LiveRouting (ui.canvas.routes) that an editable MapView installs; a
read-only or exported scene has none. Nothing is ever read back from the items to save: positions
live in the model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsView,
)

from ui.canvas.analysis_presenter import AnalysisPresenter
from ui.canvas.batches import Batch, Batches
from ui.canvas.chunks import SceneBuilding
from ui.canvas.decorations import Decorations
from ui.canvas.gestures import ConnectGesture, FlowRouter, Gestures, MoveGesture
from ui.canvas.items import (
    FlowItem,
    KaizenItem,
    LadderItem,
    LaneBand,
    LanesItem,
    LegendItem,
    StepItem,
    SummaryItem,
)
from ui.canvas.items.step_item import HEIGHT, WIDTH
from ui.canvas.items.tooltips import sync_tooltips
from ui.canvas.palette import COLOUR_MODES, LIGHT, Theme, theme_for
from ui.canvas.selection import Selection
from ui.document.document import Document
from vsm.analysis import MapAnalysis
from vsm.model import (
    Flow,
    FlowAdded,
    FlowChanged,
    FlowRemoved,
    MapChanged,
    Step,
    StepAdded,
    StepChanged,
    StepRemoved,
    ValueStreamMap,
)
from vsm.model.events import (
    BatchEnded,
    BatchStarted,
    KaizenAdded,
    KaizenChanged,
    KaizenRemoved,
)
from vsm.model.layout import LANE_BYS, LANE_PADDING, lane_bands
from vsm.model.records import Kaizen

GRID = 20.0
_ACTIVATION = (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate)
# Input to the scene: the items a batch removed and has not hidden yet are hidden first.
_INPUT = frozenset(getattr(QEvent.Type, name) for name in (
    "GraphicsSceneMousePress", "GraphicsSceneMouseMove", "GraphicsSceneMouseRelease",
    "GraphicsSceneMouseDoubleClick", "GraphicsSceneHoverEnter", "GraphicsSceneHoverMove",
    "GraphicsSceneHoverLeave", "GraphicsSceneContextMenu", "GraphicsSceneHelp",
    "GraphicsSceneDragEnter", "GraphicsSceneDragMove", "GraphicsSceneDragLeave",
    "GraphicsSceneDrop", "GraphicsSceneWheel", "KeyPress", "KeyRelease", "InputMethod"))
# Events that move no step or flow outward: a removal (ui.canvas.extent), a burst's (measured
# each time), a setting.


class MapScene(Decorations, Batches, SceneBuilding, Gestures, Selection, QGraphicsScene):
    """The canvas of one map; `item_for_step`, `item_for_flow` and `item_for_kaizen` map model
    ids to items. A `read_only` scene (the compare view) shows the map but pushes nothing: its
    items cannot be dragged and double-clicks add nothing."""

    status_message = Signal(str)  # a hint for the status bar
    # A batch put steps into a map that had none (the undo of a Delete of everything, a paste
    # into an empty map): a view that keeps fitting fits the map again (ui.canvas.view).
    refilled = Signal()
    rename_requested = Signal(str)  # step id: the view opens the inline name editor
    # No longer emitted (a double-clicked burst is retitled in place); MapTabs still connects it.
    title_edit_requested = Signal(str)  # kaizen id double-clicked: the view edits its title

    def __init__(self, document: Document, map_: ValueStreamMap,
                 parent: QObject | None = None, read_only: bool = False,
                 build: bool = True, analyse: bool = True) -> None:
        """A scene of the map with all its items (`build=False`: with only the legend, ladder,
        summary and lanes; build_in_chunks() adds the rest, a chunk at a time). `analyse=False`:
        the scene never has the analysis computed for it, it shows the latest the document has
        (none before the first: a large map's canvas, its figures following from the worker)."""
        super().__init__(parent)
        self.document = document
        self.map = map_
        self.read_only = read_only
        self.item_for_step: dict[str, StepItem] = {}
        self.item_for_flow: dict[str, FlowItem] = {}
        self.item_for_kaizen: dict[str, KaizenItem] = {}
        self.follow_selection()  # before anything else hears of the selection or the map
        self._colour_mode = "activity"
        self._lanes_by: str | None = None
        self._snap = False
        app = QGuiApplication.instance()
        self.theme: Theme = theme_for(app.palette()) if app is not None else LIGHT
        self._presenter = AnalysisPresenter()
        # The steps' and flows' extent, kept between edits (ui.canvas.extent); `_content = None`
        # (the batches, the build) has it measured again.
        self._start_extent()
        self._scene_rect: QRectF | None = None
        self.connect_tool: ConnectGesture | None = None  # installed by an editable MapView
        self.move_tool: MoveGesture | None = None
        self.routing: FlowRouter | None = None  # the flows routed around the boxes (the editor)
        self.legend = LegendItem(self._colour_mode, self.theme)
        self.ladder = LadderItem(self.theme)
        self.summary = SummaryItem(self.theme)
        self.lanes = LanesItem(self.theme)
        for decoration in (self.lanes, self.legend, self.ladder, self.summary):
            self.addItem(decoration)
        self._batch: Batch | None = None  # a batch of model events under way (vsm.model.bulk)
        self._kept: dict[str, QGraphicsItem] = {}  # the last batch's removed items, by id
        self._complete = False  # every step, flow and kaizen of the map has its item
        self._analyse = analyse
        first = self._latest_analysis()
        if first is not None:
            self._presenter.apply(self, first)  # the summary; the items follow
        if build:
            for _ in self.build_in_chunks(chunk=0):
                pass
        self._attached = True
        map_.subscribe(self._on_model_event, gathered=True)  # a batch's events at its end
        document.analysis_changed.connect(self._on_analysis_changed)
        self.layout_decorations()

    @property
    def complete(self) -> bool:
        """Whether every step, flow and kaizen burst of the map has its item (see build=False)."""
        return self._complete

    def _not_built_yet(self, event: object) -> bool:
        """While the scene is being built: whether the event is about an item the builder has
        not made yet (it reads the map's current state when it gets there)."""
        if isinstance(event, (StepAdded, FlowAdded, KaizenAdded)):
            return True
        if isinstance(event, StepChanged):
            return event.step.id not in self.item_for_step
        if isinstance(event, FlowChanged):
            flow = event.flow
            if flow.id in self.item_for_flow and not (flow.source in self.item_for_step
                                                      and flow.target in self.item_for_step):
                self._remove(self.item_for_flow.pop(flow.id))  # its new end is not built yet
                return True
            return flow.id not in self.item_for_flow
        if isinstance(event, KaizenChanged):
            return event.kaizen.id not in self.item_for_kaizen
        return False

    @property
    def attached(self) -> bool:
        """Whether the scene still follows its map and document (until detach())."""
        return self._attached

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
        if self.connect_tool is not None:
            self.connect_tool.cancel()
        if self.routing is not None:
            self.routing.stop()
        self._layout_turn.stop()
        self._hold_views(False)  # a view held while slices ran repaints again
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
        self._restyle_kept()
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
        for item in self._adding:  # put back by a batch, not on the canvas again yet
            item.set_theme(theme)
        self._restyle_kept()
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def _restyle_kept(self) -> None:
        """The items the last batch removed and kept (for its undo) take the scene's colour
        mode and theme now: put back, they are shown as they are (ui.canvas.batch_runs: an
        undo of a delete of 20,000 steps makes no call per item for its colours)."""
        for item in self._kept.values():
            if isinstance(item, StepItem):
                item.set_colour_mode(self._colour_mode)
            item.set_theme(self.theme)

    def snapped(self, x: float, y: float) -> tuple[float, float]:
        """The position a step dropped at (x, y) takes: on the grid when snapping is on."""
        if not self._snap:
            return (round(x, 1), round(y, 1))
        return (round(x / GRID) * GRID, round(y / GRID) * GRID)

    # ------------------------------------------------------------ model events

    def _on_model_event(self, event: object) -> None:
        self._note_steps(event.events if isinstance(event, BatchEnded) else (event,))
        if isinstance(event, BatchEnded):  # the batch's events, all at once (ui.canvas.batches)
            self._noting = True  # the batch's own `_content = None` would measure the map
            try:
                self.take_batch(event.events, self._on_item_event)
                self._on_batch(event)
            finally:
                self._noting = False
            # Items dealt with in slices are noted again where they are when the slices end
            # (slices_ended): a flow still to follow its steps does not count until then.
            self._note_changed(event.events)
        elif isinstance(event, BatchStarted):
            self._on_batch(event)
        else:
            self._on_item_event(event)

    def _on_item_event(self, event: object) -> None:
        """One per-item model event: alone, or one of a batch's (noted by in_batch if it is of
        the batch's usual kinds)."""
        if not self._complete and self._not_built_yet(event):
            return
        if self.in_batch(event):  # a step or flow added, removed or moved within a batch
            return
        self._note_changed((event,))  # the map's extent follows what came or moved
        if not isinstance(event, (MapChanged, StepChanged)):
            if isinstance(event, StepAdded):
                self._presenter.items_changed(steps=(event.step.id,))
            elif isinstance(event, (FlowAdded, FlowChanged)):
                self._presenter.items_changed(flows=(event.flow.id,))
        if self._batch is None and isinstance(event, (StepAdded, StepRemoved, FlowAdded,
                                                       FlowRemoved)):
            self._forget_kept()  # the items kept for an undo would be out of date
        if isinstance(event, StepAdded):
            if not self._put_back(event.step.id, event.step):
                self._add_step_item(event.step)
            self._lanes_changed()
        elif isinstance(event, StepRemoved):
            item = self.item_for_step.pop(event.step.id, None)
            if item is not None:
                if self.move_tool is not None:
                    self.move_tool.forget(event.step.id)
                self._remove(item)
            self._lanes_changed()
        elif isinstance(event, StepChanged):
            item = self.item_for_step[event.step.id]
            if event.field in ("x", "y") and self._batch is not None:
                self._batch.moved[event.step.id] = None
            elif event.field in ("x", "y"):
                item.move_to(event.step.x, event.step.y)
            else:
                item.set_step(event.step)
            if event.field in ("x", "y", "team", "activity"):
                self._lanes_changed()
        elif isinstance(event, FlowAdded):
            if not self._put_back(event.flow.id, event.flow):
                self._add_flow_item(event.flow)
        elif isinstance(event, FlowRemoved):
            flow_item = self.item_for_flow.pop(event.flow.id, None)
            if flow_item is not None:
                flow_item.detach()
                self._remove(flow_item)
        elif isinstance(event, FlowChanged):
            flow = event.flow
            self.item_for_flow[flow.id].set_flow(flow, self.item_for_step[flow.source],
                                                 self.item_for_step[flow.target])
        elif isinstance(event, (KaizenAdded, KaizenRemoved, KaizenChanged)):
            self._on_kaizen_event(event)
        elif isinstance(event, MapChanged):
            return  # settings change figures only; the analysis will follow
        if self._batch is None:
            self.schedule_layout()  # a batch's end schedules it once

    def _on_kaizen_event(self, event: KaizenAdded | KaizenRemoved | KaizenChanged) -> None:
        kaizen = event.kaizen
        if isinstance(event, KaizenAdded):
            self._add_kaizen_item(kaizen)
            return
        if isinstance(event, KaizenRemoved):
            item = self.item_for_kaizen.pop(kaizen.id, None)
            if item is not None:
                if self.move_tool is not None:
                    self.move_tool.forget(kaizen.id)
                item.detach()
                self._remove(item)
            return
        item = self.item_for_kaizen[kaizen.id]
        if event.field in ("x", "y"):
            item.setPos(kaizen.x, kaizen.y)
        elif event.field == "step_id":
            item.attach(self.item_for_step.get(kaizen.step_id or ""))
        else:
            item.set_kaizen(kaizen)

    def _add_step_item(self, step: Step, add: bool = True) -> StepItem:
        item = StepItem(step, self._colour_mode, self.theme)
        self.step_items_made += 1
        if self.read_only:
            item.setFlag(StepItem.GraphicsItemFlag.ItemIsMovable, False)
        self.item_for_step[step.id] = item
        if add:
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

    def _add_flow_item(self, flow: Flow, add: bool = True) -> FlowItem:
        item = FlowItem(flow, self.item_for_step[flow.source], self.item_for_step[flow.target],
                        self.theme)
        self.item_for_flow[flow.id] = item
        if add:
            self.addItem(item)
        return item

    # ------------------------------------------------------------ analysis

    @property
    def analysis(self) -> MapAnalysis | None:
        """The analysis the canvas shows (None before the first)."""
        return self._presenter.analysis

    def _on_analysis_changed(self, map_id: str) -> None:
        if map_id == self.map.id:
            self.apply_analysis()

    def apply_analysis(self) -> None:
        """Show the document's current analysis: flags, critical path, ladder and summary.

        Only items whose flags or critical-path membership changed are touched."""
        self._presenter.apply(self, self.document.analysis(self.map.id))
        self.layout_decorations()

    def event(self, event: QEvent) -> bool:
        """Take the window's activation and deactivation without passing them on: Qt sends
        them to every item each time the window gains or loses the focus (a dialog closing,
        Alt+Tab; 60,000 items at 20,000 steps, 0.1-0.2 s), and the canvas's items take no
        focus and have no panels that would care. Input comes to a canvas that no longer
        shows the items a batch removed (ui.canvas.batches)."""
        kind = event.type()
        if kind in _ACTIVATION:
            return True
        if self._hiding and kind in _INPUT:
            self.finish_hiding()
        return super().event(event)

    def items(self, *args: Any, **kwargs: Any) -> list[QGraphicsItem]:
        """QGraphicsScene.items(), without the items a batch removed (ui.canvas.batches):
        what is under a point, the canvas's extent."""
        self.finish_hiding()
        return super().items(*args, **kwargs)

    def selectedItems(self) -> list[QGraphicsItem]:  # noqa: N802 - Qt's name
        """QGraphicsScene.selectedItems(), without the items a batch removed (they lost the
        selection: ui.canvas.batches)."""
        self.finish_hiding()
        return super().selectedItems()

    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802 - Qt override
        """Tooltips are built when shown: bring those under the mouse up to date, then let Qt
        pick and show one as usual."""
        view = event.widget().parentWidget() if event.widget() is not None else None
        scale = view.transform().m11() if isinstance(view, QGraphicsView) else 1.0
        reach = 2.0 / max(scale, 1e-3)  # Qt looks one device pixel around the mouse
        pos = event.scenePos()
        sync_tooltips(self.items(QRectF(pos.x() - reach, pos.y() - reach, 2 * reach, 2 * reach)))
        super().helpEvent(event)

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

