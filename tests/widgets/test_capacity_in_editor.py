"""Demand and capacity in the editor: the over_capacity flag has its own badge and threshold."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ui.canvas.scene import MapScene
from ui.document.document import Document
from ui.panels.properties import PropertiesPanel
from vsm.files.bundled import template_path


def test_over_capacity_step_shows_its_own_badge(qtbot):
    # The template's current state sets a demand; account creation is planned at 88 % utilised.
    document = Document.open(template_path("fulfil-a-user-request"), read_only=True)
    map_ = document.project.maps[0]
    scene = MapScene(document, map_)
    over = [item for item in scene.item_for_step.values() if "over_capacity" in item.flags]
    assert [item.step.name for item in over] == ["Create the account and set permissions"]
    badges = [b for b in over[0].childItems() if getattr(b, "flag", "") == "over_capacity"]
    assert len(badges) == 1
    assert "Over capacity" in badges[0].toolTip() and "utilised" in badges[0].toolTip()
    scene.detach()
    document.close()


def test_map_settings_offer_the_capacity_threshold(qtbot):
    document = Document.open(template_path("fulfil-a-user-request"), read_only=True)
    panel = PropertiesPanel(document)
    qtbot.addWidget(panel)
    panel.set_map(document.project.maps[0])
    panel.set_selection([], [])
    labels = [label.text() for label in panel.findChildren(QLabel)]
    assert any("Over capacity from" in text for text in labels)
    document.close()
