"""Spreadsheet files as rows of cells: read CSV and XLSX, write them atomically.

Only the file side of step tables lives here; what the cells mean is vsm.files.step_tables.

Reading gives every non-blank row with its 1-based row number as a spreadsheet shows it (the
header is row 1 when it is the first row). CSV: UTF-8 with or without a byte-order mark, UTF-16
with a byte-order mark (Excel's "Unicode text"), else Windows-1252 with a note saying so; the
delimiter (comma, semicolon or tab) is the most frequent of them in the first non-blank line,
outside quotes. XLSX: openpyxl in read-only mode with the cached values of formulas
(data_only); the sheet named like the map wanted, else the first sheet.

Writing replaces the target only once the new file is completely written; every failure is one
FileFormatError naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from vsm.errors import FileFormatError
from vsm.files.atomic import atomic_file, atomic_path

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")
MAX_ROWS = 20_000  # more rows than any value stream; stops a runaway sheet early
SHEET_TITLE_LIMIT = 31  # Excel's limit
_SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


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
    """The non-blank rows of a CSV or XLSX file (XLSX: the sheet named `sheet`, else the first)."""
    path = Path(path)
    kind = table_kind(path)
    if not path.exists():
        raise FileFormatError(path, "no such file")
    if path.is_dir():
        raise FileFormatError(path, "is a folder, not a file")
    return _read_csv(path) if kind == "csv" else _read_xlsx(path, sheet)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _limited(rows: Iterable[tuple[int, list[Any]]], path: Path) -> list[tuple[int, list[Any]]]:
    kept: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        if all(_blank(cell) for cell in cells):
            continue
        if len(kept) >= MAX_ROWS:
            raise FileFormatError(path, f"more than {MAX_ROWS:,} rows; is this a step table?")
        kept.append((number, cells))
    return kept


def _decode(raw: bytes, path: Path) -> tuple[str, list[str]]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), []
        except UnicodeDecodeError:
            raise FileFormatError(path, "damaged UTF-16 text") from None
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), ["read as Windows-1252 text (it is not UTF-8); check accented "
                                      "letters, or save the file as CSV UTF-8"]
    except UnicodeDecodeError as error:
        raise FileFormatError(path, f"not UTF-8 or Windows-1252 text (byte {error.start})") from None


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


def _read_csv(path: Path) -> RawTable:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FileFormatError(path, f"cannot be read: {error.strerror or error}") from None
    if b"\x00" in raw[:4096] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileFormatError(path, "not a text file (is it a workbook saved with a .csv name?)")
    text, notes = _decode(raw, path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        rows = _limited(((number, list(cells)) for number, cells in enumerate(reader, start=1)),
                        path)
    except csv.Error as error:
        raise FileFormatError(path, f"not a readable CSV table: {error}") from None
    return RawTable(rows, None, notes)


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    from openpyxl import load_workbook  # lazily: only workbooks need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as error:
        raise FileFormatError(path, f"not an Excel workbook (.xlsx): {error}") from None
    except Exception as error:  # openpyxl's InvalidFileException and friends
        raise FileFormatError(path, f"not an Excel workbook (.xlsx): {error}") from None
    try:
        if not book.worksheets:
            raise FileFormatError(path, "the workbook has no sheets")
        first = chosen = book.worksheets[0]
        notes: list[str] = []
        if sheet is not None:  # as typed, or as it became when written as a sheet title
            wanted = {sheet.strip().casefold(), sheet_titles([sheet])[0].casefold()}
            chosen = next((ws for ws in book.worksheets if ws.title.strip().casefold() in wanted),
                          first)
            if chosen is first and first.title.strip().casefold() not in wanted:
                notes.append(f"no sheet is called {sheet!r}; read the first sheet, {first.title!r}")
        elif len(book.worksheets) > 1:
            notes.append(f"read sheet {first.title!r}, the first of {len(book.worksheets)}")
        rows = _limited(((number, list(cells)) for number, cells in
                         enumerate(chosen.iter_rows(min_row=1, values_only=True), start=1)), path)
        return RawTable(rows, chosen.title, notes)
    except FileFormatError:
        raise
    except Exception as error:  # a damaged part of the workbook
        raise FileFormatError(path, f"damaged workbook: {type(error).__name__}: {error}") from None
    finally:
        book.close()


# ---------------------------------------------------------------- writing


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UTF-8 with a byte-order mark (so Excel shows accents), comma-separated, CRLF line ends."""
    with atomic_file(path, "w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


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
    with atomic_path(path) as temporary:
        book.save(temporary)
