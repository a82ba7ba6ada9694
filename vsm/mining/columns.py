"""Which columns of an event log hold the case, the activity, the time and the group.

Columns are named by their header (--case, --activity, --time, --group), matched ignoring case,
underscores, hyphens and repeated spaces ("Assignment_Group" is "assignment group"). A name that
matches no header is refused with the closest header ("did you mean 'Ticket ID'?") and the list
of headers. The roles not named are recognised:

- by the whole shape of a common export (`SHAPES`): XES-style logs (case:concept:name,
  concept:name, time:timestamp, org:group), ServiceNow's incident export (number,
  incident_state or state, sys_updated_at or sys_updated_on, assignment_group), ServiceNow's
  audit export sys_audit (documentkey, fieldname, newvalue, sys_created_on) and Jira Data
  Center's issue history (issue_id, field, to_string, created_date);
- else by common names of each role (`ALIASES`: "Case ID", "Ticket", "Status", "Timestamp",
  "Assignment group"...).

Audit and history exports are change logs: one row per field changed, the field in one column
and its new value in another. Their rows for the state (ServiceNow's `state`, Jira's `status`)
give the activity, the rows for the group (`assignment_group`, Jira's `Team`) the group; rows of
other fields are no events (vsm.mining.events counts them apart).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from vsm.errors import VsmError


class MiningError(VsmError):
    """An event log cannot be mined as asked; the message says why and what to do."""


def header_key(cell: Any) -> str:
    """A header as it is matched: case-folded, underscores and hyphens as spaces, spaces
    collapsed ("Assignment_Group " -> "assignment group")."""
    text = "" if cell is None else str(cell)
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())


@dataclass(frozen=True)
class Shape:
    """A common export recognised by its headers (keys as `header_key` gives them)."""

    name: str
    case: str
    time: str
    activity: str | None = None  # a plain log: the activity's column
    group: str | None = None  # optional in the file
    field: str | None = None  # a change log: the column naming the field changed...
    value: str | None = None  # ...and the column with its new value
    activity_fields: tuple[str, ...] = ()  # field names (as header_key gives them) of the state
    group_fields: tuple[str, ...] = ()  # ...and of the group


SHAPES: tuple[Shape, ...] = (
    Shape("an XES-style event log", case="case:concept:name", activity="concept:name",
          time="time:timestamp", group="org:group"),
    Shape("a ServiceNow audit export (sys_audit)", case="documentkey", time="sys created on",
          field="fieldname", value="newvalue", activity_fields=("state", "incident state"),
          group_fields=("assignment group",)),
    Shape("a Jira issue history export", case="issue id", time="created date", field="field",
          value="to string", activity_fields=("status",), group_fields=("team",)),
    Shape("a ServiceNow incident export", case="number", activity="incident state",
          time="sys updated at", group="assignment group"),
    Shape("a ServiceNow incident export", case="number", activity="state",
          time="sys updated on", group="assignment group"),
)

ALIASES: dict[str, tuple[str, ...]] = {
    "case": ("case id", "case", "caseid", "case:concept:name", "ticket", "ticket id",
             "ticket number", "incident", "incident id", "incident number", "number",
             "issue key", "issue id", "sr number", "request id", "documentkey", "id"),
    "activity": ("activity", "concept:name", "activity name", "status", "state",
                 "incident state", "event", "incidentactivity type", "task"),
    "time": ("timestamp", "time:timestamp", "time", "date", "datetime", "date time",
             "event time", "start time", "start timestamp", "start", "sys updated at",
             "sys updated on", "sys created on", "change date+time", "datestamp", "created",
             "created date", "updated"),
    "group": ("group", "org:group", "assignment group", "team", "resolver group",
              "support group", "queue", "involved st"),
}
OPTIONS = {"case": "--case", "activity": "--activity", "time": "--time", "group": "--group"}
WHAT = {"case": "the case (ticket) id", "activity": "the activity (state)", "time": "the time",
        "group": "the group (team) holding the ticket"}
HEADERS_SHOWN = 20


@dataclass(frozen=True)
class Columns:
    """Where each role is in a row (0-based column indexes), and how the log was recognised."""

    case: int
    time: int
    activity: int | None  # None in a change log: the activity comes from its state rows
    group: int | None
    field: int | None = None  # a change log's field column, value column and field names
    value: int | None = None
    activity_fields: frozenset[str] = frozenset()
    group_fields: frozenset[str] = frozenset()
    recognised: str = ""  # "a ServiceNow audit export (sys_audit)"; "" when named or by alias
    described: str = ""  # the columns used, for a note: "case 'Ticket', activity 'Status', …"

    @property
    def change_log(self) -> bool:
        return self.field is not None


def _listed(header: list[Any]) -> str:
    names = [repr(" ".join(str(cell).split())[:40]) for cell in header[:HEADERS_SHOWN]
             if cell not in (None, "")]
    more = len(header) - HEADERS_SHOWN
    return ", ".join(names) + (f", … and {more} more" if more > 0 else "")


def _named(header: list[Any], keys: list[str], role: str, name: str) -> int:
    """The index of the column called `name`; MiningError with the closest header if none."""
    key = header_key(name)
    if key in keys:
        return keys.index(key)
    close = difflib.get_close_matches(key, [k for k in keys if k], n=1, cutoff=0.6)
    hint = f" (did you mean {header[keys.index(close[0])]!r}?)" if close else ""
    raise MiningError(f"{OPTIONS[role]} {name!r}: there is no such column{hint}; the columns "
                      f"are {_listed(header)}")


def _shape(keys: list[str], given: dict[str, int]) -> Shape | None:
    """The first shape whose columns the header has (roles given by name need not match)."""
    for shape in SHAPES:
        needed = [shape.case if "case" not in given else None,
                  shape.time if "time" not in given else None,
                  *([shape.activity] if shape.activity else [shape.field, shape.value])]
        if all(column is None or column in keys for column in needed):
            return shape
    return None


def find_columns(header: list[Any], names: dict[str, str | None], need_group: bool) -> Columns:
    """The columns of the roles in `names` (role -> the header given by the user, None to
    recognise it, or "" for none: the log's group left out, as the editor's "(none)") in a
    header row; MiningError naming what is missing and how to name it."""
    keys = [header_key(cell) for cell in header]
    left_out = {role for role, name in names.items() if name == ""}
    if left_out & {"case", "activity", "time"}:
        raise MiningError(f"the {sorted(left_out)[0]} column cannot be left out")
    if left_out and need_group:
        raise MiningError("steps by group need the group column: name it with --group COLUMN")
    given = {role: _named(header, keys, role, name) for role, name in names.items()
             if name}
    shape = _shape(keys, given) if "activity" not in given else None
    found = dict(given)
    recognised = ""
    if shape is not None:
        recognised = shape.name
        found.setdefault("case", keys.index(shape.case))
        found.setdefault("time", keys.index(shape.time))
        if shape.activity is not None:
            found["activity"] = keys.index(shape.activity)
        if shape.group is not None and shape.group in keys and "group" not in left_out:
            found.setdefault("group", keys.index(shape.group))
    change_log = shape is not None and shape.field is not None
    from_rows = {"activity", "group"} - left_out if change_log else set()  # the rows give
    taken = set(found.values())
    for role in ("case", "activity", "time", "group"):
        if role in found or role in from_rows or role in left_out:
            continue
        for alias in ALIASES[role]:
            if alias in keys and keys.index(alias) not in taken:
                found[role] = keys.index(alias)
                taken.add(found[role])
                break
    for role in ("case", "activity", "time") + (("group",) if need_group else ()):
        if role not in found and role not in from_rows:
            raise MiningError(f"cannot tell which column holds {WHAT[role]}: name it with "
                              f"{OPTIONS[role]} COLUMN (the columns are {_listed(header)})")
    roles = [found[role] for role in ("case", "activity", "time", "group") if role in found]
    if len(set(roles)) < len(roles):
        raise MiningError("the case, activity, time and group must be different columns")
    described = ", ".join(f"{role} {_shown(header[found[role]])}"
                          for role in ("case", "activity", "time", "group") if role in found)
    if shape is not None and shape.field is not None:
        assert shape.value is not None
        group = found.get("group")  # a group column named by the user, else the group rows
        field, value = keys.index(shape.field), keys.index(shape.value)
        from_group_rows = group is None and "group" in from_rows
        fields = shape.activity_fields[:1] + (shape.group_fields[:1] if from_group_rows else ())
        described += (f", {' and '.join(('activity', 'group')[:len(fields)])} from the rows of "
                      f"{' and '.join(repr(f) for f in fields)} ({_shown(header[field])}, "
                      f"{_shown(header[value])})")
        return Columns(found["case"], found["time"], None, group, field, value,
                       frozenset(shape.activity_fields),
                       frozenset(shape.group_fields) if from_group_rows else frozenset(),
                       recognised, described)
    return Columns(found["case"], found["time"], found["activity"], found.get("group"),
                   recognised=recognised, described=described)


def _shown(cell: Any) -> str:
    return repr(" ".join(str(cell).split())[:40])
