"""How much of a spreadsheet a step table may hold, and the rows of a table as they are read.

A step table is a few dozen rows, a few thousand at most; a spreadsheet can declare or hold far
more than that (a zip that expands a thousand times, a dimension of a million rows, a row with a
cell in the last column, millions of blank rows). The readers (vsm.files.sheets for CSV,
vsm.files.xlsx_read for XLSX) bound their work by these limits and refuse a file past any of them
as soon as they meet it, with one FileFormatError naming the file and the row, cell or part:

- MAX_STEPS rows of steps under the header row;
- MAX_ROWS_READ rows looked at, blank rows included (a value on a later row is refused);
- MAX_COLUMNS columns that hold values (blank cells further right are ignored);
- MAX_CELL_CHARACTERS characters in one cell (Excel's own limit);
- CSV: MAX_CSV_BYTES in the file, MAX_RECORD_CHARACTERS in one row as written;
- XLSX: MAX_PART_BYTES uncompressed in the sheet or the shared strings, MAX_SMALL_PART_BYTES in
  the workbook, its relationships and the styles, MAX_RATIO expansion of a part above
  RATIO_FLOOR_BYTES, MAX_ZIP_ENTRIES files in the zip, MAX_ELEMENTS XML elements and
  MAX_CELLS_READ cells (blank ones included) over the parts read, MAX_TEXT_CHARACTERS characters
  of text kept (shared strings and the sheet's own text).

Legitimate tables stay far below them all: 20,000 steps with every column filled are about
9 MB of sheet XML compressed 14 to 1, 660,000 elements and 320,000 cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def size_text(size: int) -> str:
    """A size in bytes for a message: "954 MB", or "4,096 bytes" below a megabyte."""
    return f"{size / 2**20:,.0f} MB" if size >= 2**20 else f"{size:,} bytes"


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


class TableRows:
    """The non-blank rows of a table, (row number, cells) with trailing blank cells cut off,
    collected under the limits above: `add` refuses the row that goes past one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[tuple[int, list[Any]]] = []

    def refuse(self, where: str, reason: str) -> FileFormatError:
        """The error for a table past a limit: "<file>: row 7: <reason>; is this a step table?"."""
        return FileFormatError(self.path, f"{where}: {reason}; is this a step table?")

    def add(self, number: int, cells: list[Any]) -> None:
        end = len(cells)
        while end and _blank(cells[end - 1]):
            end -= 1
        if not end:
            if number > MAX_ROWS_READ:  # a blank row past the limit: reading has gone too far
                raise self.refuse(f"row {number:,}", f"more than {MAX_ROWS_READ:,} rows, blank "
                                                     "ones included")
            return
        if number > MAX_ROWS_READ:
            raise self.refuse(f"row {number:,}", f"a value below row {MAX_ROWS_READ:,} (a step "
                                                 f"table has at most {MAX_STEPS:,} steps)")
        if end > MAX_COLUMNS:
            raise self.refuse(f"row {number:,}, column {end:,}",
                              f"a value beyond column {MAX_COLUMNS}")
        for index in range(end):
            cell = cells[index]
            if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
                raise self.refuse(f"row {number:,}, column {index + 1}",
                                  f"more than {MAX_CELL_CHARACTERS:,} characters in one cell "
                                  "(Excel's limit)")
        if len(self.rows) > MAX_STEPS:  # the header and MAX_STEPS steps are kept already
            raise self.refuse(f"row {number:,}", f"more than {MAX_STEPS:,} steps")
        self.rows.append((number, cells[:end]))
