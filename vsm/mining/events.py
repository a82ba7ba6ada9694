"""The rows of an event log, streamed into cases of events; bad rows skipped and counted.

The file is read by vsm.files.sheets.stream_table under the limits of an event log, one row at a
time; the first non-blank row is the header (vsm.mining.columns finds the roles in it). Each
later row is one event: (time in seconds since the epoch, UTC; activity; group), kept in its
case's list in file order. Nothing else of the row is kept, and each distinct activity, group
and case id is kept once however many rows repeat it.

A row is skipped, counted under its reason with the numbers of its first rows, when it has no
case id, no time that can be read (vsm.mining.times), no activity, or (when the steps are the
groups) no group. A value that is empty or "?" (ServiceNow's public logs write missing values
so) is missing. In a change log (columns.Columns.change_log) a row of a field that is neither
the state nor the group is no event and is counted apart, not as skipped; a state row leaves the
group as it was and a group row the activity (vsm.mining.visits carries them forward).

More than half the rows skipped refuses the log (MiningError): the columns or the time format
are wrong, and a map of what is left would mislead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from vsm.files.sheet_limits import EVENT_LOG_LIMITS
from vsm.files.sheets import stream_table
from vsm.mining.columns import Columns, MiningError, find_columns, header_key
from vsm.mining.times import PENDING, TimeReader

FIRST_ROWS = 5  # row numbers kept per reason for skipping
MISSING = ("", "?")
# the reasons for skipping a row, as the summary says them ("12 rows without a case id")
NO_CASE, NO_TIME = "without a case id", "with a time that cannot be read"
NO_ACTIVITY, NO_GROUP = "without an activity", "without a group"
PROGRESS_ROWS = 10_000  # rows read between two calls of the progress function
Event = tuple[float, Any, Any]  # (seconds, activity or None, group or None)


@dataclass
class EventLog:
    """The events of a log by case, and what reading it found."""

    path: Path
    columns: Columns
    cases: dict[str, list[Event]]  # case id -> its events in file order
    rows: int = 0  # rows under the header
    events: int = 0
    other_rows: int = 0  # change log rows of other fields: no events
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)  # reason -> first rows
    first_bad_time: str | None = None  # the first time that could not be read, for the note
    notes: list[str] = field(default_factory=list)
    time_form: str = ""  # how the times were read: "ISO 8601", "day first"...

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())


def _text(value: Any) -> str | None:
    """A cell as text, or None when it is missing (empty, "?"); 12345.0 reads as "12345"."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return None if text in MISSING else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return None if text in MISSING else text


class _Reader:
    """The sink stream_table calls for each row."""

    def __init__(self, path: Path, names: dict[str, str | None], need_group: bool,
                 times: TimeReader, progress: Callable[[int], None] | None = None) -> None:
        self.path, self.names, self.need_group, self.times = path, names, need_group, times
        self.progress = progress
        self.log: EventLog | None = None
        self.known: dict[str, str] = {}  # each distinct text kept once
        self.pending: list[tuple[list[Any], int, Any, int]] = []  # (case, index, time, row)
        self.row = self._plain_row  # set by the header: _plain_row or _change_row

    def skip(self, reason: str, number: int) -> None:
        assert self.log is not None
        log = self.log
        log.skipped[reason] = log.skipped.get(reason, 0) + 1
        rows = log.skipped_rows.setdefault(reason, [])
        if len(rows) < FIRST_ROWS:
            rows.append(number)

    def __call__(self, number: int, cells: list[Any]) -> None:
        log = self.log
        if log is None:
            columns = find_columns(cells, self.names, self.need_group)
            self.log = EventLog(self.path, columns, {})
            self.row = self._change_row if columns.change_log else self._plain_row
            return
        log.rows += 1
        if self.progress is not None and not log.rows % PROGRESS_ROWS:
            self.progress(log.rows)
        self.row(number, cells)

    def _plain_row(self, number: int, cells: list[Any]) -> None:
        assert self.log is not None
        columns = self.log.columns
        size = len(cells)
        activity_at = columns.activity
        assert activity_at is not None
        activity = _text(cells[activity_at]) if activity_at < size else None
        group_at = columns.group
        group = _text(cells[group_at]) if group_at is not None and group_at < size else None
        if activity is None:
            return self.skip(NO_ACTIVITY, number) if self._has_case(cells, number) else None
        if group is None and self.need_group:
            return self.skip(NO_GROUP, number) if self._has_case(cells, number) else None
        self._add(number, cells, activity, group)

    def _change_row(self, number: int, cells: list[Any]) -> None:
        assert self.log is not None
        columns = self.log.columns
        assert columns.field is not None and columns.value is not None
        size = len(cells)
        name = header_key(cells[columns.field]) if columns.field < size else ""
        value = _text(cells[columns.value]) if columns.value < size else None
        group_at = columns.group
        if name in columns.activity_fields:
            if value is None:
                return self.skip(NO_ACTIVITY, number) if self._has_case(cells, number) else None
            group = _text(cells[group_at]) if group_at is not None and group_at < size else None
            self._add(number, cells, value, group)
        elif name in columns.group_fields:
            if value is None:
                return self.skip(NO_GROUP, number) if self._has_case(cells, number) else None
            self._add(number, cells, None, value)
        else:
            self.log.other_rows += 1

    def _has_case(self, cells: list[Any], number: int) -> bool:
        """Whether the row has a case id (a row without one is skipped for that first)."""
        assert self.log is not None
        at = self.log.columns.case
        if (_text(cells[at]) if at < len(cells) else None) is None:
            self.skip(NO_CASE, number)
            return False
        return True

    def _add(self, number: int, cells: list[Any], activity: str | None,
             group: str | None) -> None:
        log = self.log
        assert log is not None
        columns = log.columns
        size = len(cells)
        case = _text(cells[columns.case]) if columns.case < size else None
        if case is None:
            return self.skip(NO_CASE, number)
        raw = cells[columns.time] if columns.time < size else None
        moment = self.times.read(raw)
        if moment is None:
            if log.first_bad_time is None and raw not in (None, ""):
                log.first_bad_time = str(raw)[:40]
            return self.skip(NO_TIME, number)
        known = self.known
        if activity is not None:
            activity = known.setdefault(activity, activity)
        if group is not None:
            group = known.setdefault(group, group)
        events = log.cases.get(case)
        if events is None:
            events = log.cases[known.setdefault(case, case)] = []
        if moment is PENDING:
            self.pending.append((events, len(events), raw, number))
            events.append((0.0, activity, group))  # a place kept in file order
        else:
            events.append((moment, activity, group))
        log.events += 1

    def finish(self) -> EventLog:
        """Read the values that waited for the day/month order; drop the rows they fail."""
        log = self.log
        if log is None:
            raise MiningError(f"{self.path}: the file is empty; an event log needs a header "
                              "row and one row per event")
        self.times.settle()
        failed: set[int] = set()
        for events, index, raw, number in self.pending:
            moment = self.times.read_pending(raw)
            if moment is None:
                if log.first_bad_time is None:
                    log.first_bad_time = str(raw)[:40]
                self.skip(NO_TIME, number)
                log.events -= 1
                failed.add(id(events))
                events[index] = (float("nan"), None, None)
            else:
                _, activity, group = events[index]
                events[index] = (moment, activity, group)
        if failed:
            for case, events in list(log.cases.items()):
                if id(events) in failed:
                    kept = [event for event in events if event[0] == event[0]]  # not NaN
                    if kept:
                        log.cases[case] = kept
                    else:
                        del log.cases[case]
        log.time_form = self.times.describe()
        return log


def read_events(path: str | Path, names: dict[str, str | None], need_group: bool = False,
                time_format: str | None = None,
                progress: Callable[[int], None] | None = None) -> EventLog:
    """The events of the log at `path` by case; `names`: role -> column header given (or None
    to recognise it), roles "case", "activity", "time", "group". MiningError (or
    FileFormatError) when the log cannot be mined, more than half its rows bad included.
    `progress(rows read)` is called every PROGRESS_ROWS rows; what it raises stops the reading
    and comes out of here (the editor's Cancel)."""
    path = Path(path)
    reader = _Reader(path, names, need_group, TimeReader(time_format), progress)
    table = stream_table(path, reader, EVENT_LOG_LIMITS)
    log = reader.finish()
    log.notes.extend(table.notes)
    if table.sheet is not None:
        log.notes.append(f"read sheet {table.sheet!r}")
    bad = log.skipped_count
    considered = log.events + bad
    if considered == 0:
        other = f" ({log.other_rows:,} rows of other fields)" if log.other_rows else ""
        raise MiningError(f"{path}: no events: the file has a header but no rows of "
                          f"events{other}")
    if 2 * bad > considered:
        raise MiningError(f"{path}: {bad:,} of {considered:,} rows cannot be read "
                          f"({skipped_text(log)}); check the columns and the time format; "
                          "nothing was written")
    if need_group and not any(group is not None for events in log.cases.values()
                              for _, _, group in events):
        raise MiningError(f"{path}: no row names a group; name the group column with --group")
    return log


class _Enough(Exception):
    """Stops the reading of the first rows."""


def first_rows(path: str | Path, count: int) -> list[list[Any]]:
    """The first `count` non-blank rows of the log at `path` (the header first), read under the
    limits of an event log and no further: a preview. FileFormatError when it cannot be read."""
    rows: list[list[Any]] = []

    def keep(_number: int, cells: list[Any]) -> None:
        rows.append(cells)
        if len(rows) >= count:
            raise _Enough

    try:
        stream_table(path, keep, EVENT_LOG_LIMITS)
    except _Enough:
        pass
    return rows


def skipped_text(log: EventLog) -> str:
    """The skipped rows for people: "12 without a case id (rows 4, 9, 11, 12, 30, …), 3 with a
    time that cannot be read ('31/31/2024'; rows 7, 8, 20)"."""
    parts = []
    for reason, count in log.skipped.items():
        rows = log.skipped_rows.get(reason, [])
        listed = ", ".join(f"{row:,}" for row in rows) + (", …" if count > len(rows) else "")
        example = (f"{log.first_bad_time!r}; " if reason == NO_TIME and log.first_bad_time
                   else "")
        parts.append(f"{count:,} {reason} ({example}row{'s' if count > 1 else ''} {listed})")
    return ", ".join(parts)
