"""`vsm templates`, `vsm new`, `vsm import`, `vsm export` to csv/xlsx, and what `vsm report`
adds: takt time, utilisation and the simulated P50/P85/P95."""

from __future__ import annotations

import json

import pytest

from tests.helpers.maps import make_map, rework
from vsm.cli.main import main
from vsm.files.bundled import list_templates, new_from_template
from vsm.files.formats import load_project, save_json
from vsm.model import Project
from vsm.model.durations import format_working_hours

BAD_TABLE = "name,next,pca\nA,B,150\nB,Clse,\nClose,,\n"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_templates_lists_id_and_title(capsys):
    status, out, _ = run(capsys, "templates")
    assert status == 0
    assert out.splitlines() == [f"{t.id}  {t.title}" for t in list_templates()]
    assert "fulfil-a-user-request  Fulfil a user request" in out.splitlines()


@pytest.mark.parametrize("suffix", [".vsm", ".json"])
def test_new_from_a_template(tmp_path, capsys, suffix):
    out_path = tmp_path / f"desk{suffix}"
    status, out, _ = run(capsys, "new", "--template", "deliver-a-standard-change", str(out_path))
    assert status == 0 and out == f"Wrote {out_path}: Deliver a standard change (2 maps)\n"
    project = load_project(out_path)
    template = new_from_template("deliver-a-standard-change")
    assert project.name == template.name and project.id != template.id
    assert [m.snapshot() for m in project.maps] == [m.snapshot() for m in template.maps]
    assert project.maps[1].kaizens


def test_new_refuses_to_overwrite_without_force(tmp_path, capsys):
    target = tmp_path / "p.json"
    target.write_text("precious")
    status, _, err = run(capsys, "new", "--template", "restore-a-live-service", str(target))
    assert status == 2 and "the file exists; choose another name or add --force" in err
    assert target.read_text() == "precious"
    status, _, _ = run(capsys, "new", "--template", "restore-a-live-service", str(target),
                       "--force", "--name", "Our P2 incidents")
    assert status == 0 and load_project(target).name == "Our P2 incidents"


def test_new_with_an_unknown_template_lists_the_ids(tmp_path, capsys):
    status, _, err = run(capsys, "new", "--template", "restore", str(tmp_path / "p.vsm"))
    assert status == 2
    assert err.startswith("vsm: error: no template 'restore'; the templates are: ")
    assert not (tmp_path / "p.vsm").exists()
    status, _, err = run(capsys, "new", "--template", "restore-a-live-service",
                         str(tmp_path / "p.txt"))
    assert status == 2 and "unknown file type; use .vsm or .json" in err


def test_import_writes_a_project_and_lays_it_out(tmp_path, capsys):
    table = tmp_path / "incident steps.csv"
    table.write_text("name,next,wait_time\nLog,\"Fix; Tell\",15m\nFix,Close,1h\nTell,Close,\n"
                     "Close,,2h\n", encoding="utf-8")
    out_path = tmp_path / "p.vsm"
    status, out, err = run(capsys, "import", str(table), "-o", str(out_path), "--name", "As is")
    assert status == 0 and err == ""
    assert out == f"Wrote {out_path}: map 'As is', 4 steps, 4 flows\n"
    project = load_project(out_path)
    assert project.name == "incident steps" and project.maps[0].name == "As is"
    assert [(s.x, s.y) for s in project.maps[0].steps] == [(0, 0), (240, 0), (240, 200), (480, 0)]
    status, _, err = run(capsys, "import", str(table), "-o", str(out_path))
    assert status == 2 and "add --force" in err


def test_import_reports_every_problem_and_writes_nothing(tmp_path, capsys):
    table = tmp_path / "bad.csv"
    table.write_text(BAD_TABLE, encoding="utf-8")
    out_path = tmp_path / "p.json"
    status, out, err = run(capsys, "import", str(table), "-o", str(out_path))
    assert status == 2 and out == "" and not out_path.exists()
    assert err.splitlines() == [
        f"vsm: error: {table}: 2 problems in the step table; nothing was written",
        "  row 2: pca must be more than 0 and at most 100, not 150",
        "  row 3: next step 'Clse' is not in the table (did you mean 'Close'?)",
    ]


def test_import_notes_go_to_stderr(tmp_path, capsys):
    table = tmp_path / "old.csv"
    table.write_bytes("name;team\nA;Büro\n".encode("cp1252"))
    status, _, err = run(capsys, "import", str(table), "-o", str(tmp_path / "p.json"))
    assert status == 0 and err.startswith(f"note: {table}: read as Windows-1252 text")


def test_export_step_tables_and_import_them_back(tmp_path, capsys):
    source = tmp_path / "p.json"
    save_json(new_from_template("onboard-a-new-employee"), source)
    status, _, err = run(capsys, "export", str(source), "-o", str(tmp_path / "all.csv"))
    assert status == 2 and "a CSV file holds the step table of one map" in err
    status, out, _ = run(capsys, "export", str(source), "--map", "current state",
                         "-o", str(tmp_path / "current.csv"))
    assert status == 0 and out == f"Wrote {tmp_path / 'current.csv'} (1 map)\n"
    status, out, _ = run(capsys, "export", str(source), "-o", str(tmp_path / "all.xlsx"))
    assert status == 0 and out == f"Wrote {tmp_path / 'all.xlsx'} (2 maps)\n"
    status, _, _ = run(capsys, "export", str(source), "--format", "xlsx",
                       "-o", str(tmp_path / "named.data"))
    assert status == 0
    status, _, _ = run(capsys, "import", str(tmp_path / "current.csv"), "-o",
                       str(tmp_path / "back.json"))
    assert status == 0
    back = load_project(tmp_path / "back.json").maps[0]
    original = load_project(source).maps[0]
    assert [s.name for s in back.steps] == [s.name for s in original.steps]


def test_report_shows_takt_busiest_step_and_percentiles(tmp_path, capsys):
    source = tmp_path / "p.json"
    save_json(new_from_template("fulfil-a-user-request"), source)
    status, out, _ = run(capsys, "report", str(source), "--runs", "2000", "--seed", "3")
    assert status == 0
    lines = out.splitlines()
    # the headline uses the most likely times and says so; the simulation sits under it
    assert lines[2].startswith("Lead time") and lines[2].endswith("with the most likely times")
    assert lines[3].startswith("Simulated        mean ") and ", median " in lines[3]
    assert ", 85% within " in lines[3] and lines[3].endswith("(2,000 runs, seed 3)")
    assert "Takt time        40m of working time (8h days) at 60 items/week" in lines
    assert "Busiest step     Create the account and set permissions (88% utilised)" in lines
    assert "[Bottleneck, Long wait, Over capacity]" in out
    status, out, _ = run(capsys, "report", str(source), "--json", "--runs", "2000", "--seed", "3")
    data = json.loads(out)
    assert data["lead_time_p50_minutes"] <= data["lead_time_p85_minutes"] <= data[
        "lead_time_p95_minutes"]
    assert (data["simulation_runs"], data["simulation_seed"], data["takt_time_minutes"]) == (
        2000, 3, 40)
    account = next(u for u in data["utilisation"] if u["id"] == "account")
    assert account["over_capacity"] and account["percent"] == pytest.approx(88.235294, abs=1e-5)
    _, again, _ = run(capsys, "report", str(source), "--json", "--runs", "2000", "--seed", "3")
    assert json.loads(again) == data  # the seed makes it reproducible


def test_report_without_ranges_or_demand_adds_nothing(tmp_path, capsys):
    source = tmp_path / "p.json"
    save_json(Project("P", [make_map({"A": (10, 5), "B": (0, 5)},
                                     [("A", "B"), ("B", "A", rework(20))])]), source)
    status, out, _ = run(capsys, "report", str(source), "--json")
    data = json.loads(out)
    assert not any(key.startswith(("lead_time_p", "takt", "utilisation", "simulation"))
                   for key in data)
    status, out, _ = run(capsys, "report", str(source), "--json", "--seed", "1")
    assert "lead_time_p50_minutes" in json.loads(out)  # asked for explicitly


def test_help_lists_the_new_commands(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    for command in ("templates", "new", "import"):
        assert command in out


def test_takt_is_shown_in_working_hours_never_days():
    # 2 items a month: 10,400 / 2 = 5,200 minutes = 86 h 40 m of working time (not "3d 15h").
    assert format_working_hours(5200) == "86h 40m"
    assert (format_working_hours(600), format_working_hours(40)) == ("10h", "40m")
