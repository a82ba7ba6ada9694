"""Kaizen bursts (improvement ideas on a map): their vocabulary, their rules and the map's methods.

A Kaizen (vsm.model.records) belongs to one map, usually a future state. It is attached to a step
of that map (`step_id`) or free on the canvas (`step_id` None); `x`, `y` place it on the canvas in
the same scene coordinates as steps. Its waste is one of the eight wastes of lean (WASTES), its
status one of KAIZEN_STATUSES, its due date an ISO date "YYYY-MM-DD" or None, and its expected
saving a duration in minutes.

The map's kaizen methods live in KaizenHolder, which ValueStreamMap mixes in: they validate with
`clean_kaizen_value`, check that `step_id` names a step of the map, and emit KaizenAdded,
KaizenRemoved and KaizenChanged, exactly like the step and flow methods. Removing a step removes
the kaizens attached to it (ValueStreamMap.remove_step returns them for undo). The improvement
plan over every kaizen of a project is vsm.analysis.plan.
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date
from typing import TYPE_CHECKING, Any

from vsm.errors import ModelError
from vsm.model.durations import DurationError, parse_duration
from vsm.model.events import KaizenAdded, KaizenChanged, KaizenRemoved
from vsm.model.field_rules import finite, one_of
from vsm.model.limits import MAX_TEXT_LENGTH, check_id_text, clean_position, clean_text, shown
from vsm.model.records import Kaizen, inserted

WASTES: dict[str, str] = {
    "transport": "Transport",
    "inventory": "Inventory",
    "motion": "Motion",
    "waiting": "Waiting",
    "overproduction": "Overproduction",
    "overprocessing": "Overprocessing",
    "defects": "Defects",
    "unused_skills": "Unused skills",
}
KAIZEN_STATUSES: dict[str, str] = {
    "idea": "Idea",
    "planned": "Planned",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
}
KAIZEN_ABOVE_STEP = 90.0  # a new kaizen for a step is placed this far above the step's position
KAIZEN_STACK = 60.0  # and a further this far up for each kaizen the step already has
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


KAIZEN_FIELDS = tuple(f.name for f in fields(Kaizen) if f.name != "id")


def clean_kaizen_value(title: str, name: str, value: Any) -> Any:
    """Validate and normalise one kaizen field; raise ModelError naming the kaizen and field.

    Whether `step_id` names a step of the map is checked by the map, not here.
    """
    label = "expected saving" if name == "expected_saving_minutes" else name.replace("_", " ")
    what = f"kaizen {shown(title)}: {label}"
    if name == "description":
        return clean_text(value, what, multiline=True, limit=MAX_TEXT_LENGTH)
    if name in ("title", "owner"):
        value = clean_text(value, what).strip()
        if name == "title" and not value:
            raise ModelError(f"kaizen {shown(title)} needs a title")
        return value
    if name == "waste":
        return one_of(value, WASTES, what)
    if name == "status":
        return one_of(value, KAIZEN_STATUSES, what)
    if name == "due":
        return _clean_due(value, what)
    if name == "expected_saving_minutes":
        try:
            return parse_duration(value)
        except DurationError as error:
            raise ModelError(f"{what}: {error}") from None
    if name == "step_id":
        if value is not None and not isinstance(value, str):
            raise ModelError(f"{what} must be a step id")
        return check_id_text(value, what) if value else None
    if name in ("x", "y"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ModelError(f"{what} must be a finite number, not {shown(value)}")
        return clean_position(finite(value, what), what)
    raise ModelError(f"kaizens have no field {name!r}")


def _clean_due(value: Any, what: str) -> str | None:
    """None or "" -> None; a date or "YYYY-MM-DD" naming a real day -> "YYYY-MM-DD"."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    if not isinstance(value, str):
        raise ModelError(f"{what} must be a date written YYYY-MM-DD, not {shown(value)}")
    text = value.strip()
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise ModelError(f"{what} must be a date written YYYY-MM-DD, not {shown(value)}")


class KaizenHolder:
    """The kaizen methods of ValueStreamMap (a mix-in: it uses the map's name, has_step, _emit)."""

    name: str
    _kaizens: dict[str, Kaizen]
    _listeners: list  # from vsm.model.events.Observable

    if TYPE_CHECKING:
        def has_step(self, step_id: str) -> bool: ...

        def _emit(self, event: Any) -> None: ...

    @property
    def kaizens(self) -> list[Kaizen]:
        """The kaizens in their stored order."""
        return list(self._kaizens.values())

    def kaizen(self, kaizen_id: str) -> Kaizen:
        """The kaizen with this id; ModelError if there is none."""
        try:
            return self._kaizens[kaizen_id]
        except KeyError:
            raise ModelError(f"map {self.name!r} has no kaizen with id {kaizen_id!r}") from None

    def has_kaizen(self, kaizen_id: str) -> bool:
        return kaizen_id in self._kaizens

    def kaizen_index(self, kaizen_id: str) -> int:
        return list(self._kaizens).index(kaizen_id)

    def kaizens_of(self, step_id: str) -> list[Kaizen]:
        """The kaizens attached to the step, in stored order."""
        return [k for k in self._kaizens.values() if k.step_id == step_id]

    def add_kaizen(self, kaizen: Kaizen, index: int | None = None) -> Kaizen:
        """Insert a kaizen (at `index`, default at the end); its fields are validated first."""
        values = self.clean_new_kaizen(kaizen)
        for name, value in values.items():
            setattr(kaizen, name, value)
        self._kaizens = inserted(self._kaizens, kaizen.id, kaizen, index)
        if self._listeners:  # nobody listens while a file is loaded: no event object at all
            appended = index is None or index >= len(self._kaizens) - 1  # no O(n) index lookup
            last = len(self._kaizens) - 1
            self._emit(KaizenAdded(kaizen, last if appended else self.kaizen_index(kaizen.id)))
        return kaizen

    def clean_new_kaizen(self, kaizen: Kaizen) -> dict[str, Any]:
        """The field values add_kaizen would store; ModelError if it would refuse the kaizen.
        Neither the map nor the kaizen is changed."""
        check_id_text(kaizen.id, f"kaizen {shown(kaizen.title)}")
        if kaizen.id in self._kaizens:
            raise ModelError(f"map {self.name!r} already has a kaizen with id {kaizen.id!r}")
        title = clean_kaizen_value(kaizen.title, "title", kaizen.title)
        values = {name: clean_kaizen_value(title, name, getattr(kaizen, name))
                  for name in KAIZEN_FIELDS}
        self._check_step(title, values["step_id"])
        return values

    def remove_kaizen(self, kaizen_id: str) -> tuple[Kaizen, int]:
        """Remove a kaizen; return it and its index."""
        kaizen = self.kaizen(kaizen_id)
        index = self.kaizen_index(kaizen_id)
        del self._kaizens[kaizen_id]
        self._emit(KaizenRemoved(kaizen, index))
        return kaizen, index

    def set_kaizen_field(self, kaizen_id: str, name: str, value: Any) -> Any:
        """Set one field of a kaizen after validating it; return the old value."""
        kaizen = self.kaizen(kaizen_id)
        value = self.clean_kaizen_field(kaizen_id, name, value)
        old = getattr(kaizen, name)
        if old == value:
            return old
        setattr(kaizen, name, value)
        self._emit(KaizenChanged(kaizen, name))
        return old

    def clean_kaizen_field(self, kaizen_id: str, name: str, value: Any) -> Any:
        """The value set_kaizen_field would store; ModelError if it would refuse it (the map is
        not changed)."""
        kaizen = self.kaizen(kaizen_id)
        if name not in KAIZEN_FIELDS:
            raise ModelError(f"kaizens have no field {name!r}")
        value = clean_kaizen_value(kaizen.title, name, value)
        if name == "step_id":
            self._check_step(kaizen.title, value)
        return value

    def _check_step(self, title: str, step_id: str | None) -> None:
        if step_id is not None and not self.has_step(step_id):
            raise ModelError(f"map {self.name!r}, kaizen {title!r}: step {step_id!r} is not in the map")

    def _remove_kaizens_of(self, step_id: str) -> list[tuple[Kaizen, int]]:
        """Remove the kaizens attached to a step; return them with their indices, ascending."""
        removed = [(k, self.kaizen_index(k.id)) for k in self.kaizens_of(step_id)]
        for kaizen, _ in reversed(removed):
            self.remove_kaizen(kaizen.id)
        return removed
