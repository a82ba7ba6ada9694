"""A map's snapshot after one edit reuses the last snapshot's copies (ui.document.snapshots):
only the records an event named since, and the records added after the others, are copied or
looked up; the snapshot holds the map as it is."""

from __future__ import annotations

from bench.generate import synthetic_project
from ui.document.document import Document
from ui.document.snapshots import MapRecords
from vsm.model import Flow, Step


class CountingDict(dict):
    """A dict that counts the lookups made through get()."""

    lookups = 0

    def get(self, key, default=None):
        CountingDict.lookups += 1
        return super().get(key, default)


def test_a_snapshot_after_one_edit_copies_only_what_changed(qapp):
    document = Document(synthetic_project(50), autosave=False)
    map_ = document.project.maps[0]
    copies = document.live.copies(map_.id)
    MapRecords.of(map_, copies=copies)  # every record copied and kept
    copies._copies = CountingDict(copies._copies)
    first = map_.steps[0]
    map_.set_step_field(first.id, "wait_time", 1234)  # one step changed in place
    new = map_.add_step(Step("New", x=5000, y=0))  # one step and one flow after the others
    map_.add_flow(Flow(first.id, new.id))
    CountingDict.lookups = 0
    records = MapRecords.of(map_, kaizens=False, copies=copies)
    # The changed step, the new step and the new flow: three lookups, not one per record
    # (50 steps and their flows).
    assert CountingDict.lookups == 3
    assert records.steps[0].wait_time == 1234 and records.steps[-1].name == "New"
    assert records == MapRecords.of(map_, kaizens=False)  # as fresh copies of the map
    assert records.steps[0] is not map_.steps[0]  # copies, not the live records


def test_a_removal_or_a_setting_still_gives_the_map_as_it_is(qapp):
    document = Document(synthetic_project(50), autosave=False)
    map_ = document.project.maps[0]
    copies = document.live.copies(map_.id)
    MapRecords.of(map_, copies=copies)
    map_.remove_items([map_.steps[3].id])
    assert MapRecords.of(map_, copies=copies) == MapRecords.of(map_)
    map_.set_step_field(map_.steps[0].id, "name", "Renamed")
    map_.set_step_field(map_.steps[0].id, "name", "Again")  # named twice before a snapshot
    assert MapRecords.of(map_, copies=copies) == MapRecords.of(map_)
    assert MapRecords.of(map_, copies=copies).steps[0].name == "Again"


def test_the_undo_of_a_delete_of_everything_reuses_the_copies_made_before_it(qapp):
    document = Document(synthetic_project(50), autosave=False)
    map_ = document.project.maps[0]
    copies = document.live.copies(map_.id)
    before = MapRecords.of(map_, copies=copies)
    removal = map_.remove_items([step.id for step in map_.steps])
    emptied = MapRecords.of(map_, copies=copies)
    assert emptied.steps == () and emptied.flows == ()
    map_.restore_items(removal)  # the undo: the very records, unchanged
    after = MapRecords.of(map_, copies=copies)
    # The same copy objects as before the delete (50 steps and their flows), not new ones ...
    assert all(a is b for a, b in zip(after.steps, before.steps, strict=True))
    assert all(a is b for a, b in zip(after.flows, before.flows, strict=True))
    # ... and still the map as it is.
    assert after == MapRecords.of(map_)


def test_a_record_changed_while_out_of_the_map_is_copied_again(qapp):
    document = Document(synthetic_project(50), autosave=False)
    map_ = document.project.maps[0]
    copies = document.live.copies(map_.id)
    MapRecords.of(map_, copies=copies)
    removal = map_.remove_items([step.id for step in map_.steps])
    MapRecords.of(map_, copies=copies)
    removal.steps[4][0].name = "Changed meanwhile"  # outside the map: no event of this map
    map_.restore_items(removal)
    after = MapRecords.of(map_, copies=copies)
    assert after.steps[4].name == "Changed meanwhile"
    assert after == MapRecords.of(map_)


def test_a_batchs_records_are_forgotten_on_the_next_turn_or_when_copies_are_asked_first(qapp):
    # A delete of 20,000 steps names 48,000 records: forgetting their copies took 13-16 ms of
    # the delete's own turn; it waits for the next turn, unless a snapshot comes before.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.document.snapshots import RecordCopies

    document = Document(synthetic_project(50), autosave=False)
    map_ = document.project.maps[0]
    copies = document.live.copies(map_.id)
    forgotten: list[int] = []
    forget_batch = RecordCopies._forget_batch
    copies._forget_batch = lambda events: forgotten.append(len(events)) or forget_batch(
        copies, events)
    MapRecords.of(map_, copies=copies)
    removed = [step.id for step in map_.steps[:10]]
    document.remove(map_.id, removed, [], [])
    assert forgotten == []  # not in the delete's turn
    # Nor in the calls posted meanwhile, which the event loop runs before its timers (before
    # the window's own timers, as the rest of the delete's turn): on a timer's turn.
    seen_by_a_posted_call: list[int] = []
    QTimer.singleShot(0, lambda: seen_by_a_posted_call.append(len(forgotten)))
    QApplication.processEvents()  # the next turn
    assert seen_by_a_posted_call == [0]
    assert len(forgotten) == 1 and forgotten[0] > 10  # the steps and their flows, at once
    document.undo_stack.undo()  # the very records back, their fields unchanged
    assert len(forgotten) == 1
    records = MapRecords.of(map_, copies=copies)  # asked first: forgotten now, then copied
    assert len(forgotten) == 2
    assert records == MapRecords.of(map_)  # as fresh copies of the map
