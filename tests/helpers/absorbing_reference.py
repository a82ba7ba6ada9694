"""References for rework as an absorbing chain (vsm.analysis.absorbing), slow and obviously right.

- `closed_form`: for a map without concurrent splits, P the transient-to-transient transition
  matrix (routes weighted by keep x share, rework by its probability), N = (I - P)^-1 by exact
  Gauss-Jordan elimination over fractions.Fraction (numpy is not a dependency of the project):
  the expected visits from u are row u of N, the expected times N d.
- `trapped_by_some_policy`: the steps from which, for some choice of one branch at every
  concurrent split, no end is ever reached (each choice makes the map a Markov chain).
- `together_by_enumeration`: whether one item can pass two steps in one pass, by enumerating
  every choice of route at the alternative splits.
- random maps: `alternative_chains` (alternative routes only, one start) and `mixed_maps`
  (concurrent splits, alternatives, several starts), both with rework to any step that is not
  downstream, some steps sending all their work back.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import strategies as st

from tests.helpers.strategies import shares
from vsm.model import Flow, Step, ValueStreamMap


def _flows(map_: ValueStreamMap, v: str, kind: str) -> list[Flow]:
    return [f for f in map_.flows if f.source == v and f.kind == kind]


def transition_matrix(map_: ValueStreamMap) -> tuple[list[str], list[list[Fraction]]]:
    """The steps (map order) and P, for a map without concurrent splits."""
    ids = [s.id for s in map_.steps]
    index = {v: i for i, v in enumerate(ids)}
    matrix = [[Fraction(0)] * len(ids) for _ in ids]
    for v in ids:
        back = _flows(map_, v, "rework")
        out = _flows(map_, v, "normal")
        keep = 1 - sum(Fraction(f.probability).limit_denominator(10**9) / 100 for f in back)
        assert len(out) < 2 or all(f.share is not None for f in out), "concurrent split"
        for f in out:
            weight = Fraction(f.share).limit_denominator(10**9) / 100 if f.share is not None else 1
            matrix[index[v]][index[f.target]] += keep * weight
        for f in back:
            matrix[index[v]][index[f.target]] += Fraction(f.probability).limit_denominator(10**9) / 100
    return ids, matrix


def inverse(matrix: list[list[Fraction]]) -> list[list[Fraction]] | None:
    """(I - matrix)^-1 by Gauss-Jordan elimination with exact fractions; None if singular."""
    n = len(matrix)
    rows = [[(1 if i == j else 0) - matrix[i][j] for j in range(n)]
            + [Fraction(1 if i == j else 0) for j in range(n)] for i in range(n)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if rows[r][col] != 0), None)
        if pivot is None:
            return None
        rows[col], rows[pivot] = rows[pivot], rows[col]
        head = rows[col]
        scale = head[col]
        rows[col] = head = [value / scale for value in head]
        for r in range(n):
            if r != col and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], head)]
    return [row[n:] for row in rows]


def closed_form(map_: ValueStreamMap) -> tuple[list[str], list[list[Fraction]]] | None:
    """(steps, N = (I - P)^-1), or None when I - P is singular (some work never finishes)."""
    ids, matrix = transition_matrix(map_)
    n = inverse(matrix)
    return None if n is None else (ids, n)


def times(ids: list[str], n: list[list[Fraction]], d: dict[str, float]) -> dict[str, Fraction]:
    """N d: the expected time from each step to the end."""
    column = [Fraction(d[v]) for v in ids]
    return {v: sum((a * b for a, b in zip(n[i], column)), Fraction(0)) for i, v in enumerate(ids)}


def _reach_leak(ids: list[str], matrix: list[list[Fraction]]) -> set[str]:
    """The states that reach, with positive probability, a state whose row sums below 1."""
    leaking = {v for i, v in enumerate(ids) if sum(matrix[i]) < 1}
    found = set(leaking)
    changed = True
    while changed:
        changed = False
        for i, v in enumerate(ids):
            if v not in found and any(matrix[i][j] > 0 and ids[j] in found for j in range(len(ids))):
                found.add(v)
                changed = True
    return found


def trapped_by_some_policy(map_: ValueStreamMap) -> set[str]:
    """Steps that never reach an end under some choice of one branch at each concurrent split."""
    splits = [s.id for s in map_.steps if len(_flows(map_, s.id, "normal")) > 1
              and all(f.share is None for f in _flows(map_, s.id, "normal"))]
    trapped: set[str] = set()
    for choice in itertools.product(*(_flows(map_, v, "normal") for v in splits)):
        chosen = ValueStreamMap("policy")
        for step in map_.steps:
            chosen.add_step(Step(step.name, id=step.id))
        for flow in map_.flows:
            if flow.source in splits and flow.kind == "normal" and flow not in choice:
                continue
            chosen.add_flow(Flow(flow.source, flow.target, flow.kind, flow.share,
                                 flow.probability))
        ids, matrix = transition_matrix(chosen)
        trapped |= set(ids) - _reach_leak(ids, matrix)
    return trapped


def together_by_enumeration(map_: ValueStreamMap, a: str, b: str) -> bool:
    """Some choice of one route at every alternative split reaches both a and b from the starts."""
    normal = [f for f in map_.flows if f.kind == "normal"]
    joined = {v for f in map_.flows if f.source != f.target for v in (f.source, f.target)}
    starts = [s.id for s in map_.steps if not any(f.target == s.id for f in normal)
              and (s.id in joined or not joined)]
    out = {s.id: [f for f in normal if f.source == s.id] for s in map_.steps}
    choosers = [v for v, fs in out.items() if fs and fs[0].share is not None]
    for choice in itertools.product(*(out[v] for v in choosers)):
        picked = dict(zip(choosers, choice))
        seen, stack = set(starts), list(starts)
        while stack:
            v = stack.pop()
            for f in [picked[v]] if v in picked else out[v]:
                if f.target not in seen:
                    seen.add(f.target)
                    stack.append(f.target)
        if a in seen and b in seen:
            return True
    return False


def together_from_the_starts(map_: ValueStreamMap, a: str, b: str) -> bool:
    """together_by_enumeration in polynomial time: a path to a and a path to b from the starts,
    followed together (the earlier one moves), leaving every step they share by the same route
    if it is an alternative split. No dominators: the reference for Together's shortcut."""
    normal = [f for f in map_.flows if f.kind == "normal"]
    joined = {v for f in map_.flows if f.source != f.target for v in (f.source, f.target)}
    ids = [s.id for s in map_.steps]
    starts = [v for v in ids if not any(f.target == v for f in normal)
              and (v in joined or not joined)]
    successors = {v: [f.target for f in normal if f.source == v] for v in ids}
    alternative = {v: any(f.share is not None for f in normal if f.source == v) for v in ids}
    up_a = {u for u in ids if u == a or a in downstream(map_, u)}
    up_b = {u for u in ids if u == b or b in downstream(map_, u)}
    depth = {v: len(ancestors_of(map_, v)) for v in ids}  # a topological key
    seen: set[tuple[str, str]] = set()
    stack = [(x, y) for x in starts if x in up_a for y in starts if y in up_b]
    while stack:
        x, y = stack.pop()
        if (x, y) in seen:
            continue
        seen.add((x, y))
        if (x, y) == (a, b):
            return True
        if x == y:
            out = successors[x]
            if alternative[x]:
                stack.extend((t, t) for t in out if t in up_a and t in up_b)
            else:
                stack.extend((s, t) for s in out if s in up_a for t in out if t in up_b)
        elif y == b or (x != a and (depth[x], x) < (depth[y], y)):
            stack.extend((t, y) for t in successors[x] if t in up_a)
        else:
            stack.extend((x, t) for t in successors[y] if t in up_b)
    return False


def ancestors_of(map_: ValueStreamMap, v: str) -> set[str]:
    return {u.id for u in map_.steps if v in downstream(map_, u.id)}


def downstream(map_: ValueStreamMap, v: str) -> set[str]:
    """The steps an ordinary path leads to from v."""
    found, stack = set(), [v]
    while stack:
        u = stack.pop()
        for f in map_.flows:
            if f.kind == "normal" and f.source == u and f.target not in found:
                found.add(f.target)
                stack.append(f.target)
    return found


def _add_rework(draw, map_: ValueStreamMap, count: int, single_full: bool,
                apart: bool = False) -> None:
    """Rework from each step to up to two steps that are not downstream of it (itself included);
    about one step in four sends all its work back. `apart`: for most steps, only to steps that
    never run together with it (found by enumeration), since in maps with concurrency most
    other targets do and are refused."""
    for i in range(count):
        v = f"S{i}"
        below = downstream(map_, v)
        options = [f"S{j}" for j in range(count) if f"S{j}" not in below]
        if apart and draw(st.integers(0, 3)):
            options = [u for u in options if u == v or v in downstream(map_, u)
                       or not together_by_enumeration(map_, u, v)]
        targets = draw(st.lists(st.sampled_from(options), unique=True, max_size=2))
        if not targets:
            continue
        if draw(st.integers(0, 3)) == 0 and (single_full or len(targets) > 1):
            figures = shares(draw, len(targets))  # adding up to exactly 100
        else:
            budget, figures = 95, []
            for _ in targets:
                figures.append(float(draw(st.integers(1, min(60, budget - len(targets))))))
                budget -= int(figures[-1])
        for target, figure in zip(targets, figures):
            map_.add_flow(Flow(v, target, kind="rework", probability=figure))


def _steps(draw, map_: ValueStreamMap, count: int) -> None:
    # Names in another order than the ids, so rework targets fall on both sides of their source
    # in the solver's topological order (ties go by name).
    names = draw(st.permutations(range(count)))
    for i in range(count):
        map_.add_step(Step(f"N{names[i]}", id=f"S{i}", wait_time=draw(st.integers(0, 100)),
                           process_time=draw(st.integers(0, 100)),
                           pca=draw(st.sampled_from([40, 75, 90, 100]))))


@st.composite
def alternative_chains(draw, single_full: bool = False) -> ValueStreamMap:
    """2 to 8 steps, one start (S0), alternative routes only (no concurrency), rework to any step
    that is not downstream; `single_full`: a step may send all its work back by one flow."""
    count = draw(st.integers(2, 8))
    map_ = ValueStreamMap("chain")
    _steps(draw, map_, count)
    edges: dict[int, set[int]] = {i: set() for i in range(count)}
    for j in range(1, count):
        edges[draw(st.integers(0, j - 1))].add(j)
    for i in range(count - 1):
        edges[i].update(draw(st.lists(st.integers(i + 1, count - 1), unique=True, max_size=2)))
    for i, later in edges.items():
        parts = shares(draw, len(later)) if len(later) > 1 else [None] * len(later)
        for j, part in zip(sorted(later), parts):
            map_.add_flow(Flow(f"S{i}", f"S{j}", share=part))
    _add_rework(draw, map_, count, single_full)
    return map_


@st.composite
def mixed_maps(draw) -> ValueStreamMap:
    """2 to 7 steps with concurrent splits, alternative routes and possibly several starts;
    rework to any step that is not downstream (the analysis may refuse some)."""
    count = draw(st.integers(2, 7))
    map_ = ValueStreamMap("mixed")
    _steps(draw, map_, count)
    edges: dict[int, set[int]] = {i: set() for i in range(count)}
    for j in range(1, count):
        if draw(st.integers(0, 4)):  # else another start
            edges[draw(st.integers(0, j - 1))].add(j)
    for i in range(count - 1):
        edges[i].update(draw(st.lists(st.integers(i + 1, count - 1), unique=True, max_size=2)))
    for i, later in edges.items():
        alternative = len(later) > 1 and draw(st.booleans())
        parts = shares(draw, len(later)) if alternative else [None] * len(later)
        for j, part in zip(sorted(later), parts):
            map_.add_flow(Flow(f"S{i}", f"S{j}", share=part))
    _add_rework(draw, map_, count, False, apart=True)
    return map_
