"""The `vsm` command line: report and convert, end to end and through main()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import vsm.analysis
from vsm.cli.main import main
from vsm.files.formats import load_json, save_json
from vsm.model import Flow, Project, Step, ValueStreamMap

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "restore-a-live-service.json"
REPORT_KEYS = ["map", "lead_time_minutes", "process_time_minutes", "flow_efficiency_percent",
               "rolled_pca_percent", "critical_path", "steps_to_change", "problems",
               "target", "split", "cost", "experience", "itil"]  # what stakeholders ask: always


def linear_map(name: str = "Current state", kind: str = "current") -> ValueStreamMap:
    """Alpha -> Beta, figures hand-computed:

    lead time       = (30 wait + 10 process) + (60 wait + 20 process) = 120 minutes
    process time    = 10 + 20                                         = 30 minutes
    flow efficiency = 30 / 120                                        = 25 %
    rolled %C&A     = 90 % x 50 %                                     = 45 %
    removing Beta's 60-minute wait shortens the chain by exactly 60 minutes.
    """
    map_ = ValueStreamMap(name, kind)
    map_.add_step(Step("Alpha", wait_time=30, process_time=10, pca=90, id="a"))
    map_.add_step(Step("Beta", wait_time=60, process_time=20, pca=50, id="b"))
    map_.add_flow(Flow("a", "b"))
    return map_


def looped_map() -> ValueStreamMap:
    """Ordinary flows that form a loop: the analysis cannot compute the figures."""
    map_ = ValueStreamMap("Looped", "future")
    map_.add_step(Step("One", id="one"))
    map_.add_step(Step("Two", id="two"))
    map_.add_flow(Flow("one", "two"))
    map_.add_flow(Flow("two", "one"))
    return map_


@pytest.fixture
def project_file(tmp_path) -> Path:
    """A project whose first map is a future state, so the default must skip it."""
    path = tmp_path / "tiny.json"
    save_json(Project("Tiny", [looped_map(), linear_map()]), path)
    return path


def run_vsm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vsm", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


# ---------------------------------------------------------------- end to end (python -m vsm)


def test_json_report_has_exactly_the_documented_keys(project_file):
    done = run_vsm("report", str(project_file), "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert list(data) == REPORT_KEYS
    assert data["map"] == "Current state"
    assert data["lead_time_minutes"] == pytest.approx(120)
    assert data["process_time_minutes"] == pytest.approx(30)
    assert data["flow_efficiency_percent"] == pytest.approx(25)
    assert data["rolled_pca_percent"] == pytest.approx(45)
    assert data["critical_path"] == ["a", "b"]
    assert data["problems"] == []
    for item in data["steps_to_change"]:
        assert list(item) == ["id", "name", "flags", "saving_minutes", "reasons"]
    beta = next(item for item in data["steps_to_change"] if item["id"] == "b")
    assert beta["name"] == "Beta" and beta["saving_minutes"] == pytest.approx(60)
    assert "low_pca" in beta["flags"] and beta["reasons"]


@pytest.mark.parametrize("make_args, expected", [
    (lambda p: ["report", str(p.parent / "absent.json")], "absent.json: no such file"),
    (lambda p: ["report", str(p), "--map", "Someday"], "no map named 'Someday' (maps: 'Looped', 'Current state')"),
    (lambda p: ["report", str(p.with_suffix(".txt"))], "unknown file type; use .vsm or .json"),
])
def test_errors_are_one_line_with_status_2(project_file, make_args, expected):
    done = run_vsm(*make_args(project_file))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("vsm: error: ")
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_file_is_one_line_with_status_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "vsm-json", "version": 1, "maps": [', encoding="utf-8")
    done = run_vsm("report", str(bad))
    assert done.returncode == 2
    assert done.stderr.startswith(f"vsm: error: {bad}: not valid JSON: ")
    assert done.stderr.count("\n") == 1


def test_convert_json_to_vsm_and_back_gives_an_equal_project(tmp_path):
    pytest.importorskip("vsm.files.vsm_file")
    original = load_json(EXAMPLE)  # the example has no project id: fix one by saving it
    start, document, back = tmp_path / "start.json", tmp_path / "restore.vsm", tmp_path / "back.json"
    save_json(original, start)
    first = run_vsm("convert", str(start), str(document))
    assert first.returncode == 0, first.stderr
    second = run_vsm("convert", str(document), str(back))
    assert second.returncode == 0, second.stderr
    assert load_json(back) == original


def test_cli_loads_no_qt(project_file):
    code = ("import sys\nfrom vsm.cli.main import main\n"
            f"main(['report', {str(project_file)!r}])\n"
            f"main(['convert', {str(project_file)!r}, {str(project_file.with_name('c.json'))!r}])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')),"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip() == "[]"


def test_version_and_help():
    done = run_vsm("--version")
    assert done.returncode == 0 and done.stdout.startswith("vsm ")
    assert "report" in run_vsm("--help").stdout


# ---------------------------------------------------------------- through main()


def test_text_report_for_people(project_file, capsys):
    assert main(["report", str(project_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tiny — Current state (2 steps)")
    assert "Lead time        2h\n" in out
    assert "Process time     30m\n" in out
    assert "Flow efficiency  25.0%\n" in out
    assert "Rolled %C&A      45.0%\n" in out
    assert "Critical path    Alpha → Beta\n" in out
    assert "Steps to change\n  1. Beta [" in out
    assert "Low %C&A" in out and "saves 1h" in out


def test_map_option_picks_a_map_case_insensitively(project_file, capsys):
    # Looped cannot be analysed (exit status 2), but the JSON names the map picked
    assert main(["report", str(project_file), "--map", "looped", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["map"] == "Looped"


def test_figures_the_analysis_cannot_compute_are_null(project_file, capsys):
    # exit status 2 (tests/pure/test_cli_exit_and_precision.py), the JSON still on stdout
    assert main(["report", str(project_file), "--map", "Looped", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert list(data) == REPORT_KEYS
    for key in REPORT_KEYS[1:5]:
        assert data[key] is None
    assert data["critical_path"] == [] and data["steps_to_change"] == []
    assert any("loop" in message for message in data["problems"])


def test_text_report_shows_problems(project_file, capsys):
    assert main(["report", str(project_file), "--map", "Looped"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # no report of blank figures: the problems, on stderr
    assert err.startswith("vsm: error: map 'Looped': The flows form a loop") and err.count("\n") == 1


def test_first_map_when_there_is_no_current_state(tmp_path, capsys):
    path = tmp_path / "future.json"
    save_json(Project("Only future", [linear_map("Target", "future")]), path)
    assert main(["report", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["map"] == "Target"


def test_project_without_maps_is_an_error(tmp_path, capsys):
    path = tmp_path / "empty.json"
    save_json(Project("Empty"), path)
    assert main(["report", str(path)]) == 2
    assert capsys.readouterr().err == f"vsm: error: {path}: the project has no maps\n"


def test_example_report_runs(capsys):
    assert main(["report", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Restore a live service — Current state" in out and "Steps to change" in out


def test_convert_json_to_json(project_file, tmp_path, capsys):
    target = tmp_path / "copy.json"
    assert main(["convert", str(project_file), str(target)]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert load_json(target) == load_json(project_file)


def test_convert_refuses_to_overwrite_its_input(project_file, capsys, monkeypatch):
    before = project_file.read_bytes()
    monkeypatch.chdir(project_file.parent)
    for target in (str(project_file), f"./{project_file.name}",
                   str(project_file.parent / ".." / project_file.parent.name / project_file.name)):
        assert main(["convert", str(project_file), target]) == 2
        assert "IN and OUT are the same file" in capsys.readouterr().err
    assert project_file.read_bytes() == before


def test_convert_refuses_a_hard_link_to_its_input(project_file, capsys):
    link = project_file.with_name("link.json")
    link.hardlink_to(project_file)
    assert main(["convert", str(project_file), str(link)]) == 2
    assert "same file" in capsys.readouterr().err


def test_convert_to_unknown_type(project_file, capsys):
    assert main(["convert", str(project_file), str(project_file.with_suffix(".xml"))]) == 2
    assert "unknown file type" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main([]) == 2
    assert main(["report"]) == 2
    assert main(["frobnicate"]) == 2
    assert "usage: vsm" in capsys.readouterr().err


def test_internal_errors_exit_1_and_debug_shows_them(project_file, capsys, monkeypatch):
    def broken(map_):
        raise RuntimeError("the solver fell over\nbadly")

    monkeypatch.setattr(vsm.analysis, "analyse", broken)
    assert main(["report", str(project_file)]) == 1
    err = capsys.readouterr().err
    assert err == ("vsm: internal error: RuntimeError: the solver fell over badly "
                   "(run with --debug for the traceback)\n")
    with pytest.raises(RuntimeError):
        main(["--debug", "report", str(project_file)])
    with pytest.raises(RuntimeError):
        main(["report", str(project_file), "--debug"])


def test_debug_reraises_errors_meant_for_people(tmp_path):
    from vsm.errors import FileFormatError

    with pytest.raises(FileFormatError):
        main(["--debug", "report", str(tmp_path / "absent.json")])


# ---------------------------------------------------------------- compare and plan


@pytest.fixture
def scenario_file(tmp_path) -> Path:
    """linear_map() and a future copy where Beta waits 4h (240 minutes) instead of 60 minutes,
    is renamed, and a new step Gamma (wait 0, process 15) follows it.

    lead time 120 -> (30 + 10) + (240 + 20) + (0 + 15) = 315: delta +195, 195 / 120 = +162.5 %
    process   30  -> 10 + 20 + 15 = 45:                       delta +15,  15 / 30   = +50 %
    """
    from vsm.model.duplicate import duplicate_map
    from vsm.model.records import Kaizen

    current = linear_map()
    future = duplicate_map(current, "Target", "future", keep_origin=True)
    beta = next(s for s in future.steps if s.origin == "b")
    future.set_step_field(beta.id, "wait_time", "4h")
    future.set_step_field(beta.id, "name", "Beta, booked")
    future.add_step(Step("Gamma", process_time=15, id="g"))
    future.add_flow(Flow(beta.id, "g"))
    future.add_kaizen(Kaizen("Book Beta ahead", owner="Ann", due="2027-01-29",
                             expected_saving_minutes=45, step_id=beta.id))
    future.add_kaizen(Kaizen("Later idea", waste="motion"))
    path = tmp_path / "scenario.json"
    save_json(Project("Scenario", [current, future]), path)
    return path


def test_compare_json(scenario_file, capsys):
    assert main(["compare", str(scenario_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["from"], data["to"]) == ("Current state", "Target")
    assert data["lead_time_minutes"] == {"from": 120, "to": 315, "delta": 195,
                                         "delta_percent": 162.5}
    assert data["process_time_minutes"] == {"from": 30, "to": 45, "delta": 15, "delta_percent": 50}
    # flow efficiency 30 / 120 = 25 % -> 45 / 315 = 14.285714… %: delta -10.714285…,
    # -10.714285… / 25 = -42.857142… % (full precision: the exact floats)
    assert data["flow_efficiency_percent"] == {
        "from": 25, "to": 100 * 45 / 315, "delta": 100 * 45 / 315 - 25,
        "delta_percent": 100 * (100 * 45 / 315 - 25) / 25}
    # rolled %C&A 0.9 x 0.5 = 45 % both (Gamma 100 %): no change
    assert data["rolled_pca_percent"] == {"from": 45, "to": 45, "delta": 0, "delta_percent": 0}
    assert data["steps"]["added"] == [{"id": "g", "name": "Gamma"}]
    assert data["steps"]["removed"] == []
    [changed] = data["steps"]["changed"]
    assert changed["name"] == "Beta, booked" and changed["from_id"] == "b"
    assert changed["fields"] == {"name": {"from": "Beta", "to": "Beta, booked"},
                                 "wait_time": {"from": 60, "to": 240}}


def test_compare_text(scenario_file, capsys):
    assert main(["compare", str(scenario_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Scenario — Current state → Target\n")
    assert "Lead time        2h → 5h 15m (+3h 15m, +162.5%)\n" in out
    assert "Steps            2 → 3 (+1, +50.0%)\n" in out  # 1 / 2 = 50 %
    assert "Added steps\n  + Gamma\n" in out
    assert ("Changed steps\n  ~ Beta, booked\n      name 'Beta' → 'Beta, booked'\n"
            "      wait time 1h → 4h\n") in out
    assert "Removed steps" not in out


def test_compare_with_named_maps_the_other_way_round(scenario_file, capsys):
    assert main(["compare", str(scenario_file), "--from", "target", "--to", "Current state",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lead_time_minutes"]["delta"] == -195  # 120 - 315
    assert data["steps"]["removed"] == [{"id": "g", "name": "Gamma"}]


def test_compare_without_a_future_map_is_an_error(tmp_path):
    path = tmp_path / "current-only.json"
    save_json(Project("Only current", [linear_map()]), path)
    done = run_vsm("compare", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (f"vsm: error: no future-state map in {path}; name one with --to\n")


def test_plan_text(scenario_file, capsys):
    assert main(["plan", str(scenario_file)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Scenario — improvement plan (2 improvements)\n")
    lines = out.splitlines()
    assert lines[2].split() == ["Due", "Status", "Owner", "Saving", "Improvement"]
    assert lines[3].startswith("2027-01-29  Idea  ") and "Book Beta ahead (Beta, booked — Target)" in lines[3]
    assert "45m" in lines[3] and lines[4].startswith("–") and "Later idea (Target)" in lines[4]


def test_plan_csv_and_its_guard(scenario_file, capsys):
    out = scenario_file.with_name("plan.csv")
    assert main(["plan", str(scenario_file), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"Wrote {out} (2 improvements)\n"
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Map,Improvement,") and lines[1].startswith("Target,Book Beta ahead,")
    before = scenario_file.read_bytes()
    assert main(["plan", str(scenario_file), "-o", str(scenario_file)]) == 2
    assert "same file" in capsys.readouterr().err
    assert scenario_file.read_bytes() == before


@pytest.mark.parametrize("command, needs", [
    (["edit"], "the editor needs Qt"),
    (["export", "EXAMPLE", "-o", "OUT.svg"], "the svg export needs Qt"),
])
def test_commands_that_draw_say_so_when_qt_is_missing(tmp_path, command, needs):
    # A Python where PySide6 cannot be imported, as after `pip install vsm-studio` without Qt.
    example = ROOT / "resources" / "examples" / "restore-a-live-service.json"
    arguments = [str(example) if a == "EXAMPLE" else str(tmp_path / a) if a.startswith("OUT")
                 else a for a in command]
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "from vsm.cli.main import main\nsys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, *arguments], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip() == f"vsm: error: {needs} (PySide6), which is not installed"
    assert list(tmp_path.iterdir()) == []
