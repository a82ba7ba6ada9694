"""Kaizen bursts (improvement ideas on a map) and the project's improvement plan.

A Kaizen belongs to one map, usually a future state. It is attached to a step of that map
(`step_id`) or free on the canvas (`step_id` None); `x`, `y` place it on the canvas in the same
scene coordinates as steps. Its waste is one of the eight wastes of lean (WASTES), its status one
of KAIZEN_STATUSES, its due date an ISO date "YYYY-MM-DD" or None, and its expected saving a
duration in minutes.

The map's kaizen methods live in KaizenHolder, which ValueStreamMap mixes in: they validate with
`clean_kaizen_value`, check that `step_id` names a step of the map, and emit KaizenAdded,
KaizenRemoved and KaizenChanged, exactly like the step and flow methods. Removing a step removes
the kaizens attached to it (ValueStreamMap.remove_step returns them for undo).

`improvement_plan(project)` lists every kaizen of the project as PlanRow records, and
`write_plan_csv` writes them as a spreadsheet-friendly CSV file.
"""

from __future__ import annotations

import csv
import math
import re
import uuid
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from vsm.files.atomic import atomic_file
from vsm.model.durations import DurationError, format_duration, parse_duration
from vsm.errors import ModelError
from vsm.model.events import KaizenAdded, KaizenChanged, KaizenRemoved
from vsm.model.field_rules import one_of

if TYPE_CHECKING:
    from vsm.analysis import StepToChange
    from vsm.model.entities import Project, ValueStreamMap

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
# The waste and the title a kaizen made from a step to change gets from the step's first flag.
FLAG_WASTES: dict[str, str] = {
    "bottleneck": "waiting",
    "long_wait": "waiting",
    "low_pca": "defects",
    "rework": "defects",
    "vendor_handoff": "transport",
    "over_capacity": "waiting",  # overburden shows as queues in front of the step
}
FLAG_TITLES: dict[str, str] = {
    "bottleneck": "Remove the wait before {step}",
    "long_wait": "Remove the wait before {step}",
    "low_pca": "Get the input of {step} complete and accurate",
    "rework": "Stop the rework after {step}",
    "vendor_handoff": "Smooth the vendor handoff at {step}",
    "over_capacity": "Balance the load at {step}",
}
KAIZEN_ABOVE_STEP = 90.0  # a new kaizen for a step is placed this far above the step's position
KAIZEN_STACK = 60.0  # and a further this far up for each kaizen the step already has
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Kaizen:
    """One improvement idea: what, which waste it removes, who, by when, and how far it got."""

    title: str = "New improvement"
    description: str = ""
    waste: str = "waiting"
    owner: str = ""
    due: str | None = None
    status: str = "idea"
    expected_saving_minutes: float = 0.0
    step_id: str | None = None
    x: float = 0.0
    y: float = 0.0
    id: str = field(default_factory=_new_id)


KAIZEN_FIELDS = tuple(f.name for f in fields(Kaizen) if f.name != "id")


def clean_kaizen_value(title: str, name: str, value: Any) -> Any:
    """Validate and normalise one kaizen field; raise ModelError naming the kaizen and field.

    Whether `step_id` names a step of the map is checked by the map, not here.
    """
    label = "expected saving" if name == "expected_saving_minutes" else name.replace("_", " ")
    what = f"kaizen {title!r}: {label}"
    if name in ("title", "description", "owner"):
        if not isinstance(value, str):
            raise ModelError(f"{what} must be text, not {value!r}")
        if name == "title" and not value.strip():
            raise ModelError(f"kaizen {title!r} needs a title")
        return value if name == "description" else value.strip()
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
        return value or None
    if name in ("x", "y"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelError(f"{what} must be a finite number, not {value!r}")
        return float(value)
    raise ModelError(f"kaizens have no field {name!r}")


def _clean_due(value: Any, what: str) -> str | None:
    """None or "" -> None; a date or "YYYY-MM-DD" naming a real day -> "YYYY-MM-DD"."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    if not isinstance(value, str):
        raise ModelError(f"{what} must be a date written YYYY-MM-DD, not {value!r}")
    text = value.strip()
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise ModelError(f"{what} must be a date written YYYY-MM-DD, not {value!r}")


def _inserted(items: dict, key: str, value: Any, index: int | None) -> dict:
    """`items` with key: value inserted at `index` (None: at the end)."""
    if index is None or index >= len(items):
        items[key] = value
        return items
    pairs = list(items.items())
    pairs.insert(max(index, 0), (key, value))
    return dict(pairs)


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
        if not isinstance(kaizen.id, str) or not kaizen.id.strip():
            raise ModelError(f"kaizen {kaizen.title!r} needs an id that is non-empty text")
        if kaizen.id in self._kaizens:
            raise ModelError(f"map {self.name!r} already has a kaizen with id {kaizen.id!r}")
        title = clean_kaizen_value(kaizen.title, "title", kaizen.title)
        values = {name: clean_kaizen_value(title, name, getattr(kaizen, name))
                  for name in KAIZEN_FIELDS}
        self._check_step(title, values["step_id"])
        for name, value in values.items():
            setattr(kaizen, name, value)
        self._kaizens = _inserted(self._kaizens, kaizen.id, kaizen, index)
        if self._listeners:  # nobody listens while a file is loaded: no event object at all
            appended = index is None or index >= len(self._kaizens) - 1  # no O(n) index lookup
            last = len(self._kaizens) - 1
            self._emit(KaizenAdded(kaizen, last if appended else self.kaizen_index(kaizen.id)))
        return kaizen

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
        if name not in KAIZEN_FIELDS:
            raise ModelError(f"kaizens have no field {name!r}")
        value = clean_kaizen_value(kaizen.title, name, value)
        if name == "step_id":
            self._check_step(kaizen.title, value)
        old = getattr(kaizen, name)
        if old == value:
            return old
        setattr(kaizen, name, value)
        self._emit(KaizenChanged(kaizen, name))
        return old

    def _check_step(self, title: str, step_id: str | None) -> None:
        if step_id is not None and not self.has_step(step_id):
            raise ModelError(f"map {self.name!r}, kaizen {title!r}: step {step_id!r} is not in the map")

    def _remove_kaizens_of(self, step_id: str) -> list[tuple[Kaizen, int]]:
        """Remove the kaizens attached to a step; return them with their indices, ascending."""
        removed = [(k, self.kaizen_index(k.id)) for k in self.kaizens_of(step_id)]
        for kaizen, _ in reversed(removed):
            self.remove_kaizen(kaizen.id)
        return removed


def kaizen_from_step_to_change(item: StepToChange, map_: ValueStreamMap) -> Kaizen:
    """A new kaizen for a flagged step, pre-filled from the analysis (not yet added to the map).

    The first flag sets the title and the waste (FLAG_TITLES, FLAG_WASTES); the description is
    the analysis's reasons, one per line; the expected saving is the step's saving; the kaizen is
    attached to the step and placed above it, above any kaizens the step already has.
    """
    step = map_.step(item.step_id)
    flag = item.flags[0] if item.flags else "long_wait"
    return Kaizen(
        title=FLAG_TITLES.get(flag, FLAG_TITLES["long_wait"]).format(step=step.name),
        description="\n".join(item.reasons),
        waste=FLAG_WASTES.get(flag, "waiting"),
        expected_saving_minutes=max(0.0, item.saving),
        step_id=step.id,
        x=step.x,
        y=step.y - KAIZEN_ABOVE_STEP - KAIZEN_STACK * len(map_.kaizens_of(step.id)),
    )


# ---------------------------------------------------------------- the improvement plan


@dataclass(frozen=True)
class PlanRow:
    """One line of the improvement plan: a kaizen with the names of its map and step."""

    map_id: str
    map_name: str
    kaizen_id: str
    title: str
    description: str
    step_name: str  # "" for a kaizen that is not attached to a step
    waste: str
    owner: str
    due: str | None
    status: str
    expected_saving_minutes: float


def improvement_plan(project: Project) -> list[PlanRow]:
    """Every kaizen of the project, soonest due first (no due date last), then largest saving.

    Ties keep the order of the maps and of their kaizens.
    """
    rows = []
    for map_ in project.maps:
        for kaizen in map_.kaizens:
            step_name = map_.step(kaizen.step_id).name if kaizen.step_id else ""
            rows.append(PlanRow(map_.id, map_.name, kaizen.id, kaizen.title, kaizen.description,
                                step_name, kaizen.waste, kaizen.owner, kaizen.due, kaizen.status,
                                kaizen.expected_saving_minutes))
    return sorted(rows, key=lambda r: (r.due is None, r.due or "", -r.expected_saving_minutes))


PLAN_COLUMNS = ("Map", "Improvement", "Description", "Step", "Waste", "Owner", "Due", "Status",
                "Expected saving (minutes)", "Expected saving")


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ gets a quote before it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def plan_table(rows: Iterable[PlanRow]) -> list[list[str | float]]:
    """The plan as rows of cells under PLAN_COLUMNS, with labels rather than ids."""
    table: list[list[str | float]] = []
    for row in rows:
        saving = row.expected_saving_minutes
        minutes: float = int(saving) if float(saving).is_integer() else saving
        table.append([_cell(row.map_name), _cell(row.title), _cell(row.description),
                      _cell(row.step_name), WASTES.get(row.waste, row.waste), _cell(row.owner),
                      row.due or "", KAIZEN_STATUSES.get(row.status, row.status), minutes,
                      format_duration(saving)])
    return table


def write_plan_csv(rows: Iterable[PlanRow], path: str | Path) -> None:
    """Write the plan as CSV with a header row (PLAN_COLUMNS), atomically.

    UTF-8 with a byte-order mark, so that Excel reads accents correctly; comma-separated, CRLF
    line ends. Text that starts like a formula (= + - @) is prefixed with a quote so that no
    spreadsheet runs it. A temporary file in the same folder replaces the target only once it
    is completely written; on failure FileFormatError(path, "cannot be written: ...").
    """
    with atomic_file(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(PLAN_COLUMNS)
        writer.writerows(plan_table(rows))
