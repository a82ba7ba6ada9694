"""Colours that carry a meaning in every output: the canvas, the deck and the A3 report.

Okabe & Ito's palette ("Color Universal Design", 2008) stays distinguishable with every common
colour-vision deficiency. Each ITIL value chain activity and each performer has one colour; the
flags' colours are in vsm.analysis.flags. Colours are "#RRGGBB" text, so that no output library
is needed to read them.
"""

from __future__ import annotations

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"

ACTIVITY_COLOURS: dict[str, str] = {
    "engage": ORANGE,
    "plan": SKY_BLUE,
    "improve": BLUISH_GREEN,
    "design_transition": REDDISH_PURPLE,
    "obtain_build": YELLOW,
    "deliver_support": BLUE,
}
PERFORMER_COLOURS: dict[str, str] = {
    "internal": BLUE,
    "vendor": ORANGE,
    "customer": REDDISH_PURPLE,
    "automated": BLUISH_GREEN,
}
TINT = 0.78  # how far a box fill moves from its category colour towards white (light theme)


def tint(colour: str, amount: float = TINT) -> str:
    """`colour` ("#RRGGBB") moved `amount` (0..1) of the way towards white."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in channels)
