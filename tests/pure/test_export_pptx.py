"""The PowerPoint export: reopened with python-pptx, checked shape by shape.

Every ordinary flow must be a straight connector glued (a:stCxn / a:endCxn) from the right of its
source box to the left of its target box, with an arrowhead; rework flows dashed curves glued top
to top; no shape may carry a theme style; a large map is split so that boxes stay inside the
slide with text of 9 pt or more; writing is atomic and cancellable. A last test renders the decks
with LibreOffice Impress when it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.oxml.ns import qn

import vsm.export.deck
from vsm.cli.main import main
from vsm.errors import FileFormatError, VsmError
from vsm.export.deck import export_pptx
from vsm.files.formats import load_json, save_json
from vsm.model import Flow, Project, Step, ValueStreamMap
from vsm.model.duplicate import duplicate_map
from vsm.model.durations import format_duration
from vsm.model.layout import auto_layout
from vsm.model.records import Kaizen

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "restore-a-live-service.json"
EMU_PER_INCH = 914400


# ---------------------------------------------------------------- projects


def small_project() -> Project:
    """Report -> Fix (70 %) / Vendor (30 %) -> Close, 20 % rework Close -> Fix, 10 % of the
    vendor's work done again; and its future state with two kaizens."""
    current = ValueStreamMap("Current state", "current")
    current.add_step(Step("Report", activity="engage", team="Users", performer="customer",
                          wait_time=20, process_time=10, id="report"))
    current.add_step(Step("Fix", team="Support", wait_time=90, process_time=60, pca=70,
                          x=240, id="fix"))
    current.add_step(Step("Vendor", team="Hosting Co", performer="vendor", wait_time=1440,
                          process_time=240, x=240, y=200, id="vendor"))
    current.add_step(Step("Close", performer="automated", wait_time=30, process_time=5, x=480,
                          id="close"))
    current.add_flow(Flow("report", "fix", share=70))
    current.add_flow(Flow("report", "vendor", share=30))
    current.add_flow(Flow("fix", "close"))
    current.add_flow(Flow("vendor", "close"))
    current.add_flow(Flow("close", "fix", kind="rework", probability=20))
    current.add_flow(Flow("vendor", "vendor", kind="rework", probability=10))  # do it again
    future = duplicate_map(current, "Future state", "future", keep_origin=True)
    vendor = next(s for s in future.steps if s.name == "Vendor")
    future.set_step_field(vendor.id, "wait_time", 240)
    future.add_kaizen(Kaizen(title="Hold the vendor to 4 hours", step_id=vendor.id,
                             x=vendor.x, y=vendor.y - 90))
    future.add_kaizen(Kaizen(title="Publish a status page", x=600, y=-150))  # not on a step
    return Project("Small", [current, future])


def big_map(count: int = 60) -> ValueStreamMap:
    """A long main line with a side step every fifth step, some rework, laid out automatically."""
    map_ = ValueStreamMap("Big", "current")
    performers = ["internal", "internal", "vendor", "customer", "automated"]
    for i in range(count):
        map_.add_step(Step(f"Step {i + 1} review the request", team="Application support",
                           performer=performers[i % 5], wait_time=(i % 4) * 45,
                           process_time=15 + i % 3 * 30, pca=60 if i % 7 == 0 else 95,
                           id=f"s{i}"))
    main_line = [i for i in range(count) if i % 5 != 3]
    for a, b in zip(main_line, main_line[1:]):
        map_.add_flow(Flow(f"s{a}", f"s{b}"))
    for i in range(3, count, 5):
        map_.add_flow(Flow(f"s{i - 1}", f"s{i}"))
        if i + 2 < count:
            map_.add_flow(Flow(f"s{i}", f"s{i + 2}"))
    for i in range(6, count, 9):
        map_.add_flow(Flow(f"s{i}", f"s{i - 2}", kind="rework", probability=15))
    for step_id, (x, y) in auto_layout(map_).items():
        map_.set_step_field(step_id, "x", x)
        map_.set_step_field(step_id, "y", y)
    return map_


def export(project: Project, path: Path, **options) -> Presentation:
    export_pptx(project, path, today=date(2025, 3, 14), **options)
    return Presentation(str(path))


# ---------------------------------------------------------------- reading the deck


def texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def step_shape(slide, name: str):
    """The step box whose first paragraph is the step's name (⚙ marks automated steps)."""
    for shape in slide.shapes:
        if shape.has_text_frame and shape.name.startswith("Step: "):
            first = shape.text_frame.paragraphs[0].text.removeprefix("⚙ ")
            if first == name:
                return shape
    return None


def connectors(slide) -> list:
    return [shape._element for shape in slide.shapes if shape._element.tag == qn("p:cxnSp")]


def glue(connector) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """((begin shape id, site), (end shape id, site)) of a connector."""
    properties = connector.find(qn("p:nvCxnSpPr")).find(qn("p:cNvCxnSpPr"))
    ends = []
    for tag in ("a:stCxn", "a:endCxn"):
        element = properties.find(qn(tag))
        ends.append(None if element is None else (int(element.get("id")), int(element.get("idx"))))
    return ends[0], ends[1]


def geometry(connector) -> str:
    return connector.find(qn("p:spPr")).find(qn("a:prstGeom")).get("prst")


def line(connector):
    return connector.find(qn("p:spPr")).find(qn("a:ln"))


def map_slides(deck, map_: ValueStreamMap) -> list:
    def is_map_title(text: str) -> bool:
        return text == map_.name or (text.startswith(map_.name + " (") and text.endswith(")"))

    return [s for s in deck.slides
            if any(sh.name == "Title" and is_map_title(sh.text_frame.text) for sh in s.shapes)]


def check_flows(deck, map_: ValueStreamMap) -> int:
    """Assert every flow whose steps share a slide is glued right; return how many were checked."""
    checked = 0
    for slide in map_slides(deck, map_):
        cxns = connectors(slide)
        for flow in map_.flows:
            source = step_shape(slide, map_.step(flow.source).name)
            target = step_shape(slide, map_.step(flow.target).name)
            if source is None or target is None:
                continue
            if flow.kind == "normal":  # beside (right to left), or a U under the boxes
                ends = [((source.shape_id, a), (target.shape_id, b)) for a, b in ((3, 1), (2, 2))]
            elif flow.source == flow.target:
                ends = [((source.shape_id, 0), (target.shape_id, 3))]
            else:  # a U above both boxes, or below them
                ends = [((source.shape_id, a), (target.shape_id, a)) for a in (0, 2)]
            matching = [c for c in cxns if glue(c) in ends]
            assert len(matching) == 1, (map_.step(flow.source).name, map_.step(flow.target).name)
            connector = matching[0]
            assert line(connector).find(qn("a:tailEnd")).get("type") == "triangle"
            if flow.kind == "normal":
                assert geometry(connector) in ("line", "straightConnector1", "bentConnector3",
                                               "bentConnector5")
                assert line(connector).find(qn("a:prstDash")) is None
            else:  # an arc within a row, elbows between rows
                assert geometry(connector) in ("curvedConnector3", "bentConnector3")
                assert line(connector).find(qn("a:prstDash")).get("val") == "dash"
            checked += 1
    return checked


# ---------------------------------------------------------------- the deck


def test_slides_in_order_16_by_9(tmp_path):
    deck = export(small_project(), tmp_path / "deck.pptx")
    assert (deck.slide_width, deck.slide_height) == (int(13.333 * EMU_PER_INCH), 7.5 * EMU_PER_INCH)
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.name == "Title")
              for s in deck.slides]
    assert titles == ["Small", "Executive summary", "Current state",
                      "Current state — figures and steps to change",
                      "Future state", "Future state — figures and steps to change",
                      "Current state → Future state", "Improvement plan",
                      "Appendix: how the figures are computed"]
    assert "14 March 2025" in texts(deck.slides[0])


def test_every_step_is_a_box_with_its_figures(tmp_path):
    project = small_project()
    deck = export(project, tmp_path / "deck.pptx")
    for map_ in project.maps:
        (slide,) = map_slides(deck, map_)
        for step in map_.steps:
            box = step_shape(slide, step.name)
            assert box is not None, step.name
            text = box.text_frame.text.replace("\u00a0", " ")
            assert "PT " in text and f"%C&A {step.pca:g}" in text
            if step.wait_time > 0:  # the wait is shown before the box, under its triangle
                (wait,) = [s for s in slide.shapes if s.name == f"Wait: {step.name}"]
                assert wait.text_frame.text == format_duration(step.wait_time)
    current = project.maps[0]
    (slide,) = map_slides(deck, current)
    vendor = step_shape(slide, "Vendor")
    assert line(vendor._element).get("cmpd") == "dbl"  # vendor: double outline
    close = step_shape(slide, "Close")
    assert close.text_frame.paragraphs[0].text.startswith("⚙ ")  # automated: gear and dashes
    assert line(close._element).find(qn("a:prstDash")).get("val") == "dash"
    assert step_shape(slide, "Report").auto_shape_type is not None
    all_text = " ".join(texts(slide))
    for label in ("Bottleneck", "Long wait", "Low %C&A", "Rework", "↺ 20%", "70%", "30%", "1d"):
        assert label in all_text
    triangles = [sh for sh in slide.shapes if sh.name.startswith("Wait before")]
    assert len(triangles) == 4
    assert "Lead time" in all_text and "Flow efficiency" in all_text
    assert any(sh.name == "Lead-time ladder" for sh in slide.shapes)


def test_flows_are_connectors_glued_to_their_boxes(tmp_path):
    project = small_project()
    deck = export(project, tmp_path / "deck.pptx")
    for map_ in project.maps:
        assert check_flows(deck, map_) == len(map_.flows)


def test_rework_is_distinguishable(tmp_path):
    deck = export(small_project(), tmp_path / "deck.pptx")
    slide = deck.slides[2]
    colours = {geometry(c): line(c).find(qn("a:solidFill")).find(qn("a:srgbClr")).get("val")
               for c in connectors(slide)}
    assert colours["curvedConnector3"] != colours["line"]


def test_kaizen_bursts_and_plan(tmp_path):
    deck = export(small_project(), tmp_path / "deck.pptx")
    bursts = [sh for sh in deck.slides[4].shapes if sh.name.startswith("Kaizen: ")]
    assert [b.text_frame.text for b in bursts] == ["Hold the vendor to 4 hours",
                                                   "Publish a status page"]
    shape = bursts[0]._element.find(qn("p:spPr")).find(qn("a:prstGeom"))
    assert shape.get("prst") == "irregularSeal1"
    plan = deck.slides[7]
    (table,) = [sh.table for sh in plan.shapes if sh.has_table]
    assert table.cell(1, 0).text == "Hold the vendor to 4 hours"
    assert table.cell(1, 2).text == "Vendor"


def test_no_theme_style_and_explicit_colours_and_fonts(tmp_path):
    deck = export(small_project(), tmp_path / "deck.pptx")
    for slide in deck.slides:
        tree = slide.shapes._spTree
        assert tree.findall(".//" + qn("p:style")) == []
        for shape in slide.shapes:
            element = shape._element
            if element.tag in (qn("p:sp"), qn("p:cxnSp")):
                properties = element.find(qn("p:spPr"))
                if element.tag == qn("p:sp"):
                    assert (properties.find(qn("a:solidFill")) is not None
                            or properties.find(qn("a:noFill")) is not None), shape.name
                ln = properties.find(qn("a:ln"))
                assert ln is not None and (ln.find(qn("a:solidFill")) is not None
                                           or ln.find(qn("a:noFill")) is not None), shape.name
        for run in tree.iter(qn("a:r")):
            properties = run.find(qn("a:rPr"))
            assert properties.get("sz") is not None
            assert properties.find(qn("a:latin")).get("typeface") == "Arial"
            assert properties.find(qn("a:solidFill")) is not None


def test_speaker_notes_give_figures_and_formulas(tmp_path):
    deck = export(small_project(), tmp_path / "deck.pptx")
    for index in (2, 3, 4, 5):  # the maps and their figures
        notes = deck.slides[index].notes_slide.notes_text_frame.text
        assert "Lead time" in notes and "Flow efficiency" in notes
    notes = deck.slides[2].notes_slide.notes_text_frame.text
    assert "T(v) = d(v) + (1 − ρ(v))·F(v)" in notes
    assert "process time ÷ lead time" in notes
    assert "Saving = lead time − the lead time with the step's wait set to 0" in notes


def test_metrics_and_comparison_slides(tmp_path):
    project = small_project()
    deck = export(project, tmp_path / "deck.pptx")
    tables = [sh.table for sh in deck.slides[3].shapes if sh.has_table]
    figures, changes = tables
    assert [figures.cell(r, 0).text for r in range(1, 6)] == [
        "Lead time", "Process time", "Flow efficiency", "Rolled %C&A", "Critical path"]
    assert changes.cell(0, 1).text == "Step" and changes.cell(1, 1).text == "Vendor"
    comparison = deck.slides[6]
    (table,) = [sh.table for sh in comparison.shapes if sh.has_table]
    assert table.cell(1, 0).text == "Lead time"
    (chart,) = [sh.chart for sh in comparison.shapes if sh.has_chart]
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert list(chart.plots[0].categories) == ["Lead time", "Process time"]
    from vsm.analysis.compare import compare_maps

    result = compare_maps(*project.maps)
    lead = result.metrics["lead_time_minutes"]
    first, second = chart.plots[0].series
    assert first.name == "Current state" and second.name == "Future state"
    assert first.values[0] == pytest.approx(lead.from_ / 60, abs=0.01)
    assert second.values[0] == pytest.approx(lead.to / 60, abs=0.01)


def test_chosen_maps_only(tmp_path):
    project = small_project()
    deck = export(project, tmp_path / "deck.pptx", map_ids=[project.maps[1].id])
    # title, summary, map, figures, plan, appendix: no comparison with one map
    assert len(deck.slides) == 6
    with pytest.raises(ValueError, match="no map with id"):
        export_pptx(project, tmp_path / "other.pptx", ["nope"])


def test_example_deck(tmp_path):
    project = load_json(EXAMPLE)
    deck = export(project, tmp_path / "example.pptx")
    for map_ in project.maps:
        assert check_flows(deck, map_) == len(map_.flows)
        (slide,) = map_slides(deck, map_)
        for step in map_.steps:
            assert step_shape(slide, step.name) is not None
    assert_inside_and_readable(deck)


def test_empty_map_and_map_with_problems(tmp_path):
    looped = ValueStreamMap("Looped")
    looped.add_step(Step("One", id="one"))
    looped.add_step(Step("Two", x=240, id="two"))
    looped.add_flow(Flow("one", "two"))
    looped.add_flow(Flow("two", "one"))
    deck = export(Project("Odd", [ValueStreamMap("Empty"), looped]), tmp_path / "odd.pptx")
    assert "This map has no steps yet." in texts(deck.slides[2])
    assert any(t.startswith("Not computed: The flows form a loop") for t in texts(deck.slides[5]))


# ---------------------------------------------------------------- large maps


def assert_inside_and_readable(deck) -> None:
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, shape.name
            assert shape.left + shape.width <= deck.slide_width, shape.name
            assert shape.top + shape.height <= deck.slide_height, shape.name
        for run in slide.shapes._spTree.iter(qn("a:r")):
            assert int(run.find(qn("a:rPr")).get("sz")) >= 900


def test_large_map_splits_across_slides(tmp_path):
    map_ = big_map(60)
    deck = export(Project("Large", [map_]), tmp_path / "large.pptx")
    slides = map_slides(deck, map_)
    assert len(slides) > 1
    assert_inside_and_readable(deck)
    seen: dict[str, int] = {}
    for number, slide in enumerate(slides):
        for step in map_.steps:
            if step_shape(slide, step.name) is not None:
                assert step.id not in seen
                seen[step.id] = number
        assert f"of {len(slides)})" in next(sh.text_frame.text for sh in slide.shapes
                                            if sh.name == "Title")
        if number < len(slides) - 1:
            assert any("continued on the next slide →" in text for text in texts(slide))
        for shape in slide.shapes:
            if shape.name.startswith("Step: "):
                assert shape.width >= 0.75 * EMU_PER_INCH
    assert len(seen) == 60
    crossing = [f for f in map_.flows if seen[f.source] != seen[f.target]]
    inside = len(map_.flows) - len(crossing)
    assert check_flows(deck, map_) == inside
    assert crossing
    for flow in crossing:  # both ends: a connector glued to the box and to a link marker
        for step_id, other in ((flow.source, flow.target), (flow.target, flow.source)):
            slide = slides[seen[step_id]]
            box = step_shape(slide, map_.step(step_id).name)
            markers = {sh.shape_id for sh in slide.shapes
                       if sh.name == f"Link to slide {seen[other] + 3}"}
            assert any({end[0] for end in glue(c)} == {box.shape_id} | ({m} & markers)
                       for c in connectors(slide) for m in markers)


# ---------------------------------------------------------------- writing


def test_failure_leaves_the_existing_file_unchanged(tmp_path, monkeypatch):
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"the old deck")

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(vsm.export.deck, "draw_map_slide", broken)
    with pytest.raises(FileFormatError, match="cannot build the slides: drawing failed"):
        export_pptx(small_project(), target)
    assert target.read_bytes() == b"the old deck"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]


def test_write_error_leaves_the_existing_file_unchanged(tmp_path, monkeypatch):
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"the old deck")

    def full_disk(self, file):
        file.write(b"half a deck")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pptx.presentation.Presentation.save", full_disk)
    with pytest.raises(FileFormatError, match="No space left on device"):
        export_pptx(small_project(), target)
    assert target.read_bytes() == b"the old deck"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]


def test_cancel_writes_nothing(tmp_path):
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 3

    target = tmp_path / "deck.pptx"
    with pytest.raises(VsmError, match="export cancelled"):
        export_pptx(small_project(), target, progress=progress)
    assert list(tmp_path.iterdir()) == []
    assert calls == [(0, 9), (1, 9), (2, 9), (3, 9)]


def test_progress_reaches_the_total(tmp_path):
    calls: list[tuple[int, int]] = []
    export_pptx(small_project(), tmp_path / "deck.pptx",
                progress=lambda done, total: calls.append((done, total)) or True)
    assert calls == [(done, 9) for done in range(10)]


# ---------------------------------------------------------------- command line


def test_cli_export(tmp_path, capsys):
    source = tmp_path / "project.json"
    save_json(small_project(), source)
    out = tmp_path / "deck.pptx"
    assert main(["export", str(source), "--map", "future state", "--format", "pptx",
                 "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out} (1 map)"
    assert len(Presentation(str(out)).slides) == 6
    assert main(["export", str(source), "-o", str(tmp_path / "all.pptx")]) == 0  # from the suffix
    assert len(Presentation(str(tmp_path / "all.pptx")).slides) == 9


@pytest.mark.parametrize("arguments, message", [
    (["-o", "deck.docx"], "unknown export format 'docx'"),
    (["--format", "svg", "--scale", "2", "-o", "map.svg"], "--scale applies to --format png only"),
    (["-o", "deck"], "give --format or an OUT with a suffix"),
    (["--map", "Nope", "-o", "deck.pptx"], "no map named 'Nope'"),
])
def test_cli_export_errors(tmp_path, capsys, arguments, message):
    source = tmp_path / "project.json"
    save_json(small_project(), source)
    arguments = [a if not a.startswith(("map.", "deck")) else str(tmp_path / a) for a in arguments]
    assert main(["export", str(source), *arguments]) == 2
    assert message in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["project.json"]


# ---------------------------------------------------------------- rendering


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_renders_every_slide(tmp_path):
    decks = {"example": load_json(EXAMPLE), "small": small_project(),
             "large": Project("Large", [big_map(60)])}
    for name, project in decks.items():
        path = tmp_path / f"{name}.pptx"
        export_pptx(project, path)
        subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp_path}/profile",
                        "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=300)
        pdf = tmp_path / f"{name}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), name
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                                  text=True).stdout
            pages = int(next(line.split()[1] for line in info.splitlines()
                             if line.startswith("Pages:")))
            assert pages == len(Presentation(str(path)).slides), name


def test_the_theme_fonts_are_the_decks_font(tmp_path):
    # Text someone adds in PowerPoint (a new text box, a table) comes in the theme's fonts.
    import re

    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    deck = export(small_project(), tmp_path / "deck.pptx")
    theme = deck.slide_masters[0].part.part_related_by(RT.THEME).blob
    assert re.findall(rb'<a:(majorFont|minorFont)><a:latin typeface="([^"]*)"', theme) == [
        (b"majorFont", b"Arial"), (b"minorFont", b"Arial")]
