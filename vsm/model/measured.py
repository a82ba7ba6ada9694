"""The rules for measured data (vsm mine): the counts of steps and flows, a step's `mined`
snapshot and a map's Measured record. Counts are whole numbers from 0 to MAX_COUNT; texts keep
the limits of vsm.model.limits; lead times are minutes within the limits of durations.

A step's `mined` snapshot holds the figure fields mining set (MINED_FIELDS) as it set them:
"edited since" is a current value that differs from its snapshot (vsm.mining.refresh).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from vsm.errors import ModelError
from vsm.model.durations import MAX_MINUTES
from vsm.model.limits import clean_text, shown
from vsm.model.records import Measured

MAX_COUNT = 10**12  # cases, visits and events: more than any ticket history holds
MINED_FIELDS: tuple[str, ...] = ("process_time", "wait_time", "process_time_min",
                                 "process_time_max", "wait_time_min", "wait_time_max")
FLOW_MINED_FIELDS: tuple[str, ...] = ("share", "probability")
STATISTICS = ("median", "mean")
MEASURED_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Measured))


def clean_count(value: Any, what: str, nullable: bool = True) -> int | None:
    """A count: None (when `nullable`) or a whole number from 0 to MAX_COUNT."""
    if value is None and nullable:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is not int:
        raise ModelError(f"{what} must be a whole number, not {shown(value)}")
    if not 0 <= value <= MAX_COUNT:
        raise ModelError(f"{what} must be from 0 to {MAX_COUNT:,}, not {value}")
    return value


def _minutes(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelError(f"{what} must be a number of minutes, not {shown(value)}")
    value = float(value)
    if not 0.0 <= value <= MAX_MINUTES:
        raise ModelError(f"{what} must be from 0 to {MAX_MINUTES:g} minutes, not {value:g}")
    return value


def _figures(value: Any, names: Sequence[str], what: str, kind: str) -> dict[str, Any]:
    """A mined snapshot's (figure, value) pairs as a dict; ModelError if they are not pairs or
    name a figure not in `names` ("…: 'x' is not `kind`")."""
    try:
        pairs = dict(value)
    except (TypeError, ValueError):
        raise ModelError(f"{what} must be pairs of a figure and its value") from None
    unknown = [name for name in pairs if name not in names]
    if unknown:
        raise ModelError(f"{what}: {shown(unknown[0])} is not {kind}")
    return pairs


def clean_mined(value: Any, what: str) -> tuple[tuple[str, float | None], ...] | None:
    """A step's mined snapshot: None, or (field, minutes or None) pairs, one per field of
    MINED_FIELDS at most, in that order (a dict is accepted and put in that order)."""
    if value is None:
        return None
    pairs = _figures(value, MINED_FIELDS, what, "a mined figure")
    return tuple((name, _minutes(pairs[name], f"{what}: {name.replace('_', ' ')}"))
                 for name in MINED_FIELDS if name in pairs)


def clean_flow_mined(value: Any, what: str) -> tuple[tuple[str, float | None], ...] | None:
    """A flow's mined snapshot: None, or (field, percent or None) pairs of FLOW_MINED_FIELDS, in
    that order (a dict is accepted and put in that order); a percent is from 0 to 100."""
    if value is None:
        return None
    pairs = _figures(value, FLOW_MINED_FIELDS, what, "a mined figure of a flow")
    cleaned: list[tuple[str, float | None]] = []
    for name in FLOW_MINED_FIELDS:
        if name not in pairs:
            continue
        number = pairs[name]
        if number is not None:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise ModelError(f"{what}: {name} must be a percentage, not {shown(number)}")
            number = float(number)
            if not 0.0 <= number <= 100.0:
                raise ModelError(f"{what}: {name} must be from 0 to 100, not {number:g}")
        cleaned.append((name, number))
    return tuple(cleaned)


def flow_figures(flow: Any) -> tuple[tuple[str, float | None], ...]:
    """A flow's share and probability now, as a mined snapshot holds them."""
    return tuple((name, getattr(flow, name)) for name in FLOW_MINED_FIELDS)


def clean_measured(value: Any, what: str) -> Measured | None:
    """A map's Measured record, checked and normalised; None stays None."""
    if value is None:
        return None
    if not isinstance(value, Measured):
        raise ModelError(f"{what} must be Measured")
    start = None if value.start is None else clean_text(value.start, f"{what}: start").strip()
    end = None if value.end is None else clean_text(value.end, f"{what}: end").strip()
    if value.statistic not in STATISTICS:
        raise ModelError(f"{what}: statistic must be median or mean, not {shown(value.statistic)}")
    return Measured(
        source=clean_text(value.source, f"{what}: source").strip(), start=start or None,
        end=end or None,
        cases=clean_count(value.cases, f"{what}: cases", nullable=False) or 0,
        events=clean_count(value.events, f"{what}: events", nullable=False) or 0,
        lead_time_p50=_minutes(value.lead_time_p50, f"{what}: lead time P50"),
        lead_time_p85=_minutes(value.lead_time_p85, f"{what}: lead time P85"),
        lead_time_p95=_minutes(value.lead_time_p95, f"{what}: lead time P95"),
        statistic=value.statistic)


MEASURED_LABEL = "Measured from the log"
LOW_CONFIDENCE_CASES = 30  # a step or flow measured in fewer cases is drawn as low confidence


def measured_words(measured: Measured) -> str:
    """The measured lead time in words, for the report, the metrics pane and the deck:
    "P50 2d, P85 5d, P95 10d (1,200 cases)"."""
    from vsm.model.durations import format_duration

    def shown_time(value: float | None) -> str:
        return "–" if value is None else format_duration(value)

    cases = f"{measured.cases:,} case{'s' if measured.cases != 1 else ''}"
    return (f"P50 {shown_time(measured.lead_time_p50)}, P85 {shown_time(measured.lead_time_p85)}, "
            f"P95 {shown_time(measured.lead_time_p95)} ({cases})")


def counts_words(cases: int, visits: int | None = None, what: str = "") -> str:
    """A measured count in words for the property pane: "1,200 cases, 1,310 visits", with
    `what` after the cases ("took this route"), and " — fewer than 30: low confidence" when it
    is one (the canvas draws those dotted and greyed)."""
    text = f"{cases:,} case{'s' if cases != 1 else ''}" + (f" {what}" if what else "")
    if visits is not None:
        text += f", {visits:,} visit{'s' if visits != 1 else ''}"
    if low_confidence(cases):
        text += f" — fewer than {LOW_CONFIDENCE_CASES}: low confidence"
    return text


def low_confidence(cases: int | None) -> bool:
    """Measured in too few cases to trust (fewer than LOW_CONFIDENCE_CASES); not measured: no."""
    return cases is not None and cases < LOW_CONFIDENCE_CASES


def cases_words(cases: int) -> str:
    """The compact count on a step box or flow label: "n = 1,234"."""
    return f"n = {cases:,}"
