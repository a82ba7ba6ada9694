"""What a script can rely on: the exit status of every command that shows figures, JSON numbers
at full precision, and takt time in working hours with its basis, as the editor shows it.

Exit status 2 is "bad input", whether the loader refuses the file (a rework flow of 100 %) or the
analysis refuses the map (a loop of ordinary flows, shares adding up to 99.98 %, no steps): one
line `vsm: error: ...` per problem on stderr. `--json` still prints its JSON (null figures, the
problems listed) on stdout; the text is not printed. Every case goes through a real file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import vsm.analysis.figures
import vsm.analysis.montecarlo
from tests.helpers.maps import make_map, rework, share
from vsm.analysis import analyse
from vsm.analysis.montecarlo import SimulationError
from vsm.cli.main import main
from vsm.files.formats import save_json
from vsm.model import Kaizen, Project, ValueStreamMap
from vsm.model.durations import format_working_hours, format_working_time

LOOP = "The flows form a loop: A → B → A. Use a rework flow for work that goes back."


def loop_map() -> ValueStreamMap:
    """Ordinary flows A -> B -> A: no start, so no figures."""
    return make_map({"A": (1, 1), "B": (1, 1)}, [("A", "B"), ("B", "A")], name="Loop")


def shares_map() -> ValueStreamMap:
    """A's routes share 49.99 + 49.99 = 99.98 %: not 100 %, so no figures."""
    return make_map({"A": (1, 1), "B": (1, 1), "C": (1, 1)},
                    [("A", "B", share(49.99)), ("A", "C", share(49.99))], name="Shares")


REFUSED = {  # map -> the problem the analysis gives
    "loop": (loop_map, LOOP),
    "shares": (shares_map, "Step 'A': the shares of its routes add up to 99.98%, not 100%."),
    "empty": (lambda: ValueStreamMap("Empty"), "The map has no steps yet."),
}


def good_map() -> ValueStreamMap:
    """A (wait 20, process 10): lead time 30, flow efficiency 10 / 30 = 33.33… %."""
    return make_map({"A": (20, 10)}, name="Good")


def write(tmp_path: Path, *maps: ValueStreamMap) -> str:
    path = tmp_path / "p.json"
    save_json(Project("P", list(maps)), path)
    return str(path)


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- vsm report


@pytest.mark.parametrize("case", REFUSED)
def test_report_of_a_map_the_analysis_refuses_exits_with_2(tmp_path, capsys, case):
    make, problem = REFUSED[case]
    map_ = make()
    source = write(tmp_path, map_)
    status, out, err = run(capsys, "report", source)
    assert (status, out) == (2, "")  # was 0, with a report of "–" figures
    assert err == f"vsm: error: map {map_.name!r}: {problem}\n"
    status, out, err = run(capsys, "report", source, "--json")
    assert status == 2 and err == f"vsm: error: map {map_.name!r}: {problem}\n"
    data = json.loads(out)  # the JSON is still printed, with the problems
    assert data["lead_time_minutes"] is None and data["problems"] == [problem]


def test_the_loader_refusing_rework_over_100_exits_with_2_too(tmp_path, capsys):
    source = Path(write(tmp_path, make_map({"A": (1, 1), "B": (1, 1)},
                                           [("A", "B"), ("B", "A", rework(50))])))
    document = json.loads(source.read_text())
    [flow] = [f for m in document["maps"] for f in m["flows"] if f.get("kind") == "rework"]
    flow["probability"] = 101
    source.write_text(json.dumps(document))
    status, out, err = run(capsys, "report", str(source), "--json")
    assert (status, out) == (2, "") and err.startswith("vsm: error: ") and err.count("\n") == 1


@pytest.mark.parametrize("runs", ["0", "-5", "many"])
def test_runs_below_1_is_a_usage_error(tmp_path, capsys, runs):
    status, out, err = run(capsys, "report", write(tmp_path, good_map()), "--json", "--runs", runs)
    assert (status, out) == (2, "")  # --runs 0 gave exit status 0 and null percentiles
    assert "argument --runs: " in err


def test_a_failed_simulation_exits_with_2(tmp_path, capsys, monkeypatch):
    def fails(*_args, **_kwargs):
        raise SimulationError("one run sent work back more than 100,000 times")

    monkeypatch.setattr(vsm.analysis.montecarlo, "simulate", fails)
    status, out, err = run(capsys, "report", write(tmp_path, good_map()), "--json", "--seed", "1")
    assert status == 2 and "lead_time_p50_minutes" not in json.loads(out)
    assert err == ("vsm: error: map 'Good': Lead time not simulated: one run sent work back more "
                   "than 100,000 times.\n")


def test_a_figure_left_out_exits_with_2_a_warning_does_not(tmp_path, capsys, monkeypatch):
    # A splits 50 / 50 to B or C: two route combinations, over a limit of 1, so rolled %C&A is
    # not computed (the other figures are).
    split = make_map({"A": (1, 1), "B": (1, 1), "C": (1, 1)},
                     [("A", "B", share(50)), ("A", "C", share(50))], name="Split")
    source = write(tmp_path, split)
    monkeypatch.setattr(vsm.analysis.figures, "ROLLED_PCA_STATE_LIMIT", 1)
    status, out, err = run(capsys, "report", source, "--json")
    assert status == 2 and json.loads(out)["rolled_pca_percent"] is None
    assert err.startswith("vsm: error: map 'Split': Rolled %C&A not computed")
    monkeypatch.undo()
    lonely = make_map({"A": (1, 1), "B": (1, 1), "C": (1, 1)}, [("A", "B")], name="Lonely")
    status, out, err = run(capsys, "report", write(tmp_path, lonely))
    assert (status, err) == (0, "") and "  - Step 'C' " in out  # a warning; figures all there


def test_utilisation_left_out_exits_with_2(tmp_path, capsys, monkeypatch):
    busy = good_map()
    busy.set_field("demand", 10)
    monkeypatch.setattr(vsm.analysis.figures, "capacity_figures",
                        lambda *_: ({}, {}, "Utilisation not computed: too many routes."))
    status, out, err = run(capsys, "report", write(tmp_path, busy))
    assert (status, out) == (2, "")
    assert err == "vsm: error: map 'Good': Utilisation not computed: too many routes.\n"


# ---------------------------------------------------------------- vsm compare, export, plan


def test_compare_with_a_map_the_analysis_refuses_exits_with_2(tmp_path, capsys):
    current = good_map()
    future = loop_map()
    future.kind = "future"
    source = write(tmp_path, current, future)
    status, out, err = run(capsys, "compare", source)
    assert (status, out) == (2, "")  # was 0, with "–" figures
    assert err == f"vsm: error: map 'Loop': {LOOP}\n"
    status, out, err = run(capsys, "compare", source, "--json")
    assert status == 2 and err == f"vsm: error: map 'Loop': {LOOP}\n"
    data = json.loads(out)
    assert data["lead_time_minutes"]["to"] is None and data["problems"]["to"] == [LOOP]
    status, _, _ = run(capsys, "compare", source, "--from", "Good", "--to", "Good")
    assert status == 0


@pytest.mark.parametrize("format_", ["pptx", "a3", "png", "svg", "pdf"])
def test_exports_that_show_figures_refuse_and_write_nothing(tmp_path, capsys, format_):
    # Checked before the exporter loads, so no Qt is needed for a3, png, svg and pdf.
    source = write(tmp_path, good_map(), loop_map())
    target = tmp_path / f"out.{format_}"
    status, out, err = run(capsys, "export", source, "--format", format_, "-o", str(target))
    assert (status, out) == (2, "")  # the deck was written with "–" figures, exit status 0
    assert err == (f"vsm: error: map 'Loop': {LOOP}\nvsm: error: {target}: nothing written; "
                   "fix the map or choose the maps to export with --map\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


def test_the_deck_of_the_maps_that_can_be_analysed(tmp_path, capsys):
    pytest.importorskip("pptx")
    source = write(tmp_path, good_map(), loop_map())
    target = tmp_path / "good.pptx"
    status, out, _ = run(capsys, "export", source, "--map", "Good", "-o", str(target))
    assert status == 0 and out == f"Wrote {target} (1 map)\n" and target.exists()


@pytest.mark.parametrize("format_", ["csv", "xlsx"])
def test_step_tables_hold_no_figures_and_are_written(tmp_path, capsys, format_):
    if format_ == "xlsx":
        pytest.importorskip("openpyxl")
    source = write(tmp_path, loop_map())
    status, _, err = run(capsys, "export", source, "-o", str(tmp_path / f"t.{format_}"))
    assert (status, err) == (0, "") and (tmp_path / f"t.{format_}").exists()


def test_plan_analyses_nothing_so_a_refused_map_is_fine(tmp_path, capsys):
    map_ = loop_map()
    map_.add_kaizen(Kaizen("Cut the loop", expected_saving_minutes=30, step_id="A"))
    status, out, err = run(capsys, "plan", write(tmp_path, map_))
    assert (status, err) == (0, "") and "Cut the loop" in out


# ---------------------------------------------------------------- precision


def pca_map() -> ValueStreamMap:
    """A (wait 20, process 10, 33.33 % C&A) -> B (0, 0, 11.11 %): rolled %C&A =
    0.3333 x 0.1111 = 0.03702963, i.e. 3.702963 % as a float with more digits than 6 decimals
    (3.7029630000000004); flow efficiency 10 / 30 = 33.333333333333336 %."""
    return make_map({"A": (20, 10, 33.33), "B": (0, 0, 11.11)}, [("A", "B")], name="Pca")


def test_report_json_prints_the_exact_floats(tmp_path, capsys):
    map_ = pca_map()
    result = analyse(map_)
    status, out, _ = run(capsys, "report", write(tmp_path, map_), "--json")
    data = json.loads(out)
    assert status == 0
    assert data["rolled_pca_percent"] == result.rolled_pca_percent  # bit for bit
    assert data["flow_efficiency_percent"] == result.flow_efficiency_percent == 100 * 10 / 30
    assert data["flow_efficiency_percent"] != round(100 * 10 / 30, 6)  # was 33.333333


def test_report_json_takt_and_utilisation_are_exact(tmp_path, capsys):
    map_ = good_map()
    map_.set_field("demand", 3)
    map_.set_field("demand_period", "month")  # takt 10,400 / 3 = 3466.666… working minutes
    status, out, _ = run(capsys, "report", write(tmp_path, map_), "--json")
    data = json.loads(out)
    assert status == 0 and data["takt_time_minutes"] == 10_400 / 3
    # utilisation 3 x 10 / 10,400 x 100 = 0.28846153846153844 %
    assert data["utilisation"][0]["percent"] == 100 * 3 * 10 / 10_400


def test_compare_json_prints_the_exact_floats(tmp_path, capsys):
    current = pca_map()
    future = good_map()
    future.kind = "future"
    status, out, _ = run(capsys, "compare", write(tmp_path, current, future), "--json")
    rolled = json.loads(out)["rolled_pca_percent"]
    assert status == 0 and rolled["from"] == analyse(current).rolled_pca_percent
    # 100 % -> delta 100 - 3.7029630000000004, as a share of 3.70296…: exact, not 6 decimals
    assert rolled["delta"] == 100.0 - analyse(current).rolled_pca_percent


# ---------------------------------------------------------------- takt time


def test_working_time_is_shown_in_hours_never_days():
    assert format_working_hours(5200) == "86h 40m"  # 10,400 / 2: was "3d 15h" in the editor
    assert format_working_hours(1440) == "24h"  # three 8-hour days, not "1d"
    assert (format_working_hours(600), format_working_hours(40)) == ("10h", "40m")
    assert (format_working_hours(59.6), format_working_hours(59.97)) == ("59.6m", "1h")
    assert (format_working_hours(0.48), format_working_hours(None)) == ("0.5m", "–")
    assert format_working_time(5200, 480) == "86h 40m of working time (8h days)"


def test_report_says_the_basis_of_takt_time_once(tmp_path, capsys):
    map_ = good_map()
    map_.set_field("demand", 2)
    map_.set_field("demand_period", "month")  # takt 10,400 / 2 = 5,200 minutes = 86h 40m
    status, out, _ = run(capsys, "report", write(tmp_path, map_))
    assert status == 0
    assert "Takt time        86h 40m of working time (8h days) at 2 items/month" in out.splitlines()
    assert out.count("working time") == 1
