"""The value-stream model: Project -> ValueStreamMap -> Step, Flow and Kaizen, their field rules
and the past-tense events every change emits. Pure Python: no Qt, no file or export library.

The names below are the model's public API; modules inside this package import each other
directly (vsm.model.maps, vsm.model.events...), never through this face.
"""

from vsm.errors import ModelError
from vsm.model.events import (
                              FlowAdded,
                              FlowChanged,
                              FlowRemoved,
                              KaizenAdded,
                              KaizenChanged,
                              KaizenRemoved,
                              MapChanged,
                              StepAdded,
                              StepChanged,
                              StepRemoved,
)
from vsm.model.field_rules import (
                              ACTIVITIES,
                              FLOW_KINDS,
                              PERFORMERS,
                              STEP_FIELDS,
                              clean_percent,
                              clean_step_value,
)
from vsm.model.maps import (
                              DEMAND_PERIODS,
                              FLOW_EDITABLE,
                              FLOW_FIELDS,
                              MAP_FIELDS,
                              MAP_KINDS,
                              ValueStreamMap,
)
from vsm.model.practices import PRACTICE_GROUPS, PRACTICES
from vsm.model.project import MapAdded, MapRemoved, Project, ProjectChanged
from vsm.model.records import (
                              Experience,
                              Flow,
                              Kaizen,
                              Measured,
                              Step,
                              Thresholds,
                              ValueStreamDescription,
                              new_id,
                              route_percent,
)

__all__ = [
    "ACTIVITIES", "DEMAND_PERIODS", "FLOW_EDITABLE", "FLOW_FIELDS", "FLOW_KINDS", "MAP_FIELDS",
    "MAP_KINDS", "PERFORMERS", "PRACTICES", "PRACTICE_GROUPS", "STEP_FIELDS", "Experience", "Flow", "FlowAdded", "FlowChanged", "FlowRemoved",
    "Kaizen", "KaizenAdded", "KaizenChanged", "KaizenRemoved", "MapAdded", "MapChanged",
    "MapRemoved", "Measured", "ModelError", "Project", "ProjectChanged", "Step", "StepAdded", "StepChanged",
    "StepRemoved", "Thresholds", "ValueStreamDescription", "ValueStreamMap", "clean_percent", "clean_step_value", "new_id",
    "route_percent",
]
