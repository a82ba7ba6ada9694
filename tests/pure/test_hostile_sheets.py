"""Hostile step tables, each built here: zip bombs, a dimension far beyond the rows, more blank
rows than any table, values past the last row or column read, cells past Excel's limit, DTDs,
damaged parts, compression Excel never writes, CSV rows and files too long, pipes and devices.

Each is refused as soon as the reader meets it, with one FileFormatError naming the file and
saying what is wrong (the command line prints that one line, exits 2, writes nothing and leaves
the table alone), or, when it is a table after all, read for what it holds. openpyxl's plain
reader took minutes or gigabytes over most of them, gave another message, or read them.

The workbooks start from one written by vsm.files.sheets.write_xlsx, of which one part is
rewritten; the zips are written here by hand (`write_zip`) so that a part can carry what a bomb
carries: its declared sizes and compression method. Limits smaller than the real ones are
monkeypatched where a file at the real limit would be large; the zip bomb is a real one.
"""

from __future__ import annotations

import bz2
import csv
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import pytest
from openpyxl.utils import get_column_letter

from tests.helpers.maps import make_map, rework, share
from vsm.cli.common import one_line
from vsm.cli.main import main
from vsm.errors import FileFormatError
from vsm.files import sheet_limits as limits
from vsm.files.sheets import read_table, write_xlsx
from vsm.files.step_rows import COLUMNS
from vsm.files.step_tables import export_table, import_table, table_rows
from vsm.model import Project, ValueStreamMap

ROOT = Path(__file__).resolve().parents[2]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
TABLE = [["Log", "Close"], ["Close", ""]]  # under the header name, next: three rows in all
TABLE_ROWS = [(1, ["name", "next"]), (2, ["Log", "Close"]), (3, ["Close"])]


# ---------------------------------------------------------------- building workbooks


@dataclass(frozen=True)
class Packed:
    """A part as the zip stores it: its bytes, its size unzipped, its CRC and its method."""

    data: bytes
    size: int
    crc: int
    method: int = zipfile.ZIP_DEFLATED


def _deflate_alone(raw: bytes) -> bytes:
    """Raw deflate blocks of `raw` that reach back to nothing before them, ending on a byte
    (a full flush), so that they can be put anywhere in a deflate stream, any number of times."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(raw) + compressor.flush(zlib.Z_FULL_FLUSH)


def deflated(raw: bytes) -> Packed:
    return Packed(_deflate_alone(raw) + b"\x03\x00", len(raw), zlib.crc32(raw))  # final block


def repeated(head: bytes, body: bytes, times: int, tail: bytes) -> Packed:
    """head + body * times + tail, deflated without ever building it: body is deflated once and
    its blocks repeated. The sizes and the CRC are the true ones: Python's zip reader would
    unzip it all without a complaint."""
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(body, crc)
    crc = zlib.crc32(tail, crc)
    data = _deflate_alone(head) + _deflate_alone(body) * times + _deflate_alone(tail) + b"\x03\x00"
    return Packed(data, len(head) + len(body) * times + len(tail), crc)


def write_zip(path: Path, parts: Mapping[str, bytes | Packed]) -> Path:
    """A zip of the parts in order (plain zip, no zip64), each part as declared."""
    out = io.BytesIO()
    directory = []
    for name, part in parts.items():
        packed = part if isinstance(part, Packed) else deflated(part)
        encoded, offset = name.encode(), out.tell()
        fields = (packed.method, 0, 0x21, packed.crc, len(packed.data), packed.size, len(encoded))
        out.write(struct.pack("<4s3H2H3LHH", b"PK\x03\x04", 20, 0, *fields, 0))  # 0x21: 1980-1-1
        out.write(encoded + packed.data)
        directory.append(struct.pack("<4s4H2H3L5H2L", b"PK\x01\x02", 20, 20, 0, *fields,
                                     0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory),
                          out.tell() - start, start, 0))
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The parts of a real step table written by write_xlsx: header name, next and two steps."""
    path = tmp_path_factory.mktemp("base") / "steps.xlsx"
    write_xlsx(path, [("Sheet1", ["name", "next"], TABLE)])
    with zipfile.ZipFile(path) as archive:
        found = {name: archive.read(name) for name in archive.namelist()}
    assert STRINGS not in found and b"<dimension ref=\"A1:B3\"/>" in found[SHEET]
    return found


def workbook(path: Path, parts: Mapping[str, bytes],
             changes: Mapping[str, bytes | Packed | None]) -> Path:
    """The base workbook with some parts replaced, added or (None) left out."""
    merged = {**parts, **changes}
    return write_zip(path, {name: part for name, part in merged.items() if part is not None})


def cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


HEADER_ROW = f'<row r="1">{cell("A1", "name")}{cell("B1", "next")}</row>'


def sheet(parts: Mapping[str, bytes], rows: str, dimension: str | None = None) -> bytes:
    """The base sheet with `rows` as its sheet data (and another dimension)."""
    text = parts[SHEET].decode()
    before, _, rest = text.partition("<sheetData>")
    _, _, after = rest.partition("</sheetData>")
    text = f"{before}<sheetData>{rows}</sheetData>{after}"
    if dimension is not None:
        text = text.replace('ref="A1:B3"', f'ref="{dimension}"')
    return text.encode()


def table_data(parts: Mapping[str, bytes]) -> str:
    """The rows of the base sheet, as XML."""
    return parts[SHEET].decode().partition("<sheetData>")[2].partition("</sheetData>")[0]


def string_table(strings: list[str]) -> bytes:
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>').encode()


def with_strings(parts: Mapping[str, bytes], table: bytes | Packed,
                 rows: str | None = None) -> dict[str, bytes | Packed]:
    """Changes giving the workbook the shared strings `table`, its relationship and content type,
    and a sheet whose cells are shared strings: A1 string 0, A2 string 1 (or `rows`)."""
    link = ('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>')
    kind = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
            'formats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    if rows is None:
        rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                '<row r="2"><c r="A2" t="s"><v>1</v></c></row>')
    return {STRINGS: table, SHEET: sheet(parts, rows),
            WORKBOOK_RELS: parts[WORKBOOK_RELS].replace(b"</Relationships>",
                                                        link.encode() + b"</Relationships>"),
            "[Content_Types].xml": parts["[Content_Types].xml"].replace(
                b"</Types>", kind.encode() + b"</Types>")}


def with_comment(raw: bytes, filler: bytes) -> bytes:
    """An XML part with a comment of `filler` before its last end tag (comments can be anywhere
    in an element): as big as wanted, compressing as well as `filler` does."""
    at = raw.rindex(b"</")
    return raw[:at] + b"<!--" + filler + b"-->" + raw[at:]


def random_text(size: int) -> bytes:
    """Hex digits that deflate about 2 to 1: a part of this is big without being a bomb."""
    return os.urandom(size // 2).hex().encode()


# ---------------------------------------------------------------- what a refusal looks like


def _state(path: Path) -> tuple:
    status = path.stat()
    content = path.read_bytes() if status.st_size < 16 * 2**20 else None
    return status.st_size, status.st_mtime_ns, content


def refused(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Why import_table refuses `path` (one FileFormatError naming it), once the command line
    has been seen to refuse it the same way: exit 2, that one line on stderr, nothing written
    (no project, no temporary file) and the table unchanged."""
    with pytest.raises(FileFormatError) as caught:
        import_table(path)
    assert type(caught.value) is FileFormatError  # not a SheetError: no row-by-row report
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    before, listing = _state(path), sorted(path.parent.iterdir())
    assert main(["import", str(path), "-o", str(path.parent / "out.vsm")]) == 2
    printed = capsys.readouterr()
    assert printed.err == f"vsm: error: {one_line(message)}\n" and printed.out == ""
    assert sorted(path.parent.iterdir()) == listing and _state(path) == before
    return caught.value.reason


def imported(path: Path, capsys: pytest.CaptureFixture[str]) -> ValueStreamMap:
    """The map of a table that is a table after all; the command line writes it too."""
    map_ = import_table(path).map
    out = path.parent / "out.vsm"
    assert main(["import", str(path), "-o", str(out)]) == 0 and out.exists()
    assert capsys.readouterr().out.startswith(f"Wrote {out}: ")
    out.unlink()
    return map_


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the zip parts opened (so decompressed) from now on."""
    names: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: Any, **kwargs: Any
            ) -> IO[bytes]:
        names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return names


# ---------------------------------------------------------------- zip bombs


def test_the_base_workbook_reads_as_its_table(tmp_path, parts, capsys):
    """The rewritten workbooks below differ from this one in the one part each changes."""
    path = workbook(tmp_path / "steps.xlsx", parts, {})
    assert read_table(path).rows == TABLE_ROWS
    assert [s.name for s in imported(path, capsys).steps] == ["Log", "Close"]


def test_a_real_shared_strings_bomb_is_refused_before_it_is_unzipped(tmp_path, parts, capsys,
                                                                     opened):
    # 32 strings of 32,760 "a" (each within Excel's 32,767 characters) are 32 * 32,776 =
    # 1,048,832 bytes of XML; repeated 1,024 times, 1,074,003,968 bytes = 1,024 MB, which
    # deflate keeps in about 1.3 MB (a 258-byte match in under 3 bits: some 790 to 1).
    body = b"".join([b"<si><t>" + b"a" * 32_760 + b"</t></si>"] * 32)
    head = f'<sst xmlns="{MAIN}"><si><t>name</t></si><si><t>Log</t></si>'.encode()
    bomb = repeated(head, body, 1024, b"</sst>")
    path = workbook(tmp_path / "bomb.xlsx", parts, with_strings(parts, bomb))
    size = path.stat().st_size
    assert 1_000_000 < size < 2_000_000 and bomb.size > 700 * size
    reason = refused(path, capsys)
    assert reason == ("the part xl/sharedStrings.xml would unzip to 1,024 MB, more than the "
                      "128 MB a step table may need; nothing was read")
    assert STRINGS not in opened and SHEET not in opened


@pytest.mark.parametrize("part", [STRINGS, SHEET, "xl/styles.xml", "xl/workbook.xml",
                                  WORKBOOK_RELS])
def test_a_part_expanding_more_than_max_ratio_is_refused_unread(tmp_path, parts, capsys, opened,
                                                                part):
    # 2 MB of spaces (above RATIO_FLOOR_BYTES, within every size limit) deflate to about 2 KB:
    # about 1,000 times, the limit is 100.
    changes = with_strings(parts, string_table(["name", "Log"])) if part == STRINGS else {}
    raw = changes[part] if part in changes else parts[part]
    assert isinstance(raw, bytes)
    changes = {**changes, part: with_comment(raw, b" " * 2 * 2**20)}
    path = workbook(tmp_path / "bomb.xlsx", parts, changes)
    reason = refused(path, capsys)
    assert reason.startswith(f"the part {part} would unzip to ")
    assert reason.endswith("times its size (at most 100): a zip bomb, not a step table; nothing "
                           "was read")
    ratio = int(reason.split("would unzip to ")[1].split(" times")[0].replace(",", ""))
    assert 500 < ratio < 1_100
    assert part not in opened


def test_a_part_that_compresses_well_but_is_small_is_no_bomb(tmp_path, parts, capsys):
    # Exactly RATIO_FLOOR_BYTES of sheet (1 MB, mostly spaces): a thousand to one is allowed
    # below the floor, as a sheet of a few rows with wide formatting compresses that well.
    filler = limits.RATIO_FLOOR_BYTES - len(parts[SHEET]) - len(b"<!---->")
    raw = with_comment(parts[SHEET], b" " * filler)
    assert len(raw) == limits.RATIO_FLOOR_BYTES
    path = workbook(tmp_path / "steps.xlsx", parts, {SHEET: raw})
    assert [s.name for s in imported(path, capsys).steps] == ["Log", "Close"]


@pytest.mark.parametrize("part, limit", [(STRINGS, "MAX_PART_BYTES"), (SHEET, "MAX_PART_BYTES"),
                                         ("xl/styles.xml", "MAX_SMALL_PART_BYTES")])
def test_a_part_larger_than_its_limit_is_refused_unread(tmp_path, parts, capsys, opened,
                                                        monkeypatch, part, limit):
    # The limits at 64 KB, the part 100,000 bytes of random hex and more (2 to 1: no bomb).
    monkeypatch.setattr(limits, limit, 65_536)
    changes = with_strings(parts, string_table(["name", "Log"])) if part == STRINGS else {}
    raw = changes[part] if part in changes else parts[part]
    assert isinstance(raw, bytes)
    raw = with_comment(raw, random_text(100_000))
    path = workbook(tmp_path / "big.xlsx", parts, {**changes, part: raw})
    assert refused(path, capsys) == (f"the part {part} would unzip to {len(raw):,} bytes, more "
                                     "than the 65,536 bytes a step table may need; nothing was "
                                     "read")
    assert part not in opened


# ---------------------------------------------------------------- rows, columns and cells


def test_a_dimension_far_beyond_the_rows_is_not_used(tmp_path, parts, capsys):
    # A1:XFD20000 declares 16,384 * 20,000 = 327,680,000 cells: openpyxl's reader made a row of
    # 16,384 cells for each of the 20,000 rows. The table is its three rows, trailing blanks cut.
    raw = sheet(parts, table_data(parts), dimension="A1:XFD20000")
    assert b'<dimension ref="A1:XFD20000"/>' in raw
    path = workbook(tmp_path / "wide.xlsx", parts, {SHEET: raw})
    assert read_table(path).rows == TABLE_ROWS
    map_ = imported(path, capsys)
    assert [s.name for s in map_.steps] == ["Log", "Close"] and len(map_.flows) == 1


@pytest.mark.parametrize("numbered", [True, False], ids=["r", "no-r"])
def test_more_blank_rows_than_max_rows_read_are_refused_at_the_row_past_it(tmp_path, parts,
                                                                          capsys, numbered):
    # The header on row 1 and blank rows 2 to 100,002: the 100,001st row read is row 100,001.
    blank = (f'<row r="{n}"/>' if numbered else "<row/>" for n in range(2, 100_003))
    path = workbook(tmp_path / "blank.xlsx", parts,
                    {SHEET: sheet(parts, HEADER_ROW + "".join(blank))})
    assert refused(path, capsys) == ("row 100,001: more than 100,000 rows, blank ones included; "
                                     "is this a step table?")


def test_max_rows_read_rows_blank_ones_included_are_read(tmp_path, parts):
    # The header, the two steps and blank rows 4 to 100,000: 100,000 rows, the limit itself.
    blank = "".join(f'<row r="{n}"/>' for n in range(4, 100_001))
    path = workbook(tmp_path / "blank.xlsx", parts,
                    {SHEET: sheet(parts, table_data(parts) + blank)})
    assert read_table(path).rows == TABLE_ROWS


@pytest.mark.parametrize("number, refusal", [
    (100_000, None),
    (100_001, "cell A100001: a value below row 100,000; is this a step table?"),
    (1_048_576, "cell A1048576: a value below row 100,000; is this a step table?"),
])
def test_a_value_below_row_max_rows_read_is_refused(tmp_path, parts, capsys, number, refusal):
    rows = f'{HEADER_ROW}<row r="2">{cell("A2", "Log")}</row><row r="{number}">' \
           f'{cell(f"A{number}", "Late")}</row>'
    path = workbook(tmp_path / "late.xlsx", parts, {SHEET: sheet(parts, rows)})
    if refusal is None:
        assert read_table(path).rows[-1] == (number, ["Late"])
    else:
        assert refused(path, capsys) == refusal


@pytest.mark.parametrize("reference, refusal", [
    ("CV2", None),  # column 100: 3 * 26 + 22
    ("CW2", "cell CW2: a value beyond column 100; is this a step table?"),  # 101
    ("XFD2", "cell XFD2: a value beyond column 100; is this a step table?"),  # 16,384
])
def test_a_value_beyond_column_max_columns_is_refused(tmp_path, parts, capsys, reference,
                                                      refusal):
    rows = f'{HEADER_ROW}<row r="2">{cell("A2", "Log")}{cell(reference, "far")}</row>'
    path = workbook(tmp_path / "far.xlsx", parts, {SHEET: sheet(parts, rows)})
    if refusal is None:
        assert read_table(path).rows[1] == (2, ["Log", *[None] * 98, "far"])
    else:
        assert refused(path, capsys) == refusal


def test_blank_cells_in_the_last_column_are_ignored(tmp_path, parts):
    rows = f'{HEADER_ROW}<row r="2">{cell("A2", "Log")}<c r="XFD2" s="1"/>{cell("XFC2", " ")}' \
           f'</row>'
    path = workbook(tmp_path / "far.xlsx", parts, {SHEET: sheet(parts, rows)})
    assert read_table(path).rows == [(1, ["name", "next"]), (2, ["Log"])]


def test_a_value_beyond_column_max_columns_is_refused_in_csv(tmp_path, capsys):
    path = tmp_path / "far.csv"
    path.write_text("name\nLog" + "," * 99 + "\nFar" + "," * 100 + "x\n", encoding="utf-8")
    assert refused(path, capsys) == ("row 3, column 101: a value beyond column 100; is this a "
                                     "step table?")


LONG = "x" * (limits.MAX_CELL_CHARACTERS + 1)  # 32,768 characters
LONG_CELLS = {
    "inline string": f'<c r="A2" t="inlineStr"><is><t>{LONG}</t></is></c>',
    "inline runs": f'<c r="A2" t="inlineStr"><is><r><t>{LONG[:20_000]}</t></r>'
                   f'<r><t>{LONG[20_000:]}</t></r></is></c>',
    "number": f'<c r="A2"><v>{"1" * len(LONG)}</v></c>',
    "formula text": f'<c r="A2" t="str"><f>A1</f><v>{LONG}</v></c>',
}


@pytest.mark.parametrize("xml", LONG_CELLS.values(), ids=LONG_CELLS.keys())
def test_a_cell_longer_than_excel_allows_is_refused(tmp_path, parts, capsys, xml):
    path = workbook(tmp_path / "long.xlsx", parts,
                    {SHEET: sheet(parts, f'{HEADER_ROW}<row r="2">{xml}</row>')})
    assert refused(path, capsys) == ("cell A2: more than 32,767 characters in one cell (Excel's "
                                     "limit); is this a step table?")


def test_a_cell_of_excel_s_limit_is_read(tmp_path, parts):
    text = "x" * limits.MAX_CELL_CHARACTERS
    path = workbook(tmp_path / "long.xlsx", parts,
                    {SHEET: sheet(parts, f'{HEADER_ROW}<row r="2">{cell("B2", text)}</row>')})
    assert read_table(path).rows[1] == (2, [None, text])


@pytest.mark.parametrize("strings", [
    ["name", LONG],
    ["name", "Log", f"<r><t>{LONG[:10]}</t></r><r><t>{LONG[10:]}</t></r>"],  # runs: string 3
], ids=["one text", "runs"])
def test_a_shared_string_longer_than_excel_allows_is_refused(tmp_path, parts, capsys, strings):
    items = "".join(f"<si>{s if s.startswith('<r>') else f'<t>{s}</t>'}</si>" for s in strings)
    table = f'<sst xmlns="{MAIN}">{items}</sst>'.encode()
    path = workbook(tmp_path / "long.xlsx", parts, with_strings(parts, table))
    assert refused(path, capsys) == (f"the part xl/sharedStrings.xml, string {len(strings)}: more "
                                     "than 32,767 characters in one cell (Excel's limit); is "
                                     "this a step table?")


def test_a_cell_longer_than_excel_allows_is_refused_in_csv(tmp_path, capsys):
    path = tmp_path / "long.csv"
    path.write_text(f"name,notes\nLog,{LONG}\n", encoding="utf-8")
    assert refused(path, capsys) == ("row 2, column 2: more than 32,767 characters in one cell "
                                     "(Excel's limit); is this a step table?")


# ---------------------------------------------------------------- budgets over the parts read


def test_more_cells_than_max_cells_read_blank_ones_included_are_refused(tmp_path, parts, capsys,
                                                                       monkeypatch):
    # Limit 50: the header's 2 cells, then 60 blank styled cells on row 2; the 51st is there.
    monkeypatch.setattr(limits, "MAX_CELLS_READ", 50)
    blanks = "".join(f'<c r="{get_column_letter(n)}2" s="1"/>' for n in range(1, 61))
    path = workbook(tmp_path / "cells.xlsx", parts,
                    {SHEET: sheet(parts, f'{HEADER_ROW}<row r="2">{blanks}</row>')})
    assert refused(path, capsys) == ("row 2: more than 50 cells in the sheet, blank ones "
                                     "included; is this a step table?")


def test_more_xml_elements_than_max_elements_are_refused(tmp_path, parts, capsys, monkeypatch):
    # Limit 1,000 over every part read: the relationships, workbook, styles and sheet hold about
    # 150 elements (97 of them the styles); 1,000 more <col/> in the sheet take it past.
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 1_000)
    raw = parts[SHEET].replace(b"</cols>", b'<col min="3" max="3"/>' * 1_000 + b"</cols>")
    path = workbook(tmp_path / "elements.xlsx", parts, {SHEET: raw})
    assert refused(path, capsys) == (f"the part {SHEET}: more than 1,000 XML elements in the parts "
                                     "read; is this a step table?")


def test_more_text_than_max_text_characters_is_refused(tmp_path, parts, capsys, monkeypatch):
    # Limit 100,000 characters kept, each string costing its length and one: "name" and "Log"
    # 5 + 4, then 40 strings of 3,000; 33 of them bring it to 99,042, the 34th to 102,043.
    monkeypatch.setattr(limits, "MAX_TEXT_CHARACTERS", 100_000)
    table = string_table(["name", "Log", *["t" * 3_000] * 40])
    path = workbook(tmp_path / "text.xlsx", parts, with_strings(parts, table))
    assert refused(path, capsys) == ("the part xl/sharedStrings.xml: more than 100,000 characters "
                                     "of text in the workbook; is this a step table?")


@pytest.mark.parametrize("extra", [
    {f"xl/media/image{n}.png": b"" for n in range(30)},  # 9 parts and 30: 39 files
    {"xl/media/" + "n" * 3_000 + ".png": b""},  # 10 files, but a directory of 3.7 KB
], ids=["many files", "a long directory"])
def test_a_zip_listing_more_than_max_zip_entries_is_refused(tmp_path, parts, capsys, monkeypatch,
                                                            extra):
    # Limit 20 files, and 20 * 100 = 2,000 bytes of directory.
    monkeypatch.setattr(limits, "MAX_ZIP_ENTRIES", 20)
    path = workbook(tmp_path / "many.xlsx", parts, extra)
    count = len(parts) + len(extra)
    reason = refused(path, capsys)
    assert reason.startswith(f"the zip lists {count:,} files in ")
    assert reason.endswith("(at most 20); is this a step table?")


# ---------------------------------------------------------------- damaged parts


LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
DTDS = {  # the billion laughs (10^9 "lol"), and one innocent-looking entity
    "billion laughs": ("lolz", '<!ENTITY lol0 "lol">' + LAUGHS, "&lol9;"),
    "one entity": ("x", '<!ENTITY step "Log">', "&step;"),
}


@pytest.mark.parametrize("part", [SHEET, STRINGS, "xl/workbook.xml", "xl/styles.xml",
                                  WORKBOOK_RELS, "_rels/.rels"])
@pytest.mark.parametrize("dtd", DTDS.values(), ids=DTDS.keys())
def test_a_dtd_in_any_part_read_is_refused_before_any_entity(tmp_path, parts, capsys, part, dtd):
    root, declarations, reference = dtd
    changes: dict[str, bytes | Packed | None] = dict(
        with_strings(parts, string_table(["name", "Log"])))
    if part == SHEET:  # the entity as a step's name
        changes[SHEET] = sheet(parts, f'{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>'
                                      f'{reference}</t></is></c></row>')
    elif part == STRINGS:
        changes[STRINGS] = string_table(["name", "Log"]).replace(b">Log<", reference.encode())
    raw = changes[part] if part in changes else parts[part]
    assert isinstance(raw, bytes)
    declaration = raw.index(b"?>") + 2 if raw.startswith(b"<?xml") else 0
    changes[part] = (raw[:declaration] + f"<!DOCTYPE {root} [{declarations}]>".encode()
                     + raw[declaration:])
    path = workbook(tmp_path / "dtd.xlsx", parts, changes)
    assert refused(path, capsys) == f"damaged workbook: the part {part} declares a DTD"


@pytest.mark.parametrize("second, sheet_name", [(False, None), (True, None), (True, "Sheet1")],
                         ids=["one sheet", "two sheets", "two sheets, Sheet1 asked"])
def test_a_missing_sheet_part_is_refused_naming_it(tmp_path, parts, capsys, second, sheet_name):
    """The workbook lists Sheet1 (and a second sheet, Other); Sheet1's part is not in the zip.
    Saying that the workbook has no sheets, or reading Other instead, would hide the damage."""
    changes: dict[str, bytes | Packed | None] = {SHEET: None}
    if second:
        link = ('<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/worksheet" Target="worksheets/sheet2.xml" Id="rId8"/>')
        entry = ('<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships" name="Other" sheetId="2" state="visible" r:id="rId8"/>')
        changes.update({
            "xl/worksheets/sheet2.xml": parts[SHEET].replace(b">Log<", b">Other<"),
            WORKBOOK_RELS: parts[WORKBOOK_RELS].replace(b"</Relationships>",
                                                        link.encode() + b"</Relationships>"),
            "xl/workbook.xml": parts["xl/workbook.xml"].replace(b"</sheets>",
                                                                entry.encode() + b"</sheets>")})
    path = workbook(tmp_path / "missing.xlsx", parts, changes)
    if sheet_name is None:
        reason = refused(path, capsys)
    else:
        with pytest.raises(FileFormatError) as caught:
            import_table(path, map_name=sheet_name)
        reason = caught.value.reason
    assert reason == f"damaged workbook: the part {SHEET} is missing"


@pytest.mark.parametrize("number", ["abc", "", "nan", "1e400", "inf", "2x", "0", "-5", "1_000", "٣"])
def test_a_row_number_that_is_not_a_number_is_refused(tmp_path, parts, capsys, number):
    rows = f'{HEADER_ROW}<row r="{number}">{cell("A2", "Log")}</row>'
    path = workbook(tmp_path / "row.xlsx", parts, {SHEET: sheet(parts, rows)})
    assert refused(path, capsys) == (f"damaged workbook: the part {SHEET}: {number!r} is not a "
                                     "row number")


@pytest.mark.parametrize("method, data", [
    (zipfile.ZIP_BZIP2, bz2.compress),  # Python's zip reader unzips it; Excel never writes it
    (99, lambda raw: raw),  # AE-x encryption's method number
], ids=["bzip2", "99"])
def test_a_part_compressed_in_a_way_excel_never_writes_is_refused(tmp_path, parts, capsys,
                                                                  opened, method, data):
    raw = parts[SHEET]
    path = workbook(tmp_path / "method.xlsx", parts,
                    {SHEET: Packed(data(raw), len(raw), zlib.crc32(raw), method)})
    assert refused(path, capsys) == (f"the part {SHEET} is compressed in a way Excel never "
                                     f"writes (method {method})")
    assert SHEET not in opened


# ---------------------------------------------------------------- how many steps


def _steps_csv(path: Path, count: int) -> Path:
    path.write_text("name\n" + "".join(f"S{n}\n" for n in range(count)), encoding="utf-8")
    return path


def _steps_xlsx(path: Path, count: int, parts: Mapping[str, bytes]) -> Path:
    rows = f'<row r="1">{cell("A1", "name")}</row>' + "".join(
        f'<row r="{n + 2}">{cell(f"A{n + 2}", f"S{n}")}</row>' for n in range(count))
    return workbook(path, parts, {SHEET: sheet(parts, rows)})


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_exactly_max_steps_are_imported_and_one_more_is_refused(tmp_path, parts, capsys, kind):
    """The header row comes on top of the 20,000 steps (it was counted as one of them)."""
    def table(name: str, count: int) -> Path:
        path = tmp_path / f"{name}.{kind}"
        return _steps_csv(path, count) if kind == "csv" else _steps_xlsx(path, count, parts)

    steps = import_table(table("most", limits.MAX_STEPS)).map.steps
    assert len(steps) == 20_000 and steps[-1].name == "S19999"
    # the header is row 1, the steps rows 2 to 20,002: the 20,001st step is on row 20,002
    assert refused(table("more", limits.MAX_STEPS + 1), capsys) == (
        "row 20,002: more than 20,000 steps; is this a step table?")


# ---------------------------------------------------------------- CSV files


def test_a_csv_row_longer_than_max_record_characters_is_refused_naming_it(tmp_path, capsys):
    path = tmp_path / "long.csv"
    path.write_text("name,notes\nLog,short\nBig," + "y" * limits.MAX_RECORD_CHARACTERS + "\n",
                    encoding="utf-8")
    assert refused(path, capsys) == ("row 3: more than 1,000,000 characters in one row; is this "
                                     "a step table?")


def test_a_csv_record_over_many_lines_is_one_row_and_counted_whole(tmp_path, capsys):
    # Row 3 is one record of 120 quoted cells of 9,000 characters and a line break each, on
    # 121 lines: 120 * 9,003 = 1,080,360 characters; row 4 is never reached.
    cells = ",".join(['"' + "z" * 8_999 + '\n"'] * 120)
    path = tmp_path / "lines.csv"
    path.write_text(f"name,notes\nLog,short\n{cells}\nClose,\n", encoding="utf-8")
    assert refused(path, capsys) == ("row 3: more than 1,000,000 characters in one row; is this "
                                     "a step table?")


@pytest.mark.parametrize("lines", [1, 50], ids=["one line", "50 lines"])
def test_a_csv_cell_far_longer_than_excel_allows_is_refused_naming_it(tmp_path, capsys, lines):
    # 200,000 characters: within a row's 1,000,000, past a cell's 32,767 (and past the 131,072
    # of the csv module's own field limit, whose message names neither the row nor the cell).
    text = "\n".join(["w" * (200_000 // lines)] * lines)
    path = tmp_path / "long.csv"
    path.write_text(f'name,notes\nLog,"{text}"\n', encoding="utf-8")
    assert refused(path, capsys) == ("row 2, column 2: more than 32,767 characters in one cell "
                                     "(Excel's limit); is this a step table?")


def test_a_csv_row_of_max_record_characters_is_read(tmp_path):
    # 99 cells of 10,000 characters, one of 9,899, 99 commas and CRLF: 1,000,000 characters.
    cells = ["a" * 10_000] * 99 + ["b" * 9_899]
    path = tmp_path / "wide.csv"
    path.write_bytes(b"name\r\n" + ",".join(cells).encode() + b"\r\n")
    assert len(",".join(cells)) + 2 == limits.MAX_RECORD_CHARACTERS
    assert read_table(path).rows[1] == (2, cells)


def test_a_csv_file_larger_than_max_csv_bytes_is_refused_unread(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as file:  # 1 GB, sparse: it takes no room and nothing reads it
        file.write(b"name\nLog\n")
        file.truncate(2**30)
    assert refused(path, capsys) == ("1,024 MB, more than the 64 MB a step table may need; is "
                                     "this a step table?")


def test_the_csv_size_limit_is_the_last_byte_allowed(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(limits, "MAX_CSV_BYTES", 100)
    path = tmp_path / "steps.csv"
    path.write_bytes(b"name\nLog\n" + b"x" * 91)  # 9 + 91 = 100 bytes
    assert path.stat().st_size == 100 and read_table(path).rows[1] == (2, ["Log"])
    path.write_bytes(b"name\nLog\n" + b"x" * 92)
    assert refused(path, capsys) == ("101 bytes, more than the 100 bytes a step table may need; "
                                     "is this a step table?")


def _special(tmp_path: Path, kind: str, suffix: str) -> Path:
    path = tmp_path / f"{kind}{suffix}"
    if kind == "pipe":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    return path


GUARD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2**31, 2**31))  # a reader of /dev/zero stops at 2 GB
from vsm.cli.main import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                    reason="no named pipes or /dev/zero here")
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", ["pipe", "zero"])
def test_a_pipe_or_a_device_is_refused_without_reading_it(tmp_path, kind, suffix):
    """In a child process: a reader that opened the pipe would wait for ever for a writer (the
    timeout ends it), one that read /dev/zero would fill the memory."""
    path = _special(tmp_path, kind, suffix)
    out = tmp_path / "out.vsm"
    done = subprocess.run([sys.executable, "-c", GUARD, "import", str(path), "-o", str(out)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"vsm: error: {path}: is not a regular file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


# ---------------------------------------------------------------- round trips


def view(map_: ValueStreamMap) -> tuple[list[str], list[tuple]]:
    """The steps' names in order and the flows by names, kind, share and probability."""
    names = {s.id: s.name for s in map_.steps}
    return ([s.name for s in map_.steps],
            sorted((names[f.source], names[f.target], f.kind, f.share or 0, f.probability or 0)
                   for f in map_.flows))


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_names_that_look_like_a_share_keep_their_name_and_links(tmp_path, suffix):
    """"Review (2)" is a step, not "Review" with a share of 2; "Review(2)" too. They were
    exported but the import read them as shares of "Review" and refused the table."""
    one = {"A": (0, 1), "Review (2)": (0, 1), "Done": (0, 1)}
    lone = make_map(one, [("A", "Review (2)"), ("Review (2)", "Done"),
                          ("Done", "Review (2)", rework(10))])
    steps = {"Start": (0, 1), "Review": (0, 1), "Review(2)": (0, 1), "Review (2)": (0, 1),
             "End": (0, 1)}
    mixed = make_map(steps, [
        ("Start", "Review", share(2)), ("Start", "Review (2)", share(98)),
        ("Review", "Review(2)"), ("Review (2)", "End"), ("Review(2)", "End"),
        ("Review", "Review (2)", rework(20)),
        ("End", "Review (2)", rework(10)), ("End", "Review(2)", rework(5))], name="Mixed")
    row = {r[0]: dict(zip(COLUMNS, r)) for r in table_rows(mixed)}
    # "Review (2)" as a share of Review would be the step's name: written with a percent sign
    assert row["Start"]["next"] == "Review (2%); Review (2) (98)"
    assert row["End"]["rework_to"] == "Review (2) (10); Review(2) (5)"
    for map_ in (lone, mixed):
        path = tmp_path / f"{map_.name}{suffix}"
        export_table(Project("P", [map_]), path, [map_.id])
        assert view(import_table(path).map) == view(map_)


def test_formula_like_csv_text_gets_one_quote_and_reads_back_as_it_was(tmp_path):
    names = ["=1+1", "+x", "-y", "@z", "'=a", "''+b", "'plain", "plain"]
    map_ = make_map({name: (0, 1, 100, {"notes": f"-{n} minutes"}) for n, name in
                     enumerate(names)}, list(zip(names, names[1:])))
    path = tmp_path / "formulas.csv"
    export_table(Project("P", [map_]), path, [map_.id])
    with open(path, encoding="utf-8-sig", newline="") as file:
        written = list(csv.reader(file))[1:]
    # one quote before what starts like a formula after any quotes; the rest as it is
    assert [row[0] for row in written] == ["'=1+1", "'+x", "'-y", "'@z", "''=a", "'''+b",
                                           "'plain", "plain"]
    assert [row[COLUMNS.index("notes")] for row in written] == [f"'-{n} minutes"
                                                                for n in range(len(names))]
    assert written[0][COLUMNS.index("next")] == "'+x"
    again = import_table(path).map
    assert view(again) == view(map_)
    assert [s.notes for s in again.steps] == [s.notes for s in map_.steps]


def test_a_csv_file_just_over_the_limit_says_by_how_much_in_bytes(tmp_path, capsys):
    # 64 MB + 1 byte would round to "64 MB, more than the 64 MB": the exact sizes instead.
    path = tmp_path / "huge.csv"
    with open(path, "wb") as file:  # sparse
        file.write(b"name\nLog\n")
        file.truncate(limits.MAX_CSV_BYTES + 1)
    assert refused(path, capsys) == ("67,108,865 bytes, more than the 67,108,864 bytes a step "
                                     "table may need; is this a step table?")
