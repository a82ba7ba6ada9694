"""How much of a spreadsheet a table may hold, and the rows of a table as they are read.

Two kinds of table are read: step tables (vsm.files.step_tables) and event logs (vsm.mining).
A step table is a few dozen rows, a few thousand at most; an event log can hold millions of
events; a spreadsheet can declare or hold far more than either (a zip that expands a thousand
times, a dimension of a million rows, a row with a cell in the last column, millions of blank
rows). The readers (vsm.files.sheets for CSV, vsm.files.xlsx_read for XLSX) bound their work by
the limits of the kind of table they read (`Limits`: `step_table_limits()`, `EVENT_LOG_LIMITS`)
and by the limits below that every table shares, and refuse a file past any of them as soon as
they meet it, with one FileFormatError naming the file and the row, cell or part:

- MAX_STEPS rows of steps under the header row (an event log: EVENT_LOG_ROWS events);
- MAX_ROWS_READ rows looked at, blank rows included (a value on a later row is refused);
- MAX_COLUMNS columns that hold values (blank cells further right are ignored);
- MAX_CELL_CHARACTERS characters in one cell (Excel's own limit; every kind of table);
- CSV: MAX_CSV_BYTES in the file, MAX_RECORD_CHARACTERS in one row as written;
- XLSX: MAX_PART_BYTES uncompressed in the sheet or the shared strings, MAX_SMALL_PART_BYTES in
  the workbook, its relationships and the styles, MAX_RATIO expansion of a part above
  RATIO_FLOOR_BYTES, MAX_ZIP_ENTRIES files in the zip (these four for every kind of table),
  MAX_ELEMENTS XML elements and MAX_CELLS_READ cells (blank ones included) over the parts read,
  MAX_TEXT_CHARACTERS characters of text kept (shared strings and the sheet's own text).

Legitimate step tables stay far below them all: 20,000 steps with every column filled are about
9 MB of sheet XML compressed 14 to 1, 660,000 elements and 320,000 cells. The step-table limits
are read from the module's constants each time a table is read (`step_table_limits`), so a test
can lower one.

`TableRows` checks each row against the limits and keeps it, or hands it to a sink (an event log
is not kept as rows: vsm.mining turns each row into an event as it is read).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from vsm.errors import FileFormatError

MAX_STEPS = 20_000  # more steps than any value stream; the header row comes on top
MAX_ROWS_READ = 100_000  # rows looked at, blank ones included
MAX_COLUMNS = 100  # columns that may hold a value (a step table uses 16)
MAX_CELL_CHARACTERS = 32_767  # Excel's limit for the text of one cell
MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_RECORD_CHARACTERS = 1_000_000  # one CSV row as written, quotes and delimiters included
MAX_PART_BYTES = 128 * 1024 * 1024  # uncompressed: the sheet read, the shared strings
MAX_SMALL_PART_BYTES = 8 * 1024 * 1024  # uncompressed: workbook, relationships, styles
MAX_RATIO = 100  # uncompressed / compressed size of a part above RATIO_FLOOR_BYTES
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ELEMENTS = 3_000_000  # XML elements over every part read
MAX_CELLS_READ = 2_000_000  # XML cells of the sheet, blank ones included
MAX_TEXT_CHARACTERS = 64_000_000  # text kept in memory: shared strings and inline strings

# Event logs (one row per event): a few million events, each row a few dozen columns at most.
EVENT_LOG_ROWS = 5_000_000  # events under the header row
EVENT_LOG_COLUMNS = 1_000  # a full ticket export can have a few hundred columns


@dataclass(frozen=True)
class Limits:
    """The limits that differ between the kinds of table (see the module)."""

    table: str  # what the table should be, for refusals: "a step table", "an event log"
    rows_name: str  # what its rows under the header are: "steps", "events"
    rows: int  # rows under the header
    rows_read: int  # rows looked at, blank ones included
    columns: int
    csv_bytes: int
    record_characters: int  # one CSV row as written
    part_bytes: int  # uncompressed: the sheet read, the shared strings
    elements: int  # XML elements over every part read
    cells_read: int  # XML cells of the sheet, blank ones included
    text_characters: int  # text kept in memory: shared strings and inline strings

    def question(self) -> str:
        """The end of every refusal: "is this a step table?"."""
        return f"is this {self.table}?"


def step_table_limits() -> Limits:
    """The limits of a step table, from the module's constants as they are now."""
    return Limits("a step table", "steps", MAX_STEPS, MAX_ROWS_READ, MAX_COLUMNS, MAX_CSV_BYTES,
                  MAX_RECORD_CHARACTERS, MAX_PART_BYTES, MAX_ELEMENTS, MAX_CELLS_READ,
                  MAX_TEXT_CHARACTERS)


# An event log of EVENT_LOG_ROWS events of 400 characters is 2 GB of CSV; an XLSX sheet has at
# most 1,048,576 rows (of up to EVENT_LOG_COLUMNS cells that hold a value).
EVENT_LOG_LIMITS = Limits("an event log", "events", EVENT_LOG_ROWS, EVENT_LOG_ROWS + 1_000_000,
                          EVENT_LOG_COLUMNS, 2 * 1024**3, MAX_RECORD_CHARACTERS, 2 * 1024**3,
                          400_000_000, 150_000_000, 1_000_000_000)


def size_text(size: int) -> str:
    """A size in bytes for a message: "954 MB", or "4,096 bytes" below a megabyte."""
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size:,} bytes"


def over_limit_text(size: int, limit: int) -> str:
    """"954 MB, more than the 64 MB": exact bytes where rounding would make the two alike."""
    shown, allowed = size_text(size), size_text(limit)
    if shown == allowed:
        shown, allowed = f"{size:,} bytes", f"{limit:,} bytes"
    return f"{shown}, more than the {allowed}"


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class TableRows:
    """The non-blank rows of a table, (row number, cells) with trailing blank cells cut off,
    collected under `limits` (default: a step table's): `add` refuses the row that goes past
    one. With a `sink`, each row is handed to it instead of being kept in `rows`."""

    def __init__(self, path: Path, limits: Limits | None = None,
                 sink: Callable[[int, list[Any]], None] | None = None) -> None:
        self.path = path
        self.limits = limits = limits or step_table_limits()
        self.rows: list[tuple[int, list[Any]]] = []
        self.count = 0  # rows kept (or handed to the sink)
        self.sink = sink
        self._rows_read, self._rows, self._columns = limits.rows_read, limits.rows, limits.columns

    def refuse(self, where: str, reason: str) -> FileFormatError:
        """The error for a table past a limit: "<file>: row 7: <reason>; is this a step table?"."""
        return FileFormatError(self.path, f"{where}: {reason}; {self.limits.question()}")

    def add(self, number: int, cells: list[Any]) -> None:
        end = len(cells)
        while end and _blank(cells[end - 1]):
            end -= 1
        rows_read = self._rows_read
        if not end:
            if number > rows_read:  # a blank row past the limit: reading has gone too far
                raise self.refuse(f"row {number:,}", f"more than {rows_read:,} rows, blank "
                                                     "ones included")
            return
        if number > rows_read:
            raise self.refuse(f"row {number:,}", f"a value below row {rows_read:,} "
                                                 f"({self.limits.table} has at most "
                                                 f"{self._rows:,} {self.limits.rows_name})")
        if end > self._columns:
            raise self.refuse(f"row {number:,}, column {end:,}",
                              f"a value beyond column {self._columns:,}")
        try:  # text cells (every CSV cell): their longest in one call
            long = max(map(len, cells)) > MAX_CELL_CHARACTERS
        except TypeError:  # numbers, dates: look at each text
            long = True
        if long:
            for index in range(end):
                cell = cells[index]
                if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
                    raise self.refuse(f"row {number:,}, column {index + 1}",
                                      f"more than {MAX_CELL_CHARACTERS:,} characters in one "
                                      "cell (Excel's limit)")
        if self.count > self._rows:  # the header and the allowed rows are kept already
            raise self.refuse(f"row {number:,}", f"more than {self._rows:,} "
                                                 f"{self.limits.rows_name}")
        self.count += 1
        if end < len(cells):
            cells = cells[:end]
        if self.sink is None:
            self.rows.append((number, cells))
        else:
            self.sink(number, cells)
