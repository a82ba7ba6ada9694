"""The measured lead time beside the map's figures: `vsm report` (text and JSON) and the deck's
map slide; the words for counts and low confidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsm.cli.main import main
from vsm.files.vsm_file import save_project
from vsm.model import Flow, Measured, Project, Step, ValueStreamMap
from vsm.model.measured import cases_words, low_confidence, measured_words

MEASURED = Measured(source="tickets.csv", start="2026-01-05T08:00:00Z",
                    end="2026-03-31T17:30:00Z", cases=1200, events=9876, lead_time_p50=2880.0,
                    lead_time_p85=4320.0, lead_time_p95=10080.0, statistic="median")


def measured_project() -> Project:
    map_ = ValueStreamMap("Mined", measured=MEASURED)
    a = map_.add_step(Step(name="Triage", wait_time=60.0, process_time=30.0, cases=1200,
                           visits=1300))
    b = map_.add_step(Step(name="Fix", wait_time=120.0, process_time=60.0, cases=12, visits=12))
    map_.add_flow(Flow(a.id, b.id, cases=12))
    return Project("Desk", [map_])


def test_the_words() -> None:
    assert measured_words(MEASURED) == "P50 2d, P85 3d, P95 1w (1,200 cases)"
    assert measured_words(Measured(cases=1)) == "P50 –, P85 –, P95 – (1 case)"
    assert cases_words(1234) == "n = 1,234"
    assert low_confidence(29) and not low_confidence(30) and not low_confidence(None)


def test_report_text_shows_the_measured_lead_time(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    save_project(measured_project(), tmp_path / "m.vsm")
    assert main(["report", str(tmp_path / "m.vsm")]) == 0
    lines = capsys.readouterr().out.splitlines()
    # lead time: 1h + 30m + 2h + 1h = 4h 30m; the labels padded to the longest (21 characters)
    assert lines[2] == "Lead time              4h 30m"
    assert lines[3] == "Measured from the log  P50 2d, P85 3d, P95 1w (1,200 cases)"
    assert lines[4] == "Process time           1h 30m"


def test_report_json_has_the_measured_record(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    save_project(measured_project(), tmp_path / "m.vsm")
    assert main(["report", str(tmp_path / "m.vsm"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["lead_time_minutes"] == 270
    assert data["measured"] == {
        "source": "tickets.csv", "start": "2026-01-05T08:00:00Z", "end": "2026-03-31T17:30:00Z",
        "cases": 1200, "events": 9876, "lead_time_p50_minutes": 2880,
        "lead_time_p85_minutes": 4320, "lead_time_p95_minutes": 10080, "statistic": "median"}


def test_a_map_without_measured_data_reports_as_before(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    project = measured_project()
    project.maps[0].set_field("measured", None)
    save_project(project, tmp_path / "m.vsm")
    assert main(["report", str(tmp_path / "m.vsm"), "--json"]) == 0
    assert "measured" not in json.loads(capsys.readouterr().out)
    assert main(["report", str(tmp_path / "m.vsm")]) == 0
    assert "Measured" not in capsys.readouterr().out


def test_the_deck_map_slide_shows_the_measured_lead_time(tmp_path: Path) -> None:
    from pptx import Presentation

    from vsm.export.deck import export_pptx

    project = measured_project()
    export_pptx(project, tmp_path / "deck.pptx")
    texts = [shape.text_frame.text for slide in Presentation(str(tmp_path / "deck.pptx")).slides
             for shape in slide.shapes if shape.has_text_frame]
    assert "Measured from the log: P50 2d, P85 3d, P95 1w (1,200 cases)" in texts
