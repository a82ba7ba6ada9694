"""Small helpers to write test maps compactly (shared by the vsm tests)."""

from __future__ import annotations

from vsm.model import Flow, Step, ValueStreamMap


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
