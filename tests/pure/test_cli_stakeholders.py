"""`vsm report` and `vsm compare` on what stakeholders ask: the target, who holds the work, the
cost, the automation candidates, the experience and the ITIL 4 description, as text and JSON;
bad input exits with 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsm.cli.main import main
from vsm.files.bundled import TEMPLATES
from vsm.files.formats import project_to_dict, save_json
from vsm.model import Experience, Flow, Project, Step, ValueStreamDescription, ValueStreamMap
from vsm.model.duplicate import future_state_of


def described_project() -> Project:
    """Log (Desk, 2 people, 30 + 10) -> Fix (vendor Acme, 120 + 60) -> Confirm (customer, 0 + 5).
    Lead time 225; target 200: missed by 25. Rates Desk 60, Acme 120; 40 items a week.
    Cost per item: Log 10/60 h x 2 x 60 = 20, Fix 1 h x 120 = 120, Confirm no rate: 140."""
    now = ValueStreamMap("Current state", demand=40, target_lead_time=200,
                         experience=Experience("csat", 64, 180, "Q3 survey"),
                         team_rates={"Desk": 60, "Acme": 120},
                         itil=ValueStreamDescription("An outage is reported", "Service restored",
                                                     "Users work again", "Users; Acme"),
                         id="now")
    now.add_step(Step("Log", team="Desk", people=2, wait_time=30, process_time=10,
                      practices=("service_desk", "incident_management"),
                      information="ITSM tool", id="log"))
    now.add_step(Step("Fix", team="Acme", performer="vendor", wait_time=120, process_time=60,
                      practices=("supplier_management",), id="fix"))
    now.add_step(Step("Confirm", performer="customer", process_time=5, id="confirm"))
    now.add_flow(Flow("log", "fix"))
    now.add_flow(Flow("fix", "confirm"))
    future = future_state_of(now, "Target")
    fix = next(step for step in future.steps if step.name == "Fix")
    future.set_step_field(fix.id, "wait_time", 30)  # lead 40 + 90 + 5 = 135: met
    future.set_field("experience", Experience("csat", 85))
    return Project("Outages", [now, future], id="p")


@pytest.fixture
def described_file(tmp_path: Path) -> Path:
    path = tmp_path / "outages.json"
    save_json(described_project(), path)
    return path


def test_report_text_answers_what_stakeholders_ask(described_file, capsys):
    assert main(["report", str(described_file)]) == 0
    out = capsys.readouterr().out
    assert "Target           3h 20m: MISSED by 25m (expected 3h 45m)\n" in out
    assert "Experience       CSAT 64% (180 responses) — Q3 survey\n" in out
    # 140 per item; 40 a week: 5,600 a week; 40 x 52/12 = 173.33 a month: 24,266.67
    assert "Cost             €140.00 per item, €5,600.00 a week, €24,266.67 a month " \
           "(no rate: Confirm)\n" in out
    assert ("Who holds the work (by performer)\n"
            "  Internal team   17.8%  40m (wait 30m, process 10m)\n"
            "  Vendor          80.0%  3h (wait 2h, process 1h)\n"
            "  Customer         2.2%  5m (wait 0m, process 5m)\n"
            "  Waiting on vendors: 2h\n") in out
    # hours per month: Fix 1 h x 173.33 = 173.3 h (x 120 = 20,800); Log 1/3 h x 173.33 = 57.8 h
    assert ("  1. Fix (vendor) — 173.3 h a month, worth €20,800.00 a month\n"
            "  2. Log (internal) — 57.8 h a month, worth €3,466.67 a month\n"
            "  3. Confirm (customer) — 14.4 h a month\n") in out
    assert "  Trigger:      An outage is reported\n" in out
    assert "  · Log: Service desk, Incident management — ITSM tool\n" in out
    assert "  · Fix: Supplier management\n" in out


def test_report_by_team(described_file, capsys):
    assert main(["report", str(described_file), "--by", "team"]) == 0
    out = capsys.readouterr().out
    assert ("Who holds the work (by team)\n"
            "  Acme      80.0%  3h (wait 2h, process 1h)\n"
            "  Desk      17.8%  40m (wait 30m, process 10m)\n"
            "  No team    2.2%  5m (wait 0m, process 5m)\n") in out


def test_report_json_keys_and_figures(described_file, capsys):
    assert main(["report", str(described_file), "--json", "--by", "team"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"] == {"target_minutes": 200.0, "expected_minutes": 225.0, "met": False,
                              "gap_minutes": 25.0, "probability": None, "p85_minutes": None,
                              "p85_met": None, "steps": []}
    assert data["split"]["by"] == "team"
    assert [(r["key"], r["lead_minutes"]) for r in data["split"]["rows"]] == [
        ("acme", 180.0), ("desk", 40.0), ("", 5.0)]
    assert data["split"]["vendor_wait_minutes"] == 120.0
    cost = data["cost"]
    assert (cost["currency"], cost["per_item"], cost["per_period"], cost["period"]) == (
        "€", 140.0, 5600.0, "week")
    assert cost["unpriced"] == ["Confirm"]
    assert [c["id"] for c in cost["automation_candidates"]] == ["fix", "log", "confirm"]
    assert data["experience"] == {"scale": "csat", "score": 64.0, "responses": 180,
                                  "note": "Q3 survey"}
    assert data["itil"]["value"] == "Users work again"


def test_a_template_with_ranges_reports_the_probability(capsys):
    path = TEMPLATES / "fulfil-a-user-request.json"
    assert main(["report", str(path), "--json", "--runs", "2000"]) == 0
    target = json.loads(capsys.readouterr().out)["target"]
    assert target["target_minutes"] == 1440.0 and target["met"] is False
    assert 0.0 <= target["probability"] < 0.05  # 6d 8h expected against a day
    assert target["p85_minutes"] > 1440.0 and target["p85_met"] is False


def test_compare_text_and_json(described_file, capsys):
    assert main(["compare", str(described_file)]) == 0
    out = capsys.readouterr().out
    assert ("What stakeholders ask\n"
            "  Target               missed (3h 45m for 3h 20m) → met (2h 15m for 3h 20m)\n"
            "  Experience           CSAT 64% (180 responses) → CSAT 85%\n"
            "  Cost per item        €140.00 → €140.00 (no change)\n"
            "  Internal team share  17.8% → 29.6%\n"
            "  Vendor share         80.0% → 66.7%\n"
            "  Customer share       2.2% → 3.7%\n") in out  # 40/135, 90/135, 5/135
    assert main(["compare", str(described_file), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["target"]["from"]["met"], data["target"]["to"]["met"]) == (False, True)
    assert data["experience"]["to"]["score"] == 85.0
    assert data["cost_per_item"]["delta"] == 0.0
    assert data["split_by_performer"]["to"]["rows"][1]["lead_minutes"] == 90.0


def test_bad_input_exits_2(described_file, tmp_path, capsys):
    assert main(["report", str(described_file), "--by", "activity"]) == 2
    assert "invalid choice: 'activity'" in capsys.readouterr().err
    data = project_to_dict(described_project())
    data["maps"][0]["steps"][0]["practices"] = ["service_desk", "crystal_ball"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert main(["report", str(bad)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "bad.json" in error
    assert "step 'Log': practices: 'crystal_ball' is not one of ITIL 4's 34" in error
