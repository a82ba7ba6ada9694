"""A mined map's slide reads: no share or rework label covers another label or a step box."""

from __future__ import annotations

from pptx import Presentation

from tests.helpers.deck_geometry import shape_bounds, walk_shapes
from tests.helpers.mining import mined_service_desk
from vsm.export.deck import export_pptx
from vsm.files.formats import load_project


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_labels_on_a_mined_maps_slide_cover_nothing(tmp_path, capsys):
    project = load_project(mined_service_desk(capsys, tmp_path))
    deck = tmp_path / "mined.pptx"
    export_pptx(project, deck)
    slides = [slide for slide in Presentation(str(deck)).slides
              if any(shape.name.startswith("Step: ") for shape in slide.shapes)]
    assert len(slides) == 1
    shapes = list(walk_shapes(slides[0].shapes))
    labels = [(shape.name, shape_bounds(shape)) for shape in shapes
              if shape.name.startswith(("Share ", "Rework "))]
    boxes = [(shape.name, shape_bounds(shape)) for shape in shapes
             if shape.name.startswith("Step: ")]
    # six ordinary flows, of which the five leaving a step with several exits have a share;
    # three rework flows
    assert len(labels) == 8 and len(boxes) == 5
    found = [(a, b) for index, (a, box) in enumerate(labels)
             for b, other in labels[index + 1:] + boxes if _overlap(box, other)]
    assert found == []
