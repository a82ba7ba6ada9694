"""What stakeholders ask, in the model (issue 18): a map's target lead time, experience score,
currency, team rates and ITIL 4 description; a step's target time, hourly rate, practices and
information. Their rules and messages, their events, and copies."""

from __future__ import annotations

import pytest

from vsm.model import (
    PRACTICE_GROUPS,
    PRACTICES,
    Experience,
    MapChanged,
    ModelError,
    Step,
    StepChanged,
    ValueStreamDescription,
    ValueStreamMap,
)
from vsm.model.duplicate import duplicate_map, future_state_of
from vsm.model.field_rules import clean_step_fields
from vsm.model.practices import clean_practices, practice_code, practice_group
from vsm.model.stakeholders import experience_words


def full_map() -> ValueStreamMap:
    map_ = ValueStreamMap("Now", target_lead_time="2d", currency="$",
                          experience=Experience("csat", 78.5, 412, "Q3 survey"),
                          team_rates={"Service desk": 45, "Vendor": 90.5},
                          itil=ValueStreamDescription("A user reports an outage",
                                                      "Service restored", "Work resumes",
                                                      "Users, service desk, vendor"))
    map_.add_step(Step("Log", team="Service desk", practices=("service_desk",),
                       information="ITSM tool", target_time="30m", hourly_rate=50, id="log"))
    return map_


def test_itil_4s_34_practices_in_three_groups():
    assert len(PRACTICES) == 34
    assert [len(codes) for codes in PRACTICE_GROUPS.values()] == [14, 17, 3]
    assert practice_group("deployment_management") == "technical"
    assert practice_group("service_desk") == "service"
    assert practice_group("supplier_management") == "general"
    assert practice_code("Service Desk") == "service_desk"
    assert practice_code("IT asset management") == "it_asset_management"
    assert practice_code("Change management") == "change_enablement"  # ITIL v3's name
    assert practice_code("Magic") is None


def test_practices_are_codes_each_once_in_the_order_given():
    assert clean_practices("incident_management; Service desk;;", "p") == (
        "incident_management", "service_desk")
    assert clean_practices(["service_desk", "service_desk"], "p") == ("service_desk",)
    assert clean_practices(None, "p") == ()
    with pytest.raises(ModelError, match="p: 'Magic' is not one of ITIL 4's 34"):
        clean_practices(["service_desk", "Magic"], "p")
    with pytest.raises(ModelError, match="p must be a list of ITIL 4 practices, not 3"):
        clean_practices(3, "p")


def test_a_steps_new_fields_are_checked_and_named():
    map_ = full_map()
    step = map_.step("log")
    assert (step.target_time, step.hourly_rate, step.practices, step.information) == (
        30.0, 50.0, ("service_desk",), "ITSM tool")
    refusals = {
        "target_time": (0, "step 'Log': target time must be more than 0"),
        "hourly_rate": (-5, "step 'Log': hourly rate cannot be negative, not -5"),
        "practices": ("Astrology", "step 'Log': practices: 'Astrology' is not one of ITIL 4's"),
        "information": ("x" * 20_001, "step 'Log': information is 20,001 characters long"),
    }
    for name, (value, message) in refusals.items():
        with pytest.raises(ModelError, match=message.replace("(", r"\(")):
            map_.set_step_field("log", name, value)
    map_.set_step_field("log", "target_time", "")  # blank: no target
    map_.set_step_field("log", "hourly_rate", None)
    assert step.target_time is None and step.hourly_rate is None


def test_changing_a_step_field_emits_its_event():
    map_ = full_map()
    events: list[object] = []
    map_.subscribe(events.append)
    assert map_.set_step_field("log", "practices", ["incident_management", "service_desk"]) == (
        "service_desk",)
    assert map_.set_step_field("log", "information", "ITSM tool, phone") == "ITSM tool"
    assert events == [StepChanged(map_.step("log"), "practices"),
                      StepChanged(map_.step("log"), "information")]


def test_the_fast_check_of_a_whole_step_agrees_with_the_field_by_field_check():
    plain = Step("A", practices=("service_desk", "incident_management"), information="Portal")
    fast = clean_step_fields(plain.__dict__)
    assert "practices" not in fast  # the common case: nothing to normalise
    for odd in (Step("A", practices=["service_desk"]),  # type: ignore[arg-type]
                Step("A", practices=("service_desk", "service_desk"))):
        assert clean_step_fields(odd.__dict__)["practices"] == ("service_desk",)
    with pytest.raises(ModelError, match="step 'A': practices: 'nope'"):
        clean_step_fields(Step("A", practices=("nope",)).__dict__)
    with pytest.raises(ModelError, match="step 'A': information holds a broken character"):
        clean_step_fields(Step("A", information="\ud800").__dict__)


def test_a_maps_settings_are_checked_and_named():
    map_ = ValueStreamMap("Now")
    assert (map_.target_lead_time, map_.experience, map_.currency, map_.team_rates) == (
        None, None, "€", {})
    assert map_.itil == ValueStreamDescription() and not map_.itil
    refusals = [
        ("target_lead_time", "soon", "map 'Now': target lead time: "),
        ("target_lead_time", -1, "map 'Now': target lead time"),
        ("experience", Experience("csat", 101), "a CSAT score must be from 0 to 100"),
        ("experience", Experience("survey", 0.5), "a Survey average score must be from 1 to 5"),
        ("experience", Experience("nps", 10), "scale must be one of csat, survey, not 'nps'"),
        ("experience", Experience("csat", 80, -2), "responses must be from 0"),
        ("experience", Experience("csat", 80, 0), "responses must be at least 1"),
        ("experience", "80%", "experience must be Experience"),
        ("currency", " ", "currency needs a sign or code"),
        ("currency", "Euros of Europe", "at most 8 characters"),
        ("team_rates", {"Ops": -1}, "team rates: team 'Ops' cannot be negative, not -1"),
        ("team_rates", {"Ops": "lots"}, "team rates: team 'Ops' must be a number"),
        ("team_rates", {" ": 5}, "team rates: a team's name is empty"),
        ("team_rates", {"Ops": 1, " Ops": 2}, "team 'Ops' is listed twice"),
        ("team_rates", [("Ops", 1)], "team rates must map team names to hourly rates"),
        ("itil", ValueStreamDescription(trigger="\ud800"), "ITIL description: trigger holds a "
                                                           "broken character"),
        ("itil", "restore", "ITIL description must be ValueStreamDescription"),
    ]
    for name, value, message in refusals:
        with pytest.raises(ModelError, match=message):
            map_.set_field(name, value)
    assert map_.snapshot() == ValueStreamMap("Now", id=map_.id).snapshot()  # nothing changed


def test_map_settings_are_normalised_and_emit_their_event():
    map_ = ValueStreamMap("Now")
    events: list[object] = []
    map_.subscribe(events.append)
    map_.set_field("target_lead_time", "1d 2h")  # 1,440 + 120 minutes
    map_.set_field("team_rates", {" Ops ": "80", "Dev": 95})
    map_.set_field("experience", Experience("survey", "3.9", 40.0, "Q3"))  # type: ignore[arg-type]
    map_.set_field("itil", ValueStreamDescription(" a trigger\r\n", "", "", ""))
    map_.set_field("currency", " GBP ")
    assert map_.target_lead_time == 1560.0
    assert map_.team_rates == {"Ops": 80.0, "Dev": 95.0}
    assert map_.experience == Experience("survey", 3.9, 40, "Q3")
    assert map_.itil.trigger == "a trigger" and map_.currency == "GBP"
    assert events == [MapChanged(name) for name in ("target_lead_time", "team_rates",
                                                   "experience", "itil", "currency")]
    rates = {"Ops": 80.0}
    map_.set_field("team_rates", rates)
    rates["Ops"] = 1.0  # the map holds its own copy
    assert map_.team_rates == {"Ops": 80.0}
    assert map_.set_field("team_rates", {"Ops": 80}) == {"Ops": 80.0}  # the same: no event
    assert events[-1] == MapChanged("team_rates") and len(events) == 6


def test_the_snapshot_compares_the_new_settings():
    first, second = full_map(), full_map()
    assert first.snapshot()[1:] == second.snapshot()[1:]  # [0]: the map's own id
    for name, value in (("team_rates", {"Service desk": 45, "Vendor": 91}),
                        ("experience", Experience("csat", 78.5, 413, "Q3 survey")),
                        ("itil", ValueStreamDescription(stakeholders="Users")),
                        ("target_lead_time", 2881), ("currency", "€")):
        second = full_map()
        second.set_field(name, value)
        assert first.snapshot()[1:] != second.snapshot()[1:], name


def test_duplicate_and_future_state_copy_everything_stakeholders_ask():
    current = full_map()
    for copy in (duplicate_map(current, "Copy"), future_state_of(current, "Future")):
        assert (copy.target_lead_time, copy.experience, copy.currency, copy.team_rates,
                copy.itil) == (2880.0, current.experience, "$", current.team_rates, current.itil)
        step = copy.steps[0]
        assert (step.target_time, step.hourly_rate, step.practices, step.information) == (
            30.0, 50.0, ("service_desk",), "ITSM tool")
        copy.set_field("team_rates", {"Ops": 1})
        assert current.team_rates == {"Service desk": 45.0, "Vendor": 90.5}


def test_experience_in_words():
    assert experience_words(Experience("csat", 78.5, 412)) == "CSAT 78.5% (412 responses)"
    assert experience_words(Experience("survey", 3.94)) == "Survey 3.94 of 5"
    assert experience_words(Experience("survey", 4, 1)) == "Survey 4 of 5 (1 response)"


def test_money_in_words():
    from vsm.model.stakeholders import money_words

    assert money_words(1234.5, "€") == "€1,234.50"
    assert money_words(-12, "$") == "-$12.00"
    assert money_words(99.999, "GBP") == "GBP 100.00"
    assert money_words(None, "€") == "–" and money_words(float("inf"), "€") == "–"
