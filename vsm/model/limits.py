"""The limits every value of the model keeps, so that every file and export can carry it.

Text (names, notes, titles...) is what people typed or a file held. Every export writes it into
XML (slides, pictures, worksheets) or UTF-8 (vsm-json, CSV, the .vsm file), and both refuse some
characters; a name of ten million characters stalls the deck for minutes. So every text field of
the model goes through `clean_text`, every id through `check_id_text` and every position through
`clean_position`, whichever way the value arrives (vsm-json, .vsm, a step table, the editor):

- A lone UTF-16 surrogate ("\\ud800": valid in JSON, not a character) is refused: the text was
  damaged before it reached us and cannot be written anywhere.
- Control characters other than tab and line feed, and the non-characters U+FFFE and U+FFFF, are
  removed; "\\r\\n" and "\\r" become "\\n" where a field allows several lines (notes, descriptions).
  A one-line field (names, titles, team, owner) turns tabs and line breaks (with vertical tab,
  form feed and next line) into a space.
- Lengths: at most MAX_NAME_LENGTH characters in one-line fields, MAX_TEXT_LENGTH in notes and
  descriptions, MAX_ID_LENGTH in ids; longer text is refused, not cut (nothing is lost silently).
- Ids: non-empty text without control characters or surrogates (they are references: a changed
  id would break them, so nothing is removed from an id).
- Positions: finite numbers of at most MAX_POSITION scene units either way.

`shown` gives a value for an error message, cut short when it is too long to be a valid name.
"""

from __future__ import annotations

import math
import re
from typing import Any

from vsm.errors import ModelError

__all__ = ["MAX_ID_LENGTH", "MAX_NAME_LENGTH", "MAX_POSITION", "MAX_TEXT_LENGTH", "ID_SUSPECT",
           "LINE_SUSPECT", "TEXT_SUSPECT", "check_id_text", "clean_position", "clean_text",
           "shown"]

MAX_NAME_LENGTH = 500  # characters: names, titles, teams, owners
MAX_TEXT_LENGTH = 20_000  # characters: notes and descriptions (about ten pages)
MAX_ID_LENGTH = 256  # characters: ids (new ones are 32)
MAX_POSITION = 10_000_000.0  # scene units, either way from the origin (a box is 180 wide)

_SURROGATES = "\ud800-\udfff"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"  # never kept (not tab, \n, \r)
_SURROGATE = re.compile(f"[{_SURROGATES}]")
_REMOVED = re.compile(f"[{_CONTROLS}]+")
# In one-line text, a run of line breaks (with what is removed between them) becomes one space.
_LINE_BREAKS = re.compile(f"[\t\n\r\x0b\x0c\x85][\t\n\r{_CONTROLS}]*")
# Whether a text needs any work at all (the common case needs none: one search, no copy).
LINE_SUSPECT = re.compile(f"[\t\n\r{_CONTROLS}{_SURROGATES}]")
TEXT_SUSPECT = re.compile(f"[\r{_CONTROLS}{_SURROGATES}]")
ID_SUSPECT = re.compile(f"[\t\n\r{_CONTROLS}{_SURROGATES}]")
_SHOWN_LENGTH = 60  # characters of a refused over-long text shown in the message


def shown(value: Any) -> str:
    """repr(value) for a message; text longer than any valid name is cut short."""
    if isinstance(value, str) and len(value) > MAX_NAME_LENGTH:
        return f"{value[:_SHOWN_LENGTH]!r}… ({len(value):,} characters)"
    text = repr(value)
    if len(text) > MAX_NAME_LENGTH:
        return f"{text[:_SHOWN_LENGTH]}… ({type(value).__name__})"
    return text


def _refuse_surrogate(text: str, what: str) -> None:
    found = _SURROGATE.search(text)
    if found is not None:
        raise ModelError(f"{what} holds a broken character at character {found.start() + 1} "
                         f"(a lone surrogate, {found.group()!r}): the text was damaged before "
                         "it was read")


def clean_text(value: Any, what: str, multiline: bool = False,
               limit: int = MAX_NAME_LENGTH) -> str:
    """`value` as text every export can carry (see the module's rules); ModelError naming `what`
    ("step 'Log': name") if it is not text, holds a lone surrogate or is longer than `limit`."""
    if not isinstance(value, str):
        raise ModelError(f"{what} must be text, not {shown(value)}")
    if len(value) > limit:
        raise ModelError(f"{what} is {len(value):,} characters long; at most {limit:,} are "
                         "allowed")
    if not (TEXT_SUSPECT if multiline else LINE_SUSPECT).search(value):
        return value
    _refuse_surrogate(value, what)
    if multiline:
        return _REMOVED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _REMOVED.sub("", _LINE_BREAKS.sub(" ", value))


def check_id_text(value: Any, what: str) -> str:
    """An id: non-empty text of at most MAX_ID_LENGTH characters, without control characters or
    surrogates; ModelError naming `what` ("step 'Log'") otherwise. Returned unchanged."""
    if not isinstance(value, str) or not value.strip():
        raise ModelError(f"{what} needs an id that is non-empty text, not {shown(value)}")
    if len(value) > MAX_ID_LENGTH:
        raise ModelError(f"{what}: its id is {len(value):,} characters long; at most "
                         f"{MAX_ID_LENGTH} are allowed")
    if ID_SUSPECT.search(value):
        _refuse_surrogate(value, f"{what}: its id")
        raise ModelError(f"{what}: its id {value!r} holds a control character")
    return value


def clean_position(value: Any, what: str) -> float:
    """A coordinate on the canvas: a finite number within MAX_POSITION either way; ModelError
    naming `what` ("kaizen 'Pre-approve': x") otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ModelError(f"{what} must be a number, not {shown(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond the floats
        number = math.inf if value > 0 else -math.inf
    if not math.isfinite(number):
        raise ModelError(f"{what} must be a finite number, not {number!r}")
    if not -MAX_POSITION <= number <= MAX_POSITION:
        raise ModelError(f"{what} must be from {-MAX_POSITION:,.0f} to {MAX_POSITION:,.0f} "
                         f"(scene units), not {number:g}")
    return number
