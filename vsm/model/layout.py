"""Automatic layout of a value-stream map: left to right, branches stacked around the main line.

Pure Python (no Qt, no networkx: plain adjacency dicts, a few times networkx's own layering of
the same graph). Steps are put in columns by longest-path layering of the ordinary
flows (rework flows are ignored, they go back by definition); the longest chain of steps (or a
path given as `main_line`, such as the route most items take) is the main line on row 0 and the other steps of a column are stacked above and below it, as close as
possible to the rows of their neighbours. Separate groups of connected steps are stacked below
one another, and steps with no flow at all form a last row in stored order. Loops among ordinary
flows are broken by ignoring the flows that go back in stored order, so a map with problems still
gets a readable layout. The result depends only on the map's steps, flows and their order.

Swimlanes: with `lanes_by` the steps keep their columns but each goes into the horizontal band
of its team or its ITIL value chain activity; `lane_bands` gives the bands for any positions.
"""

from __future__ import annotations

import heapq
from typing import NamedTuple, Protocol, Sequence

from vsm.model.field_rules import ACTIVITIES
from vsm.model.maps import ValueStreamMap

COLUMN_SPACING = 240.0
ROW_SPACING = 200.0


class _StepLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def activity(self) -> str: ...


class _FlowLike(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def kind(self) -> str: ...


class _MapLike(Protocol):
    @property
    def steps(self) -> Sequence[_StepLike]: ...
    @property
    def flows(self) -> Sequence[_FlowLike]: ...


class StepShape(NamedTuple):
    """What the layout reads of a step."""

    id: str
    team: str
    activity: str


class FlowShape(NamedTuple):
    """What the layout reads of a flow."""

    source: str
    target: str
    kind: str


class MapShape(NamedTuple):
    """What the layout reads of a map, copied (plain tuples: a worker thread may lay it out
    while the map changes, and two copies compare equal when they give the same layout)."""

    steps: tuple[StepShape, ...]
    flows: tuple[FlowShape, ...]


def map_shape(map_: ValueStreamMap) -> MapShape:
    """A copy of what `auto_layout` reads of the map: `auto_layout(map_shape(m))` equals
    `auto_layout(m)`, positions aside (the layout does not depend on them)."""
    return MapShape(tuple([StepShape(s.id, s.team, s.activity) for s in map_.steps]),
                    tuple([FlowShape(f.source, f.target, f.kind) for f in map_.flows]))


def auto_layout(map_: _MapLike, column_spacing: float = COLUMN_SPACING,
                row_spacing: float = ROW_SPACING, lanes_by: str | None = None,
                main_line: Sequence[str] = ()) -> dict[str, tuple[float, float]]:
    """New top-left positions for every step of the map: step id -> (x, y).

    `main_line`: step ids along a path of ordinary flows to put on the main line instead of the
    longest chain (the path's steps in the first group of connected steps; ignored if they are
    not a path of the flows as laid out).

    With `lanes_by` ("team" or "activity") the columns stay the same and every step goes into
    its lane's band (see `lanes` and `lane_bands`); the lanes are stacked from y = 0 down.
    """
    if lanes_by is not None:
        if lanes_by not in LANE_BYS:
            raise ValueError(f"lanes are by one of {LANE_BYS}, not {lanes_by!r}")
        flow_layout = auto_layout(map_, column_spacing, row_spacing)
        return _lane_layout(map_, lanes_by, flow_layout, row_spacing)
    order = {step.id: index for index, step in enumerate(map_.steps)}
    graph, topological = _acyclic_graph(map_, order)
    positions: dict[str, tuple[float, float]] = {}
    top_row = 0  # the first free row for the next group
    main_row = 0  # the row of the first group's main line, which ends up on y = 0
    groups = [group for group in _groups(graph, order) if len(group) > 1]
    group_of = {v: index for index, group in enumerate(groups) for v in group}
    orders: list[list[str]] = [[] for _ in groups]  # each group's steps in topological order
    for v in topological:  # the whole graph's order, taken by group, is each group's own
        index = group_of.get(v)
        if index is not None:
            orders[index].append(v)
    for group, group_order in zip(groups, orders):
        cells = _layout_group(graph, group, group_order, order, main_line)
        lowest = min(row for _, row in cells.values())
        highest = max(row for _, row in cells.values())
        if group is groups[0]:
            main_row = -lowest
        for step_id, (column, row) in cells.items():
            positions[step_id] = (column * column_spacing, (top_row + row - lowest) * row_spacing)
        top_row += highest - lowest + 1
    loose = [step_id for step_id in order if step_id not in positions]
    for column, step_id in enumerate(loose):
        positions[step_id] = (column * column_spacing, top_row * row_spacing)
    shift = main_row * row_spacing
    return {v: (x, y - shift) for v, (x, y) in positions.items()}


# ------------------------------------------------------------------ swimlanes

LANE_BYS = ("team", "activity")
NO_TEAM = "(no team)"
BOX_HEIGHT = 120.0  # a step's box, process and data parts together
LANE_PADDING = 40.0  # between a lane's edge and its steps
LANE_HEIGHT = BOX_HEIGHT + 2 * LANE_PADDING  # a lane with one row of steps; equal to ROW_SPACING


def lane_key(step: _StepLike, by: str) -> str:
    """The lane of a step: its team (or "(no team)") or its ITIL value chain activity id."""
    if by == "team":
        return step.team or NO_TEAM
    if by == "activity":
        return step.activity
    raise ValueError(f"lanes are by one of {LANE_BYS}, not {by!r}")


def lanes(map_: _MapLike, by: str) -> list[tuple[str, str]]:
    """The lanes the map's steps fall in, as (key, label), in a stable order.

    By team: in the order the teams first appear among the steps. By activity: in the ITIL order
    of the value chain activities, only those used.
    """
    keys: list[str] = []
    for step in map_.steps:
        key = lane_key(step, by)
        if key not in keys:
            keys.append(key)
    if by == "activity":
        rank = {key: index for index, key in enumerate(ACTIVITIES)}
        keys.sort(key=lambda key: rank.get(key, len(rank)))
        return [(key, ACTIVITIES.get(key, key)) for key in keys]
    return [(key, key) for key in keys]


def lane_bands(map_: ValueStreamMap, by: str, positions: dict[str, tuple[float, float]] | None = None,
               padding: float = LANE_PADDING,
               box_height: float = BOX_HEIGHT) -> list[tuple[str, str, float, float]]:
    """The band of every lane as (key, label, top, height), in lane order.

    A band spans the steps of its lane at `positions` (step id -> top-left; the steps' own
    positions when None): from the highest step's top less `padding` to the lowest step's bottom
    plus `padding`. After manual moves bands may overlap; membership alone decides them.
    """
    tops: dict[str, float] = {}
    bottoms: dict[str, float] = {}
    for step in map_.steps:
        _, y = positions[step.id] if positions is not None and step.id in positions else (step.x, step.y)
        key = lane_key(step, by)
        tops[key] = min(tops.get(key, y), y)
        bottoms[key] = max(bottoms.get(key, y), y)
    bands = []
    for key, label in lanes(map_, by):
        top = tops[key] - padding
        bands.append((key, label, top, bottoms[key] + box_height + padding - top))
    return bands


def _lane_layout(map_: _MapLike, by: str, flow_layout: dict[str, tuple[float, float]],
                 row_spacing: float) -> dict[str, tuple[float, float]]:
    """Keep the flow layout's columns; put each step in its lane's band, stacking within a column."""
    order = {step.id: index for index, step in enumerate(map_.steps)}
    cells: dict[str, dict[float, list[str]]] = {key: {} for key, _ in lanes(map_, by)}
    for step in map_.steps:
        x = flow_layout[step.id][0]
        cells[lane_key(step, by)].setdefault(x, []).append(step.id)
    positions: dict[str, tuple[float, float]] = {}
    top = 0.0
    for columns in cells.values():
        rows = max(len(ids) for ids in columns.values())
        for x, ids in columns.items():
            ids.sort(key=lambda v: (flow_layout[v][1], order[v]))
            for row, step_id in enumerate(ids):
                positions[step_id] = (x, top + LANE_PADDING + row * row_spacing)
        top += 2 * LANE_PADDING + BOX_HEIGHT + (rows - 1) * row_spacing
    return positions


class _Graph:
    """The ordinary flows between steps as adjacency lists (plain dicts: a layout of 20,000
    steps walks them a few hundred thousand times, which networkx's views make ten times
    slower)."""

    def __init__(self, nodes: Sequence[str]) -> None:
        self.successors: dict[str, list[str]] = {v: [] for v in nodes}
        self.predecessors: dict[str, list[str]] = {v: [] for v in nodes}

    def add_edge(self, u: str, v: str) -> None:
        self.successors[u].append(v)
        self.predecessors[v].append(u)

    def has_edge(self, u: str, v: str) -> bool:
        return v in self.successors[u]


def _acyclic_graph(map_: _MapLike, order: dict[str, int]) -> tuple[_Graph, list[str]]:
    """The ordinary flows as a DAG, with its steps in topological order (`_topological`); with
    a loop, flows going back in stored order are dropped."""
    edges = [(f.source, f.target) for f in map_.flows
             if f.kind == "normal" and f.source != f.target]
    graph = _Graph(list(order))
    for u, v in dict.fromkeys(edges):  # one edge per pair, in stored order
        graph.add_edge(u, v)
    topological = _topological(graph, list(order), order)
    if len(topological) < len(order):  # a loop
        graph = _Graph(list(order))
        for u, v in dict.fromkeys(edges):
            if order[v] > order[u]:
                graph.add_edge(u, v)
        topological = _topological(graph, list(order), order)
    return graph, topological


def _topological(graph: _Graph, nodes: Sequence[str], order: dict[str, int]) -> list[str]:
    """The nodes in topological order, among those free to go next the first in stored order
    (networkx's lexicographical_topological_sort by `order`); shorter when there is a loop."""
    waiting = {v: len(graph.predecessors[v]) for v in nodes}
    ready = [(order[v], v) for v in nodes if not waiting[v]]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        _, v = heapq.heappop(ready)
        result.append(v)
        for w in graph.successors[v]:
            waiting[w] -= 1
            if not waiting[w]:
                heapq.heappush(ready, (order[w], w))
    return result


def _groups(graph: _Graph, order: dict[str, int]) -> list[list[str]]:
    """The groups of steps connected by flows (either way), each in stored order, the groups
    by their first step."""
    seen: set[str] = set()
    groups: list[list[str]] = []
    for start in order:
        if start in seen:
            continue
        seen.add(start)
        group, stack = [start], [start]
        while stack:
            v = stack.pop()
            for w in (*graph.successors[v], *graph.predecessors[v]):
                if w not in seen:
                    seen.add(w)
                    group.append(w)
                    stack.append(w)
        groups.append(sorted(group, key=order.__getitem__))
    return groups


def _layout_group(graph: _Graph, group: list[str], topological: list[str],
                  order: dict[str, int],
                  main_line: Sequence[str] = ()) -> dict[str, tuple[int, int]]:
    """Column and row of every step of one connected group (rows relative to its main line),
    given the group's steps in topological order."""
    predecessors_of, successors_of = graph.predecessors, graph.successors
    column: dict[str, int] = {}
    best_predecessor: dict[str, str | None] = {}
    for v in topological:
        predecessors = predecessors_of[v]
        if predecessors:
            best = min(predecessors, key=lambda u: (-column[u], order[u]))
            column[v] = column[best] + 1
            best_predecessor[v] = best
        else:
            column[v] = 0
            best_predecessor[v] = None
    end = min(group, key=lambda v: (-column[v], order[v]))
    main: list[str] = []
    node: str | None = end
    while node is not None:
        main.append(node)
        node = best_predecessor[node]
    members = set(group)
    given = [v for v in main_line if v in members]
    if len(given) == len(main_line) > 1 and all(graph.has_edge(u, v)
                                                for u, v in zip(given, given[1:])):
        main = given
    row: dict[str, int] = {v: 0 for v in main}
    columns: dict[int, list[str]] = {}
    for v in topological:
        columns.setdefault(column[v], []).append(v)
    reserved: dict[int, set[int]] = {}  # rows crossed by long flows, per column
    for index in sorted(columns):
        taken = {row[v] for v in columns[index] if v in row} | reserved.get(index, set())
        for v in sorted((v for v in columns[index] if v not in row), key=order.__getitem__):
            row[v] = _nearest_free(_wanted_row(graph, v, row), taken)
            taken.add(row[v])
            for successor in successors_of[v]:
                for crossed in range(index + 1, column[successor]):
                    reserved.setdefault(crossed, set()).add(row[v])
    return {v: (column[v], row[v]) for v in group}


def _wanted_row(graph: _Graph, v: str, row: dict[str, int]) -> int:
    """The mean row of the already placed neighbours (predecessors first), rounded."""
    placed = [row[u] for u in graph.predecessors[v] if u in row]
    if not placed:
        placed = [row[u] for u in graph.successors[v] if u in row]
    if not placed:
        return 0
    mean = sum(placed) / len(placed)
    return int(mean + 0.5) if mean >= 0 else -int(-mean + 0.5)


def _nearest_free(wanted: int, taken: set[int]) -> int:
    """The free row nearest to `wanted`, below before above on a tie; never the main line.

    Rows crossed by a long flow count as taken, so a branch is not drawn through by it.
    """
    if wanted not in taken and wanted != 0:
        return wanted
    for distance in range(1, len(taken) + 3):  # more distances than rows taken: one is free
        for candidate in (wanted + distance, wanted - distance):
            if candidate not in taken and candidate != 0:
                return candidate
    raise AssertionError("unreachable: there is always a free row")  # pragma: no cover
