"""The deck of every bundled template, as a stakeholder would see it.

Without LibreOffice: on the PPTX itself, no connector passes through a step box it does not join,
every shape lies inside the slide, every map of up to 20 steps is on one slide, no text is under
9 pt. With LibreOffice and pdftotext installed (skipped otherwise): each deck rendered to PDF
shows every word of each slide whole on its page and no two words drawn over each other.
A map with long step names, drawn here, goes through the same checks.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from tests.helpers.deck_checks import broken_words, overlapping_words, render_pdf
from tests.helpers.deck_geometry import connectors_through_boxes, shapes_outside_slide
from vsm.export.deck import export_pptx
from vsm.files.bundled import list_templates, new_from_template
from vsm.model import Flow, Kaizen, Project, Step, ValueStreamMap
from vsm.model.layout import auto_layout

RENDERING = shutil.which("libreoffice") is not None and shutil.which("pdftotext") is not None
needs_rendering = pytest.mark.skipif(not RENDERING,
                                     reason="LibreOffice or pdftotext is not installed")
TEMPLATES = [template.id for template in list_templates()]

LONG_NAMES = [
    "Customer relationship manager qualifies the incoming business request",
    "Enterprise architecture reviews the proposed integration with the ERP platform",
    "Information security performs a third-party vendor risk assessment",
    "Procurement negotiates the subscription agreement with the supplier",
    "Infrastructure provisions the non-production environments",
    "Application support configures single sign-on and provisioning",
    "Business analysts run user acceptance testing with key users",
    "Change advisory board authorises the production deployment",
    "Service desk publishes knowledge articles and the catalogue entry",
]
TEAMS = ["Enterprise architecture and integration", "Information security office",
         "Global procurement"]


def laid_out(map_: ValueStreamMap) -> ValueStreamMap:
    """The map with the editor's Auto-Layout positions, as a drawn map has them."""
    for step_id, (x, y) in auto_layout(map_).items():
        map_.set_step_field(step_id, "x", x)
        map_.set_step_field(step_id, "y", y)
    return map_


def long_names_project() -> Project:
    """Nine steps with names of 55-80 characters and long team names, a rework flow over two
    steps and a kaizen with a long title."""
    map_ = ValueStreamMap("Onboard a SaaS application", "current")
    for index, name in enumerate(LONG_NAMES):
        map_.add_step(Step(name, team=TEAMS[index % 3], wait_time=600 * (index % 3 + 1),
                           process_time=90, pca=90, id=f"s{index}"))
    for index in range(len(LONG_NAMES) - 1):
        map_.add_flow(Flow(f"s{index}", f"s{index + 1}"))
    map_.add_flow(Flow("s6", "s4", kind="rework", probability=20))
    map_.add_kaizen(Kaizen("Pre-approved vendor list for common SaaS categories with standard "
                           "contract terms", step_id="s3", expected_saving_minutes=2400,
                           due="2027-02-15", status="planned"))
    laid_out(map_)
    return Project("Long names", [map_])


def chain(count: int) -> ValueStreamMap:
    """`count` steps one after the other, laid out automatically."""
    map_ = ValueStreamMap(f"{count} steps", "current")
    for index in range(count):
        map_.add_step(Step(f"Step {index + 1} of the chain", team="Team " + "ABCD"[index % 4],
                           wait_time=60 * (index % 5 + 1), process_time=20, pca=95,
                           id=f"c{index}"))
    for index in range(count - 1):
        map_.add_flow(Flow(f"c{index}", f"c{index + 1}"))
    return laid_out(map_)


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, tuple[Project, Path]]:
    """Every template's deck and the long-names deck, written once for the module."""
    folder = tmp_path_factory.mktemp("decks")
    projects = {template: new_from_template(template) for template in TEMPLATES}
    projects["long-names"] = long_names_project()
    written = {}
    for name, project in projects.items():
        path = folder / f"{name}.pptx"
        export_pptx(project, path, today=date(2026, 12, 6))
        written[name] = (project, path)
    return written


def map_slide_count(path: Path, name: str) -> int:
    """How many slides carry the map's name (or "name (k of n)") as their title."""
    count = 0
    for slide in Presentation(str(path)).slides:
        titles = [shape.text_frame.text for shape in slide.shapes if shape.name == "Title"]
        count += any(t == name or t.startswith(name + " (") and t.endswith(")") for t in titles)
    return count


def smallest_text(path: Path) -> float:
    """The smallest run of text in the deck, in points."""
    sizes = [int(run.find(qn("a:rPr")).get("sz")) / 100
             for slide in Presentation(str(path)).slides
             for run in slide.shapes._spTree.iter(qn("a:r"))]
    return min(sizes)


@pytest.mark.parametrize("name", TEMPLATES + ["long-names"])
def test_no_connector_through_a_box_and_nothing_off_the_slide(decks, name):
    _, path = decks[name]
    assert connectors_through_boxes(path) == []
    assert shapes_outside_slide(path) == []
    assert smallest_text(path) >= 9


@pytest.mark.parametrize("name", TEMPLATES + ["long-names"])
def test_every_map_is_on_one_slide(decks, name):
    project, path = decks[name]
    for map_ in project.maps:
        assert len(map_.steps) <= 20
        assert map_slide_count(path, map_.name) == 1, map_.name


def test_a_map_of_twenty_steps_is_on_one_slide(tmp_path):
    path = tmp_path / "chain.pptx"
    export_pptx(Project("Chain", [chain(20)]), path)
    assert map_slide_count(path, "20 steps") == 1
    assert smallest_text(path) >= 9
    assert connectors_through_boxes(path) == []
    assert shapes_outside_slide(path) == []


@needs_rendering
@pytest.mark.parametrize("name", TEMPLATES + ["long-names"])
def test_rendered_words_are_whole_and_apart(decks, name, tmp_path):
    _, path = decks[name]
    pdf = render_pdf(path, tmp_path)
    assert broken_words(path, pdf) == []
    assert overlapping_words(pdf) == []
