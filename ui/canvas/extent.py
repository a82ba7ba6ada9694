"""MapExtent: the map's extent (its steps and flows) kept between edits, not measured again
over every item after each one.

The extent is four bounds (left, top, right, bottom) and, for each side, the items that reach
it (`edges`). An edit notes the items it added, moved or removed (`touch`, by key, read when
the extent is next asked for). When asked, each touched item extends the sides it passes, joins
the edges it reaches and leaves those it no longer reaches (removed, or now inward); an item
not touched is where it was. A side whose edge items all left is measured again over every
item (`measure`): only then is the whole map walked. So an edit that adds or moves an
item costs the items it changed; one that takes the only item on an edge inward costs a
measure, as before. The numbers are those a full measure gives (the same boxes, the same
min and max).

An edit that touches a good part of the map (`many`: MANY items or more, and at least a quarter
of those the last measure counted — an auto-layout, its undo, a delete of thousands of steps)
has the map measured again instead: noting each item costs a few times what the measure, which
walks the boxes in C (`_measure`), costs per item, and a move of every step takes the items off
every edge anyway.

A full measure can also be taken in slices (`measure_slice`, over `slices()`: the boxes a slice
at a time, each read when its turn comes), so that measuring a 20,000-step map again (48,000
boxes, about 100 ms) never holds one turn of the event loop: each slice folds its boxes into
the bounds and edges found so far (the same min, max and edge items as one pass over them all);
items touched meanwhile are noted as usual and read when the walk ends. Asking for the bounds
while a walk is under way finishes it at once.

The scene says what an item's box is (`box`: None for an item that does not count, removed or
still to follow its steps) and walks every item's box for a full measure (`boxes`), or a slice
of them at a time (`slices`).
"""

from __future__ import annotations

from itertools import compress, repeat
from operator import eq
from typing import Callable, Hashable, Iterable, Iterator, Sequence

Box = tuple[float, float, float, float]  # left, top, right, bottom
Key = Hashable  # an item's key: ("s", step id) or ("f", flow id)

_LOW = (0, 1)  # left and top: the lowest value is the bound
_SIDES = (0, 1, 2, 3)
MANY = 1000  # touched items: fewer are always noted one by one


class MapExtent:
    """The bounds of the map's items, kept up to date from what changed."""

    def __init__(self, box: Callable[[Key], Box | None],
                 boxes: Callable[[], Iterable[tuple[Key, Box]]],
                 slices: Callable[[], Iterable[Sequence[tuple[Key, Box]]]] | None = None,
                 ) -> None:
        """`box(key)`: the item's box now (None: it does not count); `boxes()`: every item's
        key and box, for a full measure; `slices()`: the same a slice at a time (each slice
        read when it is asked for), for a measure in slices (`measure_slice`)."""
        self._box = box
        self._boxes = boxes
        self._slices = slices if slices is not None else lambda: (list(boxes()),)
        self._walk: Iterator[Sequence[tuple[Key, Box]]] | None = None  # a measure in slices
        self._found: list[float] | None = None  # its bounds so far (None: no item yet)
        self._found_edges: list[set[Key]] = []
        self._found_count = 0
        self._bounds: list[float] | None = None  # None: nothing measured yet, or no item
        self._edges: list[set[Key]] = [set(), set(), set(), set()]
        self._touched: dict[Key, None] = {}
        self._stale = True  # measure every item on the next ask
        self._counted = 0  # the items the last measure counted
        self.measures = 0  # full measures taken (what the tests look at)

    def invalidate(self) -> None:
        """Measure every item again on the next ask (something changed that was not noted)."""
        self._stale = True
        self._touched = {}
        self._walk = None  # a measure in slices under way starts again

    def touch(self, keys: Iterable[Key]) -> None:
        """Note items added, moved (or whose box changed) or removed: read on the next ask.
        Every change of an item's box must be noted so, or `invalidate` called."""
        if not self._stale:
            self._touched.update(dict.fromkeys(keys))
            if self.many(len(self._touched)):
                self.invalidate()

    def many(self, count: int) -> bool:
        """Whether noting `count` items one by one would cost more than measuring every item
        again (see the module docstring): an edit of that many is better `invalidate`d."""
        return count >= MANY and 4 * count >= self._counted

    @property
    def stale(self) -> bool:
        """Whether the next ask measures every item (or the rest of a measure in slices)."""
        return self._stale or self._walk is not None

    def measure_slice(self) -> bool:
        """Take the next slice of a full measure (the first, if the extent is stale); True once
        the walk is over (or none was needed): the next ask then only notes what was touched."""
        if self._walk is None:
            if not self._stale:
                return True
            self._stale = False  # from now on touched items are noted: read when it ends
            self._touched = {}
            self._walk = iter(self._slices())
            self._found, self._found_edges, self._found_count = None, [], 0
        piece = next(self._walk, None)
        if piece is None:
            self._end_walk()
            return True
        self._fold(piece)
        return False

    def bounds(self) -> Box | None:
        """The map's left, top, right and bottom (None: no item counts)."""
        if self._walk is not None:  # a measure in slices under way: its rest now
            for piece in self._walk:
                self._fold(piece)
            self._end_walk()
        if not self._stale:
            self._update()
        if self._stale:
            self._measure()
        bounds = self._bounds
        return None if bounds is None else (bounds[0], bounds[1], bounds[2], bounds[3])

    def _update(self) -> None:
        """Bring the kept bounds up to date from the touched items; stale if a side lost every
        item on it."""
        touched, self._touched = self._touched, {}
        bounds, edges, box = self._bounds, self._edges, self._box
        if bounds is None:  # no item counted: the first one sets every side
            if touched:
                self._stale = True
            return
        for key in touched:  # an item not touched is where it was: on its edges or inside
            b = box(key)
            for side in _SIDES:
                edge = edges[side]
                if b is None:  # removed (or not counted any more)
                    edge.discard(key)
                    continue
                value, bound = b[side], bounds[side]
                if value == bound:
                    edge.add(key)
                elif (value < bound) if side in _LOW else (value > bound):
                    bounds[side] = value
                    edges[side] = {key}
                else:  # inside: if it was on this edge, it left it
                    edge.discard(key)
        if not all(edges):
            self._stale = True

    def _measure(self) -> None:
        """Measure every item: the bounds and the items on each side."""
        self.measures += 1
        self._stale = False
        self._touched = {}
        items = list(self._boxes())
        self._counted = len(items)
        if not items:
            self._bounds = None
            self._edges = [set(), set(), set(), set()]
            return
        # Every pass in C: the keys and boxes apart, each side's values in one tuple, its
        # bound their min or max, its edge the keys whose value equals the bound.
        keys, boxes = zip(*items)
        lefts, tops, rights, bottoms = zip(*boxes)
        bounds = [min(lefts), min(tops), max(rights), max(bottoms)]
        self._bounds = bounds
        self._edges = [set(compress(keys, map(eq, values, repeat(bound))))
                       for values, bound in zip((lefts, tops, rights, bottoms), bounds)]

    def _fold(self, piece: Sequence[tuple[Key, Box]]) -> None:
        """Fold a slice's boxes into the bounds and edges the walk found so far: each side's
        bound the min or max of both, its edge the keys whose value equals it."""
        if not piece:
            return
        self._found_count += len(piece)
        keys, boxes = zip(*piece)
        columns = tuple(zip(*boxes))  # the lefts, tops, rights and bottoms, each in C
        found = self._found
        if found is None:
            found = self._found = [min(columns[0]), min(columns[1]), max(columns[2]),
                                   max(columns[3])]
            self._found_edges = [set(compress(keys, map(eq, values, repeat(bound))))
                                 for values, bound in zip(columns, found)]
            return
        for side in _SIDES:
            values = columns[side]
            value, bound = (min(values), found[side]) if side in _LOW else (max(values),
                                                                            found[side])
            if value == bound:
                self._found_edges[side].update(compress(keys, map(eq, values, repeat(value))))
            elif (value < bound) if side in _LOW else (value > bound):
                found[side] = value
                self._found_edges[side] = set(compress(keys, map(eq, values, repeat(value))))

    def _end_walk(self) -> None:
        """A measure in slices is over: its bounds and edges are the extent's."""
        self.measures += 1
        self._walk = None
        self._counted = self._found_count
        if self._found is None:
            self._bounds = None
            self._edges = [set(), set(), set(), set()]
        else:
            self._bounds, self._edges = self._found, self._found_edges
        self._found, self._found_edges = None, []
