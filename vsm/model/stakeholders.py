"""The rules for what stakeholders ask of a map (issue 18): its target lead time, the experience
score measured, the currency and hourly rates of its teams, and its ITIL 4 description.

Pure functions of the values, like vsm.model.field_rules: each returns the value normalised or
raises ModelError whose message starts with `what` ("map 'Current state': target lead time").

- target lead time: minutes (a number or a duration text such as "3d"), more than 0; None: no
  target.
- experience: None, or Experience(scale "csat" with a score from 0 to 100 (percent satisfied),
  or "survey" with an average from 1 to 5; responses a whole number of at least 1, or None;
  note: text).
- currency: the sign or code money is shown with ("€", "$", "GBP"): one line, 1 to
  MAX_CURRENCY_LENGTH characters.
- team rates: team name -> hourly rate (a finite number, 0 or more), in the currency; names are
  one-line text, stripped, non-empty, each once.
- ITIL description: ValueStreamDescription, each text within the limits of a description.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from vsm.errors import ModelError
from vsm.model.field_rules import clean_rate, clean_target, finite
from vsm.model.limits import MAX_TEXT_LENGTH, clean_text, shown
from vsm.model.measured import clean_count
from vsm.model.records import EXPERIENCE_SCALES, Experience, ValueStreamDescription

# clean_rate and clean_target are vsm.model.field_rules', re-exported for the map's settings.
__all__ = ["DEFAULT_CURRENCY", "MAX_CURRENCY_LENGTH", "SCORE_RANGES", "STAKEHOLDER_SETTINGS",
           "clean_currency", "clean_description", "clean_experience", "clean_rate",
           "clean_stakeholder_setting", "clean_target", "clean_team_rates", "experience_words",
           "money_words"]

DEFAULT_CURRENCY = "€"
MAX_CURRENCY_LENGTH = 8
SCORE_RANGES: dict[str, tuple[float, float]] = {"csat": (0.0, 100.0), "survey": (1.0, 5.0)}
_DESCRIPTION_FIELDS = tuple(item.name for item in fields(ValueStreamDescription))


def clean_experience(value: Any, what: str) -> Experience | None:
    """An Experience checked and normalised (see the module docstring); None stays None."""
    if value is None:
        return None
    if not isinstance(value, Experience):
        raise ModelError(f"{what} must be Experience, not {shown(value)}")
    if value.scale not in EXPERIENCE_SCALES:
        raise ModelError(f"{what}: scale must be one of {', '.join(EXPERIENCE_SCALES)}, "
                         f"not {shown(value.scale)}")
    score = finite(value.score, f"{what}: score")
    low, high = SCORE_RANGES[value.scale]
    if not low <= score <= high:
        unit = "percent" if value.scale == "csat" else "the survey's average"
        raise ModelError(f"{what}: a {EXPERIENCE_SCALES[value.scale]} score must be from "
                         f"{low:g} to {high:g} ({unit}), not {score:g}")
    responses = clean_count(value.responses, f"{what}: responses")
    if responses == 0:
        raise ModelError(f"{what}: responses must be at least 1 (or unknown)")
    note = clean_text(value.note, f"{what}: note", multiline=True, limit=MAX_TEXT_LENGTH)
    return Experience(value.scale, score, responses, note)


def clean_currency(value: Any, what: str) -> str:
    """The currency's sign or code: one line of 1 to MAX_CURRENCY_LENGTH characters."""
    text = clean_text(value, what).strip()
    if not text:
        raise ModelError(f"{what} needs a sign or code, such as €, $ or GBP")
    if len(text) > MAX_CURRENCY_LENGTH:
        raise ModelError(f"{what} must be a sign or code of at most {MAX_CURRENCY_LENGTH} "
                         f"characters, not {shown(text)}")
    return text


def clean_team_rates(value: Any, what: str) -> dict[str, float]:
    """Team name -> hourly rate, checked (a new dict: the caller's stays theirs)."""
    if not isinstance(value, Mapping):
        raise ModelError(f"{what} must map team names to hourly rates, not {shown(value)}")
    rates: dict[str, float] = {}
    for team, rate in value.items():
        name = clean_text(team, f"{what}: a team's name").strip()
        if not name:
            raise ModelError(f"{what}: a team's name is empty")
        if name in rates:
            raise ModelError(f"{what}: team {name!r} is listed twice")
        cleaned = clean_rate(rate, f"{what}: team {name!r}")
        if cleaned is None:
            raise ModelError(f"{what}: team {name!r} needs a rate (a number, 0 or more)")
        rates[name] = cleaned
    return rates


def clean_description(value: Any, what: str) -> ValueStreamDescription:
    """A ValueStreamDescription with each text within the limits of a description."""
    if value is None:
        return ValueStreamDescription()
    if not isinstance(value, ValueStreamDescription):
        raise ModelError(f"{what} must be ValueStreamDescription, not {shown(value)}")
    return ValueStreamDescription(**{
        name: clean_text(getattr(value, name), f"{what}: {name}", multiline=True,
                         limit=MAX_TEXT_LENGTH).strip()
        for name in _DESCRIPTION_FIELDS})


STAKEHOLDER_SETTINGS = ("target_lead_time", "experience", "currency", "team_rates", "itil")


def clean_stakeholder_setting(name: str, value: Any, map_what: str) -> Any:
    """One of a map's STAKEHOLDER_SETTINGS checked and normalised; `map_what` names the map
    ("map 'Current state'"), the message then names the setting."""
    what = f"{map_what}: {name.replace('_', ' ')}"
    if name == "target_lead_time":
        return clean_target(value, what)
    if name == "experience":
        return clean_experience(value, what)
    if name == "currency":
        return clean_currency(value, what)
    if name == "team_rates":
        return clean_team_rates(value, what)
    return clean_description(value, f"{map_what}: ITIL description")


def money_words(value: float | None, currency: str) -> str:
    """An amount for people, two decimals and thousands separated: "€1,234.50", "-$12.00",
    "GBP 1,234.50" (a code gets a space); "–" when there is none."""
    if value is None or not math.isfinite(value):
        return "–"
    sign = "-" if value < 0 else ""
    space = " " if len(currency) > 1 else ""
    return f"{sign}{currency}{space}{abs(value):,.2f}"


def experience_words(experience: Experience) -> str:
    """The score for people: "CSAT 78% (412 responses)", "Survey 3.9 of 5"."""
    if experience.scale == "csat":
        text = f"CSAT {experience.score:.4g}%"
    else:
        text = f"Survey {experience.score:.3g} of 5"
    if experience.responses is not None:
        count = experience.responses
        text += f" ({count:,} response{'s' if count != 1 else ''})"
    return text
