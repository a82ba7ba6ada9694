"""Rows of a table model that follows a map: the runs a batch of row changes makes, and a
selection of many rows made and read as ranges.

A delete of a thousand steps arrives as a thousand StepRemoved events (vsm.model.bulk): `runs`
turns them into a few contiguous ranges, each one beginRemoveRows/endRemoveRows, instead of one
per row (each of which makes Qt's header and selection walk their sections). `select_rows`
selects rows as ranges of consecutive rows in one call, and `selected_rows` reads them from the
selection's ranges: QItemSelectionModel.selectedRows() asks every cell of every row for its
flags, a Python call each.
"""

from __future__ import annotations

import operator
from itertools import chain, compress, groupby, repeat

from PySide6.QtCore import QAbstractItemModel, QItemSelection, QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView

from vsm.model import StepAdded, StepRemoved
from vsm.model.events import BatchEnded, BatchStarted

Run = tuple[bool, int, int, list[str]]  # added, first row, count, the ids added


_ROW_EVENTS = frozenset({StepAdded, StepRemoved})  # the events that add or remove a row
_ADDED = StepAdded.__instancecheck__  # an event's columns, taken in C
_INDEX = operator.attrgetter("index")
_STEP_ID = operator.attrgetter("step.id")
# (added, index minus the one before) -> 1 if the event continues the run before it
_JOINS: dict[tuple[bool, int], int] = {(True, 1): 1, (False, 0): 1, (False, -1): 1}


class StepRows:
    """The step shown in each row of a table model (a mix-in of a QAbstractItemModel), kept in
    step with the map's StepAdded and StepRemoved events: each row change at once, or those of
    a batch as runs at the batch's end (noted one by one, or given at once in BatchEnded.events
    to a listener subscribed `gathered`). A step's row is a dict lookup; the dict is rebuilt once
    after rows moved, never searched row by row."""

    _ids: list[str]

    def reset_rows(self, step_ids: list[str]) -> None:
        """Show these steps (inside the model's reset)."""
        self._ids = list(step_ids)
        self._rows: dict[str, int] | None = None  # step id -> row; None: rebuild when asked
        self._batched: list[tuple[bool, int, str]] | None = None  # (added, index, id)
        self.changing_rows = False  # rows come or go because the map changed

    def follow_rows(self, event: object) -> None:
        """Insert or remove the rows a map event says (a batch's at its end)."""
        if isinstance(event, (StepAdded, StepRemoved)):
            added = isinstance(event, StepAdded)
            if self._batched is not None:
                self._batched.append((added, event.index, event.step.id))
            else:
                self._change_rows([(added, event.index, 1, [event.step.id] if added else [])])
        elif isinstance(event, BatchStarted):
            self._batched = []
        elif isinstance(event, BatchEnded):
            batched, self._batched = self._batched or [], None
            rows = list(chain.from_iterable(  # the gathered events, a run of a kind at once
                run for kind, run in groupby(event.events, type) if kind in _ROW_EVENTS))
            if batched:  # noted one by one, then the gathered ones, in order
                batched.extend(zip(map(_ADDED, rows), map(_INDEX, rows), map(_STEP_ID, rows)))
                self._change_rows(runs(batched))
            elif rows:  # columns made in C: a delete of 20,000 steps gives 20,000 of them
                self._change_rows(_runs_of(list(map(_ADDED, rows)), list(map(_INDEX, rows)),
                                           list(map(_STEP_ID, rows))))

    def rows_changed(self) -> None:
        """Called after rows came or went; the model's own bookkeeping."""

    def _change_rows(self, changes: list[Run]) -> None:
        if not changes:
            return
        model: QAbstractItemModel = self  # type: ignore[assignment]
        self.changing_rows = True
        try:
            for added, first, count, ids in changes:
                if added:
                    model.beginInsertRows(QModelIndex(), first, first + count - 1)
                    self._ids[first:first] = ids
                    model.endInsertRows()
                else:
                    model.beginRemoveRows(QModelIndex(), first, first + count - 1)
                    del self._ids[first:first + count]
                    model.endRemoveRows()
        finally:
            self.changing_rows = False
        self._rows = None
        self.rows_changed()

    def step_id(self, row: int) -> str:
        """The id of the step shown in `row`."""
        return self._ids[row]

    def row_of(self, step_id: str) -> int:
        """The row of a step, or -1."""
        if self._rows is None:
            self._rows = {v: row for row, v in enumerate(self._ids)}
        return self._rows.get(step_id, -1)

    def rows_of(self, step_ids: list[str]) -> list[int]:
        """The rows of those of these steps that are shown, ascending (C-level lookups: Select
        all on 20,000 steps asks for every row)."""
        if self._rows is None:
            self._rows = {v: row for row, v in enumerate(self._ids)}
        rows = self._rows
        return sorted(set(map(rows.__getitem__, filter(rows.__contains__, step_ids))))


def runs(events: list[tuple[bool, int, str]]) -> list[Run]:
    """Rows added and removed one by one (added, index, step id), in order, as runs of
    contiguous rows (added, first row, count, ids added) that give the same rows when applied
    in order: a removal just above a run of removals (from the highest index down) or at its
    first row (all at one index), and an addition just below a run of additions (from the
    lowest index up), join it."""
    if not events:
        return []
    added, indices, ids = zip(*events)
    return _runs_of(list(added), list(indices), list(ids))


def _runs_of(added: list[bool], indices: list[int], ids: list[str]) -> list[Run]:
    """`runs` of the events given as columns. Within a run each index follows the one before
    it: an addition's by 1, a removal's by 0 or -1. The places where a run ends are found with
    the loops in C (a delete of 20,000 steps or its undo: one run, 20,000 events)."""
    count = len(indices)
    steps = list(map(operator.sub, indices[1:], indices))  # each index minus the one before
    kind_kept = map(operator.eq, added[1:], added)
    joins = map(_JOINS.get, zip(added[1:], steps), repeat(0))  # 1: it continues a run
    breaks = list(compress(range(1, count), map(operator.not_, map(operator.and_, kind_kept,
                                                                      joins))))
    found: list[Run] = []
    for start, end in zip([0, *breaks], [*breaks, count]):
        if added[start]:
            found.append((True, indices[start], end - start, ids[start:end]))
        else:
            found.append((False, indices[end - 1], end - start, []))
    return found


def ranges(rows: list[int]) -> list[tuple[int, int]]:
    """Ascending rows as (first, last) ranges of consecutive rows."""
    ranges: list[tuple[int, int]] = []
    for row in rows:
        if ranges and ranges[-1][1] == row - 1:
            ranges[-1] = (ranges[-1][0], row)
        else:
            ranges.append((row, row))
    return ranges


def select_rows(view: QAbstractItemView, rows: list[int]) -> None:
    """Select exactly these rows (ascending) of the view's model, whole, in one selection
    change; move the current index to the first of them (and show it) unless it is on one."""
    model = view.model()
    selection = QItemSelection()
    last = model.columnCount() - 1
    for first, final in ranges(rows):
        selection.select(model.index(first, 0), model.index(final, last))
    flags = QItemSelectionModel.SelectionFlag
    selection_model = view.selectionModel()
    selection_model.select(selection, flags.ClearAndSelect | flags.Rows)
    current = view.currentIndex()
    if rows and not (current.isValid() and rows[0] <= current.row() <= rows[-1]
                     and current.row() in set(rows)):
        current = model.index(rows[0], max(current.column(), 0))
        selection_model.setCurrentIndex(current, flags.NoUpdate)
        view.scrollTo(current)


def selected_rows(view: QAbstractItemView) -> list[int]:
    """The rows of the view's selection, ascending (the table selects whole rows)."""
    rows: set[int] = set()
    for selected in view.selectionModel().selection():
        rows.update(range(selected.top(), selected.bottom() + 1))
    return sorted(rows)
