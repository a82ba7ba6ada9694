"""One meaning for each figure, in every text that explains it.

%C&A follows Martin and Osterling (docs/analysis.md, "What %C&A means"): it belongs to the step
that produces the work, as the share of its output that the next step can use as it is. The low
%C&A flag, the kaizen it suggests, the deck's words for rolled %C&A and the documentation must
all point that way, never at the work a step receives.

The lead-time ladder adds the waits and process times of the critical path once through; the
lead time also counts rework and the shares of alternative routes. The deck's note under the
ladder says so, with both figures where they differ.
"""

from __future__ import annotations

import re
from pathlib import Path

from pptx import Presentation

from tests.helpers.maps import loop_map, make_map, share
from vsm.analysis import analyse
from vsm.analysis.flags import PCA_MEANING
from vsm.analysis.plan import FLAG_TITLES
from vsm.export.deck import export_pptx
from vsm.export.figure_words import FORMULAS, MEANINGS
from vsm.export.ladder_layout import ladder_note
from vsm.model import Project

DOCS = Path(__file__).resolve().parents[2] / "docs"
OTHER_WAY = re.compile(r"\binput|\breceiv|\barriv", re.IGNORECASE)


def says_output(text: str) -> bool:
    """Whether a text about a step's %C&A speaks of the step's output as the next step uses it,
    and never of what the step receives."""
    text = " ".join(text.split())
    return ("output" in text and "next step" in text and "as it is" in text
            and not OTHER_WAY.search(text))


def doc_text(name: str) -> str:
    return " ".join((DOCS / name).read_text(encoding="utf-8").split())


def table_cell(name: str, row_start: str, column: int) -> str:
    """The cell of a documentation table's row (the first that starts with `row_start`)."""
    for line in (DOCS / name).read_text(encoding="utf-8").splitlines():
        if line.startswith(row_start):
            return line.split("|")[column + 1].strip()
    raise AssertionError(f"no row {row_start!r} in {name}")


def test_the_meaning_speaks_of_the_output():
    assert says_output(PCA_MEANING)
    assert not says_output("the share of items the step receives complete and accurate")


def test_the_low_pca_flag_and_its_kaizen_point_at_the_step_whose_output_needs_fixing():
    map_ = make_map({"a": (10, 10, 70), "b": (10, 10)}, [("a", "b")])
    result = analyse(map_)
    assert "low_pca" in result.flags["a"]
    item = next(i for i in result.steps_to_change if i.step_id == "a")
    reason = next(r for r in item.reasons if "complete and accurate" in r)
    assert reason == ("The next step can use only 70% of its output as it is, complete and "
                      "accurate (below 80%).")
    assert says_output(reason)
    title = FLAG_TITLES["low_pca"]
    assert "output" in title and not OTHER_WAY.search(title)


def test_the_docs_say_the_same():
    analysis, file_format = doc_text("analysis.md"), doc_text("file-format.md")
    # The glossary line of the step table and the graph's definition carry the same words.
    pca_row = table_cell("file-format.md", "| `pca`          |", 4)
    assert says_output(pca_row) and PCA_MEANING in pca_row, pca_row
    assert "the step that produces the work" in pca_row
    assert "%C&A of the step's output" in table_cell("file-format.md", "| `pca`                |", 2)
    graph = re.search(r"Each step also has a \*\*%C&A\*\*[^.]*\.", analysis)
    assert graph is not None and PCA_MEANING in graph.group(0)
    # The definition is Martin and Osterling's, and says on which step the figure is written.
    assert "Martin and Osterling" in analysis and "usable as is" in analysis
    assert "belongs to the step that produces the work" in analysis
    assert "Get the output of *step* complete and accurate" in analysis
    assert FLAG_TITLES["low_pca"].format(step="*step*") in analysis
    # Nothing left of the other direction in the texts about a step's %C&A, but the book's
    # words (the downstream customers receive the work) and the note on "input %C&A".
    for text in (analysis, file_format):
        for sentence in re.findall(r"[^.]*%C&A[^.]*\.", text):
            if OTHER_WAY.search(sentence):
                assert any(words in sentence for words in ("usable as is", "input %C&A",
                                                           "one step upstream")), sentence


def test_rolled_pca_is_the_product_of_each_steps_output_quality():
    assert "hands on complete and accurate" in MEANINGS["rolled_pca"]
    assert "product of the %C&A of every step" in FORMULAS["rolled_pca"]
    assert says_output(FORMULAS["rolled_pca"])


# ---------------------------------------------------------------- the ladder is not the lead time


def test_the_ladder_note_sets_its_total_against_the_lead_time():
    note = ladder_note(120, 150, part=False, width=12.6)
    assert note == ("Ladder: the critical path, waits above the line, process times below; once "
                    "through it takes 2h, not the lead time (2h 30m), which also counts rework "
                    "and the shares of alternative routes")
    short = ladder_note(120, 150, part=True, width=6.0)
    assert "not the lead time (2h 30m)" in short and "2h," in short and "on this slide" in short
    assert "here equal to the lead time" in ladder_note(120, 120, part=False, width=12.6)


def slide_texts(path: Path) -> list[str]:
    slide = Presentation(str(path)).slides
    return [shape.text_frame.text for s in slide for shape in s.shapes if shape.has_text_frame]


def test_the_deck_says_the_ladder_is_not_the_lead_time(tmp_path):
    # loop_map: once through 40 + 70 + 10 = 120m; with C's 20 % rework the lead time is 150m.
    path = tmp_path / "loop.pptx"
    export_pptx(Project("Loop", [loop_map()]), path)
    notes = [t for t in slide_texts(path) if t.startswith("Ladder:")]
    assert notes and all("once through it takes 2h, not the lead time (2h 30m)" in t
                         for t in notes), notes
    # Alternative routes: a -> b (60 %, 1h) or c (40 %, 3h); the critical path takes b.
    routes = make_map({"a": (0, 10), "b": (50, 10), "c": (170, 10)},
                      [("a", "b", share(60)), ("a", "c", share(40))])
    path = tmp_path / "routes.pptx"
    export_pptx(Project("Routes", [routes]), path)
    notes = [t for t in slide_texts(path) if t.startswith("Ladder:")]
    assert notes and "not the lead time (1h 58m)" in notes[0] and "takes 1h 10m" in notes[0]
