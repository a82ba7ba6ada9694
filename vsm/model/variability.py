"""Variability of a step's times: optional minimum and maximum around the most likely value.

A step's `process_time` and `wait_time` are its most likely (modal) times. Each may be given a
range with `<name>_min` and `<name>_max` (minutes, or None). A bound left as None equals the
most likely value, so a step with no bounds at all always takes exactly its times. The Monte
Carlo simulation (vsm.analysis.montecarlo) samples each time from the triangular distribution
(minimum, most likely, maximum).

Rules checked by the model on every change: a bound is a duration like any other time, the
minimum is at most the most likely value and the maximum at least the most likely value.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from vsm.errors import ModelError
from vsm.model.durations import DurationError, format_exact, parse_duration

if TYPE_CHECKING:
    from vsm.model.records import Step

# the time -> (its minimum field, its maximum field)
RANGES: dict[str, tuple[str, str]] = {
    "process_time": ("process_time_min", "process_time_max"),
    "wait_time": ("wait_time_min", "wait_time_max"),
}
RANGE_FIELDS: tuple[str, ...] = tuple(name for pair in RANGES.values() for name in pair)


def clean_range_bound(what: str, value: Any) -> float | None:
    """A bound as minutes, or None for empty (None or blank text); ModelError naming `what`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_duration(value)
    except DurationError as error:
        raise ModelError(f"{what}: {error}") from None


def check_ranges(step_name: str, values: Mapping[str, Any]) -> None:
    """Raise ModelError if a minimum is above, or a maximum below, the most likely value.

    `values`: the step's field values by name (cleaned), as they would be after a change.
    """
    for base, (low_name, high_name) in RANGES.items():
        mode = values[base]
        low, high = values[low_name], values[high_name]
        label = base.replace("_", " ")
        if low is not None and low > mode:
            raise ModelError(f"step {step_name!r}: {label} minimum {format_exact(low)} is more "
                             f"than the most likely {label} {format_exact(mode)}")
        if high is not None and high < mode:
            raise ModelError(f"step {step_name!r}: {label} maximum {format_exact(high)} is less "
                             f"than the most likely {label} {format_exact(mode)}")


def time_range(step: Step, base: str) -> tuple[float, float, float]:
    """(minimum, most likely, maximum) of `base` ("process_time" or "wait_time")."""
    low_name, high_name = RANGES[base]
    mode: float = getattr(step, base)
    low, high = getattr(step, low_name), getattr(step, high_name)
    return (mode if low is None else low, mode, mode if high is None else high)


def varies(step: Step) -> bool:
    """True when one of the step's times has a range wider than a single value."""
    return any(low < high for low, _, high in (time_range(step, base) for base in RANGES))


def has_variability(steps: Iterable[Step]) -> bool:
    """True when any of the steps has a minimum or maximum set (even one equal to the value)."""
    bounds, unset = attrgetter(*RANGE_FIELDS), (None,) * len(RANGE_FIELDS)
    return any(bounds(step) != unset for step in steps)  # one C call per step: once per edit
