"""Passive graphics items of the map canvas: they know nothing of the document or commands."""

from ui.items.flow_item import FlowItem
from ui.items.kaizen_item import KaizenItem
from ui.items.ladder_item import (LadderItem, LadderSegment, LaneBand, LanesItem, LegendItem,
                                 SummaryItem)
from ui.items.step_item import BadgeItem, StepItem

__all__ = ["BadgeItem", "FlowItem", "KaizenItem", "LadderItem", "LadderSegment", "LaneBand",
           "LanesItem", "LegendItem", "StepItem", "SummaryItem"]
