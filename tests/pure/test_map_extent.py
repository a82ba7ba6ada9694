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
