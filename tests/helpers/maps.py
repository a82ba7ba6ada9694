"""Test maps: a compact builder (make_map) and the sample maps and projects the tiers share."""

from __future__ import annotations

from vsm.model import Flow, Kaizen, Project, Step, ValueStreamMap


def make_map(steps: dict[str, tuple], flows: list[tuple] = (), name: str = "Test map") -> ValueStreamMap:
    """steps: id -> (wait, process[, pca[, extra fields dict]]); flows: (from, to[, fields dict]).

    Step ids double as names, so messages and paths read naturally in assertions.
    """
    map_ = ValueStreamMap(name)
    for step_id, figures in steps.items():
        wait, process, *rest = figures
        pca = rest[0] if rest else 100
        extra = rest[1] if len(rest) > 1 else {}
        map_.add_step(Step(step_id, wait_time=wait, process_time=process, pca=pca, id=step_id, **extra))
    for source, target, *rest in flows:
        map_.add_flow(Flow(source, target, **(rest[0] if rest else {})))
    return map_


def rework(probability: float) -> dict:
    return {"kind": "rework", "probability": probability}


def share(percent: float) -> dict:
    return {"share": percent}


# ---------------------------------------------------------------- sample maps the tests share

def loop_map() -> ValueStreamMap:
    """A -> B -> C a row apart (x = 0, 200, 400), waits 30, 60, 0 and 10 minutes' work each,
    20 % of C's work back to A. Lead time: T(C) = 10 + 0.2 T(A); T(B) = 70 + T(C);
    T(A) = 40 + T(B) = 120 + 0.2 T(A), so T(A) = 150 minutes."""
    map_ = ValueStreamMap("Current state")
    for name, wait in (("A", 30), ("B", 60), ("C", 0)):
        map_.add_step(Step(name, id=name, wait_time=wait, process_time=10, x=len(map_.steps) * 200))
    map_.add_flow(Flow("A", "B", id="ab"))
    map_.add_flow(Flow("B", "C", id="bc"))
    map_.add_flow(Flow("C", "A", kind="rework", probability=20, id="ca"))
    return map_


def two_step_map() -> ValueStreamMap:
    """A (30 + 10) -> B (60 + 20): a current state with a lead time of 2 hours."""
    map_ = ValueStreamMap("Current state", id="current")
    map_.add_step(Step("A", id="A", wait_time=30, process_time=10, x=0, y=0))
    map_.add_step(Step("B", id="B", wait_time=60, process_time=20, x=260, y=0))
    map_.add_flow(Flow("A", "B", id="ab"))
    return map_


def restore_map() -> ValueStreamMap:
    """a -> b -> c in a row, c -> d below; b waits longest (the bottleneck) at 70 % C&A; c is a
    vendor's (Hosting)."""
    map_ = ValueStreamMap("Restore")
    map_.add_step(Step("Log", wait_time=10, process_time=5, x=0, y=0, id="a"))
    map_.add_step(Step("Diagnose", wait_time=240, process_time=60, pca=70, x=240, y=0, id="b"))
    map_.add_step(Step("Fix", wait_time=30, process_time=30, x=480, y=0, id="c",
                       performer="vendor", team="Hosting"))
    map_.add_step(Step("Close", wait_time=0, process_time=5, x=240, y=240, id="d"))
    for source, target in (("a", "b"), ("b", "c"), ("c", "d")):
        map_.add_flow(Flow(source, target, id=source + target))
    return map_


TRICKY = '<b>x</b> & "y"'  # a step name that breaks any output that does not escape it


def export_project(name: str = "Export test", kaizens: int = 0) -> Project:
    """A current state a -> b -> c (a named TRICKY, b waiting 10 hours at 50 % C&A, with
    `kaizens` ideas attached to b) and a one-step future state."""
    current = ValueStreamMap("Current state", "current", id="current")
    current.add_step(Step(TRICKY, wait_time=30, process_time=10, id="a", x=0, y=0))
    current.add_step(Step("Beta", wait_time=600, process_time=20, pca=50, id="b", x=260, y=0))
    current.add_step(Step("Gamma", wait_time=10, process_time=5, id="c", x=520, y=0))
    current.add_flow(Flow("a", "b"))
    current.add_flow(Flow("b", "c"))
    for number in range(kaizens):
        current.add_kaizen(Kaizen(title=f"Idea {number}", owner="Ops", step_id="b",
                                  expected_saving_minutes=30 + number))
    future = ValueStreamMap("Future state", "future", id="future")
    future.add_step(Step("Delta", process_time=10, id="d", x=0, y=0))
    return Project(name, [current, future])
