"""Where the connectors between step boxes run: orthogonal paths around the boxes.

An ordinary flow leaves its source box in the middle of the right edge and enters its target
box in the middle of the left edge, so its path has one of three shapes, which PowerPoint's glued
elbow connectors draw and the canvas draws the same way:

- straight: source and target at the same height with nothing between them;
- three segments: right to a vertical channel, up or down to the target's height, right into the
  target (a `bentConnector3`);
- five segments: right to a channel, up or down to a corridor between rows, along it, to a
  second channel, to the target's height and into the target (a `bentConnector5`): around the
  boxes in the way, or back to a target on the left.

A flow may also leave from the bottom of its source and enter the bottom of its target through a
corridor below both (a U, a turned `bentConnector3`): what a connector between two boxes of one
row with others between them needs, since a five-segment connector cannot start and end at the
same height. Work sent back for rework (`route_back`) takes a U above both boxes (top to top,
the classic rework arc) or, where a box stands in the way, below them.

`Router` tries the candidates from the shortest and simplest (few bends) and keeps the first whose
segments cross no box, keep `margin` away from every box but at their own ends, cross none of the
`obstacles` (labels) and do not run along a segment another flow already took (parallel runs are
spread by `spacing`). When no candidate is that clean, it takes the least bad: crossing a box is
far worse than passing behind a label or beside another run. Units are whatever the boxes are
in (inches on a slide, scene units on the canvas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

Point = tuple[float, float]
SIDES = (3, 1)  # connection sites of a rectangle: 0 top, 1 left, 2 bottom, 3 right
BOTTOMS = (2, 2)
TOPS = (0, 0)
BEND_COST = 3.0  # a bend costs as much as this many margins of length
BOX_CROSSING, LABEL_CROSSING, SHARED_RUN = 1000, 20, 10  # badness, in margins of length
SPREAD = 3  # parallel runs tried on each side of a channel or corridor
FALLBACKS = 400  # when no route is clean: the least bad of this many cheapest, at each spread


@dataclass(frozen=True)
class Box:
    """An obstacle and a connector end: a rectangle, top-left origin, y downwards."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def middle_y(self) -> float:
        return (self.top + self.bottom) / 2

    def grown(self, by: float) -> Box:
        """The box with `by` more on every side."""
        return Box(self.left - by, self.top - by, self.right + by, self.bottom + by)


@dataclass(frozen=True)
class Route:
    """A connector's path (its points, ends included) and the connection sites it leaves its
    source and enters its target by (SIDES or BOTTOMS)."""

    points: list[Point]
    sites: tuple[int, int]


@dataclass
class Router:
    """Routes the flows of one drawing among `boxes` (by id), one after the other."""

    boxes: dict[str, Box]
    margin: float  # keep this far from boxes, and this much straight line at each end
    spacing: float  # between parallel runs of different flows
    obstacles: list[Box] = field(default_factory=list)  # labels, badges: avoid them too
    _taken: list[tuple[Point, Point, str, str]] = field(default_factory=list)
    _near: dict[str, Box] = field(init=False)  # the boxes grown by the margin
    _clear: list[Box] = field(init=False)  # the obstacles grown by half a spacing

    def __post_init__(self) -> None:
        self._near = {box_id: box.grown(self.margin * 0.999) for box_id, box in self.boxes.items()}
        self._clear = [obstacle.grown(self.spacing / 2) for obstacle in self.obstacles]

    def route(self, source_id: str, target_id: str) -> Route:
        """The flow's path: from the source's right edge to the target's left, or from bottom to
        bottom through a corridor below them.

        The cheapest candidate (length, and bends) that crosses nothing, tried first on the
        plain channels and corridors, then spread sideways; if every candidate crosses
        something, the one crossing the least (a map drawn with boxes on top of each other)."""
        source, target = self.boxes[source_id], self.boxes[target_id]
        rejected: list[Route] = []
        for spread in (0, SPREAD):
            candidates = sorted(self._candidates(source, target, spread),
                                key=lambda route: self._cost(route.points))
            for route in candidates[:4000]:
                if self._badness(route.points, source_id, target_id, enough=1) == 0:
                    self._take(route.points, source_id, target_id)
                    return route
            rejected += candidates[:FALLBACKS]
        assert rejected  # the U below both boxes always yields candidates
        fallback = min(rejected, key=lambda route: self._badness(route.points, source_id,
                                                                 target_id) * self.margin
                       + self._cost(route.points))
        self._take(fallback.points, source_id, target_id)
        return fallback

    def route_back(self, source_id: str, target_id: str) -> Route:
        """A rework flow's path: a U from the top of the source to the top of the target through
        a corridor above both, or from bottom to bottom below both when that is cleaner."""
        source, target = self.boxes[source_id], self.boxes[target_id]
        corridors = self._lines("y", SPREAD)
        high = min(source.top, target.top) - self.margin
        low = max(source.bottom, target.bottom) + self.margin
        source_x, target_x = (source.left + source.right) / 2, (target.left + target.right) / 2
        routes = [Route([(source_x, source.top), (source_x, y), (target_x, y),
                         (target_x, target.top)], TOPS) for y in reversed(corridors) if y <= high]
        routes += [Route([(source_x, source.bottom), (source_x, y), (target_x, y),
                          (target_x, target.bottom)], BOTTOMS) for y in corridors if y >= low]
        return self._best(routes, source_id, target_id)

    def _best(self, routes: list[Route], source_id: str, target_id: str) -> Route:
        """The first clean route in order of cost, else the least bad; it is taken."""
        best: tuple[float, Route] | None = None
        for route in sorted(routes, key=lambda route: self._cost(route.points)):
            badness = self._badness(route.points, source_id, target_id)
            score = badness * self.margin + self._cost(route.points)
            if best is None or score < best[0]:
                best = (score, route)
            if badness == 0:
                break
        assert best is not None
        self._take(best[1].points, source_id, target_id)
        return best[1]

    def _cost(self, path: list[Point]) -> float:
        return _length(path) + BEND_COST * self.margin * (len(path) - 2)

    # ------------------------------------------------------------ candidates

    def _candidates(self, source: Box, target: Box, spread: int) -> list[Route]:
        start, end = (source.right, source.middle_y), (target.left, target.middle_y)
        (sx, sy), (tx, ty) = start, end
        paths: list[list[Point]] = []
        if abs(sy - ty) < 1e-9 and tx > sx:
            paths.append([start, end])
        channels = self._lines("x", spread)
        if tx - sx > 2 * self.margin:
            paths += [[start, (x, sy), (x, ty), end] for x in channels
                      if sx + self.margin <= x <= tx - self.margin]
        corridors = self._lines("y", spread)
        if abs(sy - ty) > 1e-9:  # a five-segment connector needs two heights
            exits = [x for x in channels if x >= sx + self.margin][:2 * spread + 3]
            entries = [x for x in reversed(channels) if x <= tx - self.margin][:2 * spread + 3]
            for x1, y, x3 in product(exits, corridors, entries):
                paths.append([start, (x1, sy), (x1, y), (x3, y), (x3, ty), end])
        routes = [Route(path, SIDES) for path in paths]
        low = max(source.bottom, target.bottom) + self.margin
        source_x, target_x = (source.left + source.right) / 2, (target.left + target.right) / 2
        routes += [Route([(source_x, source.bottom), (source_x, y), (target_x, y),
                          (target_x, target.bottom)], BOTTOMS) for y in corridors if y >= low]
        return routes

    def _lines(self, axis: str, spread: int) -> list[float]:
        """Where vertical runs (axis "x") or horizontal runs ("y") may go: a margin beyond every
        box edge and the middles between edges, each spread by up to `spread` spacings, and a
        margin beyond every obstacle's edge (a run clear of a row of badges)."""
        if axis == "x":
            edges = sorted({e for b in self.boxes.values() for e in (b.left, b.right)})
            clear = {e for b in self.obstacles for e in (b.left - self.margin,
                                                          b.right + self.margin)}
        else:
            edges = sorted({e for b in self.boxes.values() for e in (b.top, b.bottom)})
            clear = {e for b in self.obstacles for e in (b.top - self.margin,
                                                          b.bottom + self.margin)}
        base = {e + s * self.margin for e in edges for s in (-1, 1)}
        base |= {(a + b) / 2 for a, b in zip(edges, edges[1:])}
        base |= clear
        return sorted({v + k * self.spacing for v in base for k in range(-spread, spread + 1)})

    # ------------------------------------------------------------ checks

    def _badness(self, path: list[Point], source_id: str, target_id: str,
                 enough: int | None = None) -> int:
        """What the path runs into, weighted: boxes, labels, other flows' runs (0: clean);
        counting stops once it reaches `enough` (whether a path is clean needs only 1)."""
        count = 0
        segments = list(zip(path, path[1:]))
        spans = [_span(a, b) for a, b in segments]  # left, right, top, bottom of each segment
        last = len(spans) - 1
        for box_id, near in self._near.items():
            own = box_id == source_id, box_id == target_id
            for index, span in enumerate(spans):
                if own[0] and index == 0 or own[1] and index == last:
                    if _span_crosses(span, self.boxes[box_id].grown(-1e-6)):  # only from outside
                        count += BOX_CROSSING
                        break
                    continue
                if _span_crosses(span, near):
                    count += BOX_CROSSING
                    break
            if enough is not None and count >= enough:
                return count
        for obstacle in self._clear:  # kept a little clear of, not just missed
            if any(_span_crosses(span, obstacle) for span in spans):
                count += LABEL_CROSSING
                if enough is not None and count >= enough:
                    return count
        for a, b in segments:
            for c, d, other_source, other_target in self._taken:
                shared_end = (other_source == source_id and a == path[0]
                              or other_target == target_id and b == path[-1])
                if not shared_end and _runs_along(a, b, c, d, self.spacing * 0.999):
                    count += SHARED_RUN
        return count

    def _take(self, path: list[Point], source_id: str, target_id: str) -> None:
        for a, b in zip(path, path[1:]):
            self._taken.append((a, b, source_id, target_id))


def _length(path: list[Point]) -> float:
    return sum(abs(b[0] - a[0]) + abs(b[1] - a[1]) for a, b in zip(path, path[1:]))


def _span(a: Point, b: Point) -> tuple[float, float, float, float]:
    return (min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]))


def _span_crosses(span: tuple[float, float, float, float], box: Box) -> bool:
    """Whether a segment's span (left, right, top, bottom) passes through the inside of `box`."""
    return span[0] < box.right and span[1] > box.left and span[2] < box.bottom and span[3] > box.top


def _runs_along(a: Point, b: Point, c: Point, d: Point, within: float) -> bool:
    """Whether two axis-parallel segments run side by side closer than `within`, overlapping."""
    if a[1] == b[1] and c[1] == d[1]:  # both horizontal
        return (abs(a[1] - c[1]) < within
                and min(max(a[0], b[0]), max(c[0], d[0])) > max(min(a[0], b[0]), min(c[0], d[0])))
    if a[0] == b[0] and c[0] == d[0]:  # both vertical
        return (abs(a[0] - c[0]) < within
                and min(max(a[1], b[1]), max(c[1], d[1])) > max(min(a[1], b[1]), min(c[1], d[1])))
    return False


# ---------------------------------------------------------------- labels on routed lines


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share some area (touching edges do not)."""
    return a.left < b.right and b.left < a.right and a.top < b.bottom and b.top < a.bottom


def label_spot(points: list[Point], width: float, height: float, taken: list[Box],
               gap: float) -> Box | None:
    """Where a `width` × `height` label of the line through `points` covers none of `taken`:
    centred on the line as near its start as it fits (`gap` from the start), else just beside
    it (above or below a horizontal run, right or left of a vertical one), else the free place
    nearest the line within NEAR_RINGS label heights of it; None if nowhere."""
    return (_on_line(points, width, height, taken, gap)
            or _beside_line(points, width, height, taken, gap)
            or _near_line(points, width, height, taken, gap))


def label_on_run(start: Point, end: Point, width: float, height: float, taken: list[Box],
                 gap: float, points: list[Point] | None = None) -> Box:
    """A label centred on the horizontal run start-end: in its middle if that is free, else the
    free place nearest the middle within the run; where the run has no free place, the free
    place nearest the run, else nearest the rest of the route (`points`, the whole line); the
    middle only if nothing near is free."""
    low, high = sorted((start[0], end[0]))
    middle, y = (low + high) / 2, start[1]
    offsets = [0.0] + [k * sign * gap * 2 for k in range(1, 200) for sign in (1, -1)]
    for offset in offsets:
        centre = middle + offset
        if not low + width / 2 <= centre <= high - width / 2:
            if abs(offset) > (high - low) / 2:
                break
            continue
        box = Box(centre - width / 2, y - height / 2, centre + width / 2, y + height / 2)
        if not any(overlaps(box, other) for other in taken):
            return box
    for line in ([start, end], points or []):
        near = _near_line(line, width, height, taken, gap) if line else None
        if near is not None:
            return near
    return Box(middle - width / 2, y - height / 2, middle + width / 2, y + height / 2)


def _on_line(points: list[Point], width: float, height: float, taken: list[Box],
             gap: float) -> Box | None:
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = abs(x1 - x0) + abs(y1 - y0)
        along = (width if y0 == y1 else height) / 2 + gap
        while along <= length - (width if y0 == y1 else height) / 2 - gap / 2:
            x, y = x0 + (x1 - x0) * along / length, y0 + (y1 - y0) * along / length
            box = Box(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
            if not any(overlaps(box, other) for other in taken):
                return box
            along += gap * 1.25
    return None


def _beside_line(points: list[Point], width: float, height: float, taken: list[Box],
                 gap: float) -> Box | None:
    offset = gap * 0.75
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = abs(x1 - x0) + abs(y1 - y0)
        along = 0.0
        while length and along <= length:
            x, y = x0 + (x1 - x0) * along / length, y0 + (y1 - y0) * along / length
            if y0 == y1:  # horizontal: above, then below, the label starting at the point
                left = min(x, x1 - width) if x1 > x0 else max(x - width, x1)
                sides = [Box(left, y - offset - height, left + width, y - offset),
                         Box(left, y + offset, left + width, y + offset + height)]
            else:  # vertical: right, then left
                sides = [Box(x + offset, y - height / 2, x + offset + width, y + height / 2),
                         Box(x - offset - width, y - height / 2, x - offset, y + height / 2)]
            for box in sides:
                if not any(overlaps(box, other) for other in taken):
                    return box
            along += gap * 1.25
    return None


NEAR_RINGS = 6  # how many label heights away from its line a label may be pushed, at most


def _near_line(points: list[Point], width: float, height: float, taken: list[Box],
               gap: float) -> Box | None:
    """The free place nearest the line for a label that fits neither on nor just beside it:
    ring after ring of places further from the line (by a label height each), along the whole
    line from its start in each ring; above, below, right and left of each point of the line."""
    samples: list[Point] = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        length = abs(x1 - x0) + abs(y1 - y0)
        steps = max(1, int(length / (gap * 2)))
        samples += [(x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps)
                    for k in range(steps + 1)]
    for ring in range(NEAR_RINGS):
        away = gap * 0.75 + ring * height
        for x, y in samples:
            for box in (Box(x - width / 2, y - away - height, x + width / 2, y - away),
                        Box(x - width / 2, y + away, x + width / 2, y + away + height),
                        Box(x + away, y - height / 2, x + away + width, y + height / 2),
                        Box(x - away - width, y - height / 2, x - away, y + height / 2)):
                if not any(overlaps(box, other) for other in taken):
                    return box
    return None
