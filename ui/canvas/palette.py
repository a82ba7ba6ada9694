"""Colours of the canvas: the shared colour-blind-safe palette (vsm.palette) as QColors, and a
light and a dark theme.

Category colours are Okabe & Ito's palette ("Color Universal Design", 2008), distinguishable with
every common colour-vision deficiency. Steps are filled with a light (or, in the dark theme, deep)
tint of their category colour and carry a strip in the full colour with the category's name, so
the meaning never rests on colour alone. Flags are badges with a short text and a tooltip.
Exports always use LIGHT; the canvas follows the application's palette (`theme_for`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from vsm.analysis.flags import FLAGS, Flag
from vsm.model import ACTIVITIES, PERFORMERS
from vsm.palette import ACTIVITY_COLOURS, BLACK, GREY, PERFORMER_COLOURS, TINT

COLOUR_MODES = ("activity", "performer")

# The analysis's flags as the canvas draws them, and one more badge for a step in a problem.
FLAG_STYLES: dict[str, Flag] = {**FLAGS, "problem": Flag("Problem", "!", BLACK, "#FFFFFF")}


def category_colour(mode: str, key: str) -> QColor:
    """The full colour of an activity (mode "activity") or a performer (mode "performer")."""
    table = ACTIVITY_COLOURS if mode == "activity" else PERFORMER_COLOURS
    return QColor(table.get(key, GREY))


def category_label(mode: str, key: str) -> str:
    """The display name of an activity or a performer."""
    table = ACTIVITIES if mode == "activity" else PERFORMERS
    return table.get(key, key)


def categories(mode: str) -> list[str]:
    """The keys of the current colour mode, in display order."""
    return list(ACTIVITIES if mode == "activity" else PERFORMERS)


def mix(colour: QColor, other: QColor, amount: float) -> QColor:
    """`colour` moved `amount` (0..1) of the way towards `other`."""
    return QColor.fromRgbF(
        colour.redF() + (other.redF() - colour.redF()) * amount,
        colour.greenF() + (other.greenF() - colour.greenF()) * amount,
        colour.blueF() + (other.blueF() - colour.blueF()) * amount,
    )


def strip_text_colour(colour: QColor) -> QColor:
    """Black or white, whichever reads better on `colour` (WCAG relative luminance)."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                 + 0.0722 * channel(colour.blueF()))
    return QColor("#000000") if luminance > 0.22 else QColor("#FFFFFF")


@dataclass(frozen=True)
class Theme:
    """The colours of everything drawn on the canvas."""

    name: str
    background: str
    grid: str
    text: str
    muted: str
    outline: str
    critical: str
    selection: str
    data_fill: str
    flow: str
    label_fill: str
    ladder: str
    panel_fill: str
    tint: float  # how far box fills move from the category colour to the background

    @property
    def dark(self) -> bool:
        return QColor(self.background).lightness() < 128

    def colour(self, name: str) -> QColor:
        """One of the theme's colours as a QColor."""
        return QColor(getattr(self, name))

    def box_fill(self, category: QColor) -> QColor:
        """The fill of a process box of this category colour."""
        return mix(category, QColor(self.background), self.tint)

    def lane_fills(self) -> tuple[QColor, QColor]:
        """The two alternating fills of swimlane bands: the background nudged towards the text."""
        background, text = QColor(self.background), QColor(self.text)
        return mix(background, text, 0.03), mix(background, text, 0.08)


LIGHT = Theme(
    name="light", background="#FFFFFF", grid="#E4E4E4", text="#111111", muted="#505050",
    outline="#202020", critical="#000000", selection="#0072B2", data_fill="#F6F6F6",
    flow="#303030", label_fill="#FFFFFF", ladder="#202020", panel_fill="#FAFAFA", tint=TINT,
)
DARK = Theme(
    name="dark", background="#1E1F22", grid="#2E3034", text="#ECECEC", muted="#B4B4B4",
    outline="#D0D0D0", critical="#FFFFFF", selection="#56B4E9", data_fill="#2A2C30",
    flow="#C8C8C8", label_fill="#2A2C30", ladder="#D0D0D0", panel_fill="#26282C", tint=0.72,
)


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window colour is dark (a dark system scheme)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def theme_for(palette: QPalette) -> Theme:
    """DARK for a dark application palette, LIGHT otherwise."""
    return DARK if is_dark(palette) else LIGHT
