"""One small QUndoCommand per edit. redo() and undo() call model methods only, never scene items.

Every command validates its values in its constructor, so an invalid edit raises ModelError
before anything is pushed and the undo stack only ever holds edits that succeed. Compound
gestures (delete steps with their flows, paste, auto-layout) are one command, so one Ctrl+Z undoes
one gesture.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from vsm.model.kaizen import clean_kaizen_value, KAIZEN_FIELDS
from vsm.model.records import Kaizen
from vsm.model import Flow, ModelError, Project, Step, ValueStreamMap, clean_step_value


class MapCommand(QUndoCommand):
    """A command on one map; `map_id` lets the window show the map an undo touches."""

    def __init__(self, map_: ValueStreamMap, text: str) -> None:
        super().__init__(text)
        self.map = map_
        self.map_id = map_.id


class AddStepsCommand(MapCommand):
    """Add steps and flows between them (new step, paste, duplicate, append-and-connect)."""

    def __init__(self, map_: ValueStreamMap, steps: list[Step], flows: list[Flow] = (),
                 text: str | None = None) -> None:
        super().__init__(map_, text or ("Add step" if len(steps) == 1 else f"Add {len(steps)} steps"))
        known = {s.id for s in map_.steps} | {s.id for s in steps}
        for step in steps:
            for name in ("name", "process_time", "wait_time", "pca", "activity", "performer"):
                clean_step_value(step.name, name, getattr(step, name))
        for flow in flows:
            if flow.source not in known or flow.target not in known:
                raise ModelError("a new flow refers to a step that does not exist")
        self.steps = list(steps)
        self.flows = list(flows)

    def redo(self) -> None:
        for step in self.steps:
            self.map.add_step(step)
        for flow in self.flows:
            self.map.add_flow(flow)

    def undo(self) -> None:
        for flow in reversed(self.flows):
            self.map.remove_flow(flow.id)
        for step in reversed(self.steps):
            self.map.remove_step(step.id)


class RemoveCommand(MapCommand):
    """Remove steps (with their flows and kaizens), flows and kaizens; undo restores the order
    exactly. Kaizens attached to a removed step go with it, so a selection of steps and kaizens
    is one command and one undo step."""

    def __init__(self, map_: ValueStreamMap, step_ids: list[str], flow_ids: list[str] = (),
                 kaizen_ids: list[str] = ()) -> None:
        count = len(step_ids) + len(flow_ids) + len(kaizen_ids)
        what = "step" if step_ids else "flow" if flow_ids else "kaizen"
        super().__init__(map_, f"Delete {what}" if count == 1 else f"Delete {count} items")
        self.step_ids = [s for s in step_ids if map_.has_step(s)]
        touching = {f.id for s in self.step_ids for f in map_.flows_of(s)}
        self.flow_ids = [f for f in flow_ids if map_.has_flow(f) and f not in touching]
        removed = set(self.step_ids)
        self.kaizen_ids = [k for k in kaizen_ids
                           if map_.has_kaizen(k) and map_.kaizen(k).step_id not in removed]
        self._removed_kaizens: list[tuple[Kaizen, int]] = []
        self._removed_flows: list[tuple[Flow, int]] = []
        self._removed_steps: list[tuple[Step, int, list[tuple[Flow, int]],
                                        list[tuple[Kaizen, int]]]] = []

    def redo(self) -> None:
        self._removed_kaizens = [self.map.remove_kaizen(k) for k in self.kaizen_ids]
        self._removed_flows = [self.map.remove_flow(f) for f in self.flow_ids]
        self._removed_steps = [self.map.remove_step(s) for s in self.step_ids]

    def undo(self) -> None:
        for step, index, flows, kaizens in reversed(self._removed_steps):
            self.map.add_step(step, index)
            for flow, position in flows:
                self.map.add_flow(flow, position)
            for kaizen, position in kaizens:
                self.map.add_kaizen(kaizen, position)
        for flow, position in reversed(self._removed_flows):
            self.map.add_flow(flow, position)
        for kaizen, position in reversed(self._removed_kaizens):
            self.map.add_kaizen(kaizen, position)


class SetStepFieldCommand(MapCommand):
    """Change one field of one step (typing in the property pane or the table, renaming)."""

    def __init__(self, map_: ValueStreamMap, step_id: str, field: str, value: Any) -> None:
        step = map_.step(step_id)
        super().__init__(map_, f"Change {field.replace('_', ' ')} of {step.name!r}")
        self.step_id = step_id
        self.field = field
        self.new = clean_step_value(step.name, field, value)
        self.old = getattr(step, field)

    def redo(self) -> None:
        self.map.set_step_field(self.step_id, self.field, self.new)

    def undo(self) -> None:
        self.map.set_step_field(self.step_id, self.field, self.old)


class MoveStepsCommand(MapCommand):
    """Move steps and kaizen bursts to new positions: one drag, one nudge or one auto-layout.

    `positions`: step id -> (x, y); `kaizens`: kaizen id -> (x, y).
    """

    def __init__(self, map_: ValueStreamMap, positions: dict[str, tuple[float, float]],
                 text: str = "Move", kaizens: dict[str, tuple[float, float]] | None = None) -> None:
        super().__init__(map_, text)
        self.new = {v: (float(x), float(y)) for v, (x, y) in positions.items()}
        self.old = {v: (map_.step(v).x, map_.step(v).y) for v in positions}
        kaizens = kaizens or {}
        self.new_kaizens = {k: (clean_kaizen_value(map_.kaizen(k).title, "x", x),
                                clean_kaizen_value(map_.kaizen(k).title, "y", y))
                            for k, (x, y) in kaizens.items()}
        self.old_kaizens = {k: (map_.kaizen(k).x, map_.kaizen(k).y) for k in kaizens}

    def _apply(self, positions: dict[str, tuple[float, float]],
               kaizens: dict[str, tuple[float, float]]) -> None:
        for step_id, (x, y) in positions.items():
            self.map.set_step_field(step_id, "x", x)
            self.map.set_step_field(step_id, "y", y)
        for kaizen_id, (x, y) in kaizens.items():
            self.map.set_kaizen_field(kaizen_id, "x", x)
            self.map.set_kaizen_field(kaizen_id, "y", y)

    def redo(self) -> None:
        self._apply(self.new, self.new_kaizens)

    def undo(self) -> None:
        self._apply(self.old, self.old_kaizens)


class SetFlowFieldCommand(MapCommand):
    """Change the kind, share or rework probability of a flow."""

    def __init__(self, map_: ValueStreamMap, flow_id: str, field: str, value: Any) -> None:
        super().__init__(map_, f"Change {field} of flow")
        flow = map_.flow(flow_id)
        self.flow_id = flow_id
        self.field = field
        self.before = (flow.kind, flow.share, flow.probability)
        after = map_.preview_flow_field(flow_id, field, value)
        self.after = (after.kind, after.share, after.probability)

    def redo(self) -> None:
        self.map.set_flow_state(self.flow_id, *self.after)

    def undo(self) -> None:
        self.map.set_flow_state(self.flow_id, *self.before)


class SetMapFieldCommand(MapCommand):
    """Change a map setting: name, kind, description, demand, thresholds."""

    def __init__(self, map_: ValueStreamMap, field: str, value: Any) -> None:
        super().__init__(map_, f"Change map {field.replace('_', ' ')}")
        self.field = field
        self.old = getattr(map_, field)
        self.new = map_.clean_setting(field, value)

    def redo(self) -> None:
        self.map.set_field(self.field, self.new)

    def undo(self) -> None:
        self.map.set_field(self.field, self.old)


class AddMapCommand(QUndoCommand):
    """Add a map (new, duplicated or a future state) to the project."""

    def __init__(self, project: Project, map_: ValueStreamMap, index: int | None = None,
                 text: str = "Add map") -> None:
        super().__init__(text)
        self.project = project
        self.map = map_
        self.map_id = map_.id
        self.index = len(project.maps) if index is None else index

    def redo(self) -> None:
        self.project.add_map(self.map, self.index)

    def undo(self) -> None:
        self.project.remove_map(self.map.id)


class RemoveMapCommand(QUndoCommand):
    """Delete a map from the project; undo puts it back where it was."""

    def __init__(self, project: Project, map_id: str) -> None:
        self.map = project.map(map_id)
        super().__init__(f"Delete map {self.map.name!r}")
        self.project = project
        self.map_id = map_id
        self.index = project.maps.index(self.map)

    def redo(self) -> None:
        self.project.remove_map(self.map_id)

    def undo(self) -> None:
        self.project.add_map(self.map, self.index)


class AddKaizenCommand(MapCommand):
    """Add a kaizen burst to a map (free, attached to a step, or made from a step to change)."""

    def __init__(self, map_: ValueStreamMap, kaizen: Kaizen, text: str = "Add kaizen burst") -> None:
        super().__init__(map_, text)
        if map_.has_kaizen(kaizen.id):
            raise ModelError(f"map {map_.name!r} already has a kaizen with id {kaizen.id!r}")
        title = clean_kaizen_value(kaizen.title, "title", kaizen.title)
        for name in KAIZEN_FIELDS:
            clean_kaizen_value(title, name, getattr(kaizen, name))
        if kaizen.step_id is not None and not map_.has_step(kaizen.step_id):
            raise ModelError(f"kaizen {title!r}: step {kaizen.step_id!r} is not in the map")
        self.kaizen = kaizen

    def redo(self) -> None:
        self.map.add_kaizen(self.kaizen)

    def undo(self) -> None:
        self.map.remove_kaizen(self.kaizen.id)


class SetKaizenFieldCommand(MapCommand):
    """Change one field of one kaizen burst (the property pane)."""

    def __init__(self, map_: ValueStreamMap, kaizen_id: str, field: str, value: Any) -> None:
        kaizen = map_.kaizen(kaizen_id)
        label = "expected saving" if field == "expected_saving_minutes" else field.replace("_", " ")
        super().__init__(map_, f"Change {label} of kaizen {kaizen.title!r}")
        if field not in KAIZEN_FIELDS:
            raise ModelError(f"kaizens have no field {field!r}")
        self.kaizen_id = kaizen_id
        self.field = field
        self.new = clean_kaizen_value(kaizen.title, field, value)
        if field == "step_id" and self.new is not None and not map_.has_step(self.new):
            raise ModelError(f"kaizen {kaizen.title!r}: step {self.new!r} is not in the map")
        self.old = getattr(kaizen, field)

    def redo(self) -> None:
        self.map.set_kaizen_field(self.kaizen_id, self.field, self.new)

    def undo(self) -> None:
        self.map.set_kaizen_field(self.kaizen_id, self.field, self.old)
