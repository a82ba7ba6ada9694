"""ITIL 4's 34 management practices: the codes a step's `practices` hold, their labels and the
three groups ITIL 4 puts them in (general, service and technical management).

A step lists the practices involved in it (`Step.practices`, a tuple of codes in the order
people gave them, each once); the model refuses a code that is not in PRACTICES. Step tables
and people may write a practice by its label ("Service desk") or its code ("service_desk");
`practice_code` reads either.
"""

from __future__ import annotations

import re
from typing import Any

from vsm.errors import ModelError
from vsm.model.limits import shown

__all__ = ["PRACTICES", "PRACTICE_GROUPS", "PRACTICE_GROUP_LABELS", "clean_practices",
           "practice_code", "practice_group", "practices_words"]

# group -> (code -> label), in ITIL 4's order within each group (alphabetical).
PRACTICE_GROUPS: dict[str, dict[str, str]] = {
    "general": {
        "architecture_management": "Architecture management",
        "continual_improvement": "Continual improvement",
        "information_security_management": "Information security management",
        "knowledge_management": "Knowledge management",
        "measurement_and_reporting": "Measurement and reporting",
        "organizational_change_management": "Organizational change management",
        "portfolio_management": "Portfolio management",
        "project_management": "Project management",
        "relationship_management": "Relationship management",
        "risk_management": "Risk management",
        "service_financial_management": "Service financial management",
        "strategy_management": "Strategy management",
        "supplier_management": "Supplier management",
        "workforce_and_talent_management": "Workforce and talent management",
    },
    "service": {
        "availability_management": "Availability management",
        "business_analysis": "Business analysis",
        "capacity_and_performance_management": "Capacity and performance management",
        "change_enablement": "Change enablement",
        "incident_management": "Incident management",
        "it_asset_management": "IT asset management",
        "monitoring_and_event_management": "Monitoring and event management",
        "problem_management": "Problem management",
        "release_management": "Release management",
        "service_catalogue_management": "Service catalogue management",
        "service_configuration_management": "Service configuration management",
        "service_continuity_management": "Service continuity management",
        "service_design": "Service design",
        "service_desk": "Service desk",
        "service_level_management": "Service level management",
        "service_request_management": "Service request management",
        "service_validation_and_testing": "Service validation and testing",
    },
    "technical": {
        "deployment_management": "Deployment management",
        "infrastructure_and_platform_management": "Infrastructure and platform management",
        "software_development_and_management": "Software development and management",
    },
}
PRACTICE_GROUP_LABELS: dict[str, str] = {
    "general": "General management practices",
    "service": "Service management practices",
    "technical": "Technical management practices",
}
PRACTICES: dict[str, str] = {code: label for group in PRACTICE_GROUPS.values()
                             for code, label in group.items()}
assert len(PRACTICES) == 34

_GROUP_OF = {code: group for group, codes in PRACTICE_GROUPS.items() for code in codes}


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold().replace("&", "and"))


_BY_COMPACT = {**{_compact(code): code for code in PRACTICES},
               **{_compact(label): code for code, label in PRACTICES.items()},
               _compact("Organisational change management"): "organizational_change_management",
               _compact("Change management"): "change_enablement",
               _compact("Change control"): "change_enablement"}


def practice_code(text: str) -> str | None:
    """The code of a practice written as its code or label (case, spaces, '&' and punctuation
    ignored; "Change management" and "Change control", ITIL's older names, are change
    enablement); None when it is no ITIL 4 practice."""
    return _BY_COMPACT.get(_compact(text))


def practice_group(code: str) -> str:
    """The group of a practice: "general", "service" or "technical"."""
    return _GROUP_OF[code]


def clean_practices(value: Any, what: str) -> tuple[str, ...]:
    """A step's practices: a tuple of PRACTICES codes, each once, in the order given. Accepts a
    list or tuple, or text separated by ";" (blank: none), of codes or labels (practice_code:
    "Service desk" is "service_desk"). ModelError naming `what` and the first practice that is
    none of the 34."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part.strip() for part in value.split(";") if part.strip()]
    if not isinstance(value, (list, tuple)):
        raise ModelError(f"{what} must be a list of ITIL 4 practices, not {shown(value)}")
    codes: list[str] = []
    for item in value:
        code = item if isinstance(item, str) and item in PRACTICES else (
            practice_code(item) if isinstance(item, str) else None)
        if code is None:
            raise ModelError(f"{what}: {shown(item)} is not one of ITIL 4's 34 management "
                             "practices")
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def practices_words(codes: tuple[str, ...]) -> str:
    """The practices for people: their labels joined by ", " ("" for none)."""
    return ", ".join(PRACTICES[code] for code in codes)
