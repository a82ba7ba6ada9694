"""The lower bounds of pyproject.toml and the pins of .ci/lowest-constraints.txt are one list.

.ci/lowest installs the pins and runs the whole suite on them, so a bound is only tested while
it equals its pin: each requirement of [project] dependencies and of the "test" extra has a
">=" lower bound (under every environment marker it appears with), and the constraints file pins
exactly those distributions at exactly those versions.

A bound that the rest of the suite would not notice has its reason tested here, so the lowest
versions' run fails if the bound is lowered past it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import openpyxl
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from vsm.files.step_tables import import_table

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / ".ci" / "lowest-constraints.txt"


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(text) for text in
            project["dependencies"] + project["optional-dependencies"]["test"]]


def lower_bounds() -> dict[str, set[Version]]:
    """{distribution: the versions of its ">=" bounds}, over every marker it appears with."""
    bounds: dict[str, set[Version]] = {}
    for requirement in requirements():
        found = {Version(spec.version) for spec in requirement.specifier if spec.operator == ">="}
        bounds.setdefault(canonicalize_name(requirement.name), set()).update(found)
    return bounds


def pins() -> dict[str, Version]:
    pinned: dict[str, Version] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)", line)
        assert match, f"{CONSTRAINTS.name}: not a 'name==version' pin: {line!r}"
        name = canonicalize_name(match[1])
        assert name not in pinned, f"{CONSTRAINTS.name}: {name} pinned twice"
        pinned[name] = Version(match[2])
    return pinned


def test_every_requirement_has_one_lower_bound():
    for requirement in requirements():
        assert any(spec.operator == ">=" for spec in requirement.specifier), (
            f"{requirement} has no '>=' lower bound: .ci/lowest cannot test its lowest version")
    for name, versions in lower_bounds().items():
        assert len(versions) == 1, f"{name}: different lower bounds {sorted(map(str, versions))}"


def test_each_lower_bound_is_the_pinned_version():
    bounds = {name: next(iter(versions)) for name, versions in lower_bounds().items()}
    assert bounds == pins(), (
        "pyproject.toml's lower bounds and .ci/lowest-constraints.txt differ: change both")


def test_the_pins_allow_the_requirements_themselves():
    """A pin that an upper bound or an exclusion of the same requirement refuses could never be
    installed (.ci/lowest would fail at pip, not at a test)."""
    pinned = pins()
    for requirement in requirements():
        if requirement.marker is None or requirement.marker.evaluate(
                {"python_version": "3.11", "python_full_version": "3.11.0"}):
            version = pinned[canonicalize_name(requirement.name)]
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{requirement} refuses its own pin {version}")


# ---------------------------------------------------------------- the reasons for the bounds


@pytest.mark.parametrize("number_format", ["0_d", "0_h", "#,##0_m"])
def test_a_number_with_spacing_in_its_format_is_not_a_date(tmp_path, number_format):
    """openpyxl >= 3.1.3: "_d" in a number format is a space as wide as "d", not a day. Before,
    is_date_format took it for a date, and a cell holding 2 was read as 1900-01-02: three days."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Process time", "Wait time"])
    sheet.append(["Log", 30, 2])
    sheet["C2"].number_format = number_format
    path = tmp_path / "steps.xlsx"
    book.save(path)
    (step,) = import_table(path).map.steps
    assert (step.process_time, step.wait_time) == (30, 2)
