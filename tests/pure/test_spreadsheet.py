"""Step tables: CSV and XLSX import with every problem reported, export, lossless round trips."""

from __future__ import annotations

import codecs
import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.maps import make_map, rework, share
from vsm.errors import FileFormatError
from vsm.files.bundled import list_templates, new_from_template
from vsm.files.sheets import sheet_titles, sniff_delimiter
from vsm.files.step_rows import COLUMNS, header_key
from vsm.files.step_tables import (
    SheetError,
    export_csv,
    export_table,
    export_xlsx,
    import_table,
    table_rows,
)
from vsm.model import Project, ValueStreamMap

HEADER = "name,team,performer,activity,process_time,wait_time,pca,next,rework_to,rework_probability"
GOOD = f"""{HEADER}
Log,Service desk,internal,engage,10m,15m,95,Triage,,
Triage,Service desk,Internal team,Deliver & support,15,30,70,"Diagnose; Notify",,
Notify,Service desk,automated,engage,5m,,,Close,,
Diagnose,Application support,,,2h,1h 30m,85,"Fix (70); Vendor (30)",Triage,20
Fix,Application support,,Obtain/build,1h,30m,90,Close,,
Vendor,Hosting vendor,vendor,,4h,1d,85,Close,,
Close,Business users,customer,engage,5m,2h,95,,"Fix (10); Vendor (5)",
"""


def write(tmp_path: Path, text: str, name: str = "steps.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path: Path, **kwargs) -> list[str]:
    with pytest.raises(SheetError) as caught:
        import_table(path, **kwargs)
    return caught.value.problems


def view(map_: ValueStreamMap) -> tuple:
    """Everything a step table holds: step fields but ids, positions and origins; flows by name."""
    names = {s.id: s.name for s in map_.steps}
    steps = [(s.name, s.team, s.performer, s.activity, s.process_time, s.wait_time, s.pca,
              s.people, s.notes, s.process_time_min, s.process_time_max, s.wait_time_min,
              s.wait_time_max) for s in map_.steps]
    flows = sorted((names[f.source], names[f.target], f.kind, f.share or 0, f.probability or 0)
                   for f in map_.flows)
    return steps, flows


# ---------------------------------------------------------------- import


def test_a_good_table_becomes_a_laid_out_current_state(tmp_path):
    imported = import_table(write(tmp_path, GOOD))
    map_ = imported.map
    assert imported.notes == [] and map_.name == "Current state" and map_.kind == "current"
    steps = {s.name: s for s in map_.steps}
    assert steps["Triage"].activity == "deliver_support" and steps["Fix"].activity == "obtain_build"
    assert steps["Triage"].process_time == 15 and steps["Diagnose"].wait_time == 90
    assert steps["Notify"].pca == 100 and steps["Notify"].people == 1  # defaults when blank
    ids = {s.name: s.id for s in map_.steps}
    flows = {(f.source, f.target): f for f in map_.flows}
    assert flows[ids["Diagnose"], ids["Fix"]].share == 70
    assert flows[ids["Diagnose"], ids["Triage"]].probability == 20
    assert flows[ids["Close"], ids["Vendor"]].kind == "rework"
    assert flows[ids["Close"], ids["Vendor"]].probability == 5
    # laid out left to right, 240 apart, branches 200 above or below the main line
    assert (steps["Log"].x, steps["Triage"].x, steps["Diagnose"].x) == (0, 240, 480)
    assert {steps["Notify"].y, steps["Vendor"].y} <= {-200, 200}


def test_every_problem_is_reported_with_its_row(tmp_path):
    text = f"""{HEADER}
Log,,,,10m,15m,95,Triage,,
Triage,,,,15,30,150,"Diagnose; Aprove",,

Diagnose,,contractor,,2x,,85,"Fix (70); Log (20)",Triage,20
Fix,,,,1h,30m,90,,"Log (20)",10
Log,,,,,,,,,
,,,,,,,Fix,,
Close,,,,,,,,Diagnos,
"""
    assert problems_of(write(tmp_path, text)) == [
        "row 3: pca must be more than 0 and at most 100, not 150",
        "row 3: next step 'Aprove' is not in the table",
        "row 5: performer must be one of internal, vendor, customer, automated, not 'contractor'",
        "row 5: process time: unknown time unit 'x' in '2x' (use m, h, d or w, or minutes, "
            "hours, days or weeks)",
        "row 5: the shares of the next steps add up to 90, not 100",
        "row 6: give the rework probability either in rework_probability or in brackets in "
        "rework_to, not both",
        "row 7: the name 'Log' is already used on row 2",
        "row 8: the name is empty; every step needs one",
        "row 9: rework_to needs its probability: put it in rework_probability, or with several "
        "targets write each with its own, e.g. 'Triage (20); Log (5)'",
    ]


def test_unknown_names_come_with_a_suggestion(tmp_path):
    text = f"""{HEADER}
Approve,,,,,,,Deploy,,
Deploy,,,,,,,Verfy,"Aprove (20)",
Verify,,,,,,,,,
"""
    assert problems_of(write(tmp_path, text)) == [
        "row 3: next step 'Verfy' is not in the table (did you mean 'Verify'?)",
        "row 3: rework step 'Aprove' is not in the table (did you mean 'Approve'?)",
    ]


def test_more_problems_than_shown_are_counted(tmp_path):
    rows = "".join(f"Step {i},,,,,,0,,,\n" for i in range(25))
    with pytest.raises(SheetError) as caught:
        import_table(write(tmp_path, f"{HEADER}\n{rows}"))
    assert len(caught.value.problems) == 25
    assert str(caught.value).endswith("row 21: pca must be more than 0 and at most 100, not 0; "
                                      "and 5 more")
    assert str(caught.value).startswith(f"{tmp_path / 'steps.csv'}: 25 problems in the step table")


@pytest.mark.parametrize("text, message", [
    ("step,wait\nA,5\n", None),  # aliases
    ("Team,PCA\nx,90\n", "row 1: no 'name' column"),
    ("name,pca,PCA\nA,90,90\n", "row 1: column 'pca' appears twice (columns 2 and 3)"),
    ("name\n", "the table has a header but no steps"),
    ("", "the table is empty"),
    ("name,next\nA,A\n", "row 2: a step cannot be its own next step"),
    ("name,next\nA,\"B; B\"\nB,\n", "row 2: next step 'B' is listed twice"),
    ("name,next\nA,\"B (50); C\"\nB,\nC,\n", "row 2: give every next step a share, or none"),
    ("name,rework_to,rework_probability\nA,A,101\n", "row 2: the rework probability to 'A' must be "
                                                     "more than 0 and at most 100, not 101"),
    ("name,rework_to\nA,\"A (60); B (50)\"\nB,\n", "row 2: rework probabilities add up to 110"),
    ("name,rework_probability\nA,20\n", "row 2: rework_probability is set but rework_to is empty"),
    ("name,process_time,process_time_max\nA,1h,30m\n",
     "row 2: process time maximum 30m is less than the most likely process time 1h"),
])
def test_table_rules(tmp_path, text, message):
    path = write(tmp_path, text)
    if message is None:
        assert import_table(path).map.steps[0].wait_time == 5
    else:
        with pytest.raises(FileFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
            import_table(path)


def test_headers_ignore_case_spaces_units_and_unknown_columns(tmp_path):
    assert header_key(" Process Time (minutes) ") == "process_time"
    assert header_key("Rework-probability") == "rework_probability"
    assert header_key("%C&A") == "pca"
    text = "Owner,NAME,Wait Time (min),Next Steps,Comment\nme,A,45,B,x\nyou,B,1h,,y\n"
    map_ = import_table(write(tmp_path, text)).map
    assert [(s.name, s.wait_time) for s in map_.steps] == [("A", 45), ("B", 60)]
    assert len(map_.flows) == 1


def test_semicolons_bom_windows_1252_and_utf_16(tmp_path):
    text = "name;team;next;pca\nAnfrage;Büro;\"Prüfung\";95,5\nPrüfung;Büro;;\n"
    assert sniff_delimiter(text) == ";" and sniff_delimiter('"a,b";c;d\n') == ";"
    for encoding, notes in (("utf-8-sig", []), ("utf-16", []), ("cp1252", 1)):
        imported = import_table(write(tmp_path, text, encoding=encoding))
        assert [s.team for s in imported.map.steps] == ["Büro", "Büro"]
        assert imported.map.steps[0].pca == 95.5
        assert len(imported.notes) == (notes if isinstance(notes, int) else 0)
    assert "Windows-1252" in import_table(write(tmp_path, text, encoding="cp1252")).notes[0]


def test_names_that_look_like_shares_and_formulas(tmp_path):
    text = "name,next\nStart,\"Phase (2)\"\nPhase (2),\"=Total (60); Other (40)\"\n'=Total,\nOther,\n"
    map_ = import_table(write(tmp_path, text)).map
    names = {s.id: s.name for s in map_.steps}
    assert [s.name for s in map_.steps] == ["Start", "Phase (2)", "=Total", "Other"]
    assert sorted((names[f.source], names[f.target], f.share) for f in map_.flows) == [
        ("Phase (2)", "=Total", 60), ("Phase (2)", "Other", 40), ("Start", "Phase (2)", None)]


def test_files_that_are_not_tables(tmp_path):
    for name, content, message in (
            ("a.txt", b"\x00\x01PK", "not a text file"),
            ("a.csv", b"name\n\x81\x8d\n", "not UTF-8 or Windows-1252 text"),
            ("a.xlsx", b"not a zip", "not an Excel workbook"),
            ("a.xls", b"", "old .xls workbooks are not supported"),
            ("a.ods", b"", "unknown table type; use .csv or .xlsx")):
        with pytest.raises(FileFormatError, match=message):
            import_table(write_bytes(tmp_path / name, content))
    with pytest.raises(FileFormatError, match="no such file"):
        import_table(tmp_path / "missing.csv")


def write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300) | st.text(alphabet=",;\"\n name()0123456789%x",
                                                    max_size=200).map(lambda t: t.encode()))
def test_any_bytes_give_a_map_or_our_error(tmp_path, content):
    path = write_bytes(tmp_path / "fuzz.csv", content)
    try:
        import_table(path)
    except FileFormatError:
        pass


# ---------------------------------------------------------------- XLSX


def test_xlsx_cells_times_numbers_and_sheet_choice(tmp_path):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["nothing here"])
    sheet = book.create_sheet("As is")
    sheet.append(["Name", "Process time", "Wait time", "PCA", "People", "Next"])
    sheet.append(["Log", datetime.time(1, 30), datetime.timedelta(days=2), 95, 2, "Fix"])
    sheet.append(["Fix", 20, "1h", None, None, None])
    sheet.append([None, None, None, None, None, None])
    path = tmp_path / "steps.xlsx"
    book.save(path)
    imported = import_table(path, map_name="as is")
    log, fix = imported.map.steps
    assert imported.map.name == "as is" and imported.notes == []
    assert (log.process_time, log.wait_time, log.pca, log.people) == (90, 2880, 95, 2)
    assert (fix.process_time, fix.wait_time, fix.pca) == (20, 60, 100)
    assert problems_of(path) == ["row 1: no 'name' column; the header must name the columns "
                                 f"({', '.join(COLUMNS)}); found 'nothing here'"]
    with pytest.raises(SheetError):  # asking for a missing sheet reads the first one
        import_table(path, map_name="To be")


def test_xlsx_export_keeps_text_as_text(tmp_path):
    map_ = make_map({"=SUM(A1)": (0, 1), "@me": (0, 1)}, [("=SUM(A1)", "@me")], name="Map: one/two")
    path = tmp_path / "out.xlsx"
    export_xlsx(Project("P", [map_]), path, [map_.id])
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "Map one two"  # ":" and "/" cannot be in a sheet title
    assert sheet["A2"].value == "=SUM(A1)" and sheet["A2"].data_type == "s"
    assert import_table(path).map.name == "Map one two"
    assert view(import_table(path, map_name="Map: one/two").map) == view(map_)


def test_sheet_titles_are_valid_and_distinct():
    assert sheet_titles(["Current state", "current STATE", "x" * 40, "a[b]:c"]) == [
        "Current state", "current STATE (2)", "x" * 31, "a b c"]


# ---------------------------------------------------------------- export and round trips


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("template", [t.id for t in list_templates()])
def test_round_trip_of_every_template_map(tmp_path, suffix, template):
    project = new_from_template(template)
    for map_ in project.maps:
        path = tmp_path / f"{map_.id}{suffix}"
        export_table(project, path, [map_.id])
        again = import_table(path, map_name=map_.name).map
        assert view(again) == view(map_)
        assert table_rows(again) == table_rows(map_)


def test_several_rework_flows_are_written_in_rework_to(tmp_path):
    map_ = make_map({"A": (0, 1), "B": (0, 1), "C": (0, 1, 100, {"notes": "line 1\nline 2, \"quoted\""})},
                    [("A", "B", share(100)), ("B", "C"), ("C", "A", rework(20)),
                     ("C", "B", rework(12.5))])
    row = dict(zip(COLUMNS, table_rows(map_)[2]))
    assert (row["rework_to"], row["rework_probability"]) == ("A (20); B (12.5)", "")
    assert dict(zip(COLUMNS, table_rows(map_)[0]))["next"] == "B (100)"
    path = tmp_path / "t.csv"
    export_csv(Project("P", [map_]), path, [map_.id])
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    assert view(import_table(path).map) == view(map_)


def test_formula_like_text_is_quoted_in_csv_and_read_back(tmp_path):
    map_ = make_map({"=cmd|' /C calc'!A0": (0, 1), "+1": (0, 1)}, [("=cmd|' /C calc'!A0", "+1")])
    path = tmp_path / "t.csv"
    export_csv(Project("P", [map_]), path, [map_.id])
    assert "\n'=cmd" in path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    assert view(import_table(path).map) == view(map_)


def test_export_refuses_what_a_table_cannot_hold(tmp_path):
    two = make_map({"A": (0, 1), "B": (0, 1)})
    one = make_map({"A; B": (0, 1), "C": (0, 1), "c": (0, 1)})
    one.set_step_field("C", "name", "c ")  # the same name once spaces and case are ignored
    project = Project("P", [two, one])
    with pytest.raises(FileFormatError, match="a CSV file holds the step table of one map"):
        export_csv(project, tmp_path / "t.csv", [m.id for m in project.maps])
    with pytest.raises(FileFormatError) as caught:
        export_xlsx(project, tmp_path / "t.xlsx", [one.id])
    assert "step 'A; B': a name with ';' cannot be written" in str(caught.value)
    assert "two steps are called 'c'" in str(caught.value)
    assert not (tmp_path / "t.xlsx").exists()


def test_the_table_of_a_map_reads_its_flows_once(monkeypatch):
    # A chain of 200 steps. Each access of ValueStreamMap.flows copies every flow; reading them
    # twice per step (next and rework_to) made the export quadratic: 20,000 steps took 31 s.
    map_ = make_map({f"s{n}": (0, 10) for n in range(200)},
                    [(f"s{n}", f"s{n + 1}") for n in range(199)])
    reads = 0
    flows = ValueStreamMap.flows

    def counted(self):
        nonlocal reads
        reads += 1
        return flows.fget(self)

    monkeypatch.setattr(ValueStreamMap, "flows", property(counted))
    rows = table_rows(map_)
    assert [row[COLUMNS.index("next")] for row in rows[:2]] == ["s1", "s2"]
    assert reads <= 2  # not 2 x 200 = 400


FILE_SIZE_LIMITED_EXPORT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))  # no file may grow past 20 KB
from vsm.cli.main import main
sys.argv = ["vsm", "export", sys.argv[1], "-o", sys.argv[2]]
sys.exit(main())
"""


@pytest.mark.skipif(not hasattr(__import__("resource"), "RLIMIT_FSIZE"), reason="POSIX only")
def test_a_workbook_that_cannot_be_written_is_one_message(tmp_path):
    # Like a full disk: openpyxl writes each sheet to a temporary file first, and when that
    # failed its writer failed again when collected ("Exception ignored ..." and a traceback).
    import subprocess
    import sys

    from vsm.files.formats import save_json

    project = Project("Big")
    project.add_map(make_map({f"step {n}": (15, 30) for n in range(2000)}))  # > 20 KB of sheet
    source, target = tmp_path / "big.json", tmp_path / "big.xlsx"
    save_json(project, source)
    done = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMITED_EXPORT, str(source),
                           str(target)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "big.xlsx" in done.stderr, done.stderr
    assert "cannot write" in done.stderr
    assert not target.exists()
