"""Reading one sheet of an XLSX workbook with bounded work: a step table or an event log.

An XLSX file is a zip of XML parts. Before anything is decompressed, the zip's directory is
checked: at most MAX_ZIP_ENTRIES files, and each part this reader needs (the package's and the
workbook's relationships, the workbook, the styles, the shared strings, the one sheet read) only
stored or deflated, no larger uncompressed than its limit and, above RATIO_FLOOR_BYTES, expanding
at most MAX_RATIO times (Python's zip reader never returns more than the size a part declares, so
the declared sizes bound the work). Each part is then streamed through expat, without building a
tree: DTDs are refused (no entities), every element counts against MAX_ELEMENTS, every cell of the
sheet (blank or not) against MAX_CELLS_READ, every text kept against MAX_TEXT_CHARACTERS, and the
limits on rows, columns, characters in a cell and steps apply while the sheet is read (all in
vsm.files.sheet_limits; those that differ between a step table and an event log come from the
limits of the TableRows the rows go to). The first limit reached refuses the file with one FileFormatError naming
the file and the part, row or cell; nothing the file declares (its dimension, a row number, a
column) is used to allocate anything.

The values are those a spreadsheet shows: numbers (a date or duration format gives a date, a time
or a timedelta, as openpyxl reads them), text, booleans, error codes as text ("#N/A"), and the last
calculated value of a formula (its text is ignored). Other parts (pictures, charts, other sheets)
are never read.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any, Callable
from xml.parsers import expat

from vsm.errors import FileFormatError
from vsm.files import sheet_limits as limits
from vsm.files.sheet_limits import Limits, TableRows, over_limit_text, size_text

_EOCD = b"PK\x05\x06"  # end of the zip's central directory
_CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_ROW_NUMBER = re.compile(r"([0-9]{1,9})(?:\.0*)?")
_MEGABYTE = 1024 * 1024
_MAX_FORMAT_CODE = 255  # characters in a number format (Excel's limit)


class _Done(Exception):
    """Stops a parse once what is needed has been read (the end of the sheet's data)."""


def _long_cell() -> str:
    return f"more than {limits.MAX_CELL_CHARACTERS:,} characters in one cell (Excel's limit)"


def _short(title: str) -> str:
    """A sheet's title for a note (Excel's are at most 31 characters; a file's may be longer)."""
    return title if len(title) <= 40 else title[:40] + "…"


def _local(name: str) -> str:
    """The local part of an expat name "namespace local" (namespaces are not checked: both the
    transitional and the strict spreadsheet namespaces are read)."""
    return name[name.rfind(" ") + 1:]


class _Workbook:
    """One workbook being read: its zip, the budget shared by its parts, and how to parse one."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, table_limits: Limits) -> None:
        self.path = path
        self.archive = archive
        self.limits = table_limits
        self.names = set(archive.namelist())
        self.elements = 0
        self.text = 0  # characters of text kept

    def fail(self, reason: str) -> FileFormatError:
        return FileFormatError(self.path, reason)

    def too_much(self, where: str, reason: str) -> FileFormatError:
        return self.fail(f"{where}: {reason}; {self.limits.question()}")

    def keep_text(self, characters: int, where: str) -> None:
        self.text += characters
        if self.text > self.limits.text_characters:
            raise self.too_much(where, f"more than {self.limits.text_characters:,} characters of "
                                "text in the workbook")

    def info(self, name: str, limit: int) -> zipfile.ZipInfo:
        """The directory entry of a part, checked before any of it is decompressed."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise self.fail(f"damaged workbook: the part {name} is missing") from None
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.fail(f"the part {name} is compressed in a way Excel never writes "
                            f"(method {info.compress_type})")
        size = info.file_size
        if size > limit:
            raise self.fail(f"the part {name} would unzip to {over_limit_text(size, limit)} "
                            f"{self.limits.table} may need; nothing was read")
        if size > limits.RATIO_FLOOR_BYTES and size > limits.MAX_RATIO * info.compress_size:
            ratio = size / max(info.compress_size, 1)
            raise self.fail(f"the part {name} would unzip to {ratio:,.0f} times its size (at most "
                            f"{limits.MAX_RATIO}): a zip bomb, not {self.limits.table}; nothing "
                            "was read")
        return info

    def parse(self, name: str, limit: int, start: Callable[[str, dict[str, str]], None],
              end: Callable[[str], None] | None = None,
              text: Callable[[str], None] | None = None) -> None:
        """Stream a part through expat: start(local name, attributes), end(local name),
        text(characters); any of them may raise _Done to stop early."""
        info = self.info(name, limit)
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

        def doctype(*_: Any) -> None:
            raise self.fail(f"damaged workbook: the part {name} declares a DTD")

        def started(tag: str, attributes: dict[str, str]) -> None:
            self.elements += 1
            if self.elements > self.limits.elements:
                raise self.too_much(f"the part {name}", f"more than {self.limits.elements:,} "
                                    "XML elements in the parts read")
            start(_local(tag), attributes)

        parser.StartDoctypeDeclHandler = doctype
        parser.StartElementHandler = started
        if end is not None:
            parser.EndElementHandler = lambda tag: end(_local(tag))
        if text is not None:
            parser.CharacterDataHandler = text
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(_MEGABYTE):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except _Done:
            pass
        except expat.ExpatError as error:
            raise self.fail(f"damaged workbook: the part {name}: {error}") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise self.fail(f"damaged workbook: the part {name}: {error}") from None

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """Id -> (type's last word, target part) of a part's relationships (none if missing)."""
        folder, base = posixpath.split(part)
        name = posixpath.join(folder, "_rels", base + ".rels")
        found: dict[str, tuple[str, str]] = {}
        if name not in self.names:
            return found

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag != "Relationship" or attributes.get("TargetMode") == "External":
                return
            target = attributes.get("Target", "")
            target = (target[1:] if target.startswith("/")
                      else posixpath.normpath(posixpath.join(folder, target)))
            kind = attributes.get("Type", "").rsplit("/", 1)[-1]
            found[attributes.get("Id", "")] = (kind, target)

        self.parse(name, limits.MAX_SMALL_PART_BYTES, start)
        return found


def _check_directory(path: Path, table_limits: Limits) -> None:
    """Refuse a zip whose directory lists more than MAX_ZIP_ENTRIES files (or is larger than
    such a list), before Python's zip reader builds an object for each; what is not a zip at all
    is left to that reader."""
    try:
        with open(path, "rb") as file:
            size = file.seek(0, 2)
            file.seek(max(0, size - 65_557))  # the end record and the longest comment
            tail = file.read()
    except OSError as error:
        raise FileFormatError(path, f"cannot be read: {error.strerror or error}") from None
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return
    entries, directory_bytes = struct.unpack("<HL", tail[at + 10:at + 16])
    # an entry of the directory is 46 bytes and the part's name: 100 bytes each is plenty
    if entries > limits.MAX_ZIP_ENTRIES or directory_bytes > limits.MAX_ZIP_ENTRIES * 100:
        raise FileFormatError(path, f"the zip lists {entries:,} files in "
                                    f"{size_text(directory_bytes)} (at most "
                                    f"{limits.MAX_ZIP_ENTRIES:,}); {table_limits.question()}")


def _open(path: Path, table_limits: Limits) -> zipfile.ZipFile:
    _check_directory(path, table_limits)
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise FileFormatError(path, f"not an Excel workbook (.xlsx): {error}") from None


# ---------------------------------------------------------------- workbook, styles, strings


def _workbook_part(book: _Workbook) -> str:
    for kind, target in book.relationships("").values():
        if kind == "officeDocument":
            return target
    if "xl/workbook.xml" in book.names:
        return "xl/workbook.xml"
    raise book.fail("not an Excel workbook (.xlsx): it has no workbook part")


def _sheets(book: _Workbook, part: str) -> tuple[list[tuple[str, str]], bool]:
    """(title, relationship id) of each sheet in order; whether dates count from 1904."""
    sheets: list[tuple[str, str]] = []
    date1904 = [False]

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "sheet":
            rid = next((value for key, value in attributes.items()
                        if " " in key and _local(key) == "id"), "")
            sheets.append((attributes.get("name", ""), rid))
        elif tag == "workbookPr":
            date1904[0] = attributes.get("date1904", "").strip().lower() in ("1", "true")

    def end(tag: str) -> None:
        if tag == "sheets":
            raise _Done

    book.parse(part, limits.MAX_SMALL_PART_BYTES, start, end)
    return sheets, date1904[0]


def _date_styles(book: _Workbook, part: str | None) -> dict[int, bool]:
    """Style index -> whether it shows a duration, for the styles that show a date or a time."""
    if part is None or part not in book.names:
        return {}
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    codes: dict[int, str] = {}
    formats: list[int] = []
    in_cell_formats = [False]

    def start(tag: str, attributes: dict[str, str]) -> None:
        try:
            if tag == "numFmt":
                codes[int(attributes.get("numFmtId", "-1"))] = attributes.get("formatCode", "")
            elif tag == "cellXfs":
                in_cell_formats[0] = True
            elif tag == "xf" and in_cell_formats[0]:
                formats.append(int(attributes.get("numFmtId", "0")))
        except ValueError as error:
            raise book.fail(f"damaged workbook: the part {part}: {error}") from None

    def end(tag: str) -> None:
        if tag == "cellXfs":
            in_cell_formats[0] = False

    book.parse(part, limits.MAX_SMALL_PART_BYTES, start, end)
    kinds: dict[int, bool | None] = {}  # number format -> None (not a date) or is a duration
    for number in set(formats):
        code = codes.get(number, BUILTIN_FORMATS.get(number))
        if code is not None and len(code) <= _MAX_FORMAT_CODE and is_date_format(code):
            kinds[number] = is_timedelta_format(code)
    return {index: duration for index, number in enumerate(formats)
            if (duration := kinds.get(number)) is not None}


def _shared_strings(book: _Workbook, part: str | None) -> list[str]:
    """The shared strings: the text of each <si>, its runs joined, phonetic runs left out."""
    strings: list[str] = []
    if part is None or part not in book.names:
        return strings
    pieces: list[str] = []
    state = {"t": False, "phonetic": 0, "length": 0}
    where = f"the part {part}"

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "t":
            state["t"] = not state["phonetic"]
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "si":
            pieces.clear()
            state["length"] = 0

    def end(tag: str) -> None:
        if tag == "t":
            state["t"] = False
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "si":
            strings.append("".join(pieces))
            book.keep_text(state["length"] + 1, where)  # an empty string still costs its place

    def text(characters: str) -> None:
        if state["t"]:
            state["length"] += len(characters)
            if state["length"] > limits.MAX_CELL_CHARACTERS:
                raise book.too_much(f"{where}, string {len(strings) + 1:,}", _long_cell())
            pieces.append(characters)

    book.parse(part, book.limits.part_bytes, start, end, text)
    return strings


# ---------------------------------------------------------------- the sheet


class _SheetReader:
    """The handlers that stream a sheet's rows into a TableRows (its limits apply)."""

    def __init__(self, book: _Workbook, part: str, strings: list[str], dates: dict[int, bool],
                 date1904: bool, table: TableRows) -> None:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.book, self.part, self.strings, self.dates = book, part, strings, dates
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.table = table
        self.limits = table.limits
        self.rows_read = self.cells_read = 0
        self.row = self.column = 0
        self.values: dict[int, Any] = {}
        self.kind, self.style, self.reference = "n", 0, ""
        self.pieces: list[str] = []
        self.length = 0
        self.collecting = False  # inside <v>, or a <t> of an inline string
        self.inline = self.phonetic = False
        self.value: str | None = None

    def cell_name(self) -> str:
        return self.reference or f"row {self.row:,}, column {self.column:,}"

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "c":
            self.cells_read += 1
            if self.cells_read > self.limits.cells_read:
                raise self.book.too_much(f"row {self.row:,}", f"more than "
                                         f"{self.limits.cells_read:,} cells in the sheet, blank "
                                         "ones included")
            self.reference = attributes.get("r", "")
            if self.reference:
                match = _CELL_REFERENCE.fullmatch(self.reference)
                if match is None:
                    raise self.book.fail(f"damaged workbook: the part {self.part}: "
                                         f"{self.reference[:20]!r} is not a cell")
                self.column = 0
                for letter in match.group(1).upper():
                    self.column = self.column * 26 + ord(letter) - 64
            else:
                self.column += 1
            self.kind = attributes.get("t", "n")
            try:
                self.style = int(attributes.get("s", "0") or 0)
            except ValueError:
                self.style = 0
            self.value, self.inline = None, False
        elif tag == "v" or (tag == "t" and self.inline and not self.phonetic):
            self.collecting = True
        elif tag == "is":
            self.inline = True
            self.pieces, self.length = [], 0
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "row":
            self.rows_read += 1
            if self.rows_read > self.limits.rows_read:
                raise self.book.too_much(f"row {self.row + 1:,}", f"more than "
                                         f"{self.limits.rows_read:,} rows, blank ones included")
            number = attributes.get("r")
            self.row = self.row + 1 if number is None else self._row_number(number)
            self.column = 0
            self.values = {}

    def _row_number(self, text: str) -> int:
        """A row's number: "12", or "12.0" as some writers put it; from 1 up."""
        match = _ROW_NUMBER.fullmatch(text.strip())
        if match is not None and int(match.group(1)) >= 1:
            return int(match.group(1))
        raise self.book.fail(f"damaged workbook: the part {self.part}: {text[:20]!r} is not a "
                             "row number")

    def end(self, tag: str) -> None:
        if tag == "v":
            self.collecting = False
            if not self.inline:
                self.value = "".join(self.pieces)
            self.pieces, self.length = [], 0
        elif tag == "t":
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "is":
            self.value = "".join(self.pieces)
            self.pieces, self.length = [], 0
        elif tag == "c":
            self._keep(self._converted())
            self.pieces, self.length = [], 0
        elif tag == "row":
            if self.values:
                cells = [None] * max(self.values)
                for column, value in self.values.items():
                    cells[column - 1] = value
                self.table.add(self.row, cells)
        elif tag == "sheetData":
            raise _Done

    def text(self, characters: str) -> None:
        if self.collecting:
            self.length += len(characters)
            if self.length > limits.MAX_CELL_CHARACTERS:
                raise self.book.too_much(f"cell {self.cell_name()}", _long_cell())
            self.pieces.append(characters)

    def _converted(self) -> Any:
        """The value of the cell just read, as openpyxl gives it with data_only."""
        text, kind = self.value, self.kind
        if kind == "inlineStr" or text is None:
            if kind == "inlineStr" and text is not None:
                self.book.keep_text(len(text), f"cell {self.cell_name()}")
            return text if kind == "inlineStr" else None
        if not text:
            return None
        try:
            if kind == "n":
                number: Any = float(text) if any(c in text for c in ".eE") else int(text)
                if self.style in self.dates:
                    return self._date(number, self.dates[self.style])
                return number
            if kind == "s":
                index = int(text)
                if not 0 <= index < len(self.strings):
                    raise ValueError(f"shared string {index} does not exist")
                return self.strings[index]
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                from openpyxl.utils.datetime import from_ISO8601

                return from_ISO8601(text)
        except (ValueError, OverflowError) as error:
            raise self.book.fail(f"damaged workbook: cell {self.cell_name()}: {error}") from None
        self.book.keep_text(len(text), f"cell {self.cell_name()}")
        return text  # "str" (a formula's text), "e" (an error such as #N/A)

    def _date(self, number: float, duration: bool) -> Any:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(number, self.epoch, timedelta=duration)
        except (OverflowError, ValueError):
            return "#VALUE!"  # as openpyxl: a date serial outside the dates

    def _keep(self, value: Any) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if self.column > self.limits.columns:
            raise self.book.too_much(f"cell {self.cell_name()}", f"a value beyond column "
                                     f"{self.limits.columns:,}")
        if self.row > self.limits.rows_read:
            raise self.book.too_much(f"cell {self.cell_name()}", f"a value below row "
                                     f"{self.limits.rows_read:,}")
        self.values[self.column] = value


def read_xlsx(path: Path, sheet: str | None, wanted: set[str],
              table: TableRows) -> tuple[str, list[str]]:
    """Read the non-blank rows of one sheet into `table` (under its limits); (the title of the
    sheet read, notes). The sheet: the first whose title, stripped and case-folded, is in
    `wanted` (the names `sheet` may have as a title), else the first sheet; see the module for
    the limits."""
    with _open(path, table.limits) as archive:
        book = _Workbook(path, archive, table.limits)
        part = _workbook_part(book)
        sheets, date1904 = _sheets(book, part)
        links = book.relationships(part)
        # a listed sheet whose part is missing stays listed: reading it says the part is missing
        worksheets = [(title, links[rid][1]) for title, rid in sheets
                      if rid in links and links[rid][0] == "worksheet"]
        if not worksheets:
            raise book.fail("the workbook has no sheets")
        first = chosen = worksheets[0]
        notes: list[str] = []
        if sheet is not None:
            chosen = next((ws for ws in worksheets if ws[0].strip().casefold() in wanted), first)
            if chosen is first and first[0].strip().casefold() not in wanted:
                notes.append(f"no sheet is called {sheet!r}; read the first sheet, "
                             f"{_short(first[0])!r}")
        elif len(worksheets) > 1:
            notes.append(f"read sheet {_short(first[0])!r}, the first of {len(worksheets)}")
        by_kind = {kind: target for kind, target in links.values()}
        dates = _date_styles(book, by_kind.get("styles"))
        strings = _shared_strings(book, by_kind.get("sharedStrings"))
        reader = _SheetReader(book, chosen[1], strings, dates, date1904, table)
        book.parse(chosen[1], table.limits.part_bytes, reader.start, reader.end, reader.text)
        return chosen[0], notes
