"""The bundled ITIL 4 templates: they load, analyse, improve, and keep their lineage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vsm.analysis import analyse, build_structure
from vsm.errors import VsmError
from vsm.files.bundled import (
    EXAMPLES,
    TEMPLATES,
    UnknownTemplate,
    list_templates,
    new_from_template,
    template_path,
)
from vsm.files.formats import load_json
from vsm.model.variability import has_variability

EXPECTED_IDS = {"restore-a-live-service", "fulfil-a-user-request", "onboard-a-new-employee",
                "deliver-a-standard-change", "develop-a-new-service"}
TEMPLATE_IDS = sorted(path.stem for path in TEMPLATES.glob("*.json"))


def test_the_five_templates_are_listed_by_title():
    templates = list_templates()
    assert {t.id for t in templates} == EXPECTED_IDS
    assert [t.title for t in templates] == sorted((t.title for t in templates), key=str.casefold)
    for template in templates:
        assert template.title and len(template.description) > 50
        assert template.path == TEMPLATES / f"{template.id}.json"


def test_template_path_names_the_ids_when_there_is_no_such_template():
    assert template_path("fulfil-a-user-request").name == "fulfil-a-user-request.json"
    with pytest.raises(UnknownTemplate, match="no template 'nope'; the templates are: "
                                              "deliver-a-standard-change, develop-a-new-service"):
        template_path("nope")
    assert issubclass(UnknownTemplate, VsmError)


def test_a_new_project_gets_a_fresh_id_and_the_title():
    first, second = new_from_template("onboard-a-new-employee"), new_from_template(
        "onboard-a-new-employee")
    original = load_json(template_path("onboard-a-new-employee"))
    assert first.name == "Onboard a new employee"
    assert len({first.id, second.id, original.id}) == 3
    assert [m.snapshot() for m in first.maps] == [m.snapshot() for m in original.maps]


def test_the_example_the_readme_uses_is_still_there():
    assert (EXAMPLES / "restore-a-live-service.json").exists()


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_template_analyses_and_its_future_state_improves(template_id):
    project = load_json(TEMPLATES / f"{template_id}.json")
    current, future = project.first_map("current"), project.first_map("future")
    assert current is not None and future is not None
    results = {}
    for map_ in project.maps:
        result = analyse(map_)
        assert result.ok, [p.message for p in result.problems]
        assert not result.problems, [p.message for p in result.problems]  # not even warnings
        assert map_.demand is not None and result.takt_time is not None
        results[map_.kind] = result
    assert results["future"].lead_time < results["current"].lead_time
    assert results["future"].flow_efficiency_percent > results["current"].flow_efficiency_percent
    current_ids = {step.id for step in current.steps}
    for step in future.steps:  # copied from a current step, or new
        assert step.origin is None or step.origin in current_ids, step.name
    assert sum(step.origin is not None for step in future.steps) >= len(future.steps) - 2
    assert 1 <= len(future.kaizens) <= 3
    assert all(k.step_id is None or future.has_step(k.step_id) for k in future.kaizens)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_template_shows_every_kind_of_flow(template_id):
    """The current state has a concurrent split, an alternative split and a rework loop; every
    map has realistic teams and performers and is laid out left to right."""
    project = load_json(TEMPLATES / f"{template_id}.json")
    current = project.first_map("current")
    structure, _ = build_structure(current)
    assert structure.concurrent_splits()
    assert any(structure.alternative.values())
    assert any(structure.rework.values())
    assert has_variability(current.steps)
    for map_ in project.maps:
        assert {s.performer for s in map_.steps} >= {"internal", "customer"}
        assert all(s.team for s in map_.steps)
        assert len({(s.x, s.y) for s in map_.steps}) == len(map_.steps)  # no two boxes overlap
        for step in map_.steps:
            assert step.x % 240 == 0 and step.y % 200 == 0, step.name
        xs = {s.id: s.x for s in map_.steps}
        for flow in map_.flows:
            if flow.kind == "normal":
                assert xs[flow.source] < xs[flow.target]  # left to right


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_template_files_are_plain_vsm_json(template_id):
    data = json.loads((TEMPLATES / f"{template_id}.json").read_text(encoding="utf-8"))
    assert data["format"] == "vsm-json" and data["version"] == 1
    assert [m["kind"] for m in data["maps"]] == ["current", "future"]
    for map_ in data["maps"]:
        for step in map_["steps"]:
            assert isinstance(step["process_time"], str) and isinstance(step["wait_time"], str)


def test_the_fulfil_template_shows_an_over_capacity_step():
    # 60 requests a week; the account step takes 30 min and 15 % of the confirmations send work
    # back to it: 1 / (1 - 0.15) = 1.1765 passes. 60 x 30 x 1.1765 = 2,117.6 min of work per
    # week for 1 person with 2,400 working minutes: 88.2 %, over the 85 % threshold.
    # Takt time: 2,400 / 60 = 40 minutes.
    current, future = new_from_template("fulfil-a-user-request").maps
    result = analyse(current)
    assert result.takt_time == pytest.approx(40)
    assert result.visits["account"] == pytest.approx(1 / 0.85)
    assert result.utilisation["account"] == pytest.approx(60 * 30 / 0.85 / 2400 * 100)
    assert "over_capacity" in result.flags["account"]
    assert not any("over_capacity" in flags for flags in analyse(future).flags.values())


def test_template_lead_times():
    """The figures quoted in the README (current -> future)."""
    expected = {  # minutes
        "restore-a-live-service": (1545.75, 641.78),
        "fulfil-a-user-request": (9102.5, 560.66),
        "onboard-a-new-employee": (23107.3, 3394.6),
        "deliver-a-standard-change": (19215.0, 412.0),
        "develop-a-new-service": (148990.3, 41241.6),
    }
    for template_id, (current, future) in expected.items():
        maps = new_from_template(template_id).maps
        assert analyse(maps[0]).lead_time == pytest.approx(current, abs=0.1)
        assert analyse(maps[1]).lead_time == pytest.approx(future, abs=0.1)


def test_templates_folder_is_inside_resources():
    assert TEMPLATES == Path(__file__).resolve().parents[2] / "resources" / "templates"


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_template_answers_what_stakeholders_ask(template_id):
    """An ITIL 4 description, practices and information on every step, a rate for every team
    that works, an experience score and a target the current state misses and the future meets."""
    from vsm.analysis.cost import cost_of
    from vsm.analysis.targets import attainment

    project = load_json(TEMPLATES / f"{template_id}.json")
    for map_ in project.maps:
        itil = map_.itil
        assert all(len(text) > 20 for text in (itil.trigger, itil.outcome, itil.value,
                                               itil.stakeholders)), map_.name
        assert map_.experience is not None
        for step in map_.steps:
            assert step.practices and step.information, step.name
        result = analyse(map_)
        cost = cost_of(map_, result)
        assert cost is not None and cost.complete and cost.per_month > 0, cost and cost.unpriced
        target = attainment(map_, result)
        assert target is not None and target.met is (map_.kind == "future"), map_.name
