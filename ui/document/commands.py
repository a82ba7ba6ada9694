"""One small QUndoCommand per edit: redo() and undo() call model methods only, never scene items.

Only the document's verbs (ui.document.document) build these commands, and only with values the
model has already accepted (its checks and previews: clean_step_field, check_new,
preview_flow_field, clean_setting, clean_new_kaizen, clean_kaizen_field), so a command never
validates and the undo stack holds only edits that succeed and change something. Compound
gestures (delete steps with their flows, paste, auto-layout) are one command, so one Ctrl+Z
undoes one gesture.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from ui.document.collector import collector_paused
from vsm.model import Flow, Kaizen, Project, Step, ValueStreamMap
from vsm.model.bulk import Removal


class MapCommand(QUndoCommand):
    """A command on one map; `map_id` lets the window show the map an undo touches."""

    def __init__(self, map_: ValueStreamMap, text: str) -> None:
        super().__init__(text)
        self.map = map_
        self.map_id = map_.id


class AddStepsCommand(MapCommand):
    """Add steps and the flows among them (new step, paste, duplicate, append, connect): one
    batch of model events each way."""

    def __init__(self, map_: ValueStreamMap, steps: list[Step], flows: list[Flow],
                 text: str) -> None:
        super().__init__(map_, text)
        self.steps = list(steps)
        self.flows = list(flows)

    def redo(self) -> None:
        with collector_paused(), self.map.batch():
            for step in self.steps:
                self.map.add_step(step)
            for flow in self.flows:
                self.map.add_flow(flow)

    def undo(self) -> None:
        # The steps added last are the map's last; nothing else touches them (later commands
        # are undone first): one bulk removal instead of one scan of the map per step.
        with collector_paused():
            self.map.remove_items([s.id for s in self.steps], [f.id for f in self.flows])


class RemoveCommand(MapCommand):
    """Remove steps (with their flows and kaizens), flows and kaizens; undo restores the order
    exactly. The ids must name items of the map; a flow or kaizen that goes with a removed step
    is left to the step. One bulk model call each way (vsm.model.bulk), one batch of events."""

    def __init__(self, map_: ValueStreamMap, step_ids: list[str], flow_ids: list[str],
                 kaizen_ids: list[str], text: str) -> None:
        super().__init__(map_, text)
        self.step_ids = list(step_ids)
        self.flow_ids = list(flow_ids)
        self.kaizen_ids = list(kaizen_ids)
        self._removal = Removal()

    def redo(self) -> None:
        with collector_paused():
            self._removal = self.map.remove_items(self.step_ids, self.flow_ids,
                                                  self.kaizen_ids)

    def undo(self) -> None:
        with collector_paused():
            self.map.restore_items(self._removal)


class SetStepFieldCommand(MapCommand):
    """Change one field of one step from `old` to `new` (both clean values)."""

    def __init__(self, map_: ValueStreamMap, step_id: str, field: str, old: Any, new: Any,
                 text: str) -> None:
        super().__init__(map_, text)
        self.step_id, self.field, self.old, self.new = step_id, field, old, new

    def redo(self) -> None:
        self.map.set_step_field(self.step_id, self.field, self.new)

    def undo(self) -> None:
        self.map.set_step_field(self.step_id, self.field, self.old)


Positions = dict[str, tuple[float, float]]


class MoveCommand(MapCommand):
    """Move steps and kaizen bursts: one drag, one nudge or one auto-layout.

    `old` and `new` are (step positions, kaizen positions), each id -> (x, y).
    """

    def __init__(self, map_: ValueStreamMap, old: tuple[Positions, Positions],
                 new: tuple[Positions, Positions], text: str) -> None:
        super().__init__(map_, text)
        self.old, self.new = old, new

    def _apply(self, positions: tuple[Positions, Positions]) -> None:
        steps, kaizens = positions
        with collector_paused(), self.map.batch():
            self.map.move_steps(steps)
            for kaizen_id, (x, y) in kaizens.items():
                self.map.set_kaizen_field(kaizen_id, "x", x)
                self.map.set_kaizen_field(kaizen_id, "y", y)

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


FlowState = tuple[str, float | None, float | None]  # kind, share, probability


class SetFlowStateCommand(MapCommand):
    """Change the kind, share and rework probability of a flow together (a kind change drops
    the figure that no longer applies)."""

    def __init__(self, map_: ValueStreamMap, flow_id: str, before: FlowState, after: FlowState,
                 text: str) -> None:
        super().__init__(map_, text)
        self.flow_id, self.before, self.after = flow_id, before, after

    def redo(self) -> None:
        self.map.set_flow_state(self.flow_id, *self.after)

    def undo(self) -> None:
        self.map.set_flow_state(self.flow_id, *self.before)


class SetMapFieldCommand(MapCommand):
    """Change a map setting: name, kind, description, demand, thresholds."""

    def __init__(self, map_: ValueStreamMap, field: str, old: Any, new: Any, text: str) -> None:
        super().__init__(map_, text)
        self.field, self.old, self.new = field, old, new

    def redo(self) -> None:
        self.map.set_field(self.field, self.new)

    def undo(self) -> None:
        self.map.set_field(self.field, self.old)


class RenameProjectCommand(QUndoCommand):
    """Rename the document's value stream (the project): its title on slides, pages and files."""

    def __init__(self, project: Project, old: str, new: str) -> None:
        super().__init__("Rename value stream")
        self.project, self.old, self.new = project, old, new

    def redo(self) -> None:
        self.project.set_name(self.new)

    def undo(self) -> None:
        self.project.set_name(self.old)


class AddMapCommand(QUndoCommand):
    """Add a map (new, duplicated or a future state) to the project at `index`."""

    def __init__(self, project: Project, map_: ValueStreamMap, index: int, text: str) -> None:
        super().__init__(text)
        self.project, self.map, self.map_id, self.index = project, map_, map_.id, index

    def redo(self) -> None:
        self.project.add_map(self.map, self.index)

    def undo(self) -> None:
        self.project.remove_map(self.map.id)


class RemoveMapCommand(QUndoCommand):
    """Delete a map from the project; undo puts it back where it was."""

    def __init__(self, project: Project, map_: ValueStreamMap, text: str) -> None:
        super().__init__(text)
        self.project, self.map, self.map_id = project, map_, map_.id
        self.index = project.maps.index(map_)

    def redo(self) -> None:
        self.project.remove_map(self.map_id)

    def undo(self) -> None:
        self.project.add_map(self.map, self.index)


class AddKaizenCommand(MapCommand):
    """Add a kaizen burst to a map (free, attached to a step, or made from a step to change)."""

    def __init__(self, map_: ValueStreamMap, kaizen: Kaizen, text: str) -> None:
        super().__init__(map_, text)
        self.kaizen = kaizen

    def redo(self) -> None:
        self.map.add_kaizen(self.kaizen)

    def undo(self) -> None:
        self.map.remove_kaizen(self.kaizen.id)


class SetKaizenFieldCommand(MapCommand):
    """Change one field of one kaizen burst from `old` to `new` (both clean values)."""

    def __init__(self, map_: ValueStreamMap, kaizen_id: str, field: str, old: Any, new: Any,
                 text: str) -> None:
        super().__init__(map_, text)
        self.kaizen_id, self.field, self.old, self.new = kaizen_id, field, old, new

    def redo(self) -> None:
        self.map.set_kaizen_field(self.kaizen_id, self.field, self.new)

    def undo(self) -> None:
        self.map.set_kaizen_field(self.kaizen_id, self.field, self.old)
