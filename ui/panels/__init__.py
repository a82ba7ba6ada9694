"""Dock panels of the editor: they read the model and edit it only through commands.

- PropertiesPanel: form for the selected step or flow, or the map's settings.
- StepTablePanel: every step as an editable table row.
- MetricsPanel: headline figures and the ranked steps to change.
- ProblemsPanel: what stops or worries the analysis.
"""

from ui.panels.metrics import MetricsPanel
from ui.panels.problems import ProblemsPanel
from ui.panels.properties import PropertiesPanel
from ui.panels.step_table import StepTableModel, StepTablePanel

__all__ = ["MetricsPanel", "ProblemsPanel", "PropertiesPanel", "StepTableModel", "StepTablePanel"]
