"""The checks of vsm-json's phase 1 (vsm.files.vsmjson_read): one value of a JSON object read as
text, a number, a duration, an object, a list or an id, or `InvalidDocument` with a message that
names where it is and what was found ("map 'Orders', step 3: wait_time must be a number, not
text"); and how such messages name a thing (`label`, `clip`).

They know nothing of maps or steps: the caller passes `where`, the place the value was read.
"""

from __future__ import annotations

from typing import Any, Literal, overload

from vsm.model.limits import LINE_SUSPECT, MAX_NAME_LENGTH, shown


class InvalidDocument(Exception):
    """A problem found while parsing; the message already names where it is."""


def label(name: Any, fallback: Any) -> str:
    """How a message names a step, map or kaizen: by its name (quoted), or by `fallback` (an id,
    quoted; a number as it is) when the name is the problem (not text, blank, too long, or
    holding a character that is not allowed in a name)."""
    if (isinstance(name, str) and name.strip() and len(name) <= MAX_NAME_LENGTH
            and not LINE_SUSPECT.search(name)):
        return repr(name)
    return str(fallback) if isinstance(fallback, int) else shown(fallback)


def clip(text: str) -> str:
    """A reference (a flow's step ids) as written, cut short when it is too long to be an id."""
    return text if len(text) <= 80 else f"{text[:60]}… ({len(text):,} characters)"


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool (JSON's numbers)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def type_name(value: Any) -> str:
    """How a message names what was found instead: "an object", "a number", "text"…"""
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    if is_number(value):
        return "a number"
    return names.get(type(value), type(value).__name__)


def text(data: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    """data[key] as text; missing -> default, or an error when there is no default."""
    if key not in data:
        if default is None:
            raise InvalidDocument(f"{where}: missing required key {key!r}")
        return default
    value = data[key]
    if not isinstance(value, str):
        raise InvalidDocument(f"{where}: {key} must be text, not {type_name(value)}")
    return value


@overload
def number(data: dict[str, Any], key: str, where: str, default: float,
            nullable: Literal[False] = False) -> float: ...
@overload
def number(data: dict[str, Any], key: str, where: str, default: float | None,
            nullable: bool = False) -> float | None: ...
def number(data: dict[str, Any], key: str, where: str, default: float | None,
            nullable: bool = False) -> float | None:
    """data[key] as a float (missing -> default; null allowed only when `nullable`)."""
    if key not in data:
        return default
    value = data[key]
    if value is None and nullable:
        return None
    if not is_number(value):
        kind = "a number or null" if nullable else "a number"
        raise InvalidDocument(f"{where}: {key} must be {kind}, not {type_name(value)}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidDocument(f"{where}: {key} is too large") from None


def duration(data: dict[str, Any], key: str, where: str, default: float | None) -> Any:
    """A duration as given (number of minutes or text); the model parses and checks it."""
    if key not in data:
        return default
    value = data[key]
    if value is None and default is None:  # optional durations (the time ranges) may be null
        return None
    if isinstance(value, str):
        return value
    if is_number(value):
        try:
            return float(value)
        except OverflowError:
            raise InvalidDocument(f"{where}: {key} is too large") from None
    raise InvalidDocument(f"{where}: {key} must be minutes or text such as '1h 30m', "
                   f"not {type_name(value)}")


def object_(value: Any, where: str) -> dict[str, Any]:
    """`value` if it is a JSON object, else InvalidDocument."""
    if not isinstance(value, dict):
        raise InvalidDocument(f"{where} must be an object, not {type_name(value)}")
    return value


def list_(data: dict[str, Any], key: str, where: str, required: bool) -> list[Any]:
    """data[key] as a list; missing -> [] (an error when `required`)."""
    if key not in data:
        if required:
            raise InvalidDocument(f"{where}: missing required key {key!r}")
        return []
    value = data[key]
    if not isinstance(value, list):
        raise InvalidDocument(f"{where}: {key} must be a list, not {type_name(value)}")
    return value


def optional_id(data: dict[str, Any], where: str) -> str | None:
    """data["id"] as text, or None when it is missing, null or empty (a new id is made)."""
    value = data.get("id")
    if value is not None and not isinstance(value, str):
        raise InvalidDocument(f"{where}: id must be text, not {type_name(value)}")
    return value or None
