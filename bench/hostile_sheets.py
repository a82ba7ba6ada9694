"""Hostile step tables against `vsm import`: `.venv/bin/python bench/hostile_sheets.py`.

Builds in a temporary folder the three workbooks of the bug report and a normal step table, runs
`python -m vsm import FILE -o out.vsm` on each in a fresh process, and prints one line per case:
the file's size, the exit status, the first line of stderr (of stdout when it succeeds), the wall
time (best of `--repeat N` runs, 3 by default), the peak resident memory of the child (ru_maxrss
from os.wait4: the kernel's figure for that one process) and both as ratios to the floor,
measured in the same run on the same machine. The files are built by a child process
(`--build DIR`): Linux starts a child's ru_maxrss at its parent's peak, so the parent that
measures stays small and imports nothing of the app.

- sharedstrings-bomb: a workbook of about 1.3 MB whose shared strings unzip to 1,024 MB (32,768
  strings of 32,760 "a", each within Excel's 32,767 characters);
- wide-dimension: a sheet of about 150 KB declaring A1:XFD20001 (16,384 columns) over a
  20,000-step table of one column (openpyxl's reader made 16,384 cells of each row);
- blank-rows: 5,000,000 blank rows under the header (one in ten numbered), about 35 MB of sheet
  deflated to about 1.3 MB;
- floor: the 200-step synthetic map of bench/generate.py exported as a step table (XLSX).

The hardened reader refuses the bomb and the blank rows (exit 2) in about the floor's time and
memory, and reads the wide sheet's 20,000 steps for what they are: its ratio is that of 20,000
steps to 200, not of the 327,680,000 cells its dimension declares.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.fspath(ROOT))

from bench.measure import (  # noqa: E402
    best_process,
    build_in_child,
    child_environment,
    file_size,
    own_peak_kb,
    timed,
)

TIMEOUT = 600  # seconds: a child still running then is killed (a bomb that got through)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
CHUNK = 1 << 20


@dataclass
class Run:
    """One case as measured: the best time, the largest peak and what the command said."""

    name: str
    size: int
    status: int
    said: str
    seconds: float
    peak_kb: int


# ---------------------------------------------------------------- the files


def _base(folder: Path) -> dict[str, bytes]:
    """The parts of a small step table written by the app itself: the workbooks below are it
    with one part (or two) rewritten."""
    from vsm.files.sheets import write_xlsx

    path = folder / "base.xlsx"
    write_xlsx(path, [("Sheet1", ["name", "next"], [["Log", "Close"], ["Close", ""]])])
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, parts: dict[str, bytes], streamed: dict[str, Iterable[bytes]]) -> Path:
    """The base parts with `streamed` ones replacing or adding parts, written chunk by chunk
    (deflate level 9) so that a gigabyte part is never in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name not in streamed:
                archive.writestr(name, data)
        for name, chunks in streamed.items():
            with archive.open(name, "w", force_zip64=False) as part:
                for chunk in chunks:
                    part.write(chunk)
    return path


def _sheet(parts: dict[str, bytes], rows: Iterable[bytes], dimension: str | None = None
           ) -> Iterator[bytes]:
    """The base sheet with `rows` as its data (and another dimension), in chunks."""
    text = parts[SHEET].decode()
    if dimension is not None:
        text = text.replace('ref="A1:B3"', f'ref="{dimension}"')
    before, _, rest = text.partition("<sheetData>")
    after = rest.partition("</sheetData>")[2]
    yield f"{before}<sheetData>".encode()
    yield from rows
    yield f"</sheetData>{after}".encode()


def _chunked(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Small pieces gathered into chunks of about a megabyte."""
    buffer: list[bytes] = []
    size = 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield b"".join(buffer)
            buffer, size = [], 0
    yield b"".join(buffer)


def _cell(reference: str, text: str) -> bytes:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def shared_strings_bomb(folder: Path, parts: dict[str, bytes]) -> Path:
    # 32 strings of <si><t> + 32,760 "a" + </t></si> = 32 * 32,776 = 1,048,832 bytes, 1,024
    # times: 1,074,003,968 bytes (1,024 MB) of shared strings, deflated about 800 to 1.
    body = b"".join([b"<si><t>" + b"a" * 32_760 + b"</t></si>"] * 32)
    strings = [f'<sst xmlns="{MAIN}"><si><t>name</t></si><si><t>Log</t></si>'.encode(),
               *[body] * 1024, b"</sst>"]
    link = (b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/>')
    kind = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxml'
            b'formats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    changed = {
        **parts,
        "xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", link + b"</Relationships>"),
        "[Content_Types].xml": parts["[Content_Types].xml"].replace(b"</Types>",
                                                                    kind + b"</Types>"),
    }
    rows = [b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
            b'<row r="2"><c r="A2" t="s"><v>1</v></c></row>']
    return _write(folder / "sharedstrings-bomb.xlsx", changed,
                  {SHEET: _sheet(parts, rows), "xl/sharedStrings.xml": strings})


def wide_dimension(folder: Path, parts: dict[str, bytes]) -> Path:
    # 20,000 rows of about 70 bytes: 1.4 MB of sheet, deflated about 10 to 1.
    rows = _chunked([b'<row r="1">' + _cell("A1", "name") + b"</row>"] + [
        f'<row r="{n}">'.encode() + _cell(f"A{n}", f"Step {n - 1}") + b"</row>"
        for n in range(2, 20_002)])
    return _write(folder / "wide-dimension.xlsx", parts,
                  {SHEET: _sheet(parts, rows, dimension="A1:XFD20001")})


def blank_rows(folder: Path, parts: dict[str, bytes]) -> Path:
    # 5,000,000 blank rows, one in ten numbered: 4,500,000 * 6 + 500,000 * about 16 bytes =
    # about 35 MB of sheet, within the part limit and deflating less than 100 to 1, so that
    # the rows themselves are what the reader meets.
    rows = _chunked([b'<row r="1">' + _cell("A1", "name") + b"</row>"] + [
        f'<row r="{n}"/>'.encode() if n % 10 == 0 else b"<row/>" for n in range(2, 5_000_002)])
    return _write(folder / "blank-rows.xlsx", parts, {SHEET: _sheet(parts, rows)})


def floor_table(folder: Path) -> Path:
    from bench.generate import synthetic_project
    from vsm.files.step_tables import export_table

    path = folder / "floor.xlsx"
    project = synthetic_project(200)
    export_table(project, path, [project.maps[0].id])
    return path


# ---------------------------------------------------------------- running


def measure(name: str, table: Path, folder: Path, env: dict[str, str], repeat: int) -> Run:
    """`vsm import TABLE -o out.vsm`, best of `repeat` whole processes."""
    out = folder / "out.vsm"
    command = [sys.executable, "-m", "vsm", "import", os.fspath(table), "-o", os.fspath(out)]
    best = best_process(command, env, repeat, before_each=lambda: out.unlink(missing_ok=True),
                        timeout=TIMEOUT)
    out.unlink(missing_ok=True)
    return Run(name, table.stat().st_size, best.status, best.said, best.seconds, best.peak_kb)


def _said(text: str, folder: Path) -> str:
    return text.replace(os.fspath(folder) + os.sep, "")  # the file's name, not the temporary path


CASES = ("floor", "sharedstrings-bomb", "wide-dimension", "blank-rows")


def build(folder: Path) -> None:
    """Write the four tables into `folder` as CASES + ".xlsx" (run as `--build DIR`)."""
    parts = _base(folder)
    floor_table(folder)
    shared_strings_bomb(folder, parts)
    wide_dimension(folder, parts)
    blank_rows(folder, parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default: 3)")
    parser.add_argument("--build", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(Path(args.build))
        return 0
    with tempfile.TemporaryDirectory(prefix="vsm-hostile-") as scratch:
        folder = Path(scratch)
        env = child_environment(folder, XDG_DATA_HOME=os.fspath(folder / "data"),
                                XDG_CONFIG_HOME=os.fspath(folder / "config"))
        built, _ = timed(lambda: build_in_child(Path(__file__).resolve(),
                                                [os.fspath(folder)], env))
        runs = [measure(name, folder / f"{name}.xlsx", folder, env, args.repeat)
                for name in CASES]
        own = own_peak_kb() / 1024
        print(f"# vsm import on hostile tables (built in {built:.1f} s; best of {args.repeat}; "
              f"Python {sys.version.split()[0]}; this process's peak {own:.0f} MB)")
        floor = runs[0]
        print(f"{'case':<19} {'file':>8} {'exit':>4} {'seconds':>7} {'peak MB':>7} "
              f"{'time/floor':>10} {'mem/floor':>9}  first line said")
        for run in runs:
            print(f"{run.name:<19} {file_size(run.size):>8} {run.status:>4} {run.seconds:>7.2f} "
                  f"{run.peak_kb / 1024:>7.0f} {run.seconds / floor.seconds:>10.2f} "
                  f"{run.peak_kb / floor.peak_kb:>9.2f}  {_said(run.said, folder)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
