"""The document's verbs: the one way the editor changes the model.

Every gesture, panel and menu action calls one of these methods of the Document (which mixes this
class in). A verb checks the edit with the model's own rules first (clean_step_field, check_new,
preview_flow_field, clean_setting, clean_new_kaizen, clean_kaizen_field), so a refused value raises
ModelError before anything is pushed; an edit that would change nothing pushes nothing and
returns False (or None); otherwise it builds one command (ui.document.commands) and pushes it on
the undo stack, where its redo() makes the change. One gesture is one command: one Ctrl+Z.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from ui.document.collector import collector_paused
from ui.document.commands import (
    AddKaizenCommand,
    AddMapCommand,
    AddStepsCommand,
    MoveCommand,
    Positions,
    RemoveCommand,
    RemoveMapCommand,
    RenameProjectCommand,
    SetFlowStateCommand,
    SetKaizenFieldCommand,
    SetMapFieldCommand,
    SetStepFieldCommand,
)
from vsm.model import STEP_FIELDS, Flow, Kaizen, ModelError, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map, future_state_of, unused_name
from vsm.model.maps import DEFAULT_REWORK_PERCENT

INHERITED = ("activity", "team", "performer")  # what a step added after another takes from it
KaizenPlacer = Callable[[Kaizen], tuple[float, float]]  # a new burst for a step -> its x, y


class Edits:
    """The verbs of a Document: it provides `project` and `_push(command)`."""

    project: Project

    def _push(self, command: QUndoCommand) -> None:
        raise NotImplementedError

    def _map(self, map_id: str) -> ValueStreamMap:
        return self.project.map(map_id)

    # ------------------------------------------------------------ steps and flows

    def add_step(self, map_id: str, x: float, y: float, *, after: str | None = None,
                 text: str | None = None, **fields: Any) -> Step:
        """A new step with its top-left corner at (x, y). `after`: a step it follows, which it
        takes its activity, team and performer from, with a flow from it. `fields` set the new
        step's name, times... Returns the step (one command)."""
        map_ = self._map(map_id)
        step = Step(x=x, y=y)
        flows = []
        if after is not None:
            source = map_.step(after)
            for name in INHERITED:
                setattr(step, name, getattr(source, name))
            flows.append(Flow(source.id, step.id))
        for name, value in fields.items():
            if name not in STEP_FIELDS:
                raise ModelError(f"steps have no field {name!r}")
            setattr(step, name, value)
        default = "Add step" if after is None else "Append step"
        self.add_steps(map_id, [step], flows, text or default)
        return step

    def add_steps(self, map_id: str, steps: list[Step], flows: list[Flow] = (),
                  text: str | None = None) -> None:
        """Add steps and the flows among them as one command (paste, duplicate)."""
        map_ = self._map(map_id)
        map_.check_new(steps, flows)
        default = "Add step" if len(steps) == 1 else f"Add {len(steps)} steps"
        self._push(AddStepsCommand(map_, steps, flows, text or default))

    def add_flow(self, map_id: str, source_id: str, target_id: str,
                 kind: str = "normal") -> Flow:
        """A flow from one step to another (one command): ordinary, or with `kind` "rework"
        work sent back to an earlier step, DEFAULT_REWORK_PERCENT of it until people say how
        much. (Not `connect`: that name is QObject's, and Qt's attribute lookup would find it
        first.)"""
        rework = kind == "rework"
        flow = Flow(source_id, target_id, kind,
                    probability=DEFAULT_REWORK_PERCENT if rework else None)
        self.add_steps(map_id, [], [flow], "Connect rework" if rework else "Connect")
        return flow

    def remove(self, map_id: str, step_ids: list[str] = (), flow_ids: list[str] = (),
               kaizen_ids: list[str] = (), text: str | None = None) -> bool:
        """Remove steps (with their flows and the kaizens attached to them), flows and kaizens:
        one command that undo reverses exactly. Ids not in the map are ignored; False when
        nothing is left to remove."""
        map_ = self._map(map_id)
        count = len(step_ids) + len(flow_ids) + len(kaizen_ids)
        what = "step" if step_ids else "flow" if flow_ids else "kaizen"
        # The loops in C: Select all on 20,000 steps gives 48,000 ids. A flow named with one of
        # its steps goes with the step whether or not it is named (remove_items finds the
        # steps' flows, in the one scan of the flows): it is not looked for here too.
        steps = list(filter(map_.step_ids.__contains__, step_ids))
        flows = list(filter(map_.flow_ids.__contains__, flow_ids))
        removed = set(steps)
        kaizens = [k for k in kaizen_ids
                   if map_.has_kaizen(k) and map_.kaizen(k).step_id not in removed]
        if not (steps or flows or kaizens):
            return False
        default = f"Delete {what}" if count == 1 else f"Delete {count} items"
        self._push(RemoveCommand(map_, steps, flows, kaizens, text or default))
        return True

    def move(self, map_id: str, steps: Positions, kaizens: Positions | None = None,
             text: str | None = None) -> bool:
        """Move steps and kaizen bursts (id -> (x, y)) as one command; False if none moves."""
        with collector_paused():  # see _move
            return self._move(map_id, steps, kaizens, text)

    def _move(self, map_id: str, steps: Positions, kaizens: Positions | None,
              text: str | None) -> bool:
        """move()'s work, the collector paused: an Auto-Layout's 20,000 positions came from a
        worker that kept it off meanwhile, and the positions read here (those that change and
        the old ones) started a collection over all of that on the GUI thread (25-60 ms)."""
        map_ = self._map(map_id)
        new_steps, old_steps = map_.position_changes(steps)  # one pass: a layout moves 20,000
        new_bursts = {k: (map_.clean_kaizen_field(k, "x", x), map_.clean_kaizen_field(k, "y", y))
                      for k, (x, y) in (kaizens or {}).items()}
        new_bursts = {k: p for k, p in new_bursts.items()
                      if p != (map_.kaizen(k).x, map_.kaizen(k).y)}
        count = len(new_steps) + len(new_bursts)
        if not count:
            return False
        old = (old_steps,
               {k: (map_.kaizen(k).x, map_.kaizen(k).y) for k in new_bursts})
        default = (f"Move {count} items" if count > 1 else "Move step" if new_steps
                   else "Move kaizen")
        self._push(MoveCommand(map_, old, (new_steps, new_bursts), text or default))
        return True

    def set_step_field(self, map_id: str, step_id: str, field: str, value: Any) -> bool:
        """Change one field of a step (typed in a pane, the table or on the canvas)."""
        map_ = self._map(map_id)
        new = map_.clean_step_field(step_id, field, value)
        step = map_.step(step_id)
        old = getattr(step, field)
        if new == old:
            return False
        text = f"Change {field.replace('_', ' ')} of {step.name!r}"
        self._push(SetStepFieldCommand(map_, step_id, field, old, new, text))
        return True

    def set_flow_field(self, map_id: str, flow_id: str, field: str, value: Any) -> bool:
        """Change the kind, share or rework probability of a flow (a kind change drops the
        figure that no longer applies)."""
        map_ = self._map(map_id)
        flow = map_.flow(flow_id)
        after = map_.preview_flow_field(flow_id, field, value)
        before_state = (flow.kind, flow.share, flow.probability)
        after_state = (after.kind, after.share, after.probability)
        if before_state == after_state:
            return False
        self._push(SetFlowStateCommand(map_, flow_id, before_state, after_state,
                                       f"Change {field} of flow"))
        return True

    # ------------------------------------------------------------ kaizen bursts

    def add_kaizen(self, map_id: str, kaizen: Kaizen, text: str = "Add kaizen burst") -> Kaizen:
        """Add a kaizen burst (free, attached to a step, or made from a step to change). A burst
        attached to a step goes where the map's kaizen placer puts it, if the map has one (its
        canvas: where asked if nothing is drawn there, else in free space near the step); a free
        one stays where it is asked to be."""
        map_ = self._map(map_id)
        map_.clean_new_kaizen(kaizen)
        placer = self._kaizen_placers().get(map_id)
        if placer is not None and kaizen.step_id is not None:
            kaizen.x, kaizen.y = placer(kaizen)
            map_.clean_new_kaizen(kaizen)
        self._push(AddKaizenCommand(map_, kaizen, text))
        return kaizen

    def set_kaizen_placer(self, map_id: str, placer: KaizenPlacer) -> None:
        """Let `placer(kaizen)` say where new bursts for steps of this map go: the editor's
        canvas of the map, which knows what is drawn where (a newer canvas of the map replaces
        an older one; a placer whose canvas is gone leaves bursts where they are asked to be)."""
        self._kaizen_placers()[map_id] = placer

    def _kaizen_placers(self) -> dict[str, KaizenPlacer]:
        # Made on first use: the Document does not call an __init__ of this mixin.
        return self.__dict__.setdefault("_placers_by_map", {})

    def set_kaizen_field(self, map_id: str, kaizen_id: str, field: str, value: Any) -> bool:
        """Change one field of a kaizen burst."""
        map_ = self._map(map_id)
        new = map_.clean_kaizen_field(kaizen_id, field, value)
        kaizen = map_.kaizen(kaizen_id)
        old = getattr(kaizen, field)
        if new == old:
            return False
        label = "expected saving" if field == "expected_saving_minutes" else field.replace("_", " ")
        self._push(SetKaizenFieldCommand(map_, kaizen_id, field, old, new,
                                         f"Change {label} of kaizen {kaizen.title!r}"))
        return True

    # ------------------------------------------------------------ maps

    def rename_project(self, name: str) -> bool:
        """Rename the value stream (the project): one command; False when nothing changes.
        ModelError for an empty name, or one the model refuses (too long, a broken character)."""
        if not str(name).strip():
            raise ModelError("a value stream needs a name")
        new = self.project.clean_name(str(name))  # the model's limits: length, characters
        if new == self.project.name:
            return False
        self._push(RenameProjectCommand(self.project, self.project.name, new))
        return True

    def set_map_field(self, map_id: str, field: str, value: Any) -> bool:
        """Change a map setting: name, kind, description, demand, demand period, thresholds."""
        map_ = self._map(map_id)
        new = map_.clean_setting(field, value)
        old = getattr(map_, field)
        if new == old:
            return False
        self._push(SetMapFieldCommand(map_, field, old, new,
                                      f"Change map {field.replace('_', ' ')}"))
        return True

    def add_map(self, map_: ValueStreamMap, index: int | None = None,
                text: str = "Add map") -> ValueStreamMap:
        """Add a map to the project (at the end, or at `index`)."""
        self.project.check_new_map(map_)
        position = len(self.project.maps) if index is None else index
        self._push(AddMapCommand(self.project, map_, position, text))
        return map_

    def new_map(self) -> ValueStreamMap:
        """An empty current-state map named "Map N", added at the end."""
        names = {m.name for m in self.project.maps}
        name = next(f"Map {n}" for n in range(len(names) + 1, len(names) + 100)
                    if f"Map {n}" not in names)
        return self.add_map(ValueStreamMap(name, "current"), text="New map")

    def duplicate_map(self, map_id: str) -> ValueStreamMap:
        """A copy of the map (new ids, kaizens kept), right after it."""
        map_ = self._map(map_id)
        copy_ = duplicate_map(map_, f"{map_.name} (copy)")
        return self.add_map(copy_, self.project.maps.index(map_) + 1, "Duplicate map")

    def create_future_state(self, map_id: str) -> ValueStreamMap:
        """A future state of the map, its steps remembering where they came from, at the end."""
        map_ = self._map(map_id)
        name = unused_name("Future state", {m.name for m in self.project.maps})
        return self.add_map(future_state_of(map_, name), text="Create future state")

    def remove_map(self, map_id: str) -> None:
        """Delete a map; undo puts it back where it was. A project keeps at least one map."""
        map_ = self._map(map_id)
        if len(self.project.maps) == 1:
            raise ModelError("a document keeps at least one map")
        self._push(RemoveMapCommand(self.project, map_, f"Delete map {map_.name!r}"))
