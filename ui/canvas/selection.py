"""Finding and selecting the map's items on the canvas: what is under a point, what is selected
(in the map's order), and selecting exactly a given set with one selectionChanged.

A mix-in of MapScene (ui.canvas.scene), which provides the map, its items by id and
QGraphicsScene's own item and selection methods.

What select_steps selected is remembered (`_made`), so that selected_ids, asked at once by the
panels (its selectionChanged) and by a Delete or Copy, need not list the scene's selected items
again (Select all on 5,000 steps: 12,000 items, 20 ms). It is forgotten as soon as anything
else may change the selection: any other selectionChanged (a click, a rubber band, an item
removed), and any change of the map (a batch changes the selection with the signals blocked).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import compress, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsItem

from ui.canvas.items import FlowItem, KaizenItem, StepItem
from vsm.model import ValueStreamMap

MANY = 500  # selecting or unselecting this many items repaints the whole scene instead of each:
# every item changed marks its rectangle for the next paint, which asks each for its bounding
# rectangle (a call into Python per item: ~40 ms for Select all on 5,000 steps)


class Selection:
    """The selection methods of MapScene."""

    map: ValueStreamMap
    item_for_step: dict[str, StepItem]
    item_for_flow: dict[str, FlowItem]
    item_for_kaizen: dict[str, KaizenItem]
    _made: tuple[list[str], list[str], list[str]] | None = None  # by select_steps, still so
    _selecting = False  # select_steps is telling its own selectionChanged

    if TYPE_CHECKING:  # QGraphicsScene's, in the scene this is mixed into
        selectionChanged: Any

        def items(self, *args: Any) -> list[Any]: ...
        def selectedItems(self) -> list[Any]: ...  # noqa: N802
        def clearSelection(self) -> None: ...  # noqa: N802
        def blockSignals(self, block: bool) -> bool: ...  # noqa: N802
        def finish_updates(self, measure: bool = True) -> None: ...
        def update(self, *args: Any) -> None: ...

    def follow_selection(self) -> None:
        """Forget what select_steps made whenever something else may change the selection.
        Called first thing in MapScene.__init__: this slot runs before any other connected to
        selectionChanged, and the map's events reach this listener before the scene's own."""
        self.selectionChanged.connect(self._selection_changed)
        self.map.subscribe(self._forget_selection_made, gathered=True)  # a batch: at its start

    def _selection_changed(self) -> None:
        if not self._selecting:
            self._made = None

    def _forget_selection_made(self, _event: object) -> None:
        self._made = None

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

    def selected_ids(self) -> tuple[list[str], list[str], list[str]]:
        """The selected steps, flows and kaizen bursts, each in the map's order: what the three
        methods above give, from one look at the selection (Select all on 20,000 steps selects
        48,000 items), or what select_steps made if nothing changed it since."""
        if self._made is not None:
            return self._made[0].copy(), self._made[1].copy(), self._made[2].copy()
        steps: set[str] = set()
        flows: set[str] = set()
        kaizens: set[str] = set()
        for item in self._selected_items():
            if isinstance(item, StepItem):
                steps.add(item.step_id)
            elif isinstance(item, FlowItem):
                flows.add(item.flow_id)
            elif isinstance(item, KaizenItem):
                kaizens.add(item.kaizen_id)
        return ([s.id for s in self.map.steps if s.id in steps] if steps else [],
                [f.id for f in self.map.flows if f.id in flows] if flows else [],
                [k.id for k in self.map.kaizens if k.id in kaizens] if kaizens else [])

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
        """Select exactly these steps (and flows and kaizens); one selectionChanged. Items a
        batch put back and still waiting to be shown are shown first (ui.canvas.batches)."""
        self.finish_updates()
        made, self._made = self._made, None
        kinds = [_Chosen(ids, items) for ids, items in ((step_ids, self.item_for_step),
                                                         (flow_ids, self.item_for_flow),
                                                         (kaizen_ids, self.item_for_kaizen))]
        if (sum(len(kind.items) for kind in kinds) >= MANY
                or made is not None and sum(map(len, made)) >= MANY):
            self.update()  # the whole scene: no item then marks its own rectangle as it changes
        blocked = self.blockSignals(True)
        try:
            self.clearSelection()
            for kind in kinds:  # Select all on 20,000 steps: 48,000 items
                deque(map(QGraphicsItem.setSelected, kind.items, repeat(True)), 0)
        finally:
            self.blockSignals(blocked)
        steps, flows, kaizens = kinds
        self._made = (steps.selected(self.map.steps), flows.selected(self.map.flows),
                      kaizens.selected(self.map.kaizens))
        if blocked:
            return
        self._selecting = True
        try:
            self.selectionChanged.emit()
        finally:
            self._selecting = False


class _Chosen:
    """The ids given to select_steps of one kind (steps, flows or kaizens) that have an item
    (`ids`, each once) and those items."""

    def __init__(self, ids: Iterable[str], items: dict[str, Any]) -> None:
        self.ids = list(filter(items.__contains__, dict.fromkeys(ids)))  # C-level: 48,000 ids
        self.items = list(map(items.__getitem__, self.ids))

    def selected(self, records: Iterable[Any]) -> list[str]:
        """The ids whose item is selected now (an item can refuse: hidden), in the map's order
        (`records`): Select all gives them in that order already, checked in one comparison."""
        if not self.ids:
            return []
        selected = list(compress(self.ids, map(QGraphicsItem.isSelected, self.items)))
        in_order = list(map(attrgetter("id"), records))
        if len(self.ids) == len(in_order) and self.ids == in_order:
            return selected
        position = {record_id: n for n, record_id in enumerate(in_order)}
        return sorted(selected, key=position.__getitem__)
