"""MapExtent (ui.canvas.extent) gives the bounds a full measure gives after any sequence of
items added, moved and removed, measuring every item only when a side lost all its items."""

from __future__ import annotations

import random

from ui.canvas.extent import MapExtent


def make(boxes: dict[str, tuple[float, float, float, float]]) -> MapExtent:
    return MapExtent(boxes.get, lambda: list(boxes.items()))


def full(boxes: dict) -> tuple | None:
    if not boxes:
        return None
    values = list(boxes.values())
    return (min(b[0] for b in values), min(b[1] for b in values),
            max(b[2] for b in values), max(b[3] for b in values))


def test_a_side_is_measured_again_only_when_its_last_item_leaves_it():
    boxes = {"a": (0, 0, 10, 10), "b": (20, 0, 30, 10), "c": (20, 20, 30, 30)}
    extent = make(boxes)
    assert extent.bounds() == (0, 0, 30, 30) and extent.measures == 1
    boxes["d"] = (40, 5, 50, 15)  # further right: the right side is d alone
    extent.touch(["d"])
    assert extent.bounds() == (0, 0, 50, 30) and extent.measures == 1
    del boxes["b"]  # on the top edge with a: a still holds it
    extent.touch(["b"])
    assert extent.bounds() == (0, 0, 50, 30) and extent.measures == 1
    boxes["d"] = (25, 5, 35, 15)  # the only item on the right moved inward: measured again
    extent.touch(["d"])
    assert extent.bounds() == (0, 0, 35, 30) and extent.measures == 2


def test_any_sequence_of_edits_gives_the_full_measure():
    rng = random.Random(19)
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for index in range(30):
        x, y = rng.randrange(0, 10) * 10.0, rng.randrange(0, 10) * 10.0  # ties on purpose
        boxes[f"i{index}"] = (x, y, x + 5, y + 5)
    extent = make(boxes)
    for _ in range(500):
        key = f"i{rng.randrange(40)}"
        if key in boxes and rng.random() < 0.3:
            del boxes[key]
        else:
            x, y = rng.randrange(-3, 13) * 10.0, rng.randrange(-3, 13) * 10.0
            boxes[key] = (x, y, x + 5, y + 5)
        extent.touch([key])
        assert extent.bounds() == full(boxes)
    assert extent.measures < 250  # most edits updated the bounds from the touched item


def test_touching_a_good_part_of_the_map_has_it_measured_once_instead():
    # 2,000 boxes in a row, 10 apart: (10i, 0, 10i + 5, 5). Every one moved 100 down and
    # touched (an auto-layout): 2,000 >= MANY (1,000) and >= a quarter of the 2,000 counted,
    # so the map is measured again, once, not updated item by item. The bounds: left 0, top
    # 100, right 10 * 1999 + 5 = 19995, bottom 105.
    boxes = {f"i{i}": (10.0 * i, 0.0, 10.0 * i + 5, 5.0) for i in range(2000)}
    extent = make(boxes)
    assert extent.bounds() == (0.0, 0.0, 19995.0, 5.0) and extent.measures == 1
    for key, (left, top, right, bottom) in list(boxes.items()):
        boxes[key] = (left, top + 100, right, bottom + 100)
    extent.touch(boxes)
    assert extent.stale
    assert extent.bounds() == (0.0, 100.0, 19995.0, 105.0) == full(boxes)
    assert extent.measures == 2
    # 999 touched (under MANY): noted one by one. i0 moved 10 left: left -10; no measure.
    boxes["i0"] = (-10.0, 100.0, -5.0, 105.0)
    extent.touch(list(boxes)[:999])
    assert not extent.stale
    assert extent.bounds() == (-10.0, 100.0, 19995.0, 105.0) == full(boxes)
    assert extent.measures == 2


def test_a_full_measure_keeps_every_item_on_each_edge():
    # Ties on every side, ints and floats mixed: a (0, 0, 10, 10), b (0.0, 5, 10.0, 20),
    # c (3, 0, 7, 20). Left 0: a and b; top 0: a and c; right 10: a and b; bottom 20: b, c.
    boxes = {"a": (0, 0, 10, 10), "b": (0.0, 5, 10.0, 20), "c": (3, 0, 7, 20)}
    extent = make(boxes)
    assert extent.bounds() == (0, 0, 10, 20)
    assert extent._edges == [{"a", "b"}, {"a", "c"}, {"a", "b"}, {"b", "c"}]


def sliced(boxes: dict, size: int) -> MapExtent:
    """A MapExtent whose full measure can be taken `size` boxes a slice, each slice read from
    `boxes` when its turn comes (as the scene's are)."""
    def slices():
        keys = list(boxes)
        for start in range(0, len(keys), size):
            yield [(key, boxes[key]) for key in keys[start:start + size] if key in boxes]
    return MapExtent(boxes.get, lambda: list(boxes.items()), slices)


def test_a_measure_in_slices_finds_the_bounds_and_edges_of_one_measure():
    # Five boxes, two a slice: [a, b], [c, d], [e]. Left: a 0, c 0 -> 0 {a, c}; top: b -5
    # alone; right: d 30, e 30 -> 30 {d, e} (a later slice beats b's 20, then ties); bottom:
    # a 10, c 10, e 10 -> 10 {a, c, e}.
    boxes = {"a": (0, 0, 10, 10), "b": (5, -5, 20, 5), "c": (0.0, 0, 10, 10.0),
             "d": (20, 0, 30, 8), "e": (25, 0, 30, 10)}
    extent = sliced(boxes, 2)
    assert extent.stale
    walked = 0
    while not extent.measure_slice():  # three slices, then the end of the walk
        walked += 1
        assert extent.stale  # until the walk is over
    assert walked == 3 and not extent.stale
    assert extent.measures == 1
    assert extent.bounds() == (0, -5, 30, 10) == full(boxes)
    assert extent._edges == [{"a", "c"}, {"b"}, {"d", "e"}, {"a", "c", "e"}]
    assert extent.measures == 1  # the ask measured nothing more
    one = make(boxes)
    assert one.bounds() == extent.bounds() and one._edges == extent._edges


def test_items_changed_during_a_measure_in_slices_are_read_when_it_ends():
    rng = random.Random(7)
    for _ in range(200):
        boxes = {}
        for index in range(12):
            x, y = rng.randrange(0, 6) * 10.0, rng.randrange(0, 6) * 10.0  # ties on purpose
            boxes[f"i{index}"] = (x, y, x + 5, y + 5)
        extent = sliced(boxes, 3)
        extent.bounds()
        extent.invalidate()
        while not extent.measure_slice():
            key = f"i{rng.randrange(15)}"  # an edit between two slices, noted as the scene notes it
            if key in boxes and rng.random() < 0.3:
                del boxes[key]
            else:
                x, y = rng.randrange(-2, 8) * 10.0, rng.randrange(-2, 8) * 10.0
                boxes[key] = (x, y, x + 5, y + 5)
            extent.touch([key])
        assert extent.bounds() == full(boxes)


def test_asking_during_a_measure_in_slices_finishes_it_and_invalidating_starts_it_again():
    boxes = {f"i{i}": (10.0 * i, 0.0, 10.0 * i + 5, 5.0) for i in range(10)}
    extent = sliced(boxes, 4)
    assert not extent.measure_slice()  # i0..i3 walked
    assert extent.bounds() == (0.0, 0.0, 95.0, 5.0)  # 10 * 9 + 5: the rest walked at once
    assert extent.measures == 1 and not extent.stale
    extent.invalidate()
    assert not extent.measure_slice()
    boxes["i9"] = (10.0, 0.0, 15.0, 5.0)  # not noted: invalidated instead
    extent.invalidate()  # the walk under way is dropped: the next starts from the first box
    while not extent.measure_slice():
        pass
    assert extent.measures == 2
    assert extent.bounds() == (0.0, 0.0, 85.0, 5.0)  # i8 now rightmost: 80 + 5
