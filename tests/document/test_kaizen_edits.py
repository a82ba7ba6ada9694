"""Kaizen bursts through the document's verbs: added, changed, moved with steps and removed with
them, each one command that undo reverses exactly (tests/helpers/qt.py round_trip)."""

from __future__ import annotations

import pytest

from tests.helpers.maps import two_step_map
from tests.helpers.qt import round_trip
from ui.document.document import Document
from vsm.model import Kaizen, ModelError, Project


def make_document() -> Document:
    return Document(Project("Test", [two_step_map()], id="p"))


def test_add_kaizen_round_trip():
    document = make_document()
    map_ = document.project.maps[0]
    kaizen = Kaizen("Cut the queue", step_id="B", expected_saving_minutes=60, id="k")
    round_trip(document, lambda: document.add_kaizen(map_.id, kaizen),
               lambda: map_.kaizens == [kaizen] and map_.kaizen("k").step_id == "B")
    assert map_.kaizens_of("B") == [kaizen]


def test_add_kaizen_refuses_bad_kaizens_before_push():
    document = make_document()
    map_ = document.project.maps[0]
    with pytest.raises(ModelError, match="needs a title"):
        document.add_kaizen(map_.id, Kaizen("  "))
    with pytest.raises(ModelError, match="not in the map"):
        document.add_kaizen(map_.id, Kaizen("Idea", step_id="nope"))
    with pytest.raises(ModelError, match="due"):
        document.add_kaizen(map_.id, Kaizen("Idea", due="31/12/2026"))
    assert document.undo_stack.count() == 0 and map_.kaizens == []


@pytest.mark.parametrize("field, value, expected", [
    ("title", "Standard changes", "Standard changes"),
    ("waste", "overprocessing", "overprocessing"),
    ("due", "2026-12-18", "2026-12-18"),
    ("status", "in_progress", "in_progress"),
    ("expected_saving_minutes", "2h 30m", 150.0),
    ("step_id", None, None),
    ("owner", " Change manager ", "Change manager"),
])
def test_set_kaizen_field_round_trip(field, value, expected):
    document = make_document()
    map_ = document.project.maps[0]
    map_.add_kaizen(Kaizen("Idea", step_id="A", id="k"))
    round_trip(document, lambda: document.set_kaizen_field(map_.id, "k", field, value),
               lambda: getattr(map_.kaizen("k"), field) == expected)


def test_set_kaizen_field_refuses_before_push():
    document = make_document()
    map_ = document.project.maps[0]
    map_.add_kaizen(Kaizen("Idea", id="k"))
    for field, value in (("status", "someday"), ("due", "2026-02-30"), ("step_id", "nope"),
                         ("title", ""), ("colour", "red")):
        with pytest.raises(ModelError):
            document.set_kaizen_field(map_.id, "k", field, value)
    assert document.undo_stack.count() == 0


def test_move_moves_steps_and_kaizens_together():
    document = make_document()
    map_ = document.project.maps[0]
    map_.add_kaizen(Kaizen("Idea", x=10, y=-90, id="k"))
    round_trip(document, lambda: document.move(map_.id, {"A": (20, 40)}, {"k": (50, -60)}),
               lambda: (map_.step("A").x, map_.step("A").y, map_.kaizen("k").x,
                        map_.kaizen("k").y) == (20, 40, 50, -60))


def test_remove_steps_and_kaizens_is_one_command_restoring_the_order():
    document = make_document()
    map_ = document.project.maps[0]
    for kaizen in (Kaizen("Free 1", id="f1"), Kaizen("On B", step_id="B", id="kb"),
                   Kaizen("Free 2", id="f2"), Kaizen("On A", step_id="A", id="ka")):
        map_.add_kaizen(kaizen)
    # kb is attached to B, removed with it; naming it as well must not remove it twice
    round_trip(document, lambda: document.remove(map_.id, ["B"], [], ["kb", "f1"]), lambda: [k.id for k in map_.kaizens] == ["f2", "ka"]
               and not map_.has_step("B") and map_.flows == [])
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    assert [k.id for k in map_.kaizens] == ["f1", "kb", "f2", "ka"]


def test_removing_one_kaizen_is_named_for_it():
    document = make_document()
    map_ = document.project.maps[0]
    map_.add_kaizen(Kaizen("Idea", id="k"))
    round_trip(document, lambda: document.remove(map_.id, [], [], ["k"]),
               lambda: map_.kaizens == [])
    assert document.undo_stack.undoText() == "Delete kaizen"
