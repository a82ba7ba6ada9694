"""Edits of many items through the document's verbs: one command, undone exactly, and one pass
over the map each way, not one per item (the work is counted, never timed)."""

from __future__ import annotations

import vsm.model.maps as maps_module
from bench.generate import synthetic_project
from tests.helpers.qt import round_trip
from ui.document.document import Document
from vsm.model import Flow, Kaizen, Step, ValueStreamMap
from vsm.model.events import BatchEnded, BatchStarted


def big_document(steps: int = 400) -> Document:
    return Document(synthetic_project(steps), autosave=False)


def counting(monkeypatch, owner: object, name: str) -> list[int]:
    """Count the calls of owner.name (one entry per call)."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_deleting_many_steps_is_one_command_that_undo_reverses_in_one_pass(qapp, monkeypatch):
    doc = big_document()
    map_ = doc.project.maps[0]
    map_.add_kaizen(Kaizen(step_id=map_.steps[2].id, id="burst"))
    chosen = [s.id for s in map_.steps[::2]]  # 200 steps, every other one
    scans = counting(monkeypatch, ValueStreamMap, "flows_of")  # one scan of every flow each
    inserts = counting(monkeypatch, maps_module, "inserted")  # one dict rebuild each
    round_trip(doc, lambda: doc.remove(map_.id, chosen),
               lambda: len(map_.steps) == 200 and not map_.has_kaizen("burst")
               and all(f.source not in chosen and f.target not in chosen for f in map_.flows))
    # The one-by-one path scanned every flow 400 times (200 in the verb, 200 in the command)
    # and its undo inserted 688 items one by one, each a copy of the dict unless at its end.
    assert scans == [] and inserts == []


def test_a_delete_of_a_selection_of_steps_and_their_flows_scans_the_flows_once(qapp, monkeypatch):
    # Select all, then Delete: the verb found the flows touching the chosen steps to leave them
    # to the steps, then the model found them again (28,000 flows read twice at 20,000 steps).
    # The model takes the steps' flows whether or not they are named too: one scan is enough.
    doc = big_document()
    map_ = doc.project.maps[0]
    chosen = [s.id for s in map_.steps[:100]]
    touching = [f.id for f in map_.flows if f.source in chosen or f.target in chosen]
    others = [f.id for f in map_.flows if f.id not in touching][:3]
    before = ([s.id for s in map_.steps], [f.id for f in map_.flows])
    scans = counting(monkeypatch, ValueStreamMap, "flows_touching")
    assert doc.remove(map_.id, chosen, touching + others)
    assert len(scans) == 1
    # Exactly what naming the steps alone, then the three other flows, takes out.
    assert [s.id for s in map_.steps] == before[0][100:]
    assert [f.id for f in map_.flows] == [f for f in before[1]
                                          if f not in touching and f not in others]
    assert doc.undo_stack.command(doc.undo_stack.count() - 1).text() == (
        f"Delete {100 + len(touching) + 3} items")
    doc.undo_stack.undo()
    assert ([s.id for s in map_.steps], [f.id for f in map_.flows]) == before


def test_pasting_many_steps_and_undoing_it_are_one_batch_each(qapp):
    doc = big_document(50)
    map_ = doc.project.maps[0]
    steps = [Step(name=f"Pasted {i}", id=f"p{i}") for i in range(300)]
    flows = [Flow(f"p{i}", f"p{i + 1}", id=f"pf{i}") for i in range(299)]
    events: list[object] = []
    map_.subscribe(events.append, batches=True)
    round_trip(doc, lambda: doc.add_steps(map_.id, steps, flows),
               lambda: len(map_.steps) == 350 and map_.steps[-1].id == "p299")
    batches = [type(e) for e in events if isinstance(e, (BatchStarted, BatchEnded))]
    assert batches == [BatchStarted, BatchEnded] * 3  # the paste, its undo, its redo


def test_auto_layout_of_a_big_map_is_one_batch_of_moves(qapp):
    from vsm.model.layout import auto_layout

    doc = big_document(300)
    map_ = doc.project.maps[0]
    events: list[object] = []
    map_.subscribe(events.append, batches=True)
    positions = auto_layout(map_, column_spacing=300.0)
    round_trip(doc, lambda: doc.move(map_.id, positions, text="Auto-layout"),
               lambda: all((s.x, s.y) == positions[s.id] for s in map_.steps))
    assert [type(e) for e in events if isinstance(e, (BatchStarted, BatchEnded))] == [
        BatchStarted, BatchEnded] * 3


def test_a_move_of_many_steps_looks_each_step_up_once(qapp, monkeypatch):
    # The verb cleaned every position, then looked each step up again (a method call each) to
    # keep those that move: an auto-layout of 20,000 steps, 20,000 calls more.
    doc = big_document(300)
    map_ = doc.project.maps[0]
    looked_up = counting(monkeypatch, ValueStreamMap, "step")
    cleaned = counting(monkeypatch, ValueStreamMap, "clean_step_field")
    positions = {s.id: (s.x + 40.0, s.y) for s in map_.steps}
    positions[map_.steps[0].id] = (map_.steps[0].x, map_.steps[0].y)  # one stays
    round_trip(doc, lambda: doc.move(map_.id, positions, text="Auto-layout"),
               lambda: all((s.x, s.y) == positions[s.id] for s in map_.steps))
    assert looked_up == [] and cleaned == []  # floats: nothing to clean
    assert doc.undo_stack.command(doc.undo_stack.count() - 1).new[0].keys() == set(
        positions) - {map_.steps[0].id}  # the step that stays is not in the command


def test_a_big_delete_and_its_undo_mark_the_figures_stale_once_each(qapp, monkeypatch):
    from ui.document.live_analysis import LiveAnalysis

    doc = big_document()
    map_ = doc.project.maps[0]
    doc.analysis(map_.id)
    marks = counting(monkeypatch, LiveAnalysis, "_mark_stale")
    chosen = [s.id for s in map_.steps[::2]]  # 200 steps and their flows: ~500 events
    doc.remove(map_.id, chosen)
    assert len(marks) == 1  # once for the batch, not once per event (a timer restart each)
    assert doc.live._stale == {map_.id}
    doc.undo_stack.undo()
    assert len(marks) == 2
    # The figures are those of the map as it is, whatever the batch left to recompute.
    assert doc.analysis(map_.id) == Document(doc.project, autosave=False).analysis(map_.id)


def test_a_batch_of_moves_alone_leaves_the_figures_as_they_are(qapp, monkeypatch):
    from ui.document.live_analysis import LiveAnalysis

    doc = big_document(50)
    map_ = doc.project.maps[0]
    first = doc.analysis(map_.id)
    marks = counting(monkeypatch, LiveAnalysis, "_mark_stale")
    doc.move(map_.id, {s.id: (s.x + 40, s.y) for s in map_.steps}, text="Move")
    assert marks == [] and doc.analysis(map_.id) is first  # positions change no figure


def test_a_snapshot_after_a_batch_holds_what_the_batch_changed(qapp):
    from ui.document.snapshots import MapRecords

    doc = big_document(50)
    map_ = doc.project.maps[0]
    copies = doc.live.copies(map_.id)
    MapRecords.of(map_, copies=copies)  # every record copied and kept
    first, last = map_.steps[0], map_.steps[-1]
    with map_.batch():  # the copies hear of these at the batch's end, all at once
        map_.set_step_field(first.id, "wait_time", 1234)
        map_.remove_items([last.id])
    records = MapRecords.of(map_, copies=copies)
    assert records.steps[0].wait_time == 1234 and len(records.steps) == 49
    assert records == MapRecords.of(map_)  # as fresh copies of the map as it is


def test_a_setting_changed_within_a_batch_is_told_and_its_figures_follow(qapp):
    doc = big_document(50)
    map_ = doc.project.maps[0]
    doc.analysis(map_.id)
    told: list[tuple[str, str]] = []
    doc.map_settings_changed.connect(lambda map_id, field: told.append((map_id, field)))
    with map_.batch():
        map_.set_field("demand", 10.0)
        map_.remove_items([map_.steps[-1].id])
    assert told == [(map_.id, "demand")]  # told once, at the batch's end
    assert doc.analysis(map_.id) == Document(doc.project, autosave=False).analysis(map_.id)
