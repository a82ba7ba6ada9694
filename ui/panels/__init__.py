"""Dock panels of the editor: they read the model and the analysis, and edit only through the
document's verbs.

- properties (with kaizen_form): the form for the selected step, flow or kaizen, or the map's settings.
- step_table: every step as an editable table row.
- metrics (with simulation, rich_text): headline figures and the ranked steps to change.
- problems: what stops or worries the analysis.
- plan: every kaizen burst of the project as a sortable table.
- quick_capture: a bar to type steps as fast as people say them.
- common: what the panels share (following a map, inline errors, form fields, durations).
- column_widths: table columns sized to what they show, one column taking the rest.
- wheel_guard: combo and spin boxes take the wheel only when focused (installed app-wide).
"""
