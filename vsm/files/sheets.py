"""Spreadsheet files as rows of cells: read CSV and XLSX, write them atomically.

Only the file side of step tables and event logs lives here; what the cells mean is
vsm.files.step_tables (steps) and vsm.mining (events).

Reading gives every non-blank row with its 1-based row number as a spreadsheet shows it (the
header is row 1 when it is the first row), with the work bounded by vsm.files.sheet_limits (the
limits of the kind of table read: `read_table` reads a step table and keeps its rows,
`stream_table` hands each row to a function as it is read, under the limits it is given, as an
event log of millions of rows is read): a file past a limit is refused as soon as the reader
meets it. CSV: UTF-8 with or without a byte-order
mark, UTF-16 with a byte-order mark (Excel's "Unicode text"), else Windows-1252 with a note saying
so; the delimiter (comma, semicolon or tab) is the most frequent of them in the first non-blank
line, outside quotes; the file is streamed, one row at a time. XLSX: vsm.files.xlsx_read, which
streams the one sheet it reads (the sheet named like the map wanted, else the first sheet) with
the cached values of formulas.

CSV text that starts like a formula (= + - @, a tab or a carriage return, after any quotes) gets
one quote before it when written, so that no spreadsheet runs it; reading takes that one quote
off again, so every text reads back as it was written. XLSX keeps text as text and needs neither.

Writing replaces the target only once the new file is completely written; every failure is one
FileFormatError naming the file.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gc
import io
import os
import re
import stat
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Sequence

from vsm.errors import FileFormatError
from vsm.files.atomic import atomic_file
from vsm.files.sheet_limits import Limits, TableRows, over_limit_text

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")
SHEET_TITLE_LIMIT = 31  # Excel's limit
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
_FORMULA_LIKE = re.compile(r"'*[=+\-@\t\r]")  # text a spreadsheet could run, after any quotes
_QUOTED_FORMULA = re.compile(r"'(?='*[=+\-@\t\r])")  # the one quote the writer put before it
_CHUNK = 1024 * 1024


@dataclass
class RawTable:
    """The rows of a table as read: (row number, cells), blank rows left out."""

    rows: list[tuple[int, list[Any]]]
    sheet: str | None = None  # the XLSX sheet read; None for CSV
    notes: list[str] = field(default_factory=list)  # things worth telling people (encoding...)


def table_kind(path: Path) -> str:
    """'csv' or 'xlsx' from the suffix; FileFormatError for anything else."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix == ".xls":
        raise FileFormatError(path, "old .xls workbooks are not supported; save it as .xlsx or CSV")
    raise FileFormatError(path, "unknown table type; use .csv or .xlsx")


def read_table(path: str | Path, sheet: str | None = None) -> RawTable:
    """The non-blank rows of a CSV or XLSX step table (XLSX: the sheet named `sheet`, else the
    first), under the limits of a step table."""
    table = TableRows(Path(path))
    title, notes = _read(Path(path), sheet, table)
    return RawTable(table.rows, title, notes)


def stream_table(path: str | Path, sink: Callable[[int, list[Any]], None], limits: Limits,
                 sheet: str | None = None) -> RawTable:
    """Read a CSV or XLSX table under `limits`, calling sink(row number, cells) for each
    non-blank row as it is read (the header first) and keeping none: the RawTable returned has
    no rows, only the sheet read and the notes. The rows are those `read_table` gives."""
    table = TableRows(Path(path), limits, sink)
    title, notes = _read(Path(path), sheet, table)
    return RawTable([], title, notes)


def _read(path: Path, sheet: str | None, table: TableRows) -> tuple[str | None, list[str]]:
    """Read the file's rows into `table`; (the XLSX sheet read or None, notes)."""
    kind = table_kind(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise FileFormatError(path, "no such file") from None
    except OSError as error:
        raise FileFormatError(path, f"cannot be read: {error.strerror or error}") from None
    if stat.S_ISDIR(mode):
        raise FileFormatError(path, "is a folder, not a file")
    if not stat.S_ISREG(mode):  # a device or a pipe could be read for ever
        raise FileFormatError(path, "is not a regular file")
    if kind == "csv":
        return None, _read_csv(path, table)
    from vsm.files.xlsx_read import read_xlsx

    wanted = set() if sheet is None else {  # as typed, or as it became as a sheet title
        sheet.strip().casefold(), sheet_titles([sheet])[0].casefold()}
    return read_xlsx(path, sheet, wanted, table)


# ---------------------------------------------------------------- CSV


def csv_quoted(cell: Any) -> Any:
    """Text that a spreadsheet could run as a formula, with a quote before it (see the module)."""
    return f"'{cell}" if isinstance(cell, str) and _FORMULA_LIKE.match(cell) else cell


def csv_unquoted(cell: str) -> str:
    """A CSV cell as it was before `csv_quoted`."""
    return cell[1:] if cell[:1] == "'" and _QUOTED_FORMULA.match(cell) else cell


def _encoding(path: Path, file: IO[bytes]) -> tuple[str, list[str]]:
    """The encoding of the whole file (read in chunks, nothing kept) and the notes it needs."""
    head = file.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", "damaged UTF-16 text")]
    else:
        if b"\x00" in head:
            raise FileFormatError(path, "not a text file (is it a workbook saved with a .csv "
                                        "name?)")
        candidates = [("utf-8-sig", ""), ("cp1252", "not UTF-8 or Windows-1252 text")]
    for encoding, failure in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        file.seek(0)
        offset = 0
        try:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            if not failure:
                continue  # not UTF-8: try Windows-1252
            where = f" (byte {offset + error.start})" if encoding == "cp1252" else ""
            raise FileFormatError(path, failure + where) from None
        if encoding == "cp1252":
            return encoding, ["read as Windows-1252 text (it is not UTF-8); check accented "
                              "letters, or save the file as CSV UTF-8"]
        return encoding, []
    raise AssertionError("unreachable: Windows-1252 either decodes or raises")


def sniff_delimiter(text: str) -> str:
    """The most frequent of comma, semicolon and tab outside quotes in the first non-blank line
    (comma on a tie or when there is none)."""
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # first wins ties: comma
    return best if counts[best] else ","


def _records(path: Path, text: IO[str], delimiter: str,
             limit: Limits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each CSV row, refusing a row longer than the limit's
    record_characters before the csv module splits it."""
    read = {"row": 1, "characters": 0}
    most = limit.record_characters

    def lines() -> Iterator[str]:
        while line := text.readline(most + 1):
            read["characters"] += len(line)
            if read["characters"] > most:
                raise FileFormatError(path, f"row {read['row']:,}: more than {most:,} characters "
                                            f"in one row; {limit.question()}")
            yield line

    unquoted = csv_unquoted
    for number, cells in enumerate(csv.reader(lines(), delimiter=delimiter), start=1):
        read["row"], read["characters"] = number + 1, 0
        # a quote first is rare: look at each cell only when the row holds one
        yield number, ([unquoted(cell) for cell in cells] if "'" in "".join(cells) else cells)


def _read_csv(path: Path, table: TableRows) -> list[str]:
    """Read a CSV file's rows into `table`; the notes (the encoding)."""
    limit = table.limits
    try:
        size = path.stat().st_size
        if size > limit.csv_bytes:
            raise FileFormatError(path, f"{over_limit_text(size, limit.csv_bytes)} "
                                        f"{limit.table} may need; {limit.question()}")
        with open(path, "rb") as binary:
            encoding, notes = _encoding(path, binary)
        with open(path, encoding=encoding, newline="") as text:
            delimiter = sniff_delimiter(text.read(65536))
        # The csv module's own limit on a field (131,072 characters) would name neither the row
        # nor the cell; the record limit bounds the work, and TableRows refuses a long cell.
        field_limit = csv.field_size_limit(limit.record_characters)
        try:
            with open(path, encoding=encoding, newline="") as text:
                add = table.add
                for number, cells in _records(path, text, delimiter, limit):
                    add(number, cells)
        finally:
            csv.field_size_limit(field_limit)
    except OSError as error:
        raise FileFormatError(path, f"cannot be read: {error.strerror or error}") from None
    except csv.Error as error:
        raise FileFormatError(path, f"not a readable CSV table: {error}") from None
    except UnicodeDecodeError:  # the file changed since its encoding was checked
        raise FileFormatError(path, f"not {encoding} text") from None
    return notes


# ---------------------------------------------------------------- writing


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UTF-8 with a byte-order mark (so Excel shows accents), comma-separated, CRLF line ends;
    text that starts like a formula gets a quote before it (`csv_quoted`)."""
    with atomic_file(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows([csv_quoted(cell) for cell in row] for row in rows)


def sheet_titles(names: Iterable[str]) -> list[str]:
    """Valid, distinct Excel sheet titles for the names (31 characters, none of []:*?/\\)."""
    titles: list[str] = []
    for name in names:
        base = " ".join(name.translate(_SHEET_TITLE_FORBIDDEN).split()).strip("'") or "Map"
        title, number = base[:SHEET_TITLE_LIMIT], 2
        while title.casefold() in (t.casefold() for t in titles):
            suffix = f" ({number})"
            title, number = base[:SHEET_TITLE_LIMIT - len(suffix)] + suffix, number + 1
        titles.append(title)
    return titles


def write_xlsx(path: str | Path, sheets: Sequence[tuple[str, Sequence[str], list[list[Any]]]],
               widths: Mapping[str, float] | None = None) -> None:
    """One sheet per (title, header, rows): bold header, frozen, filter; text stays text (a
    value starting with '=' is never turned into a formula). `widths`: column name -> width."""
    from openpyxl import Workbook  # lazily
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in rows:
            sheet.append([None if value == "" else value for value in values])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # openpyxl would read "=..." as a formula
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = (widths or {}).get(name, 14)
    content = _workbook_bytes(book, path)
    with atomic_file(path, "wb") as file:  # the target is written by the one writer, in one go
        file.write(content)


def _workbook_bytes(book: Any, path: Path) -> bytes:
    """The workbook saved in memory. openpyxl still streams each sheet through a temporary file
    of its own; when that write fails (a full disk), its sheet writer fails again when it is
    collected and Python would print "Exception ignored" with a traceback: that second failure
    is collected here, quietly, and the first becomes one FileFormatError naming `path`."""
    buffer = io.BytesIO()
    previous_hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:  # only the sheet writer's own second failure
        if "WorksheetWriter" not in getattr(unraisable.object, "__qualname__", ""):
            previous_hook(unraisable)

    sys.unraisablehook = quiet
    reason = ""
    try:
        try:
            book.save(buffer)
        except Exception as error:  # OSError, or lxml's SerialisationError wrapping one
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            code = getattr(errno, reason.removeprefix("IO_"), None)  # lxml says "IO_ENOSPC"
            if reason.startswith("IO_") and isinstance(code, int):
                reason = os.strerror(code)
        gc.collect()  # the failed writer, collected while the hook is quiet
    finally:
        sys.unraisablehook = previous_hook
    if reason:
        raise FileFormatError(path, f"cannot write the workbook: {reason} (is the disk full?)")
    return buffer.getvalue()
