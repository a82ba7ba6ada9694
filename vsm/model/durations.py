"""Durations: parse what people type ("1h 30m", "2d", "45") into minutes and format minutes back.

All durations in the model are minutes as floats. Days and weeks are calendar time:
1d = 24h, 1w = 7d. Working time (takt time: minutes of an 8-hour working day) is never shown in
days, which people read as calendar days: format_working_time gives hours and minutes and says the
basis once, "86h 40m of working time (8h days)"; the CLI and the editor both use it.
"""

from __future__ import annotations

import math
import re

_UNITS = {1.0: ("m", "min", "mins", "minute", "minutes"),
          60.0: ("h", "hr", "hrs", "hour", "hours"),
          24 * 60.0: ("d", "day", "days"),
          7 * 24 * 60.0: ("w", "wk", "wks", "week", "weeks")}
MINUTES_PER_UNIT: dict[str, float] = {name: size for size, names in _UNITS.items()
                                      for name in names}

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_PART = re.compile(rf"\s*({_NUMBER})\s*([a-zA-Z]*)\s*")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}(?!\d))")  # "1,5h" is 1.5 hours
_THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")  # "1,500m": 1500 or 1.5? refused, said
_SEPARATORS = re.compile(r",|\band\b")  # "1 hour, 30 minutes", "1 hour and 30 minutes"
_LOOSE_ENDS = re.compile(r"^(?:,|and\b)|(?:,|\band)$")


# The longest duration (about 1,900 years): any real time fits, and sums over many steps and
# rework loops stay finite, so no figure becomes infinite or NaN.
MAX_MINUTES = 1e9
_MAX_TEXT = 100  # characters of a duration text ("1w 2d 3h 4m" is 11)


class DurationError(ValueError):
    """Raised for text that is not a duration; the message names the text."""


def parse_duration(value: object) -> float:
    """Return the duration in minutes.

    Accepts a number (minutes) or text: ``45``, ``45m``, ``1h 30m``, ``1h30m``, ``2.5h``, ``3d``,
    ``1w``, ``1w 2d 3h 4m``, units in words (``90 min``, ``1 hour``, ``2 days``, ``1 week``,
    ``1 hour and 30 minutes``, any case), and a decimal comma (``1,5h``). Negative, non-finite
    or malformed values, and times above MAX_MINUTES, raise DurationError; so does ``1,500m`` (a
    thousands separator or a decimal comma? it does not guess).
    """
    if isinstance(value, bool):
        raise DurationError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        minutes = float(value) if isinstance(value, float) or abs(value) < 2 ** 1000 else math.inf
    elif isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise DurationError(f"not a duration: {value[:20]!r}… ({len(value):,} characters)")
        minutes = _parse_text(value)
    else:
        raise DurationError(f"not a duration: {value!r}")
    if not math.isfinite(minutes) or minutes < 0:
        raise DurationError(f"not a duration (must be a finite, non-negative time): {value!r}")
    if minutes > MAX_MINUTES:
        raise DurationError(f"too long a time: {value!r} (at most {MAX_MINUTES:,.0f} minutes, "
                            "about 1,900 years)")
    return minutes


def _parse_text(text: str) -> float:
    stripped = text.strip()
    if not stripped:
        raise DurationError("empty duration: write minutes, or e.g. '1h 30m', '2d'")
    if _THOUSANDS.search(stripped):
        raise DurationError(f"not a duration: {text!r} (is the comma a thousands separator or a "
                            "decimal comma? write e.g. '1500m' or '1.5h')")
    stripped = _DECIMAL_COMMA.sub(".", stripped.lower())
    if _LOOSE_ENDS.search(stripped):
        raise DurationError(f"not a duration: {text!r} (',' and 'and' go between parts)")
    stripped = _SEPARATORS.sub(" ", stripped).strip()
    total = 0.0
    position = 0
    while position < len(stripped):
        match = _PART.match(stripped, position)
        if not match or match.end() == position:
            raise DurationError(
                f"not a duration: {text!r} (write e.g. '45', '45m', '1h 30m', '2.5h', '3d', '1w')"
            )
        if not match.group(2) and match.end() < len(stripped):
            raise DurationError(f"not a duration: {text!r} (a number without a unit must come last)")
        unit = match.group(2).lower() or "m"
        if unit not in MINUTES_PER_UNIT:
            raise DurationError(f"unknown time unit {match.group(2)!r} in {text!r} "
                                "(use m, h, d or w, or minutes, hours, days or weeks)")
        total += float(match.group(1)) * MINUTES_PER_UNIT[unit]
        position = match.end()
    return total


def _number(value: float) -> str:
    """Shortest text for a number: 3 -> '3', 2.5 -> '2.5'."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_exact(minutes: float) -> str:
    """Format minutes so that parse_duration() gives back exactly the same float.

    Whole minutes are split into days and hours: 1530 -> '1d 1h 30m'. Fractional minutes are
    written as minutes alone so nothing is lost: 90.5 -> '90.5m'. 0 -> '0m'.
    """
    if minutes == 0:
        return "0m"
    if minutes != int(minutes) or minutes >= 1e15:
        return f"{_number(minutes)}m"
    remaining = int(minutes)
    parts = []
    for unit in ("d", "h"):
        size = int(MINUTES_PER_UNIT[unit])
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    if remaining:
        parts.append(f"{remaining}m")
    return " ".join(parts)


def format_duration(minutes: float | None, units: int = 2) -> str:
    """Format minutes for people, rounded to the `units` largest units: '2d 4h', '35m', '1w 2d'.

    Under an hour, fractions of a minute are kept to one decimal ('0.5m'). None gives '–'.
    """
    if minutes is None or not math.isfinite(minutes):
        return "–"
    if minutes < 60 and minutes != int(minutes):
        return f"{round(minutes, 1):g}m"
    remaining = round(minutes)
    if remaining == 0:
        return "0m"
    sizes = [("w", 7 * 1440), ("d", 1440), ("h", 60), ("m", 1)]
    # Find the largest unit, then round to the smallest unit shown.
    first = next(i for i, (_, size) in enumerate(sizes) if remaining >= size)
    last = min(first + units - 1, len(sizes) - 1)
    smallest = sizes[last][1]
    remaining = round(remaining / smallest) * smallest
    parts = []
    for unit, size in sizes[: last + 1]:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) if parts else "0m"


def format_working_hours(minutes: float | None) -> str:
    """Working time in hours and minutes, never days (a working day is not 24 hours): 5200 ->
    '86h 40m', 600 -> '10h'; under an hour as format_duration ('40m', '0.5m'). None gives '–'."""
    if minutes is None or not math.isfinite(minutes):
        return "–"
    if round(minutes, 1) < 60:
        return format_duration(minutes)
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}h {rest}m" if rest else f"{hours}h"


def working_time_basis(day_minutes: float) -> str:
    """What a working-time figure is counted in: 'of working time (8h days)' for 480."""
    return f"of working time ({format_working_hours(day_minutes)} days)"


def format_working_time(minutes: float | None, day_minutes: float) -> str:
    """Working time with its basis, as the CLI and the editor show takt time:
    '86h 40m of working time (8h days)'. `day_minutes`: the minutes of one working day
    (vsm.analysis.capacity.AVAILABLE_MINUTES["day"])."""
    return f"{format_working_hours(minutes)} {working_time_basis(day_minutes)}"
