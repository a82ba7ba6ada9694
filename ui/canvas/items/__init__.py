"""Passive graphics items of the map canvas: they know nothing of the document or commands."""

from ui.canvas.items.flow_item import FlowItem
from ui.canvas.items.kaizen_item import KaizenItem
from ui.canvas.items.ladder_item import (
                                 LadderItem,
                                 LadderSegment,
                                 LaneBand,
                                 LanesItem,
                                 LegendItem,
                                 SummaryItem,
)
from ui.canvas.items.step_item import BadgeItem, StepItem

__all__ = ["BadgeItem", "FlowItem", "KaizenItem", "LadderItem", "LadderSegment", "LaneBand",
           "LanesItem", "LegendItem", "StepItem", "SummaryItem"]
