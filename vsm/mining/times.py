"""Timestamps of an event log as seconds since the epoch, in UTC.

With a format (--time-format, strptime's codes) every time is read with it: a format made only
of numeric codes (%Y %y %m %d %H %M %S %f %z) and other characters is compiled once into a
pattern that reads a value as datetime.strptime would, without strptime's work per value
(`compiled_format`); any other format goes through strptime. Without one the form is
recognised from the values, and each value then read by the one reader of that form
(no per-value guessing, no regular expression per value):

- ISO 8601 (`datetime.fromisoformat`): "2024-03-01T08:15:00Z", "2024-03-01 08:15:00+01:00",
  "2024-03-01 08:15", with or without seconds, fractions and an offset;
- year first with slashes or dots: "2024/03/01 08:15";
- day first or month first, with "/", "." or "-" between the parts, a year of two or four
  digits, an optional time (hours and minutes, optional seconds and fraction, optional AM/PM):
  "29/2/2016 01:16", "02/29/2016 1:16:00 PM". Which of the two it is, the data settles: the
  first value whose first part is above 12 makes it day first, the first whose second part is
  above 12 month first. Until then values wait (`pending`); a log in which no value settles it
  is refused with a message asking for --time-format. Values that contradict the order found
  are not times (their rows are skipped and counted).

A time with an offset is converted to UTC; a time without one is taken as UTC (an export in a
local zone keeps its local times: every duration is still right except across a change of
daylight saving time). Spreadsheet date cells arrive as datetimes and are read the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from vsm.mining.columns import MiningError

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1)
PENDING = object()  # the value waits until the day/month order is settled
_DATE_SEPARATORS = str.maketrans({"/": " ", ".": " ", "-": " "})
FORM_NAMES = {"iso": "ISO 8601", "ymd": "year first", "dmy": "day first", "mdy": "month first",
              "format": "the format given"}


def seconds(moment: dt.datetime) -> float:
    """Seconds since the epoch in UTC; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        return (moment - EPOCH).total_seconds()
    return moment.timestamp()


def _from_parts(year: int, month: int, day: int, clock: str) -> float:
    """Seconds for a date and a clock text "13:05", "1:05:09.5 PM" or ""."""
    hour = minute = 0
    second = 0.0
    if clock:
        half = ""
        if clock[-2:].upper() in ("AM", "PM"):
            clock, half = clock[:-2].strip(), clock[-2:].upper()
        parts = clock.split(":")
        if not 2 <= len(parts) <= 3:
            raise ValueError("not a time of day")
        hour, minute = int(parts[0]), int(parts[1])
        second = float(parts[2]) if len(parts) == 3 else 0.0
        if half:
            if not 1 <= hour <= 12:
                raise ValueError("hour out of range")
            hour = hour % 12 + (12 if half == "PM" else 0)
        if not 0 <= second < 60:
            raise ValueError("second out of range")
    whole = int(second)
    moment = dt.datetime(year, month, day, hour, minute, whole,
                         round((second - whole) * 1_000_000) if second != whole else 0)
    return (moment - EPOCH).total_seconds()


# strptime's numeric codes and what each may be (as _strptime's patterns, without locale)
_CODES = {"Y": r"(?P<Y>\d\d\d\d)", "y": r"(?P<y>\d\d)", "m": r"(?P<m>1[0-2]|0[1-9]|[1-9])",
          "d": r"(?P<d>3[01]|[12]\d|0[1-9]|[1-9]| [1-9])", "H": r"(?P<H>2[0-3]|[0-1]\d|\d)",
          "M": r"(?P<M>[0-5]\d|\d)", "S": r"(?P<S>6[0-1]|[0-5]\d|\d)", "f": r"(?P<f>[0-9]{1,6})",
          "z": r"(?P<z>[+-]\d\d:?[0-5]\d(:?[0-5]\d(\.\d{1,6})?)?|(?-i:Z))"}


def compiled_format(time_format: str) -> Callable[[str], float] | None:
    """A reader for a format of numeric codes only (see the module), reading what
    datetime.strptime reads and refusing (ValueError) what it refuses; None for other formats.
    """
    parts: list[str] = []
    seen: set[str] = set()
    index = 0
    while index < len(time_format):
        char = time_format[index]
        if char == "%":
            code = time_format[index + 1:index + 2]
            if code == "%":
                parts.append("%")
            elif code in _CODES and code not in seen:
                parts.append(_CODES[code])
                seen.add(code)
            else:
                return None  # names of months or days, AM/PM, week numbers...: strptime
            index += 2
        else:
            parts.append(r"\s+" if char.isspace() else re.escape(char))
            index += 1
    if not {"Y", "y"} & seen or "m" not in seen or "d" not in seen or {"Y", "y"} <= seen:
        return None  # strptime's defaults for missing parts: leave them to it
    match = re.compile("".join(parts), re.IGNORECASE).fullmatch

    def read(text: str) -> float:
        found = match(text)
        if found is None:
            raise ValueError("does not match the format")
        values = found.groupdict()
        year = int(values["Y"]) if values.get("Y") else _year(values["y"])
        fraction = values.get("f")
        moment = dt.datetime(year, int(values["m"]), int(values["d"]), int(values.get("H") or 0),
                             int(values.get("M") or 0), int(values.get("S") or 0),
                             int(fraction.ljust(6, "0")) if fraction else 0)
        zone = values.get("z")
        if zone:
            moment = moment.replace(tzinfo=_zone(zone))
        return seconds(moment)

    return read


def _zone(text: str) -> dt.timezone:
    """A %z offset as strptime reads it: Z, +HHMM, +HH:MM, with optional seconds."""
    if text.upper() == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4])
    rest = digits[4:]
    second, micro = (int(rest[:2]), int(rest[3:].ljust(6, "0") or 0)) if rest else (0, 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes, seconds=second,
                                           microseconds=micro))


def _numeric(text: str) -> tuple[list[str], str]:
    """The three digit groups of a numeric date and the clock text after it; ValueError if the
    text is not one ("29/2/2016 01:16" -> (["29", "2", "2016"], "01:16"))."""
    date, _, clock = text.strip().partition(" ")
    if "T" in date:  # "2016/02/29T01:16"
        date, _, clock = date.partition("T")
    parts = date.translate(_DATE_SEPARATORS).split()
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError("not a numeric date")
    return parts, clock.strip()


def _year(text: str) -> int:
    """A year of four digits, or two (as strptime's %y: 69-99 are 19xx, 00-68 20xx)."""
    if len(text) == 2:
        value = int(text)
        return value + (2000 if value < 69 else 1900)
    if len(text) != 4:
        raise ValueError("a year has two or four digits")
    return int(text)


class TimeReader:
    """Reads the times of one log: `read(value)` gives seconds, None (not a time) or PENDING
    (waiting for the day/month order); `settle()` once every row is read."""

    def __init__(self, time_format: str | None = None) -> None:
        self.format = time_format
        self.form: str | None = "format" if time_format else None
        self._read: Callable[[str], float] | None = (
            (compiled_format(time_format) or self._strptime) if time_format else None)
        self.pending = 0  # values waiting for the day/month order

    # ---------------------------------------------------------------- the readers

    def _strptime(self, text: str) -> float:
        assert self.format is not None
        return seconds(dt.datetime.strptime(text, self.format))

    @staticmethod
    def _iso(text: str) -> float:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            return (moment - EPOCH).total_seconds()
        return moment.timestamp()

    @staticmethod
    def _ymd(text: str) -> float:
        (year, month, day), clock = _numeric(text)
        if len(year) != 4:
            raise ValueError("the year comes first, in four digits")
        return _from_parts(int(year), int(month), int(day), clock)

    @staticmethod
    def _dmy(text: str) -> float:
        (day, month, year), clock = _numeric(text)
        return _from_parts(_year(year), int(month), int(day), clock)

    @staticmethod
    def _mdy(text: str) -> float:
        (month, day, year), clock = _numeric(text)
        return _from_parts(_year(year), int(month), int(day), clock)

    _READERS: dict[str, Callable[[str], float]] = {
        "iso": _iso, "ymd": _ymd, "dmy": _dmy, "mdy": _mdy}

    # ---------------------------------------------------------------- reading values

    def read(self, value: Any) -> Any:
        """Seconds since the epoch (UTC) for a cell's value; None if it is no time; PENDING if
        it may be one once the day/month order is settled."""
        if isinstance(value, str):
            read = self._read
            if read is not None:
                try:
                    return read(value)
                except (ValueError, OverflowError):
                    return None
            return self._first(value.strip())
        if isinstance(value, dt.datetime):
            return seconds(value)
        if isinstance(value, dt.date):
            return seconds(dt.datetime(value.year, value.month, value.day))
        return None

    def _first(self, text: str) -> Any:
        """A value read before the form is known: recognise the form from it if it can."""
        form = self._form_of(text)
        if form is None:
            return None
        if form == "numeric":
            self.pending += 1
            return PENDING
        self._decide(form)
        return self.read(text)

    @staticmethod
    def _form_of(text: str) -> str | None:
        """The form a value shows: "iso", "ymd", "dmy", "mdy", "numeric" (day and month both
        12 or less: either) or None (no date)."""
        if len(text) >= 8 and text[:4].isdigit() and (text[4] == "-" or text[:8].isdigit()):
            try:
                dt.datetime.fromisoformat(text)
                return "iso"
            except ValueError:
                return None
        try:
            (head, middle, _), _ = _numeric(text)
        except ValueError:
            return None
        if len(head) == 4:
            return "ymd"
        first, second = int(head), int(middle)
        if first > 12 and second <= 12:
            return "dmy"
        if second > 12 and first <= 12:
            return "mdy"
        if first <= 12 and second <= 12:
            return "numeric"
        return None

    def _decide(self, form: str) -> None:
        self.form = form
        self._read = self._READERS[form]

    def settle(self) -> None:
        """After the last row: MiningError if values still wait for the day/month order."""
        if self.form is None and self.pending:
            raise MiningError(
                f"the times could be day first or month first ({self.pending:,} values, none "
                "with a day above 12); give the format with --time-format, e.g. "
                "--time-format '%d/%m/%Y %H:%M' or '%m/%d/%Y %H:%M'")

    def read_pending(self, value: Any) -> float | None:
        """A value that waited, read now that the form is settled (None: not a time)."""
        result = self.read(value)
        return None if result is PENDING else result

    def describe(self) -> str:
        """How the times were read, for notes: "ISO 8601", "day first", "the format '%d…'"."""
        if self.form == "format":
            return f"the format {self.format!r}"
        return FORM_NAMES.get(self.form or "", "spreadsheet dates")
