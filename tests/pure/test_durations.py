"""Parsing and formatting durations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vsm.model.durations import DurationError, format_duration, format_exact, parse_duration


@pytest.mark.parametrize("text, minutes", [
    (45, 45), (2.5, 2.5), ("45", 45), ("45m", 45), ("45 min", 45), ("1h 30m", 90), ("1h30m", 90),
    ("2.5h", 150), ("3d", 3 * 1440), ("1w", 7 * 1440), ("1w 2d 3h 4m", 10080 + 2880 + 180 + 4),
    (" 2H ", 120), (".5h", 30), ("0", 0),
])
def test_parse(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("bad", ["", "  ", "abc", "1x", "1h garbage", "-5", -5, "h", "1..5h",
                                 float("nan"), float("inf"), None, True, [1]])
def test_parse_rejects_with_the_text_named(bad):
    with pytest.raises(DurationError) as error:
        parse_duration(bad)
    if isinstance(bad, str) and bad.strip():
        assert repr(bad) in str(error.value) or bad.strip() in str(error.value)


@pytest.mark.parametrize("minutes, shown", [
    (0, "0m"), (35, "35m"), (0.5, "0.5m"), (60, "1h"), (90, "1h 30m"), (3120, "2d 4h"),
    (3130, "2d 4h"), (10080, "1w"), (10080 + 2880 + 60, "1w 2d"), (None, "–"),
])
def test_format_for_people(minutes, shown):
    assert format_duration(minutes) == shown


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_exact_format_round_trips(minutes):
    assert parse_duration(format_exact(minutes)) == minutes


@given(st.integers(min_value=0, max_value=10**8))
def test_people_format_parses_back_close(minutes):
    # Two units: the error is under half of the second unit, at most 3.5 days in 1w+ (< 50 %).
    back = parse_duration(format_duration(minutes))
    assert abs(back - minutes) <= max(0.5, minutes * 0.5)
