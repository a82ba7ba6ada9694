"""Editing what stakeholders ask through the document's verbs: one command each, refused values
push nothing, undo restores the model exactly (tests/helpers/qt.py round_trip)."""

from __future__ import annotations

import pytest

from tests.helpers.maps import loop_map
from tests.helpers.qt import round_trip
from ui.document.document import Document
from vsm.model import Experience, ModelError, Project, ValueStreamDescription


def document() -> Document:
    return Document(Project("Test", [loop_map()], id="p"))


def test_map_settings_round_trip(qapp):
    doc = document()
    map_ = doc.project.maps[0]
    round_trip(doc, lambda: doc.set_map_field(map_.id, "target_lead_time", "3d"),
               lambda: map_.target_lead_time == 3 * 24 * 60)
    round_trip(doc, lambda: doc.set_map_field(map_.id, "team_rates", {"Ops": 80, "Dev": 95}),
               lambda: map_.team_rates == {"Ops": 80.0, "Dev": 95.0})
    round_trip(doc, lambda: doc.set_map_field(map_.id, "experience",
                                              Experience("csat", 81.0, 120)),
               lambda: map_.experience == Experience("csat", 81.0, 120))
    round_trip(doc, lambda: doc.set_map_field(map_.id, "itil",
                                              ValueStreamDescription(trigger="Outage")),
               lambda: map_.itil.trigger == "Outage")
    round_trip(doc, lambda: doc.set_map_field(map_.id, "currency", "CHF"),
               lambda: map_.currency == "CHF")


def test_step_fields_round_trip(qapp):
    doc = document()
    map_ = doc.project.maps[0]
    round_trip(doc, lambda: doc.set_step_field(map_.id, "B", "practices",
                                               "Service desk; change_enablement"),
               lambda: map_.step("B").practices == ("service_desk", "change_enablement"))
    round_trip(doc, lambda: doc.set_step_field(map_.id, "B", "hourly_rate", "62.5"),
               lambda: map_.step("B").hourly_rate == 62.5)
    round_trip(doc, lambda: doc.set_step_field(map_.id, "B", "target_time", "4h"),
               lambda: map_.step("B").target_time == 240)
    round_trip(doc, lambda: doc.set_step_field(map_.id, "B", "information", "CMDB"),
               lambda: map_.step("B").information == "CMDB")


def test_refused_values_push_nothing(qapp):
    doc = document()
    map_ = doc.project.maps[0]
    with pytest.raises(ModelError, match="team 'Ops' cannot be negative"):
        doc.set_map_field(map_.id, "team_rates", {"Ops": -1})
    with pytest.raises(ModelError, match="'Tarot' is not one of ITIL 4's 34"):
        doc.set_step_field(map_.id, "B", "practices", ["Tarot"])
    assert doc.undo_stack.count() == 0
